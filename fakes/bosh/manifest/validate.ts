import { isJsonObject, type JsonObject } from '../../core/json.js';
import { boshErr } from '../errors.js';
import type { CloudModel, Network } from '../model/cloud.js';
import { ipToInt } from '../model/ip.js';
import type { StemcellRecord } from '../state.js';
import { expectArray, expectHashes, hashes, typeError } from './checks.js';
import { resolveJobs, type ResolvedJob } from './jobs.js';
import type { Manifest } from './parse.js';
import type { ResolvedRelease } from './releases.js';

/** An instance group that passed every check: what placement and IP allocation work from. */
export interface GroupPlan {
  name: string;
  lifecycle: 'service' | 'errand';
  jobs: ResolvedJob[];
  vmType: string | null;
  stemcell: StemcellRecord;
  networks: { net: Network; staticIps: (number | null)[] | null }[];
  azs: string[];
  count: number;
  state: string;
  hasDisk: boolean;
}

interface Refs {
  releases: Map<string, ResolvedRelease>;
  stemcells: Map<string, StemcellRecord>;
  cloud: CloudModel;
}

/** Every instance group in manifest order; the first bad reference fails the task with the director's code. */
export function validateGroups(manifest: Manifest, refs: Refs): GroupPlan[] {
  const groups = manifest.instance_groups ?? manifest.jobs;
  expectHashes('instance_groups', groups);
  return hashes(groups).map((ig) => validateGroup(ig, refs));
}

/** One instance group's checks, in the order the director's instance group parser makes them. */
function validateGroup(ig: JsonObject, { releases, stemcells, cloud }: Refs): GroupPlan {
  if (typeof ig.name !== 'string') throw typeError('name', ig.name, 'String');
  const name = ig.name;
  const lifecycle = ig.lifecycle === undefined ? 'service' : ig.lifecycle;
  if (lifecycle !== 'service' && lifecycle !== 'errand') {
    throw boshErr(140011, `Invalid lifecycle '${String(lifecycle)}' for '${name}', valid lifecycle profiles are: service, errand`);
  }
  const igRelease = typeof ig.release === 'string' ? ig.release : undefined;
  if (igRelease && !releases.has(igRelease)) throw boshErr(140002, `Instance group '${name}' references an unknown release '${igRelease}'`);
  if (ig.jobs === undefined && ig.templates === undefined && ig.template === undefined) {
    throw boshErr(40001, `Instance group '${name}' does not specify jobs key`);
  }
  expectHashes('jobs', ig.jobs ?? ig.templates);
  expectHashes('networks', ig.networks);
  expectArray('azs', ig.azs);
  const jobs = resolveJobs(ig, name, releases);

  if (ig.persistent_disk_type !== undefined && !cloud.diskTypes.has(String(ig.persistent_disk_type))) {
    throw boshErr(140012, `Instance group '${name}' references an unknown disk type '${String(ig.persistent_disk_type)}'`);
  }
  const vmType = typeof ig.vm_type === 'string' ? ig.vm_type : null;
  if (vmType === null && !isJsonObject(ig.vm_resources) && ig.resource_pool === undefined) {
    throw boshErr(140003, `Instance group '${name}' is missing either 'vm_type' or 'vm_resources' or 'resource_pool' section.`);
  }
  if (vmType !== null && !cloud.vmTypes.has(vmType)) throw boshErr(140004, `Instance group '${name}' references an unknown vm type '${vmType}'`);
  const stemcell = stemcells.get(String(ig.stemcell ?? ''));
  if (!stemcell) throw boshErr(140005, `Instance group '${name}' references an unknown stemcell '${String(ig.stemcell ?? '')}'`);

  const nets = hashes(ig.networks);
  if (nets.length === 0) throw boshErr(140009, `Instance group '${name}' must specify at least one network`);
  for (const n of nets) {
    if (!cloud.networks.has(String(n.name))) throw boshErr(150001, `Instance group '${name}' references an unknown network '${String(n.name)}'`);
  }
  const azs = Array.isArray(ig.azs) ? ig.azs.map(String) : [];
  for (const az of azs) if (!cloud.azs.has(az)) throw boshErr(140018, `Instance group '${name}' references unknown availability zone '${az}'`);
  const count = ig.instances;
  if (typeof count !== 'number' || !Number.isInteger(count)) throw typeError('instances', count, 'Integer');
  const networks = nets.map((n) => {
    const net = cloud.networks.get(String(n.name))!;
    checkNetworkAzs(name, net, azs);
    if (Array.isArray(n.static_ips) && n.static_ips.length !== count) {
      throw boshErr(150002, `Instance group '${name}' has ${count} instances but was allocated ${n.static_ips.length} static IPs in network '${net.name}'`);
    }
    return { net, staticIps: Array.isArray(n.static_ips) ? n.static_ips.map((x) => ipToInt(String(x))) : null };
  });
  return {
    name,
    lifecycle,
    jobs,
    vmType,
    stemcell,
    networks,
    azs,
    count,
    state: typeof ig.state === 'string' ? ig.state : 'started',
    hasDisk: ig.persistent_disk !== undefined || ig.persistent_disk_type !== undefined,
  };
}

/** A group's AZs must each have a subnet on every network it uses (networks without AZs take any). */
function checkNetworkAzs(group: string, net: Network, azs: string[]): void {
  const subnetAzs = new Set(net.subnets.flatMap((s) => s.azs));
  if (azs.length === 0 && subnetAzs.size > 0) {
    throw boshErr(150006, `Instance group '${group}' must specify availability zone that matches availability zones of network '${net.name}'`);
  }
  const missing = azs.filter((az) => net.type !== 'vip' && subnetAzs.size > 0 && !subnetAzs.has(az));
  if (missing.length) {
    throw boshErr(150006, `Instance group '${group}' refers to an availability zone(s) '${JSON.stringify(missing)}' but '${net.name}' has no matching subnet(s).`);
  }
}
