import type { Random } from '../../core/random.js';
import { BoshError, E, boshErr, generic } from '../errors.js';
import type { CloudModel } from '../model/cloud.js';
import { intToIp, ipToInt } from '../model/ip.js';
import type { DeploymentRecord, InstanceRecord, LinkProviderRecord, ReleaseRecord, ReleaseVersion, StemcellRecord } from '../state.js';
import type { Manifest } from './parse.js';
import { latest } from './versions.js';

export interface PlanInput {
  manifest: Manifest & { name: string };
  releases: ReleaseRecord[];
  stemcells: StemcellRecord[];
  cloud: CloudModel;
  existing: DeploymentRecord | undefined;
  /** The deployment holding an IP on a network, if any (the model keeps this index). */
  ipOwner: (network: string, ip: number) => string | undefined;
  random: Random;
  nextProviderId: () => number;
}

export interface DeployPlan {
  releases: { name: string; version: string }[];
  stemcells: { name: string; version: string }[];
  instances: InstanceRecord[];
  /** Ids of instances that get a new VM in this deploy. */
  created: string[];
  deleted: InstanceRecord[];
  errands: { name: string; groups: string[] }[];
  link_providers: LinkProviderRecord[];
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);
const list = (x: unknown): Obj[] => (Array.isArray(x) ? x.filter(isObj) : []);

function typeError(name: string, value: unknown, type: string): BoshError {
  return boshErr(40000, `Property '${name}' value (${JSON.stringify(value)}) did not match the required type '${type}'`);
}

/** `safe_property`'s type check: the director's 40000 for a value of the wrong type. */
function expectArray(name: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (!Array.isArray(value)) throw typeError(name, value, 'Array');
}

function expectHashes(name: string, value: unknown): void {
  expectArray(name, value);
  for (const x of Array.isArray(value) ? value : []) if (!isObj(x)) throw typeError(name, x, 'Hash');
}

function resolveReleases(input: PlanInput): Map<string, { name: string; version: string; rv: ReleaseVersion }> {
  const out = new Map<string, { name: string; version: string; rv: ReleaseVersion }>();
  expectHashes('releases', input.manifest.releases);
  expectHashes('stemcells', input.manifest.stemcells);
  for (const r of list(input.manifest.releases)) {
    const name = String(r.name ?? '');
    if (out.has(name)) throw boshErr(190002, `Duplicate release name '${name}'`);
    const rel = input.releases.find((x) => x.name === name);
    if (!rel) throw E.releaseNotFound(name);
    const wanted = String(r.version ?? 'latest');
    const rv = wanted === 'latest' ? latest(rel.versions, (v) => v.version) : rel.versions.find((v) => v.version === wanted);
    if (!rv) throw E.releaseVersionNotFound(name, wanted);
    out.set(name, { name, version: rv.version, rv });
  }
  return out;
}

function resolveStemcells(input: PlanInput): Map<string, StemcellRecord> {
  const out = new Map<string, StemcellRecord>();
  for (const s of list(input.manifest.stemcells)) {
    const alias = String(s.alias ?? '');
    const wanted = String(s.version ?? 'latest');
    const pool = typeof s.os === 'string' ? input.stemcells.filter((x) => x.operating_system === s.os) : input.stemcells.filter((x) => x.name === s.name);
    const found = wanted === 'latest' ? latest(pool, (x) => x.version) : pool.find((x) => x.version === wanted);
    if (!found) {
      if (typeof s.os === 'string') throw boshErr(50003, `Stemcell version '${wanted}' for OS '${s.os}' doesn't exist`, 404);
      throw E.stemcellNotFound(String(s.name ?? ''), wanted);
    }
    out.set(alias, found);
  }
  return out;
}

/**
 * Turns a manifest plus the cloud config into instances, as the director's planner does: checks
 * every reference (the task fails with the director's code on the first bad one), spreads
 * instances over AZs, keeps existing instance ids, and allocates IPs from subnet ranges.
 */
