import { afterEach, describe, expect, it } from 'vitest';
import type { OperationResult } from '../../../fakes/cc/platform/api.js';
import { maxPollingMs, nextPollDelaySeconds, DEFAULT_POLL_SETTINGS } from '../../../fakes/cc/platform/polling.js';
import { bindOp, json, makeEnv, provisionOp, type Env } from './helpers.js';

/** Minutes after `t0` at which the broker saw each last_operation poll. */
function pollMinutes(env: Env, t0: number): number[] {
  return env.kernel.journal.query({ service: 'cc->broker', tag: 'last-operation' }).map((e) => (e.virtualTime - t0) / 60_000);
}
function pollSeconds(env: Env, t0: number): number[] {
  return env.kernel.journal.query({ service: 'cc->broker', tag: 'last-operation' }).map((e) => (e.virtualTime - t0) / 1000);
}

describe('poll interval arithmetic (C.4)', () => {
  const s = DEFAULT_POLL_SETTINGS;
  it.each([
    [undefined, 60],
    [0, 60],
    [10, 60],
    [-5, 60],
    [61, 61],
    [300, 300],
    [90_000, 86_400],
  ])('Retry-After %s -> %s s', (ra, want) => expect(nextPollDelaySeconds(s, 1, ra)).toBe(want));
  it('backs off exponentially when configured, capped at the max interval', () => {
    const b = { ...s, backoffRate: 2, maxIntervalSeconds: 400 };
    expect([1, 2, 3, 4, 5].map((n) => nextPollDelaySeconds(b, n, undefined))).toEqual([60, 120, 240, 400, 400]);
  });
  it('the plan maximum_polling_duration wins only when smaller', () => {
    expect(maxPollingMs(s, undefined)).toBe(10_080 * 60_000);
    expect(maxPollingMs(s, 120)).toBe(120_000);
    expect(maxPollingMs(s, 0)).toBe(10_080 * 60_000);
    expect(maxPollingMs(s, -1)).toBe(10_080 * 60_000);
    expect(maxPollingMs({ ...s, maxDurationMinutes: 1 }, 120)).toBe(60_000);
  });
});

