import { describe, expect, it } from 'vitest';
import { checkAdapter } from '../../adapter-check/index.js';
import { exampleAdapters } from '../../broker-under-test/example-adapters/index.js';
import { countOutcomes, isGreen, type RunResult } from '../../report/index.js';

/**
 * The example adapters pass adapter-check cleanly: every lifecycle step, no warnings. The runs are
 * independent (a fake director each), so they run concurrently. With a config they run as ODB
 * runs them, a process per call; the runs without one, which are about learning a config from the
 * adapter, call them in-process (their exported invoke).
 */

const summary = (run: RunResult) => run.cases.map((c) => `${c.outcome} ${c.suite} › ${c.title}${c.message ? ` — ${c.message}` : ''}`);

describe.concurrent('adapter-check on the example adapters', () => {
  it('redis, plan cache-large, both input modes: all passed', async () => {
    const run = await checkAdapter({ adapter: exampleAdapters.redis.adapterPath, plans: ['cache-large'] });
    expect(isGreen(run), summary(run).join('\n')).toBe(true);
    const counts = countOutcomes(run.cases);
    expect(counts).toMatchObject({ failed: 0, warned: 0, 'not-run': 0, 'not-applicable': 0, total: 30 });
    expect(run.meta).toMatchObject({ adapter: exampleAdapters.redis.adapterPath, config: exampleAdapters.redis.odbConfigPath, plans: 'cache-large', 'input modes': 'stdin, legacy' });
    const titles = run.cases.filter((c) => c.suite === 'stdin mode › plan cache-large').map((c) => c.title);
    expect(titles).toEqual([
      '01 provision: generate-manifest',
      '02 provision: the director deploys the manifest',
      '03 provision: dashboard-url',
      '04 provision: post-deploy errands',
      '05 bind: create-binding with the VMs the director reports',
      '06 bind: a service key (no app GUID)',
      '07 catalog: generate-plan-schemas',
      '08 update: previous_manifest gives back the deployed manifest',
      '09 update: arbitrary parameters',
      '10 update: plan change',
      '11 upgrade: new release versions',
      '12 failure: create-binding with no VMs',
      '13 unbind: delete-binding',
      '14 delete: pre-delete errands, then the deployment',
    ]);
    // The adapter calls are in the report as steps, with the BOSH calls in the journal.
    const deploy = run.cases.find((c) => c.id === 'stdin/cache-large/provision/deploy')!;
    expect(deploy.journal!.map((e) => `${e.method} ${e.path}`)).toEqual(expect.arrayContaining(['POST /deployments', 'GET /tasks', 'GET /tasks/1']));
    const gen = run.cases.find((c) => c.id === 'stdin/cache-large/provision/generate-manifest')!;
    expect(gen.steps!.map((s) => [s.label, s.reply])).toEqual([['generate-manifest', 'exit 0']]);
    // Secrets are masked in what the report keeps of each call.
    expect(String(gen.steps![0].details!.stdout)).toMatch(/password: '?\*\*\*/);
    // Nor do they travel in the journal (the manifest POSTed to the director, read back at bind).
    expect(deploy.journal!.find((e) => e.path === '/deployments')!.requestBody).toMatch(/password: '?\*\*\*'?\n/);
    expect(JSON.stringify(run)).not.toMatch(/password: '?[A-Za-z0-9_-]{32}/);
  }, 120_000);

  it('kafka, both plans, stdin mode: all passed (plan changes, smoke tests after each deploy, binding_with_dns)', async () => {
    const run = await checkAdapter({ adapter: exampleAdapters.kafka.adapterPath, config: exampleAdapters.kafka.odbConfigPath, inputModes: ['stdin'] });
    expect(isGreen(run), summary(run).join('\n')).toBe(true);
    expect(countOutcomes(run.cases)).toMatchObject({ passed: 29, total: 29 });
    const change = run.cases.find((c) => c.id === 'stdin/cluster-small/update/plan-change')!;
    expect(change.journal!.filter((e) => e.method === 'POST').map((e) => e.path)).toEqual(['/deployments', '/deployments/service-instance_00000000-0000-4000-8000-000000000001/errands/smoke-tests/runs']);
    // Going from three brokers to one is refused, and the user is told why.
    const shrink = run.cases.find((c) => c.id === 'stdin/cluster-ha/update/plan-change')!;
    expect(shrink.message).toBe("plan change to 'cluster-small' refused, telling the user: cannot migrate to a smaller plan: choose a plan with at least as many kafka and zookeeper instances");
    // cluster-ha has binding_with_dns: ODB's link calls, then the address handed to create-binding.
    const bind = run.cases.find((c) => c.id === 'stdin/cluster-ha/bind/create-binding')!;
    expect(bind.journal!.map((e) => `${e.method} ${e.path}`)).toEqual(expect.arrayContaining(['GET /link_providers', 'POST /links', 'GET /link_address', expect.stringMatching(/^DELETE \/links\/\d+$/)]));
    // cluster-ha is the run's second lane: its ids are the lane's own (8001), whatever ran beside it.
    const stdin = JSON.parse(String(bind.steps![0].details!.stdin));
    expect(JSON.parse(stdin.create_binding.dns_addresses)).toEqual({ 'kafka-brokers': 'q-s0.kafka.default.service-instance-00000000-0000-4000-8001-000000000001.bosh' });
  }, 180_000);
});

describe.concurrent('adapter-check on the example adapters without a config', () => {
  /** Every case but the setup one passed; what the defaults leave out (errands) is not applicable. */
  const lifecycleOutcomes = (run: RunResult) => countOutcomes(run.cases.filter((c) => c.suite !== 'setup'));

  it('redis, legacy mode, plan small: the instance group it asks for, then every lifecycle step', async () => {
    const run = await checkAdapter({ adapter: exampleAdapters.redis.adapterPath, config: false, inputModes: ['legacy'], plans: ['small'], inProcess: true });
    expect(isGreen(run), summary(run).join('\n')).toBe(true);
    expect(run.meta).toMatchObject({ config: "none (not looked for): adapter-check's defaults", plans: 'small' });
    const setup = run.cases.find((c) => c.id === 'setup/default-config')!;
    expect(setup.outcome).toBe('warned');
    expect(setup.details).toContain('learnt from the adapter: instance groups redis-server; releases service/1.0.0 (jobs redis-server); stemcell ubuntu-jammy/1.423');
    expect(setup.details).toContain("the config used (save it as odb-config.yml beside the adapter and edit it, or pass it with --config):\nservice_deployment:\n  releases:\n    - name: service\n      version: 1.0.0\n      jobs:\n        - redis-server\n");
    // The adapter's own wording, on stderr, is what it was learnt from.
    expect(setup.steps![0].details!.stderr).toContain("Invalid instance group configuration: expected to find: 'redis-server' in list: ''");
    expect(JSON.stringify(run)).not.toMatch(/password: '?[A-Za-z0-9_-]{32}/);
    expect(lifecycleOutcomes(run)).toMatchObject({ failed: 0, warned: 0, 'not-run': 0, 'not-applicable': 1, passed: 14, total: 15 });
    expect(run.cases.filter((c) => c.outcome === 'not-applicable').map((c) => `${c.suite} › ${c.title}: ${c.message}`)).toEqual([
      "legacy mode › plan small › 04 provision: post-deploy errands: plan 'small' has no post-deploy errands",
    ]);
    // The plan change goes to the other default plan, whose resources the director has too.
    const change = run.cases.find((c) => c.id === 'legacy/small/update/plan-change')!;
    expect(change.journal!.find((e) => e.method === 'POST' && e.path === '/deployments')!.requestBody).toContain('vm_type: large');
  }, 120_000);

  it('kafka, stdin mode, plan large: both instance groups it asks for, joined by their link on the director', async () => {
    const run = await checkAdapter({ adapter: exampleAdapters.kafka.adapterPath, config: false, inputModes: ['stdin'], plans: ['large'], inProcess: true });
    expect(isGreen(run), summary(run).join('\n')).toBe(true);
    const setup = run.cases.find((c) => c.id === 'setup/default-config')!;
    expect(setup.details).toContain('learnt from the adapter: instance groups zookeeper, kafka; releases service/1.0.0 (jobs zookeeper, kafka)');
    expect(lifecycleOutcomes(run)).toMatchObject({ failed: 0, warned: 0, 'not-run': 0, 'not-applicable': 1, passed: 14, total: 15 });
    const deploy = run.cases.find((c) => c.id === 'stdin/large/provision/deploy')!;
    expect(deploy.outcome).toBe('passed');
    expect(deploy.journal!.find((e) => e.method === 'POST' && e.path === '/deployments')!.requestBody).toMatch(/consumes:\n\s+zookeeper:\n\s+from: zookeeper-conn/);
    const change = run.cases.find((c) => c.id === 'stdin/large/update/plan-change')!;
    expect([change.outcome, change.message]).toEqual(['passed', undefined]);
  }, 180_000);
});

