import { describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { ccFoundation, client, closeAfterEach, startTestBroker, type TestBroker, token, waitJob } from './helpers.js';

/** The requests the cf CLI v8 sends for each command (ccv3 package), replayed against the fake CC. */
describe('cf CLI v3 flows', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  it('api, auth, create-org, create-space, target, brokers, access, marketplace, services lifecycle', async () => {
    const env = await ccFoundation('cli');
    f = env.f;
    const cc = env.cc;
    broker = await startTestBroker({ pollsBeforeDone: 1 });
    const anon = client(env.api);

    // cf api: the root document gives the UAA and login URLs
    const root = await anon('GET', '/');
    expect(root.body.links.cloud_controller_v3.meta.version).toMatch(/^3\./);
    // cf auth: a password grant at links.login (the fake UAA)
    const admin = client(env.api, await token(f, { user: 'admin' }));
    const adminUser = f.uaa.model.userByName('admin')!;

    // cf create-org o1: POST org, then org manager by username
    const org = await admin('POST', '/v3/organizations', { name: 'o1' });
    expect(org.status).toBe(201);
    const orgMgr = await admin('POST', '/v3/roles', {
      type: 'organization_manager',
      relationships: { user: { data: { username: 'admin', origin: 'uaa' } }, organization: { data: { guid: org.body.guid } } },
    });
    expect(orgMgr.status).toBe(201);
    expect(orgMgr.body.relationships.user.data.guid).toBe(adminUser.id);
    const dupOrg = await admin('POST', '/v3/organizations', { name: 'o1' });
    expect(dupOrg.status).toBe(422);
    expect(dupOrg.body.errors[0]).toMatchObject({ title: 'CF-UnprocessableEntity', code: 10008, detail: "Organization 'o1' already exists." });

    // cf create-space s1 -o o1: space, then space manager and developer
    const space = await admin('POST', '/v3/spaces', { name: 's1', relationships: { organization: { data: { guid: org.body.guid } } } });
    expect(space.status).toBe(201);
    for (const type of ['space_manager', 'space_developer']) {
      const r = await admin('POST', '/v3/roles', { type, relationships: { user: { data: { username: 'admin' } }, space: { data: { guid: space.body.guid } } } });
      expect(r.status).toBe(201);
    }
    const dupRole = await admin('POST', '/v3/roles', { type: 'space_developer', relationships: { user: { data: { guid: adminUser.id } }, space: { data: { guid: space.body.guid } } } });
    expect(dupRole.status).toBe(422);
    expect(dupRole.body.errors[0].detail).toBe(`User 'admin' already has 'space_developer' role in space 's1'.`);
    const roles = await admin('GET', `/v3/roles?space_guids=${space.body.guid}&include=user`);
    expect(roles.body.resources.map((r: any) => r.type).sort()).toEqual(['space_developer', 'space_manager']);
    expect(roles.body.included.users[0]).toMatchObject({ guid: adminUser.id, username: 'admin', origin: 'uaa' });

    // cf target -o o1 -s s1
    const orgs = await admin('GET', '/v3/organizations?names=o1');
    expect(orgs.body.resources[0].guid).toBe(org.body.guid);
    const spaces = await admin('GET', `/v3/spaces?names=s1&organization_guids=${org.body.guid}`);
    const spaceGuid = spaces.body.resources[0].guid;
    expect(spaceGuid).toBe(space.body.guid);

    // cf create-service-broker / service-brokers
    const csb = await admin('POST', '/v3/service_brokers', {
      name: 'b1',
      url: broker.url,
      authentication: { type: 'basic', credentials: { username: 'u', password: 'p' } },
    });
    expect((await waitJob(cc, admin, csb.headers.get('location')!)).state).toBe('COMPLETE');
    expect((await admin('GET', '/v3/service_brokers')).body.resources.map((b: any) => b.name)).toEqual(['b1']);
    expect(broker.calls.find((c) => c.path === '/v2/catalog')!.headers.authorization).toBe('Basic ' + Buffer.from('u:p').toString('base64'));

    // a space developer does not see admin-only plans in the marketplace
    f.uaa.model.addUser({ userName: 'dev', password: 'pw' });
    cc.driver.user('dev', [{ type: 'space_developer', space: spaceGuid }]);
    const dev = client(env.api, await token(f, { user: 'dev', password: 'pw' }));
    const market = `/v3/service_plans?per_page=5000&space_guids=${spaceGuid}&available=true&include=service_offering&fields%5Bservice_offering.service_broker%5D=name,guid`;
    expect((await dev('GET', market)).body.resources).toHaveLength(0);

    // cf enable-service-access test-db -p small -o o1, then for all plans
    const offerings = await admin('GET', '/v3/service_offerings?names=test-db&fields[service_broker]=name');
    expect(offerings.body.included.service_brokers).toEqual([{ name: 'b1' }]);
    const plans = await admin('GET', `/v3/service_plans?service_offering_guids=${offerings.body.resources[0].guid}`);
    const small = plans.body.resources.find((p: any) => p.name === 'small');
    const orgVis = await admin('POST', `/v3/service_plans/${small.guid}/visibility`, { type: 'organization', organizations: [{ guid: org.body.guid }] });
    expect(orgVis.body).toEqual({ type: 'organization' });
    expect((await admin('GET', `/v3/service_plans/${small.guid}/visibility`)).body).toEqual({ type: 'organization', organizations: [{ guid: org.body.guid, name: 'o1' }] });
    expect((await dev('GET', market)).body.resources.map((p: any) => p.name)).toEqual(['small']);
    for (const p of plans.body.resources) await admin('PATCH', `/v3/service_plans/${p.guid}/visibility`, { type: 'public' });

    // cf marketplace
    const mk = await dev('GET', market);
    expect(mk.body.resources.map((p: any) => p.name)).toEqual(['small', 'large']);
    expect(mk.body.included.service_offerings.map((o: any) => o.name)).toEqual(['test-db']);
    expect(mk.body.included.service_brokers).toEqual([{ name: 'b1', guid: expect.any(String) }]);

    // cf create-service test-db small db1 --wait
    const planLookup = await dev('GET', `/v3/service_plans?names=small&available=true&service_offering_names=test-db&space_guids=${spaceGuid}&include=service_offering&fields[service_offering.service_broker]=name,guid`);
    expect(planLookup.body.resources).toHaveLength(1);
    const cs = await dev('POST', '/v3/service_instances', {
      type: 'managed',
      name: 'db1',
      relationships: { space: { data: { guid: spaceGuid } }, service_plan: { data: { guid: planLookup.body.resources[0].guid } } },
    });
    expect(cs.status).toBe(202);
    const csJob = await waitJob(cc, dev, cs.headers.get('location')!);
    expect(csJob.state).toBe('COMPLETE');
    const devUser = f.uaa.model.userByName('dev')!;
    const put = broker.calls.find((c) => c.method === 'PUT' && c.path.startsWith('/v2/service_instances/'))!;
    const identity = put.headers['x-broker-api-originating-identity'];
    expect(identity.startsWith('cloudfoundry ')).toBe(true);
    expect(JSON.parse(Buffer.from(identity.slice('cloudfoundry '.length), 'base64').toString())).toEqual({ user_id: devUser.id });
    const taken = await dev('POST', '/v3/service_instances', {
      type: 'managed',
      name: 'db1',
      relationships: { space: { data: { guid: spaceGuid } }, service_plan: { data: { guid: planLookup.body.resources[0].guid } } },
    });
    expect(taken.status).toBe(422);
    expect(taken.body.errors[0].detail).toBe('The service instance name is taken: db1.');

    // cf services
    const fieldsQ =
      'fields[service_plan]=guid,name,relationships.service_offering&fields[service_plan.service_offering]=guid,name,relationships.service_broker&fields[service_plan.service_offering.service_broker]=guid,name';
    const svcs = await dev('GET', `/v3/service_instances?space_guids=${spaceGuid}&${fieldsQ}&per_page=5000&order_by=name`);
    expect(svcs.status).toBe(200);
    expect(svcs.body.resources.map((r: any) => r.name)).toEqual(['db1']);
    expect(svcs.body.included.service_plans).toEqual([
      { guid: planLookup.body.resources[0].guid, name: 'small', relationships: { service_offering: { data: { guid: offerings.body.resources[0].guid } } } },
    ]);
    expect(svcs.body.included.service_offerings[0]).toMatchObject({ name: 'test-db' });
    expect(svcs.body.included.service_brokers[0]).toMatchObject({ name: 'b1' });

    // cf service db1
    const one = await dev('GET', `/v3/service_instances?names=db1&space_guids=${spaceGuid}&fields[service_plan]=name,guid&fields[service_plan.service_offering]=name,guid,description,tags,documentation_url&fields[service_plan.service_offering.service_broker]=name,guid`);
    const si = one.body.resources[0];
    expect(si).toMatchObject({ type: 'managed', last_operation: { type: 'create', state: 'succeeded' }, upgrade_available: false });
    expect(one.body.included.service_offerings[0]).toEqual({ name: 'test-db', guid: offerings.body.resources[0].guid, description: 'A database for tests', tags: ['db'], documentation_url: null });
    expect((await dev('GET', '/v3/feature_flags/service_instance_sharing')).body.enabled).toBe(false);
    expect((await dev('GET', `/v3/service_instances/${si.guid}/relationships/shared_spaces`)).body.data).toEqual([]);
    expect((await dev('GET', `/v3/service_instances/${si.guid}/parameters`)).body).toEqual({});

    // cf bind-service app1 db1 / unbind-service
    const app = await dev('POST', '/v3/apps', { name: 'app1', relationships: { space: { data: { guid: spaceGuid } } } });
    const apps = await dev('GET', `/v3/apps?names=app1&space_guids=${spaceGuid}`);
    expect(apps.body.resources[0].guid).toBe(app.body.guid);
    const bs = await dev('POST', '/v3/service_credential_bindings', {
      type: 'app',
      name: 'b-name',
      relationships: { service_instance: { data: { guid: si.guid } }, app: { data: { guid: app.body.guid } } },
      parameters: { role: 'rw' },
    });
    expect((await waitJob(cc, dev, bs.headers.get('location')!)).state).toBe('COMPLETE');
    const bindPut = broker.calls.find((c) => c.method === 'PUT' && c.path.includes('/service_bindings/'))!;
    expect(bindPut.body).toMatchObject({ service_id: 'svc-db', plan_id: 'plan-small', app_guid: app.body.guid, bind_resource: { app_guid: app.body.guid, space_guid: spaceGuid }, parameters: { role: 'rw' } });
    const again = await dev('POST', '/v3/service_credential_bindings', {
      type: 'app',
      relationships: { service_instance: { data: { guid: si.guid } }, app: { data: { guid: app.body.guid } } },
    });
    expect(again.status).toBe(422);
    // CC's exact text (no full stop): the cf CLI matches it to say "already bound" and exit 0
    expect(again.body.errors[0]).toEqual({ detail: 'The app is already bound to the service instance', title: 'CF-UnprocessableEntity', code: 10008 });
    const found = await dev('GET', `/v3/service_credential_bindings?app_guids=${app.body.guid}&service_instance_guids=${si.guid}&type=app`);
    expect(found.body.resources).toHaveLength(1);
    const us = await dev('DELETE', `/v3/service_credential_bindings/${found.body.resources[0].guid}`);
    expect((await waitJob(cc, dev, us.headers.get('location')!)).operation).toBe('service_bindings.delete');
    const unbindCall = broker.calls.find((c) => c.method === 'DELETE' && c.path.includes('/service_bindings/'))!;
    expect(unbindCall.query).toEqual({ accepts_incomplete: 'true', plan_id: 'plan-small', service_id: 'svc-db' });

    // cf create-service-key / service-key
    const csk = await dev('POST', '/v3/service_credential_bindings', { type: 'key', name: 'k1', relationships: { service_instance: { data: { guid: si.guid } } } });
    expect((await waitJob(cc, dev, csk.headers.get('location')!)).operation).toBe('service_keys.create');
    const keys = await dev('GET', `/v3/service_credential_bindings?service_instance_guids=${si.guid}&type=key&names=k1`);
    expect((await dev('GET', `/v3/service_credential_bindings/${keys.body.resources[0].guid}/details`)).body.credentials.password).toBe('secret');

    // cf update-service db1 --upgrade: nothing to upgrade yet
    const plan = await dev('GET', `/v3/service_plans/${si.relationships.service_plan.data.guid}`);
    const noop = await dev('PATCH', `/v3/service_instances/${si.guid}`, { maintenance_info: { version: plan.body.maintenance_info.version } });
    expect(noop.status).toBe(200);
    const conflict = await dev('PATCH', `/v3/service_instances/${si.guid}`, { maintenance_info: { version: '9.9.9' } });
    expect(conflict.status).toBe(422);
    expect(conflict.body.errors[0].title).toBe('CF-MaintenanceInfoConflict');
    // update-service -p large
    const large = plans.body.resources.find((p: any) => p.name === 'large');
    const toLarge = await dev('PATCH', `/v3/service_instances/${si.guid}`, { relationships: { service_plan: { data: { guid: large.guid } } } });
    expect(toLarge.status).toBe(202);
    expect((await waitJob(cc, dev, toLarge.headers.get('location')!)).state).toBe('COMPLETE');
    expect((await dev('GET', `/v3/service_instances/${si.guid}`)).body.relationships.service_plan.data.guid).toBe(large.guid);

    // cf delete-service db1 (the key is unbound first)
    const ds = await dev('DELETE', `/v3/service_instances/${si.guid}`);
    expect((await waitJob(cc, dev, ds.headers.get('location')!)).state).toBe('COMPLETE');
    expect(broker.calls.filter((c) => c.method === 'DELETE').map((c) => c.path.includes('service_bindings'))).toEqual([true, true, false]);
    expect((await dev('GET', `/v3/service_instances?names=db1&space_guids=${spaceGuid}`)).body.resources).toHaveLength(0);

    // cf purge-service-instance: no broker call
    const { instance } = await cc.driver.createInstance({ name: 'db2', space: spaceGuid, plan: small.guid });
    await cc.driver.waitForLastOperation(instance.guid);
    const before = broker.calls.length;
    const purge = await admin('DELETE', `/v3/service_instances/${instance.guid}?purge=true`);
    expect(purge.status).toBe(204);
    expect(broker.calls.length).toBe(before);
    expect((await admin('GET', `/v3/service_instances/${instance.guid}`)).status).toBe(404);
  });
});
