import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MOUNTS, UaaHarness, expectUaaError } from './harness.js';

describe.each(MOUNTS)('/oauth/clients (%s)', (mode) => {
  let h: UaaHarness;
  let admin: string;
  beforeEach(async () => {
    h = await UaaHarness.start(mode);
    admin = await h.adminToken();
  });
  afterEach(async () => h.close());

  const broker = {
    client_id: 'my-broker',
    client_secret: 'broker-secret',
    name: 'My broker',
    scope: ['uaa.none'],
    authorized_grant_types: ['client_credentials'],
    authorities: ['cloud_controller.admin', 'uaa.resource'],
    access_token_validity: 600,
  };

  it('create (201, no secret), get, token for the new client with its validity', async () => {
    const created = await h.request('/oauth/clients', { json: broker, bearer: admin });
    expect(created.status, created.text).toBe(201);
    expect(created.json.client_secret).toBeUndefined();
    expect(created.json).toMatchObject({
      client_id: 'my-broker',
      scope: ['uaa.none'],
      resource_ids: ['none'],
      authorized_grant_types: ['client_credentials'],
      authorities: ['cloud_controller.admin', 'uaa.resource'],
      autoapprove: [],
      access_token_validity: 600,
      name: 'My broker',
      lastModified: h.f.clock.now(),
    });
    const got = await h.request('/oauth/clients/my-broker', { bearer: admin });
    expect(got.status).toBe(200);
    expect(got.json).toEqual(created.json);
    const auto = await h.request('/oauth/clients', { json: { ...broker, client_id: 'auto', autoapprove: true }, bearer: admin });
    expect(auto.json.autoapprove).toEqual(['true']);
    const tok = await h.token({ grant_type: 'client_credentials' }, ['my-broker', 'broker-secret']);
    expect(tok.status).toBe(200);
    expect(tok.json.expires_in).toBe(599);
    expect(tok.json.scope.split(' ').sort()).toEqual(['cloud_controller.admin', 'uaa.resource']);
  });

  it('duplicate is 409 invalid_client; validation errors are 400 invalid_client', async () => {
    expect((await h.request('/oauth/clients', { json: broker, bearer: admin })).status).toBe(201);
    expectUaaError(await h.request('/oauth/clients', { json: broker, bearer: admin }), 409, 'invalid_client', 'Client already exists: my-broker');
    expectUaaError(await h.request('/oauth/clients', { json: { ...broker, client_id: 'x', authorized_grant_types: [] }, bearer: admin }), 400, 'invalid_client', /^An authorized grant type must be provided/);
    expectUaaError(await h.request('/oauth/clients', { json: { ...broker, client_id: 'y', authorized_grant_types: ['bogus'] }, bearer: admin }), 400, 'invalid_client', /^bogus is not an allowed grant type/);
    expectUaaError(await h.request('/oauth/clients', { json: { ...broker, client_id: 'z', client_secret: undefined }, bearer: admin }), 400, 'invalid_client', /^Client secret is required/);
    expectUaaError(await h.request('/oauth/clients', { json: { ...broker, client_id: 'w', scope: 5 }, bearer: admin }), 400, 'invalid_client');
    expectUaaError(await h.request('/oauth/clients', { json: { ...broker, client_id: '' }, bearer: admin }), 400, 'invalid_client');
  });

  it('list with SCIM filter, paging and sorting', async () => {
    const all = await h.request('/oauth/clients', { bearer: admin });
    expect(all.status).toBe(200);
    expect(all.json.schemas).toEqual(['http://cloudfoundry.org/schema/scim/oauth-clients-1.0']);
    expect(all.json.startIndex).toBe(1);
    expect(all.json.totalResults).toBe(6);
    expect(all.json.resources.map((r: { client_id: string }) => r.client_id)).toEqual(['admin', 'bosh_admin', 'bosh_cli', 'cc_admin', 'cf', 'odb']);
    expect(all.json.resources.every((r: Record<string, unknown>) => !('client_secret' in r))).toBe(true);
    const one = await h.request(`/oauth/clients?filter=${encodeURIComponent('client_id eq "cc_admin"')}`, { bearer: admin });
    expect(one.json.totalResults).toBe(1);
    expect(one.json.resources[0].client_id).toBe('cc_admin');
    const ci = await h.request(`/oauth/clients?filter=${encodeURIComponent('CLIENT_ID eq "CC_ADMIN"')}`, { bearer: admin });
    expect(ci.json.totalResults).toBe(1);
    const sw = await h.request(`/oauth/clients?filter=${encodeURIComponent('client_id sw "bosh" or client_id eq "cf"')}&sortBy=client_id&sortOrder=descending`, { bearer: admin });
    expect(sw.json.resources.map((r: { client_id: string }) => r.client_id)).toEqual(['cf', 'bosh_cli', 'bosh_admin']);
    const page = await h.request('/oauth/clients?startIndex=2&count=2', { bearer: admin });
    expect(page.json).toMatchObject({ startIndex: 2, itemsPerPage: 2, totalResults: 6 });
    expect(page.json.resources.map((r: { client_id: string }) => r.client_id)).toEqual(['bosh_admin', 'bosh_cli']);
    const bad = await h.request(`/oauth/clients?filter=${encodeURIComponent('client_id eq')}`, { bearer: admin });
    expectUaaError(bad, 400, 'unknown_error', 'Invalid filter expression: [client_id eq] [client_id]');
  });

  it('update keeps the secret; delete returns the client and then 404', async () => {
    await h.request('/oauth/clients', { json: broker, bearer: admin });
    const upd = await h.request('/oauth/clients/my-broker', { method: 'PUT', json: { client_id: 'my-broker', authorities: ['cloud_controller.read'], authorized_grant_types: ['client_credentials'] }, bearer: admin });
    expect(upd.status, upd.text).toBe(200);
    expect(upd.json.authorities).toEqual(['cloud_controller.read']);
    const tok = await h.token({ grant_type: 'client_credentials' }, ['my-broker', 'broker-secret']);
    expect(tok.json.scope).toBe('cloud_controller.read');
    expectUaaError(await h.request('/oauth/clients/my-broker', { method: 'PUT', json: { client_id: 'other' }, bearer: admin }), 400, 'invalid_client');
    const del = await h.request('/oauth/clients/my-broker', { method: 'DELETE', bearer: admin });
    expect(del.status).toBe(200);
    expect(del.json.client_id).toBe('my-broker');
    const gone = await h.request('/oauth/clients/my-broker', { bearer: admin });
    expect(gone.status).toBe(404);
    expect((await h.request('/oauth/clients/my-broker', { method: 'DELETE', bearer: admin })).status).toBe(404);
    expectUaaError(await h.token({ grant_type: 'client_credentials' }, ['my-broker', 'broker-secret']), 401, 'invalid_client');
  });

  it('PUT /oauth/clients/{id}/secret: admin sets it; the client itself must give the old one', async () => {
    await h.request('/oauth/clients', { json: { ...broker, authorities: ['clients.secret'] }, bearer: admin });
    const res = await h.request('/oauth/clients/my-broker/secret', { method: 'PUT', json: { secret: 's2' }, bearer: admin });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok', message: 'secret updated' });
    expectUaaError(await h.token({ grant_type: 'client_credentials' }, ['my-broker', 'broker-secret']), 401, 'invalid_client');
    const self = await h.clientToken('my-broker');
    expectUaaError(await h.request('/oauth/clients/my-broker/secret', { method: 'PUT', json: { secret: 's3', oldSecret: 'nope' }, bearer: self }), 400, 'invalid_client');
    expect((await h.request('/oauth/clients/my-broker/secret', { method: 'PUT', json: { secret: 's3', oldSecret: 's2' }, bearer: self })).status).toBe(200);
    expect((await h.token({ grant_type: 'client_credentials' }, ['my-broker', 's3'])).status).toBe(200);
  });

  it('PUT /oauth/clients/{id}/secret: who may, and what each refusal says', async () => {
    await h.request('/oauth/clients', { json: broker, bearer: admin });
    const other = await h.clientToken('bosh_admin');
    const forbidden = await h.request('/oauth/clients/my-broker/secret', { method: 'PUT', json: { secret: 's2', oldSecret: 'broker-secret' }, bearer: other });
    expectUaaError(forbidden, 403, 'insufficient_scope');
    expect(forbidden.json.scope).toBe('clients.secret clients.admin uaa.admin zones.uaa.admin');
    // The client itself, without clients.secret, may; it must give its old secret.
    const self = await h.clientToken('my-broker');
    expectUaaError(await h.request('/oauth/clients/my-broker/secret', { method: 'PUT', json: { secret: 's2' }, bearer: self }), 400, 'invalid_client', 'Previous secret is required and must be valid');
    expectUaaError(await h.request('/oauth/clients/my-broker/secret', { method: 'PUT', json: { oldSecret: 'broker-secret' }, bearer: self }), 400, 'invalid_client', 'New secret is required');
    expectUaaError(await h.request('/oauth/clients/my-broker/secret', { method: 'PUT', json: { secret: '' }, bearer: admin }), 400, 'invalid_client', 'New secret is required');
    const unknown = await h.request('/oauth/clients/no-such-client/secret', { method: 'PUT', json: { secret: 's2' }, bearer: admin });
    expect([unknown.status, unknown.text]).toEqual([404, '']);
    const updated = await h.request('/oauth/clients/my-broker/secret', { method: 'PUT', json: { secret: 's2', oldSecret: 'broker-secret', changeMode: 'UPDATE' }, bearer: self });
    expect(updated.status, updated.text).toBe(200);
    expect((await h.token({ grant_type: 'client_credentials' }, ['my-broker', 's2'])).status).toBe(200);
  });

  it('PUT /oauth/clients/{id}/secret changeMode ADD and DELETE: two secrets at most, either authenticates, DELETE drops the first', async () => {
    await h.request('/oauth/clients', { json: { ...broker, authorities: ['uaa.resource'] }, bearer: admin });
    const secretPut = (json: Record<string, unknown>, bearer = admin) => h.request('/oauth/clients/my-broker/secret', { method: 'PUT', json, bearer });
    const tokenWith = (secret: string) => h.token({ grant_type: 'client_credentials' }, ['my-broker', secret]);
    const check = (token: string) => h.request('/check_token', { form: { token }, basic: ['my-broker', 'broker-secret'] });
    const before = (await tokenWith('broker-secret')).json.access_token as string;

    expectUaaError(await secretPut({ changeMode: 'DELETE' }), 400, 'invalid_client', 'client secret is either empty or client has only one secret.');
    expect((await secretPut({ secret: 'second', changeMode: 'ADD' })).json).toEqual({ status: 'ok', message: 'Secret is added' });
    expectUaaError(await secretPut({ secret: 'third', changeMode: 'ADD' }), 400, 'invalid_client', 'client secret is either empty or client already has two secrets.');
    expectUaaError(await secretPut({ changeMode: 'MERGE' }), 400, 'invalid_client', 'Unsupported changeMode: MERGE');
    // Both secrets authenticate; a token from before the ADD still checks out, as do new ones.
    expect((await tokenWith('broker-secret')).status).toBe(200);
    const after = (await tokenWith('second')).json.access_token as string;
    expect((await check(before)).status).toBe(200);
    expect((await check(after)).status).toBe(200);
    // The client itself may give either secret as the old one.
    const self = await h.clientToken('my-broker');
    expectUaaError(await secretPut({ changeMode: 'DELETE', oldSecret: 'nope' }, self), 400, 'invalid_client', 'Previous secret is required and must be valid');

    expect((await secretPut({ changeMode: 'DELETE', oldSecret: 'second' }, self)).json).toEqual({ status: 'ok', message: 'Secret is deleted' });
    expectUaaError(await tokenWith('broker-secret'), 401, 'invalid_client');
    expect((await tokenWith('second')).status).toBe(200);
    // Tokens signed while the first secret was the newest stop verifying; those of the second do not.
    const checkAs = (token: string) => h.request('/check_token', { form: { token }, basic: ['my-broker', 'second'] });
    expectUaaError(await checkAs(before), 400, 'invalid_token', 'revocable signature mismatch');
    expect((await checkAs(after)).status).toBe(200);

    // UPDATE replaces both.
    await secretPut({ secret: 'again', changeMode: 'ADD' });
    expect((await secretPut({ secret: 'only' })).json).toEqual({ status: 'ok', message: 'secret updated' });
    for (const old of ['second', 'again']) expectUaaError(await tokenWith(old), 401, 'invalid_client');
    expect((await tokenWith('only')).status).toBe(200);
  });

  it('autoapprove: true, "true" and ["true"] all mean every scope; a list is kept as given', async () => {
    for (const [id, autoapprove, shown] of [
      ['a1', true, ['true']],
      ['a2', 'true', ['true']],
      ['a3', ['true'], ['true']],
      ['a4', ['openid'], ['openid']],
      ['a5', null, []],
    ] as const) {
      const res = await h.request('/oauth/clients', { json: { ...broker, client_id: id, autoapprove }, bearer: admin });
      expect(res.status, res.text).toBe(201);
      expect(res.json.autoapprove, id).toEqual(shown);
    }
  });

  it('PUT /oauth/clients/{id} takes the id from the path when the body has none', async () => {
    await h.request('/oauth/clients', { json: broker, bearer: admin });
    const upd = await h.request('/oauth/clients/my-broker', { method: 'PUT', json: { scope: ['openid'], authorized_grant_types: ['client_credentials'] }, bearer: admin });
    expect(upd.status, upd.text).toBe(200);
    expect(upd.json).toMatchObject({ client_id: 'my-broker', scope: ['openid'] });
  });

  it('guards: 401 without or with a bad token (UAA body + WWW-Authenticate), 403 insufficient_scope', async () => {
    const none = await h.request('/oauth/clients');
    expectUaaError(none, 401, 'unauthorized', 'Full authentication is required to access this resource');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="UAA/oauth", error="unauthorized", error_description="Full authentication is required to access this resource"');
    const bad = await h.request('/oauth/clients', { bearer: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' });
    expectUaaError(bad, 401, 'invalid_token');
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer realm="UAA\/oauth", error="invalid_token"/);
    const bosh = await h.clientToken('bosh_admin');
    const forbidden = await h.request('/oauth/clients', { bearer: bosh });
    expectUaaError(forbidden, 403, 'insufficient_scope', 'Insufficient scope for this resource');
    expect(forbidden.json.scope).toBe('clients.read clients.admin uaa.admin zones.uaa.admin');
    const readOnly = await h.clientToken('admin', 'clients.read');
    expect((await h.request('/oauth/clients', { bearer: readOnly })).status).toBe(200);
    expectUaaError(await h.request('/oauth/clients', { json: broker, bearer: readOnly }), 403, 'insufficient_scope');
    expect(h.uaa.model.client('my-broker')).toBeUndefined();
  });

  it('garbage JSON and wrong content types are UAA errors, never 500, and change nothing', async () => {
    const before = JSON.stringify(h.uaa.snapshot().clients);
    expectUaaError(await h.request('/oauth/clients', { body: '{"client_id": ', headers: { 'content-type': 'application/json' }, bearer: admin }), 400, 'invalid_client');
    expectUaaError(await h.request('/oauth/clients', { body: '[1,2]', headers: { 'content-type': 'application/json' }, bearer: admin }), 400, 'invalid_client');
    expectUaaError(await h.request('/oauth/clients', { body: 'client_id=x', headers: { 'content-type': 'text/plain' }, bearer: admin }), 415, 'invalid_request');
    expect(JSON.stringify(h.uaa.snapshot().clients)).toBe(before);
  });
});
