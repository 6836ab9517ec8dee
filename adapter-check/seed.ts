/**
 * What the director has uploaded, as ODB's operator would have it: the releases of
 * `service_deployment` (only the jobs it lists, with the links the manifests wire on them) at every
 * version the run has used, and its stemcells.
 * @module
 */
import { parse as parseYaml } from 'yaml';
import { isObj, type Obj, type RunContext } from './context.js';
import { jobSpecsFromManifest, type ReleaseSpec } from './director.js';

/**
 * Seeds the director for a manifest about to be deployed. A job the manifest uses but
 * service_deployment does not list is left out: the director then refuses it, as it would refuse a
 * job missing from the uploaded release.
 */
export function seedDirector(ctx: RunContext, config: Obj, manifestText: string): void {
  const manifest = (parseYaml(manifestText) ?? {}) as Obj;
  const sd = isObj(config.service_deployment) ? config.service_deployment : {};
  const releases = (Array.isArray(sd.releases) ? sd.releases : []) as { name: string; version: string; jobs: string[] }[];
  const specs = jobSpecsFromManifest(manifest);
  for (const r of releases) {
    const jobs = ctx.releaseJobs.get(r.name) ?? new Map<string, ReleaseSpec['jobs'][number]>();
    for (const name of (Array.isArray(r.jobs) ? r.jobs : []).map(String)) {
      const seen = jobs.get(name);
      const spec = specs.get(name);
      // Keep the richest spec seen: a later manifest may not wire every link an earlier one did.
      if (!seen || (spec && (spec.provides?.length || spec.consumes?.length || spec.errand))) jobs.set(name, spec ?? seen ?? { name });
    }
    ctx.releaseJobs.set(r.name, jobs);
    const versions = ctx.seeded.get(r.name) ?? new Set<string>();
    versions.add(String(r.version));
    ctx.seeded.set(r.name, versions);
    for (const v of versions) ctx.director.seedReleases([{ name: r.name, version: v, jobs: [...jobs.values()] }], []);
  }
  const stemcells = (Array.isArray(sd.stemcells) ? sd.stemcells : []) as { os: string; version: string }[];
  ctx.director.seedReleases([], stemcells.map((s) => ({ os: String(s.os), version: String(s.version) })));
}
