import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type NetworkServer } from '../../../fakes/core/mount-network.js';
import { createKernel } from '../../../fakes/core/kernel.js';
import { CcPlatform } from '../../../fakes/cc/platform/platform.js';
import { json, makeEnv, omCalls, provisionOp, PLAN_ID, SERVICE_ID, type Env } from './helpers.js';

describe('faults on the cc->broker leg', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('a slow broker within the client timeout is waited for on the virtual clock', async () => {
    env = makeEnv({ brokerTimeoutSeconds: 10 });
    env.kernel.faults.add({ match: { service: 'cc->broker', method: 'PUT' }, action: { type: 'latency', ms: 9_000 } });
    const t0 = env.kernel.clock.now();
    const p = env.platform.start(provisionOp(env));
    await env.kernel.clock.advance(9_000);
    const res = await p;
    expect(res.state).toBe('succeeded');
    const [put] = env.kernel.journal.query({ service: 'cc->broker', method: 'PUT' });
    expect(put.virtualEndTime - t0).toBe(9_000);
    expect(put.faults).toHaveLength(1);
  });

  it('brokerTimeoutSeconds sets when CC gives up; a provision timeout is then orphan-mitigated', async () => {
    env = makeEnv({ brokerTimeoutSeconds: 10 });
    env.kernel.faults.add({ match: { service: 'cc->broker', method: 'PUT' }, action: { type: 'latency', ms: 11_000 } });
    const p = env.platform.start(provisionOp(env));
    await env.kernel.clock.advance(10_000);
    const res = await p;
    expect(res.error).toMatchObject({ httpStatus: 504, errorCode: 'CF-HttpClientTimeout' });
    // HttpClientTimeout's message names no URL; the URL is in `http`
    expect(res.error?.description).toBe('The request to the service broker timed out');
    expect(res.error?.http).toEqual({ uri: `${env.broker.url}/v2/service_instances/inst-guid-1?accepts_incomplete=true`, method: 'PUT', status: 0 });
    expect(res.orphanMitigation).toBe('scheduled');
    await env.platform.settle();
    const [put] = env.kernel.journal.query({ service: 'cc->broker', method: 'PUT' });
    expect(put.status).toBe(0);
    expect(put.error).toMatch(/timed out/);
    expect(omCalls(env)).toHaveLength(1);
    expect(env.platform.orphanMitigations()).toMatchObject([{ attempts: 1, state: 'performed' }]);
  });

  it('a hanging broker times out at 60 s by default', async () => {
    env = makeEnv();
    env.kernel.faults.add({ match: { service: 'cc->broker', method: 'PUT' }, action: { type: 'hang' }, times: 1 });
    const p = env.platform.start(provisionOp(env));
    await env.kernel.clock.advance(59_999);
    let done = false;
    void p.then(() => (done = true));
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    await env.kernel.clock.advance(1);
    expect((await p).error?.errorCode).toBe('CF-HttpClientTimeout');
  });

  it('a reset connection is "could not be reached" and never mitigated', async () => {
    env = makeEnv();
    env.kernel.faults.add({ match: { service: 'cc->broker', method: 'PUT' }, action: { type: 'reset' } });
    const res = await env.platform.start(provisionOp(env));
    expect(res.error).toMatchObject({ httpStatus: 502, errorCode: 'CF-ServiceBrokerApiUnreachable' });
    expect(res.error?.description).toBe('The service broker could not be reached');
    expect(omCalls(env)).toHaveLength(0);
  });

  it('a status fault answers for the broker: 500 on provision is mitigated', async () => {
    env = makeEnv();
    env.kernel.faults.add({ match: { service: 'cc->broker', method: 'PUT' }, action: { type: 'status', status: 500, body: '{"description":"injected"}' }, times: 1 });
    const res = await env.platform.start(provisionOp(env));
    expect(res.error?.description).toBe('Service broker error: injected');
    expect(res.orphanMitigation).toBe('scheduled');
    await env.platform.settle();
    expect(env.platform.orphanMitigations()).toMatchObject([{ attempts: 1, state: 'performed' }]);
    expect(env.of('provision')).toHaveLength(0);
  });

  it('500 on the first N polls: CC keeps polling and finishes', async () => {
    env = makeEnv();
    const t0 = env.kernel.clock.now();
    env.replies.provision = () => json(202, { operation: 'x' });
    env.replies.instanceLastOp = () => json(200, { state: 'succeeded' });
    const rule = env.kernel.faults.add({
      match: { service: 'cc->broker', method: 'GET', path: '/v2/service_instances/*/last_operation' },
      action: { type: 'status', status: 500 },
      times: 3,
    });
    const o = provisionOp(env, { instancesRetrievable: false });
    await env.platform.start(o);
    await env.kernel.clock.runAll();
    expect((await env.platform.wait(o)).state).toBe('succeeded');
    const polls = env.kernel.journal.query({ service: 'cc->broker', tag: 'last-operation' });
    expect(polls.map((p) => [p.status, (p.virtualTime - t0) / 60_000])).toEqual([
      [500, 0],
      [500, 1],
      [500, 2],
      [200, 3],
    ]);
    expect(env.kernel.faults.get(rule.id)?.hits).toBe(3);
  });

  it('a poll that times out is just another failed poll', async () => {
    env = makeEnv();
    const t0 = env.kernel.clock.now();
    env.replies.provision = () => json(202, {});
    env.kernel.faults.add({ match: { service: 'cc->broker', path: '/v2/service_instances/*/last_operation' }, action: { type: 'hang' }, times: 1 });
    const o = provisionOp(env, { instancesRetrievable: false });
    await env.platform.start(o);
    await env.kernel.clock.runAll();
    expect((await env.platform.wait(o)).state).toBe('succeeded');
    const polls = env.kernel.journal.query({ service: 'cc->broker', tag: 'last-operation' });
    // gave up at 60 s, polled again 60 s after that
    expect(polls.map((p) => [p.status, (p.virtualTime - t0) / 1000])).toEqual([
      [0, 0],
      [200, 120],
    ]);
  });

  it('a later poll (fired by the clock) that hangs times out too, without stalling the clock', async () => {
    env = makeEnv();
    const t0 = env.kernel.clock.now();
    env.replies.provision = () => json(202, {});
    env.replies.instanceLastOp = (_r, n) => json(200, { state: n < 2 ? 'in progress' : 'succeeded' });
    env.kernel.faults.add({
      match: { service: 'cc->broker', path: '/v2/service_instances/*/last_operation' },
      action: { type: 'hang' },
      after: 1,
      times: 1,
    });
    const o = provisionOp(env, { instancesRetrievable: false });
    await env.platform.start(o);
    while (env.platform.pending() > 0) {
      await env.kernel.clock.runAll();
      await env.platform.settle();
    }
    expect((await env.platform.wait(o)).state).toBe('succeeded');
    const polls = env.kernel.journal.query({ service: 'cc->broker', tag: 'last-operation' });
    expect(polls.map((p) => [p.status, (p.virtualTime - t0) / 1000])).toEqual([
      [200, 0],
      [0, 60],
      [200, 180],
    ]);
  });

  it('a slow orphan-mitigation retry does not stall the clock either', async () => {
    env = makeEnv();
    env.replies.provision = () => json(500, {});
    env.replies.deprovision = (_r, n) => (n === 1 ? json(500, {}) : json(200, {}));
    env.kernel.faults.add({ match: { service: 'cc->broker', method: 'DELETE' }, action: { type: 'latency', ms: 30_000 }, after: 1 });
    const res = await env.platform.start(provisionOp(env));
    expect(res.orphanMitigation).toBe('scheduled');
    await env.platform.settle();
    while (env.platform.pending() > 0) {
      await env.kernel.clock.runAll();
      await env.platform.settle();
    }
    const om = omCalls(env);
    expect(om.map((e) => e.status)).toEqual([500, 200]);
    expect(om[1].virtualEndTime - om[1].virtualTime).toBe(30_000);
  });

  it.each([
    [303, 'GET', ''],
    [302, 'GET', ''],
    [301, 'GET', ''],
    [307, 'PUT', 'body'],
    [308, 'PUT', 'body'],
  ] as const)('a %s to a provision PUT is followed as %s (303, and 301/302 after a PUT, turn into a body-less GET)', async (status, method, body) => {
    env = makeEnv();
    env.replies.provision = (req) => (req.query.moved ? json(201, {}) : new Response(null, { status, headers: { location: `/v2/service_instances/inst-guid-1?moved=1` } }));
    env.replies.fetchInstance = () => json(200, {});
    await env.platform.start(provisionOp(env));
    const hops = env.kernel.journal.query({ service: 'cc->broker' });
    expect(hops.map((h) => [h.method, h.status, h.tags.includes('redirect')])).toEqual([
      ['PUT', status, false],
      [method, method === 'GET' ? 200 : 201, true],
    ]);
    const second = env.seen[1];
    expect(second.body === '' ? '' : 'body').toBe(body);
    expect(second.headers['content-type'] === undefined).toBe(method === 'GET');
  });

  it('a DELETE keeps its method through a 301 or 302; redirects stop after 10 hops', async () => {
    env = makeEnv();
    let n = 0;
    env.replies.deprovision = () => new Response(null, { status: 302, headers: { location: `/v2/service_instances/inst-guid-1?hop=${++n}` } });
    const res = await env.platform.start({ ...provisionOp(env), type: 'delete' });
    const hops = env.kernel.journal.query({ service: 'cc->broker' });
    expect(hops).toHaveLength(11);
    expect(new Set(hops.map((h) => h.method))).toEqual(new Set(['DELETE']));
    // the 11th answer, a 302 still, is what CC makes its error of
    expect(res.error?.errorCode).toBe('CF-ServiceBrokerBadResponse');
  });

  it('follows redirects hop by hop; each hop is journaled', async () => {
    env = makeEnv();
    env.replies.catalog = (req) =>
      req.query.moved ? json(200, { services: [] }) : new Response(null, { status: 307, headers: { location: '/v2/catalog?moved=1' } });
    const r = await env.platform.fetchCatalog(env.broker);
    expect(!r.ok && r.error.errorCode).toBe('CF-ServiceBrokerCatalogInvalid');
    const hops = env.kernel.journal.query({ service: 'cc->broker', tag: 'catalog' });
    expect(hops.map((h) => [h.status, h.tags.includes('redirect')])).toEqual([
      [307, false],
      [200, true],
    ]);
  });
});

