import { afterEach, describe, expect, it } from 'vitest';
import type { OperationResult, PlatformOperation } from '../../../fakes/cc/platform/api.js';
import { BINDING, INSTANCE, PLAN_ID, SERVICE_ID, bindOp, json, makeEnv, omCalls, provisionOp, type Env, type RouteKind } from './helpers.js';

type Setup = (env: Env) => void;
const reply =
  (kind: RouteKind, status: number, body: unknown, headers: Record<string, string> = {}): Setup =>
  (env) => {
    env.replies[kind] = () => json(status, body, headers);
  };
const raw =
  (kind: RouteKind, status: number, body: string | null): Setup =>
  (env) => {
    env.replies[kind] = () => new Response(body, { status });
  };
/** The broker takes longer than CC's 60 s client timeout (a latency fault on the cc->broker leg). */
const slow =
  (method: string): Setup =>
  (env) => {
    env.kernel.faults.add({ match: { service: 'cc->broker', method }, action: { type: 'latency', ms: 61_000 }, times: 1 });
  };
const reset =
  (method: string): Setup =>
  (env) => {
    env.kernel.faults.add({ match: { service: 'cc->broker', method }, action: { type: 'reset' }, times: 1 });
  };

interface Row {
  name: string;
  op: (env: Env) => PlatformOperation;
  setup: Setup;
  om: boolean;
  /** Expected error class / CC error code of the failure. */
  errorCode?: string;
}

const inst = (env: Env) => provisionOp(env);
const app = (env: Env) => bindOp(env);
const keyV3 = (env: Env) => bindOp(env, { resource: 'service_key', via: 'v3' });
const keyV2 = (env: Env) => bindOp(env, { resource: 'service_key', via: 'v2' });
const route = (env: Env) => bindOp(env, { resource: 'route_binding', serviceRequires: ['route_forwarding'] });
const update = (env: Env) => ({ ...provisionOp(env), type: 'update' as const });
const deprov = (env: Env) => ({ ...provisionOp(env), type: 'delete' as const });
const unbind = (env: Env) => ({ ...bindOp(env), type: 'delete' as const });

const BAD = 'CF-ServiceBrokerBadResponse';
const MAL = 'CF-ServiceBrokerResponseMalformed';

