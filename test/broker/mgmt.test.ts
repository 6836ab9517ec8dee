import { afterEach, describe, expect, it } from 'vitest';
import { LARGE, SMALL, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => h?.close());

const mgmt = (method: string, path: string, body?: unknown) => h.osb(method, `/mgmt${path}`, body);

describe('management API', () => {
  it('service_instances and orphan_deployments through CC and BOSH', async () => {
    h = await startHarness({ seed: 'mgmt' });
    const cc = h.f.cc.driver;
    const space = cc.space('org', 'dev');
    const { instance } = await cc.createInstance({ name: 'm', space: space.guid, plan: { offering: 'redis-odb', plan: 'small' } });
    await cc.waitForLastOperation(instance.guid);
    // A deployment CC knows nothing about: created directly on the director.
    h.bosh.control.createDeployment('name: service-instance_orphan-1\nreleases: []\nstemcells: []\ninstance_groups: []\n');
    h.bosh.control.createDeployment('name: not-ours\nreleases: []\nstemcells: []\ninstance_groups: []\n');

    const list = await mgmt('GET', '/service_instances');
    expect(list).toMatchObject({ status: 200, json: [{ service_instance_id: instance.guid, plan_id: SMALL, space_guid: space.guid }] });
    expect((await mgmt('GET', '/service_instances?cf_org=org&cf_space=dev')).json).toHaveLength(1);
    expect((await mgmt('GET', '/service_instances?cf_org=org&cf_space=nope')).json).toEqual([]);
    expect(await mgmt('GET', '/orphan_deployments')).toMatchObject({ status: 200, json: [{ deployment_name: 'service-instance_orphan-1' }] });

    const metrics = await mgmt('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.json).toEqual(
      expect.arrayContaining([
        { key: '/on-demand-broker/redis-odb/small/total_instances', value: 1, unit: 'count' },
        { key: '/on-demand-broker/redis-odb/small/quota_remaining', value: 1, unit: 'count' },
        { key: '/on-demand-broker/redis-odb/total_instances', value: 1, unit: 'count' },
      ]),
    );
  });

  it('PATCH upgrade and recreate: 202 with operation data, 409 busy, 410 gone, 400 and 422 on bad requests', async () => {
    h = await startHarness({ seed: 'mgmt-patch', register: false, clockMode: 'virtual' });
    const prov = await h.osb('PUT', '/v2/service_instances/p1?accepts_incomplete=true', { service_id: 'redis-odb-id', plan_id: LARGE });
    expect(prov.status).toBe(202);
    const busy = await mgmt('PATCH', '/service_instances/p1?operation_type=upgrade', { plan_id: LARGE, context: { space_guid: 's' } });
    expect(busy.status).toBe(409);
    await h.f.clock.runAll();

    const up = await mgmt('PATCH', '/service_instances/p1?operation_type=upgrade', { plan_id: LARGE, context: { space_guid: 's' } });
    expect(up.status).toBe(202);
    expect(JSON.parse(up.text)).toMatchObject({ OperationType: 'upgrade', PlanID: LARGE });
    await h.f.clock.runAll();
    const poll = await h.osb('GET', `/v2/service_instances/p1/last_operation?operation=${encodeURIComponent(up.text)}`);
    expect(poll.json).toEqual({ state: 'succeeded', description: 'Instance upgrade completed' });

    const re = await mgmt('PATCH', '/service_instances/p1?operation_type=recreate', { plan_id: LARGE });
    expect(re.status).toBe(202);
    expect(JSON.parse(re.text)).toMatchObject({ OperationType: 'recreate' });
    await h.f.clock.runAll();
    const recreated = await h.osb('GET', `/v2/service_instances/p1/last_operation?operation=${encodeURIComponent(re.text)}`);
    expect(recreated.json).toEqual({ state: 'succeeded', description: 'Instance recreate completed' });
    // create, upgrade, recreate: a job-state change is an update_deployment task on the director.
    expect(h.bosh.control.tasks({ deployment: 'service-instance_p1' }).map((t) => t.type)).toEqual(['update_deployment', 'update_deployment', 'update_deployment']);

    expect((await mgmt('PATCH', '/service_instances/gone?operation_type=upgrade', { plan_id: LARGE })).status).toBe(410);
    expect((await mgmt('PATCH', '/service_instances/p1?operation_type=explode', { plan_id: LARGE })).status).toBe(400);
    expect((await mgmt('PATCH', '/service_instances/p1?operation_type=upgrade')).status).toBe(422);
  });
});

describe('service_instances_api', () => {
  it('lists instances from the configured API instead of CC, for the mgmt API and orphan detection', async () => {
    const seen: string[] = [];
    const list = [{ service_instance_id: 'from-si-api', plan_id: SMALL, space_guid: 'sp-1' }];
    h = await startHarness({
      seed: 'si-api',
      register: false,
      config: (c) => ({ ...c, service_instances_api: { url: 'https://si-api.example.test/instances', authentication: { basic: { username: 'si', password: 'pw' } } } }),
      brokerOptions: {
        fetch: async (input, init) => {
          const url = String(input instanceof Request ? input.url : input);
          if (!url.startsWith('https://si-api.example.test/')) return globalThis.fetch(input, init);
          seen.push(`${url} ${new Headers(init?.headers).get('authorization')}`);
          return new Response(JSON.stringify(list), { status: 200, headers: { 'content-type': 'application/json' } });
        },
      },
    });
    expect(await mgmt('GET', '/service_instances?cf_org=o&cf_space=s')).toMatchObject({ status: 200, json: list });
    expect(seen[0]).toBe(`https://si-api.example.test/instances?cf_org=o&cf_space=s Basic ${Buffer.from('si:pw').toString('base64')}`);
    h.bosh.control.createDeployment('name: service-instance_from-si-api\nreleases: []\nstemcells: []\ninstance_groups: []\n');
    h.bosh.control.createDeployment('name: service-instance_other\nreleases: []\nstemcells: []\ninstance_groups: []\n');
    expect((await mgmt('GET', '/orphan_deployments')).json).toEqual([{ deployment_name: 'service-instance_other' }]);
  });
});

describe('many at once', () => {
  it('100 concurrent provisions through the fake CC all succeed, none lost', async () => {
    h = await startHarness({
      seed: 'hundred',
      config: (c) => ({ ...c, service_catalog: { ...c.service_catalog, plans: c.service_catalog.plans.map((p) => ({ ...p, quotas: undefined })) } }),
    });
    const cc = h.f.cc.driver;
    const space = cc.space('org', 'dev');
    const created = await Promise.all(
      Array.from({ length: 100 }, (_, i) => cc.createInstance({ name: `si-${i}`, space: space.guid, plan: { offering: 'redis-odb', plan: 'small' } })),
    );
    const done = await Promise.all(created.map(({ instance }) => cc.waitForLastOperation(instance.guid)));
    expect(done.map((d: any) => d?.last_operation?.state)).toEqual(Array(100).fill('succeeded'));
    const deployments = new Set(created.map(({ instance }) => `service-instance_${instance.guid}`));
    expect(deployments.size).toBe(100);
    for (const d of deployments) expect(h.bosh.control.deployment(d)).toBeDefined();
    expect((await mgmt('GET', '/service_instances')).json).toHaveLength(100);
  }, 60_000);
});
