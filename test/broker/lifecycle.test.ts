import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ERRANDS, LARGE, SMALL, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => h?.close());

const REQUEST_ID_LINE = /^\[on-demand-service-broker\] \[[0-9a-f-]{36}\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} /;

describe('broker-under-test driven through the fake Cloud Controller', () => {
  it('provision, poll, bind, unbind, update, deprovision', async () => {
    h = await startHarness({ seed: 'life' });
    const cc = h.f.cc.driver;
    const space = cc.space('org', 'dev');
    const { instance } = await cc.createInstance({ name: 'cache', space: space.guid, plan: { offering: 'redis-odb', plan: 'small' } });
    expect(instance.last_operation).toMatchObject({ type: 'create', state: 'in progress' });
    const created = (await cc.waitForLastOperation(instance.guid)) as any;
    expect(created.last_operation).toMatchObject({ type: 'create', state: 'succeeded', description: 'Instance provisioning completed' });
    expect(created.dashboard_url).toBe(`https://redis-dashboard.example.com/${instance.guid}`);

    const dep = h.bosh.control.deployment(`service-instance_${instance.guid}`)!;
    expect(dep).toBeDefined();
    const manifest = parseYaml(dep.manifest_text!) as any;
    expect(manifest.instance_groups[0].jobs[0].properties.redis).toEqual({ persistence: true, maxclients: 100, adapter_version: 1 });

    const app = cc.app(space.guid, 'web');
    const { binding, job } = await cc.bind(instance.guid, app.guid);
    await cc.waitForJob(job.guid);
    const bound = (await cc.waitForLastOperation(binding.guid)) as any;
    expect(bound.last_operation.state).toBe('succeeded');
    const creds = h.f.cc.model.get('bindings', binding.guid) as any;
    expect(creds.credentials.host).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(creds.credentials.port).toBe(6379);

    await cc.waitForJob((await cc.unbind(binding.guid)).guid);

    const upd = await cc.updateInstance(instance.guid, { plan: { offering: 'redis-odb', plan: 'large' } });
    await cc.waitForJob(upd.guid);
    const updated = (await cc.waitForLastOperation(instance.guid)) as any;
    expect(updated.last_operation).toMatchObject({ type: 'update', state: 'succeeded', description: 'Instance update completed' });
    const after = parseYaml(h.bosh.control.deployment(`service-instance_${instance.guid}`)!.manifest_text!) as any;
    expect(after.instance_groups[0].instances).toBe(3);

    const del = await cc.deleteInstance(instance.guid);
    await cc.waitForJob(del.guid);
    expect(await cc.waitForLastOperation(instance.guid)).toBeUndefined();
    expect(h.bosh.control.deployment(`service-instance_${instance.guid}`)).toBeUndefined();

    // What CC sent the broker, in order.
    const calls = h.f.journal.query({ service: 'cc->broker' }).map((e) => `${e.method} ${e.path.replace(instance.guid, 'I').replace(binding.guid, 'B')} ${e.status}`);
    expect(calls[0]).toBe('GET /v2/catalog 200');
    expect(calls).toContain('PUT /v2/service_instances/I 202');
    expect(calls).toContain('PUT /v2/service_instances/I/service_bindings/B 201');
    expect(calls).toContain('DELETE /v2/service_instances/I/service_bindings/B 200');
    expect(calls).toContain('PATCH /v2/service_instances/I 202');
    expect(calls).toContain('DELETE /v2/service_instances/I 202');

    // The adapter saw each subcommand; every line of an OSB request carries a request id.
    expect(h.adapterCalls.map((c) => c.subcommand)).toEqual([
      'generate-manifest', 'dashboard-url', 'create-binding', 'delete-binding', 'generate-manifest', 'generate-manifest',
    ]);
    const taskLine = h.logs.find((l) => l.includes('Bosh task id for Create instance'))!;
    expect(taskLine).toMatch(REQUEST_ID_LINE);
  });

  it('post-deploy errands run before success; pre-delete errands run before the delete', async () => {
    h = await startHarness({ seed: 'errands' });
    const cc = h.f.cc.driver;
    const space = cc.space('org', 'dev');
    const { instance } = await cc.createInstance({ name: 'e', space: space.guid, plan: { offering: 'redis-odb', plan: 'with-errands' } });
    const created = (await cc.waitForLastOperation(instance.guid)) as any;
    expect(created.last_operation.state).toBe('succeeded');
    const dep = `service-instance_${instance.guid}`;
    const tasks = h.bosh.control.tasks({ deployment: dep });
    expect(tasks.map((t) => t.description)).toEqual(expect.arrayContaining(['create deployment', 'run errand smoke-tests from deployment ' + dep]));
    const ctx = tasks.find((t) => t.description === 'create deployment')!.context_id;
    expect(ctx).toMatch(/^[0-9a-f-]{36}$/);
    expect(tasks.every((t) => t.context_id === ctx)).toBe(true);

    const del = await cc.deleteInstance(instance.guid);
    await cc.waitForJob(del.guid);
    expect(await cc.waitForLastOperation(instance.guid)).toBeUndefined();
    const all = h.bosh.control.tasks({ deployment: dep }).map((t) => t.description);
    const cleanup = all.indexOf(`run errand cleanup from deployment ${dep}`);
    const deletion = all.indexOf('delete deployment ' + dep);
    expect(cleanup).toBeGreaterThanOrEqual(0);
    expect(deletion).toBeGreaterThanOrEqual(0);
    // In creation order: the delete came after the cleanup errand, in the same context.
    expect(deletion).toBeGreaterThan(cleanup);
  });

  it('a failing post-deploy errand fails the provision with ODB\'s description', async () => {
    h = await startHarness({ seed: 'errand-fail' });
    const cc = h.f.cc.driver;
    const space = cc.space('org', 'dev');
    const { instance } = await cc.createInstance({ name: 'e', space: space.guid, plan: { offering: 'redis-odb', plan: 'with-errands' } });
    h.bosh.control.scriptErrand({ deployment: `service-instance_${instance.guid}`, errand: 'smoke-tests', exit_code: 1, stdout: 'smoke failed' });
    const done = (await cc.waitForLastOperation(instance.guid)) as any;
    expect(done.last_operation.state).toBe('failed');
    expect(done.last_operation.description).toMatch(
      new RegExp(
        `^Instance provisioning failed: There was a problem completing your request. Please contact your operations team providing the following information: service: redis-odb, service-instance-guid: ${instance.guid}, broker-request-id: [0-9a-f-]{36}, task-id: \\d+, operation: create$`,
      ),
    );
  });

  it('quotas: the plan limit, counted through CC as ODB counts (count >= limit refuses)', async () => {
    h = await startHarness({ seed: 'quota' });
    const cc = h.f.cc.driver;
    const space = cc.space('org', 'dev');
    // CC v3 records an instance before it calls the broker, so the count ODB reads includes the
    // instance being created: with a limit of 2, the first v3 create is admitted, the second is not.
    const states: string[] = [];
    for (const name of ['a', 'b']) {
      const { instance } = await cc.createInstance({ name, space: space.guid, plan: { offering: 'redis-odb', plan: 'small' } });
      const done = (await cc.waitForLastOperation(instance.guid)) as any;
      states.push(done?.last_operation?.state ?? 'gone');
    }
    expect(states).toEqual(['succeeded', 'failed']);
    const refused = h.f.journal.query({ service: 'cc->broker', method: 'PUT' }).find((e) => e.status === 500)!;
    expect(JSON.parse(refused.responseBody!)).toEqual({ description: 'The quota for this service plan has been exceeded. Please contact your Operator for help.' });
    // Directly (no CC record of the new instance): CC counts a and b, so the limit of 2 is reached.
    const third = await h.osb('PUT', '/v2/service_instances/third?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: SMALL });
    expect(third).toMatchObject({ status: 500, json: { description: 'The quota for this service plan has been exceeded. Please contact your Operator for help.' } });
    // Another plan is not limited.
    const large = await h.osb('PUT', '/v2/service_instances/large-1?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: LARGE });
    expect(large.status).toBe(202);
  });

  it('quotas: the global instance limit', async () => {
    h = await startHarness({ seed: 'global-quota', config: (c) => ({ ...c, service_catalog: { ...c.service_catalog, global_quotas: { service_instance_limit: 2 } } }) });
    const cc = h.f.cc.driver;
    const { instance } = await cc.createInstance({ name: 'only', space: cc.space('org', 'dev').guid, plan: { offering: 'redis-odb', plan: 'large' } });
    expect(((await cc.waitForLastOperation(instance.guid)) as any).last_operation.state).toBe('succeeded');
    const pending = await h.osb('PUT', '/v2/service_instances/direct?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: LARGE });
    expect(pending.status).toBe(202);
    await h.f.clock.runAll();
    // The direct instance is not in CC; for `second` CC counts `only` and `second` itself: 2 >= 2.
    const second = await cc.createInstance({ name: 'second', space: cc.space('org', 'dev').guid, plan: { offering: 'redis-odb', plan: 'large' } });
    expect(((await cc.waitForLastOperation(second.instance.guid)) as any).last_operation.state).toBe('failed');
    const refused = h.f.journal.query({ service: 'cc->broker', method: 'PUT' }).find((e) => e.status === 500)!;
    expect(JSON.parse(refused.responseBody!)).toEqual({ description: 'The quota for this service has been exceeded. Please contact your Operator for help.' });
  });

  it('update refuses pending changes (adapter output changed since the deploy) with 422', async () => {
    const state = { version: 1 };
    const { redisAdapter } = await import('./harness.js');
    h = await startHarness({ seed: 'pending', adapter: redisAdapter(state) });
    const cc = h.f.cc.driver;
    const space = cc.space('org', 'dev');
    const { instance } = await cc.createInstance({ name: 'p', space: space.guid, plan: { offering: 'redis-odb', plan: 'small' } });
    await cc.waitForLastOperation(instance.guid);
    state.version = 2;
    const res = await h.osb('PATCH', `/v2/service_instances/${instance.guid}?accepts_incomplete=true`, {
      service_id: 'redis-odb-id',
      plan_id: SMALL,
      parameters: { maxclients: 5 },
      previous_values: { plan_id: SMALL },
    });
    expect(res.status).toBe(422);
    expect(res.json).toEqual({ description: 'The service broker has been updated, and this service instance is out of date. Please contact your operator.' });
    // Two generate-manifest calls on create+update check; no deploy happened.
    expect(h.bosh.control.tasks({ deployment: `service-instance_${instance.guid}`, type: 'update_deployment' })).toHaveLength(1);
  });

  it('upgrade through maintenance_info skips the pending-changes check and reports "upgrade"', async () => {
    const state = { version: 1 };
    const { redisAdapter } = await import('./harness.js');
    h = await startHarness({
      seed: 'upgrade',
      adapter: redisAdapter(state),
      config: (c) => ({ ...c, service_catalog: { ...c.service_catalog, maintenance_info: { version: '1.0.0' } } }),
    });
    const prov = await h.osb('PUT', '/v2/service_instances/u1?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: SMALL, maintenance_info: { version: '1.0.0' } });
    expect(prov.status).toBe(202);
    await h.f.clock.runAll();
    state.version = 2;
    // The operator redeploys the broker with a new catalog: a new broker process, same platform.
    const { createBroker } = await import('../../broker-under-test/index.js');
    const next = await createBroker(
      { ...h.config, service_catalog: { ...h.config.service_catalog, maintenance_info: { version: '2.0.0' } } },
      { fetch: globalThis.fetch, clock: h.f.clock, logger: () => {}, adapter: redisAdapter(state) },
    );
    h.broker = next;
    const res = await h.osb('PATCH', '/v2/service_instances/u1?accepts_incomplete=true', {
      service_id: 'redis-odb-id',
      plan_id: SMALL,
      maintenance_info: { version: '2.0.0' },
      previous_values: { plan_id: SMALL, maintenance_info: { version: '1.0.0' } },
    });
    expect(res.status).toBe(202);
    const op = JSON.parse(res.json.operation);
    expect(op).toMatchObject({ OperationType: 'upgrade', PlanID: SMALL, PostDeployErrand: {}, PreDeleteErrand: {} });
    const poll = await h.osb('GET', `/v2/service_instances/u1/last_operation?operation=${encodeURIComponent(res.json.operation)}`);
    expect(poll.json).toEqual({ state: 'in progress', description: 'Instance upgrade in progress' });
    await h.f.clock.runAll();
    const done = await h.osb('GET', `/v2/service_instances/u1/last_operation?operation=${encodeURIComponent(res.json.operation)}`);
    expect(done.json).toEqual({ state: 'succeeded', description: 'Instance upgrade completed' });
    const manifest = parseYaml(h.bosh.control.deployment('service-instance_u1')!.manifest_text!) as any;
    expect(manifest.instance_groups[0].jobs[0].properties.redis.adapter_version).toBe(2);
    // A mismatching maintenance_info is refused.
    const bad = await h.osb('PATCH', '/v2/service_instances/u1?accepts_incomplete=true', {
      service_id: 'redis-odb-id', plan_id: SMALL, maintenance_info: { version: '9.9.9' }, previous_values: { plan_id: SMALL },
    });
    expect(bad.status).toBe(422);
    expect(bad.json).toEqual({ error: 'MaintenanceInfoConflict', description: 'passed maintenance_info does not match the catalog maintenance_info' });
  });

  it('deprovision of a gone deployment is 410; one operation at a time', async () => {
    h = await startHarness({ seed: 'gone', clockMode: 'virtual' });
    const gone = await h.osb('DELETE', `/v2/service_instances/nope?service_id=redis-odb-id&plan_id=${SMALL}&accepts_incomplete=true`);
    expect(gone.status).toBe(410);
    expect(gone.json).toEqual({});
    const prov = await h.osb('PUT', '/v2/service_instances/busy?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: ERRANDS });
    expect(prov.status).toBe(202);
    // The deploy task still runs (virtual clock stands still).
    const del = await h.osb('DELETE', `/v2/service_instances/busy?service_id=redis-odb-id&plan_id=${ERRANDS}&accepts_incomplete=true`);
    expect(del.status).toBe(500);
    expect(del.json).toEqual({ description: 'An operation is in progress for your service instance. Please try again later.' });
    const upd = await h.osb('PATCH', '/v2/service_instances/busy?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: ERRANDS, parameters: { a: 1 }, previous_values: { plan_id: ERRANDS } });
    expect(upd.status).toBe(500);
    expect(upd.json).toEqual({ description: 'An operation is in progress for your service instance. Please try again later.' });
    const again = await h.osb('PUT', '/v2/service_instances/busy?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: ERRANDS });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({});
  });
});
