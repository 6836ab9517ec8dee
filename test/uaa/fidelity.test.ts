import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { audienceFor } from '../../fakes/uaa/tokens.js';
import { MOUNTS, UaaHarness, basic, expectUaaError } from './harness.js';

/**
 * Second-opinion checks against UAA's sources (UaaTokenServices, RefreshTokenCreator,
 * UaaAuthorizationRequestManager, TokenValidationService, ClientBasicAuthenticationFilter) and
 * against what the cf CLI and bosh-cli send.
 */
describe('aud as UaaAuthorizationRequestManager.getResourceIds computes it', () => {
  it('client id, openid, dotted-scope prefixes; never dotless scopes, uaa.none or a trailing dot', () => {
    expect(audienceFor('c', ['openid', 'cloud_controller.read', 'scim.write', 'uaa.user'])).toEqual(['c', 'openid', 'cloud_controller', 'scim', 'uaa']);
    expect(audienceFor('c', ['uaa.none', 'profile', 'roles', 'weird.', 'a.b.c'])).toEqual(['c', 'a.b']);
  });
});

describe.each(MOUNTS)('UAA fidelity details (%s)', (mode) => {
  let h: UaaHarness;
  beforeEach(async () => {
    h = await UaaHarness.start(mode);
  });
  afterEach(async () => h.close());

  it('a client token for dotless authorities has only the client id in aud', async () => {
    h.uaa.model.addClient({ client_id: 'plain', client_secret: 's', authorities: ['uaa.none', 'profile'] });
    const res = await h.token({ grant_type: 'client_credentials' }, ['plain', 's']);
    expect(res.status, res.text).toBe(200);
    expect(decodeJwt(res.json.access_token).aud).toEqual(['plain']);
  });

  it('client_credentials narrowed by scope: `scope` is narrowed, `authorities` still lists every client authority', async () => {
    const res = await h.token({ grant_type: 'client_credentials', scope: 'cloud_controller.read' }, ['cc_admin', h.secret('cc_admin')]);
    expect(res.status, res.text).toBe(200);
    const claims = decodeJwt(res.json.access_token);
    expect(claims.scope).toEqual(['cloud_controller.read']);
    expect([...(claims.authorities as string[])].sort()).toEqual([...h.uaa.model.client('cc_admin')!.authorities].sort());
    expect(claims.aud).toEqual(['cc_admin', 'cloud_controller']);
  });

  it('user tokens have no authorities claim', async () => {
    const res = await h.passwordToken('admin', h.adminPassword());
    expect(decodeJwt(res.json.access_token).authorities).toBeUndefined();
  });

  it('refresh grant: access token keeps the original grant_type and the refresh token aud, even when narrowed', async () => {
    const first = await h.passwordToken('admin', h.adminPassword());
    const firstClaims = decodeJwt(first.json.access_token);
    const refreshClaims = decodeJwt(first.json.refresh_token);
    expect(refreshClaims.grant_type).toBe('password');
    expect(refreshClaims.client_auth_method).toBe(firstClaims.client_auth_method);
    expect(refreshClaims.granted_scopes).toEqual(firstClaims.scope);
    expect(refreshClaims.jti).toMatch(/^[0-9a-f]{32}-r$/);
    expect(refreshClaims.aud).toEqual(firstClaims.aud);
    const narrowed = await h.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token, scope: 'openid' }, ['cf', '']);
    expect(narrowed.status, narrowed.text).toBe(200);
    const claims = decodeJwt(narrowed.json.access_token);
    expect(claims.grant_type).toBe('password');
    expect(claims.scope).toEqual(['openid']);
    // CC still accepts it: aud comes from the refresh token, not from the narrowed scope.
    expect(claims.aud).toEqual(firstClaims.aud);
    expect(claims.aud).toContain('cloud_controller');
  });

  it('refresh grant asking for scopes outside the grant: UAA wording with the requested set', async () => {
    const first = await h.passwordToken('admin', h.adminPassword());
    const wide = await h.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token, scope: 'openid bosh.admin' }, ['cf', '']);
    expectUaaError(wide, 400, 'invalid_scope', 'Unable to narrow the scope of the client authentication to [bosh.admin, openid].');
  });

  it('refresh grant checks the client before expiry (an expired token of another client is invalid_grant)', async () => {
    const first = await h.passwordToken('admin', h.adminPassword());
    await h.f.clock.advance(40 * 24 * 3600 * 1000);
    const other = await h.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token }, ['bosh_cli', '']);
    expectUaaError(other, 400, 'invalid_grant', 'Wrong client for this refresh token: cf');
  });

  it('opaque password grant: the refresh token is revocable too, and a refresh keeps the access token revocable', async () => {
    const res = await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword(), token_format: 'opaque' }, ['cf', '']);
    expect(res.status).toBe(200);
    const introspect = (token: string) =>
      h.request('/introspect', { form: { token }, basic: ['admin', h.secret('admin')] });
    const stored = h.uaa.model.state.tokens[res.json.refresh_token];
    expect(stored.claims.revocable).toBe(true);
    const refreshed = await h.token({ grant_type: 'refresh_token', refresh_token: res.json.refresh_token }, ['cf', '']);
    expect(refreshed.status, refreshed.text).toBe(200);
    const claims = decodeJwt(refreshed.json.access_token);
    expect(claims.revocable).toBe(true);
    expect((await introspect(res.json.access_token)).json.active).toBe(true);
  });

  it('cf CLI refresh as some versions send it: Basic cf: and client_id/client_secret in the body', async () => {
    const first = await h.passwordToken('admin', h.adminPassword());
    const res = await h.request('/oauth/token', {
      body: `client_id=cf&client_secret=&grant_type=refresh_token&refresh_token=${first.json.refresh_token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic Y2Y6' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.token_type).toBe('bearer');
    expect(res.json.refresh_token).toBe(first.json.refresh_token);
  });

  it('a client_id parameter naming another client than the Basic one is invalid_client', async () => {
    const res = await h.token({ grant_type: 'client_credentials', client_id: 'bosh_admin' }, ['cc_admin', h.secret('cc_admin')]);
    expectUaaError(res, 401, 'invalid_client', 'Given client ID does not match authenticated client');
    // With a wrong Basic secret the filter refuses first.
    const bad = await h.token({ grant_type: 'client_credentials', client_id: 'bosh_admin' }, ['cc_admin', 'wrong']);
    expectUaaError(bad, 401, 'invalid_client', 'Bad credentials');
  });

  it('password grant: requested scopes the user lacks are dropped silently; only none left is invalid_scope naming all requested', async () => {
    const user = h.uaa.model.addUser({ userName: 'dev', password: 'devpw' });
    const some = await h.token({ grant_type: 'password', username: 'dev', password: 'devpw', scope: 'openid cloud_controller.admin' }, ['cf', '']);
    expect(some.status, some.text).toBe(200);
    expect(some.json.scope).toBe('openid');
    expect(decodeJwt(some.json.access_token).user_id).toBe(user.id);
    const none = await h.token({ grant_type: 'password', username: 'dev', password: 'devpw', scope: 'scim.write cloud_controller.admin' }, ['cf', '']);
    expectUaaError(none, 400, 'invalid_scope', '[cloud_controller.admin, scim.write] is invalid. This user is not allowed any of the requested scopes');
  });

  it('client_credentials: the first invalid scope of the sorted request is named', async () => {
    const bad = await h.token({ grant_type: 'client_credentials', scope: 'zz.top cloud_controller.read aa.bottom' }, ['cc_admin', h.secret('cc_admin')]);
    expectUaaError(bad, 400, 'invalid_scope', 'Invalid scope: aa.bottom');
  });

  it('401s raised by the token endpoint itself carry Bearer <summary> (no realm); the client filter\'s carry Basic realm', async () => {
    const garbage = await h.token({ grant_type: 'refresh_token', refresh_token: 'garbage' }, ['cf', '']);
    expect(garbage.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The token expired, was revoked, or the token ID is incorrect."',
    );
    const grant = await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword() }, ['cc_admin', h.secret('cc_admin')]);
    expectUaaError(grant, 401, 'invalid_client', 'Unauthorized grant type: password');
    expect(grant.headers.get('www-authenticate')).toBe('Bearer error="invalid_client", error_description="Unauthorized grant type: password"');
    const bad = await h.token({ grant_type: 'client_credentials' }, ['cc_admin', 'wrong']);
    expect(bad.headers.get('www-authenticate')).toBe('Basic realm="UAA/client", error="unauthorized", error_description="Bad credentials"');
  });

  it('grant_type=implicit at the token endpoint is invalid_grant, even for a client allowed implicit', async () => {
    expectUaaError(await h.token({ grant_type: 'implicit' }, ['cf', '']), 400, 'invalid_grant', 'Implicit grant type not supported from token endpoint');
  });

  it('Basic credentials that do not URL-decode are refused as UAA does', async () => {
    const auth = 'Basic ' + Buffer.from('cc_admin:50%zz').toString('base64');
    const res = await h.token({ grant_type: 'client_credentials' }, undefined, { headers: { authorization: auth } });
    expectUaaError(res, 401, 'unauthorized', 'Failed to URL Decode credentials');
  });

  it('cf CLI login: login_hint in the query, Basic cf:, form body', async () => {
    const hint = encodeURIComponent(JSON.stringify({ origin: 'uaa' }));
    const res = await h.request(`/oauth/token?login_hint=${hint}`, {
      form: { grant_type: 'password', username: 'admin', password: h.adminPassword() },
      headers: { authorization: basic('cf', '') },
    });
    expect(res.status, res.text).toBe(200);
    const ldap = await h.request(`/oauth/token?login_hint=${encodeURIComponent('{"origin":"ldap"}')}`, {
      form: { grant_type: 'password', username: 'admin', password: h.adminPassword() },
      headers: { authorization: basic('cf', '') },
    });
    // What cf login --origin ldap meets without such a provider (the cf CLI says "The origin provided is invalid.").
    expectUaaError(ldap, 401, 'unauthorized', 'The origin provided in the login_hint does not match an active Identity Provider, that supports password grant.');
    h.uaa.model.addUser({ userName: 'dir-user', password: 'pw', origin: 'ldap' });
    const ok = await h.request(`/oauth/token?login_hint=${encodeURIComponent('{"origin":"ldap"}')}`, {
      form: { grant_type: 'password', username: 'dir-user', password: 'pw' },
      headers: { authorization: basic('cf', '') },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(decodeJwt(ok.json.access_token).origin).toBe('ldap');
  });

  it('an expired token on a bearer-guarded endpoint is 401 invalid_token (what makes the cf CLI refresh)', async () => {
    const token = await h.adminToken();
    await h.f.clock.advance(43_201_000);
    const res = await h.request('/Users', { bearer: token });
    expectUaaError(res, 401, 'invalid_token', /^Invalid access token: expired at /);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('bosh-cli login and refresh: GET /login prompts, password grant then refresh with Basic bosh_cli:', async () => {
    const login = await h.request('/login', { headers: { accept: 'application/json' } });
    expect(login.status).toBe(200);
    expect(login.json.prompts.username).toEqual(['text', 'Email']);
    const pw = await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword() }, ['bosh_cli', '']);
    expect(pw.status, pw.text).toBe(200);
    expect(pw.json.refresh_token).toBeTruthy();
    const info = decodeJwt(pw.json.access_token);
    expect(Number.isInteger(info.exp)).toBe(true);
    expect(info.user_name).toBe('admin');
    const refreshed = await h.token({ grant_type: 'refresh_token', refresh_token: pw.json.refresh_token }, ['bosh_cli', '']);
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.json.refresh_token).toBe(pw.json.refresh_token);
  });
});

describe.each(MOUNTS)('go-uaa as ODB drives it (%s)', (mode) => {
  let h: UaaHarness;
  beforeEach(async () => {
    h = await UaaHarness.start(mode);
  });
  afterEach(async () => h.close());

  it('token with token_format=jwt and encoded Basic credentials; client create, lookup with a +-encoded filter, update, delete', async () => {
    h.uaa.model.addClient({ client_id: 'odb', client_secret: 'se+cr%t', authorities: ['clients.write', 'clients.read', 'clients.admin'] });
    const auth = 'Basic ' + Buffer.from(`${encodeURIComponent('odb')}:${encodeURIComponent('se+cr%t')}`).toString('base64');
    const tok = await h.token({ grant_type: 'client_credentials', token_format: 'jwt' }, undefined, {
      headers: { authorization: auth, 'x-cf-encoded-credentials': 'true' },
    });
    expect(tok.status, tok.text).toBe(200);
    const headers = { 'x-identity-zone-id': '', accept: 'application/json', 'content-type': 'application/json' };
    const created = await h.request('/oauth/clients', {
      method: 'POST',
      bearer: tok.json.access_token,
      headers,
      body: JSON.stringify({
        client_id: 'instance-guid',
        client_secret: 'x'.repeat(32),
        scope: ['openid'],
        resource_ids: [],
        authorities: ['uaa.none'],
        authorized_grant_types: ['client_credentials'],
        name: 'dashboard',
      }),
    });
    expect(created.status, created.text).toBe(201);
    const found = await h.request('/oauth/clients?count=1&filter=client_id+eq+%22instance-guid%22&startIndex=1', { bearer: tok.json.access_token, headers });
    expect(found.status, found.text).toBe(200);
    expect(found.json.totalResults).toBe(1);
    expect(found.json.resources[0].client_id).toBe('instance-guid');
    expect(Object.keys(found.json)).toEqual(['resources', 'startIndex', 'itemsPerPage', 'totalResults', 'schemas']);
    const deleted = await h.request('/oauth/clients/instance-guid', { method: 'DELETE', bearer: tok.json.access_token, headers });
    expect(deleted.status).toBe(200);
  });
});
