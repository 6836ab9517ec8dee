import { describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { ccWithTestBroker, client, closeAfterEach, type TestBroker, token } from './helpers.js';

/** Malformed input gets CC's 4xx errors, never a 500 and never a changed record. */
describe('CC robustness', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  it('answers every malformed body on every writing route with a 4xx', async () => {
    const env = await ccWithTestBroker('fuzz', { async: false });
    f = env.f;
    broker = env.broker;
    const { cc, space, registered: b } = env;
    const app = cc.driver.app(space.guid, 'app');
    const { instance } = await cc.driver.createInstance({ name: 'db', space: space.guid, plan: { offering: 'test-db', plan: 'small' } });
    const { binding } = await cc.driver.bind(instance.guid, app.guid);
    const plan = cc.driver.plan({ offering: 'test-db', plan: 'small' });
    const vis = cc.model.addVisibility(plan.guid, space.org_guid);
    const req = client(env.api, await token(f, { user: 'admin' }));
    const before = JSON.stringify(cc.model.state);

    const bodies: unknown[] = [
      '[]', 'null', '"text"', '42', '{', '{"name":123}', '{"name":""}', '{"relationships":"x"}',
      '{"relationships":{"space":{"data":null}}}', '{"relationships":{"space":{"data":{"guid":123}}}}',
      '{"type":"managed","name":"x","relationships":{"space":{"data":{"guid":"nope"}},"service_plan":{"data":{"guid":"nope"}}}}',
      '{"parameters":"x"}', '{"tags":"x"}', '{"tags":[1]}', '{"maintenance_info":"1.0"}', '{"maintenance_info":{"version":2}}',
      '{"metadata":"x"}', '{"type":"public","organizations":"x"}', '{"type":"organization","organizations":[{"guid":"nope"}]}',
      '{"authentication":{"type":"basic"}}', '{"url":"ftp://x"}', '{"public":"yes"}', '{"service_plan_guid":5}',
      '{"service_instance_guid":"nope","app_guid":"nope"}', '{"type":"key","relationships":{"service_instance":{"data":{"guid":"nope"}}}}',
    ];
    const routes: [string, string][] = [
      ['POST', '/v3/organizations'], ['POST', '/v3/spaces'], ['POST', '/v3/roles'], ['POST', '/v3/users'], ['POST', '/v3/apps'],
      ['POST', '/v3/service_brokers'], ['PATCH', `/v3/service_brokers/${b.guid}`],
      ['PATCH', `/v3/service_plans/${plan.guid}/visibility`], ['POST', `/v3/service_plans/${plan.guid}/visibility`],
      ['POST', '/v3/service_instances'], ['PATCH', `/v3/service_instances/${instance.guid}`],
      ['POST', '/v3/service_credential_bindings'],
      ['POST', '/v2/organizations'], ['POST', '/v2/spaces'], ['POST', '/v2/apps'], ['POST', '/v2/service_brokers'],
      ['PUT', `/v2/service_brokers/${b.guid}`], ['PUT', `/v2/service_plans/${plan.guid}`], ['POST', '/v2/service_plan_visibilities'],
      ['PUT', `/v2/service_plan_visibilities/${vis.guid}`], ['POST', '/v2/service_instances'], ['PUT', `/v2/service_instances/${instance.guid}`],
      ['POST', '/v2/service_bindings'], ['POST', '/v2/service_keys'],
    ];
    const bad: string[] = [];
    for (const [method, path] of routes) {
      for (const body of bodies) {
        const r = await req(method, path, body as string, { 'content-type': 'application/json' });
        // v2 ignores keys it does not know, so a body that happens to carry a good `name` creates an org there.
        const lenient = method !== 'POST' || (path === '/v2/organizations' && String(body).includes('"name":"x"'));
        if (r.status >= 500 || (r.status < 400 && !lenient)) bad.push(`${method} ${path} ${String(body)} → ${r.status}`);
        const errFormat = path.startsWith('/v3') ? Array.isArray(r.body?.errors) : typeof r.body?.error_code === 'string';
        if (r.status >= 400 && !errFormat) bad.push(`${method} ${path} ${String(body)} → unformatted ${JSON.stringify(r.body)}`);
      }
    }
    expect(bad).toEqual([]);
    // unknown guids on reads and deletes
    for (const path of ['/v3/service_instances/x', '/v3/service_plans/x', '/v3/service_offerings/x', '/v3/service_brokers/x', '/v3/apps/x', '/v3/spaces/x', '/v3/organizations/x', '/v3/roles/x', '/v3/service_credential_bindings/x', '/v3/service_credential_bindings/x/details', '/v3/service_plans/x/visibility']) {
      expect((await req('GET', path)).status).toBe(404);
      expect((await req('DELETE', path)).status).toBe(404);
    }
    for (const path of ['/v2/service_instances/x', '/v2/service_plans/x', '/v2/services/x', '/v2/service_brokers/x', '/v2/apps/x', '/v2/spaces/x', '/v2/organizations/x', '/v2/service_bindings/x', '/v2/service_keys/x']) {
      expect((await req('GET', path)).status).toBe(404);
    }
    // binding and instance were not touched by any of it (PATCH/PUT bodies that were valid no-ops aside)
    const after = JSON.parse(JSON.stringify(cc.model.state));
    expect(after.bindings[binding.guid].credentials).toEqual(JSON.parse(before).bindings[binding.guid].credentials);
    expect(after.instances[instance.guid].plan_guid).toBe(plan.guid);
  });
});
