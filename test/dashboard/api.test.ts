import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { clientToken, populatedFoundation, startDeploy } from './fixture.js';

/** The dashboard's server side, through the foundation's in-process mount (no browser, no port). */
describe('dashboard API', () => {
  let f: Foundation;
  let ui: string;
  const get = async (path: string) => {
    const res = await fetch(`${ui}${path}`, { redirect: 'manual' });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    ({ f } = await populatedFoundation('dashboard-api'));
    ui = `${f.urls.cc}/_fakefoundry/ui/`;
    const task = await startDeploy(f, 'api-redis', 1);
    await f.clock.advance(60_000);
    expect(f.bosh.model.task(task)!.state).toBe('done');
  });
  afterAll(() => f.close());

  it('is served at /_fakefoundry/ui/ on every fake, and refuses what is not one of its files', async () => {
    for (const base of [f.urls.uaa, f.urls.bosh, f.urls.cc]) {
      const page = await fetch(`${base}/_fakefoundry/ui/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<script type="module" src="app.js">');
    }
    const bare = await fetch(`${f.urls.cc}/_fakefoundry/ui`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([302, 'ui/']);
    expect((await get('views/journal.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('style.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await get('nope.js')).toMatchObject({ status: 404, json: { error: "no dashboard file 'nope.js'" } });
    expect(await get('..%2F..%2Fpackage.json')).toMatchObject({ status: 404 });
    expect(await get('api/nothing')).toMatchObject({ status: 404 });
    expect(await get('api/bosh/tasks/999')).toMatchObject({ status: 404, json: { error: 'no task 999' } });
    expect(await get('api/journal/99999')).toMatchObject({ status: 404 });
    // Not journaled: looking does not change what is looked at.
    const before = f.journal.lastSeq;
    await get('api/journal');
    expect(f.journal.lastSeq).toBe(before);
  });

  it('shows UAA clients, users and keys without secrets, passwords or private keys', async () => {
    const { json, text } = await get('api/uaa');
    expect(json.keys).toEqual([{ kid: f.uaa.model.activeKey.kid, active: true, created_at: expect.any(Number), public_pem: f.uaa.model.activeKey.publicPem }]);
    expect(json.clients.map((c: { client_id: string }) => c.client_id)).toEqual(expect.arrayContaining(['admin', 'cf', 'bosh_admin', 'cc_admin', 'odb']));
    expect(json.users.find((u: { userName: string }) => u.userName === 'admin').groups).toContain('cloud_controller.admin');
    for (const c of Object.values(f.uaa.model.state.clients)) if (c.client_secret) expect(text).not.toContain(c.client_secret);
    for (const u of Object.values(f.uaa.model.state.users)) expect(text).not.toContain(u.password);
    expect(text).not.toMatch(/PRIVATE KEY|"client_secret"|"password":|"tokenSalt"/);
  });

  it('shows CC records without the broker’s password or binding credentials', async () => {
    const { json, text } = await get('api/cc');
    expect(json.brokers).toEqual([{ guid: expect.any(String), name: 'dash-broker', url: expect.stringContaining('https://broker.'), username: 'broker-user', state: 'AVAILABLE' }]);
    expect(json.instances).toEqual([
      expect.objectContaining({ name: 'orders-db', offering: 'dashboard-db', plan: 'small', org: 'dash-org', space: 'dev', upgrade_available: true, maintenance_info: { version: '1.0.0' }, last_operation: expect.objectContaining({ type: 'create', state: 'succeeded', description: 'all done' }) }),
    ]);
    expect(json.offerings[0].plans.map((p: { name: string; visibility: unknown }) => [p.name, p.visibility])).toEqual([
      ['small', { public: true, orgs: [] }],
      ['large', { public: false, orgs: [] }],
    ]);
    expect(json.bindings).toEqual([expect.objectContaining({ type: 'app', instance: 'orders-db', app: 'web', last_operation: expect.objectContaining({ state: 'succeeded' }) })]);
    expect(text).not.toContain('broker-password-value');
    expect(text).not.toContain('binding-secret-value');
  });

  it('shows BOSH deployments with instances and IPs, manifests and configs masked, and a task’s parsed event log', async () => {
    const { json } = await get('api/bosh');
    const dep = json.deployments.find((d: { name: string }) => d.name === 'api-redis');
    const record = f.bosh.model.deployment('api-redis')!;
    const server = record.instances.find((i) => i.group === 'redis-server')!;
    expect(dep.instance_groups.map((g: { name: string }) => g.name)).toEqual(['redis-server', 'smoke-tests']);
    expect(dep.instance_groups[0].instances).toEqual([expect.objectContaining({ id: server.id, ips: [server.networks[0].ip], vm_cid: server.vm_cid, agent_id: server.agent_id, job_state: 'running' })]);
    expect(dep.manifest).toContain("password: '***'");
    expect(dep.manifest).not.toContain('((redis_password))');
    expect(json.tasks[0]).toMatchObject({ id: 1, state: 'done', description: 'create deployment', deployment: 'api-redis', started_at: Date.UTC(2026, 0, 1) });
    expect(json.releases).toEqual([{ name: 'redis', versions: [expect.objectContaining({ version: '15.0.0' })] }]);
    expect(json.configs).toEqual([expect.objectContaining({ type: 'cloud', name: 'default' })]);

    const task = (await get('api/bosh/tasks/1')).json;
    const lines = f.bosh.model.task(1)!.event_output.split('\n').filter(Boolean);
    expect(task.events).toHaveLength(lines.length);
    expect(task.events[0]).toMatchObject({ stage: 'Preparing deployment', state: 'started' });
  });

  it('filters the journal by service, method, path and status, and masks responses in a request’s details', async () => {
    expect((await clientToken(f, 'cc_admin')).status).toBe(200);
    const q = async (query: string) => (await get(`api/journal?${query}`)).json.entries as Array<{ seq: number; service: string; method: string; path: string; status: number }>;
    const all = await q('');
    expect(all.map((e) => e.seq)).toEqual(f.journal.all().map((e) => e.seq));
    expect(new Set((await q('service=cc-%3Ebroker')).map((e) => e.service))).toEqual(new Set(['cc->broker']));
    expect((await q('method=put&service=cc-%3Ebroker')).map((e) => e.path)).toEqual([
      expect.stringMatching(/^\/v2\/service_instances\/[^/]+$/),
      expect.stringMatching(/^\/v2\/service_instances\/[^/]+\/service_bindings\/[^/]+$/),
    ]);
    expect((await q('path=/v2/service_instances/*/last_operation')).length).toBe(f.journal.all().filter((e) => e.path.endsWith('/last_operation')).length);
    expect((await q('path=token')).every((e) => e.path.includes('token'))).toBe(true);
    expect((await q('status=3xx')).map((e) => [e.service, e.method, e.status])).toEqual([['bosh', 'POST', 302]]);
    expect((await q(`since=${all[all.length - 2].seq}`)).map((e) => e.seq)).toEqual([all[all.length - 1].seq]);
    expect((await q('limit=2')).map((e) => e.seq)).toEqual(all.slice(-2).map((e) => e.seq));

    const token = all[all.length - 1];
    expect(token).toMatchObject({ service: 'uaa', method: 'POST', path: '/oauth/token', status: 200 });
    const { json } = await get(`api/journal/${token.seq}`);
    expect(json.requestHeaders.authorization).toBe('Basic ***');
    expect(JSON.parse(json.responseBody)).toMatchObject({ access_token: '***', token_type: 'bearer' });
    // The journal itself keeps the response as it was sent.
    expect(JSON.parse(f.journal.all().at(-1)!.responseBody!).access_token).toMatch(/^ey/);
  });

  it('draws the filtered journal as a sequence diagram', async () => {
    const { json } = await get('api/sequence?service=cc-%3Ebroker');
    expect(json.entries).toBe(f.journal.query({ service: 'cc->broker' }).length);
    expect(json.svg).toMatch(/^<svg/);
    expect(json.svg).toContain('Platform (CC)');
    expect(json.svg).not.toContain('@import');
    expect((await get('api/sequence?service=nobody')).json).toEqual({ entries: 0, svg: null });
  });
});

describe('f.dashboard()', () => {
  it('serves the dashboard and its change events on a loopback port until the foundation closes', async () => {
    const { f } = await populatedFoundation('dashboard-server');
    const url = await f.dashboard();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_fakefoundry\/ui\/$/);
    expect(await f.dashboard()).toBe(url);
    const root = await fetch(new URL('/', url), { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/_fakefoundry/ui/']);
    // The control API is there too: the page adds fault rules and moves the clock through it.
    expect((await fetch(new URL('/_fakefoundry/clock', url)).then((r) => r.json())).mode).toBe('virtual');

    const events = await fetch(`${url}api/events`);
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    const next = async () => {
      let text = '';
      while (!text.endsWith('\n\n')) {
        // The server drops the connection when the foundation closes.
        const { value, done } = await reader.read().catch(() => ({ value: '', done: true }));
        if (done) return undefined;
        text += value;
      }
      return JSON.parse(/^data: (.*)$/m.exec(text)![1]);
    };
    const first = await next();
    expect(first).toEqual({ seq: f.journal.lastSeq, now: f.clock.now(), mode: 'virtual', pending: f.clock.pending() });
    await clientToken(f, 'admin');
    expect((await next()).seq).toBe(first.seq + 1);
    await f.clock.advance(5_000);
    expect((await next()).now).toBe(first.now + 5_000);
    f.faults.add({ action: { type: 'status', status: 500 } });
    expect(await next()).toBeDefined();

    await f.close();
    expect(await next()).toBeUndefined();
    await expect(fetch(url)).rejects.toThrow();
    await expect(f.dashboard()).rejects.toThrow('dashboard(): this foundation is closed');
  });
});
