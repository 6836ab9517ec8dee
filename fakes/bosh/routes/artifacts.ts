import { parse as parseYaml } from 'yaml';
import { consumes, jsonBody, principal, startTask, truthy, type BoshApp, type BoshContext, type Director } from '../director.js';
import { BoshError, E, text } from '../errors.js';
import { compareVersions } from '../manifest/versions.js';
import { readRelease, readStemcell } from '../tarballs/read.js';

/** The tarball of an upload: a raw `application/x-compressed` body or the first file of a multipart form. */
async function tarballBody(c: BoshContext): Promise<Uint8Array> {
  const ct = (c.req.header('content-type') ?? '').toLowerCase();
  if (ct.startsWith('multipart/form-data')) {
    const form = await c.req.parseBody();
    for (const v of Object.values(form)) if (v instanceof File) return new Uint8Array(await v.arrayBuffer());
    return new Uint8Array();
  }
  return new Uint8Array(await c.req.arrayBuffer());
}

async function uploadPayload(c: BoshContext, read: (b: Uint8Array) => Promise<unknown>): Promise<Record<string, unknown>> {
  const ct = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (ct === 'application/json') {
    const body = await jsonBody(c);
    if (typeof body.location !== 'string') throw new BoshError(400, 40001, "Property 'location' value (nil) did not match the required type 'String'");
    return { location: body.location, ...(typeof body.sha1 === 'string' ? { sha1: body.sha1 } : {}) };
  }
  try {
    return { meta: await read(await tarballBody(c)) };
  } catch (err) {
    return { error: (err as Error).message || 'cannot read archive' };
  }
}

