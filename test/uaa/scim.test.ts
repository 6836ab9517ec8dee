import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MOUNTS, UaaHarness, expectUaaError } from './harness.js';

const q = (s: string) => encodeURIComponent(s);

describe.each(MOUNTS)('SCIM /Users and /Groups (%s)', (mode) => {
  let h: UaaHarness;
  let admin: string;
  beforeEach(async () => {
    h = await UaaHarness.start(mode);
    admin = await h.adminToken();
  });
  afterEach(async () => h.close());

  const newUser = (userName = 'alice', extra: Record<string, unknown> = {}) => ({
    userName,
    password: 'secret1',
    name: { givenName: 'Alice', familyName: 'Liddell' },
    emails: [{ value: `${userName}@example.org`, primary: true }],
    ...extra,
  });
  const createUser = (body = newUser()) => h.request('/Users', { json: body, bearer: admin });

  it('POST /Users: 201, SCIM 1.0 shape, ETag, default groups; the user can log in', async () => {
    const res = await createUser();
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('etag')).toBe('"0"');
    expect(Object.keys(res.json)).toEqual([
      'id', 'meta', 'userName', 'name', 'emails', 'groups', 'approvals', 'active', 'verified', 'origin', 'zoneId', 'passwordLastModified', 'schemas',
    ]);
    expect(res.json).toMatchObject({
      userName: 'alice',
      name: { familyName: 'Liddell', givenName: 'Alice' },
      emails: [{ value: 'alice@example.org', primary: false }],
      active: true,
      verified: true,
      origin: 'uaa',
      zoneId: 'uaa',
      schemas: ['urn:scim:schemas:core:1.0'],
      meta: { version: 0, created: h.f.clock.date().toISOString(), lastModified: h.f.clock.date().toISOString() },
    });
    expect(res.json.password).toBeUndefined();
    expect(res.json.groups.map((g: { display: string }) => g.display)).toContain('openid');
    expect(res.json.groups.every((g: { type: string }) => g.type === 'DIRECT')).toBe(true);
    const tok = await h.passwordToken('alice', 'secret1');
    expect(tok.status).toBe(200);
    expect(decodeJwt(tok.json.access_token).user_id).toBe(res.json.id);
  });

  it('POST /Users errors: duplicate 409 with user_id, missing userName/email 400, garbage JSON 400, no scope 403', async () => {
    const first = await createUser();
    const dup = await createUser(newUser('ALICE'));
    expectUaaError(dup, 409, 'scim_resource_already_exists', 'Username already in use: alice');
    expect(dup.json.message).toBe('Username already in use: alice');
    expect(dup.json.user_id).toBe(first.json.id);
    expectUaaError(await createUser({ ...newUser(), userName: undefined } as never), 400, 'invalid_scim_resource', 'A username must be provided.');
    expectUaaError(await createUser({ ...newUser('bob'), emails: undefined } as never), 400, 'invalid_scim_resource', 'Exactly one email must be provided.');
    expectUaaError(await h.request('/Users', { body: '{"userName":', headers: { 'content-type': 'application/json' }, bearer: admin }), 400, 'scim');
    expectUaaError(await h.request('/Users', { body: 'x', headers: { 'content-type': 'text/plain' }, bearer: admin }), 415, 'scim');
    const bosh = await h.clientToken('bosh_admin');
    const forbidden = await h.request('/Users', { json: newUser('carol'), bearer: bosh });
    expectUaaError(forbidden, 403, 'insufficient_scope');
    expect(forbidden.json.scope).toBe('scim.write scim.create uaa.admin');
    expect(h.uaa.model.userByName('carol')).toBeUndefined();
  });

  it('GET /Users: filter (eq case-insensitive, co, sw, pr, and/or, parentheses), attributes, paging, bad filter', async () => {
    await createUser(newUser('alice'));
    await h.f.clock.advance(1000);
    await createUser(newUser('bob'));
    await h.f.clock.advance(1000);
    await createUser(newUser('bobby'));
    const list = async (query: string) => {
      const r = await h.request(`/Users?${query}`, { bearer: admin });
      expect(r.status, r.text).toBe(200);
      return r.json;
    };
    expect((await list(`filter=${q('userName eq "ALICE"')}`)).resources.map((u: { userName: string }) => u.userName)).toEqual(['alice']);
    expect((await list(`filter=${q('username sw "bob"')}`)).totalResults).toBe(2);
    expect((await list(`filter=${q('userName co "ob" and origin eq "uaa"')}`)).totalResults).toBe(2);
    expect((await list(`filter=${q('(userName eq "alice" or userName eq "bob") and email co "example.org"')}`)).totalResults).toBe(2);
    expect((await list(`filter=${q('emails.value eq "bob@example.org"')}`)).totalResults).toBe(1);
    expect((await list(`filter=${q('id pr')}`)).totalResults).toBe(4);
    const all = await list('sortBy=userName&sortOrder=descending');
    expect(all.resources.map((u: { userName: string }) => u.userName)).toEqual(['bobby', 'bob', 'alice', 'admin']);
    expect(all).toMatchObject({ startIndex: 1, itemsPerPage: 100, totalResults: 4, schemas: ['urn:scim:schemas:core:1.0'] });
    const page = await list('startIndex=2&count=1');
    expect(page.resources).toHaveLength(1);
    expect(page).toMatchObject({ startIndex: 2, itemsPerPage: 1, totalResults: 4 });
    const attrs = await list(`attributes=${q('id,userName,familyName')}&filter=${q('userName eq "bob"')}`);
    expect(attrs.resources).toEqual([{ id: h.uaa.model.userByName('bob')!.id, userName: 'bob', familyName: 'Liddell' }]);
    const bad = await h.request(`/Users?filter=${q('userName eq bob')}`, { bearer: admin });
    expectUaaError(bad, 400, 'scim', 'Invalid filter expression: [userName eq bob] [created]');
    expectUaaError(await h.request(`/Users?filter=${q('(userName eq "a"')}`, { bearer: admin }), 400, 'scim');
    expectUaaError(await h.request('/Users?count=lots', { bearer: admin }), 400, 'scim');
  });

  it('GET/PUT/PATCH/DELETE /Users/{id} with If-Match versions: 400 without, 409 on a stale one', async () => {
    const id = (await createUser()).json.id;
    const got = await h.request(`/Users/${id}`, { bearer: admin });
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"0"');
    const body = { ...newUser(), name: { givenName: 'Alicia', familyName: 'L' } };
    expectUaaError(await h.request(`/Users/${id}`, { method: 'PUT', json: body, bearer: admin }), 400, 'scim', 'Missing If-Match for PUT');
    expectUaaError(await h.request(`/Users/${id}`, { method: 'PUT', json: body, bearer: admin, headers: { 'if-match': 'abc' } }), 400, 'scim', /^Invalid version match header/);
    const put = await h.request(`/Users/${id}`, { method: 'PUT', json: body, bearer: admin, headers: { 'if-match': '"0"' } });
    expect(put.status, put.text).toBe(200);
    expect(put.json.name.givenName).toBe('Alicia');
    expect(put.json.meta.version).toBe(1);
    expect(put.headers.get('etag')).toBe('"1"');
    const stale = await h.request(`/Users/${id}`, { method: 'PUT', json: body, bearer: admin, headers: { 'if-match': '0' } });
    expectUaaError(stale, 409, 'scim_resource_conflict');
    const patch = await h.request(`/Users/${id}`, { method: 'PATCH', json: { name: { givenName: 'Al' } }, bearer: admin, headers: { 'if-match': '*' } });
    expect(patch.status).toBe(200);
    expect(patch.json).toMatchObject({ userName: 'alice', name: { givenName: 'Al', familyName: 'L' }, meta: { version: 2 } });
    expectUaaError(await h.request(`/Users/${id}`, { method: 'DELETE', bearer: admin, headers: { 'if-match': '1' } }), 409, 'scim');
    const del = await h.request(`/Users/${id}`, { method: 'DELETE', bearer: admin });
    expect(del.status).toBe(200);
    expect(del.json.id).toBe(id);
    expectUaaError(await h.request(`/Users/${id}`, { bearer: admin }), 404, 'scim_resource_not_found', `User ${id} does not exist`);
    expect(Object.values(h.uaa.model.state.groups).some((g) => g.members.some((m) => m.value === id))).toBe(false);
  });

  it('a cf token without scim.me cannot read the user; PUT /Users/{id}/password by admin and by the user', async () => {
    const id = (await createUser()).json.id;
    const alice = await h.passwordToken('alice', 'secret1');
    const self = await h.request(`/Users/${id}`, { bearer: alice.json.access_token });
    expect(self.status).toBe(403); // the cf client does not carry scim.me
    const admPw = await h.request(`/Users/${id}/password`, { method: 'PUT', json: { password: 'secret2' }, bearer: admin });
    expect(admPw.status, admPw.text).toBe(200);
    expect(admPw.json).toEqual({ status: 'ok', message: 'password updated' });
    expectUaaError(await h.passwordToken('alice', 'secret1'), 401, 'invalid_client', 'Bad credentials');
    const fresh = await h.passwordToken('alice', 'secret2');
    expect(fresh.status).toBe(200);
    expectUaaError(await h.request(`/Users/${id}/password`, { method: 'PUT', json: { password: 'secret3', oldPassword: 'wrong' }, bearer: fresh.json.access_token }), 401, 'unauthorized');
    expect((await h.request(`/Users/${id}/password`, { method: 'PUT', json: { password: 'secret3', oldPassword: 'secret2' }, bearer: fresh.json.access_token })).status).toBe(200);
    expect((await h.passwordToken('alice', 'secret3')).status).toBe(200);
  });

  it('PUT /Users/{id}/password refusals: another user, a client without the scopes, a wrong old password, an empty or unchanged new one', async () => {
    const id = (await createUser()).json.id;
    const bobId = (await createUser(newUser('bob'))).json.id;
    const bob = (await h.passwordToken('bob', 'secret1')).json.access_token;
    expectUaaError(await h.request(`/Users/${id}/password`, { method: 'PUT', json: { password: 'x2', oldPassword: 'secret1' }, bearer: bob }), 403, 'access_denied', 'Access is denied');
    const client = await h.clientToken('bosh_admin');
    expectUaaError(await h.request(`/Users/${id}/password`, { method: 'PUT', json: { password: 'x2' }, bearer: client }), 403, 'insufficient_scope');
    expectUaaError(await h.request(`/Users/${bobId}/password`, { method: 'PUT', json: { password: 'x2' }, bearer: bob }), 401, 'unauthorized', 'Old password is incorrect');
    expectUaaError(await h.request(`/Users/${id}/password`, { method: 'PUT', json: { password: '' }, bearer: admin }), 422, 'invalid_password', 'Password must be at least 1 characters in length.');
    expectUaaError(await h.request(`/Users/${bobId}/password`, { method: 'PUT', json: { password: 'secret1', oldPassword: 'secret1' }, bearer: bob }), 422, 'invalid_password', 'Your new password cannot be the same as the old password.');
    expect((await h.passwordToken('alice', 'secret1')).status).toBe(200);
    expect((await h.passwordToken('bob', 'secret1')).status).toBe(200);
  });

  it('PATCH /Users/{id}/status: unlocking answers with the field given; other origins and removing the change requirement are refused', async () => {
    const id = (await createUser()).json.id;
    const unlock = await h.request(`/Users/${id}/status`, { method: 'PATCH', json: { locked: false }, bearer: admin });
    expect([unlock.status, unlock.json]).toEqual([200, { locked: false }]);
    const both = await h.request(`/Users/${id}/status`, { method: 'PATCH', json: { locked: false, passwordChangeRequired: true }, bearer: admin });
    expect(both.json).toEqual({ locked: false, passwordChangeRequired: true });
    expect((await h.request(`/Users/${id}/status`, { method: 'PATCH', json: {}, bearer: admin })).json).toEqual({});
    expectUaaError(await h.request(`/Users/${id}/status`, { method: 'PATCH', json: { passwordChangeRequired: false }, bearer: admin }), 400, 'scim', 'The requirement that this user change their password cannot be removed via API.');
    const ldap = (await createUser(newUser('lena', { origin: 'ldap' }))).json.id;
    expectUaaError(await h.request(`/Users/${ldap}/status`, { method: 'PATCH', json: { locked: false }, bearer: admin }), 400, 'scim', 'Can only manage users from the internal user store.');
  });

  it('PATCH /Users/{id}/status: require a password change (the password grant then refuses), never lock', async () => {
    const id = (await createUser()).json.id;
    const st = await h.request(`/Users/${id}/status`, { method: 'PATCH', json: { passwordChangeRequired: true }, bearer: admin });
    expect(st.status, st.text).toBe(200);
    expect(st.json).toEqual({ passwordChangeRequired: true });
    expectUaaError(await h.passwordToken('alice', 'secret1'), 401, 'unauthorized', 'password change required');
    expectUaaError(await h.request(`/Users/${id}/status`, { method: 'PATCH', json: { locked: true }, bearer: admin }), 400, 'scim', /^Cannot set user account to locked/);
    expectUaaError(await h.request(`/Users/${id}/status`, { method: 'PATCH', json: { passwordChangeRequired: false }, bearer: admin }), 400, 'scim');
    await h.request(`/Users/${id}/password`, { method: 'PUT', json: { password: 'fresh1' }, bearer: admin });
    expect((await h.passwordToken('alice', 'fresh1')).status).toBe(200);
  });

  it('/ids/Users maps ids and names; only id, userName, origin may be filtered', async () => {
    const id = (await createUser()).json.id;
    const res = await h.request(`/ids/Users?filter=${q('userName eq "alice"')}`, { bearer: admin });
    expect(res.status).toBe(200);
    expect(res.json.resources).toEqual([{ id, userName: 'alice', origin: 'uaa' }]);
    expectUaaError(await h.request(`/ids/Users?filter=${q('email eq "x"')}`, { bearer: admin }), 400, 'scim');
  });

  it('/Users input: the primary email wins, phone numbers, origin, active, verified and externalId are kept; malformed name or emails are 400', async () => {
    const created = await createUser(newUser('carol', {
      emails: [{ value: 'work@example.org', primary: false }, { value: 'home@example.org', primary: true }],
      phoneNumbers: [{ value: '+1 555' }, { type: 'no value' }],
      active: false,
      verified: false,
      externalId: 'ext-7',
    }));
    expect(created.status, created.text).toBe(201);
    expect(created.json.emails.map((e: { value: string }) => e.value)).toEqual(['home@example.org']);
    expect(created.json.phoneNumbers).toEqual([{ value: '+1 555' }]);
    expect(created.json).toMatchObject({ active: false, verified: false, externalId: 'ext-7', origin: 'uaa' });
    const first = await createUser(newUser('dave', { emails: [{ value: 'a@example.org' }, { value: 'b@example.org' }] }));
    expect(first.json.emails.map((e: { value: string }) => e.value)).toEqual(['a@example.org']);
    for (const bad of [{ name: 'x' }, { name: ['x'] }, { emails: 'x' }, { emails: [null] }, { emails: [{}] }, { emails: [{ value: 1 }] }]) {
      expectUaaError(await createUser(newUser('erin', bad)), 400, 'invalid_scim_resource');
    }
    expect(h.uaa.model.userByName('erin')).toBeUndefined();
  });

  it('If-Match on DELETE /Users: quotes and spaces around the number are fine, * is the current version, anything else is 400', async () => {
    for (const header of ['0x', 'x0', '1.5', '']) {
      const id = (await createUser(newUser(`u${header.length}${header.replace(/\W/g, '')}`))).json.id;
      expectUaaError(await h.request(`/Users/${id}`, { method: 'DELETE', bearer: admin, headers: { 'if-match': header } }), 400, 'scim', `Invalid version match header (should be a version number): ${header}`);
    }
    for (const header of [' "0" ', '""0""', '"*"']) {
      const id = (await createUser(newUser(`ok${header.length}`))).json.id;
      const del = await h.request(`/Users/${id}`, { method: 'DELETE', bearer: admin, headers: { 'if-match': header } });
      expect(del.status, `${header}: ${del.text}`).toBe(200);
      expect(del.headers.get('etag')).toBe('"0"');
    }
  });

  it('/Groups: create, get, list with filter, update with If-Match, delete; duplicate 409', async () => {
    const created = await h.request('/Groups', { json: { displayName: 'brokers.admin', description: 'Broker admins' }, bearer: admin });
    expect(created.status, created.text).toBe(201);
    expect(Object.keys(created.json)).toEqual(['id', 'meta', 'displayName', 'description', 'members', 'zoneId', 'schemas']);
    expect(created.json).toMatchObject({ displayName: 'brokers.admin', members: [], zoneId: 'uaa', meta: { version: 0 } });
    const id = created.json.id;
    expectUaaError(await h.request('/Groups', { json: { displayName: 'brokers.admin' }, bearer: admin }), 409, 'scim_resource_already_exists', 'A group with displayName: brokers.admin already exists.');
    expectUaaError(await h.request('/Groups', { json: { description: 'x' }, bearer: admin }), 400, 'invalid_scim_resource');
    const list = await h.request(`/Groups?filter=${q('displayName eq "cloud_controller.admin"')}`, { bearer: admin });
    expect(list.json.totalResults).toBe(1);
    expect(list.json.resources[0].members.map((m: { value: string }) => m.value)).toContain(h.uaa.model.userByName('admin')!.id);
    expect((await h.request(`/Groups/${id}`, { bearer: admin })).json.displayName).toBe('brokers.admin');
    const put = await h.request(`/Groups/${id}`, { method: 'PUT', json: { displayName: 'brokers.admin', description: 'new' }, bearer: admin, headers: { 'if-match': '0' } });
    expect(put.status).toBe(200);
    expect(put.json.meta.version).toBe(1);
    expectUaaError(await h.request(`/Groups/${id}`, { method: 'PUT', json: { displayName: 'brokers.admin' }, bearer: admin, headers: { 'if-match': '0' } }), 409, 'scim_resource_conflict');
    expect((await h.request(`/Groups/${id}`, { method: 'DELETE', bearer: admin })).status).toBe(200);
    expectUaaError(await h.request(`/Groups/${id}`, { bearer: admin }), 404, 'scim_resource_not_found');
  });

  it('group membership gives user token scopes; removing it takes them away', async () => {
    const userId = (await createUser()).json.id;
    const group = (await h.request(`/Groups?filter=${q('displayName eq "cloud_controller.admin"')}`, { bearer: admin })).json.resources[0];
    const before = await h.passwordToken('alice', 'secret1');
    expect(decodeJwt(before.json.access_token).scope).not.toContain('cloud_controller.admin');
    const add = await h.request(`/Groups/${group.id}/members`, { json: { origin: 'uaa', type: 'USER', value: userId }, bearer: admin });
    expect(add.status, add.text).toBe(201);
    expect(add.json).toEqual({ origin: 'uaa', type: 'USER', value: userId });
    expectUaaError(await h.request(`/Groups/${group.id}/members`, { json: { type: 'USER', value: userId }, bearer: admin }), 409, 'member_already_exists');
    expectUaaError(await h.request(`/Groups/${group.id}/members`, { json: { type: 'USER', value: 'no-such-user' }, bearer: admin }), 404, 'scim_resource_not_found');
    const members = await h.request(`/Groups/${group.id}/members`, { bearer: admin });
    expect(members.json.map((m: { value: string }) => m.value)).toContain(userId);
    expect((await h.request(`/Groups/${group.id}/members/${userId}`, { bearer: admin })).json.value).toBe(userId);
    const after = await h.passwordToken('alice', 'secret1');
    expect(decodeJwt(after.json.access_token).scope).toContain('cloud_controller.admin');
    const user = await h.request(`/Users/${userId}`, { bearer: admin });
    expect(user.json.groups).toContainEqual({ value: group.id, display: 'cloud_controller.admin', type: 'DIRECT' });
    expect((await h.request(`/Groups/${group.id}/members/${userId}`, { method: 'DELETE', bearer: admin })).status).toBe(200);
    expectUaaError(await h.request(`/Groups/${group.id}/members/${userId}`, { bearer: admin }), 404, 'member_not_found');
    const removed = await h.passwordToken('alice', 'secret1');
    expect(decodeJwt(removed.json.access_token).scope).not.toContain('cloud_controller.admin');
  });

  it('nested groups give scopes too and show up as INDIRECT', async () => {
    const userId = (await createUser()).json.id;
    const inner = (await h.request('/Groups', { json: { displayName: 'team', members: [{ value: userId, type: 'USER' }] }, bearer: admin })).json;
    const outer = (await h.request(`/Groups?filter=${q('displayName eq "cloud_controller.admin"')}`, { bearer: admin })).json.resources[0];
    expect((await h.request(`/Groups/${outer.id}/members`, { json: { value: inner.id, type: 'GROUP' }, bearer: admin })).status).toBe(201);
    const tok = await h.passwordToken('alice', 'secret1');
    expect(decodeJwt(tok.json.access_token).scope).toContain('cloud_controller.admin');
    const user = await h.request(`/Users/${userId}`, { bearer: admin });
    expect(user.json.groups).toContainEqual({ value: outer.id, display: 'cloud_controller.admin', type: 'INDIRECT' });
  });

  it('/Groups/:id: PUT replaces members, PATCH adds to them and keeps the rest; If-Match required (* = current); ETag is the version', async () => {
    const alice = (await createUser()).json.id;
    const bob = (await createUser(newUser('bob'))).json.id;
    const created = await h.request('/Groups', { json: { displayName: 'team', description: 'd', members: [{ value: alice }] }, bearer: admin });
    expect(created.headers.get('etag')).toBe('"0"');
    // A member without type or origin is a uaa USER.
    expect(created.json.members).toEqual([{ value: alice, type: 'USER', origin: 'uaa' }]);
    const id = created.json.id;
    expect((await h.request(`/Groups/${id}`, { bearer: admin })).headers.get('etag')).toBe('"0"');
    for (const method of ['PUT', 'PATCH']) {
      expectUaaError(await h.request(`/Groups/${id}`, { method, json: { displayName: 'team' }, bearer: admin }), 400, 'scim', `Missing If-Match for ${method}`);
    }
    const patched = await h.request(`/Groups/${id}`, { method: 'PATCH', json: { members: [{ value: bob }, { value: alice }] }, bearer: admin, headers: { 'if-match': '*' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.headers.get('etag')).toBe('"1"');
    expect(patched.json).toMatchObject({ displayName: 'team', description: 'd', meta: { version: 1 } });
    expect(patched.json.members.map((m: { value: string }) => m.value)).toEqual([alice, bob]);
    const put = await h.request(`/Groups/${id}`, { method: 'PUT', json: { displayName: 'team2', members: [{ value: bob }] }, bearer: admin, headers: { 'if-match': '"1"' } });
    expect(put.status, put.text).toBe(200);
    expect(put.headers.get('etag')).toBe('"2"');
    expect(put.json.displayName).toBe('team2');
    expect(put.json.members.map((m: { value: string }) => m.value)).toEqual([bob]);
    const bad = [{ members: 'x' }, { members: [1] }, { members: [[]] }, { members: [null] }];
    for (const body of bad) {
      expectUaaError(await h.request(`/Groups/${id}`, { method: 'PUT', json: { displayName: 'team2', ...body }, bearer: admin, headers: { 'if-match': '*' } }), 400, 'invalid_scim_resource');
    }
    expect((await h.request(`/Groups/${id}`, { bearer: admin })).json.meta.version).toBe(2);
    expectUaaError(await h.request(`/Groups/${id}/members/${alice}`, { bearer: admin }), 404, 'member_not_found', `Member ${alice} does not exist in group ${id}`);
    const removed = await h.request(`/Groups/${id}/members/${bob}`, { method: 'DELETE', bearer: admin });
    expect(removed.json).toEqual({ origin: 'uaa', type: 'USER', value: bob });
  });

  it('/Groups guards: scim.read to read, scim.write to write', async () => {
    const reader = await h.clientToken('admin', 'scim.read');
    expect((await h.request('/Groups', { bearer: reader })).status).toBe(200);
    const w = await h.request('/Groups', { json: { displayName: 'x' }, bearer: reader });
    expectUaaError(w, 403, 'insufficient_scope');
    expect(w.json.scope).toBe('scim.write groups.update uaa.admin');
    expectUaaError(await h.request('/Groups'), 401, 'unauthorized');
  });
});