const provisionRows: Row[] = [
  { name: 'provision: no response within 60 s', op: inst, setup: slow('PUT'), om: true, errorCode: 'CF-HttpClientTimeout' },
  { name: 'provision: 500', op: inst, setup: reply('provision', 500, { description: 'boom' }), om: true, errorCode: BAD },
  { name: 'provision: 503 not JSON', op: inst, setup: raw('provision', 503, 'down'), om: true, errorCode: BAD },
  { name: 'provision: 204', op: inst, setup: raw('provision', 204, null), om: true, errorCode: BAD },
  { name: 'provision: 203 (other 2xx)', op: inst, setup: reply('provision', 203, {}), om: true, errorCode: BAD },
  { name: 'provision: 302 left after redirect-following', op: inst, setup: raw('provision', 302, ''), om: true, errorCode: BAD },
  { name: 'provision: 410', op: inst, setup: reply('provision', 410, {}), om: true, errorCode: BAD },
  { name: 'provision: 422 with an unrecognised error', op: inst, setup: reply('provision', 422, { error: 'Custom' }), om: true, errorCode: BAD },
  { name: 'provision: 201 not JSON', op: inst, setup: raw('provision', 201, 'created'), om: true, errorCode: MAL },
  { name: 'provision: 201 dashboard_url a number', op: inst, setup: reply('provision', 201, { dashboard_url: 3 }), om: true, errorCode: MAL },
  { name: 'provision: 202 operation not a string', op: inst, setup: reply('provision', 202, { operation: 1 }), om: true, errorCode: MAL },
  { name: 'provision: 202 operation > 10000 chars', op: inst, setup: reply('provision', 202, { operation: 'o'.repeat(10_001) }), om: true, errorCode: MAL },
  { name: 'provision: 200 malformed (fails only)', op: inst, setup: raw('provision', 200, 'ok'), om: false, errorCode: MAL },
  { name: 'provision: 401', op: inst, setup: reply('provision', 401, {}), om: false, errorCode: 'CF-ServiceBrokerApiAuthenticationFailed' },
  { name: 'provision: 408', op: inst, setup: reply('provision', 408, {}), om: false, errorCode: 'CF-ServiceBrokerApiTimeout' },
  { name: 'provision: 400', op: inst, setup: reply('provision', 400, { description: 'bad' }), om: false, errorCode: 'CF-ServiceBrokerRequestRejected' },
  { name: 'provision: 403', op: inst, setup: reply('provision', 403, {}), om: false, errorCode: 'CF-ServiceBrokerRequestRejected' },
  { name: 'provision: 404', op: inst, setup: reply('provision', 404, {}), om: false, errorCode: 'CF-ServiceBrokerRequestRejected' },
  { name: 'provision: 409', op: inst, setup: reply('provision', 409, {}), om: false, errorCode: 'CF-ServiceBrokerConflict' },
  { name: 'provision: 422 AsyncRequired', op: inst, setup: reply('provision', 422, { error: 'AsyncRequired' }), om: false, errorCode: 'CF-AsyncRequired' },
  { name: 'provision: 422 ConcurrencyError', op: inst, setup: reply('provision', 422, { error: 'ConcurrencyError' }), om: false, errorCode: 'CF-ConcurrencyError' },
  { name: 'provision: 422 MaintenanceInfoConflict', op: inst, setup: reply('provision', 422, { error: 'MaintenanceInfoConflict' }), om: false, errorCode: 'CF-MaintenanceInfoConflict' },
  { name: 'provision: connection reset', op: inst, setup: reset('PUT'), om: false, errorCode: 'CF-ServiceBrokerApiUnreachable' },
  {
    name: 'provision: connection refused (nobody there)',
    op: (env) => ({ ...provisionOp(env), broker: { ...env.broker, url: `https://nobody.${env.kernel.id}.fakefoundry.test` } }),
    setup: () => undefined,
    om: false,
    errorCode: 'CF-ServiceBrokerApiUnreachable',
  },
];

