import { describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { ccFoundation, client, closeAfterEach, startTestBroker, type TestBroker, token, waitJob } from './helpers.js';

describe('CC v3: broker to instance to binding and back', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  it('registers a broker, enables access, provisions asynchronously, binds, unbinds, upgrades, deletes', async () => {
    const env = await ccFoundation();
    f = env.f;
    const cc = env.cc;
    broker = await startTestBroker({ pollsBeforeDone: 1 });
    const req = client(env.api, await token(f, { user: 'admin' }));

    // create-service-broker
    const reg = await req('POST', '/v3/service_brokers', {
      name: 'test-broker',
      url: broker.url,
      authentication: { type: 'basic', credentials: { username: broker.username, password: broker.password } },
    });
    expect(reg.status).toBe(202);
    expect(reg.headers.get('location')).toMatch(/\/v3\/jobs\/[0-9a-f-]+$/);
    const regJob = await waitJob(cc, req, reg.headers.get('location')!);
    expect(regJob.state).toBe('COMPLETE');
    expect(regJob.operation).toBe('service_broker.catalog.synchronize');
    const brokers = await req('GET', '/v3/service_brokers?names=test-broker');
    expect(brokers.body.resources).toHaveLength(1);

    // plans start admin-only
    const plans = await req('GET', '/v3/service_plans?service_offering_names=test-db&include=service_offering&fields[service_offering.service_broker]=name,guid');
    expect(plans.status).toBe(200);
    expect(plans.body.resources.map((p: any) => p.visibility_type)).toEqual(['admin', 'admin']);
    expect(plans.body.included.service_offerings[0].name).toBe('test-db');
    expect(plans.body.included.service_brokers[0]).toEqual({ name: 'test-broker', guid: brokers.body.resources[0].guid });
    const small = plans.body.resources.find((p: any) => p.name === 'small');
    expect(small.maintenance_info).toEqual({ version: '1.0.0', description: 'first' });

    // enable-service-access
    for (const p of plans.body.resources) {
      const vis = await req('PATCH', `/v3/service_plans/${p.guid}/visibility`, { type: 'public' });
      expect(vis.status).toBe(200);
      expect(vis.body).toEqual({ type: 'public' });
    }

    // target
    const org = await req('GET', '/v3/organizations?names=system');
    const space = await req('GET', `/v3/spaces?names=dev&organization_guids=${org.body.resources[0].guid}`);
    const spaceGuid = space.body.resources[0].guid;

    // create-service
    const create = await req('POST', '/v3/service_instances', {
      type: 'managed',
      name: 'my-db',
      relationships: { space: { data: { guid: spaceGuid } }, service_plan: { data: { guid: small.guid } } },
      parameters: { size: 3 },
    });
    expect(create.status).toBe(202);
    const list = await req('GET', `/v3/service_instances?names=my-db&space_guids=${spaceGuid}`);
    const si = list.body.resources[0];
    // the job has sent the PUT before the 202 reaches the client; the broker answers 202 too
    expect(si.last_operation).toMatchObject({ type: 'create', state: 'in progress' });
    const createJob = await waitJob(cc, req, create.headers.get('location')!);
    expect(createJob).toMatchObject({ state: 'COMPLETE', operation: 'service_instance.create' });
    const put = broker.calls.find((c) => c.method === 'PUT' && c.path === `/v2/service_instances/${si.guid}`)!;
    expect(put.query.accepts_incomplete).toBe('true');
    expect(put.body).toMatchObject({ service_id: 'svc-db', plan_id: 'plan-small', parameters: { size: 3 }, maintenance_info: { version: '1.0.0' } });
    expect(put.body.context).toMatchObject({ platform: 'cloudfoundry', space_guid: spaceGuid, instance_name: 'my-db', organization_name: 'system', space_name: 'dev' });
    expect(put.headers['x-broker-api-version']).toBe('2.15');
    // the request id of the user's request travels to the broker
    expect(create.headers.get('x-vcap-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(put.headers['x-vcap-request-id']).toBe(create.headers.get('x-vcap-request-id'));
    const got = await req('GET', `/v3/service_instances/${si.guid}`);
    expect(got.body.last_operation).toMatchObject({ type: 'create', state: 'succeeded' });
    expect(got.body.maintenance_info).toEqual({ version: '1.0.0', description: 'first' });
    expect(got.body.upgrade_available).toBe(false);
    expect(got.body.dashboard_url).toBe(`https://dash.example.com/${si.guid}`);

    // bind-service
    const appRes = await req('POST', '/v3/apps', { name: 'my-app', relationships: { space: { data: { guid: spaceGuid } } } });
    expect(appRes.status).toBe(201);
    const bind = await req('POST', '/v3/service_credential_bindings', {
      type: 'app',
      relationships: { service_instance: { data: { guid: si.guid } }, app: { data: { guid: appRes.body.guid } } },
    });
    expect(bind.status).toBe(202);
    const bindJob = await waitJob(cc, req, bind.headers.get('location')!);
    expect(bindJob).toMatchObject({ state: 'COMPLETE', operation: 'service_bindings.create' });
    const bindings = await req('GET', `/v3/service_credential_bindings?service_instance_guids=${si.guid}&include=app`);
    expect(bindings.body.resources).toHaveLength(1);
    expect(bindings.body.included.apps[0].name).toBe('my-app');
    const details = await req('GET', `/v3/service_credential_bindings/${bindings.body.resources[0].guid}/details`);
    expect(details.body.credentials).toEqual({ uri: `db://${bindings.body.resources[0].guid}`, password: 'secret' });

    // unbind-service
    const unbind = await req('DELETE', `/v3/service_credential_bindings/${bindings.body.resources[0].guid}`);
    expect(unbind.status).toBe(202);
    expect((await waitJob(cc, req, unbind.headers.get('location')!)).state).toBe('COMPLETE');
    expect((await req('GET', `/v3/service_credential_bindings?service_instance_guids=${si.guid}`)).body.resources).toHaveLength(0);

    // a new maintenance_info version in the catalog makes an upgrade available
    broker.state.catalog = structuredClone(broker.state.catalog);
    (broker.state.catalog as any).services[0].plans[0].maintenance_info = { version: '1.1.0', description: 'second' };
    const upd = await req('PATCH', `/v3/service_brokers/${brokers.body.resources[0].guid}`, {
      authentication: { type: 'basic', credentials: { username: broker.username, password: broker.password } },
    });
    expect(upd.status).toBe(202);
    expect((await waitJob(cc, req, upd.headers.get('location')!)).state).toBe('COMPLETE');
    expect((await req('GET', `/v3/service_instances/${si.guid}`)).body.upgrade_available).toBe(true);

    // update-service --upgrade
    const upgrade = await req('PATCH', `/v3/service_instances/${si.guid}`, { maintenance_info: { version: '1.1.0' } });
    expect(upgrade.status).toBe(202);
    expect((await waitJob(cc, req, upgrade.headers.get('location')!)).state).toBe('COMPLETE');
    const patch = broker.calls.find((c) => c.method === 'PATCH')!;
    // version only, both ways (the catalog's description stays in CC), and v3 always sends parameters
    expect(patch.body).toMatchObject({ plan_id: 'plan-small', maintenance_info: { version: '1.1.0' }, parameters: {} });
    expect(patch.body.maintenance_info).toEqual({ version: '1.1.0' });
    expect(patch.body.previous_values).toEqual({ plan_id: 'plan-small', service_id: 'svc-db', organization_id: org.body.resources[0].guid, space_id: spaceGuid, maintenance_info: { version: '1.0.0' } });
    const upgraded = await req('GET', `/v3/service_instances/${si.guid}`);
    expect(upgraded.body.maintenance_info).toEqual({ version: '1.1.0' });
    expect(upgraded.body.upgrade_available).toBe(false);
    expect(upgraded.body.last_operation).toMatchObject({ type: 'update', state: 'succeeded' });

    // delete-service
    const del = await req('DELETE', `/v3/service_instances/${si.guid}`);
    expect(del.status).toBe(202);
    const delJob = await waitJob(cc, req, del.headers.get('location')!);
    expect(delJob.state).toBe('COMPLETE');
    expect(delJob.links.service_instances).toBeUndefined();
    expect((await req('GET', `/v3/service_instances/${si.guid}`)).status).toBe(404);
    expect(broker.instances.size).toBe(0);
  });
});
