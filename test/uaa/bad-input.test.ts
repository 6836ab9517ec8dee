import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';

/**
 * Random bad requests to the token endpoint and the admin APIs: whatever arrives, the answer is a
 * UAA error (JSON `{error, error_description}`), never a 500 or a stack trace, and the state does
 * not change. Runs against the app directly (the same Hono app both mounts serve).
 */
describe('bad input never breaks the UAA (property)', () => {
  let f: Foundation;
  let secret: string;
  let admin: string;
  beforeAll(async () => {
    f = await Foundation.create({ seed: 'fuzz', services: ['uaa'] });
    f.mountInProcess();
    secret = f.uaa.model.client('cc_admin')!.client_secret;
    const res = await f.uaa.app.request('/oauth/token', {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`admin:${f.uaa.model.client('admin')!.client_secret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    admin = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => f.close());

  // Logon times included: a refused login must not record one.
  const state = () => JSON.stringify({ ...f.uaa.snapshot(), tokens: undefined });

  const junk = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '=', '&&', '%', '%zz', '+', 'a=b=c'));
  const grant = fc.oneof(fc.constantFrom('client_credentials', 'password', 'refresh_token', 'authorization_code', 'implicit', '', 'CLIENT_CREDENTIALS'), fc.string());
  const field = fc.constantFrom('grant_type', 'username', 'password', 'scope', 'refresh_token', 'client_id', 'client_secret', 'token_format', 'login_hint', 'x');
  const form = fc.array(fc.tuple(field, fc.oneof(grant, junk)), { maxLength: 6 });
  const authHeader = fc.oneof(
    fc.constant(undefined),
    fc.string().map((s) => `Basic ${s}`),
    fc.string().map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
    fc.tuple(fc.constantFrom('cc_admin', 'cf', 'nobody', ''), fc.string()).map(([id, s]) => `Basic ${Buffer.from(`${id}:${s}`).toString('base64')}`),
    fc.string().map((s) => `Bearer ${s}`),
    fc.constant(`Basic ${Buffer.from('cc_admin:').toString('base64')}`),
  );
  const contentType = fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', '', 'application/x-www-form-urlencoded; charset=ISO-8859-1');
  const method = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH');

  const expectUaaErrorJson = async (res: Response) => {
    expect(res.status).toBeLessThan(500);
    const text = await res.text();
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    if (res.status >= 400) {
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(typeof body.error).toBe('string');
      expect(typeof body.error_description).toBe('string');
    }
  };

  it('POST /oauth/token: random methods, headers, content types and form fields', async () => {
    const before = state();
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(method, authHeader, contentType, form, fc.boolean(), async (m, auth, ct, fields, rawBody) => {
        const headers: Record<string, string> = {};
        if (auth) headers.authorization = auth;
        if (ct) headers['content-type'] = ct;
        const body = m === 'GET' ? undefined : rawBody ? fields.map(([k, v]) => `${k}=${v}`).join('&') : new URLSearchParams(fields).toString();
        let res: Response;
        try {
          res = await f.uaa.app.request('/oauth/token', { method: m, headers, body });
        } catch (err) {
          // Header values the platform itself refuses never reach the server.
          if (err instanceof TypeError) return;
          throw err;
        }
        seen.add(res.status);
        await expectUaaErrorJson(res);
      }),
      { numRuns: 300, seed: 20260101 },
    );
    expect(state()).toBe(before);
    // The generators reach the different refusals, not just one of them.
    expect([...seen].sort()).toEqual(expect.arrayContaining([400, 401, 405]));
    void secret;
  });

  it('admin APIs: garbage JSON bodies and content types', async () => {
    const before = state();
    const seen = new Set<number>();
    const paths = fc.constantFrom('/oauth/clients', '/oauth/clients/cc_admin', '/oauth/clients/cc_admin/secret', '/Users', '/Groups', `/Users/${f.uaa.model.userByName('admin')!.id}`);
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.dictionary(fc.constantFrom('client_id', 'userName', 'displayName', 'emails', 'members', 'scope', 'authorized_grant_types', 'secret', 'name'), fc.jsonValue()).map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(paths, fc.constantFrom('PUT', 'POST', 'PATCH'), body, fc.constantFrom('application/json', 'text/plain', 'application/json;charset=UTF-8'), async (path, m, b, ct) => {
        const res = await f.uaa.app.request(path, { method: m, headers: { authorization: `Bearer ${admin}`, 'content-type': ct, 'if-match': '"999"' }, body: b });
        expect(res.status).toBeLessThan(500);
        seen.add(res.status);
        const text = await res.text();
        expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
        if (res.status >= 400 && text) {
          const parsed = JSON.parse(text) as Record<string, unknown>;
          expect(typeof parsed.error).toBe('string');
        }
        // Some bodies are valid creations; undo them so the state check below stays meaningful.
        if (res.status === 201) {
          const created = JSON.parse(text) as { id?: string; client_id?: string };
          if (path === '/oauth/clients' && created.client_id) f.uaa.model.deleteClient(created.client_id);
          if (path === '/Users' && created.id) f.uaa.model.deleteUser(created.id);
          if (path === '/Groups' && created.id) f.uaa.model.deleteGroup(created.id);
        }
      }),
      { numRuns: 300, seed: 20260102 },
    );
    expect([...seen]).toEqual(expect.arrayContaining([400, 404, 409, 415]));
    // Creations were undone; anything else must have been refused without a change.
    const after = JSON.parse(state());
    const was = JSON.parse(before);
    expect(Object.keys(after.clients)).toEqual(Object.keys(was.clients));
    expect(Object.keys(after.users)).toEqual(Object.keys(was.users));
  });
});

describe('wrong passwords for known users (property)', () => {
  let f: Foundation;
  const users = [
    { userName: 'alice', password: 'alice-pw' },
    { userName: 'Bob.Smith@example.com', password: 'b' },
    { userName: 'carol', password: 'pässwörd with spaces' },
  ];
  beforeAll(async () => {
    f = await Foundation.create({ seed: 'fuzz-logon', services: ['uaa'], config: { uaa: { users } } });
    f.mountInProcess();
  });
  afterAll(async () => f.close());

  const logons = () => Object.values(f.uaa.snapshot().users).map((u) => [u.userName, u.lastLogonTime, u.previousLogonTime]);
  const known = fc.constantFrom(...users);
  // Near misses as well as noise: case, a character more or less, the right one with spaces.
  const wrongPassword = (real: string) =>
    fc
      .oneof(
        fc.string(),
        fc.constantFrom('', real.toUpperCase(), `${real} `, ` ${real}`, real.slice(0, -1), `${real}x`, users.map((u) => u.password).join('')),
      )
      .filter((p) => p !== real);
  const attempt = known.chain((u) =>
    fc.record({
      user: fc.constant(u),
      userName: fc.constantFrom(u.userName, u.userName.toUpperCase()),
      password: wrongPassword(u.password),
      client: fc.constantFrom(['cf', ''], ['bosh_cli', '']),
      scope: fc.option(fc.constantFrom('openid', 'cloud_controller.read openid', 'bosh.admin'), { nil: undefined }),
      hint: fc.option(fc.constant('{"origin":"uaa"}'), { nil: undefined }),
    }),
  );

  it('are refused with 401 Bad credentials and leave every logon time as it was', async () => {
    await f.clock.advance(60_000);
    const before = logons();
    expect(before.filter(([name]) => users.some((u) => u.userName === name))).toEqual(users.map((u) => [u.userName, undefined, undefined]));
    await fc.assert(
      fc.asyncProperty(attempt, async (a) => {
        const form = new URLSearchParams({ grant_type: 'password', username: a.userName, password: a.password });
        if (a.scope) form.set('scope', a.scope);
        if (a.hint) form.set('login_hint', a.hint);
        const res = await f.uaa.app.request('/oauth/token', {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${a.client[0]}:${a.client[1]}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: 'invalid_client', error_description: 'Bad credentials' });
      }),
      { numRuns: 200, seed: 20260103 },
    );
    expect(logons()).toEqual(before);

    // The right password, by contrast, records the logon at the clock's time, and the next one moves it back.
    const login = (u: (typeof users)[number]) =>
      f.uaa.app.request('/oauth/token', {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('cf:').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', username: u.userName, password: u.password }).toString(),
      });
    const first = f.clock.now();
    expect((await login(users[2])).status).toBe(200);
    await f.clock.advance(5_000);
    expect((await login(users[2])).status).toBe(200);
    const carol = f.uaa.model.userByName('carol')!;
    expect([carol.previousLogonTime, carol.lastLogonTime]).toEqual([first, first + 5_000]);
    expect(f.uaa.model.userByName('alice')!.lastLogonTime).toBeUndefined();
  });
});