const bindRows: Row[] = [];
for (const [label, mk] of [
  ['bind (app)', app],
  ['service key (v3)', keyV3],
  ['route binding', route],
] as const) {
  bindRows.push(
    { name: `${label}: timeout`, op: mk, setup: slow('PUT'), om: true, errorCode: 'CF-HttpClientTimeout' },
    { name: `${label}: 500`, op: mk, setup: reply('bind', 500, {}), om: true, errorCode: BAD },
    { name: `${label}: 204`, op: mk, setup: raw('bind', 204, null), om: true, errorCode: BAD },
    { name: `${label}: 410`, op: mk, setup: reply('bind', 410, {}), om: true, errorCode: BAD },
    { name: `${label}: 422 unknown error`, op: mk, setup: reply('bind', 422, { error: 'Other' }), om: true, errorCode: BAD },
    { name: `${label}: 201 not JSON`, op: mk, setup: raw('bind', 201, 'x'), om: true, errorCode: MAL },
    { name: `${label}: 201 credentials a string`, op: mk, setup: reply('bind', 201, { credentials: 's' }), om: true, errorCode: MAL },
    { name: `${label}: 202 operation not a string`, op: mk, setup: reply('bind', 202, { operation: false }), om: true, errorCode: MAL },
    { name: `${label}: invalid volume_mounts`, op: mk, setup: reply('bind', 201, { credentials: {}, volume_mounts: [{}] }), om: true, errorCode: 'CF-ServiceBrokerInvalidVolumeMounts' },
    { name: `${label}: syslog_drain_url without requires`, op: mk, setup: reply('bind', 200, { syslog_drain_url: 'syslog://a' }), om: true, errorCode: 'CF-ServiceBrokerInvalidSyslogDrainUrl' },
    { name: `${label}: non-https route_service_url (even on 200)`, op: mk, setup: reply('bind', 200, { route_service_url: 'http://rs.example.com' }), om: true, errorCode: BAD },
    { name: `${label}: 409`, op: mk, setup: reply('bind', 409, {}), om: false, errorCode: 'CF-ServiceBrokerConflict' },
    { name: `${label}: 422 ConcurrencyError`, op: mk, setup: reply('bind', 422, { error: 'ConcurrencyError' }), om: false, errorCode: 'CF-ConcurrencyError' },
    { name: `${label}: 422 RequiresApp`, op: mk, setup: reply('bind', 422, { error: 'RequiresApp' }), om: false, errorCode: 'CF-AppRequired' },
    { name: `${label}: 400`, op: mk, setup: reply('bind', 400, {}), om: false, errorCode: 'CF-ServiceBrokerRequestRejected' },
    { name: `${label}: 408`, op: mk, setup: reply('bind', 408, {}), om: false, errorCode: 'CF-ServiceBrokerApiTimeout' },
    { name: `${label}: connection reset`, op: mk, setup: reset('PUT'), om: false, errorCode: 'CF-ServiceBrokerApiUnreachable' },
    { name: `${label}: 200 malformed`, op: mk, setup: raw('bind', 200, 'nope'), om: false, errorCode: MAL },
  );
}
bindRows.push(
  { name: 'service key (v2): 200 malformed is mitigated too', op: keyV2, setup: raw('bind', 200, 'nope'), om: true, errorCode: MAL },
  { name: 'service key (v2): 500', op: keyV2, setup: reply('bind', 500, {}), om: true, errorCode: BAD },
  { name: 'service key (v2): timeout', op: keyV2, setup: slow('PUT'), om: true, errorCode: 'CF-HttpClientTimeout' },
  { name: 'service key (v2): syslog_drain_url without requires fails only', op: keyV2, setup: reply('bind', 201, { syslog_drain_url: 'syslog://a' }), om: false, errorCode: 'CF-ServiceBrokerInvalidSyslogDrainUrl' },
  { name: 'service key (v2): invalid volume_mounts fails only', op: keyV2, setup: reply('bind', 201, { volume_mounts: [{}] }), om: false, errorCode: 'CF-ServiceBrokerInvalidVolumeMounts' },
);

const neverRows: Row[] = [];
for (const [label, mk, kind] of [
  ['update', update, 'update'],
  ['deprovision', deprov, 'deprovision'],
  ['unbind', unbind, 'unbind'],
] as const) {
  const method = label === 'update' ? 'PATCH' : 'DELETE';
  neverRows.push(
    { name: `${label}: 500`, op: mk, setup: reply(kind, 500, {}), om: false, errorCode: BAD },
    { name: `${label}: timeout`, op: mk, setup: slow(method), om: false, errorCode: 'CF-HttpClientTimeout' },
    { name: `${label}: 202 malformed`, op: mk, setup: reply(kind, 202, { operation: 7 }), om: false, errorCode: MAL },
    { name: `${label}: 204`, op: mk, setup: raw(kind, 204, null), om: false, errorCode: BAD },
    { name: `${label}: 409`, op: mk, setup: reply(kind, 409, {}), om: false, errorCode: BAD },
  );
}
neverRows.push(
  { name: 'deprovision: 422 ConcurrencyError -> 409 operation in progress', op: deprov, setup: reply('deprovision', 422, { error: 'ConcurrencyError' }), om: false, errorCode: 'CF-AsyncServiceInstanceOperationInProgress' },
  { name: 'unbind: 422 ConcurrencyError', op: unbind, setup: reply('unbind', 422, { error: 'ConcurrencyError' }), om: false, errorCode: 'CF-ConcurrencyError' },
  {
    name: 'unbind (app binding): 422 ConcurrencyError -> 409 binding operation in progress',
    op: (env) => ({ ...unbind(env), appName: 'my-app', instanceName: 'my-db' }),
    setup: reply('unbind', 422, { error: 'ConcurrencyError' }),
    om: false,
    errorCode: 'CF-AsyncServiceBindingOperationInProgress',
  },
);