export function artifactRoutes(app: BoshApp, d: Director): void {
  app.get('/releases', (c) => {
    d.auth.requireDirector(principal(c), 'read_releases');
    return c.json(
      d.model.state.releases.map((r) => ({
        name: r.name,
        release_versions: [...r.versions]
          .sort((a, b) => compareVersions(a.version, b.version))
          .map((v) => ({
            version: v.version,
            commit_hash: v.commit_hash,
            uncommitted_changes: v.uncommitted_changes,
            currently_deployed: d.model.releaseInUse(r.name, v.version).length > 0,
            job_names: v.jobs.map((j) => j.name),
          })),
      })),
    );
  });

  app.get('/releases/:name', (c) => {
    d.auth.requireDirector(principal(c), 'read_releases');
    const name = c.req.param('name');
    const rel = d.model.release(name);
    if (!rel) throw E.releaseNotFound(name);
    const version = c.req.query('version');
    if (version === undefined) {
      // Every package and job any version of the release has, once each, and the version list.
      const uniq = <T extends { name: string; version: string }>(xs: T[]) => [...new Map(xs.map((x) => [`${x.name}/${x.version}`, x])).values()];
      return c.json({
        packages: uniq(rel.versions.flatMap((v) => v.packages)).map((p) => ({ name: p.name, sha1: p.sha1, version: p.version, dependencies: p.dependencies })),
        jobs: uniq(rel.versions.flatMap((v) => v.jobs)).map((j) => ({ name: j.name, sha1: j.sha1, version: j.version, packages: j.packages })),
        versions: rel.versions.map((v) => v.version),
      });
    }
    const rv = rel.versions.find((v) => v.version === version);
    if (!rv) throw E.releaseVersionNotFound(name, version);
    const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return c.json({
      jobs: byName(rv.jobs).map((j) => ({ name: j.name, blobstore_id: j.blobstore_id, sha1: j.sha1, fingerprint: j.fingerprint, consumes: j.consumes, provides: j.provides })),
      packages: byName(rv.packages).map((p) => ({ name: p.name, blobstore_id: p.blobstore_id, sha1: p.sha1, fingerprint: p.fingerprint, compiled_packages: [] })),
    });
  });

  app.post('/releases', async (c) => {
    const miss = consumes(c, 'application/json', 'application/x-compressed', 'multipart/form-data');
    if (miss) return miss;
    d.auth.requireDirector(principal(c), 'upload_releases');
    const payload = await uploadPayload(c, readRelease);
    if (payload.sha1 !== undefined && c.req.query('sha1') !== undefined) return text('Sha1 provided in multiple places', 400);
    if (payload.location !== undefined && payload.sha1 === undefined && c.req.query('sha1')) payload.sha1 = c.req.query('sha1');
    return startTask(d, c, { type: 'update_release', description: 'create release', deployment: null, payload });
  });

  // bosh-cli asks which packages the director already has before uploading a release (and leaves
  // those out of the tarball): the fingerprints of the manifest's packages the director knows.
  for (const path of ['/packages/matches', '/packages/matches_compiled']) {
    app.post(path, async (c) => {
      const miss = consumes(c, 'text/yaml');
      if (miss) return miss;
      d.auth.requireDirector(principal(c), 'upload_releases');
      let doc: unknown;
      try {
        doc = parseYaml(await c.req.text());
      } catch {
        doc = null;
      }
      const pkgs = doc && typeof doc === 'object' ? (doc as { packages?: unknown }).packages : undefined;
      if (!Array.isArray(pkgs)) throw new BoshError(400, 440001, "Manifest doesn't have a usable packages section");
      const known = new Set(d.model.state.releases.flatMap((r) => r.versions.flatMap((v) => v.packages.map((p) => p.fingerprint))));
      const wanted = pkgs.map((p) => String((p as { fingerprint?: unknown })?.fingerprint ?? ''));
      return c.json(wanted.filter((fp) => fp && known.has(fp)));
    });
  }

  app.delete('/releases/:name', (c) => {
    d.auth.requireDirector(principal(c), 'admin');
    const name = c.req.param('name');
    if (!d.model.release(name)) throw E.releaseNotFound(name);
    const version = c.req.query('version');
    return startTask(d, c, {
      type: 'delete_release',
      description: `delete release: ${name}`,
      deployment: null,
      payload: { name, ...(version ? { version } : {}), force: truthy(c.req.query('force')) },
    });
  });

  app.get('/stemcells', (c) => {
    d.auth.requireDirector(principal(c), 'read_stemcells');
    return c.json(
      d.model.state.stemcells.map((s) => ({
        name: s.name,
        operating_system: s.operating_system,
        version: s.version,
        cid: s.cid,
        cpi: s.cpi,
        deployments: d.model.stemcellUsers(s.name, s.version).map((name) => ({ name })),
        api_version: s.api_version,
        id: s.id,
      })),
    );
  });

  app.post('/stemcells', async (c) => {
    const miss = consumes(c, 'application/json', 'application/x-compressed', 'multipart/form-data');
    if (miss) return miss;
    d.auth.requireDirector(principal(c), 'upload_stemcells');
    const payload = await uploadPayload(c, readStemcell);
    return startTask(d, c, { type: 'update_stemcell', description: 'create stemcell', deployment: null, payload });
  });

  app.post('/stemcell_uploads', async (c) => {
    const miss = consumes(c, 'application/json');
    if (miss) return miss;
    d.auth.requireDirector(principal(c), 'upload_stemcells');
    const body = await jsonBody(c);
    const s = (body.stemcell ?? {}) as { name?: unknown; version?: unknown };
    const have = d.model.state.stemcells.some((x) => x.name === s.name && x.version === String(s.version));
    return c.json({ needed: !have });
  });

  app.delete('/stemcells/:name/:version', (c) => {
    d.auth.requireDirector(principal(c), 'admin');
    const { name, version } = c.req.param();
    if (!d.model.state.stemcells.some((s) => s.name === name && s.version === version)) throw E.stemcellNotFound(name, version);
    return startTask(d, c, { type: 'delete_stemcell', description: `delete stemcell: ${name}/${version}`, deployment: null, payload: { name, version, force: truthy(c.req.query('force')) } });
  });
}
