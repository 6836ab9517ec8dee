/**
 * The ODB config adapter-check uses when it is given none: a service deployment and two plans of
 * its own, filled in with what the adapter asks for (the instance groups and jobs its refusals
 * name) and what its manifest uses (releases, jobs, stemcells). See docs/adapter-check.md.
 * @module
 */
import { isObj, type Obj } from './context.js';

const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** The release and stemcell the default `service_deployment` starts from. */
export const DEFAULT_RELEASE = { name: 'service', version: '1.0.0' } as const;
export const DEFAULT_STEMCELL = { os: 'ubuntu-jammy', version: '1.423' } as const;
/**
 * The release must list a job (the SDK refuses a release without one) before the adapter has said
 * which it wants; dropped once its manifest names the jobs it uses.
 */
export const PLACEHOLDER_JOB = 'service';
export const DEFAULT_SERVICE_ID = '0ad0c4ec-0000-4000-8000-00000000000a';

/**
 * The two default plans, one per line of the table in docs/adapter-check.md. Both give every
 * instance group one instance (adapters often insist on a count per group, and one is what they
 * all accept), so a plan change in either direction is a change of resources only.
 */
export const DEFAULT_PLANS = [
  { name: 'small', plan_id: '0ad0c4ec-0000-4000-8000-0000000000a1', vm_type: 'small', azs: ['z1'] },
  { name: 'large', plan_id: '0ad0c4ec-0000-4000-8000-0000000000a2', vm_type: 'large', azs: ['z1', 'z2', 'z3'], persistent_disk_type: '10GB', update: { canaries: 1, max_in_flight: 1, canary_watch_time: '30000-240000', update_watch_time: '30000-240000', serial: true } },
] as const;

/** What adapter-check has learnt about the adapter so far. */
export interface Learnt {
  /** Plan instance groups the adapter asked for, in the order it named them. */
  instanceGroups: string[];
  /** Release name → version and the jobs it lists. */
  releases: Map<string, { version: string; jobs: string[] }>;
  stemcells: { os: string; version: string }[];
}

export function initialLearnt(): Learnt {
  return {
    instanceGroups: [],
    releases: new Map([[DEFAULT_RELEASE.name, { version: DEFAULT_RELEASE.version, jobs: [PLACEHOLDER_JOB] }]]),
    stemcells: [{ ...DEFAULT_STEMCELL }],
  };
}

/** The ODB config (the parts adapter-check reads) for what has been learnt. */
export function defaultConfig(l: Learnt): Obj {
  return {
    service_deployment: {
      releases: [...l.releases].map(([name, r]) => ({ name, version: r.version, jobs: [...r.jobs] })),
      stemcells: l.stemcells.map((s) => ({ ...s })),
    },
    service_catalog: {
      id: DEFAULT_SERVICE_ID,
      service_name: 'adapter-check-default',
      bindable: true,
      plan_updatable: true,
      plans: DEFAULT_PLANS.map((p) => ({
        name: p.name,
        plan_id: p.plan_id,
        instance_groups: l.instanceGroups.map((name) => ({
          name,
          vm_type: p.vm_type,
          ...('persistent_disk_type' in p ? { persistent_disk_type: p.persistent_disk_type } : {}),
          instances: 1,
          networks: ['default'],
          azs: [...p.azs],
        })),
        ...('update' in p ? { update: { ...p.update } } : {}),
      })),
    },
  };
}

/**
 * Instance groups and jobs an adapter's refusal asks for, in the wording of the SDK and of the
 * adapters built on its examples: "Invalid instance group configuration: expected to find: 'a, b'
 * in list: '...'" (the SDK example adapters) and "job 'x' not provided" (the SDK's
 * GenerateInstanceGroupsWithNoProperties).
 */
export function askedFor(text: string): { instanceGroups: string[]; jobs: string[] } {
  const instanceGroups = [...text.matchAll(/expected to find:? '([^']*)' in list/g)].flatMap((m) => m[1].split(/,\s*/)).filter(Boolean);
  const jobs = [...text.matchAll(/job '([^']+)' (?:not provided|is not in any release)/g)].map((m) => m[1]);
  return { instanceGroups: [...new Set(instanceGroups)], jobs: [...new Set(jobs)] };
}

/**
 * Learns from a refusal; true when it asked for something new. A new instance group's name is
 * listed as a job of the default release too: adapters usually name a group after its main job,
 * and this saves a round trip when they do.
 */
export function learnFromRefusal(l: Learnt, text: string): boolean {
  const asked = askedFor(text);
  const release = l.releases.get(DEFAULT_RELEASE.name)!;
  const known = new Set([...l.releases.values()].flatMap((r) => r.jobs));
  let news = false;
  for (const g of asked.instanceGroups) {
    if (l.instanceGroups.includes(g)) continue;
    l.instanceGroups.push(g);
    if (!known.has(g)) release.jobs.push(g);
    news = true;
  }
  for (const j of asked.jobs) {
    if (known.has(j)) continue;
    release.jobs.push(j);
    known.add(j);
    news = true;
  }
  return news;
}

/**
 * Makes the service deployment match the manifest the adapter generated: each release lists the
 * jobs the manifest takes from it (a release the adapter names by itself is added at the version
 * it names), and a stemcell it names by OS and version is added. So the director is seeded with
 * what the adapter uses, and judges the rest (VM types, networks, AZs, links, errands).
 */
export function learnFromManifest(l: Learnt, manifest: Obj): void {
  const named = new Map<string, string>();
  for (const r of arr(manifest.releases).filter(isObj)) if (typeof r.name === 'string') named.set(r.name, String(r.version ?? ''));
  const used = new Map<string, Set<string>>();
  for (const ig of arr(manifest.instance_groups).filter(isObj)) {
    for (const job of arr(ig.jobs).filter(isObj)) {
      if (typeof job.name !== 'string' || typeof job.release !== 'string') continue;
      const set = used.get(job.release) ?? new Set<string>();
      set.add(job.name);
      used.set(job.release, set);
    }
  }
  for (const [name, jobs] of used) {
    const r = l.releases.get(name);
    if (r) r.jobs = [...jobs];
    else l.releases.set(name, { version: named.get(name) || DEFAULT_RELEASE.version, jobs: [...jobs] });
  }
  // The default release is dropped when the manifest takes nothing from it (an adapter that names
  // its own releases): ODB would hand the adapter only the operator's releases.
  if (!used.has(DEFAULT_RELEASE.name) && used.size) l.releases.delete(DEFAULT_RELEASE.name);
  for (const s of arr(manifest.stemcells).filter(isObj)) {
    const os = typeof s.os === 'string' ? s.os : undefined;
    const version = s.version === undefined ? undefined : String(s.version);
    if (os && version && !version.endsWith('latest') && !l.stemcells.some((x) => x.os === os && x.version === version)) l.stemcells.push({ os, version });
  }
}
