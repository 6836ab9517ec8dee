import { describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { ccFoundation, ccWithTestBroker, client, closeAfterEach, startTestBroker, type TestBroker, token, waitJob } from './helpers.js';

describe('CC catalog synchronisation', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  it('deletes vanished plans without instances, deactivates those with instances (job warning), and refuses to delete a broker in use', async () => {
    const env = await ccWithTestBroker('sync-cat', { async: false });
    f = env.f;
    broker = env.broker;
    const { cc, space, registered: b } = env;
    await cc.driver.createInstance({ name: 'db', space: space.guid, plan: { offering: 'test-db', plan: 'small' } });
    const req = client(env.api, await token(f, { user: 'admin' }));

    (broker.state.catalog as any).services[0].plans = [{ id: 'plan-medium', name: 'medium', description: 'M' }];
    const upd = await req('PATCH', `/v3/service_brokers/${b.guid}`, { url: broker.url });
    const job = await waitJob(cc, req, upd.headers.get('location')!);
    expect(job.state).toBe('COMPLETE');
    expect(job.warnings).toHaveLength(1);
    expect(job.warnings[0].detail).toContain('The plans have been deactivated to prevent users from attempting to provision new instances of these plans.');
    expect(job.warnings[0].detail).toContain('test-db\n  small');
    const plans = await req('GET', '/v3/service_plans');
    expect(plans.body.resources.map((p: any) => [p.name, p.available, p.visibility_type])).toEqual([
      ['small', false, 'public'],
      ['medium', true, 'admin'],
    ]);
    expect((await req('GET', '/v3/service_plans?available=true')).body.resources.map((p: any) => p.name)).toEqual(['medium']);

    const v3del = await req('DELETE', `/v3/service_brokers/${b.guid}`);
    expect(v3del.status).toBe(422);
    expect(v3del.body.errors[0]).toEqual({ detail: 'Can not remove brokers that have associated service instances: b', title: 'CF-ServiceBrokerNotRemovable', code: 270010 });
    const v2del = await req('DELETE', `/v2/service_brokers/${b.guid}`);
    expect(v2del.status).toBe(400);
    expect(v2del.body.error_code).toBe('CF-ServiceBrokerNotRemovable');

    // a failed catalog fetch on update leaves the broker as it was
    broker.state.catalog = { services: 'nope' };
    const bad = await req('PATCH', `/v3/service_brokers/${b.guid}`, { name: 'renamed', url: broker.url });
    const badJob = await waitJob(cc, req, bad.headers.get('location')!);
    expect(badJob.state).toBe('FAILED');
    expect((await req('GET', `/v3/service_brokers/${b.guid}`)).body.name).toBe('b');
    // metadata-only update answers 200 at once
    const md = await req('PATCH', `/v3/service_brokers/${b.guid}`, { metadata: { labels: { team: 'data' } } });
    expect(md.status).toBe(200);
    expect(md.body.metadata.labels).toEqual({ team: 'data' });
    const off = cc.model.all('offerings')[0];
    const om = await req('PATCH', `/v3/service_offerings/${off.guid}`, { metadata: { annotations: { note: 'x' } } });
    expect(om.status).toBe(200);
    expect(om.body.metadata.annotations).toEqual({ note: 'x' });
    expect((await req('PATCH', `/v3/service_offerings/${off.guid}`, { name: 'renamed' })).status).toBe(422);
    const pm = await req('PATCH', `/v3/service_plans/${cc.model.all('plans')[0].guid}`, { metadata: { labels: { a: 'b' } } });
    expect(pm.body.metadata.labels).toEqual({ a: 'b' });
  });

  it('shows non-admins only the plans they may use, in v2 and v3', async () => {
    const env = await ccFoundation('visibility');
    f = env.f;
    const cc = env.cc;
    broker = await startTestBroker();
    await cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    const space = cc.model.all('spaces')[0];
    const other = cc.driver.org('other');
    f.uaa.model.addUser({ userName: 'dev', password: 'pw' });
    cc.driver.user('dev', [{ type: 'space_developer', space: space.guid }]);
    const dev = client(env.api, await token(f, { user: 'dev', password: 'pw' }));
    expect((await dev('GET', '/v2/service_plans')).body.total_results).toBe(0);
    expect((await dev('GET', '/v2/services')).body.total_results).toBe(0);
    cc.driver.enableAccess('test-db', { plan: 'large', org: other.name });
    expect((await dev('GET', '/v3/service_plans')).body.resources).toHaveLength(0);
    cc.driver.enableAccess('test-db', { plan: 'small', org: 'system' });
    expect((await dev('GET', '/v2/service_plans')).body.resources.map((p: any) => p.entity.name)).toEqual(['small']);
    expect((await dev('GET', '/v3/service_offerings')).body.resources.map((o: any) => o.name)).toEqual(['test-db']);
    // the marketplace is readable without a token: public plans only
    const anon = client(env.api);
    expect((await anon('GET', '/v3/service_plans')).body.resources).toHaveLength(0);
    cc.driver.enableAccess('test-db', { plan: 'small' });
    expect((await anon('GET', '/v3/service_plans')).body.resources.map((p: any) => p.name)).toEqual(['small']);
    expect((await anon('GET', '/v2/services')).body.total_results).toBe(1);
    expect((await anon('GET', '/v3/service_instances')).status).toBe(401);
    // a plan the user cannot see cannot be provisioned
    const large = cc.driver.plan({ offering: 'test-db', plan: 'large' });
    const r = await dev('POST', '/v3/service_instances', { type: 'managed', name: 'x', relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: large.guid } } } });
    expect(r.status).toBe(422);
    const r2 = await dev('POST', '/v2/service_instances', { name: 'x', service_plan_guid: large.guid, space_guid: space.guid });
    expect(r2.status).toBe(400);
    expect(r2.body.error_code).toBe('CF-ServicePlanInvalid');
    // visibility endpoints are admin-only
    expect((await dev('PATCH', `/v3/service_plans/${cc.driver.plan({ offering: 'test-db', plan: 'small' }).guid}/visibility`, { type: 'public' })).status).toBe(403);
    expect((await dev('GET', '/v2/service_plan_visibilities')).status).toBe(403);
  });
});
