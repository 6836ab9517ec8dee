import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadConfigFile, parseConfigText } from '../../fakes/core/config.js';
import { STEMCELL, groupsManifest, instanceGroup } from './helpers.js';
import { inProcess } from './inprocess.js';

type Env = Awaited<ReturnType<typeof inProcess>>;

const RELEASE = {
  name: 'dummy',
  version: '1',
  // `health-check` and `dummy_errand` have bin/run; `dummy` and `plain-job` do not.
  jobs: ['dummy', 'plain-job', { name: 'health-check', errand: true }, { name: 'dummy_errand', errand: true }],
};

const group = (name: string, jobs: string[], opts: { instances?: number; lifecycle?: string; azs?: string[] } = {}) => instanceGroup(name, jobs, { ...opts, release: 'dummy' });

const MANIFEST = groupsManifest('d', RELEASE, [
  group('dummy', ['dummy', 'health-check', 'plain-job'], { instances: 2, azs: ['z1', 'z2'] }),
  group('dummy-errand', ['dummy_errand'], { lifecycle: 'errand' }),
  group('health-check', ['dummy_errand'], { lifecycle: 'errand' }),
  group('plain', ['dummy']),
  group('empty-errand', ['dummy'], { lifecycle: 'errand', instances: 0 }),
]);

const AMBIGUOUS =
  "Ambiguous request: the requested errand name 'health-check' matches both a job name and an errand instance group name. Executing errand on all relevant instances with job 'health-check'.";
const PARALLEL = 'Executing errand on multiple instances in parallel. Use the `--instance` flag to run the errand on a single instance.';

