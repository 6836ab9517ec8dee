import { isJsonObject } from '../../core/json.js';
import type { Random } from '../../core/random.js';
import type { CloudModel } from '../model/cloud.js';
import type { IpBook } from '../model/ip-book.js';
import type { DeploymentRecord, InstanceRecord, LinkProviderRecord, ReleaseRecord, StemcellRecord } from '../state.js';
import { allocateIps } from './ips.js';
import type { Manifest } from './parse.js';
import { placeInstances } from './place.js';
import { resolveReleases, resolveStemcells } from './releases.js';
import { validateGroups, type GroupPlan } from './validate.js';

export interface PlanInput {
  manifest: Manifest & { name: string };
  releases: ReleaseRecord[];
  stemcells: StemcellRecord[];
  cloud: CloudModel;
  existing: DeploymentRecord | undefined;
  /** Every deployment's IP reservations; the plan reserves what it allocates. */
  ips: IpBook;
  /** The task planning (its reservations go back unless it commits). */
  taskId: number | null;
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
  instance_groups: { name: string; lifecycle: 'service' | 'errand'; jobs: string[] }[];
  link_providers: LinkProviderRecord[];
  use_short_dns_addresses: boolean;
  /** The networks the deployment's instance groups use, in the order local DNS numbers them. */
  networks: string[];
}

/**
 * Turns a manifest plus the cloud config into instances, as the director's planner does: checks
 * every reference (the task fails with the director's code on the first bad one), then places
 * instances over AZs (keeping existing ids) and reserves their IPs.
 */
export function planDeployment(input: PlanInput): DeployPlan {
  const { manifest } = input;
  const releases = resolveReleases(manifest, input.releases);
  const stemcells = resolveStemcells(manifest, input.stemcells);
  const groups = validateGroups(manifest, { releases, stemcells, cloud: input.cloud });
  const link_providers = linkProviders(groups, input);
  const existing = input.existing?.instances ?? [];
  const instances: InstanceRecord[] = [];
  const created: string[] = [];
  for (const g of groups) {
    for (const slot of placeInstances(g, existing)) {
      const inst = instanceFor(g, slot.index, slot.az, slot.old, input);
      inst.networks = allocateIps(g, slot, inst.id, { deployment: manifest.name, book: input.ips, taskId: input.taskId, random: input.random });
      if (inst.lifecycle === 'service' && !slot.old?.vm_cid) created.push(inst.id);
      instances.push(inst);
    }
  }
  const usedStemcells = new Set(groups.map((g) => `${g.stemcell.name}\u0000${g.stemcell.version}`));
  const kept = new Set(instances.map((i) => i.id));
  const features = manifest.features;
  return {
    releases: [...releases.values()].map((r) => ({ name: r.name, version: r.version })).sort((a, b) => (a.name + a.version).localeCompare(b.name + b.version)),
    stemcells: input.stemcells.filter((s) => usedStemcells.has(`${s.name}\u0000${s.version}`)).map((s) => ({ name: s.name, version: s.version })),
    instances,
    created,
    deleted: existing.filter((i) => !kept.has(i.id)),
    errands: errandList(groups),
    instance_groups: groups.map((g) => ({ name: g.name, lifecycle: g.lifecycle, jobs: g.jobs.map((j) => j.name) })),
    link_providers,
    use_short_dns_addresses: isJsonObject(features) && features.use_short_dns_addresses === true,
    networks: [...new Set(groups.flatMap((g) => g.networks.map((n) => n.net.name)))],
  };
}

function instanceFor(g: GroupPlan, index: number, az: string | null, old: InstanceRecord | undefined, input: PlanInput): InstanceRecord {
  const isService = g.lifecycle === 'service';
  const id = old?.id ?? input.random.uuid();
  return {
    id,
    group: g.name,
    index,
    az,
    lifecycle: g.lifecycle,
    networks: [],
    vm_type: g.vmType,
    stemcell: { name: g.stemcell.name, version: g.stemcell.version, api_version: g.stemcell.api_version },
    jobs: g.jobs.map((j) => j.name),
    bootstrap: index === 0,
    state: g.state,
    job_state: old?.job_state ?? 'running',
    agent_id: isService ? (old?.agent_id ?? input.random.uuid()) : null,
    vm_cid: isService ? (old?.vm_cid ?? input.random.uuid()) : null,
    vm_created_at: old?.vm_created_at ?? null,
    disk_cid: g.hasDisk ? (old?.disk_cid ?? input.random.uuid()) : null,
    ignore: old?.ignore ?? false,
  };
}

/** Every job's providers with the id it had before (or a new one), on its group's first network (a group has one at least). */
function linkProviders(groups: GroupPlan[], input: PlanInput): LinkProviderRecord[] {
  const before = input.existing?.link_providers ?? [];
  return groups.flatMap((g) =>
    g.jobs.flatMap((j) =>
      j.providers.map((p) => {
        const prev = before.find((x) => x.instance_group === p.instance_group && x.job === p.job && x.original_name === p.original_name);
        return { id: prev?.id ?? input.nextProviderId(), ...p, network: g.networks[0].net.name };
      }),
    ),
  );
}

/** `GET /deployments/:d/errands`: the errand instance groups, then every job with `bin/run` in any group. */
function errandList(groups: GroupPlan[]): { name: string; groups: string[] }[] {
  const out = new Map<string, string[]>();
  for (const g of groups) if (g.lifecycle === 'errand') out.set(g.name, [g.name]);
  for (const g of groups) {
    for (const j of g.jobs) {
      if (!j.spec.errand) continue;
      const holders = out.get(j.name) ?? [];
      if (!holders.includes(g.name)) holders.push(g.name);
      out.set(j.name, holders);
    }
  }
  return [...out.entries()].map(([name, holders]) => ({ name, groups: holders }));
}
