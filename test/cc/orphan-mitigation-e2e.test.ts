import { describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { ccFoundation, client, closeAfterEach, startTestBroker, type TestBroker, token, waitJob } from './helpers.js';

/** One end-to-end orphan-mitigation case per operation type, through the API (the rows are tested in test/cc/platform). */
describe('orphan mitigation through the CC API', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  async function setup(seed: string, opts: Parameters<typeof startTestBroker>[0] = {}) {
    const env = await ccFoundation(seed);
    f = env.f;
    broker = await startTestBroker(opts);
    const cc = env.cc;
    await cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    cc.driver.enableAccess('test-db');
    const req = client(env.api, await token(f, { user: 'admin' }));
    const space = cc.model.all('spaces')[0];
    const plan = cc.driver.plan({ offering: 'test-db', plan: 'small' });
    return { env, cc, req, space, plan, f: env.f };
  }

  const omDeletes = (fnd: Foundation) => fnd.journal.query({ service: 'cc->broker', method: 'DELETE', tag: 'orphan-mitigation' });

  it('provision answered 500: v3 job FAILED, the instance is failed, CC sends a DELETE', async () => {
    const { cc, req, space, plan, f: fnd } = await setup('om-provision');
    fnd.faults.add({ match: { service: 'cc->broker', method: 'PUT', path: '/v2/service_instances/*' }, action: { type: 'status', status: 500, body: '{"description":"boom"}' }, times: 1 });
    const res = await req('POST', '/v3/service_instances', {
      type: 'managed',
      name: 'db',
      relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: plan.guid } } },
    });
    const job = await waitJob(cc, req, res.headers.get('location')!);
    expect(job.state).toBe('FAILED');
    expect(job.errors[0]).toMatchObject({ title: 'CF-UnableToPerform', code: 10009 });
    expect(job.errors[0].detail).toMatch(/^provision could not be completed: /);
    const si = (await req('GET', `/v3/service_instances?names=db`)).body.resources[0];
    expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
    await cc.driver.settle();
    const om = omDeletes(fnd);
    expect(om).toHaveLength(1);
    expect(om[0].path).toBe(`/v2/service_instances/${si.guid}`);
  });

  it('provision answered 500 through v2: 502 CF-ServiceBrokerBadResponse, no row, CC sends a DELETE', async () => {
    const { cc, req, space, plan, f: fnd } = await setup('om-provision-v2');
    fnd.faults.add({ match: { service: 'cc->broker', method: 'PUT', path: '/v2/service_instances/*' }, action: { type: 'status', status: 500, body: '{"description":"boom"}' }, times: 1 });
    const res = await req('POST', '/v2/service_instances?accepts_incomplete=true', { name: 'db', service_plan_guid: plan.guid, space_guid: space.guid });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ error_code: 'CF-ServiceBrokerBadResponse', code: 10001, description: 'Service broker error: boom' });
    expect(cc.model.all('instances')).toHaveLength(0);
    await cc.driver.settle();
    expect(omDeletes(fnd)).toHaveLength(1);
  });

  it('bind answered 500: the job fails, CC sends a binding DELETE', async () => {
    const { cc, req, space, plan, f: fnd } = await setup('om-bind', { async: false });
    const { instance } = await cc.driver.createInstance({ name: 'db', space: space.guid, plan: plan.guid });
    const app = cc.driver.app(space.guid, 'app');
    fnd.faults.add({ match: { service: 'cc->broker', method: 'PUT', path: '/v2/service_instances/*/service_bindings/*' }, action: { type: 'status', status: 503 }, times: 1 });
    const res = await req('POST', '/v3/service_credential_bindings', {
      type: 'app',
      relationships: { service_instance: { data: { guid: instance.guid } }, app: { data: { guid: app.guid } } },
    });
    const job = await waitJob(cc, req, res.headers.get('location')!);
    expect(job.state).toBe('FAILED');
    expect(job.errors[0].detail).toMatch(/^bind could not be completed: /);
    await cc.driver.settle();
    const om = omDeletes(fnd);
    expect(om).toHaveLength(1);
    expect(om[0].path).toMatch(new RegExp(`^/v2/service_instances/${instance.guid}/service_bindings/`));
    // binding the same app again replaces the failed binding
    const again = await req('POST', '/v3/service_credential_bindings', {
      type: 'app',
      relationships: { service_instance: { data: { guid: instance.guid } }, app: { data: { guid: app.guid } } },
    });
    expect((await waitJob(cc, req, again.headers.get('location')!)).state).toBe('COMPLETE');
    expect(cc.model.bindingsOf(instance.guid)).toHaveLength(1);
  });

  it('service key (v2) answered 500: 502 and a binding DELETE', async () => {
    const { cc, req, space, plan, f: fnd } = await setup('om-key', { async: false });
    const { instance } = await cc.driver.createInstance({ name: 'db', space: space.guid, plan: plan.guid });
    fnd.faults.add({ match: { service: 'cc->broker', method: 'PUT', path: '/v2/service_instances/*/service_bindings/*' }, action: { type: 'status', status: 500 }, times: 1 });
    const res = await req('POST', '/v2/service_keys', { service_instance_guid: instance.guid, name: 'k' });
    expect(res.status).toBe(502);
    expect(res.body.error_code).toBe('CF-ServiceBrokerBadResponse');
    await cc.driver.settle();
    expect(omDeletes(fnd)).toHaveLength(1);
    expect(cc.model.bindingsOf(instance.guid)).toHaveLength(0);
  });

  it('update and deprovision failures never trigger orphan mitigation', async () => {
    const { cc, req, space, plan, f: fnd } = await setup('om-never', { async: false });
    const { instance } = await cc.driver.createInstance({ name: 'db', space: space.guid, plan: plan.guid });
    fnd.faults.add({ match: { service: 'cc->broker', method: 'PATCH' }, action: { type: 'status', status: 500 }, times: 1 });
    const upd = await req('PATCH', `/v3/service_instances/${instance.guid}`, { parameters: { x: 1 } });
    expect((await waitJob(cc, req, upd.headers.get('location')!)).state).toBe('FAILED');
    expect(cc.model.get('instances', instance.guid)!.last_operation).toMatchObject({ type: 'update', state: 'failed' });
    fnd.faults.add({ match: { service: 'cc->broker', method: 'DELETE' }, action: { type: 'status', status: 500 }, times: 1 });
    const del = await req('DELETE', `/v3/service_instances/${instance.guid}`);
    const job = await waitJob(cc, req, del.headers.get('location')!);
    expect(job.state).toBe('FAILED');
    // the instance's name in front, the verb `delete` (client.deprovision, DeleteServiceInstanceJob)
    const detail = `Service instance db: The service broker returned an invalid response. Status Code: 500 Internal Server Error, Body: `;
    expect(job.errors[0].detail).toBe(`delete could not be completed: ${detail}`);
    await cc.driver.settle();
    expect(omDeletes(fnd)).toHaveLength(0);
    expect(cc.model.get('instances', instance.guid)!.last_operation).toMatchObject({ type: 'delete', state: 'failed', description: detail });
  });

  it('an async provision that ends failed is mitigated when the same name is created again; a poll timeout fails the job with CF-JobTimeout', async () => {
    const { cc, req, space, plan, f: fnd } = await setup('om-async', { pollsBeforeDone: 1 });
    fnd.faults.add({ match: { service: 'cc->broker', method: 'GET', path: '/v2/service_instances/*/last_operation' }, action: { type: 'status', status: 200, body: '{"state":"failed","description":"no capacity"}' }, times: 1 });
    const res = await req('POST', '/v3/service_instances', { type: 'managed', name: 'db', relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: plan.guid } } } });
    const job = await waitJob(cc, req, res.headers.get('location')!);
    expect(job.state).toBe('FAILED');
    expect(job.errors[0].detail).toBe('create managed could not be completed: no capacity');
    const failed = (await req('GET', '/v3/service_instances?names=db')).body.resources[0];
    expect(failed.last_operation).toMatchObject({ state: 'failed', description: 'no capacity' });
    expect(omDeletes(fnd)).toHaveLength(0);
    const again = await req('POST', '/v3/service_instances', { type: 'managed', name: 'db', relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: plan.guid } } } });
    expect(again.status).toBe(202);
    await waitJob(cc, req, again.headers.get('location')!);
    expect(omDeletes(fnd).map((e) => e.path)).toEqual([`/v2/service_instances/${failed.guid}`]);

    // the broker never finishes: CC gives up at the plan's maximum_polling_duration
    plan.maximum_polling_duration = 300;
    broker!.state.pollsBeforeDone = 1_000_000;
    const slow = await req('POST', '/v3/service_instances', { type: 'managed', name: 'slow', relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: plan.guid } } } });
    const slowJob = await waitJob(cc, req, slow.headers.get('location')!);
    expect(slowJob.state).toBe('FAILED');
    expect(slowJob.errors[0]).toMatchObject({ title: 'CF-JobTimeout', code: 290006 });
    const slowSi = (await req('GET', '/v3/service_instances?names=slow')).body.resources[0];
    expect(slowSi.last_operation).toMatchObject({ state: 'failed', description: 'Service Broker failed to provision within the required time.' });
    await cc.driver.settle();
    expect(omDeletes(fnd).map((e) => e.path)).toContain(`/v2/service_instances/${slowSi.guid}`);
  });
});
