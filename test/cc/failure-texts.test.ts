import { describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';
import type { CcSimulator } from '../../fakes/cc/index.js';
import { CC_FACTORIES, ccWithTestBroker, client, closeAfterEach, startTestBroker, type TestBroker, token, waitJob } from './helpers.js';

/** What CC says when a broker fails, as the cf CLI sees it through v3 jobs and last_operation. */
describe('CC failure texts through the v3 API', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  async function setup(seed: string) {
    const env = await ccWithTestBroker(seed, { async: false });
    f = env.f;
    broker = env.broker;
    const req = client(env.api, await token(f, { user: 'admin' }));
    const plan = env.cc.driver.plan({ offering: 'test-db', plan: 'small' });
    const { instance } = await env.cc.driver.createInstance({ name: 'db', space: env.space.guid, plan: plan.guid });
    const app = env.cc.driver.app(env.space.guid, 'web');
    return { ...env, req, plan, instance, app };
  }
  const unbindPath = '/v2/service_instances/*/service_bindings/*';

  it('a failed unbind: the binding keeps "Service broker failed to delete service binding ...", the job wraps it as unbind', async () => {
    const { cc, req, instance, app } = await setup('unbind-fails');
    const { binding } = await cc.driver.bind(instance.guid, app.guid);
    f!.faults.add({ match: { service: 'cc->broker', method: 'DELETE', path: unbindPath }, action: { type: 'status', status: 500, body: '{"description":"locked"}' }, times: 1 });
    const del = await req('DELETE', `/v3/service_credential_bindings/${binding.guid}`);
    expect(del.status).toBe(202);
    const job = await waitJob(cc, req, del.headers.get('location')!);
    const text = 'Service broker failed to delete service binding for instance db: Service broker error: locked';
    expect(job.errors).toEqual([{ code: 10009, title: 'CF-UnableToPerform', detail: `unbind could not be completed: ${text}` }]);
    expect(cc.model.get('bindings', binding.guid)!.last_operation).toMatchObject({ type: 'delete', state: 'failed', description: text });
  });

  it('an unbind the broker refuses with ConcurrencyError leaves the binding as it was', async () => {
    const { cc, req, instance, app } = await setup('unbind-concurrency');
    const { binding } = await cc.driver.bind(instance.guid, app.guid);
    const before = structuredClone(cc.model.get('bindings', binding.guid));
    f!.faults.add({ match: { service: 'cc->broker', method: 'DELETE', path: unbindPath }, action: { type: 'status', status: 422, body: '{"error":"ConcurrencyError"}' }, times: 1 });
    const del = await req('DELETE', `/v3/service_credential_bindings/${binding.guid}`);
    const job = await waitJob(cc, req, del.headers.get('location')!);
    expect(job.errors[0].detail).toBe('unbind could not be completed: The service broker rejected the request due to an operation being in progress for the service binding.');
    expect(cc.model.get('bindings', binding.guid)).toEqual(before);
  });

  it('a failed async bind: the job names LastOperationFailedState, the binding keeps the broker\'s description', async () => {
    const { cc, req, instance, app } = await setup('bind-async-fails');
    f!.faults.add({ match: { service: 'cc->broker', method: 'PUT', path: unbindPath }, action: { type: 'status', status: 202, body: '{"operation":"b"}' }, times: 1 });
    f!.faults.add({ match: { service: 'cc->broker', method: 'GET', path: `${unbindPath}/last_operation` }, action: { type: 'status', status: 200, body: '{"state":"failed","description":"no room"}' }, times: 1 });
    const res = await req('POST', '/v3/service_credential_bindings', { type: 'app', relationships: { service_instance: { data: { guid: instance.guid } }, app: { data: { guid: app.guid } } } });
    const job = await waitJob(cc, req, res.headers.get('location')!);
    expect(job.errors).toEqual([{ code: 10009, title: 'CF-UnableToPerform', detail: 'create could not be completed: VCAP::CloudController::V3::LastOperationFailedState' }]);
    const b = cc.model.bindingsOf(instance.guid)[0];
    expect(b.last_operation).toMatchObject({ type: 'create', state: 'failed', description: 'no room' });
  });

  it('delete failures name the instance: a 422 ConcurrencyError, and an unbinding that fails during a delete', async () => {
    const { cc, req, instance, app } = await setup('delete-fails');
    f!.faults.add({ match: { service: 'cc->broker', method: 'DELETE', path: '/v2/service_instances/*' }, action: { type: 'status', status: 422, body: '{"error":"ConcurrencyError"}' }, times: 1 });
    const first = await req('DELETE', `/v3/service_instances/${instance.guid}`);
    const job1 = await waitJob(cc, req, first.headers.get('location')!);
    expect(job1.errors).toEqual([{ code: 60016, title: 'CF-AsyncServiceInstanceOperationInProgress', detail: 'An operation for service instance db is in progress.' }]);

    await cc.driver.bind(instance.guid, app.guid);
    f!.faults.add({ match: { service: 'cc->broker', method: 'DELETE', path: unbindPath }, action: { type: 'status', status: 500, body: '{"description":"stuck"}' }, times: 1 });
    const second = await req('DELETE', `/v3/service_instances/${instance.guid}`);
    const job2 = await waitJob(cc, req, second.headers.get('location')!);
    const text = 'Service broker failed to delete service binding for instance db: Service broker error: stuck';
    expect(job2.errors).toEqual([{ code: 10009, title: 'CF-UnableToPerform', detail: `delete could not be completed: ${text}` }]);
    expect(cc.model.get('instances', instance.guid)!.last_operation).toMatchObject({ type: 'delete', state: 'failed', description: text });
  });

  it('broker_client_timeout_seconds times a silent broker out: HttpClientTimeout, then the cleanup DELETE', async () => {
    f = await Foundation.create({ seed: 'cc-timeout', factories: CC_FACTORIES, config: { cc: { broker_client_timeout_seconds: 2 } } });
    const urls = f.mountInProcess();
    const cc = f.service<CcSimulator>('cc');
    broker = await startTestBroker({ async: false });
    await cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    cc.driver.enableAccess('test-db');
    const req = client(urls.cc, await token(f, { user: 'admin' }));
    const space = cc.model.all('spaces')[0];
    const plan = cc.driver.plan({ offering: 'test-db', plan: 'small' });
    f.faults.add({ match: { service: 'cc->broker', method: 'PUT' }, action: { type: 'hang' }, times: 1 });
    const t0 = f.clock.now();
    const res = await req('POST', '/v3/service_instances', { type: 'managed', name: 'db', relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: plan.guid } } } });
    const job = await waitJob(cc, req, res.headers.get('location')!);
    expect(job.errors).toEqual([{ code: 10009, title: 'CF-UnableToPerform', detail: 'provision could not be completed: The request to the service broker timed out' }]);
    await cc.driver.settle();
    const calls = f.journal.query({ service: 'cc->broker' }).filter((e) => e.method !== 'GET');
    expect(calls.map((e) => [e.method, e.tags[0], (e.virtualTime - t0) / 1000, e.status])).toEqual([
      ['PUT', 'provision', 0, 0],
      // the broker never saw the PUT (the fault held it), so it answers the cleanup 410 Gone
      ['DELETE', 'orphan-mitigation', 2, 410],
    ]);
  });

  it('a broker that never answers is timed out on the virtual clock, and the cleanup DELETE follows', async () => {
    f = await Foundation.create({ seed: 'cc-silent', factories: CC_FACTORIES, config: { cc: { broker_client_timeout_seconds: 2 } } });
    const urls = f.mountInProcess();
    const cc = f.service<CcSimulator>('cc');
    const seen: string[] = [];
    // answers the catalog and DELETEs, and never the provision PUT
    const silent = f.mountApp('silent-broker', async (r) => {
      const path = new URL(r.url).pathname;
      seen.push(`${r.method} ${path}`);
      if (path === '/v2/catalog') return Response.json((await import('./helpers.js')).CATALOG);
      if (r.method === 'PUT') return new Promise<Response>(() => undefined);
      return Response.json({});
    });
    await cc.driver.registerBroker({ name: 'silent', url: silent, username: 'u', password: 'p' });
    cc.driver.enableAccess('test-db');
    const req = client(urls.cc, await token(f, { user: 'admin' }));
    const space = cc.model.all('spaces')[0];
    const plan = cc.driver.plan({ offering: 'test-db', plan: 'small' });
    const t0 = f.clock.now();
    const res = await req('POST', '/v3/service_instances', { type: 'managed', name: 'db', relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: plan.guid } } } });
    expect(res.status).toBe(202);
    // the PUT waits for an answer that never comes (driver.settle() would wait with it): move the clock
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(cc.model.all('jobs').at(-1)!.state).toBe('PROCESSING');
    await f.clock.advance(1_999);
    expect(cc.model.all('jobs').at(-1)!.state).toBe('PROCESSING');
    await f.clock.advance(1);
    await cc.driver.settle();
    const job = (await req('GET', new URL(res.headers.get('location')!).pathname)).body;
    expect(job.errors).toEqual([{ code: 10009, title: 'CF-UnableToPerform', detail: 'provision could not be completed: The request to the service broker timed out' }]);
    const calls = f.journal.query({ service: 'cc->broker' }).filter((e) => e.method !== 'GET');
    expect(calls.map((e) => [e.method, e.tags[0], (e.virtualTime - t0) / 1000, (e.virtualEndTime - t0) / 1000, e.status])).toEqual([
      ['PUT', 'provision', 0, 2, 0],
      ['DELETE', 'orphan-mitigation', 2, 2, 200],
    ]);
    expect(seen.filter((s) => !s.startsWith('GET'))).toEqual([`PUT /v2/service_instances/${cc.model.all('instances')[0].guid}`, `DELETE /v2/service_instances/${cc.model.all('instances')[0].guid}`]);
  });
});
