import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UaaHarness, expectUaaError } from './harness.js';

/** The token endpoint's refusals that the shared token tests do not reach, each pinned exactly. */
describe('POST /oauth/token refusals', () => {
  let h: UaaHarness;
  beforeEach(async () => {
    h = await UaaHarness.start('in-process');
  });
  afterEach(async () => h.close());

  it('grant types: known but not implemented, known but not the client’s, unknown', async () => {
    h.uaa.model.addClient({ client_id: 'bearer', client_secret: 's', authorized_grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'user_token'] });
    for (const grant of ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'user_token']) {
      expectUaaError(await h.token({ grant_type: grant }, ['bearer', 's']), 400, 'unsupported_grant_type', `The fake UAA does not implement the ${grant} grant`);
    }
    for (const grant of ['urn:ietf:params:oauth:grant-type:saml2-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange', 'authorization_code', 'password']) {
      const res = await h.token({ grant_type: grant }, ['bearer', 's']);
      expectUaaError(res, 401, 'invalid_client', `Unauthorized grant type: ${grant}`);
      expect(res.headers.get('www-authenticate')).toBe(`Bearer error="invalid_client", error_description="Unauthorized grant type: ${grant}"`);
    }
    expectUaaError(await h.token({ grant_type: 'magic' }, ['bearer', 's']), 400, 'unsupported_grant_type', 'Unsupported grant type');
  });

  it('a Basic header that is not base64 is refused before anything else', async () => {
    const res = await h.request('/oauth/token', { form: { grant_type: 'client_credentials' }, headers: { authorization: 'Basic not*base64!' } });
    expectUaaError(res, 401, 'unauthorized', 'Failed to decode basic authentication token');
  });

  it('refresh: missing, unreadable, an access token in its place, a deleted user', async () => {
    expectUaaError(await h.token({ grant_type: 'refresh_token' }, ['cf', '']), 400, 'invalid_request', 'Missing refresh token');
    const garbage = await h.token({ grant_type: 'refresh_token', refresh_token: 'x.y.z' }, ['cf', '']);
    expect(garbage.status).toBe(401);
    expect(garbage.json.error).toBe('invalid_token');
    h.uaa.model.addUser({ userName: 'temp', password: 'pw' });
    const login = await h.passwordToken('temp', 'pw');
    expect(login.status).toBe(200);
    expectUaaError(await h.token({ grant_type: 'refresh_token', refresh_token: login.json.access_token }, ['cf', '']), 401, 'invalid_token');
    const id = h.uaa.model.userByName('temp')!.id;
    h.uaa.model.deleteUser(id);
    expectUaaError(
      await h.token({ grant_type: 'refresh_token', refresh_token: login.json.refresh_token }, ['cf', '']),
      401,
      'invalid_token',
      `Token bears a non-existent user ID: ${id}`,
    );
  });

  it('password grant: a locked (inactive) user with the right password is refused and no logon is recorded', async () => {
    const user = h.uaa.model.addUser({ userName: 'locked', password: 'pw' });
    user.active = false;
    expectUaaError(await h.passwordToken('locked', 'pw'), 401, 'unauthorized', 'Your account has been locked because of too many failed attempts to login.');
    expect(h.uaa.model.userByName('locked')!.lastLogonTime).toBeUndefined();
  });

  it('password grant: a login_hint naming an origin no provider has is refused; a known origin is used', async () => {
    const hint = (origin: string) => JSON.stringify({ origin });
    expectUaaError(
      await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword(), login_hint: hint('nowhere') }, ['cf', '']),
      401,
      'unauthorized',
      'The origin provided in the login_hint does not match an active Identity Provider, that supports password grant.',
    );
    h.uaa.model.addUser({ userName: 'admin', password: 'ldap-pw', origin: 'ldap' });
    const ldap = await h.token({ grant_type: 'password', username: 'admin', password: 'ldap-pw', login_hint: hint('ldap') }, ['cf', '']);
    expect(ldap.status, ldap.text).toBe(200);
    // Without a hint the uaa origin's admin is meant, whose password differs.
    expectUaaError(await h.token({ grant_type: 'password', username: 'admin', password: 'ldap-pw' }, ['cf', '']), 401, 'invalid_client', 'Bad credentials');
  });
});
