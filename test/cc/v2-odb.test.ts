import { describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { ccFoundation, client, closeAfterEach, startTestBroker, type TestBroker, token } from './helpers.js';

/** The requests ODB and its errands make to CC v2 (odb-broker.md §3), replayed as ODB writes them. */
describe('CC v2 as ODB uses it', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

  it('register-broker, plan access, provision, list, upgrade, bind, delete-all, deregister', async () => {
    const env = await ccFoundation('odb');
    f = env.f;
    const cc = env.cc;
    broker = await startTestBroker({ pollsBeforeDone: 2 });
    const req = client(env.api, await token(f, { client: 'cc_admin' }));
    // ODB follows next_url by prepending the base URL, until null or "".
    const all = async (path: string) => {
      const out: any[] = [];
      let next: string | null = path;
      let last: any;
      while (next) {
        last = await req('GET', next);
        expect(last.status).toBe(200);
        out.push(...last.body.resources);
        next = last.body.next_url;
      }
      return { resources: out, total: last.body.total_results };
    };

    // startup: /v2/info
    const info = await req('GET', '/v2/info');
    expect(info.body.api_version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(info.body.osbapi_version).toBe('2.15');
    expect(info.body.token_endpoint).toBe(f.urls.uaa);

    // register-broker
    expect((await all('/v2/service_brokers')).resources).toHaveLength(0);
    const brokerBody = { name: 'odb', broker_url: broker.url, auth_username: broker.username, auth_password: broker.password };
    const created = await req('POST', '/v2/service_brokers', brokerBody);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v2/service_brokers/${created.body.metadata.guid}`);
    // export_attributes :name, :broker_url, :auth_username, :space_guid (null for a global broker)
    expect(created.body.entity).toEqual({ name: 'odb', broker_url: broker.url, auth_username: broker.username, space_guid: null });
    const again = await all('/v2/service_brokers');
    const updated = await req('PUT', `/v2/service_brokers/${again.resources[0].metadata.guid}`, JSON.stringify(brokerBody), FORM);
    expect(updated.status).toBe(200);

    // plans(S)
    const plansOf = async (catalogId: string) => {
      const services = await all('/v2/services?results-per-page=100');
      const svc = services.resources.find((s) => s.entity.unique_id === catalogId);
      return svc ? (await all(`${svc.entity.service_plans_url}?results-per-page=100`)).resources : [];
    };
    const plans = await plansOf('svc-db');
    expect(plans.map((p) => [p.entity.name, p.entity.public, p.entity.maintenance_info])).toEqual([
      ['small', false, { version: '1.0.0', description: 'first' }],
      ['large', false, { version: '1.0.0' }],
    ]);
    expect(typeof plans[0].entity.extra === 'string' || plans[0].entity.extra === null).toBe(true);
    const small = plans.find((p) => p.entity.name === 'small');
    const large = plans.find((p) => p.entity.name === 'large');

    // enable access (PUT with a form content type, expects 201) and visibility cleanup
    const pub = await req('PUT', `/v2/service_plans/${small.metadata.guid}`, '{"public":true}', FORM);
    expect(pub.status).toBe(201);
    expect(pub.body.entity.public).toBe(true);
    const vis = await req('GET', `/v2/service_plan_visibilities?q=service_plan_guid:${small.metadata.guid}&results-per-page=100`);
    expect(vis.body.resources).toHaveLength(0);

    // org-restricted
    const orgs = await req('GET', '/v2/organizations?q=name:system');
    const orgGuid = orgs.body.resources[0].metadata.guid;
    const v = await req('POST', '/v2/service_plan_visibilities', { service_plan_guid: large.metadata.guid, organization_guid: orgGuid });
    expect(v.status).toBe(201);
    expect(v.body.entity).toMatchObject({ service_plan_guid: large.metadata.guid, organization_guid: orgGuid });
    const dup = await req('POST', '/v2/service_plan_visibilities', { service_plan_guid: large.metadata.guid, organization_guid: orgGuid });
    expect(dup.status).toBe(400);
    expect(dup.body).toMatchObject({ code: 260002, error_code: 'CF-ServicePlanVisibilityAlreadyExists' });
    const visList = await req('GET', `/v2/service_plan_visibilities?q=service_plan_guid:${large.metadata.guid}&results-per-page=100`);
    expect(visList.body.resources).toHaveLength(1);
    expect((await req('DELETE', `/v2/service_plan_visibilities/${visList.body.resources[0].metadata.guid}`, undefined, FORM)).status).toBe(204);

    // the org's space, through spaces_url with an unescaped q
    const spaces = await req('GET', `${orgs.body.resources[0].entity.spaces_url}?q=name:dev`);
    const spaceGuid = spaces.body.resources[0].metadata.guid;

    // provision through v2 (async broker: 202, then CC polls)
    const prov = await req('POST', '/v2/service_instances?accepts_incomplete=true', {
      name: 'si-1',
      service_plan_guid: small.metadata.guid,
      space_guid: spaceGuid,
      parameters: { a: 1 },
    });
    expect(prov.status).toBe(202);
    expect(prov.headers.get('location')).toBe(`/v2/service_instances/${prov.body.metadata.guid}`);
    expect(prov.body.entity.last_operation).toMatchObject({ type: 'create', state: 'in progress' });
    const siGuid = prov.body.metadata.guid;
    await cc.driver.waitForLastOperation(siGuid);
    const si = await req('GET', `/v2/service_instances/${siGuid}`);
    expect(si.body.entity).toMatchObject({
      space_guid: spaceGuid,
      service_plan_url: `/v2/service_plans/${small.metadata.guid}`,
      last_operation: { type: 'create', state: 'succeeded' },
      maintenance_info: { version: '1.0.0' },
      type: 'managed_service_instance',
    });

    // instance listing per plan with a space filter, and counting
    const listed = await all(`/v2/service_plans/${small.metadata.guid}/service_instances?results-per-page=100&q=space_guid:${spaceGuid}`);
    expect(listed.resources.map((r) => [r.metadata.guid, r.entity.space_guid])).toEqual([[siGuid, spaceGuid]]);
    expect((await all(`${small.entity.service_instances_url}?results-per-page=100`)).total).toBe(1);

    // CF upgrade trigger
    broker.state.catalog = structuredClone(broker.state.catalog);
    (broker.state.catalog as any).services[0].plans[0].maintenance_info = { version: '1.1.0' };
    expect((await req('PUT', `/v2/service_brokers/${created.body.metadata.guid}`, JSON.stringify(brokerBody), FORM)).status).toBe(200);
    const planOf = await req('GET', `/v2/service_plans?q=service_instance_guid:${siGuid}`);
    expect(planOf.body.resources[0].entity.maintenance_info.version).toBe('1.1.0');
    const up = await req('PUT', `/v2/service_instances/${siGuid}?accepts_incomplete=true`, '{"maintenance_info":{"version":"1.1.0"}}', FORM);
    expect(up.status).toBe(202);
    expect(up.body.entity.last_operation).toMatchObject({ type: 'update', state: 'in progress' });
    await cc.driver.waitForLastOperation(siGuid);
    expect((await req('GET', `/v2/service_instances/${siGuid}`)).body.entity.maintenance_info.version).toBe('1.1.0');
    const again2 = await req('PUT', `/v2/service_instances/${siGuid}?accepts_incomplete=true`, '{"maintenance_info":{"version":"1.1.0"}}', FORM);
    expect(again2.status).toBe(201);
    expect(again2.body.entity.last_operation.state).toBe('succeeded');

    // bindings and keys (v2)
    const app = await req('POST', '/v2/apps', { name: 'app-1', space_guid: spaceGuid });
    expect(app.status).toBe(201);
    const bind = await req('POST', '/v2/service_bindings?accepts_incomplete=true', { service_instance_guid: siGuid, app_guid: app.body.metadata.guid });
    expect(bind.status).toBe(201);
    expect(bind.body.entity.credentials).toEqual({ uri: `db://${bind.body.metadata.guid}`, password: 'secret' });
    expect((await req('GET', `/v2/service_bindings/${bind.body.metadata.guid}/parameters`)).body).toEqual({});
    const key = await req('POST', '/v2/service_keys', { service_instance_guid: siGuid, name: 'k1' });
    expect(key.status).toBe(201);
    expect(key.body.entity.credentials.password).toBe('secret');
    const blocked = await req('DELETE', `/v2/service_instances/${siGuid}?accepts_incomplete=true`, undefined, FORM);
    expect(blocked.status).toBe(400);
    expect(blocked.body.error_code).toBe('CF-AssociationNotEmpty');

    // delete-all
    for (const b of (await all(`/v2/service_instances/${siGuid}/service_bindings?results-per-page=100`)).resources) {
      expect((await req('DELETE', `/v2/apps/${b.entity.app_guid}/service_bindings/${b.metadata.guid}`, undefined, FORM)).status).toBe(204);
    }
    for (const k of (await all(`/v2/service_instances/${siGuid}/service_keys?results-per-page=100`)).resources) {
      expect((await req('DELETE', `/v2/service_keys/${k.metadata.guid}`, undefined, FORM)).status).toBe(204);
    }
    expect((await req('GET', `/v2/service_instances/${siGuid}`)).body.entity.last_operation.type).not.toBe('delete');
    const del = await req('DELETE', `/v2/service_instances/${siGuid}?accepts_incomplete=true`, undefined, FORM);
    expect(del.status).toBe(202);
    expect(del.body.entity.last_operation).toMatchObject({ type: 'delete', state: 'in progress' });
    await cc.driver.waitForLastOperation(siGuid);
    const gone = await req('GET', `/v2/service_instances/${siGuid}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ description: `The service instance could not be found: ${siGuid}`, error_code: 'CF-ServiceInstanceNotFound', code: 60004 });
    expect((await all('/v2/service_instances?results-per-page=100')).resources).toHaveLength(0);

    // deregister
    expect((await req('DELETE', `/v2/service_brokers/${created.body.metadata.guid}`, undefined, FORM)).status).toBe(204);
    expect((await all('/v2/service_brokers')).resources).toHaveLength(0);
  });

  it('pages v2 lists with relative next_url and follows it verbatim', async () => {
    const env = await ccFoundation('odb-pages');
    f = env.f;
    broker = await startTestBroker();
    const cc = env.cc;
    const b = await cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    const plan = cc.driver.plan({ offering: 'test-db', plan: 'small' });
    const space = cc.model.all('spaces')[0];
    for (let i = 0; i < 120; i++) cc.model.addInstance({ name: `si-${i}`, type: 'managed', space_guid: space.guid, plan_guid: plan.guid, tags: [], dashboard_url: null, maintenance_info: null, last_operation: null });
    const req = client(env.api, await token(f, { client: 'cc_admin' }));
    const first = await req('GET', `/v2/service_plans/${plan.guid}/service_instances?results-per-page=50&q=space_guid:${space.guid}`);
    expect(first.body.total_results).toBe(120);
    expect(first.body.total_pages).toBe(3);
    expect(first.body.prev_url).toBeNull();
    // Addressable-normalised, as CC writes it: `:` stays readable
    expect(first.body.next_url).toBe(`/v2/service_plans/${plan.guid}/service_instances?order-direction=asc&page=2&q=space_guid:${space.guid}&results-per-page=50`);
    const second = await req('GET', first.body.next_url);
    expect(second.body.resources[0].entity.name).toBe('si-50');
    expect(second.body.prev_url).toContain('page=1');
    const third = await req('GET', second.body.next_url);
    expect(third.body.resources).toHaveLength(20);
    expect(third.body.next_url).toBeNull();
    const desc = await req('GET', `/v2/service_instances?order-direction=desc&results-per-page=1`);
    expect(desc.body.resources[0].entity.name).toBe('si-119');
    const tooMany = await req('GET', '/v2/service_instances?results-per-page=101');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({ code: 10005, error_code: 'CF-BadQueryParameter', description: 'The query parameter is invalid: results_per_page must be <= 100' });
    // Sequel's pagination: an empty list has total_pages 1
    expect((await req('GET', '/v2/service_instances?q=name:nothing-here')).body).toEqual({ total_results: 0, total_pages: 1, prev_url: null, next_url: null, resources: [] });
    const sideways = await req('GET', '/v2/service_instances?order-direction=sideways');
    expect(sideways.body).toEqual({ code: 10005, error_code: 'CF-BadQueryParameter', description: "The query parameter is invalid: order_direction must be 'asc' or 'desc' but was 'sideways'" });
    const deep = await req('GET', '/v2/service_instances?inline-relations-depth=3');
    expect(deep.status).toBe(400);
    expect(deep.body).toEqual({ code: 10005, error_code: 'CF-BadQueryParameter', description: 'The query parameter is invalid: inline_relations_depth must be <= 2' });
    expect((await req('GET', '/v2/service_instances?inline-relations-depth=2')).status).toBe(200);
    // several q (repeated and `;`-joined) are kept in next_url, `;`, `&` and spaces escaped; order-by is not carried over
    const multi = await req('GET', `/v2/service_instances?q=name IN si-1,si-2,si-3;space_guid:${space.guid}&q=service_plan_guid:${plan.guid}&order-by=name&results-per-page=1`);
    expect(multi.body.total_results).toBe(3);
    expect(multi.body.next_url).toBe(
      `/v2/service_instances?order-direction=asc&page=2&q=name%20IN%20si-1,si-2,si-3%3Bspace_guid:${space.guid}&q=service_plan_guid:${plan.guid}&results-per-page=1`,
    );
    expect((await req('GET', multi.body.next_url)).body.resources[0].entity.name).toBe('si-2');
    const badQ = await req('GET', '/v2/service_instances?q=color:blue');
    expect(badQ.status).toBe(400);
    expect(badQ.body.error_code).toBe('CF-BadQueryParameter');
    const inFilter = await req('GET', `/v2/service_instances?q=name IN si-1,si-2&results-per-page=100`);
    expect(inFilter.body.resources.map((r: any) => r.entity.name)).toEqual(['si-1', 'si-2']);
    void b;
  });
});
