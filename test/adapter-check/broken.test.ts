import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAdapter, type AdapterCheckOptions } from '../../adapter-check/index.js';
import { exampleAdapters, loadExampleOdbConfig } from '../../broker-under-test/example-adapters/index.js';
import { isGreen, type CaseResult, type RunResult } from '../../report/index.js';
import { writeBrokenAdapters, type BrokenName } from './broken-adapters.js';

/**
 * Adapters that each break one rule: adapter-check fails them, and says why in the author's words.
 * Each check is a run of its own (its own fake director, its own adapter processes), so the tests
 * run concurrently: most of a run is waiting for adapter processes, and the hanging adapter's
 * timeout is waited out beside the others.
 */

const broken = writeBrokenAdapters();
afterAll(() => broken.cleanup());

/**
 * In-process (each adapter's exported invoke), as an author's inner loop would run it: the checks
 * are the same, without a node process per call. What a process adds has its own tests: the hang
 * below, one broken adapter both ways, and the example adapters as executables (examples.test.ts).
 */
function check(name: BrokenName, opts: Partial<AdapterCheckOptions> = {}): Promise<RunResult> {
  return checkAdapter({ adapter: broken.path(name), config: exampleAdapters.redis.odbConfigPath, plans: ['cache-small'], inputModes: ['stdin'], inProcess: true, ...opts });
}
// Times aside, a run's cases: what was called, the outcomes, the findings. (Each director is a
// foundation of its own, whose host names and keys the process numbers: the journal is compared
// by request and status.)
const timeless = (run: RunResult) => run.cases.map(({ duration, journal, steps, ...c }) => ({
  ...c,
  journal: journal?.map((e) => `${e.method} ${e.path} ${e.status}`),
  steps: steps?.map(({ wallTime, wallDurationMs, ...s }) => s),
}));
const byId = (run: RunResult, id: string): CaseResult => {
  const c = run.cases.find((x) => x.id === id);
  if (!c) throw new Error(`no case ${id} in ${run.cases.map((x) => x.id).join(', ')}`);
  return c;
};
const outcomes = (run: RunResult) => Object.fromEntries(run.cases.map((c) => [c.id.split('/').slice(2).join('/') || c.id, c.outcome]));

