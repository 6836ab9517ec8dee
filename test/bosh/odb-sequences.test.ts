import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { RELEASE, STEMCELL, manifest, networkFoundation, request, waitLikeCli } from './helpers.js';

type Env = Awaited<ReturnType<typeof networkFoundation>>;
const GUID = '7a1b2c3d-0000-4000-8000-000000000001';
const DEP = `service-instance_${GUID}`;
const IN_PROGRESS = (dep: string) => `/tasks?deployment=${dep}&state=processing%2Ccancelling%2Cqueued&verbose=1`;

/** ODB's BOSH call sequences (odb-broker.md §1.15) over HTTPS with UAA client credentials. */
describe('ODB sequences against the fake director', () => {
  let env: Env;
  beforeEach(async () => {
    env = await networkFoundation('odb');
    env.bosh.control.seedRelease({ ...RELEASE, jobs: ['redis-server', { name: 'smoke-tests', errand: true }, { name: 'cleanup', errand: true }] });
    env.bosh.control.seedStemcell(STEMCELL);
  });
  afterEach(async () => env.f.close());

  async function provision(ctx: string, text = manifest(DEP)) {
    const { client } = env;
    expect((await client.get('/deployments?exclude_configs=true')).json.map((d: any) => d.name)).not.toContain(DEP);
    expect((await client.get(IN_PROGRESS(DEP))).json).toEqual([]);
    const cfg = await client.send('POST', '/configs', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'cloud', name: DEP, content: 'vm_extensions:\n- name: si-ext\n  cloud_properties: {}\n' }),
    });
    expect(cfg.status).toBe(201);
    const res = await client.send('POST', '/deployments?', { headers: { 'content-type': 'text/yaml', 'x-bosh-context-id': ctx }, body: text });
    expect(res.redirectedFrom).toMatch(/\/tasks\/\d+$/);
    return res.json as { id: number; state: string; context_id: string };
  }

  it('startup: anonymous /info, then authenticated /info names the client (VerifyAuth)', async () => {
    const anon = await request('GET', `${env.urls.bosh}/info`, { ca: env.caPem });
    expect(anon.status).toBe(200);
    expect(anon.json.user).toBeNull();
    expect(anon.json.user_authentication).toEqual({ type: 'uaa', options: { url: env.urls.uaa, urls: [env.urls.uaa] } });
    // ODB parses the first token of `version` as semver and needs >= 266 for its runtime checks.
    expect(Number(anon.json.version.split(' ')[0].split('.')[0])).toBeGreaterThanOrEqual(266);
    for (let i = 0; i < 2; i++) expect((await env.client.get('/info')).json.user).toBe('bosh_admin');
    expect(env.client.tokenRequests).toBe(1);
  });

  it('provision, last_operation, update, bind and deprovision leave the state ODB expects', async () => {
    const { client, bosh, f } = env;
    const task = await provision(GUID);
    expect(task.context_id).toBe(GUID);
    // While it runs, ODB's "task in progress" query sees it.
    expect((await client.get(IN_PROGRESS(DEP))).json.map((t: any) => t.id)).toEqual([task.id]);
    const done = await waitLikeCli(f, client, task.id);
    expect(done.task.state).toBe('done');
    expect(done.task.result).toBe(`/deployments/${DEP}`);
    expect(done.result).toBe('');
    // last_operation without errands: GET /tasks/N.
    expect((await client.get(`/tasks/${task.id}`)).json).toMatchObject({ id: task.id, state: 'done', deployment: DEP, context_id: GUID });

    // GetDeployment: list then manifest, returned exactly as posted.
    expect((await client.get('/deployments?exclude_configs=true')).json).toEqual([
      { name: DEP, teams: [], stemcells: [{ name: STEMCELL.name, version: '1.423' }], releases: [{ name: 'redis', version: '15.0.0' }], locked: false },
    ]);
    expect((await client.get(`/deployments/${DEP}`)).json.manifest).toBe(manifest(DEP));
    const configs = await client.get(`/configs?latest=true&limit=1&name=${DEP}`);
    expect(configs.json).toHaveLength(1);
    expect(configs.json[0]).toMatchObject({ id: expect.any(String), type: 'cloud', name: DEP, current: true, team: null });

    // Bind: vms?format=full is a task whose result lines carry job_name and ips.
    const vms = await client.get(`/deployments/${DEP}/vms?format=full`);
    // The deploy was task 1; the vms task is the next one, and the 302 named it by its full URL.
    expect([vms.redirectedFrom, vms.json.id]).toEqual([`${env.urls.bosh}/tasks/2`, 2]);
    const vmsDone = await waitLikeCli(f, client, vms.json.id);
    const lines = vmsDone.result!.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.job_name)).toEqual(['redis-server']);
    expect(lines[0].ips[0]).toMatch(/^10\.244\.0\.\d+$/);
    const vars = await client.get(`/deployments/${DEP}/variables`);
    expect(vars.json).toEqual([{ id: expect.any(String), name: `/fake-bosh/${DEP}/redis_password` }]);

    // Update: scale to 3 with the same context; the first instance keeps its id and IP.
    const before = bosh.control.deployment(DEP)!.instances.find((i) => i.group === 'redis-server')!;
    expect((await client.get(`/deployments/${DEP}/variables`)).status).toBe(200);
    const upd = await provisionUpdate(manifest(DEP, { instances: 3, azs: ['z1', 'z2', 'z3'] }));
    expect((await waitLikeCli(f, client, upd.id)).task.state).toBe('done');
    const after = bosh.control.deployment(DEP)!.instances.filter((i) => i.group === 'redis-server');
    expect(after).toHaveLength(3);
    expect(after[0]).toMatchObject({ id: before.id, networks: before.networks, bootstrap: true });
    expect(new Set(after.map((i) => i.az))).toEqual(new Set(['z1', 'z2', 'z3']));
    expect(new Set(after.map((i) => i.networks[0].ip)).size).toBe(3);

    // Deprovision: DELETE with context id delete-<guid>; the deployment and its configs go.
    expect((await client.get(IN_PROGRESS(DEP))).json).toEqual([]);
    const del = await client.send('DELETE', `/deployments/${DEP}?`, { headers: { 'x-bosh-context-id': `delete-${GUID}` } });
    // Redirects strip X-Bosh-Context-Id, but the task was created with it.
    expect(del.json.context_id).toBe(`delete-${GUID}`);
    expect((await waitLikeCli(f, client, del.json.id)).task.state).toBe('done');
    expect((await client.send('DELETE', `/configs?name=${DEP}&type=cloud`)).status).toBe(204);
    expect((await client.send('DELETE', `/configs?name=${DEP}&type=cloud`)).status).toBe(404);
    const gone = await client.get(`/deployments/${DEP}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ code: 70000, description: `Deployment '${DEP}' doesn't exist` });
    expect((await client.get('/deployments')).json).toEqual([]);
  });

  async function provisionUpdate(text: string) {
    const { client } = env;
    expect((await client.get(IN_PROGRESS(DEP))).json).toEqual([]);
    const current = (await client.get(`/deployments/${DEP}`)).json.manifest;
    expect(parseYaml(current).name).toBe(DEP);
    const res = await client.send('POST', '/deployments?', { headers: { 'content-type': 'text/yaml', 'x-bosh-context-id': GUID }, body: text });
    return res.json as { id: number };
  }

  it('last_operation with lifecycle errands: tasks by context newest first, errand results, failing errand exit code', async () => {
    const { client, bosh, f } = env;
    const ctx = '11111111-2222-4333-8444-555555555555';
    const deploy = await provision(ctx);
    // In progress: tasks[0] is the deploy, not complete.
    let tasks = (await client.get(`/tasks?context_id=${ctx}`)).json;
    expect(tasks.map((t: any) => [t.id, t.state])).toEqual([[deploy.id, 'queued']]);
    await waitLikeCli(f, client, deploy.id);
    bosh.control.scriptErrand({ deployment: DEP, errand: 'smoke-tests', exit_code: 1, stdout: 'smoke failed\n', stderr: 'boom', times: 1 });

    // Deploy done, 1 task < 1 + errands: run the post-deploy errand with the same context.
    tasks = (await client.get(`/tasks?context_id=${ctx}`)).json;
    expect(tasks[0]).toMatchObject({ id: deploy.id, state: 'done' });
    const out = await client.get(`/tasks/${deploy.id}/output?type=result`, { range: 'bytes=0-' });
    expect(out.status).toBe(416); // empty result: nothing to decode, ODB treats it as success
    const run = await client.send('POST', `/deployments/${DEP}/errands/smoke-tests/runs`, {
      headers: { 'content-type': 'application/json', 'x-bosh-context-id': ctx },
      body: JSON.stringify({ instances: [], 'keep-alive': false, 'when-changed': false }),
    });
    expect(run.json).toMatchObject({ state: 'queued', description: `run errand smoke-tests from deployment ${DEP}`, context_id: ctx });
    await waitLikeCli(f, client, run.json.id);

    tasks = (await client.get(`/tasks?context_id=${ctx}`)).json;
    expect(tasks.map((t: any) => t.id)).toEqual([run.json.id, deploy.id]);
    expect(tasks[0].state).toBe('done');
    expect(tasks[0].result).toBe('0 succeeded, 1 errored, 0 canceled');
    // ODB decodes the single result line with one json.Unmarshal.
    const result = await client.get(`/tasks/${run.json.id}/output?type=result`, { range: 'bytes=0-' });
    expect(result.status).toBe(206);
    const decoded = JSON.parse(result.text);
    expect(decoded).toMatchObject({ exit_code: 1, stdout: 'smoke failed\n', stderr: 'boom', errand_name: 'smoke-tests', instance: { group: 'smoke-tests' } });

    // The script applied once: the next run succeeds.
    const again = await client.send('POST', `/deployments/${DEP}/errands/smoke-tests/runs`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'keep-alive': false, 'when-changed': false, instances: [{ group: 'smoke-tests', id: '0' }] }),
    });
    const againDone = await waitLikeCli(f, client, again.json.id);
    expect(JSON.parse(againDone.result!).exit_code).toBe(0);
  });

  it('deprovision with a pre-delete errand, then delete with the same context', async () => {
    const { client, f } = env;
    await waitLikeCli(f, client, (await provision('c0')).id);
    const ctx = 'del-ctx';
    const errand = await client.send('POST', `/deployments/${DEP}/errands/cleanup/runs`, {
      headers: { 'content-type': 'application/json', 'x-bosh-context-id': ctx },
      body: JSON.stringify({ 'keep-alive': false, 'when-changed': false, instances: [] }),
    });
    await waitLikeCli(f, client, errand.json.id);
    const tasks = (await client.get(`/tasks?context_id=${ctx}`)).json;
    expect(tasks).toHaveLength(1);
    expect(tasks[0].state).toBe('done');
    const del = await client.send('DELETE', `/deployments/${DEP}?force=true`, { headers: { 'x-bosh-context-id': ctx } });
    await waitLikeCli(f, client, del.json.id);
    expect((await client.get(`/tasks?context_id=${ctx}`)).json.map((t: any) => t.description)).toEqual([`delete deployment ${DEP}`, `run errand cleanup from deployment ${DEP}`]);
    expect((await client.get('/deployments')).json).toEqual([]);
  });

  it('orphan listing: deployments made directly show up in GET /deployments', async () => {
    const { client, bosh } = env;
    bosh.control.createDeployment(manifest('service-instance_orphan-1'));
    bosh.control.createDeployment(manifest('unrelated'));
    const names = (await client.get('/deployments')).json.map((d: any) => d.name);
    expect(names).toEqual(['service-instance_orphan-1', 'unrelated']);
    expect(names.filter((n: string) => n.startsWith('service-instance_'))).toEqual(['service-instance_orphan-1']);
  });

  it('a failed provision leaves the deployment row with a null manifest; a concurrent deploy fails on the lock', async () => {
    const { client, f } = env;
    const bad = await provision('c1', manifest(DEP, { vmType: 'huge' }));
    const r = await waitLikeCli(f, client, bad.id);
    expect(r.task.state).toBe('error');
    expect(r.lines.at(-1)).toEqual({ time: expect.any(Number), error: { code: 140004, message: "Instance group 'redis-server' references an unknown vm type 'huge'" } });
    expect((await client.get(`/deployments/${DEP}`)).json).toEqual({ manifest: null });
    expect((await client.get('/deployments')).json.map((d: any) => d.name)).toEqual([DEP]);

    // Two deploys at once: the second waits for the lock, then fails as the director's does.
    env.bosh.control.addTaskRule({ deployment: DEP, hang: true, times: 1 });
    const first = await client.send('POST', '/deployments?', { headers: { 'content-type': 'text/yaml' }, body: manifest(DEP) });
    await f.clock.advance(1000);
    const second = await client.send('POST', '/deployments?', { headers: { 'content-type': 'text/yaml' }, body: manifest(DEP) });
    expect((await client.get('/locks')).json).toEqual([{ type: 'deployment', resource: [DEP], timeout: expect.stringMatching(/^\d+\.\d{6}$/), task_id: String(first.json.id) }]);
    expect((await client.get('/deployments')).json[0].locked).toBe(true);
    const s = await waitLikeCli(f, client, second.json.id);
    expect(s.task.state).toBe('error');
    // The task result is truncated to 128 characters as the director does; the event log has it whole.
    expect(s.task.result.length).toBeLessThanOrEqual(128);
    expect(s.lines.at(-1).error).toEqual({
      code: 100,
      message: expect.stringMatching(new RegExp(`^Failed to acquire lock for lock:deployment:${DEP} uid: [0-9a-f-]+\\. Locking task id is ${first.json.id}$`)),
    });
    expect(env.bosh.control.task(first.json.id).state).toBe('processing');
    env.bosh.control.completeTask(first.json.id);
    expect((await client.get(`/tasks/${first.json.id}`)).json.state).toBe('done');
    expect((await client.get('/locks')).json).toEqual([]);
  });
});
