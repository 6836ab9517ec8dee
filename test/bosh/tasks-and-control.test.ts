import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';
import type { BoshSimulator } from '../../fakes/bosh/index.js';
import { RELEASE, STEMCELL, manifest } from './helpers.js';
import { inProcess } from './inprocess.js';

describe('task state machine and the control API', () => {
  let env: Awaited<ReturnType<typeof inProcess>> | undefined;
  afterEach(async () => env?.f.close());
  async function setup(config: Record<string, unknown> = {}) {
    env = await inProcess('tasks', config);
    env.bosh.control.seedRelease(RELEASE);
    env.bosh.control.seedStemcell(STEMCELL);
    return env;
  }

  it('moves queued -> processing -> done only as the clock moves, per configured durations', async () => {
    const e = await setup({ bosh: { tasks: { durations: { update_deployment: 8000 }, queue_ms: 1000 } } });
    const id = e.taskId(await e.yaml('/deployments', manifest('d')));
    const state = () => e.bosh.control.task(id).state;
    expect(state()).toBe('queued');
    await e.f.clock.advance(999);
    expect(state()).toBe('queued');
    await e.f.clock.advance(1);
    expect(state()).toBe('processing');
    await e.f.clock.advance(7000);
    expect(state()).toBe('processing');
    await e.f.clock.advance(1000);
    expect(state()).toBe('done');
    const t = e.bosh.control.task(id);
    expect(t.timestamp! - t.started_at!).toBe(8);
  });

  it('fails a task at a named stage, once', async () => {
    const e = await setup();
    e.bosh.control.addTaskRule({ type: 'update_deployment', fail_at_stage: 'Creating missing vms', message: 'CPI error: quota exceeded', code: 100, times: 1 });
    const first = await e.runTask(e.taskId(await e.yaml('/deployments', manifest('d'))));
    expect(first.state).toBe('error');
    const lines = first.event_output.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-2)).toMatchObject({ stage: 'Creating missing vms', state: 'failed', data: { error: 'CPI error: quota exceeded' } });
    expect(lines.at(-1).error).toEqual({ code: 100, message: 'CPI error: quota exceeded' });
    expect(e.bosh.control.deployment('d')!.manifest_text).toBeNull();
    expect((await e.runTask(e.taskId(await e.yaml('/deployments', manifest('d'))))).state).toBe('done');
  });

  it('hangs a task until told: complete, fail, timeout', async () => {
    const e = await setup();
    e.bosh.control.addTaskRule({ hang: true, times: 3 });
    const ids = [];
    for (const n of ['a', 'b', 'c']) ids.push(e.taskId(await e.yaml('/deployments', manifest(n))));
    await e.f.clock.advance(3_600_000);
    expect(ids.map((id) => e.bosh.control.task(id).state)).toEqual(['processing', 'processing', 'processing']);
    e.bosh.control.completeTask(ids[0]);
    e.bosh.control.failTask(ids[1], 'scripted', 123);
    e.bosh.control.timeoutTask(ids[2]);
    expect(ids.map((id) => e.bosh.control.task(id).state)).toEqual(['done', 'error', 'timeout']);
    expect(e.bosh.control.deployment('a')!.manifest_text).toBe(manifest('a'));
    expect(e.lastEvent(ids[1]).error).toEqual({ code: 123, message: 'scripted' });
  });

  it('completes a task that has not started yet (it prepares first)', async () => {
    const e = await setup({ bosh: { tasks: { queue_ms: 60_000 } } });
    const id = e.taskId(await e.yaml('/deployments', manifest('d')));
    expect(e.bosh.control.task(id).state).toBe('queued');
    await e.bosh.control.completeTask(id);
    expect(e.bosh.control.task(id)).toMatchObject({ state: 'done', result: '/deployments/d' });
    expect(e.bosh.control.deployment('d')!.manifest_text).toBe(manifest('d'));
    await e.f.clock.advance(120_000);
    expect(e.bosh.control.task(id).state).toBe('done');
    const bad = e.taskId(await e.yaml('/deployments', manifest('x', { vmType: 'nope' })));
    await e.bosh.control.completeTask(bad);
    expect(e.bosh.control.task(bad).state).toBe('error');
  });

  it('snapshot and restore bring running tasks back where they were; reset empties the director', async () => {
    const e = await setup();
    const id = e.taskId(await e.yaml('/deployments', manifest('d')));
    await e.f.clock.advance(1500);
    const snap = e.f.snapshot();
    await e.f.clock.advance(60_000);
    expect(e.bosh.control.task(id).state).toBe('done');
    e.f.restore(snap);
    expect(e.bosh.control.task(id).state).toBe('processing');
    expect(e.bosh.control.deployment('d')!.manifest_text).toBeNull();
    await e.f.clock.advance(60_000);
    expect(e.bosh.control.task(id).state).toBe('done');
    expect(e.bosh.control.deployment('d')!.instances.length).toBe(2);
    e.f.reset();
    expect(e.bosh.control.tasks()).toEqual([]);
    expect(e.bosh.model.state.releases).toEqual([]);
    expect(e.bosh.model.latestConfigs('cloud').map((c) => c.name)).toEqual(['default']);
  });

  it('kernel faults apply to director routes; the director can be made unreachable', async () => {
    const e = await setup();
    e.f.faults.add({ match: { service: 'bosh', path: '/deployments' }, action: { type: 'status', status: 500 }, times: 1 });
    const res = await e.call('GET', '/deployments');
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('');
    expect((await e.call('GET', '/deployments')).status).toBe(200);
    e.bosh.control.setUnreachable(true);
    await expect(e.call('GET', '/info')).rejects.toThrow();
    e.bosh.control.setUnreachable(false);
    expect((await e.call('GET', '/info')).status).toBe(200);
  });

  it('serves the control API under /_fakefoundry/bosh/', async () => {
    const e = await setup();
    const ctl = (method: string, path: string, body?: unknown) =>
      fetch(`${e.urls.bosh}/_fakefoundry/bosh${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await ctl('POST', '/releases', { name: 'extra', version: '1', jobs: ['x'] })).status).toBe(204);
    expect((await ctl('POST', '/deployments', { manifest: manifest('orphan'), teams: ['t'] })).status).toBe(201);
    expect((await (await ctl('GET', '/deployments/orphan')).json()).teams).toEqual(['t']);
    expect((await ctl('POST', '/errands', { deployment: 'orphan', errand: 'smoke-tests', exit_code: 2, times: 1 })).status).toBe(204);
    expect((await ctl('POST', '/task-rules', { hang: true, times: 1 })).status).toBe(201);
    const id = e.taskId(await e.call('POST', '/deployments/orphan/errands/smoke-tests/runs', e.admin, { headers: { 'content-type': 'application/json' }, body: '{}' }));
    await e.f.clock.advance(60_000);
    expect((await (await ctl('GET', `/tasks/${id}`)).json()).state).toBe('processing');
    const done = await (await ctl('POST', `/tasks/${id}/complete`)).json();
    expect(done).toMatchObject({ state: 'done', result: '0 succeeded, 1 errored, 0 canceled' });
    expect((await ctl('POST', '/tasks/999/complete')).status).toBe(404);
    expect((await ctl('PUT', '/deployments/orphan/instances/redis-server/0/state', { job_state: 'failing' })).status).toBe(204);
    expect(e.bosh.control.deployment('orphan')!.instances[0].job_state).toBe('failing');
    expect((await ctl('PUT', '/cloud-config?name=extra', undefined)).status).toBe(200);
    const envText = await (await ctl('GET', '/env')).text();
    expect(envText).toContain(`BOSH_ENVIRONMENT=${e.urls.bosh}`);
    expect(envText).toContain('BOSH_CLIENT=bosh_admin');
    expect((await ctl('POST', '/releases', { nope: 1 })).status).toBe(400);
  });

  it('finishes tasks by itself in instant clock mode', async () => {
    const e = await setup();
    e.f.clock.setMode('instant');
    // msw's fetch interceptor refuses to follow a 302 for a request that had a body, so follow it by hand.
    const post = await e.yaml('/deployments', manifest('d'));
    const res = await fetch(post.headers.get('location')!, { headers: { authorization: e.admin } });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: number };
    for (let i = 0; i < 50 && e.bosh.control.task(id).state !== 'done'; i++) await new Promise<void>((r) => setImmediate(r));
    expect(e.bosh.control.task(id).state).toBe('done');
  });

  it('runs tasks on the real clock when the foundation does (for `fakefoundry up`)', async () => {
    const f = await Foundation.create({ seed: 'real', clockMode: 'real', config: { bosh: { tasks: { durations: { default: 40, update_deployment: 80 } } } } });
    try {
      const bosh = f.service<BoshSimulator>('bosh');
      bosh.control.seedRelease(RELEASE);
      bosh.control.seedStemcell(STEMCELL);
      const { urls, caPem } = await f.listen();
      expect(bosh.envLines({ caCertPath: '/tmp/ca.pem' })).toEqual([
        `BOSH_ENVIRONMENT=${urls.bosh}`,
        'BOSH_CA_CERT=/tmp/ca.pem',
        'BOSH_CLIENT=bosh_admin',
        `BOSH_CLIENT_SECRET=${f.uaa.model.client('bosh_admin')!.client_secret}`,
      ]);
      const task = bosh.engine.create({ type: 'update_deployment', description: 'create deployment', deployment: 'd', user: 'admin', payload: { manifest_text: manifest('d') } });
      bosh.model.ensureDeployment('d', []);
      // In real mode advance() shifts the clock forward and fires what fell due: no wall-clock wait.
      for (let i = 0; i < 100 && task.state !== 'done' && task.state !== 'error'; i++) await f.clock.advance(20);
      expect(task.state).toBe('done');
      const body = await new Promise<string>((resolve, reject) =>
        https.get(`${urls.bosh}/info`, { ca: caPem }, (r) => {
          let d = '';
          r.on('data', (x) => (d += x));
          r.on('end', () => resolve(d));
        }).on('error', reject),
      );
      expect(JSON.parse(body).name).toBe('fake-bosh');
    } finally {
      await f.close();
    }
  });
});