export function planDeployment(input: PlanInput): DeployPlan {
  const { manifest, cloud } = input;
  const releases = resolveReleases(input);
  const stemcells = resolveStemcells(input);
  const existing = input.existing?.instances ?? [];
  const keptIds = new Set<string>();
  const instances: InstanceRecord[] = [];
  const created: string[] = [];
  const errands = new Map<string, Set<string>>();
  const providers: LinkProviderRecord[] = [];
  const taken = new Map<string, Set<number>>();
  const depName = manifest.name;
  const heldElsewhere = (net: string, ip: number) => {
    const owner = input.ipOwner(net, ip);
    return owner !== undefined && owner !== depName;
  };
  const usedStemcells = new Set<string>();
  const groups = manifest.instance_groups ?? manifest.jobs;
  expectHashes('instance_groups', groups);

  for (const ig of list(groups)) {
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
    const jobNames: string[] = [];
    for (const job of list(ig.jobs ?? ig.templates)) {
      const jobName = String(job.name ?? '');
      const relName = typeof job.release === 'string' ? job.release : (igRelease ?? (releases.size === 1 ? [...releases.keys()][0] : undefined));
      if (typeof job.release === 'string' && !releases.has(job.release)) {
        throw boshErr(140002, `Job '${jobName}' (instance group '${name}') references an unknown release '${job.release}'`);
      }
      if (!relName) throw boshErr(140001, `Cannot tell what release template '${jobName}' (instance group '${name}') is supposed to use, please explicitly specify one`);
      const rel = releases.get(relName)!;
      const spec = rel.rv.jobs.find((j) => j.name === jobName);
      if (!spec) throw generic(`Job '${jobName}' not found in Template table`);
      jobNames.push(jobName);
      if (spec.errand && lifecycle === 'service') {
        const set = errands.get(jobName) ?? new Set<string>();
        set.add(name);
        errands.set(jobName, set);
      }
      const wantedProvides = isObj(job.provides) ? job.provides : {};
      for (const p of spec.provides) {
        const m = wantedProvides[p.name];
        const prev = input.existing?.link_providers.find((x) => x.instance_group === name && x.job === jobName && x.original_name === p.name);
        providers.push({
          id: prev?.id ?? input.nextProviderId(),
          name: isObj(m) && typeof m.as === 'string' ? m.as : p.name,
          original_name: p.name,
          type: p.type,
          shared: isObj(m) ? m.shared === true : false,
          job: jobName,
          instance_group: name,
          network: '',
        });
      }
    }
    if (lifecycle === 'errand') errands.set(name, new Set([name]));

    if (ig.persistent_disk_type !== undefined && !cloud.diskTypes.has(String(ig.persistent_disk_type))) {
      throw boshErr(140012, `Instance group '${name}' references an unknown disk type '${String(ig.persistent_disk_type)}'`);
    }
    const vmType = typeof ig.vm_type === 'string' ? ig.vm_type : null;
    if (vmType === null && !isObj(ig.vm_resources) && ig.resource_pool === undefined) {
      throw boshErr(140003, `Instance group '${name}' is missing either 'vm_type' or 'vm_resources' or 'resource_pool' section.`);
    }
    if (vmType !== null && !cloud.vmTypes.has(vmType)) throw boshErr(140004, `Instance group '${name}' references an unknown vm type '${vmType}'`);
    const stemcell = stemcells.get(String(ig.stemcell ?? ''));
    if (!stemcell) throw boshErr(140005, `Instance group '${name}' references an unknown stemcell '${String(ig.stemcell ?? '')}'`);
    usedStemcells.add(`${stemcell.name}\u0000${stemcell.version}`);

    const nets = list(ig.networks);
    if (nets.length === 0) throw boshErr(140009, `Instance group '${name}' must specify at least one network`);
    for (const n of nets) {
      if (!cloud.networks.has(String(n.name))) throw boshErr(150001, `Instance group '${name}' references an unknown network '${String(n.name)}'`);
    }
    const azs = Array.isArray(ig.azs) ? ig.azs.map(String) : [];
    for (const az of azs) if (!cloud.azs.has(az)) throw boshErr(140018, `Instance group '${name}' references unknown availability zone '${az}'`);
    const count = ig.instances;
    if (typeof count !== 'number' || !Number.isInteger(count)) throw typeError('instances', count, 'Integer');
    for (const n of nets) {
      const net = cloud.networks.get(String(n.name))!;
      const subnetAzs = new Set(net.subnets.flatMap((s) => s.azs));
      if (azs.length === 0 && subnetAzs.size > 0) {
        throw boshErr(150006, `Instance group '${name}' must specify availability zone that matches availability zones of network '${net.name}'`);
      }
      const missing = azs.filter((az) => net.type !== 'vip' && net.subnets.length > 0 && subnetAzs.size > 0 && !subnetAzs.has(az));
      if (missing.length) {
        throw boshErr(150006, `Instance group '${name}' refers to an availability zone(s) '${JSON.stringify(missing)}' but '${net.name}' has no matching subnet(s).`);
      }
      if (Array.isArray(n.static_ips) && n.static_ips.length !== count) {
        throw boshErr(150002, `Instance group '${name}' has ${count} instances but was allocated ${n.static_ips.length} static IPs in network '${net.name}'`);
      }
    }

    // Spread over AZs: keep instances that still fit, then fill the emptiest AZ first.
    const olds = existing.filter((i) => i.group === name).sort((a, b) => a.index - b.index);
    const perAz = new Map<string | null, number>((azs.length ? azs : [null]).map((a) => [a, 0]));
    const chosen: (InstanceRecord | null)[] = [];
    for (let index = 0; index < count; index++) {
      const old = olds.find((o) => o.index === index && (azs.length === 0 || (o.az !== null && azs.includes(o.az))));
      chosen.push(old ?? null);
      if (old) perAz.set(old.az, (perAz.get(old.az) ?? 0) + 1);
    }
    for (let index = 0; index < count; index++) {
      const old = chosen[index];
      let az: string | null;
      if (old) az = old.az;
      else {
        az = [...perAz.entries()].sort((a, b) => a[1] - b[1])[0][0];
        perAz.set(az, (perAz.get(az) ?? 0) + 1);
      }
      const networks: { name: string; ip: string }[] = [];
      for (const n of nets) {
        const net = cloud.networks.get(String(n.name))!;
        const heldIps = taken.get(net.name) ?? new Set<number>();
        taken.set(net.name, heldIps);
        if (lifecycle === 'errand') continue;
        let ip: number | null = null;
        const staticIps = Array.isArray(n.static_ips) ? n.static_ips.map((x) => ipToInt(String(x))) : null;
        if (staticIps) ip = staticIps[index] ?? null;
        else {
          const prev = old?.networks.find((x) => x.name === net.name);
          const prevInt = prev ? ipToInt(prev.ip) : null;
          if (prevInt !== null && !heldIps.has(prevInt) && !heldElsewhere(net.name, prevInt)) ip = prevInt;
          else ip = allocate(net, az, (x) => heldIps.has(x) || heldElsewhere(net.name, x), input.random);
          if (ip === null) {
            throw boshErr(130011, `Failed to reserve IP for '${name}/${old?.id ?? 'new'} (${index})' for manual network '${net.name}': no more available`);
          }
        }
        if (ip !== null) {
          heldIps.add(ip);
          networks.push({ name: net.name, ip: intToIp(ip) });
        }
      }
      const isService = lifecycle === 'service';
      const id = old?.id ?? input.random.uuid();
      const inst: InstanceRecord = {
        id,
        group: name,
        index,
        az,
        lifecycle,
        networks,
        vm_type: vmType,
        stemcell: { name: stemcell.name, version: stemcell.version, api_version: stemcell.api_version },
        jobs: jobNames,
        bootstrap: index === 0,
        state: typeof ig.state === 'string' ? ig.state : 'started',
        job_state: old?.job_state ?? 'running',
        agent_id: isService ? (old?.agent_id ?? input.random.uuid()) : null,
        vm_cid: isService ? (old?.vm_cid ?? input.random.uuid()) : null,
        vm_created_at: old?.vm_created_at ?? null,
        disk_cid: ig.persistent_disk !== undefined || ig.persistent_disk_type !== undefined ? (old?.disk_cid ?? input.random.uuid()) : null,
        ignore: old?.ignore ?? false,
      };
      if (isService && !old?.vm_cid) created.push(id);
      keptIds.add(id);
      instances.push(inst);
    }
  }
  for (const p of providers) {
    const ig = list(groups).find((g) => g.name === p.instance_group);
    p.network = String(list(ig?.networks)[0]?.name ?? 'default');
  }
  return {
    releases: [...releases.values()].map((r) => ({ name: r.name, version: r.version })).sort((a, b) => (a.name + a.version).localeCompare(b.name + b.version)),
    stemcells: input.stemcells.filter((s) => usedStemcells.has(`${s.name}\u0000${s.version}`)).map((s) => ({ name: s.name, version: s.version })),
    instances,
    created,
    deleted: existing.filter((i) => !keptIds.has(i.id)),
    errands: [...errands.entries()].map(([n, g]) => ({ name: n, groups: [...g] })),
    link_providers: providers,
  };
}

function allocate(net: import('../model/cloud.js').Network, az: string | null, isHeld: (ip: number) => boolean, random: Random): number | null {
  if (net.type === 'vip') return null;
  if (net.type === 'dynamic') {
    // Dynamic networks get their address from the IaaS; make a stable-looking one.
    for (let tries = 0; tries < 1000; tries++) {
      const ip = ipToInt(`10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(2, 254)}`)!;
      if (!isHeld(ip)) return ip;
    }
    return null;
  }
  for (const s of net.subnets) {
    if (az !== null && s.azs.length > 0 && !s.azs.includes(az)) continue;
    for (let ip = s.first; ip <= s.last; ip++) {
      if (ip === s.gateway || s.reserved.has(ip) || s.static.has(ip) || isHeld(ip)) continue;
      return ip;
    }
  }
  return null;
}
