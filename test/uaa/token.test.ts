import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MOUNTS, UaaHarness, basic, expectUaaError } from './harness.js';

describe.each(MOUNTS)('POST /oauth/token (%s)', (mode) => {
  let h: UaaHarness;
  beforeEach(async () => {
    h = await UaaHarness.start(mode);
  });
  afterEach(async () => h.close());

  it('client_credentials with Basic auth: UAA response shape, headers and claims', async () => {
    const res = await h.token({ grant_type: 'client_credentials' }, ['cc_admin', h.secret('cc_admin')]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(Object.keys(res.json)).toEqual(['access_token', 'token_type', 'expires_in', 'scope', 'jti']);
    expect(res.json.token_type).toBe('bearer');
    expect(res.json.expires_in).toBe(43199);
    expect(res.json.jti).toMatch(/^[0-9a-f]{32}$/);
    expect(res.json.refresh_token).toBeUndefined();
    const claims = await h.verifyJwt(res.json.access_token, { audience: 'cloud_controller' });
    expect(claims.jti).toBe(res.json.jti);
    expect(claims.sub).toBe('cc_admin');
    expect(claims.client_id).toBe('cc_admin');
    expect(claims.cid).toBe('cc_admin');
    expect(claims.azp).toBe('cc_admin');
    expect(claims.grant_type).toBe('client_credentials');
    expect(claims.client_auth_method).toBe('client_secret_basic');
    expect(claims.authorities).toEqual(claims.scope);
    expect(res.json.scope.split(' ').sort()).toEqual([...(claims.scope as string[])].sort());
    expect(claims.zid).toBe('uaa');
    expect(claims.user_id).toBeUndefined();
    expect(claims.exp! - claims.iat!).toBe(43200);
    expect(claims.iat).toBe(h.f.clock.nowSeconds());
  });

  it('client_credentials with client_id/client_secret in the form (cf auth --client-credentials)', async () => {
    const res = await h.token({ grant_type: 'client_credentials', client_id: 'bosh_admin', client_secret: h.secret('bosh_admin') });
    expect(res.status).toBe(200);
    const claims = decodeJwt(res.json.access_token);
    expect(claims.client_auth_method).toBe('client_secret_post');
    expect(claims.scope).toEqual(['bosh.admin']);
    expect(claims.aud).toEqual(['bosh_admin', 'bosh']);
  });

  it('Basic credentials are URL-decoded, as Go oauth2 encodes them', async () => {
    h.uaa.model.addClient({ client_id: 'we:ird', client_secret: 'p@ss:w rd', authorities: ['x.y'] });
    const auth = 'Basic ' + Buffer.from(`${encodeURIComponent('we:ird')}:${encodeURIComponent('p@ss:w rd')}`).toString('base64');
    const res = await h.token({ grant_type: 'client_credentials' }, undefined, { headers: { authorization: auth } });
    expect(res.status, res.text).toBe(200);
  });

  it('scope narrows a client_credentials token; an unknown scope is invalid_scope', async () => {
    const ok = await h.token({ grant_type: 'client_credentials', scope: 'cloud_controller.read' }, ['cc_admin', h.secret('cc_admin')]);
    expect(ok.json.scope).toBe('cloud_controller.read');
    expect(decodeJwt(ok.json.access_token).aud).toEqual(['cc_admin', 'cloud_controller']);
    const bad = await h.token({ grant_type: 'client_credentials', scope: 'bosh.admin' }, ['cc_admin', h.secret('cc_admin')]);
    expectUaaError(bad, 400, 'invalid_scope', 'Invalid scope: bosh.admin');
  });

  it('password grant with the public cf client (Basic cf:) gives user claims, id_token and a -r refresh token', async () => {
    const res = await h.passwordToken('admin', h.adminPassword());
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.json)).toEqual(['access_token', 'token_type', 'id_token', 'refresh_token', 'expires_in', 'scope', 'jti']);
    expect(res.json.expires_in).toBe(7199);
    const admin = h.uaa.model.userByName('admin')!;
    const claims = await h.verifyJwt(res.json.access_token, { audience: 'cloud_controller' });
    expect(claims.sub).toBe(admin.id);
    expect(claims.user_id).toBe(admin.id);
    expect(claims.user_name).toBe('admin');
    expect(claims.origin).toBe('uaa');
    expect(claims.email).toBe(admin.email);
    expect(claims.auth_time).toBe(h.f.clock.nowSeconds());
    expect(claims.client_auth_method).toBe('none');
    expect(claims.authorities).toBeUndefined();
    expect(claims.scope).toContain('cloud_controller.admin');
    expect(claims.scope).toContain('openid');
    // The cf client may ask for bosh.admin? No: only the intersection of client scopes and groups.
    expect(claims.scope).not.toContain('bosh.admin');
    expect(typeof claims.rev_sig).toBe('string');
    const refresh = decodeJwt(res.json.refresh_token);
    expect(refresh.jti).toMatch(/^[0-9a-f]{32}-r$/);
    expect(refresh.granted_scopes).toEqual(claims.scope);
    const id = await h.verifyJwt(res.json.id_token, { audience: 'cf' });
    expect(id.user_name).toBe('admin');
  });

  it('password grant: narrowing; scopes the user lacks are invalid_scope with UAA wording', async () => {
    const narrow = await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword(), scope: 'openid cloud_controller.read' }, ['cf', '']);
    expect(narrow.json.scope.split(' ').sort()).toEqual(['cloud_controller.read', 'openid']);
    const user = h.uaa.model.addUser({ userName: 'dev', password: 'devpw' });
    const bad = await h.token({ grant_type: 'password', username: user.userName, password: 'devpw', scope: 'cloud_controller.admin' }, ['cf', '']);
    expectUaaError(bad, 400, 'invalid_scope', '[cloud_controller.admin] is invalid. This user is not allowed any of the requested scopes');
  });

  it('a client with required_user_groups refuses users outside them', async () => {
    h.uaa.model.addClient({ client_id: 'strict', client_secret: 's', authorized_grant_types: ['password'], scope: ['openid'], required_user_groups: ['bosh.admin'] });
    h.uaa.model.addUser({ userName: 'plain', password: 'pw' });
    expectUaaError(await h.token({ grant_type: 'password', username: 'plain', password: 'pw' }, ['strict', 's']), 400, 'invalid_scope', "User does not meet the client's required group criteria.");
    expect((await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword() }, ['strict', 's'])).status).toBe(200);
  });

  it('password grant errors: wrong password, unknown user, missing username are 401 Bad credentials', async () => {
    const forms: Record<string, string>[] = [
      { grant_type: 'password', username: 'admin', password: 'wrong' },
      { grant_type: 'password', username: 'nobody', password: 'x' },
      { grant_type: 'password', password: 'x' },
    ];
    for (const form of forms) {
      const res = await h.token(form, ['cf', '']);
      expectUaaError(res, 401, 'invalid_client', 'Bad credentials');
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="UAA\/client"/);
    }
  });

  it('client errors: unknown client, wrong secret, no auth, grant not allowed, missing and unknown grant', async () => {
    const unknown = await h.token({ grant_type: 'client_credentials' }, ['nope', 'x']);
    expectUaaError(unknown, 401, 'invalid_client', 'Bad credentials');
    expect(unknown.headers.get('www-authenticate')).toBe('Basic realm="UAA/client", error="unauthorized", error_description="Bad credentials"');
    expectUaaError(await h.token({ grant_type: 'client_credentials' }, ['cc_admin', 'wrong']), 401, 'invalid_client', 'Bad credentials');
    expectUaaError(await h.token({ grant_type: 'client_credentials', client_id: 'cc_admin', client_secret: 'wrong' }), 401, 'invalid_client', 'Bad credentials');
    const none = await h.token({ grant_type: 'client_credentials' });
    expectUaaError(none, 401, 'unauthorized', 'Full authentication is required to access this resource');
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="UAA\/client"/);
    expectUaaError(await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword() }, ['cc_admin', h.secret('cc_admin')]), 401, 'invalid_client', /^Unauthorized grant type/);
    expectUaaError(await h.token({}, ['cc_admin', h.secret('cc_admin')]), 400, 'invalid_request', 'Missing grant type');
    expectUaaError(await h.token({ grant_type: 'magic' }, ['cc_admin', h.secret('cc_admin')]), 400, 'unsupported_grant_type', 'Unsupported grant type');
  });

  it('malformed Basic header, wrong content type, GET and oversized body get UAA errors, never 500', async () => {
    const bad = await h.request('/oauth/token', { form: { grant_type: 'client_credentials' }, headers: { authorization: 'Basic !!!not-base64' } });
    expectUaaError(bad, 401, 'unauthorized');
    const noColon = await h.request('/oauth/token', { form: { grant_type: 'client_credentials' }, headers: { authorization: 'Basic ' + Buffer.from('justid').toString('base64') } });
    expectUaaError(noColon, 401, 'unauthorized', 'Invalid basic authentication token');
    const jsonBody = await h.request('/oauth/token', { json: { grant_type: 'client_credentials' }, basic: ['cc_admin', h.secret('cc_admin')] });
    expectUaaError(jsonBody, 400, 'invalid_request', 'Missing grant type');
    const get = await h.request('/oauth/token', { method: 'GET', basic: ['cc_admin', h.secret('cc_admin')] });
    expectUaaError(get, 405, 'method_not_allowed');
    const huge = await h.request('/oauth/token', {
      body: `grant_type=client_credentials&pad=${'x'.repeat(3 * 1024 * 1024)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      basic: ['cc_admin', h.secret('cc_admin')],
    });
    expect(huge.status).toBeLessThan(500);
    expectUaaError(huge, 400, 'invalid_request', 'Missing grant type');
  });

  it('refresh_token grant: same refresh token back, narrower scope allowed, wider refused, other client refused', async () => {
    const first = await h.passwordToken('admin', h.adminPassword());
    const rt = first.json.refresh_token;
    await h.f.clock.advance(60_000);
    const again = await h.token({ grant_type: 'refresh_token', refresh_token: rt }, ['cf', '']);
    expect(again.status, again.text).toBe(200);
    expect(again.json.refresh_token).toBe(rt);
    expect(again.json.access_token).not.toBe(first.json.access_token);
    const claims = decodeJwt(again.json.access_token);
    // UAA keeps the original grant type (refreshGrantType) in the refreshed access token.
    expect(claims.grant_type).toBe('password');
    expect(claims.auth_time).toBe(decodeJwt(first.json.access_token).auth_time);
    const narrow = await h.token({ grant_type: 'refresh_token', refresh_token: rt, scope: 'openid' }, ['cf', '']);
    expect(narrow.json.scope).toBe('openid');
    const wide = await h.token({ grant_type: 'refresh_token', refresh_token: rt, scope: 'bosh.admin' }, ['cf', '']);
    expectUaaError(wide, 400, 'invalid_scope');
    const other = await h.token({ grant_type: 'refresh_token', refresh_token: rt }, ['bosh_cli', '']);
    expectUaaError(other, 400, 'invalid_grant', 'Wrong client for this refresh token: cf');
    // Not a JWT: looked up in the revocable-token store and not found (TokenValidationService).
    expectUaaError(
      await h.token({ grant_type: 'refresh_token', refresh_token: 'garbage' }, ['cf', '']),
      401,
      'invalid_token',
      'The token expired, was revoked, or the token ID is incorrect.',
    );
    expectUaaError(await h.token({ grant_type: 'refresh_token', refresh_token: first.json.access_token }, ['cf', '']), 401, 'invalid_token');
  });

  it('opaque tokens: the value is the jti, readable only through /check_token and /introspect', async () => {
    const res = await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword(), token_format: 'opaque' }, ['cf', '']);
    expect(res.status).toBe(200);
    expect(res.json.access_token).toBe(res.json.jti);
    expect(res.json.access_token).toMatch(/^[0-9a-f]{32}$/);
    expect(res.json.refresh_token).toMatch(/^[0-9a-f]{32}-r$/);
    const check = await h.request('/check_token', { form: { token: res.json.access_token }, basic: ['cc_admin', h.secret('cc_admin')] });
    expect(check.status).toBe(200);
    expect(check.json.user_name).toBe('admin');
    expect(check.json.revocable).toBe(true);
    const refreshed = await h.token({ grant_type: 'refresh_token', refresh_token: res.json.refresh_token }, ['cf', '']);
    expect(refreshed.status, refreshed.text).toBe(200);
  });

  it('token validity per client, expiry on the virtual clock (accepted before exp, refused after)', async () => {
    h.uaa.model.addClient({ client_id: 'short', client_secret: 's', authorities: ['uaa.resource'], access_token_validity: 60 });
    const token = await h.clientToken('short');
    const claims = decodeJwt(token);
    expect(claims.exp! - claims.iat!).toBe(60);
    const check = () => h.request('/check_token', { form: { token }, basic: ['short', 's'] });
    await h.f.clock.advance(59_000);
    expect((await check()).status).toBe(200);
    await h.verifyJwt(token);
    await h.f.clock.advance(1_000);
    // At exactly exp UAA (Date#before) still accepts it; a millisecond later it does not.
    expect((await check()).status).toBe(200);
    await h.f.clock.advance(1);
    expectUaaError(await check(), 400, 'invalid_token', 'Token has expired');
    await expect(h.verifyJwt(token)).rejects.toThrow(/exp/);
    const rs = await h.uaa.tokens.verify(token).catch((e: Error) => e.message);
    // UAA's own bearer-guarded endpoints word it as loadAuthentication does; check_token as above.
    expect(rs).toMatch(/^Invalid access token: expired at [A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
  });

  it('refresh tokens expire on their own validity (cf: 14 days)', async () => {
    const res = await h.passwordToken('admin', h.adminPassword());
    const rt = decodeJwt(res.json.refresh_token);
    expect(rt.iat).toBe(Date.UTC(2026, 0, 1) / 1000);
    expect(rt.exp! - rt.iat!).toBe(1_209_600);
    await h.f.clock.advance(1_209_600 * 1000);
    // Java's Date.before: still valid at exactly exp, expired a moment later.
    const atExp = await h.request('/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: res.json.refresh_token }, basic: ['cf', ''] });
    expect(atExp.status, atExp.text).toBe(200);
    await h.f.clock.advance(1);
    const expired = await h.token({ grant_type: 'refresh_token', refresh_token: res.json.refresh_token }, ['cf', '']);
    // java.util.Date#toString in UTC, as UAA formats it.
    expectUaaError(expired, 401, 'invalid_token', 'Invalid refresh token expired at Thu Jan 15 00:00:00 UTC 2026');
  });

  it('password change invalidates refresh tokens (rev_sig)', async () => {
    const res = await h.passwordToken('admin', h.adminPassword());
    h.uaa.model.setPassword(h.uaa.model.userByName('admin')!.id, 'new-password');
    const r = await h.token({ grant_type: 'refresh_token', refresh_token: res.json.refresh_token }, ['cf', '']);
    expectUaaError(r, 401, 'invalid_token', 'Invalid refresh token: revocable signature mismatch');
  });

  it('a basic header for the cf client works exactly as the cf CLI sends it (Y2Y6)', async () => {
    const res = await h.request('/oauth/token', {
      form: { grant_type: 'password', username: 'admin', password: h.adminPassword() },
      headers: { authorization: 'Basic Y2Y6' },
    });
    expect(res.status).toBe(200);
    expect(basic('cf', '')).toBe('Basic Y2Y6');
  });
});
