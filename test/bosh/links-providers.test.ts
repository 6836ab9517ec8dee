import { afterEach, describe, expect, it } from 'vitest';
import { STEMCELL, manifest } from './helpers.js';
import { inProcess } from './inprocess.js';

type Env = Awaited<ReturnType<typeof inProcess>>;

const RELEASE = {
  name: 'redis',
  version: '15.0.0',
  jobs: [{ name: 'redis-server', provides: [{ name: 'redis', type: 'redis' }] }, { name: 'smoke-tests', errand: true }, { name: 'cleanup', errand: true }],
};

/** The redis-server job of the helpers' manifest, with extra keys (custom providers, provides). */
const withJob = (name: string, extra: string, opts: { top?: string } = {}) =>
  `${manifest(name, { instances: 2, azs: ['z1', 'z2'] }).replace('    properties:\n      password: ((redis_password))', `${extra}    properties:\n      password: ((redis_password))`)}${opts.top ?? ''}`;

const CUSTOM = `    custom_provider_definitions:
    - {name: conn, type: address}
    - {name: admin, type: credentials}
    provides:
      conn: {shared: true, as: redis-address}
`;

/** Link providers from `custom_provider_definitions`, link errors, short DNS addresses. */
describe('link providers and addresses', () => {
  let env: Env;
  const setup = async (...deployments: string[]) => {
    env = await inProcess('link-providers');
    env.bosh.control.seedRelease(RELEASE);
    env.bosh.control.seedStemcell(STEMCELL);
    for (const text of deployments) expect((await env.runTask(env.taskId(await env.yaml('/deployments', text)))).state).toBe('done');
  };
  afterEach(async () => env.f.close());
  const json = async (r: Response) => [r.status, await r.json()] as [number, any];
  const post = (body: unknown) => env.call('POST', '/links', env.admin, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const external = (id: string) => ({ link_provider_id: id, link_consumer: { owner_object: { name: 'binding-1', type: 'external' } } });

  it('lists custom providers (unshared unless the manifest shares them) before the release ones, and links to them', async () => {
    await setup(withJob('d', CUSTOM));
    const [, providers] = await json(await env.call('GET', '/link_providers?deployment=d'));
    const owner = { type: 'job', name: 'redis-server', info: { instance_group: 'redis-server' } };
    expect(providers).toEqual([
      { id: '1', name: 'redis-address', shared: true, deployment: 'd', link_provider_definition: { type: 'address', name: 'conn' }, owner_object: owner },
      { id: '2', name: 'admin', shared: false, deployment: 'd', link_provider_definition: { type: 'credentials', name: 'admin' }, owner_object: owner },
      { id: '3', name: 'redis', shared: false, deployment: 'd', link_provider_definition: { type: 'redis', name: 'redis' }, owner_object: owner },
    ]);
    const [status, link] = await json(await post(external('1')));
    expect([status, link]).toEqual([200, { id: '1', name: 'redis-address', link_consumer_id: '1', link_provider_id: '1', created_at: expect.any(String) }]);
    expect(await json(await post(external('2')))).toEqual([403, { code: 810009, description: 'Provider not `shared`' }]);
    expect(await json(await env.call('GET', '/link_address?link_id=1'))).toEqual([200, { address: 'q-s0.redis-server.default.d.bosh' }]);
    // A redeploy keeps the providers' ids.
    expect((await env.runTask(env.taskId(await env.yaml('/deployments', withJob('d', CUSTOM))))).state).toBe('done');
    expect((await json(await env.call('GET', '/link_providers?deployment=d')))[1].map((p: any) => p.id)).toEqual(['1', '2', '3']);
  });

  it("fails the deploy on a custom provider the release already defines, or one defined twice (the parser's errors, joined)", async () => {
    await setup();
    const bad = withJob('d', '    custom_provider_definitions:\n    - {name: redis, type: redis}\n    - {name: x}\n    - {name: x, type: t}\n');
    const task = await env.runTask(env.taskId(await env.yaml('/deployments', bad)));
    const where = "in job 'redis-server' in instance group 'redis-server'";
    const message = [
      `Custom provider 'redis' ${where} is already defined in release 'redis'`,
      `Type for custom link provider definition in manifest ${where} must be a valid non-empty string.`,
      `Custom provider 'x' ${where} is defined multiple times in manifest.`,
    ].join('\n');
    expect(JSON.parse(task.event_output.trim().split('\n').at(-1)!).error).toEqual({ code: 100, message });
    const notArray = await env.runTask(env.taskId(await env.yaml('/deployments', withJob('d', '    custom_provider_definitions: {name: x}\n'))));
    expect(notArray.result).toBe(`Property 'custom_provider_definitions' value ({"name":"x"}) did not match the required type 'Array'`);
  });

  it('answers the link errors with their own codes, checking the payload in the director\'s order', async () => {
    await setup(withJob('d', CUSTOM));
    const bad = (description: string) => [400, { code: 810001, description: `Invalid request: ${description}` }];
    expect(await json(await post({}))).toEqual(bad('`link_provider_id` must be provided'));
    expect(await json(await post({ link_provider_id: '' }))).toEqual(bad('`link_provider_id` must be provided'));
    expect(await json(await post({ link_provider_id: 1 }))).toEqual(bad('`link_provider_id` must be a String'));
    expect(await json(await post({ link_provider_id: '1' }))).toEqual(bad('`link_consumer` section must be defined'));
    expect(await json(await post({ link_provider_id: '1', link_consumer: {} }))).toEqual(bad('`link_consumer.owner_object` section must be defined'));
    expect(await json(await post({ link_provider_id: '1', link_consumer: { owner_object: { name: '' } } }))).toEqual(bad("`link_consumer.owner_object.type` should be 'external'"));
    expect(await json(await post({ link_provider_id: '1', link_consumer: { owner_object: { type: 'external' } } }))).toEqual(bad('`link_consumer.owner_object.name` must not be empty'));
    expect(await json(await post(external('987')))).toEqual([400, { code: 810002, description: 'Invalid link_provider_id: 987' }]);
    expect(await json(await env.call('GET', '/link_address'))).toEqual([400, { code: 810006, description: 'Link id is required' }]);
    expect(await json(await env.call('GET', '/link_address?link_id=5'))).toEqual([404, { code: 810000, description: 'Could not find a link with id 5' }]);
    expect(await json(await env.call('DELETE', '/links/5'))).toEqual([404, { code: 810000, description: 'Invalid link id: 5' }]);
    expect(env.bosh.model.state.links).toEqual([]);
  });

  it('answers short DNS names (q-n<network>s<status>.q-g<group>.bosh) for a deployment with use_short_dns_addresses', async () => {
    const features = 'features: {use_short_dns_addresses: true}\n';
    await setup(withJob('long', CUSTOM), withJob('short', CUSTOM, { top: features }));
    const [, providers] = await json(await env.call('GET', '/link_providers?deployment=short'));
    const [, link] = await json(await post(external(providers[0].id)));
    const address = async (q = '') => (await json(await env.call('GET', `/link_address?link_id=${link.id}${q}`)))[1].address;
    // Groups are numbered as deploys meet them: long's redis-server and smoke-tests are 1 and 2.
    expect(await address()).toBe('q-n1s0.q-g3.bosh');
    expect(await address('&azs[]=z2&azs[]=z1&status=healthy')).toBe('q-a1a2n1s3.q-g3.bosh');
    // The long form sorts the query's parts too.
    const [, longLink] = await json(await post(external('1')));
    expect((await json(await env.call('GET', `/link_address?link_id=${longLink.id}&azs[]=z3&azs[]=z1`)))[1]).toEqual({ address: 'q-a1a3s0.redis-server.default.long.bosh' });
  });
});
