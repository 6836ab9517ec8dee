import { consumes, deploymentFor, principal, startTask, truthy, type BoshApp, type BoshContext, type Director } from '../director.js';
import { BoshError, E } from '../errors.js';
import { manifestDiff } from '../manifest/diff.js';
import { parseManifestSync, validateManifestYml } from '../manifest/parse.js';
import type { DeploymentRecord } from '../state.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function deploymentJson(d: Director, dep: DeploymentRecord, q: Record<string, string>): Record<string, unknown> {
  const o: Record<string, unknown> = { name: dep.name, teams: dep.teams };
  if (q.exclude_configs !== 'true') o.cloud_config = d.model.cloudConfigStatus(dep);
  if (q.exclude_stemcells !== 'true') o.stemcells = dep.stemcells;
  if (q.exclude_releases !== 'true') o.releases = dep.releases;
  if (q.exclude_lock !== 'true') o.locked = !!d.model.lockFor(dep.name);
  return o;
}

function contextFromQuery(d: Director, raw: string | undefined): void {
  if (!raw) return;
  let ctx: { cloud_config_ids?: unknown; runtime_config_ids?: unknown };
  try {
    ctx = JSON.parse(raw) as typeof ctx;
  } catch {
    throw E.invalidJson('context');
  }
  const ids = [...(Array.isArray(ctx.cloud_config_ids) ? ctx.cloud_config_ids : []), ...(Array.isArray(ctx.runtime_config_ids) ? ctx.runtime_config_ids : [])];
  for (const id of ids) if (!d.model.configById(Number(id))) throw new BoshError(400, 190025, 'Context includes invalid config ID');
}

