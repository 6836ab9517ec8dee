import { isJsonObject } from '../../../core/json.js';
import type { Hono } from 'hono';
import { principal } from '../../auth.js';
import { access, type CcDeps } from '../../deps.js';
import { ccError, notFound3, unprocessable } from '../../errors.js';
import { baseUrl, isStr, json, readBody, relGuid } from '../../http.js';
import type { Role, RoleType, Space, User } from '../../model/state.js';
import { filter, parseV3 } from '../../pagination.js';
import { Deletion } from '../../ops/deletion.js';
import { accepted } from './accepted.js';
import { Included } from './included.js';
import { inSet, listV3 } from './list.js';
import { nameProblem, Problems } from './message.js';
import { org3, role3, space3, user3 } from './present.js';

const ROLE_TYPES: RoleType[] = [
  'organization_user',
  'organization_auditor',
  'organization_manager',
  'organization_billing_manager',
  'space_auditor',
  'space_developer',
  'space_manager',
  'space_supporter',
];

/** OrganizationCreateMessage / SpaceCreateMessage: the allowed keys, a name, relationships, metadata. */
function checkNamed(body: Record<string, unknown>, allowed: string[], relationships?: string[]): string {
  const p = new Problems().unknownKeys(body, allowed).add(nameProblem(body.name));
  p.add(isStr(body.name) && body.name.length > 255 && 'Name is too long (maximum is 255 characters)');
  if (relationships) p.relationships(body.relationships, relationships);
  p.metadata(body.metadata).check();
  return body.name as string;
}

