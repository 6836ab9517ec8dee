import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STEMCELL, manifest } from './helpers.js';
import { inProcess } from './inprocess.js';

type Env = Awaited<ReturnType<typeof inProcess>>;
const DEP = 'service-instance_abc_1';

/** Links (ODB's binding_with_dns), locks, events and variables. */
describe('links, locks, events, variables', () => {
  let env: Env;
  beforeEach(async () => {
    env = await inProcess('links');
    env.bosh.control.seedRelease({
      name: 'redis',
      version: '15.0.0',
      jobs: [{ name: 'redis-server', provides: [{ name: 'redis', type: 'redis' }, { name: 'redis-internal', type: 'redis' }] }, { name: 'smoke-tests', errand: true }, { name: 'cleanup', errand: true }],
    });
    env.bosh.control.seedStemcell(STEMCELL);
    const text = manifest(DEP, { instances: 2, azs: ['z1', 'z2'] }).replace('    properties:\n      password: ((redis_password))', '    provides:\n      redis: {shared: true, as: redis-conn}\n    properties:\n      password: ((redis_password))\n      admin: ((/shared/admin_pw))\n      cert: ((tls.certificate))');
    await env.runTask(env.taskId(await env.yaml('/deployments', text)));
  });
  afterEach(async () => env.f.close());

  const json = async (r: Response) => r.json() as Promise<any>;

  it('lists link providers, creates an external link, resolves its address, deletes it', async () => {
    const providers = await json(await env.call('GET', `/link_providers?deployment=${DEP}`));
    expect(providers).toEqual([
      { id: expect.any(String), name: 'redis-conn', shared: true, deployment: DEP, link_provider_definition: { type: 'redis', name: 'redis' }, owner_object: { type: 'job', name: 'redis-server', info: { instance_group: 'redis-server' } } },
      { id: expect.any(String), name: 'redis-internal', shared: false, deployment: DEP, link_provider_definition: { type: 'redis', name: 'redis-internal' }, owner_object: { type: 'job', name: 'redis-server', info: { instance_group: 'redis-server' } } },
    ]);
    const post = (body: unknown) => env.call('POST', '/links', env.admin, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const link = await json(await post({ link_provider_id: providers[0].id, link_consumer: { owner_object: { name: 'binding-1', type: 'external' } } }));
    expect(link).toEqual({ id: expect.any(String), name: 'redis-conn', link_consumer_id: expect.any(String), link_provider_id: providers[0].id, created_at: expect.any(String) });
    const notShared = await post({ link_provider_id: providers[1].id, link_consumer: { owner_object: { name: 'b2', type: 'external' } } });
    expect(notShared.status).toBe(403);
    expect((await json(notShared)).code).toBe(810009);

    expect(await json(await env.call('GET', `/link_address?link_id=${link.id}`))).toEqual({ address: 'q-s0.redis-server.default.service-instance-abc-1.bosh' });
    expect(await json(await env.call('GET', `/link_address?link_id=${link.id}&azs[]=z2&status=healthy`))).toEqual({ address: 'q-a2s3.redis-server.default.service-instance-abc-1.bosh' });
    // Go's url.Values encodes the key as azs%5B%5D.
    expect(await json(await env.call('GET', `/link_address?azs%5B%5D=z1&azs%5B%5D=z3&link_id=${link.id}`))).toEqual({ address: 'q-a1a3s0.redis-server.default.service-instance-abc-1.bosh' });
    const badAz = await env.call('GET', `/link_address?link_id=${link.id}&azs[]=z9`);
    expect([badAz.status, await json(badAz)]).toEqual([400, { code: 810008, description: 'az z9 is not valid' }]);
    const scalarAz = await env.call('GET', `/link_address?link_id=${link.id}&azs=z1`);
    expect(await json(scalarAz)).toEqual({ code: 810008, description: '`azs` param must be array type: `azs[]=`' });
    const badStatus = await env.call('GET', `/link_address?link_id=${link.id}&status=toString`);
    expect([badStatus.status, (await json(badStatus)).code]).toEqual([400, 810007]);
    const emptyDep = await env.call('GET', '/links?deployment=');
    expect([emptyDep.status, await json(emptyDep)]).toEqual([404, { code: 70000, description: "Deployment '' doesn't exist" }]);
    expect((await json(await env.call('GET', `/links?deployment=${DEP}`))).map((l: any) => l.id)).toEqual([link.id]);
    expect((await env.call('DELETE', `/links/${link.id}`)).status).toBe(204);
    expect((await env.call('DELETE', `/links/${link.id}`)).status).toBe(404);
    expect((await env.call('GET', `/link_address?link_id=${link.id}`)).status).toBe(404);
    const noDep = await env.call('GET', '/link_providers');
    expect([noDep.status, await noDep.json()]).toEqual([400, { code: 190024, description: 'Deployment name is required' }]);
  });

  it('lists the variables a deployment uses, keeping their ids across deploys', async () => {
    const vars = await json(await env.call('GET', `/deployments/${DEP}/variables`));
    expect(vars.map((v: any) => v.name).sort()).toEqual(['/fake-bosh/service-instance_abc_1/redis_password', '/fake-bosh/service-instance_abc_1/tls', '/shared/admin_pw']);
    expect(vars.every((v: any) => typeof v.id === 'string')).toBe(true);
    const text = (await json(await env.call('GET', `/deployments/${DEP}`))).manifest;
    await env.runTask(env.taskId(await env.yaml('/deployments', text)));
    expect(await json(await env.call('GET', `/deployments/${DEP}/variables`))).toEqual(vars);
  });

  it('records a start and an end event per deployment task, newest first, omitting empty keys', async () => {
    const bad = await env.runTask(env.taskId(await env.yaml('/deployments', manifest(DEP, { vmType: 'nope' }))));
    const del = await env.runTask(env.taskId(await env.call('DELETE', `/deployments/${DEP}`)));
    const events = await json(await env.call('GET', '/events'));
    expect(events.map((e: any) => [e.action, e.object_type, e.parent_id !== undefined, e.error !== undefined])).toEqual([
      ['delete', 'deployment', true, false],
      ['delete', 'deployment', false, false],
      ['update', 'deployment', true, true],
      ['update', 'deployment', false, false],
      ['create', 'deployment', true, false],
      ['create', 'deployment', false, false],
    ]);
    expect(events[0]).toEqual({ id: expect.any(String), parent_id: events[1].id, timestamp: expect.any(Number), user: 'bosh_admin', action: 'delete', object_type: 'deployment', object_name: DEP, task: String(del.id), deployment: DEP, context: {} });
    expect(events[2]).toMatchObject({ parent_id: events[3].id, task: String(bad.id), error: "Instance group 'redis-server' references an unknown vm type 'nope'" });
    expect(await json(await env.call('GET', '/events?action=create'))).toHaveLength(2);
    expect(await json(await env.call('GET', `/events?before_id=${events[1].id}`))).toHaveLength(4);
    const bad2 = await env.call('GET', '/events?before_time=yesterday-ish');
    expect(bad2.status).toBe(400);
    expect(bad2.headers.get('content-type')).toBe('text/html;charset=utf-8');
    expect(await bad2.text()).toBe("Invalid before parameter: 'yesterday-ish' ");
    const bad3 = await env.call('GET', '/events?after_time=nope');
    expect([bad3.status, await bad3.text()]).toEqual([400, "Invalid after parameter: 'nope' "]);
  });

  it('locks are listed while a task holds them, with string timeout and task_id', async () => {
    env.bosh.control.addTaskRule({ hang: true, times: 1 });
    const id = env.taskId(await env.call('PUT', `/deployments/${DEP}/jobs/redis-server?state=restart`, env.admin, { headers: { 'content-type': 'text/yaml' }, body: '' }));
    await env.f.clock.advance(100);
    const locks = await json(await env.call('GET', '/locks'));
    expect(locks).toEqual([{ type: 'deployment', resource: [DEP], timeout: expect.stringMatching(/^\d+\.\d{6}$/), task_id: String(id) }]);
    // Still held an hour later: the holder keeps renewing it, so its expiry stays ahead of now.
    await env.f.clock.advance(3600_000);
    const later = await json(await env.call('GET', '/locks'));
    expect(Number(later[0].timeout)).toBeGreaterThan(env.f.clock.now() / 1000);
    expect((await json(await env.call('GET', '/deployments')))[0].locked).toBe(true);
    env.bosh.control.completeTask(id);
    expect(await json(await env.call('GET', '/locks'))).toEqual([]);
  });
});
