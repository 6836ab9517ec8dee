import type { Context, Hono } from 'hono';
import { principal } from '../../auth.js';
import { access, type CcDeps } from '../../deps.js';
import { ccError } from '../../errors.js';
import { isStr, iso, json, pg, readBody } from '../../http.js';
import type { RoleType, User } from '../../model/state.js';
import { decodeV2 } from './decode.js';
import { listV2 } from './list.js';
import { org2, space2 } from './present.js';

/** v2 user role associations: `/v2/organizations/:guid/{users,managers,billing_managers,auditors}[/:user]`, same for spaces, and `/v2/users`. */
const ORG_ROLES: Record<string, RoleType> = {
  users: 'organization_user',
  managers: 'organization_manager',
  billing_managers: 'organization_billing_manager',
  auditors: 'organization_auditor',
};
const SPACE_ROLES: Record<string, RoleType> = { developers: 'space_developer', managers: 'space_manager', auditors: 'space_auditor', supporters: 'space_supporter' };

function user2(u: User) {
  return {
    metadata: { guid: u.guid, url: `/v2/users/${u.guid}`, created_at: iso(u.created_at), updated_at: iso(u.updated_at) },
    entity: {
      admin: false,
      active: true,
      default_space_guid: null,
      username: u.username ?? null,
      spaces_url: `/v2/users/${u.guid}/spaces`,
      organizations_url: `/v2/users/${u.guid}/organizations`,
      managed_organizations_url: `/v2/users/${u.guid}/managed_organizations`,
      billing_managed_organizations_url: `/v2/users/${u.guid}/billing_managed_organizations`,
      audited_organizations_url: `/v2/users/${u.guid}/audited_organizations`,
      managed_spaces_url: `/v2/users/${u.guid}/managed_spaces`,
      audited_spaces_url: `/v2/users/${u.guid}/audited_spaces`,
    },
  };
}

export function roleRoutes2(app: Hono, d: CcDeps): void {
  const m = d.model;
  const userFields = { username: (u: User) => u.username };

  app.get('/v2/users', (c) => {
    if (!access(d, c).all) throw ccError('NotAuthorized');
    return listV2(c, m.all('users'), userFields, user2);
  });
  app.get('/v2/users/:guid', (c) => {
    const u = m.get('users', pg(c));
    if (!u) throw ccError('UserNotFound', pg(c));
    return json(user2(u));
  });

  /** `PUT …/:role/:user_guid` or `PUT …/:role` with `{"username": …, "origin"?: …}`. */
  const resolveUser = async (c: Context): Promise<User> => {
    const guid = c.req.param('user');
    if (guid) {
      const uaaUser = d.uaa()?.model.user(guid);
      if (!uaaUser && !m.get('users', guid)) throw ccError('UserNotFound', guid);
      return m.ensureUser(guid, uaaUser?.userName, uaaUser?.origin);
    }
    const body = await readBody(c);
    decodeV2(body, { username: 'string', origin: 'string' }, ['username']);
    if (!isStr(body.username)) throw ccError('InvalidRequest');
    const origin = isStr(body.origin) ? body.origin : 'uaa';
    const uaaUser = d.uaa()?.model.userByName(body.username, origin);
    if (!uaaUser) throw ccError('UserNotFound', body.username);
    return m.ensureUser(uaaUser.id, uaaUser.userName, uaaUser.origin);
  };

  for (const [seg, type] of Object.entries(ORG_ROLES)) {
    app.get(`/v2/organizations/:guid/${seg}`, (c) => {
      const o = m.get('orgs', pg(c));
      if (!o || !access(d, c).seesOrg(o.guid)) throw ccError('OrganizationNotFound', pg(c));
      const guids = new Set(m.all('roles').filter((r) => r.org_guid === o.guid && r.type === type).map((r) => r.user_guid));
      return listV2(c, m.all('users').filter((u) => guids.has(u.guid)), userFields, user2);
    });
    const put = async (c: Context) => {
      const o = m.get('orgs', pg(c));
      if (!o) throw ccError('OrganizationNotFound', pg(c));
      if (!access(d, c).managesOrg(o.guid)) throw ccError('NotAuthorized');
      const u = await resolveUser(c);
      m.addRole(type, u.guid, { org_guid: o.guid });
      if (type !== 'organization_user') m.addRole('organization_user', u.guid, { org_guid: o.guid });
      return json(org2(o), 201);
    };
    app.put(`/v2/organizations/:guid/${seg}/:user`, put);
    app.put(`/v2/organizations/:guid/${seg}`, put);
    app.delete(`/v2/organizations/:guid/${seg}/:user`, (c) => {
      const o = m.get('orgs', pg(c));
      if (!o) throw ccError('OrganizationNotFound', pg(c));
      if (!access(d, c).managesOrg(o.guid) && principal(c).userGuid !== c.req.param('user')) throw ccError('NotAuthorized');
      for (const r of m.all('roles').filter((x) => x.org_guid === o.guid && x.type === type && x.user_guid === c.req.param('user'))) m.remove('roles', r.guid);
      return new Response(null, { status: 204 });
    });
  }

  for (const [seg, type] of Object.entries(SPACE_ROLES)) {
    app.get(`/v2/spaces/:guid/${seg}`, (c) => {
      const s = m.get('spaces', pg(c));
      if (!s || !access(d, c).seesSpace(s.guid)) throw ccError('SpaceNotFound', pg(c));
      const guids = new Set(m.all('roles').filter((r) => r.space_guid === s.guid && r.type === type).map((r) => r.user_guid));
      return listV2(c, m.all('users').filter((u) => guids.has(u.guid)), userFields, user2);
    });
    const put = async (c: Context) => {
      const s = m.get('spaces', pg(c));
      if (!s) throw ccError('SpaceNotFound', pg(c));
      if (!access(d, c).managesOrg(s.org_guid)) throw ccError('NotAuthorized');
      const u = await resolveUser(c);
      if (!m.rolesOf(u.guid).some((r) => r.org_guid === s.org_guid)) {
        throw ccError('SpaceUserNotInOrg', u.guid);
      }
      m.addRole(type, u.guid, { space_guid: s.guid });
      return json(space2(s), 201);
    };
    app.put(`/v2/spaces/:guid/${seg}/:user`, put);
    app.put(`/v2/spaces/:guid/${seg}`, put);
    app.delete(`/v2/spaces/:guid/${seg}/:user`, (c) => {
      const s = m.get('spaces', pg(c));
      if (!s) throw ccError('SpaceNotFound', pg(c));
      if (!access(d, c).managesOrg(s.org_guid)) throw ccError('NotAuthorized');
      for (const r of m.all('roles').filter((x) => x.space_guid === s.guid && x.type === type && x.user_guid === c.req.param('user'))) m.remove('roles', r.guid);
      return new Response(null, { status: 204 });
    });
  }
}