/** Running errands as `errand_provider.rb` resolves them: by job name first, then by errand instance group name. */
describe('errands', () => {
  let env: Env;
  const setup = async (config: Record<string, unknown> = {}) => {
    env = await inProcess('errands', config);
    env.bosh.control.seedRelease(RELEASE);
    env.bosh.control.seedStemcell(STEMCELL);
    const deploy = await env.runTask(env.taskId(await env.yaml('/deployments', MANIFEST)));
    expect(deploy.state).toBe('done');
    return env;
  };
  afterEach(async () => env.f.close());

  const run = async (errand: string, body: unknown = {}) => {
    const res = await env.call('POST', `/deployments/d/errands/${errand}/runs`, env.admin, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const task = await env.runTask(env.taskId(res));
    const lines = task.event_output.trim().split('\n').map((l) => JSON.parse(l));
    const results = task.result_output.trim() ? task.result_output.trim().split('\n').map((l) => JSON.parse(l)) : [];
    return { task, lines, results, error: lines.at(-1).error, warnings: lines.filter((l) => l.type === 'warning').map((l) => l.message) };
  };
  const slugOf = (g: string, index: number) => {
    const i = env.bosh.control.deployment('d')!.instances.find((x) => x.group === g && x.index === index)!;
    return { group: g, id: i.id };
  };

  it('lists the errand instance groups, then every job with bin/run in any group, once each', async () => {
    await setup();
    expect(await (await env.call('GET', '/deployments/d/errands')).json()).toEqual([
      { name: 'dummy-errand' },
      { name: 'health-check' },
      { name: 'empty-errand' },
      { name: 'dummy_errand' },
    ]);
  });

  it('runs a job name in every group that holds it: an errand group runs its first instance', async () => {
    await setup();
    const { task, lines, results, warnings } = await run('dummy_errand');
    expect(task).toMatchObject({ state: 'done', result: '2 succeeded, 0 errored, 0 canceled' });
    expect(warnings).toEqual([]);
    expect(results.map((r) => r.instance)).toEqual([slugOf('dummy-errand', 0), slugOf('health-check', 0)]);
    expect(results.map((r) => r.errand_name)).toEqual(['dummy_errand', 'dummy_errand']);
    expect(lines.filter((l) => l.state === 'started').map((l) => l.stage)).toEqual([
      'Preparing deployment',
      'Creating missing vms',
      'Creating missing vms',
      'Running errand',
      'Running errand',
      'Fetching logs',
      'Fetching logs',
      'Deleting errand instances',
      'Deleting errand instances',
    ]);
  });

  it('runs a job without bin/run by name too (the job name wins over any group)', async () => {
    await setup();
    const { task, results } = await run('plain-job');
    expect(task.result).toBe('2 succeeded, 0 errored, 0 canceled');
    expect(results.map((r) => r.instance)).toEqual([slugOf('dummy', 0), slugOf('dummy', 1)]);
  });

  it('warns in the event log when the name is both a job and a group, and when it runs on several instances', async () => {
    await setup();
    const { task, lines, results } = await run('health-check');
    expect(task.state).toBe('done');
    // The job in the service group wins; both warnings sit inside the "Preparing deployment" step.
    expect(results.map((r) => r.instance)).toEqual([slugOf('dummy', 0), slugOf('dummy', 1)]);
    expect(lines.slice(0, 4).map((l) => [l.stage ?? l.type, l.state ?? l.message])).toEqual([
      ['Preparing deployment', 'started'],
      ['warning', AMBIGUOUS],
      ['warning', PARALLEL],
      ['Preparing deployment', 'finished'],
    ]);
    expect(lines.map((l) => l.stage)).not.toContain('Creating missing vms');
    const one = await run('health-check', { instances: [{ group: 'dummy', id: '1' }] });
    expect(one.warnings).toEqual([AMBIGUOUS]);
    expect(one.results.map((r) => r.instance)).toEqual([slugOf('dummy', 1)]);
    // `first` is the group's instance with the lowest id.
    const first = await run('health-check', { instances: [{ group: 'dummy', id: 'first' }] });
    const lowest = [slugOf('dummy', 0), slugOf('dummy', 1)].sort((a, b) => (a.id < b.id ? -1 : 1))[0];
    expect(first.results.map((r) => r.instance)).toEqual([lowest]);
  });

  it('skips, with a warning, a service instance that has no VM', async () => {
    await setup();
    const inst = env.bosh.control.deployment('d')!.instances.find((i) => i.group === 'dummy' && i.index === 1)!;
    const stop = await env.call('POST', `/deployments/d/instance_groups/dummy/${inst.id}/actions/stop?hard=true`);
    expect((await env.runTask(env.taskId(stop))).state).toBe('done');
    const { task, results, warnings } = await run('plain-job');
    expect(task.result).toBe('1 succeeded, 0 errored, 0 canceled');
    expect(results.map((r) => r.instance)).toEqual([slugOf('dummy', 0)]);
    expect(warnings).toEqual([PARALLEL, `Skipping instance: dummy/${inst.id} (1) no matching VM reference was found`]);
  });

  it('falls back to a lifecycle errand group of that name, which refuses instance filters', async () => {
    await setup();
    const { task, results, warnings } = await run('dummy-errand');
    expect(task.result).toBe('1 succeeded, 0 errored, 0 canceled');
    expect(warnings).toEqual([]);
    expect(results).toEqual([expect.objectContaining({ instance: slugOf('dummy-errand', 0), errand_name: 'dummy-errand' })]);
    const filtered = await run('dummy-errand', { instances: [{ group: 'dummy-errand' }] });
    expect([filtered.task.state, filtered.error]).toEqual(['error', { code: 510000, message: 'Filtering by instances is not supported when running errand by instance group name' }]);
  });

  it('refuses a service group name, an errand group with no instances, and an unknown name', async () => {
    await setup();
    expect((await run('plain')).error).toEqual({
      code: 510000,
      message: "Instance group 'plain' is not an errand. To mark an instance group as an errand set its lifecycle to 'errand' in the deployment manifest.",
    });
    expect((await run('empty-errand')).error).toEqual({ code: 70001, message: "Instance 'd/empty-errand/0' doesn't exist" });
    expect((await run('nope')).error).toEqual({ code: 70009, message: "Errand 'nope' doesn't exist" });
  });

  it('a script without a deployment answers for any deployment; one naming the deployment wins', async () => {
    await setup();
    env.bosh.control.scriptErrand({ errand: 'dummy-errand', exit_code: 1, stdout: 'any\n' });
    expect((await run('dummy-errand')).results[0]).toMatchObject({ exit_code: 1, stdout: 'any\n' });
    env.bosh.control.scriptErrand({ deployment: 'd', errand: 'dummy-errand', exit_code: 0, stdout: 'mine\n', times: 1 });
    expect((await run('dummy-errand')).results[0]).toMatchObject({ exit_code: 0, stdout: 'mine\n' });
    expect((await run('dummy-errand')).results[0]).toMatchObject({ exit_code: 1, stdout: 'any\n' });
    // Over HTTP the deployment is optional too.
    const ctl = await fetch(`${env.urls.bosh}/_fakefoundry/bosh/errands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errand: 'dummy_errand', exit_code: 3, stderr: 'e', times: 1 }),
    });
    expect(ctl.status).toBe(204);
    const ran = await run('dummy_errand');
    expect(ran.task.result).toBe('0 succeeded, 2 errored, 0 canceled');
    expect(ran.results.map((r) => [r.exit_code, r.stderr])).toEqual([
      [3, 'e'],
      [3, 'e'],
    ]);
  });

  it('serves the foundation config\'s default errand results when no test scripted one', async () => {
    const config = parseConfigText(`bosh:
  errands:
    - {name: dummy-errand, exit_code: 0, stdout: "smoke tests passed\\n"}
    - {name: dummy_errand, exit_code: 2, stderr: boom}
`);
    await setup(config);
    expect((await run('dummy-errand')).results).toEqual([expect.objectContaining({ exit_code: 0, stdout: 'smoke tests passed\n', stderr: '' })]);
    expect((await run('dummy_errand')).task.result).toBe('0 succeeded, 2 errored, 0 canceled');
    env.bosh.control.scriptErrand({ errand: 'dummy_errand', exit_code: 0, times: 1 });
    expect((await run('dummy_errand')).task.result).toBe('2 succeeded, 0 errored, 0 canceled');
    expect((await run('health-check')).results[0]).toMatchObject({ exit_code: 0, stdout: '' });
  });

  it('reads default errand results from the example config file', async () => {
    const config = loadConfigFile(path.resolve(import.meta.dirname, '../../examples/foundation.yaml'));
    env = await inProcess('errands-example', { bosh: config.bosh });
    expect(env.bosh.config.errands).toEqual([
      { name: 'smoke-tests', exit_code: 0, stdout: 'smoke tests passed\n', stderr: '' },
      { name: 'upgrade-all-service-instances', exit_code: 0, stdout: '[upgrade-all] FINISHED UPGRADES\n', stderr: '' },
    ]);
  });
});
