import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RELEASE, STEMCELL, manifest } from './helpers.js';
import { inProcess } from './inprocess.js';

type Env = Awaited<ReturnType<typeof inProcess>>;

/** Deploy validation as the director does it: four synchronous 400s, everything else a failed task. */
describe('deploy validation (in-process mount)', () => {
  let env: Env;
  beforeEach(async () => {
    env = await inProcess('validation');
    env.bosh.control.seedRelease(RELEASE);
    env.bosh.control.seedStemcell(STEMCELL);
  });
  afterEach(async () => env.f.close());

  const sync: [string, string, number, number, string | RegExp][] = [
    ['an empty body', '', 400, 440001, 'Manifest should not be empty'],
    ['unparsable YAML', 'name: [unclosed\n  x: {', 400, 440001, /^Incorrect YAML structure of the uploaded manifest: #<Psych::SyntaxError: /],
    ['a YAML list', '- a\n- b\n', 400, 440001, 'Manifest should be a hash'],
    ['a scalar', 'just text\n', 400, 440001, 'Manifest should be a hash'],
    ['no name', 'releases: []\n', 400, 40001, "Deployment manifest must have a 'name' key"],
  ];
  for (const [what, body, status, code, description] of sync) {
    it(`answers ${what} with a synchronous ${status} ${code} and creates nothing`, async () => {
      const res = await env.yaml('/deployments', body);
      expect(res.status).toBe(status);
      const json = await res.json();
      expect(json.code).toBe(code);
      if (typeof description === 'string') expect(json.description).toBe(description);
      else expect(json.description).toMatch(description);
      expect(env.bosh.control.tasks()).toEqual([]);
      expect(Object.keys(env.bosh.model.state.deployments)).toEqual([]);
    });
  }

  it('treats a POST without text/yaml as no route (404 text)', async () => {
    const res = await env.call('POST', '/deployments', env.admin, { headers: { 'content-type': 'application/json' }, body: manifest('x') });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("Endpoint '/deployments' not found.");
  });

  it('refuses a name whose canonical form is taken (190009)', async () => {
    await env.runTask(env.taskId(await env.yaml('/deployments', manifest('redis_one'))));
    const res = await env.yaml('/deployments', manifest('Redis-One'));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 190009, description: "Invalid deployment name 'Redis-One', canonical name already taken ('redis_one')" });
  });

  it('refuses an X-Bosh-Context-Id longer than 64 characters', async () => {
    const res = await env.yaml('/deployments', manifest('x'), env.admin, { 'x-bosh-context-id': 'c'.repeat(65) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 70010, description: 'X-Bosh-Context-Id cannot be more than 64 characters in length' });
  });

  const taskErrors: [string, string, number, string][] = [
    ['an unknown release', manifest('d', { release: 'nope' }), 30005, "Release 'nope' doesn't exist"],
    ['an unknown release version', manifest('d', { releaseVersion: '9.9.9' }), 30006, "Release version 'redis/9.9.9' doesn't exist"],
    ['an unknown stemcell version', manifest('d').replace('version: latest', "version: '9.9'"), 50003, "Stemcell version '9.9' for OS 'ubuntu-jammy' doesn't exist"],
    ['an unknown stemcell alias', manifest('d').replace('  stemcell: default\n  persistent', '  stemcell: other\n  persistent'), 140005, "Instance group 'redis-server' references an unknown stemcell 'other'"],
    ['an unknown az', manifest('d', { azs: ['z9'] }), 140018, "Instance group 'redis-server' references unknown availability zone 'z9'"],
    ['an unknown vm_type', manifest('d', { vmType: 'huge' }), 140004, "Instance group 'redis-server' references an unknown vm type 'huge'"],
    ['an unknown network', manifest('d').replace('  networks:\n  - name: default\n  jobs:\n  - name: redis-server', '  networks:\n  - name: private\n  jobs:\n  - name: redis-server'), 150001, "Instance group 'redis-server' references an unknown network 'private'"],
    ['an unknown disk type', manifest('d').replace('persistent_disk_type: 1GB', 'persistent_disk_type: 1TB'), 140012, "Instance group 'redis-server' references an unknown disk type '1TB'"],
    ['a job not in its release', manifest('d').replace('  - name: redis-server\n    release: redis', '  - name: memcached\n    release: redis'), 100, "Job 'memcached' not found in Template table"],
    ['a job naming a release not in the manifest', manifest('d').replace('  - name: cleanup\n    release: redis', '  - name: cleanup\n    release: other'), 140002, "Job 'cleanup' (instance group 'redis-server') references an unknown release 'other'"],
    ['static IPs that do not match the instance count', manifest('d', { instances: 2, azs: ['z1'] }).replace('  networks:\n  - name: default\n  jobs:\n  - name: redis-server', '  networks:\n  - name: default\n    static_ips: [10.244.0.40]\n  jobs:\n  - name: redis-server'), 150002, "Instance group 'redis-server' has 2 instances but was allocated 1 static IPs in network 'default'"],
  ];
  for (const [what, text, code, message] of taskErrors) {
    it(`fails the task (not the request) for ${what}: code ${code}`, async () => {
      const res = await env.yaml('/deployments', text);
      expect(res.status).toBe(302);
      const id = env.taskId(res);
      const task = await env.runTask(id);
      expect(task.state).toBe('error');
      expect(task.result).toBe(message);
      const lines = task.event_output.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.at(-2)).toMatchObject({ stage: 'Preparing deployment', state: 'failed', data: { error: message } });
      expect(lines.at(-1)).toEqual({ time: expect.any(Number), error: { code, message } });
      // The row exists from the POST on, with no manifest.
      const dep = await env.call('GET', '/deployments/d');
      expect(await dep.json()).toEqual({ manifest: null });
    });
  }

  it('fails when the network has no free IPs left (130011)', async () => {
    env.bosh.control.setCloudConfig(`azs: [{name: z1}]
vm_types: [{name: default}]
disk_types: [{name: 1GB, disk_size: 1024}]
networks:
- name: default
  type: manual
  subnets:
  - {azs: [z1], range: 10.0.0.0/29, gateway: 10.0.0.1, reserved: [10.0.0.2-10.0.0.4]}
`);
    const ok = await env.runTask(env.taskId(await env.yaml('/deployments', manifest('a', { instances: 2 }))));
    expect(ok.state).toBe('done');
    expect(env.bosh.control.deployment('a')!.instances.filter((i) => i.lifecycle === 'service').map((i) => i.networks[0].ip)).toEqual(['10.0.0.5', '10.0.0.6']);
    const full = await env.runTask(env.taskId(await env.yaml('/deployments', manifest('b', { instances: 1 }))));
    expect(full.state).toBe('error');
    expect(env.lastEvent(full.id).error).toEqual({ code: 130011, message: expect.stringMatching(/^Failed to reserve IP for 'redis-server\/.+ \(0\)' for manual network 'default': no more available$/) });
    // Deleting 'a' frees its IPs for 'b'.
    await env.runTask(env.taskId(await env.call('DELETE', '/deployments/a')));
    expect((await env.runTask(env.taskId(await env.yaml('/deployments', manifest('b', { instances: 1 }))))).state).toBe('done');
  });

  it('an unknown errand is a task error 70009; an unknown deployment is a synchronous 404 70000', async () => {
    await env.runTask(env.taskId(await env.yaml('/deployments', manifest('d'))));
    const res = await env.call('POST', '/deployments/d/errands/nope/runs', env.admin, { headers: { 'content-type': 'application/json' }, body: '{}' });
    const task = await env.runTask(env.taskId(res));
    expect(task.state).toBe('error');
    expect(env.lastEvent(task.id).error).toEqual({ code: 70009, message: "Errand 'nope' doesn't exist" });
    const nf = await env.call('GET', '/deployments/ghost/vms');
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ code: 70000, description: "Deployment 'ghost' doesn't exist" });
    const badJson = await env.call('POST', '/deployments/d/errands/smoke-tests/runs', env.admin, { headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).code).toBe(710001);
    const unmatched = await env.call('POST', '/deployments/d/errands/smoke-tests/runs', env.admin, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ group: 'other' }] }),
    });
    const t2 = await env.runTask(env.taskId(unmatched));
    expect(env.lastEvent(t2.id).error).toEqual({ code: 510000, message: 'No instances match selection criteria: [other]' });
  });

  it('an instance that goes failing makes the next deploy fail at Updating instance (400007)', async () => {
    await env.runTask(env.taskId(await env.yaml('/deployments', manifest('d'))));
    env.bosh.control.setInstanceState('d', 'redis-server/0', 'failing');
    const task = await env.runTask(env.taskId(await env.yaml('/deployments', manifest('d'))));
    expect(task.state).toBe('error');
    const inst = env.bosh.control.deployment('d')!.instances[0];
    const message = `'redis-server/${inst.id} (0)' is not running after update.`;
    const lines = task.event_output.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-2)).toMatchObject({ stage: 'Updating instance', state: 'failed', data: { error: message } });
    expect(lines.at(-1).error).toEqual({ code: 400007, message });
  });
});
