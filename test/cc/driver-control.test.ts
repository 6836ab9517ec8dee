import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';
import type { CcSimulator } from '../../fakes/cc/index.js';
import { CC_FACTORIES, ccFoundation, ccWithTestBroker, client, closeAfterEach, startTestBroker, type TestBroker, token } from './helpers.js';

describe('CC platform driver, control API, snapshots', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  it('drives a whole lifecycle from TypeScript, with jobs moving PROCESSING → POLLING → COMPLETE', async () => {
    const env = await ccFoundation('driver');
    f = env.f;
    const cc = env.cc;
    broker = await startTestBroker({ pollsBeforeDone: 3 });
    await cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    cc.driver.enableAccess('test-db', { plan: 'small' });
    const space = cc.driver.space('org-a', 'space-a');
    const app = cc.driver.app(space.guid, 'app-a');
    const { instance, job } = await cc.driver.createInstance({ name: 'db', space: space.guid, plan: { offering: 'test-db', plan: 'small' } });
    // first poll happened at once and said "in progress": the job is polling
    expect(job.state).toBe('POLLING');
    expect(instance.last_operation).toMatchObject({ type: 'create', state: 'in progress', description: 'provision in progress' });
    const t0 = f.clock.now();
    const done = await cc.driver.waitForLastOperation(instance.guid);
    expect(done!.last_operation).toMatchObject({ state: 'succeeded', description: 'provision done' });
    expect(job.state).toBe('COMPLETE');
    // polls every 60 s of virtual time
    const polls = f.journal.query({ service: 'cc->broker', path: `/v2/service_instances/${instance.guid}/last_operation` });
    expect(polls.map((p) => (p.virtualTime - t0) / 1000)).toEqual([0, 60, 120, 180]);

    const { binding } = await cc.driver.bind(instance.guid, app.guid);
    expect(binding.credentials).toEqual({ uri: `db://${binding.guid}`, password: 'secret' });
    const { binding: key } = await cc.driver.createKey(instance.guid, 'k');
    expect(key.type).toBe('key');
    await cc.driver.unbind(binding.guid);
    await cc.driver.deleteKey(key.guid);
    expect(cc.model.bindingsOf(instance.guid)).toHaveLength(0);

    // the catalog moves on: upgrade through maintenance_info
    (broker.state.catalog as any).services[0].plans[0].maintenance_info = { version: '2.0.0' };
    await cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    const up = await cc.driver.upgradeInstance(instance.guid);
    await cc.driver.waitForLastOperation(instance.guid);
    expect(up.state).toBe('COMPLETE');
    expect(cc.model.get('instances', instance.guid)!.maintenance_info).toEqual({ version: '2.0.0' });

    await cc.driver.deleteInstance(instance.guid);
    expect(await cc.driver.waitForLastOperation(instance.guid)).toBeUndefined();
    expect(broker.instances.size).toBe(0);
  });

  it('seeds and inspects state through /_fakefoundry/cc, and makes records without a broker (drift, orphans)', async () => {
    const env = await ccFoundation('control');
    f = env.f;
    broker = await startTestBroker();
    const ctl = client(`${env.api}/_fakefoundry/cc`);
    const org = await ctl('POST', '/orgs', { name: 'acme', spaces: ['dev', 'prod'] });
    expect(org.status).toBe(201);
    expect(org.body.spaces.map((s: any) => s.name)).toEqual(['dev', 'prod']);
    const spaceGuid = org.body.spaces[0].guid;
    expect((await ctl('POST', '/apps', { space: spaceGuid, name: 'web' })).status).toBe(201);
    expect((await ctl('POST', '/users', { user: 'admin', roles: [{ type: 'space_developer', space: spaceGuid }] })).status).toBe(201);
    const reg = await ctl('POST', '/brokers', { name: 'b', url: broker.url, username: 'u', password: 'p' });
    expect(reg.status).toBe(201);
    expect((await ctl('POST', '/access', { offering: 'test-db' })).status).toBe(200);
    const plans = await ctl('GET', '/state/plans');
    expect(plans.body.every((p: any) => p.public)).toBe(true);

    // drift: CC thinks an instance exists that the broker never saw
    const drift = await ctl('POST', '/records/instances', { guid: 'drift-1', name: 'ghost', space_guid: spaceGuid, plan_guid: plans.body[0].guid });
    expect(drift.status).toBe(201);
    const api = client(env.api, await token(f, { client: 'cc_admin' }));
    const si = await api('GET', '/v2/service_instances/drift-1');
    expect(si.body.entity).toMatchObject({ name: 'ghost', last_operation: { type: 'create', state: 'succeeded' }, maintenance_info: { version: '1.0.0' } });
    expect(broker.calls.filter((c) => c.path.includes('drift-1'))).toHaveLength(0);
    // deleting it through the API reaches the broker, which answers 410: CC treats it as gone
    const del = await api('DELETE', '/v3/service_instances/drift-1');
    expect(del.status).toBe(202);
    await env.cc.driver.settle();
    expect((await api('GET', '/v3/service_instances/drift-1')).status).toBe(404);
    // orphan: the record goes, the broker keeps its instance
    const { instance } = await env.cc.driver.createInstance({ name: 'db', space: spaceGuid, plan: plans.body[0].guid });
    await env.cc.driver.waitForLastOperation(instance.guid);
    expect((await ctl('DELETE', `/records/instances/${instance.guid}`)).status).toBe(204);
    expect(broker.instances.has(instance.guid)).toBe(true);
    expect((await ctl('GET', `/state/instances/${instance.guid}`)).status).toBe(404);

    expect((await ctl('POST', '/orgs', { nope: 1 })).status).toBe(400);
    expect((await ctl('GET', '/state/nothing')).status).toBe(404);
    // faults on CC's own routes, in CC's format
    f.faults.add({ match: { service: 'cc', path: '/v3/organizations' }, action: { type: 'status', status: 503 }, times: 1 });
    const faulted = await api('GET', '/v3/organizations');
    expect(faulted.status).toBe(503);
    expect(faulted.body.errors[0].title).toBe('UnknownError');
    // answered before CC's middleware ran, yet with CC's request id like every CC response
    expect(faulted.headers.get('x-vcap-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    f.faults.add({ match: { service: 'cc', path: '/v2/organizations' }, action: { type: 'status', status: 404 }, times: 1 });
    const faulted2 = await api('GET', '/v2/organizations', undefined, { 'x-vcap-request-id': 'mine' });
    expect(faulted2.body.error_code).toBe('CF-NotFound');
    expect(faulted2.headers.get('x-vcap-request-id')).toMatch(/^mine::/);
  });

  it('snapshots, restores (resuming polls) and resets', async () => {
    const env = await ccWithTestBroker('snap', { pollsBeforeDone: 2 });
    f = env.f;
    broker = env.broker;
    const { cc, space } = env;
    const { instance, job } = await cc.driver.createInstance({ name: 'db', space: space.guid, plan: { offering: 'test-db', plan: 'small' } });
    const snap = f.snapshot();
    await cc.driver.waitForLastOperation(instance.guid);
    expect(cc.model.get('instances', instance.guid)!.last_operation!.state).toBe('succeeded');
    f.restore(snap);
    expect(cc.model.get('instances', instance.guid)!.last_operation!.state).toBe('in progress');
    broker.instances.get(instance.guid)!.polls = 0;
    expect(cc.model.get('jobs', job.guid)!.state).toBe('POLLING');
    const after = await cc.driver.waitForLastOperation(instance.guid);
    expect(after!.last_operation!.state).toBe('succeeded');
    expect(cc.model.get('jobs', job.guid)!.state).toBe('COMPLETE');
    expect(after).toMatchObject({ maintenance_info: { version: '1.0.0' } });
    f.reset();
    expect(cc.model.all('instances')).toHaveLength(0);
    expect(cc.model.all('orgs').map((o) => o.name)).toEqual(['system']);
  });

  it('serves HTTPS on loopback and prints CF_API', async () => {
    f = await Foundation.create({ seed: 'net', factories: CC_FACTORIES });
    const { urls, caPem } = await f.listen();
    const cc = f.service<CcSimulator>('cc');
    expect(cc.envLines()).toEqual([['CF_API', urls.cc]]);
    const body = await new Promise<string>((resolve, reject) => {
      https.get(`${urls.cc}/v2/info`, { ca: caPem }, (r) => {
        let d = '';
        r.on('data', (x) => (d += x));
        r.on('end', () => resolve(d));
      }).on('error', reject);
    });
    expect(JSON.parse(body).token_endpoint).toBe(urls.uaa);
  });
});
