import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RELEASE, STEMCELL, manifest } from './helpers.js';
import { inProcess } from './inprocess.js';

type Env = Awaited<ReturnType<typeof inProcess>>;

describe('other director endpoints and bad input', () => {
  let env: Env;
  beforeEach(async () => {
    env = await inProcess('endpoints');
    env.bosh.control.seedRelease(RELEASE);
    env.bosh.control.seedStemcell(STEMCELL);
    await env.runTask(env.taskId(await env.yaml('/deployments', manifest('d', { instances: 2, azs: ['z1', 'z2'] }))));
  });
  afterEach(async () => env.f.close());
  const json = (r: Response) => r.json() as Promise<any>;

  it('answers unknown routes with the plain-text 404 once authenticated', async () => {
    const res = await env.call('GET', '/nope/here');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("Endpoint '/nope/here' not found.");
    const gone = await env.call('PUT', '/deployments/d/jobs/redis-server/0/resurrection');
    expect(gone.status).toBe(410);
    expect((await env.call('PUT', '/deployments/ghost/jobs/redis-server/0/resurrection')).status).toBe(404);
  });

  it('non-converging instance actions are update_instance tasks', async () => {
    const inst = env.bosh.control.deployment('d')!.instances[1];
    const res = await env.call('POST', `/deployments/d/instance_groups/redis-server/${inst.id}/actions/stop?hard=true`);
    expect(res.status).toBe(302);
    const task = await env.runTask(env.taskId(res));
    expect(task).toMatchObject({ type: 'update_instance', description: 'stop instance', state: 'done' });
    expect(env.bosh.control.deployment('d')!.instances[1]).toMatchObject({ state: 'detached', vm_cid: null });
    const started = await env.runTask(env.taskId(await env.call('POST', `/deployments/d/instance_groups/redis-server/1/actions/start`)));
    expect(started.description).toBe('start instance');
    expect(env.bosh.control.deployment('d')!.instances[1]).toMatchObject({ state: 'started', job_state: 'running', vm_cid: expect.any(String) });
  });

  it('ignore flags an instance; logs are a fetch_logs task whose result is a blobstore id', async () => {
    const inst = env.bosh.control.deployment('d')!.instances[0];
    const ign = await env.call('PUT', `/deployments/d/instance_groups/redis-server/${inst.id}/ignore`, env.admin, { headers: { 'content-type': 'application/json' }, body: '{"ignore":true}' });
    expect([ign.status, await ign.text()]).toEqual([200, '']);
    expect(env.bosh.control.deployment('d')!.instances[0].ignore).toBe(true);
    // A non-boolean is refused and changes nothing; the route takes ids, not indexes.
    const put = (path: string, body: string) => env.call('PUT', path, env.admin, { headers: { 'content-type': 'application/json' }, body });
    const bad = await put(`/deployments/d/instance_groups/redis-server/${inst.id}/ignore`, '{"ignore":"false"}');
    expect([bad.status, await bad.json()]).toEqual([400, { code: 40000, description: "Property 'ignore' value did not match the required type 'Boolean'" }]);
    expect(env.bosh.control.deployment('d')!.instances[0].ignore).toBe(true);
    const byIndex = await put('/deployments/d/instance_groups/redis-server/0/ignore', '{"ignore":false}');
    expect([byIndex.status, await byIndex.json()]).toEqual([404, { code: 70001, description: "'d/redis-server/0' doesn't exist" }]);
    const logs = await env.runTask(env.taskId(await env.call('GET', '/deployments/d/jobs/redis-server/0/logs?type=job')));
    expect(logs).toMatchObject({ type: 'fetch_logs', state: 'done', result: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const blob = await env.call('GET', `/resources/${logs.result}`);
    expect(blob.status).toBe(200);
    expect(Buffer.from(await blob.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('deletes releases and stemcells only when unused (or forced)', async () => {
    const inUse = await env.runTask(env.taskId(await env.call('DELETE', '/releases/redis?version=15.0.0')));
    expect(inUse.state).toBe('error');
    expect(env.lastEvent(inUse.id).error).toEqual({ code: 30008, message: "ReleaseVersion 'redis/15.0.0' is still in use by: d" });
    expect(inUse.description).toBe('delete release: redis');
    // `force` does not delete a release that is still deployed (it only ignores blob errors).
    const forced = await env.runTask(env.taskId(await env.call('DELETE', '/releases/redis?force=true')));
    expect(env.lastEvent(forced.id).error).toEqual({ code: 30007, message: "Release 'redis' is still in use by: d" });
    const st = await env.runTask(env.taskId(await env.call('DELETE', `/stemcells/${STEMCELL.name}/1.423`)));
    expect(env.lastEvent(st.id).error.code).toBe(50004);
    expect((await json(await env.call('DELETE', '/releases/ghost'))).code).toBe(30005);
    await env.runTask(env.taskId(await env.call('DELETE', '/deployments/d')));
    expect(await env.runTask(env.taskId(await env.call('DELETE', '/releases/redis')))).toMatchObject({ state: 'done', result: '/release/redis' });
    expect(await env.runTask(env.taskId(await env.call('DELETE', `/stemcells/${STEMCELL.name}/1.423`)))).toMatchObject({ state: 'done', result: `/stemcells/${STEMCELL.name}/1.423` });
    expect(await json(await env.call('GET', '/releases'))).toEqual([]);
    expect(await json(await env.call('GET', '/stemcells'))).toEqual([]);
  });

  it('answers each odd manifest with its one outcome: a 400, or a task that ends in a director error', async () => {
    const type = (name: string, value: string, t: string) => `Property '${name}' value (${value}) did not match the required type '${t}'`;
    // [manifest, the POST's status, then the body's code and description, or the task's error code and message]
    const odd: [string, 302 | 400, number, string][] = [
      ['name: x\nreleases: oops\n', 302, 40000, type('releases', '"oops"', 'Array')],
      ['name: x\nreleases: [1, 2]\n', 302, 40000, type('releases', '1', 'Hash')],
      ['name: x\ninstance_groups: {a: 1}\n', 302, 40000, type('instance_groups', '{"a":1}', 'Array')],
      ['name: x\ninstance_groups: [{name: g, instances: two, jobs: []}]\n', 302, 140003, "Instance group 'g' is missing either 'vm_type' or 'vm_resources' or 'resource_pool' section."],
      ['name: x\ninstance_groups: [{name: g, jobs: {a: 1}}]\n', 302, 40000, type('jobs', '{"a":1}', 'Array')],
      ['name: x\ninstance_groups: [{name: 7}]\n', 302, 40000, type('name', '7', 'String')],
      ['name: [1]\n', 400, 40000, type('name', '[1]', 'String')],
      ['name: x\nstemcells: [{alias: default, os: nope}]\n', 302, 50003, "Stemcell version 'latest' for OS 'nope' doesn't exist"],
      [
        'name: y\ninstance_groups: [{name: g, instances: 1, jobs: [], vm_type: default, stemcell: s, networks: default}]\nstemcells: [{alias: s, os: ubuntu-jammy}]\n',
        302,
        40000,
        type('networks', '"default"', 'Array'),
      ],
      ['&a [*a]', 400, 440001, 'Manifest should be a hash'],
      [
        '{{{{',
        400,
        440001,
        'Incorrect YAML structure of the uploaded manifest: #<Psych::SyntaxError: (<unknown>): Flow map in block collection must be sufficiently indented and end with a } at line 1, column 5:>',
      ],
      ['\u0000\u0001', 400, 440001, 'Manifest should be a hash'],
    ];
    for (const [text, status, code, message] of odd) {
      const res = await env.yaml('/deployments', text);
      expect([text, res.status]).toEqual([text, status]);
      if (status === 400) {
        expect(await json(res)).toEqual({ code, description: message });
        continue;
      }
      const task = await env.runTask(env.taskId(res));
      expect([text, task.state, task.result]).toEqual([text, 'error', message]);
      for (const line of task.event_output.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
      expect(env.lastEvent(task.id).error).toEqual({ code, message });
    }
    expect(env.f.journal.query({ service: 'bosh', status: 500 })).toEqual([]);
  });
});
