import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UaaHarness, expectUaaError } from './harness.js';

/** How the token endpoint reads its request (form, Basic, scope, login_hint), pinned case by case. */
describe('POST /oauth/token request reading', () => {
  let h: UaaHarness;
  let admin: [string, string];
  beforeEach(async () => {
    h = await UaaHarness.start('in-process');
    admin = ['cc_admin', h.secret('cc_admin')];
  });
  afterEach(async () => h.close());

  const form = 'grant_type=client_credentials';

  it('the form body is read for any casing and charset of the form type, never for other types', async () => {
    const ok = await h.request('/oauth/token', { body: form, headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded;charset=UTF-8' }, basic: admin });
    expect(ok.status, ok.text).toBe(200);
    const plain = await h.request('/oauth/token', { body: form, headers: { 'content-type': 'text/plain' }, basic: admin });
    expectUaaError(plain, 400, 'invalid_request', 'Missing grant type');
  });

  it('a body of exactly 2 MiB (Tomcat’s maxPostSize) is still parsed', async () => {
    const head = `${form}&pad=`;
    const body = head + 'x'.repeat(2 * 1024 * 1024 - head.length);
    const res = await h.request('/oauth/token', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, basic: admin });
    expect(res.status, res.text).toBe(200);
  });

  it('Basic credentials: + is a space, blanks around the value are ignored, an empty id is an unknown client', async () => {
    h.uaa.model.addClient({ client_id: 'spaced', client_secret: 'a b', authorized_grant_types: ['client_credentials'], authorities: ['uaa.none'] });
    const plus = await h.request('/oauth/token', { form: { grant_type: 'client_credentials' }, headers: { authorization: 'Basic ' + Buffer.from('spaced:a+b').toString('base64') } });
    expect(plus.status, plus.text).toBe(200);
    const padded = await h.request('/oauth/token', {
      form: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic   ${Buffer.from(`${admin[0]}:${admin[1]}`).toString('base64')}  ` },
    });
    expect(padded.status, padded.text).toBe(200);
    const emptyId = await h.request('/oauth/token', { form: { grant_type: 'client_credentials' }, headers: { authorization: 'Basic ' + Buffer.from(':x').toString('base64') } });
    expectUaaError(emptyId, 401, 'invalid_client', 'Bad credentials');
  });

  it('client_auth_method: none for a public client or an empty secret, else how the secret came', async () => {
    h.uaa.model.addClient({ client_id: 'blank', client_secret: '', authorized_grant_types: ['client_credentials'], authorities: ['uaa.none'] });
    h.uaa.model.addClient({ client_id: 'pub', client_secret: 'pubsecret', allowpublic: true, authorized_grant_types: ['client_credentials'], authorities: ['uaa.none'] });
    const method = async (auth: [string, string] | undefined, extra: Record<string, string> = {}) => {
      const res = await h.token({ grant_type: 'client_credentials', ...extra }, auth);
      expect(res.status, res.text).toBe(200);
      return decodeJwt(res.json.access_token).client_auth_method;
    };
    expect(await method(['blank', ''])).toBe('none');
    expect(await method(['pub', ''])).toBe('none');
    expect(await method(['pub', 'pubsecret'])).toBe('client_secret_basic');
    expect(await method(undefined, { client_id: 'pub', client_secret: 'pubsecret' })).toBe('client_secret_post');
    expect(await method(admin)).toBe('client_secret_basic');
    // A public client still checks a secret it is given; an empty-secret client refuses any secret.
    expectUaaError(await h.token({ grant_type: 'client_credentials' }, ['pub', 'wrong']), 401, 'invalid_client', 'Bad credentials');
    expectUaaError(await h.token({ grant_type: 'client_credentials' }, ['blank', 'x']), 401, 'invalid_client', 'Bad credentials');
    expectUaaError(await h.token({ grant_type: 'client_credentials' }, ['cc_admin', '']), 401, 'invalid_client', 'Bad credentials');
  });

  it('a client_id parameter: blank is ignored; another client than a public Basic one is refused', async () => {
    expect((await h.token({ grant_type: 'client_credentials', client_id: '' }, admin)).status).toBe(200);
    const pub = await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword(), client_id: 'bosh_admin' }, ['cf', '']);
    expectUaaError(pub, 401, 'invalid_client', 'Given client ID does not match authenticated client');
    // A public client that has a secret but was given none has authenticated too.
    h.uaa.model.addClient({ client_id: 'pub', client_secret: 'pubsecret', allowpublic: true, authorized_grant_types: ['client_credentials'], authorities: ['uaa.none'] });
    const pubNoSecret = await h.token({ grant_type: 'client_credentials', client_id: 'bosh_admin' }, ['pub', '']);
    expectUaaError(pubNoSecret, 401, 'invalid_client', 'Given client ID does not match authenticated client');
  });

  it('an Authorization header that is not Basic is left alone: the form credentials authenticate', async () => {
    const res = await h.request('/oauth/token', {
      form: { grant_type: 'client_credentials', client_id: admin[0], client_secret: admin[1] },
      headers: { authorization: 'Bearer not-a-basic-header' },
    });
    expect(res.status, res.text).toBe(200);
    expect(decodeJwt(res.json.access_token).client_auth_method).toBe('client_secret_post');
  });

  it('scope: blank means none asked; commas and blanks both separate, duplicates count once', async () => {
    const full = decodeJwt(await h.clientToken('cc_admin'));
    const blank = await h.token({ grant_type: 'client_credentials', scope: '   ' }, admin);
    expect(blank.status, blank.text).toBe(200);
    expect(decodeJwt(blank.json.access_token).scope).toEqual(full.scope);
    const [a, b] = [...(full.scope as string[])].sort();
    const mixed = await h.token({ grant_type: 'client_credentials', scope: ` ${b},${a}  ${b} ` }, admin);
    expect(mixed.status, mixed.text).toBe(200);
    expect(mixed.json.scope).toBe(`${a} ${b}`);
  });

  it('login_hint that is not JSON, null, or has no string origin means the uaa origin', async () => {
    for (const login_hint of ['not json', 'null', '{"origin":5}', '{}']) {
      const res = await h.token({ grant_type: 'password', username: 'admin', password: h.adminPassword(), login_hint }, ['cf', '']);
      expect(res.status, `${login_hint}: ${res.text}`).toBe(200);
    }
  });

  it('methods other than POST: 405 naming the method', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await h.request('/oauth/token', { method, basic: admin });
      expectUaaError(res, 405, 'method_not_allowed', `Request method '${method}' is not supported`);
    }
  });
});

describe('password and refresh grants, details', () => {
  let h: UaaHarness;
  beforeEach(async () => {
    h = await UaaHarness.start('in-process');
  });
  afterEach(async () => h.close());

  it('a user who must change their password is refused, and no logon is recorded', async () => {
    const user = h.uaa.model.addUser({ userName: 'expired', password: 'pw' });
    h.uaa.model.requirePasswordChange(user.id);
    expectUaaError(await h.passwordToken('expired', 'pw'), 401, 'unauthorized', 'password change required');
    expect(h.uaa.model.user(user.id)!.lastLogonTime).toBeUndefined();
  });

  it('no scope asked and none allowed: invalid_scope naming the client’s scopes, sorted', async () => {
    h.uaa.model.addClient({ client_id: 'picky', client_secret: 's', authorized_grant_types: ['password'], scope: ['zz.b', 'zz.a'] });
    h.uaa.model.addUser({ userName: 'plain', password: 'pw' });
    expectUaaError(
      await h.token({ grant_type: 'password', username: 'plain', password: 'pw' }, ['picky', 's']),
      400,
      'invalid_scope',
      '[zz.a, zz.b] is invalid. This user is not allowed any of the requested scopes',
    );
  });

  it('an access token given as the refresh token: 401 invalid_token with the Bearer challenge', async () => {
    const login = await h.passwordToken('admin', h.adminPassword());
    const res = await h.token({ grant_type: 'refresh_token', refresh_token: login.json.access_token }, ['cf', '']);
    expectUaaError(res, 401, 'invalid_token', 'Invalid refresh token.');
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="Invalid refresh token."');
  });

  it('refreshing a JWT login gives a JWT access token that is not revocable', async () => {
    const login = await h.passwordToken('admin', h.adminPassword());
    const res = await h.token({ grant_type: 'refresh_token', refresh_token: login.json.refresh_token }, ['cf', '']);
    expect(res.status, res.text).toBe(200);
    expect(decodeJwt(res.json.access_token).revocable).toBeUndefined();
  });
});
