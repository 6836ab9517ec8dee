import { E, boshErr } from '../errors.js';
import type { ReleaseRecord, ReleaseVersion, StemcellRecord } from '../state.js';
import { expectHashes, hashes } from './checks.js';
import type { Manifest } from './parse.js';
import { latest } from './versions.js';

export type ResolvedRelease = { name: string; version: string; rv: ReleaseVersion };

/** The manifest's `releases:` against the uploaded ones (`latest` is the highest version). */
export function resolveReleases(manifest: Manifest, uploaded: ReleaseRecord[]): Map<string, ResolvedRelease> {
  const out = new Map<string, ResolvedRelease>();
  expectHashes('releases', manifest.releases);
  expectHashes('stemcells', manifest.stemcells);
  for (const r of hashes(manifest.releases)) {
    const name = String(r.name ?? '');
    if (out.has(name)) throw boshErr(190002, `Duplicate release name '${name}'`);
    const rel = uploaded.find((x) => x.name === name);
    if (!rel) throw E.releaseNotFound(name);
    const wanted = String(r.version ?? 'latest');
    const rv = wanted === 'latest' ? latest(rel.versions, (v) => v.version) : rel.versions.find((v) => v.version === wanted);
    if (!rv) throw E.releaseVersionNotFound(name, wanted);
    out.set(name, { name, version: rv.version, rv });
  }
  return out;
}

/** The manifest's `stemcells:` by alias, matched by `os` or `name`. */
export function resolveStemcells(manifest: Manifest, uploaded: StemcellRecord[]): Map<string, StemcellRecord> {
  const out = new Map<string, StemcellRecord>();
  for (const s of hashes(manifest.stemcells)) {
    const alias = String(s.alias ?? '');
    const wanted = String(s.version ?? 'latest');
    const pool = typeof s.os === 'string' ? uploaded.filter((x) => x.operating_system === s.os) : uploaded.filter((x) => x.name === s.name);
    const found = wanted === 'latest' ? latest(pool, (x) => x.version) : pool.find((x) => x.version === wanted);
    if (!found) {
      if (typeof s.os === 'string') throw boshErr(50003, `Stemcell version '${wanted}' for OS '${s.os}' doesn't exist`, 404);
      throw E.stemcellNotFound(String(s.name ?? ''), wanted);
    }
    out.set(alias, found);
  }
  return out;
}