describe.concurrent('adapter-check on broken adapters', () => {
  it('stdout polluted by a log line: generate-manifest fails with the hint, the rest is not run', async () => {
    const run = await check('bad-json');
    expect(isGreen(run)).toBe(false);
    const gen = byId(run, 'stdin/cache-small/provision/generate-manifest');
    expect(gen.outcome).toBe('failed');
    expect(gen.message).toMatch(/^generate-manifest exited 0 but ODB cannot use what it printed: an error occurred running external service adapter/);
    expect(gen.details).toContain('subcommand: generate-manifest (stdin mode)');
    expect(gen.details).toContain('input:      provision of plan \'cache-small\' (deployment service-instance_00000000-0000-4000-8000-000000000001), no previous manifest, no parameters');
    expect(gen.details).toMatch(/stdout:\n\s+Generating manifest for service-instance_00000000-0000-4000-8000-000000000001\n\s+\{"manifest":"name: /);
    expect(gen.details).toContain('log lines belong on stderr');
    // The manifest's password never reaches the report, though it was printed in an unusable form.
    expect(JSON.stringify(run)).not.toMatch(/password: '?[A-Za-z0-9_-]{32}/);
    expect(gen.reproduction).not.toMatch(/password: '?[A-Za-z0-9_-]{32}/);
    // The exact call to repeat by hand: the executable, the subcommand, stdin as a here-document.
    expect(gen.reproduction).toMatch(new RegExp(`^# secrets are masked as \\*\\*\\*\n${broken.path('bad-json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} generate-manifest <<'STDIN'\n\\{"generate_manifest":\\{"service_deployment":`));
    expect(gen.reproduction!.endsWith('\nSTDIN')).toBe(true);
    const next = byId(run, 'stdin/cache-small/provision/deploy');
    expect([next.outcome, next.message]).toEqual(['not-run', 'not reached: "01 provision: generate-manifest" failed']);
  }, 60_000);

  it('a wrong exit code: delete-binding answering 41 for a binding that exists', async () => {
    const run = await check('wrong-exit-code');
    const unbind = byId(run, 'stdin/cache-small/unbind/delete-binding');
    expect(unbind.outcome).toBe('failed');
    expect(unbind.message).toBe('delete-binding exited 41 ("binding not found"): binding not found: 00000000-0000-4000-8000-000000000002');
    expect(unbind.details).toContain('expected:   exit 0 (the binding exists: it was just made)');
    expect(unbind.details).toContain('41 → 410 Gone');
    expect(unbind.reproduction).toMatch(/ delete-binding <<'STDIN'\n\{"generate_manifest":/);
    expect(outcomes(run)).toMatchObject({ 'provision/generate-manifest': 'passed', 'bind/create-binding': 'passed', delete: 'passed' });
  }, 60_000);

  it('missing and mistyped fields in the generate-manifest document', async () => {
    const run = await check('missing-fields');
    const gen = byId(run, 'stdin/cache-small/provision/generate-manifest');
    expect(gen.outcome).toBe('failed');
    expect(gen.message).toBe('generate-manifest printed a document ODB cannot use: the field "manifest" is missing; "secrets" is an array, not an object');
    expect(gen.details).toContain('expected:   exit 0, and on stdout one JSON document {"manifest": "<BOSH manifest YAML>", "secrets": {...}, "configs": {...}}');
  }, 60_000);

  it('a manifest the director refuses: the director\'s own error, and the manifest', async () => {
    const run = await check('director-refuses');
    const deploy = byId(run, 'stdin/cache-small/provision/deploy');
    expect(deploy.outcome).toBe('failed');
    expect(deploy.message).toBe("the director refused the provision manifest: Instance group 'redis-server' references an unknown vm type 'gpu-xlarge'");
    expect(deploy.details).toContain('error 140004');
    expect(deploy.details).toContain('vm_type: gpu-xlarge');
    expect(deploy.details).toMatch(/password: '?\*\*\*'?\n/);
    expect(deploy.journal!.some((e) => e.method === 'POST' && e.path === '/deployments')).toBe(true);
    expect(byId(run, 'stdin/cache-small/bind/create-binding').outcome).toBe('not-run');
  }, 60_000);

  it('ignoring previous_manifest: the pending-changes check names what changed, without showing the secret', async () => {
    const run = await check('ignores-previous-manifest');
    const pending = byId(run, 'stdin/cache-small/update/pending-changes');
    expect(pending.outcome).toBe('failed');
    expect(pending.message).toBe('generate-manifest does not give back the deployed manifest when handed it as previous_manifest (1 change(s), first: instance_groups[name=redis-server].jobs[name=redis-server].properties.redis.password: (a secret) → (a secret))');
    expect(pending.details).toContain("ODB regenerates the manifest with the deployed plan before every update and refuses the update (\"pending changes\")");
    expect(pending.details).toContain('previous_manifest = the deployed manifest, previous_plan = plan = the deployed plan');
    expect(pending.details).not.toMatch(/password: '?[A-Za-z0-9_-]{32}/);
  }, 60_000);

  it('a secret on stdout when a call fails: the failure probe and the run-wide check both fail, the report masks it', async () => {
    const run = await check('leaks-secret');
    const probe = byId(run, 'stdin/cache-small/errors/no-vms');
    expect(probe.outcome).toBe('failed');
    expect(probe.message).toBe('create-binding exited 1 and printed a secret on stdout (shown to the Cloud Foundry user)');
    expect(probe.details).toContain('stdout: cannot bind: no VMs for redis-server (password ***)');
    const leak = byId(run, 'stdin/secrets-on-failure');
    expect(leak.outcome).toBe('failed');
    expect(leak.message).toBe('1 failed call(s) printed a secret on stdout, first: create-binding exit 1 in "12 failure: create-binding with no VMs"');
    expect(JSON.stringify(run)).not.toMatch(/password:? '?[A-Za-z0-9_-]{32}/);
  }, 60_000);

  it('binding_with_dns naming a link the manifest does not share: the bind fails before the adapter is called', async () => {
    const run = await check('unshared-link', { config: exampleAdapters.kafka.odbConfigPath, plans: ['cluster-ha'] });
    const bind = byId(run, 'stdin/cluster-ha/bind/create-binding');
    expect(bind.outcome).toBe('failed');
    expect(bind.message).toBe("the deployment has no shared link 'kafka-brokers' on instance group 'kafka', which the plan's binding_with_dns 'kafka-brokers' names");
    expect(bind.details).toContain("expected:   a job in instance group 'kafka' that provides a link named 'kafka-brokers' (its name, or `as`) with shared: true");
    expect(bind.steps).toBeUndefined();
    expect(byId(run, 'stdin/cluster-ha/unbind/delete-binding').outcome).toBe('not-applicable');
  }, 60_000);

  it('the same findings in-process as with a process per call, output written straight to stdout included', async () => {
    const [inProcess, processes] = await Promise.all([check('bad-json', { plans: ['cache-small', 'cache-large'] }), check('bad-json', { plans: ['cache-small', 'cache-large'], inProcess: false })]);
    expect(inProcess.meta!['adapter calls']).toBe('in-process (its invoke), not a process per call');
    expect(processes.meta!['adapter calls']).toBeUndefined();
    expect(timeless(inProcess)).toEqual(timeless(processes));
    expect(byId(inProcess, 'stdin/cache-large/provision/generate-manifest').details).toMatch(/stdout:\n\s+Generating manifest for /);
  }, 60_000);

  it('in-process needs a module that exports invoke: a failed setup case says so', async () => {
    const plain = path.join(path.dirname(broken.path('hangs')), 'no-invoke.mjs');
    writeFileSync(plain, '#!/usr/bin/env node\nexport const handlers = {};\n');
    chmodSync(plain, 0o755);
    const run = await checkAdapter({ adapter: plain, inProcess: true });
    expect(run.cases.map((c) => [c.id, c.outcome, c.message])).toEqual([['adapter/in-process', 'failed', `${plain} exports no invoke(argv, stdin) function`]]);
    const shell = path.join(path.dirname(plain), 'adapter.sh');
    writeFileSync(shell, '#!/bin/sh\nexit 0\n');
    chmodSync(shell, 0o755);
    const notJs = await checkAdapter({ adapter: shell, inProcess: true });
    expect(notJs.cases[0].message).toMatch(/^.*adapter\.sh could not be imported as a JavaScript module: /);
  });

  it('a call that hangs is killed after the timeout and reported', async () => {
    // As a process: one in-process cannot be killed.
    const run = await check('hangs', { timeoutMs: 1500, inProcess: false });
    const dash = byId(run, 'stdin/cache-small/provision/dashboard-url');
    expect(dash.outcome).toBe('failed');
    expect(dash.message).toBe('dashboard-url did not finish in time and was killed');
    expect(dash.details).toContain('printed:    no exit: killed after');
    expect(dash.details).toContain('ODB waits for its service adapter without a time limit');
  }, 60_000);
});

describe.concurrent('ODB-managed secrets (broker.enable_secure_manifests)', () => {
  const secure = () => {
    const config = loadExampleOdbConfig('redis');
    config.broker = { ...(config.broker as object), enable_secure_manifests: true };
    return config;
  };

  it('kept through previous_secrets: passes; the director gets CredHub paths, create-binding the values', async () => {
    const run = await check('odb-secrets', { config: secure() });
    expect(isGreen(run), run.cases.filter((c) => c.outcome !== 'passed').map((c) => `${c.outcome} ${c.title} ${c.message}`).join('\n')).toBe(true);
    // The bind passes only if create-binding got the value behind the CredHub path, and the
    // pending-changes check only if generate-manifest got it back as previous_secrets.
    expect(['01', '05', '08'].map((n) => run.cases.find((c) => c.title.startsWith(n))!.outcome)).toEqual(['passed', 'passed', 'passed']);
    const bind = byId(run, 'stdin/cache-small/bind/create-binding');
    const variables = bind.journal!.find((e) => e.path.endsWith('/variables'))!;
    expect(variables.responseBody).toContain('/odb/5c0ab6a6-8e7b-4c1e-9d53-3f1f0e0c7a11/service-instance_00000000-0000-4000-8000-000000000001/redis_password');
  }, 90_000);

  it('regenerated on every call: the pending-changes check names the secret', async () => {
    const run = await check('odb-secrets-rotating', { config: secure() });
    const pending = byId(run, 'stdin/cache-small/update/pending-changes');
    expect(pending.outcome).toBe('failed');
    expect(pending.message).toBe('generate-manifest does not give back the deployed manifest when handed it as previous_manifest (1 change(s), first: secrets.redis_password: (a secret) → (another secret))');
  }, 90_000);

  it('((odb_secret:...)) with secure manifests off: a warning at provision', async () => {
    const run = await check('odb-secrets');
    const gen = byId(run, 'stdin/cache-small/provision/generate-manifest');
    expect([gen.outcome, gen.message]).toEqual(['warned', 'the manifest refers to ((odb_secret:redis_password)) but broker.enable_secure_manifests is off: ODB deploys the reference as it is, and BOSH finds no such variable']);
  }, 90_000);
});

describe.concurrent('adapter-check setup problems', () => {
  it('no config, and an adapter that refuses the default plan without saying what it lacks: one failed case, with the call to repeat', async () => {
    const run = await checkAdapter({ adapter: broken.path('refuses-any-plan'), inputModes: ['legacy'], inProcess: true });
    expect(run.cases.map((c) => [c.id, c.outcome])).toEqual([['setup/default-config', 'failed']]);
    const setup = run.cases[0];
    expect(setup.message).toBe('no ODB config, and the adapter accepted none of the default plans adapter-check made: generate-manifest exited 1. Pass --config FILE');
    expect(setup.details).toContain('stdout: this plan is not supported');
    expect(setup.details).toContain("  1. generate-manifest with instance groups none; releases service/1.0.0 (jobs service); stemcell ubuntu-jammy/1.423: exit 1\n");
    expect(setup.details).toContain('pass --config FILE: an ODB broker config');
    expect(setup.reproduction).toMatch(/ generate-manifest '\{"deployment_name":"service-instance_0ad0c4ec-0000-4000-8000-0000000000ff"/);
    expect(run.meta!.config).toBe("none (no --config, no odb-config.yml or odb-config.yaml beside the adapter): adapter-check's defaults");
  });

  it('no config: the plans are learnt from the adapter, and the director judges the manifest it then makes', async () => {
    const run = await checkAdapter({ adapter: broken.path('director-refuses'), inputModes: ['stdin'], plans: ['small'], inProcess: true });
    const setup = byId(run, 'setup/default-config');
    expect([setup.outcome, setup.message]).toEqual(['warned', "no ODB config: checked with adapter-check's default service_deployment and plans 'small' and 'large', not the operator's (pass --config FILE for those)"]);
    expect(setup.steps!.map((s) => s.reply)).toEqual(['exit 1', 'exit 0']);
    const deploy = byId(run, 'stdin/small/provision/deploy');
    expect([deploy.outcome, deploy.message]).toEqual(['failed', "the director refused the provision manifest: Instance group 'redis-server' references an unknown vm type 'gpu-xlarge'"]);
  });

  it('lanes (a plan in an input mode) run side by side, and the report is the same as one at a time', async () => {
    // Times aside, what each lane did, its ids and the director's answers do not depend on the others.
    const opts = { adapter: broken.path('director-refuses'), config: exampleAdapters.redis.odbConfigPath, inputModes: ['stdin', 'legacy'] as const, inProcess: true };
    const [together, oneByOne] = await Promise.all([checkAdapter({ ...opts, inputModes: [...opts.inputModes], concurrency: 4 }), checkAdapter({ ...opts, inputModes: [...opts.inputModes], concurrency: 1 })]);
    expect(together.cases.map((c) => c.id)).toEqual(oneByOne.cases.map((c) => c.id));
    expect(together.cases.filter((c) => c.id.endsWith('/provision/deploy')).map((c) => [c.id, c.outcome])).toEqual([
      ['stdin/cache-small/provision/deploy', 'failed'], ['stdin/cache-large/provision/deploy', 'failed'],
      ['legacy/cache-small/provision/deploy', 'failed'], ['legacy/cache-large/provision/deploy', 'failed'],
    ]);
    expect(timeless(together)).toEqual(timeless(oneByOne));
  });

  it('a missing or non-executable adapter, and an unknown plan', async () => {
    const missing = await checkAdapter({ adapter: '/nonexistent/service-adapter' });
    expect(missing.cases.map((c) => [c.outcome, c.message])).toEqual([['failed', '/nonexistent/service-adapter does not exist']]);
    const notExec = await checkAdapter({ adapter: exampleAdapters.redis.odbConfigPath });
    expect(notExec.cases[0].message).toBe(`${exampleAdapters.redis.odbConfigPath} is not executable (chmod +x)`);
    const plan = await checkAdapter({ adapter: exampleAdapters.redis.adapterPath, plans: ['cache-huge'] });
    expect(plan.cases.map((c) => [c.outcome, c.message])).toEqual([['failed', "no plan named 'cache-huge' in the config (plans: cache-small, cache-large)"]]);
  });
});
