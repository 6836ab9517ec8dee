import { createPublicKey } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshKeys } from '../../fakes/core/keys.js';
import { Foundation } from '../../fakes/foundation.js';
import { UaaResourceServer } from '../../fakes/uaa/resource-server.js';
import { MOUNTS, UaaHarness, kidOf } from './harness.js';

describe.each(MOUNTS)('keys, discovery and rotation (%s)', (mode) => {
  let h: UaaHarness;
  beforeEach(async () => {
    h = await UaaHarness.start(mode);
  });
  afterEach(async () => h.close());

  it('/token_key and /token_keys: the JWK fields UAA writes, with the PEM value; ETag and 304', async () => {
    const one = await h.request('/token_key');
    expect(one.status).toBe(200);
    expect(Object.keys(one.json)).toEqual(['kty', 'e', 'use', 'kid', 'alg', 'value', 'n']);
    expect(one.json).toMatchObject({ kty: 'RSA', e: 'AQAB', use: 'sig', kid: 'key-1', alg: 'RS256' });
    expect(one.json.value).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----$/);
    const fromPem = createPublicKey(one.json.value).export({ format: 'jwk' });
    expect(fromPem.n).toBe(one.json.n);
    const all = await h.request('/token_keys');
    expect(all.json.keys).toEqual([one.json]);
    const etag = all.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await h.request('/token_keys', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('OIDC document: issuer equals iss; endpoints under the UAA URL; /info and /login JSON and HTML', async () => {
    for (const path of ['/.well-known/openid-configuration', '/oauth/token/.well-known/openid-configuration']) {
      const oidc = await h.request(path);
      expect(oidc.status).toBe(200);
      expect(oidc.json.issuer).toBe(`${h.url}/oauth/token`);
      expect(oidc.json.jwks_uri).toBe(`${h.url}/token_keys`);
      expect(oidc.json.token_endpoint).toBe(`${h.url}/oauth/token`);
      expect(oidc.json.userinfo_endpoint).toBe(`${h.url}/userinfo`);
    }
    const token = await h.clientToken('cc_admin');
    expect(decodeJwt(token).iss).toBe(`${h.url}/oauth/token`);
    for (const path of ['/info', '/login']) {
      const info = await h.request(path);
      expect(info.json.zone_name).toBe('uaa');
      expect(info.json.prompts.username).toEqual(['text', 'Email']);
      expect(info.json.links.login).toBe(h.url);
      const html = await h.request(path, { headers: { accept: 'text/html' } });
      expect(html.headers.get('content-type')).toMatch(/text\/html/);
    }
  });

  it('OIDC document and /info field by field, as UAA 77 writes them; the login page without a JSON Accept; /healthz', async () => {
    const oidc = await h.request('/.well-known/openid-configuration');
    expect(oidc.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(oidc.json).toEqual({
      issuer: `${h.url}/oauth/token`,
      authorization_endpoint: `${h.url}/oauth/authorize`,
      token_endpoint: `${h.url}/oauth/token`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'HS256'],
      userinfo_endpoint: `${h.url}/userinfo`,
      jwks_uri: `${h.url}/token_keys`,
      end_session_endpoint: `${h.url}/logout.do`,
      scopes_supported: ['openid', 'profile', 'email', 'phone', 'roles', 'user_attributes'],
      response_types_supported: ['code', 'code id_token', 'id_token', 'token id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'HS256'],
      id_token_encryption_alg_values_supported: ['none'],
      claim_types_supported: ['normal'],
      claims_supported: [
        'sub', 'user_name', 'origin', 'iss', 'auth_time', 'amr', 'acr', 'client_id', 'aud', 'zid', 'grant_type', 'user_id',
        'azp', 'scope', 'exp', 'iat', 'jti', 'rev_sig', 'cid', 'given_name', 'family_name', 'phone_number', 'email',
      ],
      claims_parameter_supported: false,
      service_documentation: 'http://docs.cloudfoundry.org/api/uaa/',
      ui_locales_supported: ['en-US'],
      code_challenge_methods_supported: ['S256', 'plain'],
    });
    for (const path of ['/info', '/login']) {
      const info = await h.request(path);
      expect(info.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(info.json).toEqual({
        app: { version: '77.20.0' },
        links: { uaa: h.url, passwd: '/forgot_password', login: h.url, register: '/create_account' },
        zone_name: 'uaa',
        entityID: 'cloudfoundry-saml-login',
        commit_id: 'fakefoundry',
        idpDefinitions: {},
        prompts: {
          username: ['text', 'Email'],
          password: ['password', 'Password'],
          passcode: ['password', `Temporary Authentication Code ( Get one at ${h.url}/passcode )`],
        },
        timestamp: '2026-01-01T00:00:00+0000',
        showLoginLinks: true,
      });
      // A browser (or no Accept at all) gets the login form.
      for (const accept of ['text/html', '*/*']) {
        const page = await h.request(path, { headers: { accept } });
        expect(page.status).toBe(200);
        expect(page.text).toMatch(/^<!DOCTYPE html>.*<form method="post" action="\/login\.do">/);
      }
    }
    const health = await h.request('/healthz');
    expect([health.status, health.text]).toEqual([200, 'ok']);
  });

  it('/token_keys: JSON content type; the ETag changes with the key set, and a stale one gets the keys again', async () => {
    const first = await h.request('/token_keys');
    expect(first.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const etag = first.headers.get('etag')!;
    const notModified = await h.request('/token_keys', { headers: { 'if-none-match': etag } });
    expect(notModified.headers.get('etag')).toBe(etag);
    await h.request('/_fakefoundry/uaa/keys/rotate', { method: 'POST', json: { kid: 'key-2026' } });
    const stale = await h.request('/token_keys', { headers: { 'if-none-match': etag } });
    expect(stale.status).toBe(200);
    expect(stale.json.keys.map((k: { kid: string }) => k.kid)).toEqual(['key-1', 'key-2026']);
    expect(stale.headers.get('etag')).not.toBe(etag);
  });

  it('rotation over the control API: new tokens use the new kid, old tokens still verify while listed', async () => {
    const old = await h.clientToken('cc_admin');
    const rotated = await h.request('/_fakefoundry/uaa/keys/rotate', { method: 'POST', json: { kid: 'key-2026' } });
    expect(rotated.status, rotated.text).toBe(201);
    expect(rotated.json.kid).toBe('key-2026');
    expect(rotated.json.active).toBe('key-2026');
    const fresh = await h.clientToken('cc_admin');
    expect(kidOf(fresh)).toBe('key-2026');
    expect(kidOf(old)).toBe('key-1');
    expect((await h.request('/token_key')).json.kid).toBe('key-2026');
    expect((await h.request('/token_keys')).json.keys.map((k: { kid: string }) => k.kid)).toEqual(['key-1', 'key-2026']);
    await h.verifyJwt(old);
    await h.verifyJwt(fresh);
    const check = (token: string) => h.request('/check_token', { form: { token }, basic: ['cc_admin', h.secret('cc_admin')] });
    expect((await check(old)).status).toBe(200);
    // The active key cannot be removed; a retired one can, and its tokens then fail.
    expect((await h.request('/_fakefoundry/uaa/keys/key-2026', { method: 'DELETE' })).status).toBe(409);
    expect((await h.request('/_fakefoundry/uaa/keys/nope', { method: 'DELETE' })).status).toBe(404);
    expect((await h.request('/_fakefoundry/uaa/keys/rotate', { method: 'POST', json: { kid: 'key-2026' } })).status).toBe(409);
    expect((await h.request('/_fakefoundry/uaa/keys/rotate', { method: 'POST', body: '{nope', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await h.request('/_fakefoundry/uaa/keys/key-1', { method: 'DELETE' })).status).toBe(204);
    expect((await check(old)).status).toBe(400);
    await expect(h.verifyJwt(old)).rejects.toThrow();
    await h.verifyJwt(fresh);
    const listed = await h.request('/_fakefoundry/uaa/keys');
    expect(listed.json.keys.map((k: { kid: string; active: boolean }) => [k.kid, k.active])).toEqual([['key-2026', true]]);
  });

  it('rotation from TypeScript, and the shared resource-server verifier follows it', async () => {
    const rs = new UaaResourceServer(h.uaa, h.f.clock);
    const old = await h.clientToken('cc_admin');
    expect((await rs.verify(old, { audience: 'cloud_controller' })).ok).toBe(true);
    const key = h.uaa.rotateKey();
    expect(key.kid).toBe('key-2');
    const fresh = await h.clientToken('cc_admin');
    expect(kidOf(fresh)).toBe('key-2');
    expect((await rs.verify(fresh, { audience: 'cloud_controller' })).ok).toBe(true);
    expect((await rs.verify(old, { audience: 'cloud_controller' })).ok).toBe(true);
    expect(h.uaa.removeKey('key-2')).toBe(false);
    expect(h.uaa.removeKey('key-1')).toBe(true);
    const rejected = await rs.verify(old);
    expect(rejected.ok).toBe(false);
    const refresh = (await h.passwordToken('admin', h.adminPassword())).json.refresh_token;
    const r = await rs.verify(refresh, { refuseRefreshTokens: true });
    expect(r.ok === false && r.rejection.reason).toBe('refresh_token');
    await h.f.clock.advance(43_200_000);
    const expired = await rs.verify(fresh);
    expect(expired.ok === false && expired.rejection.reason).toBe('expired');
  });
});

describe('seeds, snapshots and state', () => {
  const foundations: Foundation[] = [];
  afterEach(async () => {
    await Promise.all(foundations.splice(0).map((f) => f.close()));
  });
  const make = async (seed: string) => {
    // Fresh keys: the suite reuses key material across foundations (FAKEFOUNDRY_KEYS=reuse).
    const f = await Foundation.create({ seed, services: ['uaa'], keys: freshKeys() });
    foundations.push(f);
    return f;
  };
  const identity = (f: Foundation) => {
    const m = f.uaa.model;
    return {
      clients: Object.values(m.state.clients).map((c) => [c.client_id, c.client_secret]),
      users: Object.values(m.state.users).map((u) => [u.id, u.userName, u.password, u.givenName, u.familyName]),
      groups: Object.values(m.state.groups).map((g) => [g.id, g.displayName]),
    };
  };

  it('the same seed gives the same ids, names and secrets; another seed differs; keys never come from the seed', async () => {
    const a = await make('same');
    const b = await make('same');
    const c = await make('other');
    expect(identity(a)).toEqual(identity(b));
    expect(identity(a).clients).not.toEqual(identity(c).clients);
    expect(identity(a).users[0][0]).not.toBe(identity(c).users[0][0]);
    expect(a.uaa.model.state.keys[0].publicPem).not.toBe(b.uaa.model.state.keys[0].publicPem);
    // Created later, still the same for the same seed and the same calls.
    const u1 = a.uaa.model.createUser({ userName: 'x', email: 'x@y.z', password: 'p' });
    const u2 = b.uaa.model.createUser({ userName: 'x', email: 'x@y.z', password: 'p' });
    expect(u1.id).toBe(u2.id);
  });

  it('snapshot/restore keeps the keys, so tokens issued before verify in the restored foundation', async () => {
    const h = await UaaHarness.start('in-process', { seed: 'snap', id: 'snapfx' });
    const before = await h.clientToken('cc_admin');
    const secret = h.secret('cc_admin');
    const snap = JSON.parse(JSON.stringify(h.f.snapshot()));
    await h.close();
    const restored = await Foundation.create({ services: ['uaa'], id: 'snapfx', state: snap });
    foundations.push(restored);
    const urls = restored.mountInProcess();
    expect(restored.uaa.model.client('cc_admin')!.client_secret).toBe(secret);
    const rs = new UaaResourceServer(restored.uaa, restored.clock);
    expect((await rs.verify(before, { audience: 'cloud_controller' })).ok).toBe(true);
    const oidc = await (await fetch(`${urls.uaa}/.well-known/openid-configuration`)).json();
    const { payload } = await jwtVerify(before, createRemoteJWKSet(new URL(oidc.jwks_uri)), { issuer: oidc.issuer, currentDate: restored.clock.date() });
    expect(payload.sub).toBe('cc_admin');
    const check = await fetch(`${urls.uaa}/check_token`, {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`cc_admin:${secret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${before}`,
    });
    expect(check.status).toBe(200);
  });

  it('makes its signing key pair when first read (a token, /token_keys, a snapshot), once, and keeps it', async () => {
    // Making the pair is most of a fresh `fakefoundry up`'s start, so it waits for the first use.
    const made: string[] = [];
    const source = freshKeys();
    const counting = { rsa: () => (made.push('rsa'), source.rsa()), rsaAsync: () => (made.push('rsaAsync'), source.rsaAsync()) };
    const f = await Foundation.create({ seed: 'lazy', services: ['uaa'], keys: counting });
    foundations.push(f);
    expect(made).toEqual([]);
    expect(f.uaa.model.activeKey.kid).toBe('key-1');
    expect(made).toEqual([]);
    const urls = f.mountInProcess();
    const first = await (await fetch(`${urls.uaa}/token_keys`)).json();
    expect(made).toEqual(['rsa']);
    const snap = JSON.parse(JSON.stringify(f.snapshot()));
    expect(snap.services.uaa.keys[0]).toMatchObject({ kid: 'key-1', publicPem: first.keys[0].value + '\n' });
    expect(snap.services.uaa.keys[0].privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(made).toEqual(['rsa']);
    // A snapshot before any use makes the pair then, so a restored foundation has it.
    const g = await Foundation.create({ seed: 'lazy', services: ['uaa'], keys: counting });
    foundations.push(g);
    const gSnap = structuredClone(g.snapshot()) as any;
    expect(made).toEqual(['rsa', 'rsa']);
    expect(gSnap.services.uaa.keys[0].publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(gSnap.services.uaa.keys[0].publicPem).not.toBe(snap.services.uaa.keys[0].publicPem);
  });

  it('reset brings back the seeded users and clients but keeps the keys', async () => {
    const f = await make('reset');
    const keys = structuredClone(f.uaa.model.state.keys);
    const seeded = identity(f);
    f.uaa.model.createUser({ userName: 'temp', email: 't@e.st', password: 'p' });
    f.uaa.model.deleteClient('cc_admin');
    f.uaa.rotateKey();
    f.reset();
    expect(identity(f)).toEqual(seeded);
    expect(f.uaa.model.state.keys.map((k) => k.kid)).toEqual([...keys.map((k) => k.kid), 'key-2']);
  });
});

describe('a given first signing key (config signing_key)', () => {
  it('is served and signs tokens, so foundations built with it skip RSA key generation', async () => {
    const donor = await Foundation.create({ seed: 'donor', services: ['uaa'] });
    const k = donor.uaa.model.activeKey;
    const f = await Foundation.create({ seed: 'given', services: ['uaa'], config: { uaa: { signing_key: { private_pem: k.privatePem, public_pem: k.publicPem } } } });
    try {
      expect(f.uaa.model.state.keys).toEqual([expect.objectContaining({ kid: 'key-1', publicPem: k.publicPem, active: true })]);
      const urls = f.mountInProcess();
      const admin = f.uaa.model.client('admin')!;
      const token = await fetch(`${urls.uaa}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + btoa(`${admin.client_id}:${admin.client_secret}`) },
        body: 'grant_type=client_credentials',
      }).then((r) => r.json() as Promise<{ access_token: string }>);
      await expect(jwtVerify(token.access_token, createPublicKey(k.publicPem), { currentDate: new Date(f.clock.now()) })).resolves.toBeTruthy();
    } finally {
      await f.close();
      await donor.close();
    }
  });
});