async function run(env: Env, row: Row): Promise<OperationResult> {
  row.setup(env);
  const p = env.platform.start(row.op(env));
  // Lets a latency fault run into CC's client timeout; harmless otherwise.
  await env.kernel.clock.advance(60_000);
  const res = await p;
  await env.platform.settle();
  return res;
}

describe('orphan mitigation (C.5), every row', () => {
  let env: Env;
  afterEach(() => env?.close());

  it.each([...provisionRows, ...bindRows, ...neverRows].map((r) => [r.name, r] as const))('%s', async (_n, row) => {
    env = makeEnv();
    const res = await run(env, row);
    expect(res.state).toBe('failed');
    if (row.errorCode) expect(res.error?.errorCode).toBe(row.errorCode);
    const om = omCalls(env);
    if (!row.om) {
      expect(om).toHaveLength(0);
      expect(res.orphanMitigation).toBe('none');
      return;
    }
    // the failure is reported with the cleanup queued; the cleanup job then sends its DELETE
    expect(res.orphanMitigation).toBe('scheduled');
    expect(env.platform.orphanMitigations()).toMatchObject([{ attempts: 1, state: 'performed' }]);
    expect(om).toHaveLength(1);
    const o = row.op(env);
    const isInstance = o.resource === 'service_instance';
    expect(om[0].method).toBe('DELETE');
    expect(om[0].path).toBe(isInstance ? `/v2/service_instances/${INSTANCE}` : `/v2/service_instances/${INSTANCE}/service_bindings/${BINDING}`);
    const v2Key = o.resource === 'service_key' && o.via === 'v2';
    expect(om[0].query).toEqual(
      v2Key ? { plan_id: PLAN_ID, service_id: SERVICE_ID } : { accepts_incomplete: 'true', plan_id: PLAN_ID, service_id: SERVICE_ID },
    );
    // From the broker's side: the cleanup DELETE names no user.
    const seen = env.of(isInstance ? 'deprovision' : 'unbind');
    expect(seen).toHaveLength(1);
    expect(seen[0].headers).not.toHaveProperty('x-broker-api-originating-identity');
    expect(seen[0].body).toBe('');
  });
});

