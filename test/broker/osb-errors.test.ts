import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRANDS, SMALL, startHarness, type Harness } from './harness.js';

const GENERIC = /^There was a problem completing your request\. Please contact your operations team providing the following information: service: redis-odb, service-instance-guid: inst, broker-request-id: [0-9a-f-]{36}, operation: bind$/;

describe('OSB answers as brokerapi and ODB give them', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 'osb-errors', register: false });
    const prov = await h.osb('PUT', '/v2/service_instances/inst?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: SMALL });
    expect(prov.status).toBe(202);
    await h.f.clock.runAll();
  });
  afterAll(async () => h.close());

  const bind = (id: string, body: Record<string, unknown> = { service_id: 'redis-odb-id', plan_id: SMALL, bind_resource: { app_guid: 'app-1' } }) =>
    h.osb('PUT', `/v2/service_instances/inst/service_bindings/${id}`, body);

  it('basic auth and the API version header', async () => {
    const res = await h.broker.fetch(new Request(`${h.brokerUrl}/v2/catalog`, { headers: { 'x-broker-api-version': '2.17' } }));
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('Not Authorized\n');
    expect(await h.osb('GET', '/v2/catalog', undefined, { 'x-broker-api-version': '' })).toMatchObject({ status: 412, json: { description: 'X-Broker-API-Version Header not set' } });
    expect(await h.osb('GET', '/v2/catalog', undefined, { 'x-broker-api-version': '1.14' })).toMatchObject({ status: 412, json: { description: 'X-Broker-API-Version Header must be 2.x' } });
  });

  it('the catalog from the config, with OSB field names', async () => {
    const res = await h.osb('GET', '/v2/catalog');
    expect(res.status).toBe(200);
    const [svc] = res.json.services;
    expect(svc).toMatchObject({ id: 'redis-odb-id', name: 'redis-odb', description: 'Redis on demand', bindable: true, plan_updateable: true });
    expect(svc.metadata.displayName).toBe('Redis');
    expect(svc.plans.map((p: any) => [p.id, p.name, p.free])).toEqual([
      [SMALL, 'small', true],
      ['large-plan-id', 'large', true],
      [ERRANDS, 'with-errands', true],
    ]);
  });

  it('request checks: async required, ids missing, unknown plan, bad parameters', async () => {
    const body = { service_id: 'redis-odb-id', plan_id: SMALL };
    expect(await h.osb('PUT', '/v2/service_instances/x', body)).toMatchObject({
      status: 422,
      json: { error: 'AsyncRequired', description: 'This service plan requires client support for asynchronous service operations.' },
    });
    expect(await h.osb('PUT', '/v2/service_instances/x?accepts_incomplete=true', { plan_id: SMALL })).toMatchObject({ status: 400, json: { description: 'service_id missing' } });
    expect(await h.osb('PUT', '/v2/service_instances/x?accepts_incomplete=true', { service_id: 'redis-odb-id' })).toMatchObject({ status: 400, json: { description: 'plan_id missing' } });
    expect(await h.osb('PUT', '/v2/service_instances/x?accepts_incomplete=true', { ...body, plan_id: 'nope' })).toMatchObject({ status: 400, json: { description: 'plan_id not recognized' } });
    expect(await h.osb('PUT', '/v2/service_instances/x?accepts_incomplete=true', { ...body, parameters: [1] })).toMatchObject({
      status: 422,
      json: { description: 'The format of the parameters is not valid JSON' },
    });
    expect(await h.osb('DELETE', `/v2/service_instances/x?plan_id=${SMALL}&accepts_incomplete=true`)).toMatchObject({ status: 400, json: { description: 'service_id missing' } });
    expect(await h.osb('DELETE', `/v2/service_instances/inst?service_id=redis-odb-id&plan_id=${SMALL}`)).toMatchObject({ status: 422, json: { error: 'AsyncRequired' } });
    expect((await h.osb('GET', '/v2/nowhere')).status).toBe(404);
  });

  it('adapter exit codes on bind and unbind: 49 → 409, 42 → 422, 41 → 410, 1 → its stdout, empty → generic, 10 → generic', async () => {
    expect(await bind('exists')).toMatchObject({ status: 409, json: { description: 'binding already exists' } });
    expect(await bind('no-app')).toMatchObject({ status: 422, json: { description: 'app_guid is a required field but was not provided' } });
    expect(await bind('loud')).toMatchObject({ status: 500, json: { description: 'the cache is full, try a larger plan' } });
    const silent = await bind('silent');
    expect(silent.status).toBe(500);
    expect(silent.json.description).toMatch(GENERIC);
    const notImplemented = await bind('not-implemented');
    expect(notImplemented.status).toBe(500);
    expect(notImplemented.json.description).toMatch(GENERIC);
    const gone = await h.osb('DELETE', `/v2/service_instances/inst/service_bindings/gone?service_id=redis-odb-id&plan_id=${SMALL}`);
    expect(gone).toMatchObject({ status: 410, json: {} });
    const ok = await bind('fine');
    expect(ok.status).toBe(201);
    expect(ok.json.credentials).toMatchObject({ host: expect.stringMatching(/^10\.244\./), port: 6379, app: 'app-1' });
    expect(await h.osb('DELETE', `/v2/service_instances/inst/service_bindings/fine?service_id=redis-odb-id&plan_id=${SMALL}`)).toMatchObject({ status: 200, json: {} });
    // Exit codes as the reports see them.
    expect(h.adapterCalls.filter((c) => c.subcommand.endsWith('-binding')).map((c) => c.exitCode)).toEqual([49, 42, 1, 1, 10, 41, 0, 0]);
  });

  it('bind to a missing instance is 404 (brokerapi), unbind 410', async () => {
    expect(await h.osb('PUT', '/v2/service_instances/missing/service_bindings/b', { service_id: 'redis-odb-id', plan_id: SMALL })).toMatchObject({
      status: 404,
      json: { description: 'instance does not exist' },
    });
    expect(await h.osb('DELETE', `/v2/service_instances/missing/service_bindings/b?service_id=redis-odb-id&plan_id=${SMALL}`)).toMatchObject({ status: 410, json: {} });
  });

  it('logs the originating identity with the request id', async () => {
    const identity = `cloudfoundry ${Buffer.from('{"user_id":"u-1"}').toString('base64')}`;
    await h.osb('GET', '/v2/service_instances/inst/last_operation', undefined, { 'x-broker-api-originating-identity': identity });
    const line = h.logs.find((l) => l.endsWith('originating identity: cloudfoundry {"user_id":"u-1"}'))!;
    expect(line).toMatch(/^\[on-demand-service-broker\] \[[0-9a-f-]{36}\] /);
    const id = /\] \[([0-9a-f-]{36})\]/.exec(line)![1];
    expect(h.logs.filter((l) => l.includes(`[${id}]`)).length).toBeGreaterThan(1);
  });

  it('exit 1 on provision shows the adapter\'s stdout to the user', async () => {
    const res = await h.osb('PUT', '/v2/service_instances/bad?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: SMALL, parameters: { fail: 'please' } });
    expect(res).toMatchObject({ status: 500, json: { description: 'maxmemory must be a number' } });
    expect(h.bosh.control.deployment('service-instance_bad')).toBeUndefined();
  });

  it('last_operation: operation data errors and an unknown task', async () => {
    const missing = await h.osb('GET', '/v2/service_instances/inst/last_operation');
    expect(missing).toMatchObject({ status: 500, json: { description: 'Request missing operation data, please check your Cloud Foundry version is v238+' } });
    const noTask = await h.osb('GET', `/v2/service_instances/inst/last_operation?operation=${encodeURIComponent('{"BoshTaskID":0,"OperationType":"create"}')}`);
    expect(noTask.status).toBe(500);
    expect(noTask.json.description).toMatch(/^There was a problem completing your request/);
    const ghost = await h.osb('GET', `/v2/service_instances/inst/last_operation?operation=${encodeURIComponent('{"BoshTaskID":99999,"OperationType":"create"}')}`);
    expect(ghost.status).toBe(500);
    expect(ghost.json.description).toMatch(/task-id: 99999, operation: create$/);
  });
});

