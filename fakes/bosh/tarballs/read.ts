import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { parse as parseYaml } from 'yaml';
import { isJsonObject as isObj, type JsonObject as Obj } from '../../core/json.js';

/** Reads the small metadata files of a .tgz (manifests, job archives); blobs are skipped unread. */
export async function readTgz(buf: Uint8Array, wanted: (name: string) => boolean, maxBytes = 8 * 1024 * 1024): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const extract = tar.extract();
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const name = header.name.replace(/^\.\//, '');
      if (header.type === 'file' && wanted(name) && (header.size ?? 0) <= maxBytes) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => {
          chunks.push(c as Buffer);
        });
        stream.on('end', () => {
          out.set(name, Buffer.concat(chunks));
          next();
        });
        stream.on('error', reject);
      } else {
        stream.on('end', () => next());
        stream.resume();
      }
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    const gunzip = createGunzip();
    gunzip.on('error', reject);
    Readable.from([Buffer.from(buf)]).pipe(gunzip).pipe(extract);
  });
  return out;
}

export const sha1Hex = (buf: Uint8Array) => createHash('sha1').update(buf).digest('hex');


export interface ReleaseMeta {
  name: string;
  version: string;
  commit_hash: string;
  uncommitted_changes: boolean;
  jobs: {
    name: string;
    version: string;
    fingerprint: string;
    sha1: string;
    properties: Obj;
    provides: { name: string; type: string }[];
    consumes: { name: string; type: string; optional?: boolean }[];
    packages: string[];
    errand: boolean;
  }[];
  packages: { name: string; version: string; fingerprint: string; sha1: string; dependencies: string[] }[];
}

export interface StemcellMeta {
  name: string;
  version: string;
  operating_system: string;
  api_version: number | null;
  sha1: string;
}

/** `release.MF` plus each `jobs/<name>.tgz`'s `job.MF`. Throws a plain Error with the reason. */
export async function readRelease(buf: Uint8Array): Promise<ReleaseMeta> {
  const files = await readTgz(buf, (n) => n === 'release.MF' || /^jobs\/[^/]+\.tgz$/.test(n));
  const mfText = files.get('release.MF');
  if (!mfText) throw new Error('Release manifest not found');
  const mf = parseYaml(mfText.toString('utf8')) as Obj;
  if (!isObj(mf) || typeof mf.name !== 'string' || mf.version === undefined) throw new Error('Release manifest is invalid');
  const jobs: ReleaseMeta['jobs'] = [];
  for (const j of Array.isArray(mf.jobs) ? (mf.jobs as Obj[]) : []) {
    const name = String(j.name);
    let spec: Obj = {};
    const archive = files.get(`jobs/${name}.tgz`);
    if (archive) {
      const inner = await readTgz(archive, (n) => n === 'job.MF');
      const jobMf = inner.get('job.MF');
      if (jobMf) spec = (parseYaml(jobMf.toString('utf8')) as Obj) ?? {};
    }
    const templates = isObj(spec.templates) ? Object.values(spec.templates).map(String) : [];
    const links = (x: unknown) =>
      (Array.isArray(x) ? (x as Obj[]) : []).filter(isObj).map((l) => ({ name: String(l.name), type: String(l.type ?? l.name), ...(l.optional ? { optional: true } : {}) }));
    jobs.push({
      name,
      version: String(j.version ?? ''),
      fingerprint: String(j.fingerprint ?? j.version ?? ''),
      sha1: String(j.sha1 ?? ''),
      properties: isObj(spec.properties) ? spec.properties : {},
      provides: links(spec.provides),
      consumes: links(spec.consumes),
      packages: Array.isArray(spec.packages) ? spec.packages.map(String) : [],
      errand: templates.includes('bin/run'),
    });
  }
  const pkgs = [...(Array.isArray(mf.packages) ? mf.packages : []), ...(Array.isArray(mf.compiled_packages) ? mf.compiled_packages : [])] as Obj[];
  return {
    name: mf.name,
    version: String(mf.version),
    commit_hash: String(mf.commit_hash ?? ''),
    uncommitted_changes: mf.uncommitted_changes === true,
    jobs,
    packages: pkgs.filter(isObj).map((p) => ({
      name: String(p.name),
      version: String(p.version ?? ''),
      fingerprint: String(p.fingerprint ?? p.version ?? ''),
      sha1: String(p.sha1 ?? ''),
      dependencies: Array.isArray(p.dependencies) ? p.dependencies.map(String) : [],
    })),
  };
}

export async function readStemcell(buf: Uint8Array): Promise<StemcellMeta> {
  const files = await readTgz(buf, (n) => n === 'stemcell.MF');
  const text = files.get('stemcell.MF');
  if (!text) throw new Error('Stemcell manifest not found');
  const mf = parseYaml(text.toString('utf8')) as Obj;
  if (!isObj(mf) || typeof mf.name !== 'string' || mf.version === undefined) throw new Error('Stemcell manifest is invalid');
  return {
    name: mf.name,
    version: String(mf.version),
    operating_system: String(mf.operating_system ?? ''),
    api_version: typeof mf.api_version === 'number' ? mf.api_version : null,
    sha1: String(mf.sha1 ?? ''),
  };
}
