import type { Hono } from 'hono';
import { principal } from '../../auth.js';
import { access, type CcDeps } from '../../deps.js';
import { ccError } from '../../errors.js';
import { isStr, json, pg, readBody } from '../../http.js';
import { decodeV2 } from './decode.js';
import type { App, Instance, Org, Space } from '../../model/state.js';
import { listV2, type V2Fields } from './list.js';
import { app2, instance2, org2, space2 } from './present.js';

/** v2 organizations, spaces and apps: what ODB reads (`q=name:<org>`, `spaces_url?q=name:<space>`). */
export function orgRoutes2(app: Hono, d: CcDeps): void {
  const m = d.model;

  const orgFields: V2Fields<Org> = {
    name: (o) => o.name,
    space_guid: (o) => m.all('spaces').filter((s) => s.org_guid === o.guid).map((s) => s.guid),
    user_guid: (o) => m.all('roles').filter((r) => r.org_guid === o.guid).map((r) => r.user_guid),
    manager_guid: (o) => m.all('roles').filter((r) => r.org_guid === o.guid && r.type === 'organization_manager').map((r) => r.user_guid),
    status: (o) => (o.suspended ? 'suspended' : 'active'),
    auditor_guid: (o) => m.all('roles').filter((r) => r.org_guid === o.guid && r.type === 'organization_auditor').map((r) => r.user_guid),
  };
  const spaceFields: V2Fields<Space> = {
    name: (s) => s.name,
    organization_guid: (s) => s.org_guid,
    developer_guid: (s) => m.all('roles').filter((r) => r.space_guid === s.guid && r.type === 'space_developer').map((r) => r.user_guid),
    app_guid: (s) => m.all('apps').filter((a) => a.space_guid === s.guid).map((a) => a.guid),
  };
  const appFields: V2Fields<App> = {
    name: (a) => a.name,
    space_guid: (a) => a.space_guid,
    organization_guid: (a) => m.get('spaces', a.space_guid)?.org_guid,
  };
  const instanceFields: V2Fields<Instance> = {
    name: (i) => i.name,
    space_guid: (i) => i.space_guid,
    service_plan_guid: (i) => i.plan_guid,
    service_binding_guid: (i) => m.bindingsOf(i.guid).filter((b) => b.type === 'app').map((b) => b.guid),
    service_key_guid: (i) => m.bindingsOf(i.guid).filter((b) => b.type === 'key').map((b) => b.guid),
    gateway_name: () => '',
    organization_guid: (i) => m.get('spaces', i.space_guid)?.org_guid,
  };

  app.get('/v2/organizations', (c) => {
    const a = access(d, c);
    return listV2(c, m.all('orgs').filter((o) => a.seesOrg(o.guid)), orgFields, org2, ['id', 'name']);
  });
  /** v2 `find_guid_and_validate_access`: unknown is the resource's 404, not the caller's is a 403. */
  const readable = <T>(found: T | undefined, missing: 'OrganizationNotFound' | 'SpaceNotFound' | 'AppNotFound', guid: string, sees: (r: T) => boolean): T => {
    if (!found) throw ccError(missing, guid);
    if (!sees(found)) throw ccError('NotAuthorized');
    return found;
  };

  app.get('/v2/organizations/:guid', (c) => json(org2(readable(m.get('orgs', pg(c)), 'OrganizationNotFound', pg(c), (o) => access(d, c).seesOrg(o.guid)))));
  app.post('/v2/organizations', async (c) => {
    if (!principal(c).admin) throw ccError('NotAuthorized');
    const body = await readBody(c);
    decodeV2(body, { name: 'string' }, ['name']);
    if (!isStr(body.name)) throw ccError('InvalidRequest');
    if (body.name.trim() === '') throw ccError('OrganizationInvalid', 'name is invalid');
    if (m.orgByName(body.name)) throw ccError('OrganizationNameTaken', body.name);
    const o = m.addOrg(body.name);
    return json(org2(o), 201, { location: `/v2/organizations/${o.guid}` });
  });
  app.get('/v2/organizations/:guid/spaces', (c) => {
    const o = m.get('orgs', pg(c));
    const a = access(d, c);
    if (!o || !a.seesOrg(o.guid)) throw ccError('OrganizationNotFound', pg(c));
    return listV2(c, m.all('spaces').filter((s) => s.org_guid === o.guid && a.seesSpace(s.guid)), spaceFields, space2, ['id', 'name']);
  });

  app.get('/v2/spaces', (c) => {
    const a = access(d, c);
    return listV2(c, m.all('spaces').filter((s) => a.seesSpace(s.guid)), spaceFields, space2, ['id', 'name']);
  });
  app.get('/v2/spaces/:guid', (c) => json(space2(readable(m.get('spaces', pg(c)), 'SpaceNotFound', pg(c), (s) => access(d, c).seesSpace(s.guid)))));
  app.post('/v2/spaces', async (c) => {
    const body = await readBody(c);
    decodeV2(body, { name: 'string', organization_guid: 'string' }, ['name', 'organization_guid']);
    if (!isStr(body.name) || !isStr(body.organization_guid)) throw ccError('InvalidRequest');
    if (body.name.trim() === '') throw ccError('SpaceInvalid', 'name is invalid');
    const org = m.get('orgs', body.organization_guid);
    if (!org) throw ccError('OrganizationNotFound', body.organization_guid);
    if (!access(d, c).managesOrg(org.guid)) throw ccError('NotAuthorized');
    if (m.spaceByName(org.guid, body.name)) throw ccError('SpaceNameTaken', body.name);
    const s = m.addSpace(org.guid, body.name);
    return json(space2(s), 201, { location: `/v2/spaces/${s.guid}` });
  });
  app.get('/v2/spaces/:guid/service_instances', (c) => {
    const s = m.get('spaces', pg(c));
    if (!s || !access(d, c).seesSpace(s.guid)) throw ccError('SpaceNotFound', pg(c));
    return listV2(c, m.all('instances').filter((i) => i.space_guid === s.guid), instanceFields, (i) => instance2(m, i), ['id', 'name']);
  });
  app.get('/v2/spaces/:guid/apps', (c) => {
    const s = m.get('spaces', pg(c));
    if (!s || !access(d, c).seesSpace(s.guid)) throw ccError('SpaceNotFound', pg(c));
    return listV2(c, m.all('apps').filter((a) => a.space_guid === s.guid), appFields, app2, ['id', 'name']);
  });

  app.get('/v2/apps', (c) => {
    const a = access(d, c);
    return listV2(c, m.all('apps').filter((x) => a.seesSpace(x.space_guid)), appFields, app2, ['id', 'name']);
  });
  app.get('/v2/apps/:guid', (c) => json(app2(readable(m.get('apps', pg(c)), 'AppNotFound', pg(c), (x) => access(d, c).seesSpace(x.space_guid)))));
  app.post('/v2/apps', async (c) => {
    const body = await readBody(c);
    decodeV2(body, { name: 'string', space_guid: 'string' }, ['name', 'space_guid']);
    if (!isStr(body.name) || !isStr(body.space_guid)) throw ccError('InvalidRequest');
    if (!m.get('spaces', body.space_guid)) throw ccError('SpaceNotFound', body.space_guid);
    if (!access(d, c).developsIn(body.space_guid)) throw ccError('NotAuthorized');
    const x = m.addApp(body.space_guid, body.name, body.state === 'STARTED' ? 'STARTED' : 'STOPPED');
    return json(app2(x), 201, { location: `/v2/apps/${x.guid}` });
  });
}

export { instance2 };