describe('orphan mitigation after async work', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('async provision that ends failed is not mitigated at once; mitigateOrphan (re-create / delete) sends the DELETE', async () => {
    env = makeEnv();
    env.replies.provision = () => json(202, { operation: 'p' });
    env.replies.instanceLastOp = () => json(200, { state: 'failed', description: 'quota' });
    const o = provisionOp(env);
    await env.platform.start(o);
    const final = await env.platform.wait(o);
    expect(final.state).toBe('failed');
    expect(final.description).toBe('quota');
    // ServiceInstanceCreateManaged's LastOperationFailedState, as the job reports it
    expect(final.jobError).toMatchObject({ code: 10009, title: 'CF-UnableToPerform', description: 'create managed could not be completed: quota' });
    expect(omCalls(env)).toHaveLength(0);
    env.platform.mitigateOrphan(o);
    await env.platform.settle();
    expect(omCalls(env)).toHaveLength(1);
  });

  it('async bind that ends failed is not mitigated', async () => {
    env = makeEnv();
    env.replies.bind = () => json(202, { operation: 'b' });
    env.replies.bindingLastOp = () => json(200, { state: 'failed' });
    const o = bindOp(env);
    await env.platform.start(o);
    expect((await env.platform.wait(o)).state).toBe('failed');
    expect(omCalls(env)).toHaveLength(0);
  });

  it.each([
    ['provision', provisionOp, 'instanceLastOp', 'provision'],
    ['bind', bindOp, 'bindingLastOp', 'bind'],
  ] as const)('%s: poll duration exceeded -> failed, CF-JobTimeout, and a cleanup DELETE', async (_n, mk, lastOp, first) => {
    env = makeEnv();
    env.replies[first] = () => json(202, { operation: 'slow' });
    env.replies[lastOp] = () => json(200, { state: 'in progress' });
    const o = mk(env, { maximumPollingDurationSeconds: 150 });
    await env.platform.start(o);
    await env.kernel.clock.advance(10 * 60_000);
    const final = await env.platform.wait(o);
    expect(final.state).toBe('failed');
    expect(final.timedOut).toBe(true);
    expect(final.error).toMatchObject({ code: 290006, errorCode: 'CF-JobTimeout', httpStatus: 524 });
    expect(final.description).toBe(`Service Broker failed to ${first} within the required time.`);
    expect(final.orphanMitigation).toBe('scheduled');
    await env.platform.settle();
    expect(omCalls(env)).toHaveLength(1);
    expect(env.platform.orphanMitigations()).toMatchObject([{ attempts: 1, state: 'performed' }]);
  });

  it('update / delete poll timeouts are never mitigated', async () => {
    env = makeEnv();
    env.replies.update = () => json(202, {});
    env.replies.instanceLastOp = () => json(200, { state: 'in progress' });
    const o = { ...provisionOp(env), type: 'update' as const, maximumPollingDurationSeconds: 60 };
    await env.platform.start(o);
    await env.kernel.clock.advance(5 * 60_000);
    const final = await env.platform.wait(o);
    expect(final.timedOut).toBe(true);
    expect(final.description).toBe('Service Broker failed to update within the required time.');
    expect(omCalls(env)).toHaveLength(0);
  });

  it('a cleanup DELETE that fails is retried 2^n minutes later, up to 11 attempts, each in the journal', async () => {
    env = makeEnv();
    env.replies.provision = () => json(500, {});
    env.replies.deprovision = () => json(500, {});
    const res = await env.platform.start(provisionOp(env));
    expect(res.orphanMitigation).toBe('scheduled');
    await env.platform.settle();
    expect(env.platform.pending()).toBe(1);
    const times: number[] = [];
    const t0 = env.kernel.clock.now();
    await env.kernel.clock.runAll();
    for (const e of omCalls(env)) times.push((e.virtualTime - t0) / 60_000);
    // attempt 1 at once, then after 2, 4, 8, ... minutes
    expect(times).toEqual([0, 2, 6, 14, 30, 62, 126, 254, 510, 1022, 2046]);
    expect(env.platform.pending()).toBe(0);
    expect(env.platform.orphanMitigations()[0]).toMatchObject({ attempts: 11, state: 'failed' });
  });

  it('a cleanup DELETE that cannot reach the broker is retried too; each is tagged orphan-mitigation and deprovision or unbind', async () => {
    env = makeEnv();
    env.replies.provision = () => json(500, {});
    env.replies.bind = () => json(500, {});
    env.kernel.faults.add({ match: { service: 'cc->broker', method: 'DELETE' }, action: { type: 'reset' }, times: 2 });
    await env.platform.start(provisionOp(env));
    // a v2 app binding is not the v2 service-key path: its cleanup keeps accepts_incomplete
    await env.platform.start(bindOp(env, { via: 'v2' }));
    await env.platform.settle();
    await env.kernel.clock.runAll();
    await env.platform.settle();
    expect(omCalls(env).map((e) => [e.tags, e.status, e.query.accepts_incomplete])).toEqual([
      [['orphan-mitigation', 'deprovision'], 0, 'true'],
      [['orphan-mitigation', 'unbind'], 0, 'true'],
      [['orphan-mitigation', 'deprovision'], 200, 'true'],
      [['orphan-mitigation', 'unbind'], 200, 'true'],
    ]);
    expect(env.platform.orphanMitigations().map((r) => [r.key, r.attempts, r.state])).toEqual([
      ['om-1', 2, 'performed'],
      ['om-2', 2, 'performed'],
    ]);
  });

  it('a retried cleanup stops once the broker answers 410 (nothing to delete)', async () => {
    env = makeEnv();
    const updates: OperationResult[] = [];
    env.replies.provision = () => json(500, {});
    env.replies.deprovision = (_r, n) => (n < 3 ? json(503, {}) : json(410, {}));
    await env.platform.start(provisionOp(env), { onUpdate: (u) => updates.push(u) });
    await env.kernel.clock.runAll();
    expect(omCalls(env)).toHaveLength(3);
    expect(updates.at(-1)?.orphanMitigation).toBe('performed');
  });

  it('a 202 to the cleanup DELETE ends it without polling', async () => {
    env = makeEnv();
    env.replies.provision = () => json(500, {});
    env.replies.deprovision = () => json(202, { operation: 'cleanup' });
    const res = await env.platform.start(provisionOp(env));
    await env.kernel.clock.runAll();
    expect(res.orphanMitigation).toBe('scheduled');
    expect(env.platform.orphanMitigations()).toMatchObject([{ attempts: 1, state: 'performed' }]);
    expect(env.of('instanceLastOp')).toHaveLength(0);
  });
});