describe('polling on the virtual clock', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('polls once at once after the 202, then every 60 s until a terminal state', async () => {
    env = makeEnv();
    const t0 = env.kernel.clock.now();
    env.replies.provision = () => json(202, { operation: 'op-1', dashboard_url: 'https://d/1' });
    env.replies.instanceLastOp = (_r, n) => json(200, n < 4 ? { state: 'in progress', description: `${n * 25}%` } : { state: 'succeeded', description: 'ready' });
    const updates: OperationResult[] = [];
    const o = provisionOp(env, { instancesRetrievable: false });
    const first = await env.platform.start(o, { onUpdate: (u) => updates.push(u) });
    expect(first).toMatchObject({ state: 'in progress', async: true, brokerOperation: 'op-1', dashboardUrl: 'https://d/1' });
    await env.platform.settle();
    expect(pollMinutes(env, t0)).toEqual([0]);
    expect(env.platform.pending()).toBe(1);
    await env.kernel.clock.advance(59_000);
    expect(pollMinutes(env, t0)).toEqual([0]);
    await env.kernel.clock.advance(1_000);
    expect(pollMinutes(env, t0)).toEqual([0, 1]);
    await env.kernel.clock.advance(10 * 60_000);
    expect(pollMinutes(env, t0)).toEqual([0, 1, 2, 3]);
    const final = await env.platform.wait(o);
    expect(final).toMatchObject({ state: 'succeeded', description: 'ready', dashboardUrl: 'https://d/1' });
    expect(env.platform.pending()).toBe(0);
    expect(updates.map((u) => [u.state, u.description])).toEqual([
      ['in progress', undefined],
      ['in progress', '25%'],
      ['in progress', '50%'],
      ['in progress', '75%'],
      ['succeeded', 'ready'],
    ]);
    expect(env.of('fetchInstance')).toHaveLength(0);
  });

  it.each([
    ['10', [0, 60, 120]],
    ['300', [0, 300, 600]],
    ['Wed, 21 Oct 2026 07:28:00 GMT', [0, 60, 120]],
    ['90000', [0, 86_400, 172_800]],
  ])('Retry-After: %s is clamped as CC clamps it', async (ra, want) => {
    env = makeEnv();
    const t0 = env.kernel.clock.now();
    env.replies.provision = () => json(202, {});
    env.replies.instanceLastOp = (_r, n) => json(200, { state: n < 3 ? 'in progress' : 'succeeded' }, { 'retry-after': ra });
    const o = provisionOp(env, { instancesRetrievable: false });
    await env.platform.start(o);
    await env.kernel.clock.runAll();
    expect(pollSeconds(env, t0)).toEqual(want);
    expect((await env.platform.wait(o)).state).toBe('succeeded');
  });

  it('the max poll interval option caps Retry-After', async () => {
    env = makeEnv({ maxPollIntervalSeconds: 120 });
    const t0 = env.kernel.clock.now();
    env.replies.provision = () => json(202, {});
    env.replies.instanceLastOp = (_r, n) => json(200, { state: n < 2 ? 'in progress' : 'succeeded' }, { 'retry-after': '3600' });
    await env.platform.start(provisionOp(env));
    await env.kernel.clock.runAll();
    expect(pollSeconds(env, t0)).toEqual([0, 120]);
  });

  it("gives up after CC's maximum polling duration (7 days by default)", async () => {
    env = makeEnv();
    const t0 = env.kernel.clock.now();
    env.replies.provision = () => json(202, {});
    env.replies.instanceLastOp = () => json(200, { state: 'in progress' }, { 'retry-after': '86400' });
    const o = provisionOp(env);
    let failedAt = 0;
    await env.platform.start(o, { onUpdate: (u) => u.state === 'failed' && (failedAt = env.kernel.clock.now()) });
    await env.kernel.clock.runAll();
    const final = await env.platform.wait(o);
    expect(final).toMatchObject({ state: 'failed', timedOut: true, description: 'Service Broker failed to provision within the required time.' });
    expect(pollMinutes(env, t0).map((m) => m / 1440)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect((failedAt - t0) / 86_400_000).toBe(7);
    expect(env.platform.pending()).toBe(0);
  });

  it('maxPollingDurationMinutes and the plan maximum_polling_duration bound the polling', async () => {
    env = makeEnv({ maxPollingDurationMinutes: 5 });
    const t0 = env.kernel.clock.now();
    env.replies.provision = () => json(202, {});
    env.replies.instanceLastOp = () => json(200, { state: 'in progress' });
    const o = provisionOp(env);
    let failedAt = 0;
    await env.platform.start(o, { onUpdate: (u) => u.state === 'failed' && (failedAt = env.kernel.clock.now()) });
    await env.kernel.clock.runAll();
    // ReoccurringJob: after each poll, expire at once if the next one would fall past the maximum.
    expect(pollMinutes(env, t0)).toEqual([0, 1, 2, 3, 4, 5]);
    expect((failedAt - t0) / 60_000).toBe(5);
    expect((await env.platform.wait(o)).timedOut).toBe(true);

    const planBound = provisionOp(env, { instanceGuid: 'other', maximumPollingDurationSeconds: 150 });
    const t1 = env.kernel.clock.now();
    await env.platform.start(planBound, { onUpdate: (u) => u.state === 'failed' && (failedAt = env.kernel.clock.now()) });
    await env.kernel.clock.runAll();
    expect((failedAt - t1) / 1000).toBe(120);
    expect(env.kernel.journal.query({ service: 'cc->broker', tag: 'last-operation', path: '/v2/service_instances/other/last_operation' })).toHaveLength(3);
  });

  it('last_operation 400 fails the operation with the broker description', async () => {
    env = makeEnv();
    env.replies.provision = () => json(202, {});
    env.replies.instanceLastOp = () => json(400, { description: 'unknown operation' });
    const o = provisionOp(env);
    await env.platform.start(o);
    const final = await env.platform.wait(o);
    expect(final).toMatchObject({ state: 'failed', description: 'unknown operation' });
    expect(final.jobError?.description).toBe('create managed could not be completed: unknown operation');
  });

  it('state failed ends the operation with CF-UnableToPerform', async () => {
    env = makeEnv();
    env.replies.update = () => json(202, { operation: 'u' });
    env.replies.instanceLastOp = () => json(200, { state: 'failed', description: 'no capacity' });
    const o = { ...provisionOp(env), type: 'update' as const };
    await env.platform.start(o);
    const final = await env.platform.wait(o);
    expect(final.state).toBe('failed');
    expect(final.error).toEqual({ httpStatus: 400, code: 10009, errorCode: 'CF-UnableToPerform', title: 'CF-UnableToPerform', description: 'update could not be completed: no capacity' });
  });

  it('410 while deleting means deleted; the record goes', async () => {
    env = makeEnv();
    env.replies.deprovision = () => json(202, { operation: 'd' });
    env.replies.instanceLastOp = () => json(410, {});
    const o = { ...provisionOp(env), type: 'delete' as const };
    await env.platform.start(o);
    expect(await env.platform.wait(o)).toMatchObject({ state: 'succeeded', gone: true });
  });

  it('410 while creating is ignored: CC keeps polling', async () => {
    env = makeEnv();
    const t0 = env.kernel.clock.now();
    env.replies.provision = () => json(202, {});
    env.replies.instanceLastOp = (_r, n) => (n < 3 ? json(410, {}) : json(200, { state: 'succeeded' }));
    const o = provisionOp(env, { instancesRetrievable: false });
    await env.platform.start(o);
    await env.kernel.clock.runAll();
    expect(pollMinutes(env, t0)).toEqual([0, 1, 2]);
    expect((await env.platform.wait(o)).state).toBe('succeeded');
  });

  it.each([
    ['404', () => json(404, 'gone?')],
    ['500', () => json(500, { description: 'oops' })],
    ['503 html', () => new Response('<html>', { status: 503 })],
    ['200 not JSON', () => new Response('nope', { status: 200 })],
    ['200 unknown state', () => json(200, { state: 'done' })],
    ['201', () => json(201, {})],
    ['401', () => json(401, {})],
  ])('a %s while polling does not stop polling', async (_n, bad) => {
    env = makeEnv();
    const t0 = env.kernel.clock.now();
    env.replies.provision = () => json(202, {});
    env.replies.instanceLastOp = (_r, n) => (n < 3 ? bad() : json(200, { state: 'succeeded' }));
    const o = provisionOp(env, { instancesRetrievable: false });
    await env.platform.start(o);
    await env.kernel.clock.runAll();
    expect(pollMinutes(env, t0)).toEqual([0, 1, 2]);
    expect((await env.platform.wait(o)).state).toBe('succeeded');
  });

  it('a poll error on a binding reads as in progress with no description; an instance keeps its description', async () => {
    env = makeEnv();
    const updates: OperationResult[] = [];
    env.replies.bind = () => json(202, {});
    env.replies.bindingLastOp = (_r, n) =>
      n === 1 ? json(200, { state: 'in progress', description: 'half' }) : n === 2 ? json(500, { description: 'hiccup' }) : json(200, { state: 'succeeded' });
    const o = bindOp(env);
    await env.platform.start(o, { onUpdate: (u) => updates.push(u) });
    await env.kernel.clock.runAll();
    expect(updates.map((u) => [u.state, u.description])).toEqual([
      ['in progress', undefined],
      ['in progress', 'half'],
      ['in progress', undefined],
      ['succeeded', undefined],
    ]);

    const iupdates: OperationResult[] = [];
    env.replies.provision = () => json(202, {});
    env.replies.instanceLastOp = (_r, n) =>
      n === 1 ? json(200, { state: 'in progress', description: 'half' }) : n === 2 ? json(500, {}) : json(200, { state: 'in progress', description: 'half' });
    const io = provisionOp(env, { maximumPollingDurationSeconds: 150 });
    await env.platform.start(io, { onUpdate: (u) => iupdates.push(u) });
    await env.kernel.clock.runAll();
    expect(iupdates.map((u) => [u.state, u.description])).toEqual([
      ['in progress', undefined],
      ['in progress', 'half'],
      ['failed', 'Service Broker failed to provision within the required time.'],
      // the cleanup job's outcome, once its DELETE is answered
      ['failed', 'Service Broker failed to provision within the required time.'],
    ]);
    expect(iupdates.map((u) => u.orphanMitigation)).toEqual([undefined, undefined, 'scheduled', 'performed']);
  });

  it('after an async create succeeds CC fetches the instance when instances_retrievable (dashboard_url refreshed)', async () => {
    env = makeEnv();
    env.replies.provision = () => json(202, { dashboard_url: 'https://d/old' });
    const o = provisionOp(env, { instancesRetrievable: true });
    await env.platform.start(o);
    const final = await env.platform.wait(o);
    expect(final).toMatchObject({ state: 'succeeded', dashboardUrl: 'https://dash.example.com/fetched', parameters: { a: 1 } });
    const [f] = env.of('fetchInstance');
    expect(f.rawQuery).toBe('');
    expect(f.path).toBe('/v2/service_instances/inst-guid-1');
  });

  it('a failed instance fetch after success is only logged', async () => {
    env = makeEnv();
    env.replies.provision = () => json(202, { dashboard_url: 'https://d/old' });
    env.replies.fetchInstance = () => json(500, {});
    const o = provisionOp(env, { instancesRetrievable: true });
    await env.platform.start(o);
    expect(await env.platform.wait(o)).toMatchObject({ state: 'succeeded', dashboardUrl: 'https://d/old' });
  });

  it('an async bind completes with the fetched binding (credentials from the GET)', async () => {
    env = makeEnv();
    env.replies.bind = () => json(202, { operation: 'b 1' });
    const o = bindOp(env);
    await env.platform.start(o);
    const final = await env.platform.wait(o);
    expect(final).toMatchObject({ state: 'succeeded', credentials: { user: 'fetched' }, brokerOperation: 'b 1' });
    expect(env.of('bindingLastOp')[0].rawQuery).toBe('operation=b+1&plan_id=plan-id-1&service_id=svc-id-1');
    expect(env.of('fetchBinding')).toHaveLength(1);
  });

  it('an async bind whose binding fetch fails ends failed', async () => {
    env = makeEnv();
    env.replies.bind = () => json(202, {});
    env.replies.fetchBinding = () => json(404, {});
    const o = bindOp(env);
    await env.platform.start(o);
    const final = await env.platform.wait(o);
    expect(final.state).toBe('failed');
    expect(final.jobError?.description).toMatch(/^bind could not be completed: The service broker rejected the request/);
  });

  it('CC refuses an async bind when the offering is not bindings_retrievable', async () => {
    env = makeEnv();
    env.replies.bind = () => json(202, { operation: 'x' });
    const res = await env.platform.start(bindOp(env, { bindingsRetrievable: false }));
    await env.platform.settle();
    expect(res).toMatchObject({
      state: 'failed',
      description: 'The broker responded asynchronously but does not support fetching binding data',
      error: { code: 90001, errorCode: 'CF-ServiceBindingInvalid', description: 'The service binding is invalid: The broker responded asynchronously but does not support fetching binding data' },
      orphanMitigation: 'none',
    });
    expect(env.of('bindingLastOp')).toHaveLength(0);
  });

  it('async unbind: polls the binding last_operation; 410 or succeeded means gone', async () => {
    env = makeEnv();
    env.replies.unbind = () => json(202, { operation: 'ub' });
    env.replies.bindingLastOp = () => json(200, { state: 'succeeded' });
    const o = { ...bindOp(env), type: 'delete' as const };
    await env.platform.start(o);
    expect(await env.platform.wait(o)).toMatchObject({ state: 'succeeded', gone: true });
    expect(env.of('fetchBinding')).toHaveLength(0);
  });

  it('a new operation on the same resource replaces the old polling (delete during create)', async () => {
    env = makeEnv();
    env.replies.provision = () => json(202, {});
    env.replies.instanceLastOp = () => json(200, { state: 'in progress' });
    const create = provisionOp(env);
    await env.platform.start(create);
    await env.platform.settle();
    env.replies.deprovision = () => json(200, {});
    const del = await env.platform.start({ ...create, type: 'delete' });
    expect(del.state).toBe('succeeded');
    expect((await env.platform.wait(create)).state).toBe('succeeded');
    expect(env.platform.pending()).toBe(0);
  });

  it('resume() polls an operation again (after a restore) and close() stops all polling', async () => {
    env = makeEnv();
    env.replies.instanceLastOp = () => json(200, { state: 'in progress' });
    const o = provisionOp(env);
    env.platform.resume(o, 'saved-op');
    await env.platform.settle();
    expect(env.of('instanceLastOp')[0].query.operation).toBe('saved-op');
    expect(env.platform.pending()).toBe(1);
    env.platform.close();
    expect(env.platform.pending()).toBe(0);
    await env.kernel.clock.advance(3_600_000);
    expect(env.of('instanceLastOp')).toHaveLength(1);
    await expect(env.platform.start(o)).rejects.toThrow(/closed/);
  });

  it('reset() drops polls and cleanup retries but the platform stays usable', async () => {
    env = makeEnv();
    env.replies.provision = () => json(202, {});
    env.replies.instanceLastOp = () => json(200, { state: 'in progress' });
    env.replies.bind = () => json(500, {});
    env.replies.unbind = () => json(500, {});
    await env.platform.start(provisionOp(env));
    await env.platform.start(bindOp(env));
    await env.platform.settle();
    expect(env.platform.pending()).toBe(2);
    env.platform.reset();
    expect(env.platform.pending()).toBe(0);
    await env.kernel.clock.advance(3_600_000);
    expect(env.of('instanceLastOp')).toHaveLength(1);
    expect(env.of('unbind')).toHaveLength(1);
    env.replies.provision = () => json(201, {});
    expect((await env.platform.start(provisionOp(env))).state).toBe('succeeded');
  });
});

