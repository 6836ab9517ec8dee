import { describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { ccWithTestBroker, client, closeAfterEach, type TestBroker, token } from './helpers.js';

/** Bodies that are not a JSON object: CC cannot parse them into a message at all. */
const NOT_OBJECTS = ['[]', 'null', '"text"', '42', '{'];

/** JSON objects that are wrong for most writing routes in one way or another. */
const OBJECTS = [
  '{"name":123}', '{"name":""}', '{"relationships":"x"}',
  '{"relationships":{"space":{"data":null}}}', '{"relationships":{"space":{"data":{"guid":123}}}}',
  '{"type":"managed","name":"x","relationships":{"space":{"data":{"guid":"nope"}},"service_plan":{"data":{"guid":"nope"}}}}',
  '{"parameters":"x"}', '{"tags":"x"}', '{"tags":[1]}', '{"maintenance_info":"1.0"}', '{"maintenance_info":{"version":2}}',
  '{"metadata":"x"}', '{"type":"public","organizations":"x"}', '{"type":"organization","organizations":[{"guid":"nope"}]}',
  '{"authentication":{"type":"basic"}}', '{"url":"ftp://x"}', '{"public":"yes"}', '{"service_plan_guid":5}',
  '{"service_instance_guid":"nope","app_guid":"nope"}', '{"type":"key","relationships":{"service_instance":{"data":{"guid":"nope"}}}}',
];

/**
 * What CC answers where it is not the route's default refusal (v3: 422 UnprocessableEntity from the
 * message class; v2: 400 MessageParseError from JsonMessage). v2 ignores keys a controller does not
 * declare, so a body of only such keys is a valid (empty) update there.
 */
const EXCEPTIONS: Record<string, Record<string, string>> = {
  'POST /v2/organizations': {
    '{"name":""}': '400 CF-OrganizationInvalid',
    '{"type":"managed","name":"x","relationships":{"space":{"data":{"guid":"nope"}},"service_plan":{"data":{"guid":"nope"}}}}': '201',
  },
  'PUT /v2/service_brokers/:guid': Object.fromEntries(
    OBJECTS.map((b) => [b, b === '{"name":123}' ? '400 CF-MessageParseError' : b === '{"name":""}' ? '400 CF-ServiceBrokerInvalid' : '200']),
  ),
  'PUT /v2/service_plans/:guid': Object.fromEntries(OBJECTS.map((b) => [b, b === '{"public":"yes"}' ? '400 CF-MessageParseError' : '201'])),
  'PUT /v2/service_plan_visibilities/:guid': Object.fromEntries(OBJECTS.map((b) => [b, b === '{"service_plan_guid":5}' ? '400 CF-MessageParseError' : '201'])),
  'PUT /v2/service_instances/:guid': Object.fromEntries(
    OBJECTS.map((b) => {
      const declared = ['name', 'tags', 'parameters', 'maintenance_info', 'service_plan_guid'].some((k) => b.startsWith(`{"${k}"`));
      if (b === '{"name":""}') return [b, '400 CF-ServiceInstanceInvalid'];
      if (b === '{"maintenance_info":{"version":2}}') return [b, '422 CF-MaintenanceInfoConflict'];
      return [b, declared ? '400 CF-MessageParseError' : '201'];
    }),
  ),
  'POST /v2/service_bindings': { '{"service_instance_guid":"nope","app_guid":"nope"}': '404 CF-ServiceInstanceNotFound' },
};

/** Malformed input gets CC's answer (4xx in the version's format, never a 500) and a refusal changes nothing at all. */
describe('CC robustness', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  it('answers every malformed body on every writing route as CC does, and a refused one changes no record', async () => {
    const env = await ccWithTestBroker('fuzz', { async: false });
    f = env.f;
    broker = env.broker;
    const { cc, space, registered: b } = env;
    const app = cc.driver.app(space.guid, 'app');
    const { instance } = await cc.driver.createInstance({ name: 'db', space: space.guid, plan: { offering: 'test-db', plan: 'small' } });
    await cc.driver.bind(instance.guid, app.guid);
    const plan = cc.driver.plan({ offering: 'test-db', plan: 'small' });
    const vis = cc.model.addVisibility(plan.guid, space.org_guid);
    const req = client(env.api, await token(f, { user: 'admin' }));
    await req('GET', '/v3/organizations'); // CC makes the user's row on first sight
    const routes: [string, string][] = [
      ['POST', '/v3/organizations'], ['POST', '/v3/spaces'], ['POST', '/v3/roles'], ['POST', '/v3/users'], ['POST', '/v3/apps'],
      ['POST', '/v3/service_brokers'], ['PATCH', `/v3/service_brokers/${b.guid}`],
      ['PATCH', `/v3/service_plans/${plan.guid}/visibility`], ['POST', `/v3/service_plans/${plan.guid}/visibility`],
      ['PATCH', `/v3/service_offerings/${plan.offering_guid}`], ['PATCH', `/v3/service_plans/${plan.guid}`],
      ['POST', '/v3/service_instances'], ['PATCH', `/v3/service_instances/${instance.guid}`],
      ['POST', '/v3/service_credential_bindings'],
      ['POST', '/v2/organizations'], ['POST', '/v2/spaces'], ['POST', '/v2/apps'], ['POST', '/v2/service_brokers'],
      ['PUT', `/v2/service_brokers/${b.guid}`], ['PUT', `/v2/service_plans/${plan.guid}`], ['POST', '/v2/service_plan_visibilities'],
      ['PUT', `/v2/service_plan_visibilities/${vis.guid}`], ['POST', '/v2/service_instances'], ['PUT', `/v2/service_instances/${instance.guid}`],
      ['POST', '/v2/service_bindings'], ['POST', '/v2/service_keys'],
    ];
    const wrong: string[] = [];
    for (const [method, path] of routes) {
      const route = `${method} ${path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':guid')}`;
      const v3 = path.startsWith('/v3');
      for (const body of [...NOT_OBJECTS, ...OBJECTS]) {
        const before = JSON.stringify(cc.model.state);
        const r = await req(method, path, body, { 'content-type': 'application/json' });
        const code = v3 ? r.body?.errors?.[0]?.title : r.body?.error_code;
        const got = r.status >= 400 ? `${r.status} ${code}` : String(r.status);
        const fallback = NOT_OBJECTS.includes(body) || !v3 ? '400 CF-MessageParseError' : '422 CF-UnprocessableEntity';
        const want = (!NOT_OBJECTS.includes(body) && EXCEPTIONS[route]?.[body]) || fallback;
        if (got !== want) wrong.push(`${route} ${body} → ${got}, CC: ${want}`);
        const formatted = v3 ? r.body?.errors?.length === 1 && typeof r.body.errors[0].detail === 'string' : typeof r.body?.description === 'string' && typeof r.body?.code === 'number';
        if (r.status >= 400 && !formatted) wrong.push(`${route} ${body} → unformatted ${JSON.stringify(r.body)}`);
        if (r.status >= 400 && JSON.stringify(cc.model.state) !== before) wrong.push(`${route} ${body} → ${r.status} but the state changed`);
        // an accepted v2 update did what CC would; the next body starts from the same records
        if (r.status < 400) cc.model.state = JSON.parse(before);
      }
    }
    expect(wrong).toEqual([]);

    // CC's own words for a few of them
    const say = async (method: string, path: string, body: string) => (await req(method, path, body, { 'content-type': 'application/json' })).body;
    expect(await say('PATCH', `/v3/service_instances/${instance.guid}`, '{"metadata":"x"}')).toEqual({ errors: [{ detail: 'Metadata must be an object', title: 'CF-UnprocessableEntity', code: 10008 }] });
    expect((await say('PATCH', `/v3/service_instances/${instance.guid}`, '{"relationships":"x","tags":"x"}')).errors[0].detail).toBe('Tags must be an array, Relationships must be an object');
    expect((await say('PATCH', `/v3/service_instances/${instance.guid}`, '{"relationships":{"space":{"data":{"guid":"s"}}}}')).errors[0].detail).toBe("Relationships Unknown field(s): 'space'");
    expect(await say('PUT', `/v2/service_instances/${instance.guid}`, '{"name":""}')).toEqual({ description: 'The service instance is invalid: name presence', error_code: 'CF-ServiceInstanceInvalid', code: 60003 });
    expect(await say('PUT', `/v2/service_instances/${instance.guid}`, '{"tags":"x","parameters":[]}')).toEqual({
      description: 'Request invalid due to parse error: Field: parameters, Error: Expected instance of Hash, given an instance of Array, Field: tags, Error: Expected instance of Array, given instance of String',
      error_code: 'CF-MessageParseError',
      code: 1001,
    });
    expect((await say('POST', '/v2/service_instances', '{"tags":[1]}')).description).toBe(
      'Request invalid due to parse error: Field: name, Error: Missing field name, Field: space_guid, Error: Missing field space_guid, Field: service_plan_guid, Error: Missing field service_plan_guid, Field: tags, Error: At index 0: Expected instance of String, given an instance of Integer',
    );
    expect((await say('POST', '/v3/service_brokers', '{"name":123}')).errors[0].detail).toBe('Name must be a string, Url must be a valid url, Authentication credentials must be present');
    expect((await say('PUT', `/v2/service_plans/${plan.guid}`, '{"public":"yes"}')).description).toBe('Request invalid due to parse error: Field: public, Error: Expected instance of true or false, given yes');

    // unknown guids on reads and deletes
    for (const path of ['/v3/service_instances/x', '/v3/service_plans/x', '/v3/service_offerings/x', '/v3/service_brokers/x', '/v3/apps/x', '/v3/spaces/x', '/v3/organizations/x', '/v3/roles/x', '/v3/service_credential_bindings/x', '/v3/service_credential_bindings/x/details', '/v3/service_plans/x/visibility']) {
      expect((await req('GET', path)).status).toBe(404);
      expect((await req('DELETE', path)).status).toBe(404);
    }
    for (const path of ['/v2/service_instances/x', '/v2/service_plans/x', '/v2/services/x', '/v2/service_brokers/x', '/v2/apps/x', '/v2/spaces/x', '/v2/organizations/x', '/v2/service_bindings/x', '/v2/service_keys/x']) {
      expect((await req('GET', path)).status).toBe(404);
    }
  });
});