describe('a broker served over real HTTP (mount-network listen)', () => {
  let server: NetworkServer | undefined;
  afterEach(async () => server?.close());

  it('provisions asynchronously, polls to success, and the broker sees CC headers', async () => {
    const kernel = createKernel({ seed: 'net', id: 'net1' });
    const seen: { path: string; headers: Record<string, string> }[] = [];
    let polls = 0;
    const app = new Hono();
    app.use('*', async (c, next) => {
      seen.push({ path: c.req.path, headers: Object.fromEntries(c.req.raw.headers) });
      await next();
    });
    app.put('/v2/service_instances/:id', (c) => c.json({ operation: 'net-op' }, 202));
    app.get('/v2/service_instances/:id/last_operation', (c) => c.json({ state: ++polls < 2 ? 'in progress' : 'succeeded' }));
    server = await listen(app);
    const platform = new CcPlatform(kernel);
    const op = {
      type: 'create' as const,
      resource: 'service_instance' as const,
      broker: { guid: 'b', name: 'b', url: server.url, username: 'u', password: 'p' },
      instanceGuid: 'i-net',
      serviceId: SERVICE_ID,
      planId: PLAN_ID,
      userGuid: 'someone',
    };
    const first = await platform.start(op);
    expect(first).toMatchObject({ state: 'in progress', brokerOperation: 'net-op' });
    while (platform.pending() > 0) {
      await kernel.clock.runAll();
      await platform.settle();
    }
    expect((await platform.wait(op)).state).toBe('succeeded');
    expect(seen.map((s) => s.path)).toEqual(['/v2/service_instances/i-net', '/v2/service_instances/i-net/last_operation', '/v2/service_instances/i-net/last_operation']);
    expect(seen[0].headers['x-broker-api-version']).toBe('2.15');
    expect(seen[0].headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    platform.close();
    kernel.close();
  });
});