/** `/v3/organizations`, `/v3/spaces`, `/v3/roles`, `/v3/users`: what `create-org`, `create-space` and `target` need. */
export function orgRoutes(app: Hono, d: CcDeps): void {
  const m = d.model;

  app.get('/v3/organizations', (c) => {
    const q = parseV3(c, { filters: ['names', 'guids'], orderBy: ['created_at', 'updated_at', 'name'] });
    const a = access(d, c);
    const items = m.all('orgs').filter((o) => a.seesOrg(o.guid)).filter(inSet(filter(q, 'names'), (o) => o.name)).filter(inSet(filter(q, 'guids'), (o) => o.guid));
    return listV3(c, d, items, q, org3);
  });

  app.get('/v3/organizations/:guid', (c) => {
    const o = m.get('orgs', c.req.param('guid'));
    if (!o || !access(d, c).seesOrg(o.guid)) throw notFound3('Organization');
    return json(org3(o, baseUrl(c, d.kernel)));
  });

  app.post('/v3/organizations', async (c) => {
    if (!principal(c).admin) throw ccError('NotAuthorized');
    const body = await readBody(c);
    const name = checkNamed(body, ['name', 'suspended', 'metadata']);
    if (m.orgByName(name)) throw unprocessable(`Organization '${name}' already exists.`);
    const org = m.addOrg(name);
    m.applyMetadata(org.metadata, body.metadata);
    return json(org3(org, baseUrl(c, d.kernel)), 201);
  });

  // Recursive deletes run as jobs: instances go through their brokers first.
  const deletion = new Deletion(m, d.ops, d.brokers);

  app.delete('/v3/organizations/:guid', (c) => {
    const o = m.get('orgs', c.req.param('guid'));
    if (!o || !access(d, c).seesOrg(o.guid)) throw notFound3('Organization');
    if (!principal(c).admin) throw ccError('NotAuthorized');
    const job = m.addJob('organization.delete', { type: 'organizations', guid: o.guid });
    d.ops.track(deletion.org(o, job, principal(c).userGuid));
    return accepted(c, d, job.guid);
  });

  app.delete('/v3/spaces/:guid', (c) => {
    const s = m.get('spaces', c.req.param('guid'));
    if (!s || !access(d, c).seesSpace(s.guid)) throw notFound3('Space');
    if (!access(d, c).managesOrg(s.org_guid)) throw ccError('NotAuthorized');
    const job = m.addJob('space.delete', { type: 'spaces', guid: s.guid });
    d.ops.track(deletion.space(s, job, principal(c).userGuid));
    return accepted(c, d, job.guid);
  });

  app.get('/v3/organizations/:guid/domains/default', (c) => {
    const o = m.get('orgs', c.req.param('guid'));
    if (!o) throw notFound3('Organization');
    throw notFound3('Domain');
  });

  app.get('/v3/spaces', (c) => {
    const q = parseV3(c, { filters: ['names', 'guids', 'organization_guids'], include: ['organization'], orderBy: ['created_at', 'updated_at', 'name'] });
    const a = access(d, c);
    const items = m
      .all('spaces')
      .filter((s) => a.seesSpace(s.guid))
      .filter(inSet(filter(q, 'names'), (s) => s.name))
      .filter(inSet(filter(q, 'guids'), (s) => s.guid))
      .filter(inSet(filter(q, 'organization_guids'), (s) => s.org_guid));
    return listV3(c, d, items, q, space3, (page: Space[], inc, b) => {
      if (!q.include.includes('organization')) return;
      for (const s of page) inc.add('organizations', s.org_guid, org3(m.get('orgs', s.org_guid)!, b));
    }, () => new Included());
  });

  app.get('/v3/spaces/:guid', (c) => {
    const s = m.get('spaces', c.req.param('guid'));
    if (!s || !access(d, c).seesSpace(s.guid)) throw notFound3('Space');
    return json(space3(s, baseUrl(c, d.kernel)));
  });

  app.post('/v3/spaces', async (c) => {
    const body = await readBody(c);
    const name = checkNamed(body, ['name', 'relationships', 'metadata'], ['organization']);
    const orgGuid = relGuid(body, 'organization');
    const org = m.get('orgs', orgGuid);
    const a = access(d, c);
    if (!org || !a.seesOrg(org.guid)) throw unprocessable('Invalid organization. Ensure the organization exists and you have access to it.');
    if (!a.managesOrg(org.guid)) throw ccError('NotAuthorized');
    if (m.spaceByName(org.guid, name)) throw unprocessable('Name must be unique per organization');
    const space = m.addSpace(org.guid, name);
    return json(space3(space, baseUrl(c, d.kernel)), 201);
  });

  app.get('/v3/spaces/:guid/features/:name', (c) => {
    const s = m.get('spaces', c.req.param('guid'));
    if (!s) throw notFound3('Space');
    return json({ name: c.req.param('name'), description: 'Enable SSHing into apps in the space.', enabled: true });
  });

  // ---- users

  app.get('/v3/users', (c) => {
    const q = parseV3(c, { filters: ['guids', 'usernames', 'origins', 'partial_usernames'] });
    const a = access(d, c);
    const mine = new Set(m.all('roles').filter((r) => a.seesSpace(r.space_guid) || a.seesOrg(r.org_guid)).map((r) => r.user_guid));
    mine.add(principal(c).userGuid);
    const items = m
      .all('users')
      .filter((u) => a.all || mine.has(u.guid))
      .filter(inSet(filter(q, 'guids'), (u) => u.guid))
      .filter(inSet(filter(q, 'usernames'), (u) => u.username))
      .filter(inSet(filter(q, 'origins'), (u) => u.origin));
    return listV3(c, d, items, q, user3);
  });

  app.get('/v3/users/:guid', (c) => {
    const u = m.get('users', c.req.param('guid'));
    if (!u) throw notFound3('User');
    return json(user3(u, baseUrl(c, d.kernel)));
  });

  app.post('/v3/users', async (c) => {
    if (!principal(c).admin) throw ccError('NotAuthorized');
    const body = await readBody(c);
    new Problems().unknownKeys(body, ['guid', 'username', 'origin', 'metadata']).metadata(body.metadata).check();
    if (isStr(body.guid)) {
      if (m.get('users', body.guid)) throw unprocessable(`User with guid '${body.guid}' already exists.`);
      const uaaUser = d.uaa()?.model.user(body.guid);
      const u = m.ensureUser(body.guid, uaaUser?.userName, uaaUser?.origin);
      return json(user3(u, baseUrl(c, d.kernel)), 201);
    }
    if (isStr(body.username)) {
      const uaaUser = d.uaa()?.model.userByName(body.username, isStr(body.origin) ? body.origin : 'uaa');
      if (!uaaUser) throw unprocessable(`No user exists with the username '${body.username}' and origin '${isStr(body.origin) ? body.origin : 'uaa'}'.`);
      return json(user3(m.ensureUser(uaaUser.id, uaaUser.userName, uaaUser.origin), baseUrl(c, d.kernel)), 201);
    }
    throw unprocessable("Guid can't be blank");
  });

  // ---- roles

  app.get('/v3/roles', (c) => {
    const q = parseV3(c, {
      filters: ['guids', 'types', 'space_guids', 'organization_guids', 'user_guids'],
      include: ['user', 'space', 'organization'],
    });
    const a = access(d, c);
    const items = m
      .all('roles')
      .filter((r) => a.all || a.seesSpace(r.space_guid) || a.seesOrg(r.org_guid))
      .filter(inSet(filter(q, 'guids'), (r) => r.guid))
      .filter(inSet(filter(q, 'types'), (r) => r.type))
      .filter(inSet(filter(q, 'space_guids'), (r) => r.space_guid))
      .filter(inSet(filter(q, 'organization_guids'), (r) => r.org_guid))
      .filter(inSet(filter(q, 'user_guids'), (r) => r.user_guid));
    return listV3(c, d, items, q, role3, (page: Role[], inc, b) => {
      for (const r of page) {
        if (q.include.includes('user')) inc.add('users', r.user_guid, user3(m.get('users', r.user_guid) ?? placeholderUser(r.user_guid), b));
        if (q.include.includes('space') && r.space_guid) inc.add('spaces', r.space_guid, space3(m.get('spaces', r.space_guid)!, b));
        if (q.include.includes('organization') && r.org_guid) inc.add('organizations', r.org_guid, org3(m.get('orgs', r.org_guid)!, b));
      }
    }, () => new Included());
  });

  app.get('/v3/roles/:guid', (c) => {
    const r = m.get('roles', c.req.param('guid'));
    const a = access(d, c);
    if (!r || !(a.all || a.seesSpace(r.space_guid) || a.seesOrg(r.org_guid))) throw notFound3('Role');
    return json(role3(r, baseUrl(c, d.kernel)));
  });

  app.post('/v3/roles', async (c) => {
    const body = await readBody(c);
    new Problems().unknownKeys(body, ['type', 'relationships']).check();
    const type = body.type as RoleType;
    if (!ROLE_TYPES.includes(type)) throw unprocessable(`Type must be one of the allowed types ${JSON.stringify(ROLE_TYPES)}`);
    const spaceRole = type.startsWith('space_');
    const targetGuid = relGuid(body, spaceRole ? 'space' : 'organization');
    const a = access(d, c);
    const space = spaceRole ? m.get('spaces', targetGuid) : undefined;
    const org = spaceRole ? m.get('orgs', space?.org_guid) : m.get('orgs', targetGuid);
    if (spaceRole ? !space || !a.seesSpace(space.guid) : !org || !a.seesOrg(org.guid)) {
      throw unprocessable(spaceRole ? 'Invalid space. Ensure that the space exists and you have access to it.' : 'Invalid organization. Ensure that the organization exists and you have access to it.');
    }
    if (!a.managesOrg(org?.guid)) throw ccError('NotAuthorized');
    const user = resolveUser(d, body);
    const existing = m.all('roles').find(
      (r) => r.type === type && r.user_guid === user.guid && (spaceRole ? r.space_guid === space!.guid : r.org_guid === org!.guid),
    );
    if (existing) {
      throw unprocessable(
        `User '${user.presentation_name}' already has '${type}' role in ${spaceRole ? `space '${space!.name}'` : `organization '${org!.name}'`}.`,
      );
    }
    if (spaceRole && !m.rolesOf(user.guid).some((r) => r.org_guid === org!.guid)) {
      throw unprocessable("Users cannot be assigned roles in a space if they do not have a role in that space's organization.");
    }
    const role = m.addRole(type, user.guid, spaceRole ? { space_guid: space!.guid } : { org_guid: org!.guid });
    return json(role3(role, baseUrl(c, d.kernel)), 201);
  });

  app.delete('/v3/roles/:guid', (c) => {
    const r = m.get('roles', c.req.param('guid'));
    const a = access(d, c);
    if (!r || !(a.all || a.seesSpace(r.space_guid) || a.seesOrg(r.org_guid))) throw notFound3('Role');
    const orgGuid = r.org_guid ?? m.get('spaces', r.space_guid)?.org_guid;
    if (!a.managesOrg(orgGuid)) throw ccError('NotAuthorized');
    m.remove('roles', r.guid);
    const job = m.addJob('role.delete', undefined, 'COMPLETE');
    return accepted(c, d, job.guid);
  });

}

