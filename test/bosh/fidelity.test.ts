import { afterEach, describe, expect, it } from 'vitest';
import { RELEASE, STEMCELL, manifest, networkFoundation } from './helpers.js';
import { inProcess } from './inprocess.js';

type Env = Awaited<ReturnType<typeof inProcess>>;

/** Details a second reading of the director's sources turned up (controllers, job runner, Rack). */
describe('director fidelity details', () => {
  let env: Env | undefined;
  afterEach(async () => env?.f.close());

  async function setup() {
    env = await inProcess('fidelity');
    env.bosh.control.seedRelease(RELEASE);
    env.bosh.control.seedStemcell(STEMCELL);
    return env;
  }
  const yamlPost = (e: Env, path: string, body: string) => e.call('POST', path, e.admin, { headers: { 'content-type': 'text/yaml' }, body });
  const jsonPost = (e: Env, path: string, body: string) => e.call('POST', path, e.admin, { headers: { 'content-type': 'application/json' }, body });

  it('sends Date from the foundation clock, the Basic challenge on every authenticated route, and Sinatra content types', async () => {
    const e = await setup();
    await e.f.clock.advance(3600_000 + 1234);
    const expectedDate = e.f.clock.date().toUTCString();
    const info = await e.call('GET', '/info', null);
    expect(info.headers.get('date')).toBe(expectedDate);
    expect(info.headers.get('www-authenticate')).toBeNull();
    expect(info.headers.get('content-type')).toBe('application/json');

    // The auth filter sets the challenge before it looks at the user, so a 200 carries it too.
    const deps = await e.call('GET', '/deployments');
    expect([deps.status, deps.headers.get('www-authenticate'), deps.headers.get('date')]).toEqual([200, 'Basic realm="BOSH Director"', expectedDate]);
    // Routes that do not call `content_type(:json)` go out with Sinatra's default.
    expect(deps.headers.get('content-type')).toBe('text/html;charset=utf-8');
    expect((await e.call('GET', '/tasks')).headers.get('content-type')).toBe('application/json');
    expect((await e.call('GET', '/locks')).headers.get('content-type')).toBe('application/json');

    const missing = await e.call('GET', '/deployments/ghost');
    expect([missing.status, missing.headers.get('content-type'), missing.headers.get('www-authenticate')]).toEqual([404, 'text/html;charset=utf-8', 'Basic realm="BOSH Director"']);
    const anon = await e.call('GET', '/deployments', null);
    expect([anon.status, anon.headers.get('content-type'), anon.headers.get('date')]).toEqual([401, 'text/html;charset=utf-8', expectedDate]);
    const nowhere = await e.call('GET', '/nope');
    expect([nowhere.status, nowhere.headers.get('content-type')]).toEqual([404, 'text/html;charset=utf-8']);

    const created = await yamlPost(e, '/deployments', manifest('d'));
    expect([created.status, created.headers.get('www-authenticate')]).toEqual([302, 'Basic realm="BOSH Director"']);
    const id = e.taskId(created);
    await e.runTask(id);
    const noContent = await e.call('GET', `/tasks/${id}/output?type=none`);
    expect([noContent.status, noContent.headers.get('content-type')]).toEqual([204, null]);
    const events = await e.call('GET', `/tasks/${id}/output?type=event`);
    expect(events.headers.get('content-type')).toBe('text/html;charset=utf-8');
  });

  it('sends the clock Date over HTTPS too (Node would otherwise stamp the wall clock)', async () => {
    const { f, client } = await networkFoundation('fidelity-net');
    try {
      await f.clock.advance(400 * 86400_000);
      const res = await client.get('/deployments');
      expect(res.status).toBe(200);
      expect(res.headers.date).toBe(f.clock.date().toUTCString());
    } finally {
      await f.close();
    }
  });

  it('a task timestamp is an int from creation on, and /tasks orders by it, newest first', async () => {
    const e = await setup();
    e.bosh.control.createDeployment(manifest('a'));
    e.bosh.control.createDeployment(manifest('b'));
    e.bosh.control.addTaskRule({ deployment: 'a', hang: true, times: 1 });
    const first = e.taskId(await e.call('PUT', '/deployments/a/jobs/*?state=restart', e.admin, { headers: { 'content-type': 'text/yaml' }, body: '' }));
    expect(e.bosh.control.task(first).timestamp).toBe(e.f.clock.nowSeconds());
    await e.f.clock.advance(60_000);
    const second = e.taskId(await e.call('PUT', '/deployments/b/jobs/*?state=restart', e.admin, { headers: { 'content-type': 'text/yaml' }, body: '' }));
    await e.runTask(second);
    const ids = async () => ((await (await e.call('GET', '/tasks')).json()) as { id: number }[]).map((t) => t.id);
    expect(await ids()).toEqual([second, first]);
    // The hung task finishes last: its timestamp is now the newest.
    await e.f.clock.advance(60_000);
    e.bosh.control.completeTask(first);
    expect(await ids()).toEqual([first, second]);
    const list = (await (await e.call('GET', '/tasks?limit=1')).json()) as { id: number; timestamp: unknown }[];
    expect(list).toEqual([expect.objectContaining({ id: first, timestamp: e.f.clock.nowSeconds() })]);
    // `limit` goes through Ruby's to_i: "2.9" is 2, junk is 0 and then 1.
    expect(await (await e.call('GET', '/tasks?limit=2.9')).json()).toHaveLength(2);
    expect(await (await e.call('GET', '/tasks?limit=junk')).json()).toHaveLength(1);
  });

  it('truncates a task result as the job runner does: whole words, then "..."', async () => {
    const e = await setup();
    e.bosh.control.createDeployment(manifest('a'));
    const words = Array.from({ length: 30 }, (_, i) => `w${String(i).padStart(3, '0')}`);
    e.bosh.control.addTaskRule({ hang: true, times: 2 });
    const one = e.taskId(await e.call('DELETE', '/deployments/a'));
    e.bosh.control.failTask(one, `  ${words.join(' ')}  `);
    expect(e.bosh.control.task(one).result).toBe(`${words.slice(0, 25).join(' ')}...`);
    const two = e.taskId(await e.call('DELETE', '/deployments/a'));
    e.bosh.control.failTask(two, 'x'.repeat(200));
    expect(e.bosh.control.task(two).result).toBe(`${'x'.repeat(129)}...`);
  });

  it('deploy: only a zero-byte body is "empty"; whitespace and `name: false` fail as the director does', async () => {
    const e = await setup();
    const blank = await yamlPost(e, '/deployments', '  \n');
    expect([blank.status, await blank.json()]).toEqual([400, { code: 440001, description: 'Manifest should be a hash' }]);
    const empty = await yamlPost(e, '/deployments', '');
    expect(await empty.json()).toEqual({ code: 440001, description: 'Manifest should not be empty' });
    const noName = await yamlPost(e, '/deployments', 'name: false\n');
    expect(await noName.json()).toEqual({ code: 40001, description: "Deployment manifest must have a 'name' key" });
    expect(e.bosh.control.tasks()).toEqual([]);
  });

  it('legacy cloud-config endpoints validate like validate_manifest_yml and answer limit errors in text', async () => {
    const e = await setup();
    const before = e.bosh.model.state.configs.length;
    const empty = await yamlPost(e, '/cloud_configs', '');
    expect([empty.status, await empty.json()]).toEqual([400, { code: 440001, description: 'Manifest should not be empty' }]);
    const list = await yamlPost(e, '/cloud_configs', '- a\n');
    expect(await list.json()).toEqual({ code: 440001, description: 'Manifest should be a hash' });
    const broken = await yamlPost(e, '/runtime_configs', 'a: [\n');
    expect((await broken.json()).description).toMatch(/^Incorrect YAML structure of the uploaded manifest: /);
    expect(e.bosh.model.state.configs.length).toBe(before);
    // A failed update is recorded as an event with its error.
    const failed = (await (await e.call('GET', '/events')).json()) as Record<string, unknown>[];
    expect(failed[0]).toMatchObject({ action: 'update', object_type: 'runtime-config', object_name: 'default', error: expect.stringMatching(/^Incorrect YAML/) });

    const current = (await (await e.call('GET', '/cloud_configs?limit=1')).json())[0].properties as string;
    const eventsBefore = e.bosh.model.state.events.length;
    expect((await yamlPost(e, '/cloud_configs', current)).status).toBe(201);
    expect(e.bosh.model.state.configs.length).toBe(before);
    expect(e.bosh.model.state.events.length).toBe(eventsBefore); // unchanged content: no new config, no event

    const noLimit = await e.call('GET', '/cloud_configs');
    expect([noLimit.status, await noLimit.text()]).toEqual([400, 'limit is required']);
    const badLimit = await e.call('GET', '/cloud_configs?limit=ten');
    expect([badLimit.status, await badLimit.text()]).toEqual([400, "limit is invalid: 'ten' is not an integer"]);
    expect(await (await e.call('GET', '/cloud_configs?limit=1&name=')).json()).toHaveLength(1); // '' is 'default'
    const diff = await yamlPost(e, '/cloud_configs/diff', 'a: [\n');
    expect([diff.status, (await diff.json()).code]).toEqual([400, 440001]);
  });

  it('/configs: a non-object body is 440010, empty content is not a YAML hash, an empty name is missing', async () => {
    const e = await setup();
    const arr = await jsonPost(e, '/configs', '[]');
    expect([arr.status, await arr.json()]).toEqual([400, { code: 440010, description: 'JSON object expected' }]);
    const emptyContent = await jsonPost(e, '/configs', JSON.stringify({ type: 'cloud', name: 'x', content: '' }));
    expect(await emptyContent.json()).toEqual({ code: 440011, description: 'YAML hash expected' });
    const noName = await jsonPost(e, '/configs', JSON.stringify({ type: 'cloud', name: '', content: 'a: 1' }));
    expect(await noName.json()).toEqual({ code: 440010, description: "'name' is required" });
    const garbage = await jsonPost(e, '/configs', '{');
    expect((await garbage.json()).code).toBe(710001);
    // A bare status(404) goes through Sinatra's not_found handler.
    const none = await e.call('DELETE', '/configs?type=cloud&name=ghost');
    expect([none.status, await none.text()]).toEqual([404, "Endpoint '/configs' not found."]);
    const latest = await e.call('GET', '/configs?latest=yes');
    expect([latest.status, await latest.json()]).toEqual([400, { code: 440010, description: "'latest' must be 'true' or 'false'" }]);
    expect(await (await e.call('GET', '/configs?limit=01')).json()).toEqual({ code: 440010, description: "'limit' must be a number" });
    expect(await (await e.call('GET', '/configs?limit=0')).json()).toEqual({ code: 440010, description: "'limit' must be larger than zero" });
    const odd = await e.call('GET', '/configs/x');
    expect([odd.status, await odd.json()]).toEqual([404, { code: 440012, description: 'Config x not found' }]);
  });

  it('synchronous /instances lists no IPs for an instance without a VM', async () => {
    const e = await setup();
    const dep = e.bosh.control.createDeployment(manifest('d', { instances: 2, azs: ['z1', 'z2'] }));
    const victim = dep.instances.find((i) => i.group === 'redis-server' && i.index === 1)!;
    await e.runTask(e.taskId(await e.call('POST', `/deployments/d/instance_groups/redis-server/${victim.id}/actions/stop?hard=true`)));
    const list = (await (await e.call('GET', '/deployments/d/instances')).json()) as Record<string, unknown>[];
    expect(list.find((i) => i.id === victim.id)).toMatchObject({ cid: null, agent_id: null, vm_created_at: null, ips: [], expects_vm: false });
    expect(list.find((i) => i.job === 'redis-server' && i.index === 0)).toMatchObject({ ips: [expect.stringMatching(/^10\.244\./)], expects_vm: true });
  });

  it('POST /events needs action, object_type and object_name, and a hash context; event keys in the director order', async () => {
    const e = await setup();
    const missing = await jsonPost(e, '/events', JSON.stringify({ action: 'x', object_type: 'y' }));
    expect([missing.status, await missing.json()]).toEqual([400, { code: 40000, description: 'Action, object_type, object_name are required' }]);
    const ctx = await jsonPost(e, '/events', JSON.stringify({ action: 'x', object_type: 'y', object_name: 'z', context: 'nope' }));
    expect(await ctx.json()).toEqual({ code: 40000, description: 'Context must be a hash' });
    expect(e.bosh.model.state.events).toEqual([]);
    expect((await jsonPost(e, '/events', JSON.stringify({ action: 'x', object_type: 'y', object_name: 'z', error: 'boom', deployment: 'd' }))).status).toBe(200);
    const [ev] = (await (await e.call('GET', '/events')).json()) as Record<string, unknown>[];
    expect(Object.keys(ev)).toEqual(['id', 'timestamp', 'user', 'action', 'object_type', 'object_name', 'error', 'deployment', 'context']);
    await jsonPost(e, '/events', JSON.stringify({ action: 'x', object_type: 'y', object_name: 'z2' }));
    // before_id goes through to_i: "2abc" is 2.
    const before = (await (await e.call('GET', '/events?before_id=2abc')).json()) as Record<string, unknown>[];
    expect(before.map((x) => x.object_name)).toEqual(['z']);
  });

  it('errand body flags follow Ruby truthiness (`x || false`)', async () => {
    const e = await setup();
    e.bosh.control.createDeployment(manifest('d'));
    const run = (body: unknown) => jsonPost(e, '/deployments/d/errands/smoke-tests/runs', JSON.stringify(body));
    const yes = e.taskId(await run({ 'keep-alive': 'yes', 'when-changed': 0 }));
    expect(e.bosh.control.task(yes).payload).toMatchObject({ keep_alive: true, when_changed: true });
    const no = e.taskId(await run({ 'keep-alive': null, 'when-changed': false }));
    expect(e.bosh.control.task(no).payload).toMatchObject({ keep_alive: false, when_changed: false });
  });

  it('PUT jobs: an empty body reuses the stored manifest only with a state; otherwise the body is validated as a manifest', async () => {
    const e = await setup();
    e.bosh.control.createDeployment(manifest('d'));
    const put = (path: string, body = '') => e.call('PUT', path, e.admin, { headers: { 'content-type': 'text/yaml' }, body });
    const noState = await put('/deployments/d/jobs/redis-server');
    expect([noState.status, await noState.json()]).toEqual([400, { code: 440001, description: 'Manifest should not be empty' }]);
    const badBody = await put('/deployments/d/jobs/redis-server?state=stopped', '- not a hash\n');
    expect(await badBody.json()).toEqual({ code: 440001, description: 'Manifest should be a hash' });
    expect(e.bosh.control.tasks()).toEqual([]);
    const one = await put('/deployments/d/jobs/redis-server/0');
    expect(one.status).toBe(302);
    const stop = e.taskId(await put('/deployments/d/jobs/redis-server?state=stopped'));
    await e.runTask(e.taskId(one));
    expect(await e.runTask(stop)).toMatchObject({ state: 'done', result: '/deployments/d' });
    expect(e.bosh.control.deployment('d')!.instances.find((i) => i.group === 'redis-server')!.state).toBe('stopped');
  });

  it('diff: bad YAML is still a 200 with an error; a manifest without a name diffs (only deploy needs one)', async () => {
    const e = await setup();
    const bad = await yamlPost(e, '/deployments/new/diff', 'a: [\n');
    expect(bad.status).toBe(200);
    expect(await bad.json()).toEqual({ diff: [], error: expect.stringMatching(/^Unable to diff manifest: /) });
    const nameless = await yamlPost(e, '/deployments/new/diff', 'releases: []\n');
    const body = await nameless.json();
    expect(body.error).toBeUndefined();
    expect(body.diff).toEqual([['releases: []', 'added']]);
  });

  it('/configs: limit is per (type, name), ordered by type, `default` first, then name; events are config/<type>', async () => {
    const e = await setup();
    const post = (type: string, name: string, content: string) => jsonPost(e, '/configs', JSON.stringify({ type, name, content }));
    await post('runtime', 'si-1', 'a: 1');
    await post('cloud', 'si-1', 'b: 1');
    await post('runtime', 'si-1', 'a: 2');
    await post('runtime', 'aaa', 'c: 1');
    await post('runtime', 'default', 'd: 1');
    // ODB's GetConfigs: one (the latest) of each type for its deployment name.
    const odb = (await (await e.call('GET', '/configs?latest=true&limit=1&name=si-1')).json()) as Record<string, string>[];
    expect(odb.map((x) => [x.type, x.content])).toEqual([['cloud', 'b: 1'], ['runtime', 'a: 2']]);
    const all = (await (await e.call('GET', '/configs?type=runtime&latest=false')).json()) as Record<string, string>[];
    expect(all.map((x) => [x.name, x.content])).toEqual([['default', 'd: 1'], ['aaa', 'c: 1'], ['si-1', 'a: 2'], ['si-1', 'a: 1']]);
    const two = (await (await e.call('GET', '/configs?type=runtime&limit=2')).json()) as Record<string, string>[];
    expect(two.map((x) => x.content)).toEqual(['d: 1', 'c: 1', 'a: 2', 'a: 1']);
    const [ev] = (await (await e.call('GET', '/events')).json()) as Record<string, unknown>[];
    expect(ev).toMatchObject({ action: 'create', object_type: 'config/runtime', object_name: 'default' });
    const failed = await post('cloud', 'x', '- no');
    expect((await failed.json()).code).toBe(440011);
    const [evFailed] = (await (await e.call('GET', '/events')).json()) as Record<string, unknown>[];
    expect(evFailed).toMatchObject({ object_type: 'config/cloud', object_name: 'x', error: 'YAML hash expected' });
  });

  it('/configs/diff: from/to answers only the diff; bad content is a 400 with an error; an unknown shape is 440010', async () => {
    const e = await setup();
    const diff = (body: unknown) => jsonPost(e, '/configs/diff', JSON.stringify(body));
    const both = await diff({ from: { content: 'a: 1' }, to: { content: 'a: 2' } });
    const bothBody = await both.json();
    expect(Object.keys(bothBody)).toEqual(['diff']);
    expect(bothBody.diff).toEqual(expect.arrayContaining([['a: 1', 'removed'], ['a: 2', 'added']]));
    const bad = await diff({ from: { content: 'a: 1' }, to: { content: '- x' } });
    expect([bad.status, await bad.json()]).toEqual([400, { diff: [], error: 'Unable to diff config content: #<Bosh::Director::BadConfig: YAML hash expected>' }]);
    const shape = await diff({ type: 'cloud', content: 'a: 1' });
    expect([shape.status, (await shape.json()).code]).toEqual([400, 440010]);
  });

  it('legacy runtime configs: readable with bosh.read, and their diff redacts unless redact=false', async () => {
    env = await inProcess('fidelity-legacy', {
      uaa: { clients: [{ client_id: 'reader', client_secret: 'reader-secret', authorized_grant_types: ['client_credentials'], authorities: ['bosh.read'] }] },
    });
    const e = env;
    const reader = `bearer ${(await e.token('reader', 'reader-secret')).access_token}`;
    expect((await e.call('GET', '/runtime_configs?limit=1', reader)).status).toBe(200);
    expect((await e.call('GET', '/cpi_configs?limit=1', reader)).status).toBe(200);
    const body = 'addons:\n- name: a\n  properties: {secret: hunter2}\n';
    const redacted = await (await yamlPost(e, '/runtime_configs/diff', body)).json();
    expect(JSON.stringify(redacted.diff)).not.toContain('hunter2');
    const plain = await (await yamlPost(e, '/runtime_configs/diff?redact=false', body)).json();
    expect(JSON.stringify(plain.diff)).toContain('hunter2');
  });
});