describe('first-response results', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('update: a null or absent dashboard_url keeps the old one (no dashboardUrl in the result)', async () => {
    env = makeEnv();
    env.replies.update = () => json(200, { dashboard_url: null });
    const r1 = await env.platform.start({ ...provisionOp(env), type: 'update' });
    expect(r1.state).toBe('succeeded');
    expect(r1).not.toHaveProperty('dashboardUrl');
    env.replies.update = () => json(200, { dashboard_url: 'https://d/new' });
    expect((await env.platform.start({ ...provisionOp(env), type: 'update' })).dashboardUrl).toBe('https://d/new');
  });

  it('provision 201 keeps a null dashboard_url, description and broker metadata', async () => {
    env = makeEnv();
    env.replies.provision = () => json(201, { dashboard_url: null, description: 'made', metadata: { labels: { a: 'b' }, attributes: {} } });
    const r = await env.platform.start(provisionOp(env));
    expect(r).toMatchObject({ state: 'succeeded', dashboardUrl: null, description: 'made', metadata: { labels: { a: 'b' } } });
  });

  it('bind 201 returns what CC stores: credentials, syslog_drain_url, route_service_url, volume_mounts, endpoints', async () => {
    env = makeEnv();
    const vm = [{ driver: 'nfs', container_dir: '/d', mode: 'rw', device_type: 'shared', device: { volume_id: 'v' } }];
    env.replies.bind = () =>
      json(201, {
        credentials: { uri: 'x' },
        syslog_drain_url: 'syslog://s',
        route_service_url: 'https://rs.example.com',
        volume_mounts: vm,
        endpoints: [{ host: 'h', ports: ['443'] }],
      });
    const r = await env.platform.start(bindOp(env, { serviceRequires: ['syslog_drain', 'route_forwarding', 'volume_mount'] }));
    expect(r).toMatchObject({
      state: 'succeeded',
      credentials: { uri: 'x' },
      syslogDrainUrl: 'syslog://s',
      routeServiceUrl: 'https://rs.example.com',
      volumeMounts: vm,
      endpoints: [{ host: 'h', ports: ['443'] }],
    });
  });

  it('deprovision 410 and unbind 410 mean already gone', async () => {
    env = makeEnv();
    env.replies.deprovision = () => json(410, {});
    env.replies.unbind = () => json(410, {});
    expect(await env.platform.start({ ...provisionOp(env), type: 'delete' })).toMatchObject({ state: 'succeeded', gone: true });
    expect(await env.platform.start({ ...bindOp(env), type: 'delete' })).toMatchObject({ state: 'succeeded', gone: true });
    env.replies.deprovision = () => json(200, {});
    expect(await env.platform.start({ ...provisionOp(env), type: 'delete' })).toMatchObject({ state: 'succeeded', gone: true });
    env.replies.provision = () => json(201, {});
    expect(await env.platform.start(provisionOp(env))).not.toHaveProperty('gone');
  });
});
