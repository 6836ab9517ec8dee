import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UaaHarness, expectUaaError } from './harness.js';

/** `/check_token`, `/introspect` and `/userinfo` details the shared tests leave open, each pinned exactly. */
describe('token reading endpoints, details', () => {
  let h: UaaHarness;
  let resource: [string, string];
  beforeEach(async () => {
    h = await UaaHarness.start('in-process');
    resource = ['cc_admin', h.secret('cc_admin')];
  });
  afterEach(async () => h.close());

  it('/check_token and /introspect without a token parameter: Spring’s missing-parameter wording', async () => {
    const message = "Required request parameter 'token' for method parameter type String is not present";
    expectUaaError(await h.request('/check_token', { form: { scopes: 'openid' }, basic: resource }), 400, 'invalid_request', message);
    expectUaaError(await h.request('/introspect', { form: { token: '' }, basic: resource }), 400, 'invalid_request', message);
  });

  it('/check_token scopes: a comma list, blanks around names ignored, every missing one named in order', async () => {
    const user = await h.passwordToken('admin', h.adminPassword());
    const token = user.json.access_token;
    const ok = await h.request('/check_token', { form: { token, scopes: ' openid , cloud_controller.read ,' }, basic: resource });
    expect(ok.status, ok.text).toBe(200);
    expectUaaError(
      await h.request('/check_token', { form: { token, scopes: 'zz.b, openid, zz.a' }, basic: resource }),
      400,
      'invalid_scope',
      'Some requested scopes are missing: zz.b,zz.a',
    );
  });

  it('/introspect takes the bearer scheme in any case and extra blanks; other methods are 405', async () => {
    const caller = await h.clientToken('cc_admin');
    const target = await h.adminToken();
    const res = await h.request('/introspect', { form: { token: target }, headers: { authorization: `bEaReR   ${caller}  ` } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.active).toBe(true);
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      for (const path of ['/introspect', '/check_token']) {
        expectUaaError(await h.request(path, { method, basic: resource }), 405, 'method_not_allowed', `Request method '${method}' is not supported`);
      }
    }
  });

  it('/introspect by a bearer without uaa.resource: 403 insufficient_scope naming it', async () => {
    const token = await h.clientToken('bosh_admin');
    const res = await h.request('/introspect', { form: { token }, bearer: token });
    expectUaaError(res, 403, 'insufficient_scope', 'Insufficient scope for this resource');
    expect(res.json.scope).toBe('uaa.resource');
  });

  it('/userinfo takes blanks between the scheme and the token and after it', async () => {
    const login = await h.passwordToken('admin', h.adminPassword());
    const res = await h.request('/userinfo', { headers: { authorization: `bearer   ${login.json.access_token}  ` } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.user_name).toBe('admin');
  });

  it('/userinfo without a bearer: 401 with the full Bearer challenge', async () => {
    for (const authorization of [undefined, 'Basic Y2Y6', 'Bearer', 'Bearer a b']) {
      const res = await h.request('/userinfo', { headers: authorization ? { authorization } : {} });
      expectUaaError(res, 401, 'unauthorized', 'Full authentication is required to access this resource');
      expect(res.headers.get('www-authenticate')).toBe(
        'Bearer realm="UAA/oauth", error="unauthorized", error_description="Full authentication is required to access this resource"',
      );
    }
  });

  it('/userinfo: phone_number from the first phone, previous_logon_time only after a second logon, name trimmed', async () => {
    const user = h.uaa.model.addUser({ userName: 'phoned', password: 'pw', givenName: '', familyName: 'Solo' });
    user.phoneNumbers = [{ value: '+1 555 0100' }, { value: '+1 555 0199' }];
    const login = await h.passwordToken('phoned', 'pw');
    expect(login.status, login.text).toBe(200);
    const res = await h.request('/userinfo', { bearer: login.json.access_token });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      user_id: user.id,
      user_name: 'phoned',
      given_name: '',
      family_name: 'Solo',
      email: 'phoned@example.com',
      email_verified: true,
      phone_number: '+1 555 0100',
      sub: user.id,
      name: 'Solo',
    });
  });

  it('/userinfo with a client token that carries openid: 401 invalid_token, no user in it', async () => {
    h.uaa.model.addClient({ client_id: 'oidc-client', client_secret: 's', authorized_grant_types: ['client_credentials'], authorities: ['openid'] });
    const token = await h.clientToken('oidc-client');
    expectUaaError(await h.request('/userinfo', { bearer: token }), 401, 'invalid_token', 'Token does not contain a user');
  });
});