describe('expose_operational_errors', () => {
  it('appends the operator\'s error to what users see, and the task result to failed operations', async () => {
    const h = await startHarness({
      seed: 'expose',
      register: false,
      config: (c) => ({ ...c, broker: { ...c.broker, expose_operational_errors: true } }),
    });
    try {
      const busy = await h.osb('PUT', '/v2/service_instances/e1?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: SMALL });
      expect(busy.status).toBe(202);
      const again = await h.osb('PUT', '/v2/service_instances/e1?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: SMALL });
      expect(again).toMatchObject({ status: 409, json: {} });
      const task = JSON.parse(busy.json.operation).BoshTaskID as number;
      h.bosh.control.failTask(task, 'Timed out pinging VM');
      const poll = await h.osb('GET', `/v2/service_instances/e1/last_operation?operation=${encodeURIComponent(busy.json.operation)}`);
      expect(poll.json.state).toBe('failed');
      expect(poll.json.description).toMatch(new RegExp(`^Instance provisioning failed: There was a problem .* task-id: ${task}, operation: create, error-message: .*Timed out pinging VM`));
      const noPlan = await h.osb('PUT', '/v2/service_instances/e2/service_bindings/b', { service_id: 'redis-odb-id', plan_id: SMALL });
      expect(noPlan.json.description).toBe('instance does not exist - error-message: error binding: instance e2, not found');
    } finally {
      await h.close();
    }
  });
});