function placeholderUser(guid: string): User {
  return { guid, created_at: 0, updated_at: 0, presentation_name: guid };
}

/** `relationships.user.data` is `{guid}` or `{username[, origin]}` (looked up in the UAA). */
function resolveUser(d: CcDeps, body: Record<string, unknown>): User {
  const rel = isJsonObject(body.relationships) ? body.relationships.user : undefined;
  const data = isJsonObject(rel) && isJsonObject(rel.data) ? rel.data : undefined;
  if (!data) throw unprocessable("Relationships 'user' is required");
  if (isStr(data.guid)) {
    const uaaUser = d.uaa()?.model.user(data.guid);
    const existing = d.model.get('users', data.guid);
    if (!existing && !uaaUser) throw unprocessable('Invalid user. Ensure that the user exists and you have access to it.');
    return d.model.ensureUser(data.guid, uaaUser?.userName, uaaUser?.origin);
  }
  if (isStr(data.username)) {
    const origin = isStr(data.origin) ? data.origin : 'uaa';
    const uaaUser = d.uaa()?.model.userByName(data.username, origin);
    if (!uaaUser) throw unprocessable(`No user exists with the username '${data.username}' and origin '${origin}'.`);
    return d.model.ensureUser(uaaUser.id, uaaUser.userName, uaaUser.origin);
  }
  throw unprocessable('User guid or username is required');
}
