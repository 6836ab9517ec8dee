import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manifest, networkFoundation, request, waitLikeCli } from './helpers.js';
import { releaseTgz, stemcellTgz } from './tarballs.js';

type Env = Awaited<ReturnType<typeof networkFoundation>>;
const STEMCELL_NAME = 'bosh-warden-boshlite-ubuntu-jammy-go_agent';

/** The bosh CLI flows of bosh-director-api.md §7, request by request, as bosh-cli v7 sends them. */
describe('bosh CLI flows', () => {
  let env: Env;
  beforeEach(async () => {
    env = await networkFoundation('cli');
  });
  afterEach(async () => env.f.close());

  async function uploadBoth() {
    const { client, f } = env;
    const needed = await client.send('POST', '/stemcell_uploads', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stemcell: { name: STEMCELL_NAME, version: '1.423' } }) });
    expect(needed.json).toEqual({ needed: true });
    const matches = await client.send('POST', '/packages/matches', { headers: { 'content-type': 'text/yaml' }, body: 'packages:\n- {name: redis, fingerprint: pkg-fp, sha1: x}\n' });
    expect(matches.json).toEqual([]);
    const st = await client.send('POST', '/stemcells', { headers: { 'content-type': 'application/x-compressed' }, body: await stemcellTgz(STEMCELL_NAME, '1.423', 'ubuntu-jammy') });
    expect(st.json.description).toBe('create stemcell');
    expect((await waitLikeCli(f, client, st.json.id)).task).toMatchObject({ state: 'done', result: `/stemcells/${STEMCELL_NAME}/1.423` });
    const rel = await client.send('POST', '/releases', {
      headers: { 'content-type': 'application/x-compressed' },
      body: await releaseTgz('redis', '15.0.0', [
        { name: 'redis-server', provides: [{ name: 'redis', type: 'redis' }] },
        { name: 'smoke-tests', errand: true },
        { name: 'cleanup', errand: true },
      ]),
    });
    const relDone = await waitLikeCli(f, client, rel.json.id);
    expect(relDone.task).toMatchObject({ state: 'done', result: "Created release 'redis/15.0.0'", deployment: null });
    expect(relDone.lines.map((l) => l.stage)).toContain('Creating new jobs');
  }

  async function deploy(name: string, text = manifest(name)) {
    const { client, f } = env;
    const diff = await client.send('POST', `/deployments/${name}/diff?redact=true`, { headers: { 'content-type': 'text/yaml' }, body: text });
    const context = encodeURIComponent(JSON.stringify(diff.json.context));
    const res = await client.send('POST', `/deployments?context=${context}`, { headers: { 'content-type': 'text/yaml' }, body: text });
    return waitLikeCli(f, client, res.json.id);
  }

  it('env: /info anonymous then authenticated, and certificate expiry', async () => {
    const anon = await request('GET', `${env.urls.bosh}/info`, { ca: env.caPem });
    expect(anon.json).toMatchObject({ name: 'fake-bosh', user: null, cpi: 'warden_cpi', features: { snapshots: { status: false } } });
    expect((await env.client.get('/info')).json.user).toBe('bosh_admin');
    const certs = await env.client.get('/director/certificate_expiry');
    expect(certs.json[0]).toMatchObject({ certificate_path: 'director.ssl.cert', days_left: expect.any(Number) });
  });

  it('upload-stemcell and upload-release from real tarballs (body, multipart, and by URL with sha1)', async () => {
    const { client, f } = env;
    await uploadBoth();
    const stemcells = (await client.get('/stemcells')).json;
    expect(stemcells).toEqual([
      { name: STEMCELL_NAME, operating_system: 'ubuntu-jammy', version: '1.423', cid: expect.any(String), cpi: '', deployments: [], api_version: 3, id: expect.any(Number) },
    ]);
    const releases = (await client.get('/releases')).json;
    expect(releases).toEqual([
      {
        name: 'redis',
        release_versions: [{ version: '15.0.0', commit_hash: 'abc1234', uncommitted_changes: false, currently_deployed: false, job_names: ['redis-server', 'smoke-tests', 'cleanup'] }],
      },
    ]);
    // What bosh-cli asks before uploading: the director already has this package, and this stemcell.
    const matches = await client.send('POST', '/packages/matches', { headers: { 'content-type': 'text/yaml' }, body: 'packages:\n- {name: redis, fingerprint: pkg-fp}\n- {name: other, fingerprint: zz}\n' });
    expect(matches.json).toEqual(['pkg-fp']);
    const badMatch = await client.send('POST', '/packages/matches', { headers: { 'content-type': 'text/yaml' }, body: 'jobs: []\n' });
    expect(badMatch.json).toEqual({ code: 440001, description: "Manifest doesn't have a usable packages section" });
    const needed = await client.send('POST', '/stemcell_uploads', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stemcell: { name: STEMCELL_NAME, version: '1.423' } }) });
    expect(needed.json).toEqual({ needed: false });
    const inspect = (await client.get('/releases/redis?version=15.0.0')).json;
    expect(inspect.jobs.find((j: any) => j.name === 'redis-server').provides).toEqual([{ name: 'redis', type: 'redis' }]);
    // inspect-release sorts jobs and packages by name; without a version the director lists every job and package.
    expect(inspect.jobs.map((j: any) => j.name)).toEqual(['cleanup', 'redis-server', 'smoke-tests']);
    const whole = await client.get('/releases/redis');
    expect(whole.headers['content-type']).toBe('application/json');
    expect(whole.json).toEqual({
      packages: [{ name: 'redis', sha1: expect.any(String), version: 'pkg-v1', dependencies: [] }],
      jobs: expect.arrayContaining([{ name: 'redis-server', sha1: expect.any(String), version: 'redis-server-v1', packages: expect.any(Array) }]),
      versions: ['15.0.0'],
    });
    const twice = await client.send('POST', '/releases?sha1=abc', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ location: 'https://example.test/r.tgz', sha1: 'abc' }) });
    expect([twice.status, twice.text]).toEqual([400, 'Sha1 provided in multiple places']);

    // Multipart, as nginx's upload module hands it to the director.
    const form = new FormData();
    form.append('nginx_upload_path', new Blob([new Uint8Array(await releaseTgz('extra', '1.0.0', [{ name: 'x' }]))]), 'extra.tgz');
    const multipart = new Response(form);
    const mpBody = Buffer.from(await multipart.arrayBuffer());
    const mp = await client.send('POST', '/releases', { headers: { 'content-type': multipart.headers.get('content-type')! }, body: mpBody });
    expect((await waitLikeCli(f, client, mp.json.id)).task.result).toBe("Created release 'extra/1.0.0'");

    // By URL: the director fetches the tarball itself and checks the sha1.
    const tarball = await releaseTgz('remote', '2.0.0', [{ name: 'y' }]);
    const server = http.createServer((_req, res) => res.end(tarball));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/remote.tgz`;
    try {
      const sha1 = createHash('sha1').update(tarball).digest('hex');
      const bad = await client.send('POST', '/releases', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ location: url, sha1: 'deadbeef' }) });
      const badDone = await waitLikeCli(f, client, bad.json.id);
      expect(badDone.task.state).toBe('error');
      expect(badDone.lines.at(-1).error).toEqual({ code: 30015, message: `Release SHA1 '${sha1}' does not match the expected SHA1 'deadbeef'` });
      const good = await client.send('POST', '/releases', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ location: url, sha1 }) });
      expect((await waitLikeCli(f, client, good.json.id)).task.state).toBe('done');
    } finally {
      server.close();
    }
    expect((await client.get('/releases')).json.map((r: any) => r.name)).toEqual(['extra', 'redis', 'remote']);
    const outbound = env.f.journal.query({ service: 'bosh->blobstore' });
    expect(outbound.length).toBe(2);

    // A broken archive is a task error, not an HTTP error.
    const broken = await client.send('POST', '/stemcells', { headers: { 'content-type': 'application/x-compressed' }, body: Buffer.from('not a tarball') });
    const brokenDone = await waitLikeCli(f, client, broken.json.id);
    expect(brokenDone.task.state).toBe('error');
    expect(brokenDone.lines.at(-1).error.code).toBe(50000);
  });

  it('update-cloud-config, deploy with diff, deployments, manifest', async () => {
    const { client } = env;
    await uploadBoth();
    const cc = (await client.get('/cloud_configs?limit=1')).json;
    expect(cc).toEqual([{ properties: expect.stringContaining('vm_types:'), created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/) }]);
    expect((await client.get('/cloud_configs')).status).toBe(400);
    const next = cc[0].properties.replace('- name: large', '- name: xlarge\n  cloud_properties: {}\n- name: large');
    const ccDiff = await client.send('POST', '/cloud_configs/diff?name=default', { headers: { 'content-type': 'text/yaml' }, body: next });
    expect(ccDiff.json.diff.filter((l: [string, string | null]) => l[1] === 'added')).toEqual([[expect.stringMatching(/- name: xlarge$/), 'added'], [expect.stringMatching(/cloud_properties: \{\}$/), 'added']]);

    const first = await client.send('POST', '/deployments/redis-1/diff?redact=true', { headers: { 'content-type': 'text/yaml' }, body: manifest('redis-1') });
    expect(first.status).toBe(200);
    expect(first.json.context).toEqual({ cloud_config_ids: [1], runtime_config_ids: [] });
    expect(first.json.diff).toContainEqual(['name: redis-1', 'added']);
    expect(first.json.diff.some(([l]: [string]) => l.includes('<redacted>'))).toBe(true);
    const done = await deploy('redis-1');
    expect(done.task.state).toBe('done');

    const changed = await client.send('POST', '/deployments/redis-1/diff?redact=false', { headers: { 'content-type': 'text/yaml' }, body: manifest('redis-1', { instances: 2, azs: ['z1', 'z2'] }) });
    expect(changed.json.diff).toContainEqual(['    instances: 2', 'added']);
    expect(changed.json.diff).toContainEqual(['    instances: 1', 'removed']);

    expect((await client.get('/deployments')).json).toEqual([
      { name: 'redis-1', teams: [], cloud_config: 'latest', stemcells: [{ name: STEMCELL_NAME, version: '1.423' }], releases: [{ name: 'redis', version: '15.0.0' }], locked: false },
    ]);
    expect((await client.send('POST', '/cloud_configs?name=default', { headers: { 'content-type': 'text/yaml' }, body: next })).status).toBe(201);
    expect((await client.get('/deployments')).json[0].cloud_config).toBe('outdated');
    expect((await client.get('/releases')).json[0].release_versions[0].currently_deployed).toBe(true);
    expect((await client.get('/stemcells')).json[0].deployments).toEqual([{ name: 'redis-1' }]);
    expect((await client.get('/deployments/redis-1')).json).toEqual({ manifest: manifest('redis-1') });
    // A context naming an unknown config is refused before any task exists.
    const stale = await client.send('POST', `/deployments?context=${encodeURIComponent('{"cloud_config_ids":[99]}')}`, { headers: { 'content-type': 'text/yaml' }, body: manifest('redis-1') });
    expect(stale.status).toBe(400);
    expect(stale.json).toEqual({ code: 190025, description: 'Context includes invalid config ID' });
  });

  it('vms and instances: format=full is a task whose result lines have the exact Go field types', async () => {
    const { client, f } = env;
    await uploadBoth();
    await deploy('redis-1', manifest('redis-1', { instances: 2, azs: ['z1', 'z2'] }));
    const res = await client.send('GET', '/deployments/redis-1/vms?format=full', { follow: false });
    expect(res.status).toBe(302);
    expect(res.text).toBe('');
    expect(String(res.headers.location)).toMatch(new RegExp(`^${env.urls.bosh}/tasks/\\d+$`));
    const id = Number(String(res.headers.location).split('/').pop());
    const done = await waitLikeCli(f, client, id);
    expect(done.task).toMatchObject({ description: 'retrieve vm-stats', deployment: 'redis-1', result: '' });
    const vms = done.result!.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(vms).toHaveLength(2);
    for (const vm of vms) {
      expect(typeof vm.index).toBe('number');
      expect(Number.isInteger(vm.index)).toBe(true);
      expect(typeof vm.active).toBe('boolean');
      expect(typeof vm.bootstrap).toBe('boolean');
      expect(typeof vm.ignore).toBe('boolean');
      expect(vm.ips.every((x: unknown) => typeof x === 'string')).toBe(true);
      expect(vm.disk_cids.every((x: unknown) => typeof x === 'string')).toBe(true);
      for (const k of ['sys', 'user', 'wait']) expect(typeof vm.vitals.cpu[k]).toBe('string');
      for (const k of ['kb', 'percent']) {
        expect(typeof vm.vitals.mem[k]).toBe('string');
        expect(typeof vm.vitals.swap[k]).toBe('string');
      }
      for (const disk of Object.values(vm.vitals.disk) as any[]) {
        expect(typeof disk.percent).toBe('string');
        expect(typeof disk.inode_percent).toBe('string');
      }
      expect(vm.vitals.load.every((x: unknown) => typeof x === 'string')).toBe(true);
      expect(Number.isInteger(vm.vitals.uptime.secs)).toBe(true);
      for (const p of vm.processes) {
        expect(Number.isInteger(p.uptime.secs)).toBe(true);
        expect(Number.isInteger(p.mem.kb)).toBe(true);
        expect(typeof p.mem.percent).toBe('number');
        expect(typeof p.cpu.total).toBe('number');
      }
      expect(vm.vm_created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(vm).toMatchObject({ job_name: 'redis-server', job_state: 'running', state: 'started', vm_type: 'default', stemcell: { name: STEMCELL_NAME, version: '1.423', api_version: 3 } });
    }
    expect(vms.map((v) => v.bootstrap)).toEqual([true, false]);
    expect(vms.map((v) => v.az)).toEqual(['z1', 'z2']);

    const plain = (await client.get('/deployments/redis-1/vms')).json;
    expect(plain).toHaveLength(2);
    expect(plain[0]).toMatchObject({ job: 'redis-server', index: 0, agent_id: expect.any(String), cid: expect.any(String), active: true });

    const instances = (await client.get('/deployments/redis-1/instances')).json;
    expect(instances.map((i: any) => [i.job, i.expects_vm])).toEqual([
      ['redis-server', true],
      ['redis-server', true],
      ['smoke-tests', false],
    ]);
    expect(instances[2]).toMatchObject({ agent_id: null, cid: null, ips: [], vm_created_at: null });
    const full = await client.get('/deployments/redis-1/instances?format=full');
    const fullDone = await waitLikeCli(f, client, full.json.id);
    const rows = fullDone.result!.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatchObject({ job_name: 'smoke-tests', vm_cid: null, agent_id: null, vitals: null, processes: [] });
    // vms tasks are hidden from the default listing (verbose=1) and shown with verbose=2.
    expect((await client.get('/tasks?limit=30&verbose=1')).json.map((t: any) => t.description)).not.toContain('retrieve vm-stats');
    expect((await client.get('/tasks?limit=30&verbose=2')).json.map((t: any) => t.description)).toContain('retrieve vm-stats');
  });

  it('vms without -d: the deployments list, then one vms task per deployment, polled in parallel', async () => {
    const { client, f } = env;
    await uploadBoth();
    // bosh-cli HEAD asks for a deploy config first and ignores the answer.
    expect((await client.get('/configs?type=deploy&limit=1&latest=true')).json).toEqual([]);
    await deploy('a');
    await deploy('b', manifest('b', { instances: 2, azs: ['z2', 'z3'] }));
    const names = (await client.get('/deployments')).json.map((d: any) => d.name);
    const started = await Promise.all(names.map((n: string) => client.get(`/deployments/${n}/vms?format=full`)));
    const done = await Promise.all(started.map((r) => waitLikeCli(f, client, r.json.id)));
    const perDeployment = done.map((d) => d.result!.split('\n').filter(Boolean).map((l) => JSON.parse(l).ips[0]));
    expect(perDeployment.map((ips) => ips.length)).toEqual([1, 2]);
    expect(new Set(perDeployment.flat()).size).toBe(3);
    // `bosh task` with no id: the first current task.
    expect((await client.get('/tasks?state=processing,cancelling,queued&verbose=1')).json).toEqual([]);
  });

  it('tasks, task N with Range polling, and 416 past the end', async () => {
    const { client, f } = env;
    await uploadBoth();
    const res = await client.send('POST', '/deployments', { headers: { 'content-type': 'text/yaml' }, body: manifest('redis-1') });
    const id = res.json.id;
    // `timestamp` is never null: the creation time, then the start time, then the finish time.
    const created = f.clock.nowSeconds();
    expect(res.json).toEqual({ id, state: 'queued', description: 'create deployment', timestamp: created, started_at: null, result: null, user: 'bosh_admin', deployment: 'redis-1', context_id: '' });
    expect(res.headers['content-type']).toBe('application/json');
    expect((await client.get('/tasks?state=processing,cancelling,queued&verbose=1')).json.map((t: any) => t.id)).toEqual([id]);
    await f.clock.advance(1);
    const running = (await client.get(`/tasks/${id}`)).json;
    expect(running.state).toBe('processing');
    expect(running.started_at).toEqual(expect.any(Number));
    expect(running.timestamp).toBe(running.started_at);

    const done = await waitLikeCli(f, client, id);
    expect(done.statuses).toContain(206);
    expect(done.statuses).toContain(416);
    // Every line once, in order, each one valid JSON.
    const full = await client.get(`/tasks/${id}/output?type=event`);
    expect(full.status).toBe(200);
    expect(done.events).toBe(full.text);
    expect(full.text.endsWith('\n')).toBe(true);
    const size = Buffer.byteLength(full.text);
    const tail = await client.get(`/tasks/${id}/output?type=event`, { range: `bytes=${size - 10}-` });
    expect(tail.status).toBe(206);
    expect(tail.headers['content-range']).toBe(`bytes ${size - 10}-${size - 1}/${size}`);
    const past = await client.get(`/tasks/${id}/output?type=event`, { range: `bytes=${size}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${size}`);
    expect(past.text).toBe('Byte range unsatisfiable');
    // Rack serves everything for a backwards, empty or multiple range.
    for (const range of ['bytes=10-5', 'bytes=-', 'bytes=0-1,5-6', 'items=0-']) {
      const all = await client.get(`/tasks/${id}/output?type=event`, { range });
      expect([range, all.status, all.text.length]).toEqual([range, 200, full.text.length]);
    }
    const suffix = await client.get(`/tasks/${id}/output?type=event`, { range: 'bytes=-5' });
    expect([suffix.status, suffix.headers['content-range']]).toEqual([206, `bytes ${size - 5}-${size - 1}/${size}`]);
    const clamped = await client.get(`/tasks/${id}/output?type=event`, { range: `bytes=${size - 3}-${size + 100}` });
    expect([clamped.status, clamped.text.length]).toEqual([206, 3]);
    const none = await client.get(`/tasks/${id}/output?type=none`);
    expect(none.status).toBe(204);
    const debug = await client.get(`/tasks/${id}/output`);
    expect(debug.text).toContain('Director Version');
    expect(debug.headers['content-type']).toBe('text/plain;charset=utf-8');
    // The director's logger layout: `I, [time #pid] [thread]  INFO -- Component: message`.
    const debugLines = debug.text.split('\n').filter(Boolean);
    expect(debugLines.filter((l: string) => !/^[IE], \[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} #\d+\] \[[^\]]*\] +(INFO|ERROR) -- \w+: /.test(l))).toEqual([]);
    expect(debugLines.at(-2)).toMatch(/DirectorJobRunner: Done$/);
    const bad = await client.get(`/tasks/${id}/output?type=bogus`);
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({ code: 600000, description: 'Unknown type bogus' });

    const recent = (await client.get('/tasks?limit=30&verbose=1')).json;
    expect(recent[0]).toMatchObject({ id, state: 'done', timestamp: expect.any(Number), result: '/deployments/redis-1' });
    expect(recent.map((t: any) => t.id)).toEqual([...recent.map((t: any) => t.id)].sort((a: number, b: number) => b - a));
    expect((await client.get('/tasks/999')).json).toEqual({ code: 10000, description: 'Task 999 not found' });
  });

  it('run-errand, recreate, start/stop, delete-deployment', async () => {
    const { client, f, bosh } = env;
    await uploadBoth();
    await deploy('redis-1', manifest('redis-1', { instances: 2, azs: ['z1', 'z2'] }));
    const errands = (await client.get('/deployments/redis-1/errands')).json;
    expect(errands.map((e: { name: string }) => e.name).sort()).toEqual(['cleanup', 'smoke-tests']);
    bosh.control.scriptErrand({ deployment: 'redis-1', errand: 'cleanup', exit_code: 3, stdout: 'out', stderr: 'err' });
    const run = await client.send('POST', '/deployments/redis-1/errands/cleanup/runs', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'keep-alive': false, 'when-changed': false, instances: [] }),
    });
    const runDone = await waitLikeCli(f, client, run.json.id);
    expect(runDone.task).toMatchObject({ state: 'done', result: '0 succeeded, 2 errored, 0 canceled' });
    const lines = runDone.result!.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.instance.group)).toEqual(['redis-server', 'redis-server']);
    expect(lines[0]).toEqual({ instance: { group: 'redis-server', id: expect.any(String) }, errand_name: 'cleanup', exit_code: 3, stdout: 'out', stderr: 'err', logs: { blobstore_id: expect.any(String), sha1: expect.any(String) } });
    // when-changed: skipped once a run succeeded on this manifest.
    bosh.control.scriptErrand({ deployment: 'redis-1', errand: 'smoke-tests', exit_code: 0, times: 1 });
    const ok = await client.send('POST', '/deployments/redis-1/errands/smoke-tests/runs', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'keep-alive': false, 'when-changed': true }) });
    expect((await waitLikeCli(f, client, ok.json.id)).task.result).toBe('1 succeeded, 0 errored, 0 canceled');
    const skip = await client.send('POST', '/deployments/redis-1/errands/smoke-tests/runs', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'keep-alive': false, 'when-changed': true }) });
    const skipDone = await waitLikeCli(f, client, skip.json.id);
    expect(skipDone.task.result).toBe('skipped - no changes detected');
    expect(skipDone.result).toBe('');
    // keep-alive leaves the errand VM up (bosh vms lists it); a later run without it removes it.
    const keep = await client.send('POST', '/deployments/redis-1/errands/smoke-tests/runs', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'keep-alive': true, 'when-changed': false }) });
    expect((await waitLikeCli(f, client, keep.json.id)).lines.map((l) => l.stage)).not.toContain('Deleting errand instances');
    expect((await client.get('/deployments/redis-1/vms')).json.map((v: any) => v.job)).toContain('smoke-tests');
    const drop = await client.send('POST', '/deployments/redis-1/errands/smoke-tests/runs', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'keep-alive': false, 'when-changed': false }) });
    expect((await waitLikeCli(f, client, drop.json.id)).lines.map((l) => l.stage)).toContain('Deleting errand instances');
    expect((await client.get('/deployments/redis-1/vms')).json.map((v: any) => v.job)).not.toContain('smoke-tests');

    const before = bosh.control.deployment('redis-1')!.instances.map((i) => i.vm_cid);
    const rec = await client.send('PUT', '/deployments/redis-1/jobs/*?fix=true&state=recreate', { headers: { 'content-type': 'text/yaml' }, body: '' });
    expect(rec.json.description).toBe('create deployment');
    expect((await waitLikeCli(f, client, rec.json.id)).task.result).toBe('/deployments/redis-1');
    const after = bosh.control.deployment('redis-1')!.instances.map((i) => i.vm_cid);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[2]).toBeNull();
    expect(bosh.control.deployment('redis-1')!.manifest_text).toBe(manifest('redis-1', { instances: 2, azs: ['z1', 'z2'] }));

    const stop = await client.send('PUT', '/deployments/redis-1/jobs/redis-server/1?state=stopped', { headers: { 'content-type': 'text/yaml' }, body: '' });
    await waitLikeCli(f, client, stop.json.id);
    const vm1 = bosh.control.deployment('redis-1')!.instances[1];
    expect([vm1.state, vm1.job_state]).toEqual(['stopped', 'stopped']);
    const badIdx = await client.send('PUT', '/deployments/redis-1/jobs/redis-server/abc?state=stopped', { headers: { 'content-type': 'text/yaml' }, body: '' });
    expect(badIdx.status).toBe(400);
    expect(badIdx.json).toEqual({ code: 70002, description: "Invalid instance index or id 'abc'" });
    const missing = await client.send('PUT', '/deployments/redis-1/jobs/redis-server/7?state=stopped', { headers: { 'content-type': 'text/yaml' }, body: '' });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ code: 70001, description: "'redis-1/redis-server/7' doesn't exist" });

    const del = await client.send('DELETE', '/deployments/redis-1');
    expect(del.json.description).toBe('delete deployment redis-1');
    const delDone = await waitLikeCli(f, client, del.json.id);
    expect(delDone.lines.map((l) => l.stage)).toContain('Deleting instances');
    expect((await client.get('/deployments')).json).toEqual([]);
    expect((await client.send('DELETE', '/deployments/redis-1')).json).toEqual({ code: 70000, description: "Deployment 'redis-1' doesn't exist" });
  });

  it('cancel-task: DELETE /task/N gives 204, the task ends cancelled; a finished task gives 400 text', async () => {
    const { client, f, bosh } = env;
    await uploadBoth();
    bosh.control.addTaskRule({ type: 'update_deployment', hang: true, times: 1 });
    const res = await client.send('POST', '/deployments', { headers: { 'content-type': 'text/yaml' }, body: manifest('redis-1') });
    await f.clock.advance(60_000);
    expect((await client.get(`/tasks/${res.json.id}`)).json.state).toBe('processing');
    const cancel = await client.send('DELETE', `/task/${res.json.id}`);
    expect(cancel.status).toBe(204);
    const done = await waitLikeCli(f, client, res.json.id);
    expect(done.task).toMatchObject({ state: 'cancelled', result: 'task cancelled', timestamp: expect.any(Number) });
    expect(done.lines.at(-1).error).toEqual({ code: 10001, message: `Task ${res.json.id} cancelled` });
    const again = await client.send('DELETE', `/task/${res.json.id}`);
    expect(again.status).toBe(400);
    expect(again.text).toBe(`Cannot cancel task ${res.json.id}: invalid state (cancelled)`);
    expect((await client.send('DELETE', '/task/424242')).json).toEqual({ code: 10000, description: 'Task 424242 not found' });

    // POST /tasks/cancel cancels queued tasks by default.
    const queued = bosh.engine.create({ type: 'update_deployment', description: 'create deployment', deployment: 'redis-1', user: 'x', payload: { manifest_text: manifest('redis-1') } });
    const bulk = await client.send('POST', '/tasks/cancel', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deployment: 'redis-1' }) });
    expect(bulk.status).toBe(204);
    await f.clock.advance(1);
    expect(bosh.control.task(queued.id).state).toBe('cancelled');
    const badState = await client.send('POST', '/tasks/cancel', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ states: ['done'] }) });
    expect([badState.status, badState.text]).toEqual([400, 'done is not one of the cancellable states: queued, processing']);
  });

  it('configs: create, list latest, get by id, diff, stale expected_latest_id, delete', async () => {
    const { client } = env;
    const post = (body: unknown) => client.send('POST', '/configs', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const a = await post({ type: 'runtime', name: 'dns', content: 'addons: []\n' });
    expect(a.status).toBe(201);
    expect(a.json).toEqual({ id: expect.any(String), type: 'runtime', name: 'dns', content: 'addons: []\n', team: null, created_at: expect.any(String), current: true });
    expect((await post({ type: 'runtime', name: 'dns', content: 'addons: []\n' })).json.id).toBe(a.json.id);
    const b = await post({ type: 'runtime', name: 'dns', content: 'addons:\n- name: x\n' });
    expect(Number(b.json.id)).toBeGreaterThan(Number(a.json.id));
    const stale = await post({ type: 'runtime', name: 'dns', content: 'addons: [1]\n', expected_latest_id: a.json.id });
    expect(stale.status).toBe(412);
    expect(stale.json).toEqual({ latest_id: b.json.id, expected_latest_id: a.json.id, description: `Latest Id: '${b.json.id}' does not match expected latest id` });

    expect((await client.get('/configs?type=runtime')).json.map((c: any) => c.id)).toEqual([b.json.id]);
    expect((await client.get('/configs?type=runtime&latest=false')).json.map((c: any) => [c.id, c.current])).toEqual([
      [b.json.id, true],
      [a.json.id, false],
    ]);
    expect((await client.get(`/configs/${a.json.id}`)).json.content).toBe('addons: []\n');
    expect((await client.get('/configs?limit=x')).json).toEqual({ code: 440010, description: "'limit' must be a number" });
    const diff = await client.send('POST', '/configs/diff', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'runtime', name: 'dns', content: 'addons: []\n' }) });
    expect(diff.json.from).toEqual({ id: b.json.id });
    expect(diff.json.diff).toContainEqual(['addons: []', 'added']);
    expect((await post({ name: 'x', content: '' })).json).toEqual({ code: 440010, description: "'type' is required" });
    expect((await post({ type: 'cloud', name: 'x', content: 'a: [' })).json.code).toBe(440011);
    expect((await client.send('DELETE', `/configs/${b.json.id}`)).status).toBe(204);
    expect((await client.get(`/configs/${b.json.id}`)).json).toEqual({ code: 440012, description: `Config ${b.json.id} not found` });
    // With the latest deleted, the one before it is current again.
    expect((await client.get('/configs?type=runtime')).json.map((c: any) => [c.id, c.current])).toEqual([[a.json.id, true]]);
    expect((await client.send('DELETE', '/configs?type=runtime&name=dns')).status).toBe(204);
    expect((await client.get('/configs?type=runtime')).json).toEqual([]);
  });
});