export function deploymentRoutes(app: BoshApp, d: Director): void {
  app.get('/deployments', (c) => {
    const p = principal(c);
    d.auth.requireDirector(p, 'list_deployments');
    const q = c.req.query();
    const names = Object.keys(d.model.state.deployments).sort();
    const out: Record<string, unknown>[] = [];
    for (const n of names) {
      const dep = d.model.state.deployments[n];
      if (d.auth.owned(p, 'read', dep.teams)) out.push(deploymentJson(d, dep, q));
    }
    return c.json(out);
  });

  app.get('/deployments/:name', (c) => {
    const dep = deploymentFor(d, c, 'read');
    return c.json({ manifest: dep.manifest_text });
  });

  app.post('/deployments', async (c) => {
    const miss = consumes(c, 'text/yaml');
    if (miss) return miss;
    const p = principal(c);
    d.auth.requireDirector(p, 'create_deployment');
    const text = await c.req.text();
    const manifest = parseManifestSync(text);
    const existing = d.model.deployment(manifest.name);
    if (existing) d.auth.requireOwned(p, 'admin', existing.teams);
    else {
      const clash = d.model.canonicalOwner(manifest.name);
      if (clash) throw new BoshError(400, 190009, `Invalid deployment name '${manifest.name}', canonical name already taken ('${clash}')`);
    }
    const q = c.req.query();
    if (q.recreate_vms_created_before && !truthy(q.recreate)) {
      throw new BoshError(400, 40005, "'recreate_vms_created_before' requires 'recreate' to be true");
    }
    contextFromQuery(d, q.context);
    const dep = d.model.ensureDeployment(manifest.name, d.auth.adminTeams(p));
    const dry = truthy(q.dry_run);
    return startTask(d, c, {
      type: 'update_deployment',
      description: dry ? 'create deployment (dry run)' : 'create deployment',
      deployment: dep.name,
      teams: dep.teams,
      payload: { manifest_text: text, dry_run: dry, recreate: truthy(q.recreate) },
    });
  });

  app.post('/deployments/:name/diff', async (c) => {
    const miss = consumes(c, 'text/yaml');
    if (miss) return miss;
    const p = principal(c);
    const dep = d.model.deployment(c.req.param('name'));
    if (dep) d.auth.requireOwned(p, 'admin', dep.teams);
    else d.auth.requireDirector(p, 'create_deployment');
    const text = await c.req.text();
    const teams = dep?.teams ?? d.auth.adminTeams(p);
    const context = {
      cloud_config_ids: d.model.configsForTeams('cloud', teams).map((x) => x.id),
      runtime_config_ids: d.model.configsForTeams('runtime', teams).map((x) => x.id),
    };
    try {
      validateManifestYml(text);
      return c.json({ context, diff: manifestDiff(dep?.manifest_text ?? null, text, c.req.query('redact') !== 'false') });
    } catch (err) {
      return c.json({ diff: [], error: `Unable to diff manifest: ${(err as Error).message}` });
    }
  });

  app.delete('/deployments/:name', (c) => {
    const dep = deploymentFor(d, c, 'admin');
    return startTask(d, c, {
      type: 'delete_deployment',
      description: `delete deployment ${dep.name}`,
      deployment: dep.name,
      teams: dep.teams,
      payload: { force: truthy(c.req.query('force')) },
    });
  });

  const changeState = async (c: BoshContext) => {
    const miss = consumes(c, 'text/yaml');
    if (miss) return miss;
    const dep = deploymentFor(d, c, 'admin');
    const group = c.req.param('group') ?? '*';
    const indexOrId = c.req.param('index_or_id');
    if (indexOrId !== undefined) {
      if (!/^\d+$/.test(indexOrId) && !UUID_RE.test(indexOrId)) throw E.invalidIndex(indexOrId);
      const inst = dep.instances.find((i) => i.group === group && (String(i.index) === indexOrId || i.id === indexOrId));
      if (!inst) throw E.instanceNotFound(`${dep.name}/${group}/${indexOrId}`);
    }
    const state = c.req.query('state');
    const body = await c.req.text();
    // With an empty body the stored manifest is reused (for the group form only when `state` is
    // given); otherwise the body is the manifest and goes through validate_manifest_yml.
    const reuse = body === '' && (indexOrId !== undefined || state !== undefined);
    if (!reuse) validateManifestYml(body);
    if (state !== undefined && !['started', 'stopped', 'detached', 'restart', 'recreate'].includes(state)) {
      throw new BoshError(400, 40005, `Invalid state '${state}'`);
    }
    return startTask(d, c, {
      type: 'update_deployment',
      description: 'create deployment',
      deployment: dep.name,
      teams: dep.teams,
      payload: {
        ...(reuse ? {} : { manifest_text: body }),
        dry_run: truthy(c.req.query('dry_run')),
        ...(state !== undefined ? { change: { state, group, ...(indexOrId !== undefined ? { index_or_id: indexOrId } : {}) } } : {}),
      },
    });
  };
  app.put('/deployments/:name/jobs/:group', changeState);
  app.put('/deployments/:name/jobs/:group/:index_or_id', changeState);

  app.post('/deployments/:name/instance_groups/:ig/:id/actions/:action', (c) => {
    const dep = deploymentFor(d, c, 'admin');
    const { ig, id, action } = c.req.param();
    if (!['start', 'stop', 'restart', 'recreate'].includes(action)) return new Response(`Endpoint '${c.req.path}' not found.`, { status: 404 });
    const inst = dep.instances.find((i) => i.group === ig && (i.id === id || String(i.index) === id));
    if (!inst) throw E.instanceNotFound(`${dep.name}/${ig}/${id}`);
    return startTask(d, c, {
      type: 'update_instance',
      description: `${action} instance`,
      deployment: dep.name,
      teams: dep.teams,
      payload: { action, id: inst.id, slug: `${inst.group}/${inst.id} (${inst.index})`, hard: truthy(c.req.query('hard')) },
    });
  });

  app.get('/deployments/:name/variables', (c) => {
    const dep = deploymentFor(d, c, 'admin');
    return c.json(dep.variables);
  });

  app.get('/deployments/:name/certificate_expiry', (c) => {
    deploymentFor(d, c, 'read');
    return c.json([]);
  });
}

