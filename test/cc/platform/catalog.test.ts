import { afterEach, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../../fakes/cc/platform/catalog-validation.js';
import { goodCatalog, json, makeEnv, type Env } from './helpers.js';

type J = Record<string, any>;
const PREFIX = 'Service broker catalog is invalid: \n';

function invalid(catalog: J): string {
  const r = validateCatalog(catalog);
  expect(r.ok, 'catalog should be invalid').toBe(false);
  if (r.ok) return '';
  expect(r.error).toMatchObject({ httpStatus: 502, code: 270012, errorCode: 'CF-ServiceBrokerCatalogInvalid', title: 'CF-ServiceBrokerCatalogInvalid' });
  expect(r.error.description.startsWith(PREFIX)).toBe(true);
  return r.error.description.slice(PREFIX.length);
}

function withService(patch: J): J {
  const c = goodCatalog() as J;
  Object.assign(c.services[0], patch);
  return c;
}
function withPlan(patch: J): J {
  const c = goodCatalog() as J;
  Object.assign(c.services[0].plans[0], patch);
  return c;
}

describe('catalog validation (C.6)', () => {
  it('accepts a good catalog and returns it typed', () => {
    const r = validateCatalog(goodCatalog());
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.catalog.services[0].plans[0].maintenance_info?.version).toBe('1.0.0');
      expect(r.catalog.services[0].bindable).toBe(true);
    }
  });

  it.each([
    ['no services (stricter than the spec)', { services: [] }, 'Service broker must provide at least one service\n'],
    ['no services key', {}, 'Service broker must provide at least one service\n'],
  ])('%s', (_n, c, want) => expect(invalid(c)).toBe(want));

  it.each([
    ['missing id', { id: undefined }, '  Service id is required\n'],
    ['blank id', { id: '  ' }, '  Service id is required\n'],
    ['numeric id', { id: 12 }, '  Service id must be a string, but has value 12\n'],
    ['missing description', { description: undefined }, '  Service description is required\n'],
    ['description too long', { description: 'd'.repeat(10_001) }, '  Service description may not have more than 10000 characters\n'],
    ['bindable missing', { bindable: undefined }, '  Service "bindable" field is required\n'],
    ['bindable a string', { bindable: 'yes' }, '  Service "bindable" field must be a boolean, but has value "yes"\n'],
    ['plan_updateable a string', { plan_updateable: 'true' }, '  Service "plan_updateable" field must be a boolean, but has value "true"\n'],
    ['instances_retrievable a number', { instances_retrievable: 1 }, '  Service "instances_retrievable" field must be a boolean, but has value 1\n'],
    ['tags not strings', { tags: ['a', 1] }, '  Service tags must be an array of strings, but has value ["a", 1]\n'],
    ['tags too long', { tags: ['t'.repeat(2049)] }, '  Tags for the service db must be 2048 characters or less.\n'],
    ['requires unsupported', { requires: ['syslog_drain', 'magic'] }, '  Service "requires" field contains unsupported value "magic"\n'],
    ['metadata not a hash', { metadata: 'x' }, '  Service metadata must be a hash, but has value "x"\n'],
    ['dashboard_client without redirect_uri', { dashboard_client: { id: 'c', secret: 's' } }, '  Service dashboard client redirect_uri is required\n'],
    ['dashboard_client not a hash', { dashboard_client: [1] }, '  Service dashboard client attributes must be a hash, but has value [1]\n'],
    ['no plans', { plans: [] }, '  At least one plan is required\n'],
    ['plans not hashes', { plans: ['p'] }, '  Service plans list must be an array of hashes, but has value ["p"]\n'],
  ])('service: %s', (_n, patch, want) => {
    expect(invalid(withService(patch))).toBe(`Service db\n${want}`);
  });

  it.each([
    ['missing id', { id: undefined }, '    Plan id is required\n'],
    ['missing description', { description: '' }, '    Plan description is required\n'],
    ['free a string', { free: 'no' }, '    Plan free must be a boolean, but has value "no"\n'],
    ['bindable a number', { bindable: 1 }, '    Plan bindable must be a boolean, but has value 1\n'],
    ['maximum_polling_duration a string', { maximum_polling_duration: '60' }, '    Maximum polling duration must be an integer, but has value "60"\n'],
    ['metadata an array', { metadata: [1] }, '    Plan metadata must be a hash, but has value [1]\n'],
    ['maintenance_info version not semver', { maintenance_info: { version: '1.0' } }, '    Maintenance info version must be a Semantic Version, but has value "1.0"\n'],
    [
      'maintenance_info without version',
      { maintenance_info: { description: 'x' } },
      '    Maintenance info version is required\n    Maintenance info version must be a Semantic Version, but has value nil\n',
    ],
    ['maintenance_info extra keys', { maintenance_info: { version: '1.0.0', foo: 1, bar: 2 } }, '    Maintenance info contains invalid key(s): foo, bar\n'],
    [
      'maintenance_info too long',
      { maintenance_info: { version: '1.0.0', description: 'x'.repeat(2000) } },
      '    Maintenance info must serialize to 2000 characters or fewer in JSON, but serializes to 2036 characters\n',
    ],
    ['schemas not a hash', { schemas: 'x' }, '    Plan schemas must be a hash, but has value "x"\n'],
  ])('plan: %s', (_n, patch, want) => {
    const planName = (patch as J).name ?? 'small';
    expect(invalid(withPlan(patch))).toBe(`Service db\n  Plan ${planName}\n${want}`);
  });

  it('duplicate plan ids and names within a service', () => {
    const c = goodCatalog() as J;
    c.services[0].plans[1].id = c.services[0].plans[0].id;
    c.services[0].plans[1].name = 'small';
    expect(invalid(c)).toBe(
      "Service db\n  Plan ids must be unique within a service. Service db already has a plan with id 'plan-id-1'\n" +
        '  Plan names must be unique within a service. Service db already has a plan named small\n',
    );
  });

  it('duplicate service ids, names, plan ids across services, and dashboard client ids', () => {
    const c = goodCatalog() as J;
    const s2 = structuredClone(c.services[0]);
    s2.plans = [{ id: 'plan-id-1', name: 'other', description: 'd' }];
    c.services[0].dashboard_client = { id: 'dc', secret: 's', redirect_uri: 'https://x' };
    s2.dashboard_client = { id: 'dc', secret: 's', redirect_uri: 'https://x' };
    c.services.push(s2);
    const msg = invalid(c);
    expect(msg).toContain('Service ids must be unique\n');
    expect(msg).toContain('Service names must be unique within a broker\n');
    expect(msg).toContain('Service dashboard_client id must be unique\n');
    s2.id = 'svc-2';
    s2.name = 'db2';
    expect(invalid(c)).toContain(
      "Plan ids must be unique. Unable to register plan with id 'plan-id-1' (plan name 'other', service name 'db2') because it uses the same id as another plan in the catalog (plan name 'small', service name 'db')",
    );
  });

  it('a renamed service that clashes with a service of this broker still holding instances', () => {
    const r = validateCatalog(goodCatalog(), { services: [{ id: 'older-id', name: 'db', hasInstances: true }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.description).toContain('Service names must be unique within a broker');
    expect(validateCatalog(goodCatalog(), { services: [{ id: 'older-id', name: 'db', hasInstances: false }] }).ok).toBe(true);
  });

  describe('plan schemas', () => {
    const P = 'service_instance.create.parameters';
    const schemaCase = (params: unknown, path = ['service_instance', 'create']) => {
      const node: J = { parameters: params };
      const schemas: J = { [path[0]]: { [path[1]]: node } };
      return invalid(withPlan({ schemas }));
    };
    const wrap = (lines: string) => `Service db\n  Plan small\n    Schemas\n${lines}`;

    it('accepts a draft-04 schema with internal references', () => {
      const r = validateCatalog(
        withPlan({
          schemas: {
            service_instance: {
              create: { parameters: { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: { a: { $ref: '#/definitions/x' } }, definitions: { x: { type: 'string' } } } },
              update: { parameters: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' } },
            },
            service_binding: { create: { parameters: { $schema: 'http://json-schema.org/draft-04/schema#', required: ['a'] } } },
          },
        }),
      );
      expect(r.ok).toBe(true);
    });
    it('requires $schema', () => {
      expect(schemaCase({ type: 'object' })).toBe(wrap(`      Schema ${P} is not valid. Schema must have $schema key but was not present\n`));
    });
    it('refuses custom meta schemas', () => {
      expect(schemaCase({ $schema: 'http://example.com/schema' })).toBe(wrap(`      Schema ${P} is not valid. Custom meta schemas are not supported.\n`));
    });
    it('refuses external references', () => {
      expect(schemaCase({ $schema: 'http://json-schema.org/draft-04/schema#', $ref: 'http://example.com/ref' })).toBe(
        wrap(`      Schema ${P} is not valid. No external references are allowed: Read of URI at http://example.com/ref refused\n`),
      );
    });
    it('checks the draft-04 meta-schema', () => {
      expect(schemaCase({ $schema: 'http://json-schema.org/draft-04/schema#', properties: true, anyOf: true })).toBe(
        wrap(
          `      Schema ${P} is not valid. Must conform to JSON Schema Draft 04 (experimental support for later versions): The property '#/properties' of type boolean did not match the following type: object in schema http://json-schema.org/draft-04/schema#\n` +
            `      Schema ${P} is not valid. Must conform to JSON Schema Draft 04 (experimental support for later versions): The property '#/anyOf' of type boolean did not match the following type: array in schema http://json-schema.org/draft-04/schema#\n`,
        ),
      );
    });
    it('refuses schemas over 64 KB', () => {
      expect(schemaCase({ $schema: 'http://json-schema.org/draft-04/schema#', description: 'x'.repeat(70_000) })).toBe(
        wrap(`      Schema ${P} is not valid. Must not be larger than 64KB\n`),
      );
    });
    it('parameters must be a hash, at any level', () => {
      expect(schemaCase('x', ['service_binding', 'create'])).toBe(wrap('      Schemas service_binding.create.parameters must be a hash, but has value "x"\n'));
    });
  });
});

describe('fetchCatalog: GET /v2/catalog and the registration errors', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('fetches and validates, with basic auth and the API version header', async () => {
    env = makeEnv();
    const r = await env.platform.fetchCatalog(env.broker);
    expect(r.ok).toBe(true);
    const [req] = env.of('catalog');
    expect(req.headers['x-broker-api-version']).toBe('2.15');
    expect(req.headers.authorization).toMatch(/^Basic /);
    expect(env.kernel.journal.query({ service: 'cc->broker', tag: 'catalog' })).toHaveLength(1);
  });

  it.each([
    ['401', () => json(401, {}), { httpStatus: 502, errorCode: 'CF-ServiceBrokerApiAuthenticationFailed', description: 'Authentication with the service broker failed. Double-check that the username and password are correct.' }],
    ['not JSON', () => new Response('<html>hi</html>', { status: 200 }), { httpStatus: 502, code: 270021, errorCode: 'CF-ServiceBrokerRequestMalformed', description: "The service broker returned an invalid response: expected valid JSON object in body, broker returned '<html>hi</html>'" }],
    ['404', () => json(404, {}), { httpStatus: 502, code: 270020, errorCode: 'CF-ServiceBrokerRequestRejected', description: 'The service broker rejected the request. Status Code: 404 Not Found. Please check that the URL points to a valid service broker.' }],
    ['500', () => json(500, { description: 'down' }), { httpStatus: 502, code: 10001, errorCode: 'CF-ServiceBrokerBadResponse', description: 'Service broker error: down' }],
    ['invalid catalog', () => json(200, { services: [] }), { httpStatus: 502, code: 270012, errorCode: 'CF-ServiceBrokerCatalogInvalid', description: 'Service broker catalog is invalid: \nService broker must provide at least one service\n' }],
  ])('%s', async (_n, reply, want) => {
    env = makeEnv();
    env.replies.catalog = reply;
    const r = await env.platform.fetchCatalog(env.broker);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject(want);
  });

  it('unreachable and timed-out brokers', async () => {
    env = makeEnv();
    const gone = await env.platform.fetchCatalog({ ...env.broker, url: `https://nobody.${env.kernel.id}.fakefoundry.test` });
    expect(!gone.ok && gone.error).toMatchObject({ httpStatus: 502, errorCode: 'CF-ServiceBrokerApiUnreachable' });
    env.kernel.faults.add({ match: { service: 'cc->broker', path: '/v2/catalog' }, action: { type: 'hang' }, times: 1 });
    const p = env.platform.fetchCatalog(env.broker);
    await env.kernel.clock.advance(60_000);
    const slow = await p;
    expect(!slow.ok && slow.error).toMatchObject({ httpStatus: 504, errorCode: 'CF-HttpClientTimeout' });
  });
});

describe('catalog compatibility with the platform', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('route and volume services are refused when the platform has them disabled', async () => {
    env = makeEnv({ routeServicesEnabled: false, volumeServicesEnabled: false });
    const c = goodCatalog() as J;
    c.services[0].requires = ['route_forwarding', 'volume_mount'];
    env.replies.catalog = () => json(200, c);
    const r = await env.platform.fetchCatalog(env.broker);
    expect(!r.ok && r.error).toEqual({
      httpStatus: 502,
      code: 270019,
      errorCode: 'CF-ServiceBrokerCatalogIncompatible',
      title: 'CF-ServiceBrokerCatalogIncompatible',
      description:
        'Service broker catalog is incompatible: \n' +
        'Service db is declared to be a route service but support for route services is disabled.\n' +
        'Service db is declared to be a volume mount service but support for volume mount services is disabled.\n',
    });
    expect(validateCatalog(c).ok).toBe(true);
  });
});
