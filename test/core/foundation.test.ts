import { afterEach, describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';
import { echoFactory } from './echo-fake.js';

const open: Foundation[] = [];
async function make(seed = 'k', extra: Parameters<typeof Foundation.create>[0] = {}): Promise<Foundation> {
  const f = await Foundation.create({ seed, factories: [echoFactory()], ...extra });
  open.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

const post = (url: string, body?: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

describe('in-process mount', () => {
  it('serves each foundation at its own origin, with state kept apart', async () => {
    const a = await make('same');
    const b = await make('same');
    const ua = a.mountInProcess();
    const ub = b.mountInProcess();
    expect(ua.echo).not.toEqual(ub.echo);
    await post(`${ua.echo}/count`);
    await post(`${ua.echo}/count`);
    await post(`${ub.echo}/count`);
    expect(await (await fetch(`${ua.echo}/count`)).json()).toEqual({ count: 2 });
    expect(await (await fetch(`${ub.echo}/count`)).json()).toEqual({ count: 1 });
  });

  it('gives the same ids for the same seed, different ones for another seed', async () => {
    const ids = async (seed: string) => {
      const f = await make(seed);
      const u = f.mountInProcess();
      return (await (await post(`${u.echo}/count`)).json()).id;
    };
    const x1 = await ids('x');
    expect(await ids('x')).toEqual(x1);
    expect(await ids('y')).not.toEqual(x1);
  });

  it('fails requests to a closed foundation like a closed port', async () => {
    const f = await make();
    const u = f.mountInProcess();
    const keep = await make('other');
    keep.mountInProcess();
    await f.close();
    await expect(fetch(`${u.echo}/count`)).rejects.toThrow();
  });

  it('never shows a stack trace: a throwing route answers 500 in the fake’s own format', async () => {
    const f = await make();
    const u = f.mountInProcess();
    const res = await fetch(`${u.echo}/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ echo_error: 'Internal error' });
    expect(text).not.toContain('secret internals');
  });

  it('answers an error that carries its own response with that response, journaled like any other', async () => {
    const f = await make();
    const u = f.mountInProcess();
    const res = await fetch(`${u.echo}/refused`);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ echo_error: 'not today' });
    expect(f.journal.query({ service: 'echo', path: '/refused' })).toMatchObject([{ status: 409, responseBody: '{"echo_error":"not today"}' }]);
  });
});

describe('redirects in-process follow fetch (undici) rules', () => {
  it('POST with a body → 302 → GET, as fetch does over the network', async () => {
    const f = await make();
    const u = f.mountInProcess();
    const res = await post(`${u.echo}/redirect`, { name: 'x' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ count: 0 });
    expect(f.journal.query().map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual(['POST /redirect 302', 'GET /count 200']);
  });

  it('PUT → 302 repeats the PUT with its body (undici keeps the method for non-POST)', async () => {
    const f = await make();
    const u = f.mountInProcess();
    const res = await fetch(`${u.echo}/redirect`, { method: 'PUT', body: 'x' });
    expect(await res.json()).toEqual({ put: true });
  });

  it('redirect: manual and node:https clients see the 302 itself', async () => {
    const f = await make();
    const u = f.mountInProcess();
    const manual = await fetch(`${u.echo}/redirect`, { method: 'POST', body: '{}', redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe('/count');
    // The default export: msw patches the CommonJS object, which ESM named exports do not follow.
    const https = (await import('node:https')).default;
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(`${u.echo}/redirect`, { method: 'POST' }, (r) => (r.resume(), resolve(r.statusCode!)));
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(302);
  });
});

describe('clock start', () => {
  it('a real clock with no configured start starts at the wall-clock time; a configured start wins', async () => {
    const wallBefore = Date.now();
    const f = await make('clock-real', { clockMode: 'real' });
    expect(f.clock.now()).toBeGreaterThanOrEqual(wallBefore);
    expect(f.clock.now()).toBeLessThanOrEqual(Date.now());
    await f.close();
    const g = await make('clock-real', { clockMode: 'real', config: { clock: { start: '2030-05-01T00:00:00Z' } } });
    expect(g.clock.now()).toBeGreaterThanOrEqual(Date.UTC(2030, 4, 1));
    expect(g.clock.now()).toBeLessThan(Date.UTC(2030, 4, 1) + 60_000);
    await g.close();
    const v = await make('clock-virtual');
    expect(v.clock.now()).toBe(Date.UTC(2026, 0, 1));
    await v.close();
  });
});

describe('journal', () => {
  it('records method, path, query, masked headers, bodies, status and both times', async () => {
    const f = await make();
    const u = f.mountInProcess();
    await f.clock.advance(5000);
    const wallBefore = Date.now();
    await fetch(`${u.echo}/echo?x=1&q=a&q=b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer abc.def.ghi' },
      body: JSON.stringify({ hello: 'world', password: 'hunter2' }),
    });
    const [e] = f.journal.query({ service: 'echo', path: '/echo' });
    expect(e).toMatchObject({ method: 'POST', status: 200, query: { x: '1', q: ['a', 'b'] }, direction: 'inbound' });
    expect(e.requestHeaders.authorization).toBe('Bearer ***');
    expect(JSON.parse(e.requestBody!)).toEqual({ hello: 'world', password: '***' });
    expect(JSON.parse(e.responseBody!)).toEqual({ got: { hello: 'world', password: 'hunter2' } });
    expect(e.virtualTime).toBe(f.clock.now());
    expect(e.virtualEndTime).toBe(e.virtualTime);
    // Wall time is when the request really arrived (not the virtual clock) and how long it took.
    const wallAfter = Date.now();
    expect(e.wallTime).toBeGreaterThanOrEqual(wallBefore);
    expect(e.wallTime + e.wallDurationMs).toBeLessThanOrEqual(wallAfter);
    expect(e.wallDurationMs).toBeGreaterThanOrEqual(0);
  });

  it('shows request bodies as sent, secrets masked: a JSON body with a form content type stays JSON', async () => {
    const f = await make();
    const u = f.mountInProcess();
    const sent = '{"name":"odb", "auth_username":"broker", "auth_password":"s3cret"}';
    await fetch(`${u.echo}/count`, { method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: sent });
    const [e] = f.journal.query({ service: 'echo', method: 'PUT' });
    expect(e.requestBody).toBe('{"name":"odb", "auth_username":"broker", "auth_password":"***"}');
  });

  it('is queryable over HTTP and can be cleared', async () => {
    const f = await make();
    const u = f.mountInProcess();
    await post(`${u.echo}/count`);
    const body = await (await fetch(`${u.echo}/_fakefoundry/journal?path=/count`)).json();
    expect(body.total).toBe(1);
    expect(body.entries[0].path).toBe('/count');
    expect((await fetch(`${u.echo}/_fakefoundry/journal`, { method: 'DELETE' })).status).toBe(204);
    expect(f.journal.size).toBe(0);
  });
});

describe('fault rules', () => {
  it('fail the first N matching calls in the fake’s own format, then let calls through, counting hits', async () => {
    const f = await make();
    const u = f.mountInProcess();
    const rule = f.faults.add({ match: { method: 'POST', path: '/count' }, action: { type: 'status', status: 503, message: 'down' }, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(`${u.echo}/count`)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(f.faults.get(rule.id)).toMatchObject({ hits: 2, matched: 3 });
    expect(await (await fetch(`${u.echo}/count`)).json()).toEqual({ count: 1 });
    const failed = f.journal.query({ status: 503 });
    expect(failed).toHaveLength(2);
    expect(failed[0].faults).toEqual([rule.id]);
    expect(JSON.parse(failed[0].responseBody!)).toEqual({ echo_error: 'down' });
  });

  it('match on body fields and skip the first calls with `after`', async () => {
    const f = await make();
    const u = f.mountInProcess();
    f.faults.add({ match: { path: '/echo', bodyFields: { plan: 'large' } }, action: { type: 'status', status: 422 }, after: 1 });
    expect((await post(`${u.echo}/echo`, { plan: 'large' })).status).toBe(200);
    expect((await post(`${u.echo}/echo`, { plan: 'small' })).status).toBe(200);
    expect((await post(`${u.echo}/echo`, { plan: 'large' })).status).toBe(422);
  });

  it('add virtual latency: the answer waits for the clock', async () => {
    const f = await make();
    const u = f.mountInProcess();
    f.faults.add({ match: { path: '/count' }, action: { type: 'latency', ms: 30_000 } });
    let answered = false;
    const p = fetch(`${u.echo}/count`).then((r) => ((answered = true), r));
    await f.clock.advance(29_000);
    expect(answered).toBe(false);
    await f.clock.advance(1_000);
    expect((await p).status).toBe(200);
    expect(f.journal.query({ path: '/count' })[0].virtualEndTime - f.journal.query({ path: '/count' })[0].virtualTime).toBe(30_000);
  });

  it('hang until the rule is removed', async () => {
    const f = await make();
    const u = f.mountInProcess();
    const rule = f.faults.add({ match: { path: '/count' }, action: { type: 'hang' } });
    let answered = false;
    const p = fetch(`${u.echo}/count`).then((r) => ((answered = true), r));
    await f.clock.advance(3_600_000);
    expect(answered).toBe(false);
    f.faults.remove(rule.id);
    expect((await p).status).toBe(200);
  });

  it('reset the connection in-process (fetch fails) and over the network (socket closed)', async () => {
    const f = await make();
    const u = f.mountInProcess();
    f.faults.add({ match: { path: '/count' }, action: { type: 'reset' } });
    await expect(fetch(`${u.echo}/count`)).rejects.toThrow();
    const g = await make('net');
    const { urls } = await g.listen({ https: false });
    g.faults.add({ match: { path: '/count' }, action: { type: 'reset' } });
    await expect(fetch(`${urls.echo}/count`)).rejects.toThrow();
  });

  it('fail with a seeded probability: same seed, same pattern', async () => {
    const pattern = async () => {
      const f = await make('prob');
      const u = f.mountInProcess();
      f.faults.add({ match: { path: '/count' }, action: { type: 'status', status: 500 }, probability: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await fetch(`${u.echo}/count`)).status);
      return out;
    };
    const a = await pattern();
    expect(a).toContain(500);
    expect(a).toContain(200);
    expect(await pattern()).toEqual(a);
  });

  it('are managed over HTTP, with the rule validated', async () => {
    const f = await make();
    const u = f.mountInProcess();
    const bad = await post(`${u.echo}/_fakefoundry/faults`, { action: { type: 'explode' } });
    expect(bad.status).toBe(400);
    const created = await post(`${u.echo}/_fakefoundry/faults`, { id: 'r1', match: { path: '/count' }, action: { type: 'status', status: 418 } });
    expect(created.status).toBe(201);
    expect((await fetch(`${u.echo}/count`)).status).toBe(418);
    expect((await (await fetch(`${u.echo}/_fakefoundry/faults/r1`)).json()).hits).toBe(1);
    expect((await fetch(`${u.echo}/_fakefoundry/faults/r1`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${u.echo}/count`)).status).toBe(200);
  });
});

describe('control API', () => {
  it('reports health, moves the clock, dumps state, resets, snapshots and restores', async () => {
    const f = await make();
    const u = f.mountInProcess();
    const c = `${u.echo}/_fakefoundry`;
    expect(await (await fetch(`${c}/health`)).json()).toMatchObject({ status: 'ok', services: ['echo'] });
    const before = f.clock.now();
    const moved = await (await post(`${c}/clock/advance`, { seconds: 90 })).json();
    expect(moved.now).toBe(before + 90_000);
    expect((await post(`${c}/clock/advance`, { ms: -5 })).status).toBe(400);

    await post(`${u.echo}/count`);
    expect(await (await fetch(`${c}/state/echo`)).json()).toMatchObject({ count: 1 });
    const snap = await (await fetch(`${c}/snapshot`)).json();
    await post(`${u.echo}/count`);
    expect((await post(`${c}/restore`, snap)).status).toBe(204);
    expect(await (await fetch(`${u.echo}/count`)).json()).toEqual({ count: 1 });
    expect((await post(`${c}/restore`, { nope: true })).status).toBe(400);

    expect((await post(`${c}/reset`)).status).toBe(204);
    expect(await (await fetch(`${u.echo}/count`)).json()).toEqual({ count: 0 });
    expect((await fetch(`${c}/nope`)).status).toBe(404);
  });

  it('is not journaled and never faulted', async () => {
    const f = await make();
    const u = f.mountInProcess();
    f.faults.add({ match: { path: '/**' }, action: { type: 'status', status: 500 } });
    expect((await fetch(`${u.echo}/_fakefoundry/health`)).status).toBe(200);
    expect(f.journal.query({ path: '/_fakefoundry*' })).toHaveLength(0);
  });
});

describe('network mount', () => {
  it('serves HTTPS with a certificate for 127.0.0.1, localhost and ::1 signed by the exported CA', async () => {
    const f = await make();
    const { urls, caPem } = await f.listen();
    expect(caPem).toContain('BEGIN CERTIFICATE');
    const https = await import('node:https');
    const get = (url: string, ca?: string) =>
      new Promise<number>((resolve, reject) => {
        https.get(url, { ca }, (r) => (r.resume(), resolve(r.statusCode!))).on('error', reject);
      });
    expect(await get(`${urls.echo}/count`, caPem)).toBe(200);
    const port = new URL(urls.echo).port;
    expect(await get(`https://localhost:${port}/count`, caPem)).toBe(200);
    await expect(get(`${urls.echo}/count`)).rejects.toThrow(/self.signed|unable to verify|certificate/i);
  });

  it('snapshots keep the CA, so a restored foundation serves a certificate the same CA signed', async () => {
    const f = await make();
    const { caPem } = await f.listen();
    const g = await make('k', { state: f.snapshot() });
    const again = await g.listen();
    expect(again.caPem).toEqual(caPem);
  });
});

describe('mountApp', () => {
  it('serves another app in-process beside the fakes, reachable by CC-style fetch, until close', async () => {
    const f = await Foundation.create({ seed: 'mount-app' });
    const url = f.mountApp('broker', (req) => new Response(JSON.stringify({ path: new URL(req.url).pathname }), { headers: { 'content-type': 'application/json' } }));
    expect(url).toBe(`https://broker.${f.id}.fakefoundry.test`);
    const res = await fetch(`${url}/v2/catalog`);
    expect(await res.json()).toEqual({ path: '/v2/catalog' });
    expect(() => f.mountApp('broker', () => new Response())).toThrow(/already mounted/);
    expect(() => f.mountApp('Bad_Label', () => new Response())).toThrow(/label/);
    await f.close();
    await expect(fetch(`${url}/v2/catalog`)).rejects.toThrow();
  });
});
