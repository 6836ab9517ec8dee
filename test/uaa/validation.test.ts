import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MOUNTS, UaaHarness, expectUaaError } from './harness.js';

describe.each(MOUNTS)('check_token, introspect, userinfo, revocation (%s)', (mode) => {
  let h: UaaHarness;
  let resource: [string, string];
  beforeEach(async () => {
    h = await UaaHarness.start(mode);
    resource = ['cc_admin', h.secret('cc_admin')];
  });
  afterEach(async () => h.close());

  const checkToken = (token: string, auth: [string, string], scopes?: string) =>
    h.request('/check_token', { form: { token, ...(scopes ? { scopes } : {}) }, basic: auth });
  const introspect = (token: string, o: { bearer?: string; basic?: [string, string] }) => h.request('/introspect', { form: { token }, ...o });

  it('/check_token returns the claims to a uaa.resource client', async () => {
    const user = await h.passwordToken('admin', h.adminPassword());
    const res = await checkToken(user.json.access_token, resource);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(decodeJwt(user.json.access_token));
    const scoped = await checkToken(user.json.access_token, resource, 'openid,cloud_controller.read');
    expect(scoped.status).toBe(200);
  });

  it('/check_token errors: missing scopes, bad token, no auth, bad auth, no uaa.resource, GET', async () => {
    const token = await h.clientToken('cc_admin');
    expectUaaError(await checkToken(token, resource, 'bosh.admin,cloud_controller.read,zz'), 400, 'invalid_scope', 'Some requested scopes are missing: bosh.admin,zz');
    // A value that is not a JWT is looked up in the revocable-token store (TokenValidationService).
    expectUaaError(await checkToken('not-a-token', resource), 400, 'invalid_token', 'The token expired, was revoked, or the token ID is incorrect.');
    expectUaaError(await checkToken('f'.repeat(32), resource), 400, 'invalid_token', 'The token expired, was revoked, or the token ID is incorrect.');
    const tampered = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expectUaaError(await checkToken(tampered, resource), 400, 'invalid_token');
    const noAuth = await h.request('/check_token', { form: { token } });
    expectUaaError(noAuth, 401, 'unauthorized');
    expect(noAuth.headers.get('www-authenticate')).toMatch(/^Basic realm="UAA\/client"/);
    expectUaaError(await checkToken(token, ['cc_admin', 'wrong']), 401, 'invalid_client', 'Bad credentials');
    expectUaaError(await checkToken(token, ['bosh_admin', h.secret('bosh_admin')]), 403, 'access_denied', 'Access is denied');
    expectUaaError(await h.request('/check_token?token=x', { method: 'GET', basic: resource }), 405, 'method_not_allowed');
    expectUaaError(await h.request('/check_token', { form: {}, basic: resource }), 400, 'invalid_request');
  });

  it('/introspect: bearer or Basic of a uaa.resource client; always 200 with active true/false', async () => {
    const bearer = await h.clientToken('cc_admin');
    const user = await h.passwordToken('admin', h.adminPassword());
    const viaBearer = await introspect(user.json.access_token, { bearer });
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.json.active).toBe(true);
    expect(Object.keys(viaBearer.json)[0]).toBe('active');
    expect(viaBearer.json.user_name).toBe('admin');
    const viaBasic = await introspect(user.json.access_token, { basic: resource });
    expect(viaBasic.json.active).toBe(true);
    for (const bad of ['garbage', 'f'.repeat(40), user.json.refresh_token]) {
      const r = await introspect(bad, { bearer });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ active: false });
    }
    // Valid through the second of exp (Date#before), inactive just after.
    await h.f.clock.advance(7200 * 1000 - 1000);
    expect((await introspect(user.json.access_token, { basic: resource })).json.active).toBe(true);
    await h.f.clock.advance(1000 + 1);
    expect((await introspect(user.json.access_token, { basic: resource })).json).toEqual({ active: false });
  });

  it('/introspect refuses callers without uaa.resource and unauthenticated callers', async () => {
    const token = await h.clientToken('bosh_admin');
    expectUaaError(await introspect(token, { bearer: token }), 403, 'insufficient_scope');
    expectUaaError(await introspect(token, {}), 401, 'unauthorized');
    expectUaaError(await introspect(token, { bearer: 'garbage-garbage-garbage-garbage-garbage' }), 401, 'invalid_token');
  });

  it('/userinfo returns the user fields UAA writes, for a user token with openid (GET and POST)', async () => {
    await h.passwordToken('admin', h.adminPassword());
    await h.f.clock.advance(1000);
    const user = await h.passwordToken('admin', h.adminPassword());
    const admin = h.uaa.model.userByName('admin')!;
    for (const method of ['GET', 'POST']) {
      const res = await h.request('/userinfo', { method, bearer: user.json.access_token });
      expect(res.status).toBe(200);
      expect(Object.keys(res.json)).toEqual(['user_id', 'user_name', 'given_name', 'family_name', 'email', 'email_verified', 'previous_logon_time', 'sub', 'name']);
      expect(res.json).toMatchObject({ user_id: admin.id, sub: admin.id, user_name: 'admin', given_name: 'Admin', family_name: 'User', name: 'Admin User', email: admin.email, email_verified: true });
      expect(res.json.previous_logon_time).toBe(h.f.clock.now() - 1000);
    }
  });

  it('/userinfo errors: no token, garbage token, no openid scope', async () => {
    const none = await h.request('/userinfo');
    expectUaaError(none, 401, 'unauthorized');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="UAA\/oauth"/);
    const garbage = await h.request('/userinfo', { bearer: 'x'.repeat(40) });
    expectUaaError(garbage, 401, 'invalid_token');
    expect(garbage.headers.get('www-authenticate')).toMatch(/^Bearer realm="UAA\/oauth", error="invalid_token"/);
    const narrow = await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword(), scope: 'cloud_controller.read' }, ['cf', '']);
    const res = await h.request('/userinfo', { bearer: narrow.json.access_token });
    expectUaaError(res, 403, 'insufficient_scope', 'Insufficient scope for this resource');
    expect(res.json.scope).toBe('openid');
  });

  describe('revocation', () => {
    it('DELETE /oauth/token/revoke/{tokenId} revokes an opaque token; it is refused everywhere afterwards', async () => {
      const opaque = await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword(), token_format: 'opaque' }, ['cf', '']);
      const token = opaque.json.access_token;
      const admin = await h.adminToken();
      expect((await checkToken(token, resource)).status).toBe(200);
      expect((await h.request('/userinfo', { bearer: token })).status).toBe(200);
      const del = await h.request(`/oauth/token/revoke/${token}`, { method: 'DELETE', bearer: admin });
      expect(del.status).toBe(200);
      expect(del.text).toBe('');
      expectUaaError(await checkToken(token, resource), 400, 'invalid_token', 'The token expired, was revoked, or the token ID is incorrect.');
      expect((await introspect(token, { basic: resource })).json).toEqual({ active: false });
      expectUaaError(await h.request('/userinfo', { bearer: token }), 401, 'invalid_token');
      expectUaaError(await h.request(`/oauth/token/revoke/${token}`, { method: 'DELETE', bearer: admin }), 404, 'invalid_token', 'Resource not found');
    });

    it('a user may revoke their own opaque token by id; not another user\'s; JWTs are not revocable by id', async () => {
      const mine = await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword(), token_format: 'opaque' }, ['cf', '']);
      h.uaa.model.addUser({ userName: 'other', password: 'pw' });
      const theirs = await h.token({ grant_type: 'password', username: 'other', password: 'pw', token_format: 'opaque' }, ['cf', '']);
      expectUaaError(await h.request(`/oauth/token/revoke/${theirs.json.access_token}`, { method: 'DELETE', bearer: mine.json.access_token }), 403, 'access_denied');
      expect((await h.request(`/oauth/token/revoke/${mine.json.access_token}`, { method: 'DELETE', bearer: mine.json.access_token })).status).toBe(200);
      const jwt = await h.adminToken();
      expectUaaError(await h.request(`/oauth/token/revoke/${decodeJwt(jwt).jti}`, { method: 'DELETE', bearer: jwt }), 404, 'invalid_token');
      expectUaaError(await h.request(`/oauth/token/revoke/${theirs.json.access_token}`, { method: 'GET', bearer: jwt }), 403, 'access_denied');
    });

    it('/oauth/token/revoke/user/{id} invalidates all of the user\'s tokens (JWT too) via rev_sig', async () => {
      const user = await h.passwordToken('admin', h.adminPassword());
      const admin = await h.adminToken();
      const id = h.uaa.model.userByName('admin')!.id;
      const res = await h.request(`/oauth/token/revoke/user/${id}`, { bearer: admin });
      expect(res.status).toBe(200);
      expectUaaError(await checkToken(user.json.access_token, resource), 400, 'invalid_token', 'revocable signature mismatch');
      expect((await introspect(user.json.access_token, { basic: resource })).json).toEqual({ active: false });
      expectUaaError(await h.token({ grant_type: 'refresh_token', refresh_token: user.json.refresh_token }, ['cf', '']), 401, 'invalid_token');
      // A fresh login works again.
      expect((await h.passwordToken('admin', h.adminPassword())).status).toBe(200);
      expectUaaError(await h.request(`/oauth/token/revoke/user/nobody`, { bearer: admin }), 404, 'invalid_token', 'Resource not found');
    });

    it('a user may revoke their own tokens; a client without tokens.revoke/uaa.admin may not revoke others', async () => {
      const user = await h.passwordToken('admin', h.adminPassword());
      const id = h.uaa.model.userByName('admin')!.id;
      const bosh = await h.clientToken('bosh_admin');
      expectUaaError(await h.request(`/oauth/token/revoke/user/${id}`, { bearer: bosh }), 403, 'access_denied', 'Access is denied');
      expect((await h.request(`/oauth/token/revoke/user/${id}`, { bearer: user.json.access_token })).status).toBe(200);
      expectUaaError(await h.request(`/oauth/token/revoke/user/${id}`, { bearer: user.json.access_token }), 401, 'invalid_token');
    });

    it('/oauth/token/revoke/client/{id} invalidates every token of the client; needs tokens.revoke or uaa.admin', async () => {
      const cc = await h.clientToken('cc_admin');
      const admin = await h.adminToken();
      expectUaaError(await h.request('/oauth/token/revoke/client/cc_admin', { bearer: cc }), 403, 'access_denied');
      expect((await checkToken(cc, resource)).status).toBe(200);
      expect((await h.request('/oauth/token/revoke/client/cc_admin', { bearer: admin })).status).toBe(200);
      expectUaaError(await checkToken(cc, resource), 400, 'invalid_token', 'revocable signature mismatch');
      expectUaaError(await h.request('/oauth/token/revoke/client/nope', { bearer: admin }), 404, 'invalid_token');
      expectUaaError(await h.request('/oauth/token/revoke/client/cc_admin'), 401, 'unauthorized');
    });

    it('/oauth/token/revoke/user/{id}/client/{cid} drops the stored tokens of that user with that client only', async () => {
      const login = (userName: string, password: string, client: string) =>
        h.token({ grant_type: 'password', username: userName, password, token_format: 'opaque' }, [client, '']);
      const viaCf = (await login('admin', h.adminPassword(), 'cf')).json.access_token;
      const viaBosh = (await login('admin', h.adminPassword(), 'bosh_cli')).json.access_token;
      h.uaa.model.addUser({ userName: 'other', password: 'pw' });
      const other = await login('other', 'pw', 'bosh_cli');
      const id = h.uaa.model.userByName('admin')!.id;
      // Neither an admin, the user, nor the client: refused, nothing dropped.
      expectUaaError(await h.request(`/oauth/token/revoke/user/${id}/client/cf`, { bearer: other.json.access_token }), 403, 'access_denied', 'Access is denied');
      expect((await checkToken(viaCf, resource)).status).toBe(200);
      const res = await h.request(`/oauth/token/revoke/user/${id}/client/cf`, { bearer: await h.adminToken() });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expectUaaError(await checkToken(viaCf, resource), 400, 'invalid_token', 'The token expired, was revoked, or the token ID is incorrect.');
      expect((await checkToken(viaBosh, resource)).status).toBe(200);
      expect((await checkToken(other.json.access_token, resource)).status).toBe(200);
      // The user may do it for their own tokens.
      const otherId = h.uaa.model.userByName('other')!.id;
      expect((await h.request(`/oauth/token/revoke/user/${otherId}/client/bosh_cli`, { bearer: other.json.access_token })).status).toBe(200);
      expectUaaError(await checkToken(other.json.access_token, resource), 400, 'invalid_token', 'The token expired, was revoked, or the token ID is incorrect.');
    });

    it('revoked tokens are refused by the admin APIs too', async () => {
      const admin = await h.adminToken();
      expect((await h.request('/oauth/clients', { bearer: admin })).status).toBe(200);
      await h.request('/oauth/token/revoke/client/admin', { bearer: admin });
      expectUaaError(await h.request('/oauth/clients', { bearer: admin }), 401, 'invalid_token', 'revocable signature mismatch');
      const fresh = await h.adminToken();
      expect((await h.request('/oauth/clients', { bearer: fresh })).status).toBe(200);
    });

    it('/oauth/token/list*: revocable tokens without their values; tokens.list or uaa.admin for others', async () => {
      const opaque = await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword(), token_format: 'opaque' }, ['cf', '']);
      const userId = h.uaa.model.userByName('admin')!.id;
      const admin = await h.adminToken();
      const byUser = await h.request(`/oauth/token/list/user/${userId}`, { bearer: admin });
      expect(byUser.status).toBe(200);
      expect(byUser.json.map((t: { tokenId: string }) => t.tokenId).sort()).toEqual([opaque.json.access_token, opaque.json.refresh_token].sort());
      const access = byUser.json.find((t: { responseType: string }) => t.responseType === 'ACCESS_TOKEN');
      expect(Object.keys(access)).toEqual(['tokenId', 'clientId', 'userId', 'format', 'responseType', 'issuedAt', 'expiresAt', 'scope', 'value', 'zoneId']);
      expect(access).toMatchObject({ clientId: 'cf', userId, format: 'OPAQUE', value: null, zoneId: 'uaa', issuedAt: h.f.clock.nowSeconds() * 1000 });
      expect((await h.request('/oauth/token/list/client/cf', { bearer: admin })).json).toHaveLength(2);
      const mine = await h.request('/oauth/token/list', { bearer: opaque.json.access_token });
      expect(mine.json).toHaveLength(2);
      expectUaaError(await h.request('/oauth/token/list/client/cf', { bearer: opaque.json.access_token }), 403, 'insufficient_scope');
    });

    it('changing a client secret invalidates its tokens', async () => {
      const cc = await h.clientToken('cc_admin');
      h.uaa.model.changeClientSecret('cc_admin', 'new-secret');
      expectUaaError(await checkToken(cc, ['cc_admin', 'new-secret']), 400, 'invalid_token', 'revocable signature mismatch');
    });
  });
});
