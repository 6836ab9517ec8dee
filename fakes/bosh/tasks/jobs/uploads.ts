import { BoshError, E } from '../../errors.js';
import { readRelease, readStemcell, sha1Hex, type ReleaseMeta, type StemcellMeta } from '../../tarballs/read.js';
import type { JobContext, JobSpec } from '../engine.js';
import { stage } from '../events.js';

/**
 * Upload payloads: `meta` (a body the route already read) or `{location, sha1}`, which the task
 * fetches itself through `kernel.fetch('bosh->blobstore', ...)` and checks.
 */
export interface UploadPayload {
  meta?: ReleaseMeta | StemcellMeta;
  error?: string;
  location?: string;
  sha1?: string;
}

async function fetchTarball(ctx: JobContext, kind: 'release' | 'stemcell'): Promise<Uint8Array> {
  const p = ctx.task.payload as UploadPayload;
  let res: Response;
  try {
    res = await ctx.kernel.fetch('bosh->blobstore', p.location!, { method: 'GET' }, { timeoutMs: 600_000 });
  } catch {
    throw new BoshError(500, 100, `Downloading remote ${kind} failed. Check task debug log for details.`);
  }
  if (res.status !== 200) throw new BoshError(500, 100, `Downloading remote ${kind} failed. Check task debug log for details.`);
  const buf = new Uint8Array(await res.arrayBuffer());
  if (p.sha1) {
    const actual = sha1Hex(buf);
    const wanted = p.sha1.replace(/^sha1:/, '');
    if (actual !== wanted) {
      const code = kind === 'release' ? 30015 : 50007;
      const label = kind === 'release' ? 'Release' : 'Stemcell';
      throw new BoshError(400, code, `${label} SHA1 '${actual}' does not match the expected SHA1 '${wanted}'`);
    }
  }
  return buf;
}

/** An upload's metadata: read by the route already, or fetched and read now; a bad archive is 30002 / 50000. */
async function uploaded<T>(ctx: JobContext, kind: 'release' | 'stemcell', read: (buf: Uint8Array) => Promise<T>): Promise<T | ReleaseMeta | StemcellMeta> {
  const invalid = (msg: string) => new BoshError(400, kind === 'release' ? 30002 : 50000, `Invalid ${kind} archive: ${msg}`);
  const p = ctx.task.payload as UploadPayload;
  if (p.error) throw invalid(p.error);
  if (p.meta) return p.meta;
  try {
    return await read(await fetchTarball(ctx, kind));
  } catch (err) {
    if (err instanceof BoshError) throw err;
    throw invalid((err as Error).message);
  }
}

export const uploadReleaseJob: JobSpec = {
  prepare: (ctx) => uploaded(ctx, 'release', readRelease),
  steps(_ctx, raw) {
    const m = raw as ReleaseMeta;
    return [
      ...stage('Extracting release', ['Extracting release']),
      ...stage('Verifying manifest', ['Verifying manifest']),
      ...stage('Resolving package dependencies', ['Resolving package dependencies']),
      ...(m.packages.length ? stage('Creating new packages', m.packages.map((x) => `${x.name}/${x.version}`)) : []),
      ...(m.jobs.length ? stage('Creating new jobs', m.jobs.map((x) => `${x.name}/${x.version}`)) : []),
      ...stage('Release has been created', [`${m.name}/${m.version}`]),
    ];
  },
  finish({ model, task }, raw) {
    const m = raw as ReleaseMeta;
    model.addReleaseVersion(m.name, {
      version: m.version,
      commit_hash: m.commit_hash,
      uncommitted_changes: m.uncommitted_changes,
      jobs: m.jobs.map((j) => model.makeJob({ ...j, blobstore_id: model.random.uuid() })),
      packages: m.packages.map((x) => ({ ...x, blobstore_id: model.random.uuid() })),
    });
    model.addEvent({ user: task.user, action: 'create', object_type: 'release', object_name: `${m.name}/${m.version}`, task: String(task.id), context: {} });
    return { result: `Created release '${m.name}/${m.version}'` };
  },
};

export const uploadStemcellJob: JobSpec = {
  prepare: (ctx) => uploaded(ctx, 'stemcell', readStemcell),
  steps(_ctx, raw) {
    const m = raw as StemcellMeta;
    return stage('Update stemcell', [
      'Extracting stemcell archive',
      'Verifying stemcell manifest',
      `Checking if this stemcell already exists`,
      `Uploading stemcell ${m.name}/${m.version} to the cloud`,
      `Save stemcell ${m.name}/${m.version}`,
    ]);
  },
  finish({ model, task }, raw) {
    const m = raw as StemcellMeta;
    model.addStemcell({ ...m, operating_system: m.operating_system || undefined });
    model.addEvent({ user: task.user, action: 'create', object_type: 'stemcell', object_name: `${m.name}/${m.version}`, task: String(task.id), context: {} });
    return { result: `/stemcells/${m.name}/${m.version}` };
  },
};

export const deleteReleaseJob: JobSpec = {
  prepare({ model, task }) {
    const { name, version } = task.payload as { name: string; version?: string };
    const rel = model.release(name);
    if (!rel) throw E.releaseNotFound(name);
    if (version !== undefined && !rel.versions.some((v) => v.version === version)) throw E.releaseVersionNotFound(name, version);
    // `force` only lets blob deletion errors pass; a release (version) still deployed is never deleted.
    const users = model.releaseInUse(name, version);
    if (users.length) {
      if (version !== undefined) throw new BoshError(400, 30008, `ReleaseVersion '${name}/${version}' is still in use by: ${users.join(', ')}`);
      throw new BoshError(400, 30007, `Release '${name}' is still in use by: ${users.join(', ')}`);
    }
    return { name, version: version ?? null };
  },
  steps: () => [...stage('Deleting packages', ['Deleting packages']), ...stage('Deleting jobs', ['Deleting jobs'])],
  finish({ model, task }, raw) {
    const { name, version } = raw as { name: string; version: string | null };
    const rel = model.release(name);
    if (rel) {
      rel.versions = version === null ? [] : rel.versions.filter((v) => v.version !== version);
      if (rel.versions.length === 0) model.state.releases = model.state.releases.filter((r) => r !== rel);
    }
    model.addEvent({ user: task.user, action: 'delete', object_type: 'release', object_name: version ? `${name}/${version}` : name, task: String(task.id), context: {} });
    return { result: `/release/${name}` };
  },
};

export const deleteStemcellJob: JobSpec = {
  prepare({ model, task }) {
    const { name, version, force } = task.payload as { name: string; version: string; force?: boolean };
    if (!model.state.stemcells.some((s) => s.name === name && s.version === version)) throw E.stemcellNotFound(name, version);
    if (model.stemcellUsers(name, version).length && !force) throw new BoshError(400, 50004, `Stemcell '${name}/${version}' is still in use by: ${model.stemcellUsers(name, version).join(', ')}`);
    return { name, version };
  },
  steps: (_c, raw) => {
    const { name, version } = raw as { name: string; version: string };
    return stage('Deleting stemcell from cloud', [`Deleting stemcell ${name}/${version}`]);
  },
  finish({ model, task }, raw) {
    const { name, version } = raw as { name: string; version: string };
    model.state.stemcells = model.state.stemcells.filter((s) => !(s.name === name && s.version === version));
    model.addEvent({ user: task.user, action: 'delete', object_type: 'stemcell', object_name: `${name}/${version}`, task: String(task.id), context: {} });
    return { result: `/stemcells/${name}/${version}` };
  },
};