describe('CC error texts on first-response failures', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('deprovision failures name the instance in front (client.deprovision re-raises them so)', async () => {
    env = makeEnv();
    env.replies.deprovision = () => json(500, { description: 'disk stuck' });
    const res = await env.platform.start({ ...provisionOp(env), type: 'delete', instanceName: 'my-db' });
    expect(res.error).toMatchObject({ errorCode: 'CF-ServiceBrokerBadResponse', httpStatus: 502, description: 'Service instance my-db: Service broker error: disk stuck' });
    expect(res.description).toBe('Service instance my-db: Service broker error: disk stuck');
    // DeleteServiceInstanceJob wraps it as UnableToPerform 'delete'
    expect(res.jobError).toMatchObject({ code: 10009, description: 'delete could not be completed: Service instance my-db: Service broker error: disk stuck' });
  });

  it('a failed deprovision poll reads "delete could not be completed" (ServiceInstanceDelete#poll)', async () => {
    env = makeEnv();
    env.replies.deprovision = () => json(202, { operation: 'd' });
    env.replies.instanceLastOp = () => json(200, { state: 'failed', description: 'volume busy' });
    const o = { ...provisionOp(env), type: 'delete' as const, instanceName: 'my-db' };
    await env.platform.start(o);
    const final = await env.platform.wait(o);
    expect(final).toMatchObject({ state: 'failed', description: 'volume busy' });
    expect(final.jobError).toEqual({ httpStatus: 400, code: 10009, errorCode: 'CF-UnableToPerform', title: 'CF-UnableToPerform', description: 'delete could not be completed: volume busy' });
  });

  it('unbind failures: the binding keeps CC\'s sentence, the job wraps it as unbind (V3::ServiceBindingDelete, DeleteBindingJob)', async () => {
    env = makeEnv();
    env.replies.unbind = () => json(500, { description: 'no' });
    const res = await env.platform.start({ ...bindOp(env), type: 'delete', instanceName: 'my-db' });
    expect(res.error).toMatchObject({ errorCode: 'CF-ServiceBrokerBadResponse', description: 'Service broker error: no' });
    expect(res.description).toBe('Service broker failed to delete service binding for instance my-db: Service broker error: no');
    expect(res.jobError?.description).toBe('unbind could not be completed: Service broker failed to delete service binding for instance my-db: Service broker error: no');
    expect(res.keepLastOperation).toBeUndefined();
  });

  it('an unbind refused with ConcurrencyError leaves the binding alone and fails the job with CC\'s sentence', async () => {
    env = makeEnv();
    env.replies.unbind = () => json(422, { error: 'ConcurrencyError' });
    const res = await env.platform.start({ ...bindOp(env), type: 'delete', instanceName: 'my-db', appName: 'my-app' });
    expect(res.keepLastOperation).toBe(true);
    expect(res.error?.errorCode).toBe('CF-AsyncServiceBindingOperationInProgress');
    expect(res.jobError?.description).toBe(
      'unbind could not be completed: The service broker rejected the request due to an operation being in progress for the service binding.',
    );
  });

  it('a failed async bind or unbind poll: the job says only LastOperationFailedState, the description stays the broker\'s', async () => {
    env = makeEnv();
    env.replies.bind = () => json(202, { operation: 'b' });
    env.replies.unbind = () => json(202, { operation: 'u' });
    env.replies.bindingLastOp = () => json(200, { state: 'failed', description: 'broker says no' });
    for (const [type, verb] of [['create', 'create'], ['delete', 'unbind']] as const) {
      const o = { ...bindOp(env), type };
      await env.platform.start(o);
      const final = await env.platform.wait(o);
      expect(final.description).toBe('broker says no');
      expect(final.jobError?.description).toBe(`${verb} could not be completed: VCAP::CloudController::V3::LastOperationFailedState`);
    }
  });

  it('the cleanup DELETE runs as its own job: a slow one does not hold back the failure', async () => {
    env = makeEnv();
    env.replies.provision = () => json(500, {});
    env.kernel.faults.add({ match: { service: 'cc->broker', method: 'DELETE' }, action: { type: 'latency', ms: 30_000 }, times: 1 });
    const t0 = env.kernel.clock.now();
    const res = await env.platform.start(provisionOp(env));
    // reported at once, with the clock not moved, while the DELETE is still on its way
    expect(env.kernel.clock.now()).toBe(t0);
    expect(res).toMatchObject({ state: 'failed', orphanMitigation: 'scheduled' });
    expect(env.platform.orphanMitigations()).toMatchObject([{ attempts: 1, state: 'scheduled' }]);
    await env.kernel.clock.advance(30_000);
    await env.platform.settle();
    expect(env.platform.orphanMitigations()).toMatchObject([{ attempts: 1, state: 'performed' }]);
    const [del] = omCalls(env);
    expect(del.virtualEndTime - t0).toBe(30_000);
  });

  it('deprovision ConcurrencyError becomes 409 CF-AsyncServiceInstanceOperationInProgress', async () => {
    env = makeEnv();
    env.replies.deprovision = () => json(422, { error: 'ConcurrencyError' });
    const res = await env.platform.start({ ...provisionOp(env), type: 'delete', instanceName: 'my-db' });
    expect(res.error).toEqual({
      httpStatus: 409,
      code: 60016,
      errorCode: 'CF-AsyncServiceInstanceOperationInProgress',
      title: 'CF-AsyncServiceInstanceOperationInProgress',
      description: 'An operation for service instance my-db is in progress.',
    });
    expect(res.jobError).toEqual(res.error);
  });

  it('reason phrases come from CC\'s own table', async () => {
    env = makeEnv();
    env.replies.provision = () => new Response('too big', { status: 413 });
    const res = await env.platform.start(provisionOp(env));
    expect(res.error?.description).toBe('The service broker rejected the request. Status Code: 413 Request Entity Too Large, Body: too big');
    expect(res.error?.http).toEqual({ uri: `${env.broker.url}/v2/service_instances/inst-guid-1?accepts_incomplete=true`, method: 'PUT', status: 413 });
  });
});
