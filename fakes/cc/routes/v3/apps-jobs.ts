import type { Hono } from 'hono';
import { access, type CcDeps } from '../../deps.js';
import { ccError, notFound3, unprocessable } from '../../errors.js';
import { baseUrl, json, readBody, relGuid } from '../../http.js';
import type { App } from '../../model/state.js';
import { filter, parseV3 } from '../../pagination.js';
import { accepted } from './accepted.js';
import { Included } from './included.js';
import { inSet, listV3 } from './list.js';
import { nameProblem, Problems } from './message.js';
import { app3, job3, space3 } from './present.js';

/** Feature flags the cf CLI reads while showing services. */
const FEATURE_FLAGS: Record<string, boolean> = {
  user_org_creation: false,
  private_domain_creation: true,
  app_bits_upload: true,
  app_scaling: true,
  route_creation: true,
  service_instance_creation: true,
  diego_docker: false,
  set_roles_by_username: true,
  unset_roles_by_username: true,
  task_creation: true,
  env_var_visibility: true,
  space_scoped_private_broker_creation: true,
  space_developer_env_var_visibility: true,
  service_instance_sharing: false,
  hide_marketplace_from_unauthenticated_users: false,
  resource_matching: true,
  route_sharing: false,
};

/** `/v3/apps` (just enough to bind), `/v3/jobs/:guid`, `/v3/feature_flags`. */
export function appJobRoutes(app: Hono, d: CcDeps): void {
  const m = d.model;

  app.get('/v3/apps', (c) => {
    const q = parseV3(c, { filters: ['names', 'guids', 'space_guids', 'organization_guids', 'stacks', 'lifecycle_type'], include: ['space', 'space.organization'], orderBy: ['created_at', 'updated_at', 'name', 'state'] });
    const a = access(d, c);
    const orgs = filter(q, 'organization_guids');
    const items = m
      .all('apps')
      .filter((x) => a.seesSpace(x.space_guid))
      .filter(inSet(filter(q, 'names'), (x) => x.name))
      .filter(inSet(filter(q, 'guids'), (x) => x.guid))
      .filter(inSet(filter(q, 'space_guids'), (x) => x.space_guid))
      .filter((x) => !orgs || orgs.includes(m.get('spaces', x.space_guid)?.org_guid ?? ''));
    return listV3(c, d, items, q, app3, (page: App[], inc, b) => {
      if (!q.include.length) return;
      for (const x of page) {
        const s = m.get('spaces', x.space_guid);
        if (s) inc.add('spaces', s.guid, space3(s, b));
      }
    }, () => new Included());
  });

  app.get('/v3/apps/:guid', (c) => {
    const x = m.get('apps', c.req.param('guid'));
    if (!x || !access(d, c).seesSpace(x.space_guid)) throw notFound3('App');
    return json(app3(x, baseUrl(c, d.kernel)));
  });

  app.post('/v3/apps', async (c) => {
    const body = await readBody(c);
    new Problems()
      .unknownKeys(body, ['name', 'relationships', 'lifecycle', 'environment_variables', 'metadata'])
      .add(nameProblem(body.name))
      .relationships(body.relationships, ['space'])
      .metadata(body.metadata)
      .check();
    const spaceGuid = relGuid(body, 'space');
    const a = access(d, c);
    if (!spaceGuid || !m.get('spaces', spaceGuid) || !a.seesSpace(spaceGuid)) throw unprocessable('Invalid space. Ensure that the space exists and you have access to it.');
    if (!a.developsIn(spaceGuid)) throw ccError('NotAuthorized');
    if (m.all('apps').some((x) => x.space_guid === spaceGuid && x.name === body.name)) throw unprocessable(`App with the name '${body.name}' already exists.`);
    const created = m.addApp(spaceGuid, body.name as string);
    m.applyMetadata(created.metadata, body.metadata);
    return json(app3(created, baseUrl(c, d.kernel)), 201);
  });

  for (const action of ['start', 'stop'] as const) {
    app.post(`/v3/apps/:guid/actions/${action}`, (c) => {
      const x = m.get('apps', c.req.param('guid'));
      if (!x || !access(d, c).seesSpace(x.space_guid)) throw notFound3('App');
      if (!access(d, c).developsIn(x.space_guid)) throw ccError('NotAuthorized');
      m.setAppState(x, action === 'start' ? 'STARTED' : 'STOPPED');
      return json(app3(x, baseUrl(c, d.kernel)));
    });
  }

  app.delete('/v3/apps/:guid', (c) => {
    const x = m.get('apps', c.req.param('guid'));
    if (!x || !access(d, c).seesSpace(x.space_guid)) throw notFound3('App');
    if (!access(d, c).developsIn(x.space_guid)) throw ccError('NotAuthorized');
    if (m.all('bindings').some((b) => b.app_guid === x.guid)) throw unprocessable('Please delete the service_bindings associations for your apps.');
    m.remove('apps', x.guid);
    const job = m.addJob('app.delete', undefined, 'COMPLETE');
    return accepted(c, d, job.guid);
  });

  app.get('/v3/jobs/:guid', (c) => {
    const j = m.get('jobs', c.req.param('guid'));
    if (!j) throw notFound3('Job');
    const view = { ...j };
    // The resource link goes once the resource is gone.
    if (view.resource_type && view.resource_guid) {
      const coll = { service_instances: 'instances', service_brokers: 'brokers', service_credential_bindings: 'bindings', spaces: 'spaces', organizations: 'orgs' }[
        view.resource_type
      ] as 'instances' | 'brokers' | 'bindings' | 'spaces' | 'orgs' | undefined;
      if (coll && !m.get(coll, view.resource_guid)) delete view.resource_guid;
    }
    return json(job3(view, baseUrl(c, d.kernel)));
  });

  const flag = (name: string, b: string) => ({
    name,
    enabled: FEATURE_FLAGS[name],
    updated_at: null,
    custom_error_message: null,
    links: { self: { href: `${b}/v3/feature_flags/${name}` } },
  });
  app.get('/v3/feature_flags', (c) => {
    const b = baseUrl(c, d.kernel);
    const all = Object.keys(FEATURE_FLAGS).map((n) => flag(n, b));
    return json({
      pagination: { total_results: all.length, total_pages: 1, first: { href: `${b}/v3/feature_flags?page=1&per_page=50` }, last: { href: `${b}/v3/feature_flags?page=1&per_page=50` }, next: null, previous: null },
      resources: all,
    });
  });
  app.get('/v3/feature_flags/:name', (c) => {
    const name = c.req.param('name');
    if (!(name in FEATURE_FLAGS)) throw notFound3('Feature flag');
    return json(flag(name, baseUrl(c, d.kernel)));
  });
}
