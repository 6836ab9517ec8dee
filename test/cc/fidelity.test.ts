import { afterEach, describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';
import type { CcSimulator } from '../../fakes/cc/index.js';
import { CC_FACTORIES, ccFoundation, ccWithTestBroker, client, startTestBroker, token, waitJob } from './helpers.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Second-opinion checks of details a real client could tell apart from CC. */
describe('CC fidelity details', () => {
  let f: Foundation | undefined;
  let broker: Awaited<ReturnType<typeof startTestBroker>> | undefined;
  afterEach(async () => {
    await f?.close();
    await broker?.close();
    f = undefined;
    broker = undefined;
  });

  it('X-VCAP-Request-ID: a caller id is sanitised and suffixed ::<uuid> (X-Request-ID as fallback), and that id reaches the broker', async () => {
    const env = await ccFoundation('req-id');
    f = env.f;
    broker = await startTestBroker({ pollsBeforeDone: 0 });
    const req = client(env.api, await token(f, { user: 'admin' }));
    const plain = await req('GET', '/v3/organizations');
    expect(plain.headers.get('x-vcap-request-id')).toMatch(new RegExp(`^${UUID}$`));
    const given = await req('GET', '/v3/organizations', undefined, { 'x-vcap-request-id': 'cf/cli req!1' });
    expect(given.headers.get('x-vcap-request-id')).toMatch(new RegExp(`^cfclireq1::${UUID}$`));
    const fallback = await req('GET', '/v3/organizations', undefined, { 'x-request-id': 'abc-123' });
    expect(fallback.headers.get('x-vcap-request-id')).toMatch(new RegExp(`^abc-123::${UUID}$`));
    const blank = await req('GET', '/', undefined, { 'x-vcap-request-id': '  ' });
    expect(blank.headers.get('x-vcap-request-id')).toMatch(new RegExp(`^${UUID}$`));
    // the same composite id travels on the broker call the request causes
    await env.cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    env.cc.driver.enableAccess('test-db');
    const space = env.cc.model.all('spaces')[0];
    const plan = env.cc.driver.plan({ offering: 'test-db', plan: 'small' });
    const cs = await req(
      'POST',
      '/v3/service_instances',
      { type: 'managed', name: 'db', relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: plan.guid } } } },
      { 'x-vcap-request-id': 'trace-7' },
    );
    const id = cs.headers.get('x-vcap-request-id')!;
    expect(id).toMatch(new RegExp(`^trace-7::${UUID}$`));
    await waitJob(env.cc, req, cs.headers.get('location')!);
    const put = broker.calls.find((c) => c.method === 'PUT')!;
    expect(put.headers['x-vcap-request-id']).toBe(id);
  });

  it('X-Api-Info-Location is <domain>/v2/info, or <domain>/ when v2 is disabled', async () => {
    broker = await startTestBroker();
    for (const [enable_v2, suffix] of [[true, '/v2/info'], [false, '/']] as const) {
      const fd = await Foundation.create({ seed: `info-${enable_v2}`, factories: CC_FACTORIES, config: { cc: { enable_v2 } } as never });
      f = fd;
      const urls = fd.mountInProcess();
      const cc = fd.service<CcSimulator>('cc');
      await cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
      const catalog = broker.calls.filter((c) => c.path === '/v2/catalog').at(-1)!;
      expect(catalog.headers['x-api-info-location']).toBe(`${new URL(urls.cc).host}${suffix}`);
      await fd.close();
      f = undefined;
    }
  });

  it('a refused v3 PATCH changes nothing (name, tags, labels stay as they were)', async () => {
    const env = await ccWithTestBroker('patch-undo', { pollsBeforeDone: 0 });
    f = env.f;
    broker = env.broker;
    const { cc, space } = env;
    const { instance } = await cc.driver.createInstance({ name: 'db', space: space.guid, plan: { offering: 'test-db', plan: 'small' } });
    await cc.driver.waitForLastOperation(instance.guid);
    const req = client(env.api, await token(f, { user: 'admin' }));
    const before = (await req('GET', `/v3/service_instances/${instance.guid}`)).body;
    const refused = await req('PATCH', `/v3/service_instances/${instance.guid}`, {
      name: 'renamed',
      tags: ['t'],
      metadata: { labels: { tier: 'gold' } },
      maintenance_info: { version: '9.9.9' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].title).toBe('CF-MaintenanceInfoConflict');
    const badPlan = await req('PATCH', `/v3/service_instances/${instance.guid}`, {
      name: 'renamed',
      metadata: { annotations: { a: 'b' } },
      relationships: { service_plan: { data: { guid: 'nope' } } },
    });
    expect(badPlan.status).toBe(422);
    const after = (await req('GET', `/v3/service_instances/${instance.guid}`)).body;
    expect(after).toEqual(before);
    // a broker PATCH refused while the broker synchronises keeps its metadata too
    const b = cc.model.all('brokers')[0];
    b.state = 'SYNCHRONIZING';
    const busy = await req('PATCH', `/v3/service_brokers/${b.guid}`, { name: 'b2', metadata: { labels: { x: 'y' } } });
    expect(busy.status).toBe(422);
    expect(cc.model.get('brokers', b.guid)!.metadata.labels).toEqual({});
    b.state = 'AVAILABLE';
    // v2 (ODB's upgrade path) likewise
    const v2Before = (await req('GET', `/v2/service_instances/${instance.guid}`)).body;
    const v2 = await req('PUT', `/v2/service_instances/${instance.guid}?accepts_incomplete=true`, { name: 'renamed', tags: ['t'], maintenance_info: { version: '9.9.9' } });
    expect(v2.status).toBe(422);
    expect(v2.body).toMatchObject({ error_code: 'CF-MaintenanceInfoConflict', code: 390009 });
    expect((await req('GET', `/v2/service_instances/${instance.guid}`)).body).toEqual(v2Before);
  });

  it('/v3 lists the info and service_route_bindings links; v3 page links escape as Rails to_query does', async () => {
    const env = await ccFoundation('links');
    f = env.f;
    const anon = client(env.api);
    const v3 = (await anon('GET', '/v3')).body.links;
    expect(v3.info).toEqual({ href: `${env.api}/v3/info` });
    expect(v3.service_route_bindings).toEqual({ href: `${env.api}/v3/service_route_bindings` });
    const req = client(env.api, await token(f, { user: 'admin' }));
    const r = await req('GET', `/v3/service_instances?names=${encodeURIComponent("a*b!(c)'d e")}&per_page=1`);
    expect(r.status).toBe(200);
    expect(r.body.pagination.first.href).toBe(`${env.api}/v3/service_instances?names=a%2Ab%21%28c%29%27d+e&page=1&per_page=1`);
    for (const [sel, detail] of [
      ['', 'Missing label_selector value'],
      ['((', 'Invalid label_selector value'],
      ['buncha nonsense', 'Invalid label_selector value'],
      ['foo=bar, ', 'Invalid label_selector value'],
      ['tier in (a,b', 'Invalid label_selector value'],
    ]) {
      const bad = await req('GET', `/v3/service_instances?label_selector=${encodeURIComponent(sel)}`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toEqual({ detail: `The query parameter is invalid: ${detail}`, title: 'CF-BadQueryParameter', code: 10005 });
    }
    expect((await req('GET', `/v3/service_instances?label_selector=${encodeURIComponent('tier in (a,b),!foo,env=prod,example.com/x!=y,k notin (z)')}`)).status).toBe(200);
    const inc = await req('GET', '/v3/service_credential_bindings?include=routes');
    expect(inc.status).toBe(400);
    expect(inc.body.errors[0]).toEqual({
      detail: "The query parameter is invalid: Invalid included resource: 'routes'. Valid included resources are: 'app', 'service_instance'",
      title: 'CF-BadQueryParameter',
      code: 10005,
    });
  });

  it('brokers get only prefixed ("public") annotations, and the new instance\'s own on provision', async () => {
    const env = await ccWithTestBroker('annotations', { pollsBeforeDone: 0 });
    f = env.f;
    broker = env.broker;
    const { cc, space } = env;
    const org = cc.model.get('orgs', space.org_guid)!;
    org.metadata.annotations = { 'example.com/team': 'blue', plain: 'hidden' };
    space.metadata.annotations = { 'example.com/cost': '42', other: 'hidden' };
    const app = cc.driver.app(space.guid, 'app');
    app.metadata.annotations = { 'example.com/tier': 'web', secret: 'hidden' };
    const req = client(env.api, await token(f, { user: 'admin' }));
    const plan = cc.driver.plan({ offering: 'test-db', plan: 'small' });
    const cs = await req('POST', '/v3/service_instances', {
      type: 'managed',
      name: 'db',
      relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: plan.guid } } },
      metadata: { annotations: { 'example.com/owner': 'me', note: 'hidden' }, labels: { env: 'test' } },
    });
    expect(cs.status).toBe(202);
    await waitJob(cc, req, cs.headers.get('location')!);
    const put = broker.calls.find((c) => c.method === 'PUT' && !c.path.includes('service_bindings'))!;
    expect(put.body.context).toMatchObject({
      organization_annotations: { 'example.com/team': 'blue' },
      space_annotations: { 'example.com/cost': '42' },
      instance_annotations: { 'example.com/owner': 'me' },
    });
    const si = (await req('GET', '/v3/service_instances?names=db')).body.resources[0];
    expect(si.metadata).toEqual({ labels: { env: 'test' }, annotations: { 'example.com/owner': 'me', note: 'hidden' } });
    const bs = await req('POST', '/v3/service_credential_bindings', {
      type: 'app',
      relationships: { service_instance: { data: { guid: si.guid } }, app: { data: { guid: app.guid } } },
      metadata: { labels: { role: 'rw' } },
    });
    await waitJob(cc, req, bs.headers.get('location')!);
    // the binding keeps the metadata it was created with
    const created = (await req('GET', `/v3/service_credential_bindings?service_instance_guids=${si.guid}`)).body.resources[0];
    expect(created.metadata).toEqual({ labels: { role: 'rw' }, annotations: {} });
    const bind = broker.calls.find((c) => c.method === 'PUT' && c.path.includes('service_bindings'))!;
    expect(bind.body.bind_resource).toEqual({ app_guid: app.guid, space_guid: space.guid, app_annotations: { 'example.com/tier': 'web' } });
    expect(bind.body.context.organization_annotations).toEqual({ 'example.com/team': 'blue' });
  });

  it('binding refusals carry CC\'s exact texts (already bound, deletion pending, not bindable)', async () => {
    const env = await ccWithTestBroker('bind-texts', { pollsBeforeDone: 0 });
    f = env.f;
    broker = env.broker;
    const { cc, space } = env;
    const app = cc.driver.app(space.guid, 'app');
    const { instance } = await cc.driver.createInstance({ name: 'db', space: space.guid, plan: { offering: 'test-db', plan: 'small' } });
    await cc.driver.waitForLastOperation(instance.guid);
    const { binding } = await cc.driver.bind(instance.guid, app.guid);
    const req = client(env.api, await token(f, { user: 'admin' }));
    const bindBody = { type: 'app', relationships: { service_instance: { data: { guid: instance.guid } }, app: { data: { guid: app.guid } } } };
    const detail = async () => (await req('POST', '/v3/service_credential_bindings', bindBody)).body.errors[0].detail;
    expect(await detail()).toBe('The app is already bound to the service instance');
    const managed = (await req('GET', `/v3/service_credential_bindings/${binding.guid}`)).body;
    expect(Object.keys(managed.links)).toEqual(['self', 'details', 'service_instance', 'app', 'parameters']);
    // a user-provided instance's binding has no parameters link (ServiceCredentialBindingPresenter)
    const ups = await req('POST', '/v3/service_instances', { type: 'user-provided', name: 'ups', relationships: { space: { data: { guid: space.guid } } } });
    const upsBinding = await req('POST', '/v3/service_credential_bindings', { type: 'app', relationships: { service_instance: { data: { guid: ups.body.guid } }, app: { data: { guid: app.guid } } } });
    expect(upsBinding.status).toBe(201);
    expect(Object.keys(upsBinding.body.links).sort()).toEqual(['app', 'details', 'self', 'service_instance']);
    const listed = (await req('GET', `/v3/service_credential_bindings?service_instance_guids=${ups.body.guid}`)).body.resources[0];
    expect(listed.links.parameters).toBeUndefined();
    cc.model.get('bindings', binding.guid)!.last_operation = cc.model.lastOperation('delete', 'failed', 'nope');
    expect(await detail()).toBe('The binding is getting deleted or its deletion failed');
    cc.model.remove('bindings', binding.guid);
    cc.model.get('plans', instance.plan_guid)!.bindable = false;
    expect(await detail()).toBe('Service plan does not allow bindings');
  });

  it('a new instance carries its plan\'s maintenance_info from the start; upgrade_available compares versions as CC does', async () => {
    const env = await ccWithTestBroker('mi', { pollsBeforeDone: 3 });
    f = env.f;
    broker = env.broker;
    const { cc, space } = env;
    const plan = cc.driver.plan({ offering: 'test-db', plan: 'small' });
    const req = client(env.api, await token(f, { user: 'admin' }));
    const cs = await req('POST', '/v3/service_instances', { type: 'managed', name: 'db', relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: plan.guid } } } });
    expect(cs.status).toBe(202);
    const during = (await req('GET', '/v3/service_instances?names=db')).body.resources[0];
    expect(during.last_operation.state).not.toBe('succeeded');
    expect(during.maintenance_info).toEqual({ version: '1.0.0', description: 'first' });
    expect(during.upgrade_available).toBe(false);
    const v2 = (await req('GET', `/v2/service_instances/${during.guid}`)).body.entity;
    expect(v2.maintenance_info).toEqual({ version: '1.0.0', description: 'first' });
    await waitJob(cc, req, cs.headers.get('location')!);
    // the catalog drops the plan's maintenance_info: CC compares '1.0.0' with nil
    cc.model.get('plans', plan.guid)!.maintenance_info = null;
    expect((await req('GET', `/v3/service_instances/${during.guid}`)).body.upgrade_available).toBe(true);
  });

  it('plans: costs only from a well-formed metadata.costs; space-scoped plans link their space', async () => {
    const env = await ccFoundation('plans');
    f = env.f;
    broker = await startTestBroker();
    const cc = env.cc;
    const space = cc.model.all('spaces')[0];
    const req = client(env.api, await token(f, { user: 'admin' }));
    const csb = await req('POST', '/v3/service_brokers', {
      name: 'scoped',
      url: broker.url,
      authentication: { type: 'basic', credentials: { username: 'u', password: 'p' } },
      relationships: { space: { data: { guid: space.guid } } },
    });
    expect((await waitJob(cc, req, csb.headers.get('location')!)).state).toBe('COMPLETE');
    const plan = cc.driver.plan({ offering: 'test-db', plan: 'small' });
    const get = async () => (await req('GET', `/v3/service_plans/${plan.guid}`)).body;
    const p0 = await get();
    expect(p0.relationships.space).toEqual({ data: { guid: space.guid } });
    expect(p0.links.space).toEqual({ href: `${env.api}/v3/spaces/${space.guid}` });
    expect(p0.visibility_type).toBe('space');
    const rec = cc.model.get('plans', plan.guid)!;
    rec.catalog_metadata = { costs: [{ amount: { usd: 9.5, eur: 8 }, unit: 'MONTHLY' }] };
    expect((await get()).costs).toEqual([{ currency: 'USD', amount: 9.5, unit: 'MONTHLY' }, { currency: 'EUR', amount: 8, unit: 'MONTHLY' }]);
    for (const bad of [[{ amount: { usd: '9' }, unit: 'MONTHLY' }], [{ amount: {}, unit: 'MONTHLY' }], [{ amount: { usd: 1 }, unit: '' }], [{ amount: { usd: 1 } }], { amount: { usd: 1 }, unit: 'x' }]) {
      rec.catalog_metadata = { costs: bad };
      expect((await get()).costs).toEqual([]);
    }
  });

  it('v2: a space-scoped broker is read and deleted only by admins and that space\'s developers', async () => {
    const env = await ccFoundation('v2-scoped');
    f = env.f;
    broker = await startTestBroker();
    const cc = env.cc;
    const space = cc.model.all('spaces')[0];
    const admin = client(env.api, await token(f, { user: 'admin' }));
    const created = await admin('POST', '/v2/service_brokers', { name: 'sb', broker_url: broker.url, auth_username: 'u', auth_password: 'p', space_guid: space.guid });
    expect(created.status).toBe(201);
    const guid = created.body.metadata.guid;
    f.uaa.model.addUser({ userName: 'stranger', password: 'pw' });
    const stranger = client(env.api, await token(f, { user: 'stranger', password: 'pw' }));
    const denied = { code: 10003, error_code: 'CF-NotAuthorized', description: 'You are not authorized to perform the requested action' };
    expect((await stranger('GET', `/v2/service_brokers/${guid}`)).body).toEqual(denied);
    const del = await stranger('DELETE', `/v2/service_brokers/${guid}`);
    expect(del.status).toBe(403);
    expect(del.body).toEqual(denied);
    expect(cc.model.get('brokers', guid)).toBeDefined();
    // the same rule for every v2 record: someone else's existing record is a 403, a missing one a 404
    const app = cc.driver.app(space.guid, 'app');
    for (const path of [`/v2/organizations/${space.org_guid}`, `/v2/spaces/${space.guid}`, `/v2/apps/${app.guid}`]) {
      expect((await stranger('GET', path)).body).toEqual(denied);
    }
    expect((await stranger('GET', '/v2/spaces/nope')).body.error_code).toBe('CF-SpaceNotFound');
    f.uaa.model.addUser({ userName: 'dev', password: 'pw' });
    cc.driver.user('dev', [{ type: 'space_developer', space: space.guid }]);
    const dev = client(env.api, await token(f, { user: 'dev', password: 'pw' }));
    expect((await dev('GET', `/v2/service_brokers/${guid}`)).status).toBe(200);
    expect((await dev('DELETE', `/v2/service_brokers/${guid}`)).status).toBe(204);
  });
});
