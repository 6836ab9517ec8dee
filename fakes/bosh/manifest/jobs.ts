import { isJsonObject, type JsonObject } from '../../core/json.js';
import { boshErr, generic } from '../errors.js';
import type { LinkProviderRecord, ReleaseJob } from '../state.js';
import { expectArray, hashes } from './checks.js';
import type { ResolvedRelease } from './releases.js';

/** A link provider a job offers, before it has an id and a network. */
export type ProviderIntent = Omit<LinkProviderRecord, 'id' | 'network'>;

export interface ResolvedJob {
  name: string;
  spec: ReleaseJob;
  providers: ProviderIntent[];
}

/**
 * An instance group's jobs against its releases: each job's release (its own, the group's, or the
 * only one), its spec from that release version, and the link providers it offers.
 */
export function resolveJobs(ig: JsonObject, group: string, releases: Map<string, ResolvedRelease>): ResolvedJob[] {
  const igRelease = typeof ig.release === 'string' ? ig.release : undefined;
  const out: ResolvedJob[] = [];
  for (const job of hashes(ig.jobs ?? ig.templates)) {
    const jobName = String(job.name ?? '');
    if (typeof job.release === 'string' && !releases.has(job.release)) {
      throw boshErr(140002, `Job '${jobName}' (instance group '${group}') references an unknown release '${job.release}'`);
    }
    const relName = typeof job.release === 'string' ? job.release : (igRelease ?? (releases.size === 1 ? [...releases.keys()][0] : undefined));
    if (!relName) throw boshErr(140001, `Cannot tell what release template '${jobName}' (instance group '${group}') is supposed to use, please explicitly specify one`);
    const rel = releases.get(relName)!;
    const spec = rel.rv.jobs.find((j) => j.name === jobName);
    if (!spec) throw generic(`Job '${jobName}' not found in Template table`);
    out.push({ name: jobName, spec, providers: providersOf(job, spec, group, rel.name) });
  }
  return out;
}

/**
 * The director's link providers parser: the manifest's `custom_provider_definitions` first, then
 * the release spec's `provides`; each is unshared unless the manifest's `provides` says otherwise.
 */
function providersOf(job: JsonObject, spec: ReleaseJob, group: string, release: string): ProviderIntent[] {
  const custom = job.custom_provider_definitions;
  expectArray('custom_provider_definitions', custom);
  const customs = (Array.isArray(custom) ? custom : []).map((x) => (isJsonObject(x) ? x : {}));
  const where = `in job '${spec.name}' in instance group '${group}'`;
  const errors: string[] = [];
  for (const c of customs) {
    if (typeof c.name !== 'string' || c.name === '') errors.push(`Name for custom link provider definition in manifest ${where} must be a valid non-empty string.`);
    if (typeof c.type !== 'string' || c.type === '') errors.push(`Type for custom link provider definition in manifest ${where} must be a valid non-empty string.`);
    if (spec.provides.some((p) => p.name === c.name)) errors.push(`Custom provider '${String(c.name)}' ${where} is already defined in release '${release}'`);
  }
  const counts = new Map<unknown, number>();
  for (const c of customs) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  for (const [name, n] of counts) if (n > 1) errors.push(`Custom provider '${String(name)}' ${where} is defined multiple times in manifest.`);
  if (errors.length) throw generic(errors.join('\n'));
  const wanted = isJsonObject(job.provides) ? job.provides : {};
  const definitions = [...customs.map((c) => ({ name: String(c.name), type: String(c.type) })), ...spec.provides];
  return definitions.map((p) => {
    const m = wanted[p.name];
    return {
      name: isJsonObject(m) && typeof m.as === 'string' ? m.as : p.name,
      original_name: p.name,
      type: p.type,
      // `double_negate_value`: only a literal true shares.
      shared: isJsonObject(m) ? m.shared === true : false,
      job: spec.name,
      instance_group: group,
    };
  });
}
