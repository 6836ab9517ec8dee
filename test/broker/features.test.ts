import { afterEach, describe, expect, it } from 'vitest';
import type { GenerateManifestParams } from '../../broker-under-test/index.js';
import { SMALL, redisAdapter, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => h?.close());

describe('per-instance UAA clients (cf.uaa.client_definition)', () => {
  it('created on provision and handed to generate-manifest, pointed at the dashboard, deleted on deprovision', async () => {
    const seen: GenerateManifestParams[] = [];
    const base = redisAdapter();
    h = await startHarness({
      seed: 'uaa-clients',
      adapter: { ...base, generateManifest: (p) => (seen.push(p), base.generateManifest(p)) },
      config: (c) => ({
        ...c,
        cf: {
          ...c.cf!,
          uaa: {
            ...c.cf!.uaa,
            client_definition: { scopes: 'openid,ODB_SPACE_GUID.read', authorities: 'uaa.none', authorized_grant_types: 'authorization_code,client_credentials', name: 'redis dashboard' },
          },
        },
      }),
    });
    const cc = h.f.cc.driver;
    const space = cc.space('org', 'dev');
    const { instance } = await cc.createInstance({ name: 'u', space: space.guid, plan: { offering: 'redis-odb', plan: 'small' } });
    await cc.waitForLastOperation(instance.guid);
    const client = h.f.uaa.model.client(instance.guid)!;
    expect(client).toBeDefined();
    expect(client.scope).toEqual(['openid', `${space.guid}.read`]);
    expect(client.redirect_uri).toEqual([`https://redis-dashboard.example.com/${instance.guid}`]);
    expect(seen[0].uaaClient).toMatchObject({ client_id: instance.guid, name: 'redis dashboard', authorized_grant_types: 'authorization_code,client_credentials' });
    expect(seen[0].uaaClient!.client_secret).toHaveLength(32);

    await cc.waitForJob((await cc.deleteInstance(instance.guid)).guid);
    await cc.waitForLastOperation(instance.guid);
    expect(h.f.uaa.model.client(instance.guid)).toBeUndefined();
  });
});

describe('plan schemas (enable_plan_schemas)', () => {
  it('the adapter\'s schemas go in the catalog; an adapter without generate-plan-schemas breaks the catalog', async () => {
    const schema = { parameters: { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: { maxclients: { type: 'integer' } } } };
    h = await startHarness({
      seed: 'schemas',
      register: false,
      adapter: { ...redisAdapter(), generatePlanSchemas: () => ({ service_instance: { create: schema, update: schema }, service_binding: { create: schema } }) },
      config: (c) => ({ ...c, broker: { ...c.broker, enable_plan_schemas: true } }),
    });
    const catalog = await h.osb('GET', '/v2/catalog');
    expect(catalog.status).toBe(200);
    expect(catalog.json.services[0].plans[0].schemas).toEqual({ service_instance: { create: schema, update: schema }, service_binding: { create: schema } });
    // Parameters are checked against the schema: 400 with an empty body when they do not fit.
    const bad = await h.osb('PUT', '/v2/service_instances/s1?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: SMALL, parameters: { maxclients: 'many' } });
    expect(bad).toMatchObject({ status: 400, json: {} });
    const good = await h.osb('PUT', '/v2/service_instances/s1?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: SMALL, parameters: { maxclients: 7 } });
    expect(good.status).toBe(202);
    await h.close();

    h = await startHarness({ seed: 'no-schemas', register: false, config: (c) => ({ ...c, broker: { ...c.broker, enable_plan_schemas: true } }) });
    const broken = await h.osb('GET', '/v2/catalog');
    expect(broken).toMatchObject({ status: 500, json: { description: 'enable_plan_schemas is set to true, but the service adapter does not implement generate-plan-schemas' } });
    const prov = await h.osb('PUT', '/v2/service_instances/s?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: SMALL });
    expect(prov.status).toBe(500);
  });
});

describe('resource quotas', () => {
  it('a global resource limit counts each plan\'s cost per CC instance; ODB\'s joined message', async () => {
    h = await startHarness({
      seed: 'resources',
      config: (c) => ({
        ...c,
        service_catalog: {
          ...c.service_catalog,
          global_quotas: { resources: { memory: { limit: 2 } } },
          plans: c.service_catalog.plans.map((p) => ({ ...p, quotas: { resources: { memory: { cost: 2 } } } })),
        },
      }),
    });
    // Not in CC: nothing counted yet, 0 + 2 fits.
    expect((await h.osb('PUT', '/v2/service_instances/direct?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: SMALL })).status).toBe(202);
    const cc = h.f.cc.driver;
    const { instance } = await cc.createInstance({ name: 'r', space: cc.space('org', 'dev').guid, plan: { offering: 'redis-odb', plan: 'large' } });
    expect(((await cc.waitForLastOperation(instance.guid)) as any).last_operation.state).toBe('failed');
    const refused = h.f.journal.query({ service: 'cc->broker', method: 'PUT' }).find((e) => e.status === 500)!;
    expect(JSON.parse(refused.responseBody!).description).toBe(
      'error: global quota of memory: 2 would be exceeded by this deployment - current usage is 2 and this deployment needs a further 2. ' +
        'error for user: global quota of memory: 2 would be exceeded by this deployment.',
    );
  });
});
