import { describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { ccWithTestBroker, client, closeAfterEach, type TestBroker, token } from './helpers.js';

/** `PUT /v2/service_instances/:guid` as ODB's upgrade-all-service-instances errand uses it (ServiceInstanceUpdate). */
describe('CC v2 instance updates', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

  async function setup(seed: string) {
    const env = await ccWithTestBroker(seed, { async: true, pollsBeforeDone: 1 });
    f = env.f;
    broker = env.broker;
    const req = client(env.api, await token(f, { client: 'cc_admin' }));
    const plan = env.cc.driver.plan({ offering: 'test-db', plan: 'small' });
    return { ...env, req, plan };
  }

  it('an upgrade sends maintenance_info {version} both ways, no parameters, and answers 202 with Location', async () => {
    const { cc, req, plan, space, registered } = await setup('v2-upgrade');
    const created = await req('POST', '/v2/service_instances?accepts_incomplete=true', { name: 'db', space_guid: space.guid, service_plan_guid: plan.guid });
    expect(created.status).toBe(202);
    const guid = created.body.metadata.guid;
    await cc.driver.waitForLastOperation(guid);
    expect(cc.model.get('instances', guid)!.maintenance_info).toEqual({ version: '1.0.0', description: 'first' });

    (broker!.state.catalog as any).services[0].plans[0].maintenance_info = { version: '1.1.0', description: 'second' };
    await cc.driver.registerBroker({ name: 'b', url: registered.url, username: 'u', password: 'p' });
    broker!.calls.length = 0;

    // ODB labels its JSON as a form and sends the plan's maintenance_info as the catalog has it
    const body = JSON.stringify({ maintenance_info: { version: '1.1.0', description: 'second' } });
    const upd = await req('PUT', `/v2/service_instances/${guid}?accepts_incomplete=true`, body, FORM);
    expect(upd.status).toBe(202);
    expect(upd.headers.get('location')).toBe(`/v2/service_instances/${guid}`);
    expect(upd.body.entity.last_operation).toMatchObject({ type: 'update', state: 'in progress' });

    const patch = broker!.calls.find((c) => c.method === 'PATCH')!;
    expect(patch.query).toEqual({ accepts_incomplete: 'true' });
    expect(Object.keys(patch.body)).toEqual(['service_id', 'plan_id', 'previous_values', 'context', 'maintenance_info']);
    expect(patch.body.previous_values).toEqual({ plan_id: 'plan-small', service_id: 'svc-db', organization_id: space.org_guid, space_id: space.guid, maintenance_info: { version: '1.0.0' } });
    expect(patch.body.maintenance_info).toEqual({ version: '1.1.0' });
    expect(patch.body.context).toMatchObject({ platform: 'cloudfoundry', instance_name: 'db' });

    await cc.driver.waitForLastOperation(guid);
    const after = cc.model.get('instances', guid)!;
    expect(after.maintenance_info).toEqual({ version: '1.1.0' });
    expect(after.last_operation).toMatchObject({ type: 'update', state: 'succeeded' });

    // and the v2 delete that follows: 202 with Location too
    const del = await req('DELETE', `/v2/service_instances/${guid}?accepts_incomplete=true`);
    expect(del.status).toBe(202);
    expect(del.headers.get('location')).toBe(`/v2/service_instances/${guid}`);
  });

  it('parameters go only when sent; previous_values leaves maintenance_info out when the instance has none', async () => {
    const { cc, req, plan, space } = await setup('v2-params');
    const bare = cc.model.addInstance({ name: 'bare', type: 'managed', space_guid: space.guid, plan_guid: plan.guid, tags: [], dashboard_url: null, maintenance_info: null, last_operation: null });
    broker!.instances.set(bare.guid, { plan_id: 'plan-small', polls: 0, op: 'provision' });
    const upd = await req('PUT', `/v2/service_instances/${bare.guid}?accepts_incomplete=true`, { parameters: { size: 2 } });
    expect(upd.status).toBe(202);
    const patch = broker!.calls.find((c) => c.method === 'PATCH')!;
    expect(patch.body.previous_values).toEqual({ plan_id: 'plan-small', service_id: 'svc-db', organization_id: space.org_guid, space_id: space.guid });
    expect(patch.body.parameters).toEqual({ size: 2 });
    expect(patch.body).not.toHaveProperty('maintenance_info');
  });

  it('a PUT that needs no broker call still records update/succeeded (the updater lock), whatever it held', async () => {
    const { cc, req, plan, space } = await setup('v2-nobroker');
    const { instance } = await cc.driver.createInstance({ name: 'db', space: space.guid, plan: plan.guid });
    await cc.driver.waitForLastOperation(instance.guid);
    broker!.calls.length = 0;
    const t = await f!.clock.advance(5_000).then(() => f!.clock.now());
    const res = await req('PUT', `/v2/service_instances/${instance.guid}`, { tags: ['a', 'b'], name: 'renamed' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBeNull();
    expect(broker!.calls).toEqual([]);
    const rec = cc.model.get('instances', instance.guid)!;
    expect(rec).toMatchObject({ name: 'renamed', tags: ['a', 'b'], updated_at: t });
    expect(rec.last_operation).toEqual({ type: 'update', state: 'succeeded', description: '', created_at: t, updated_at: t });
    // the same version as the instance has: no broker call either
    const same = await req('PUT', `/v2/service_instances/${instance.guid}`, { maintenance_info: { version: '1.0.0' } });
    expect(same.status).toBe(201);
    expect(broker!.calls).toEqual([]);
  });

  it('a refused update changes nothing; a broker refusal keeps name and tags and records the failure', async () => {
    const { cc, req, plan, space } = await setup('v2-refused');
    const { instance } = await cc.driver.createInstance({ name: 'db', space: space.guid, plan: plan.guid });
    await cc.driver.createInstance({ name: 'other', space: space.guid, plan: plan.guid });
    await cc.driver.waitForLastOperation(instance.guid);
    const before = structuredClone(cc.model.get('instances', instance.guid));
    const taken = await req('PUT', `/v2/service_instances/${instance.guid}`, { name: 'other', tags: ['x'] });
    expect(taken.status).toBe(400);
    expect(taken.body).toEqual({ description: 'The service instance name is taken: other', error_code: 'CF-ServiceInstanceNameTaken', code: 60002 });
    const conflict = await req('PUT', `/v2/service_instances/${instance.guid}`, { maintenance_info: { version: '9.9.9' }, tags: ['x'] });
    expect(conflict.status).toBe(422);
    expect(conflict.body.error_code).toBe('CF-MaintenanceInfoConflict');
    expect(cc.model.get('instances', instance.guid)).toEqual(before);

    f!.faults.add({ match: { service: 'cc->broker', method: 'PATCH' }, action: { type: 'status', status: 500, body: '{"description":"nope"}' }, times: 1 });
    const failed = await req('PUT', `/v2/service_instances/${instance.guid}`, { parameters: { a: 1 }, tags: ['x'], name: 'new' });
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ description: 'Service broker error: nope', error_code: 'CF-ServiceBrokerBadResponse', code: 10001 });
    const rec = cc.model.get('instances', instance.guid)!;
    expect({ name: rec.name, tags: rec.tags }).toEqual({ name: 'db', tags: [] });
    expect(rec.last_operation).toMatchObject({ type: 'update', state: 'failed', description: 'Service broker error: nope' });
  });
});
