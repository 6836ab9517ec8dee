/**
 * `checkAdapter`: runs a service adapter through the SDK contract and through a real lifecycle on
 * the fake director, and returns the findings as a report run.
 * @module
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { moduleRunner, type AdapterRunner } from '../broker-under-test/adapter/index.js';
import type { CaseResult, RunResult } from '../report/index.js';
import { isObj, RunContext, RunShared, type InputMode, type Obj } from './context.js';
import { CheckDirector, cloudConfigForPlans } from './director.js';
import { discoverDefaults } from './discover.js';
import { findingDetails } from './findings.js';
import { PlanLifecycle } from './lifecycle.js';
import { catalogPlans } from './odb-inputs.js';

export interface AdapterCheckOptions {
  /** Path of the adapter executable. */
  adapter: string;
  /**
   * The ODB broker config (path, or the parsed object) whose `service_deployment` and
   * `service_catalog` plans drive the check. Default: `odb-config.yml` beside the adapter, if any;
   * else (and with `false`) adapter-check's default service deployment and plans, filled in with
   * what the adapter asks for (docs/adapter-check.md, "Without a config").
   */
  config?: string | Obj | false;
  /** Only these plans (by name); default every plan of the config. */
  plans?: string[];
  /** Input modes to check; default both. */
  inputModes?: InputMode[];
  /** Kill an adapter call after this long (ms); default 30 s. */
  timeoutMs?: number;
  /** Seed of the fake foundation (ids, IPs); default `adapter-check`. */
  seed?: string;
  /**
   * How many lanes (a plan in an input mode, each on a director of its own) run at once; default
   * the number of CPUs. The report is the same whatever the number: only the wall time changes.
   */
  concurrency?: number;
  /** Called as each case ends (progress output). */
  onCase?: (c: CaseResult) => void;
  /**
   * Call the adapter in this process instead of starting it for every call: for a JavaScript
   * adapter whose module exports `invoke(argv, stdin)` resolving to `{ stdout, stderr, exitCode }`
   * (as the example adapters' SDK does). Many times faster, for an author's inner loop; what a
   * process adds (its start, its real exit status, being killed past the timeout) is then not
   * checked, so run without it before you ship.
   */
  inProcess?: boolean;
}

export const DEFAULT_CONFIG_NAMES = ['odb-config.yml', 'odb-config.yaml'];

/** The ODB config to use and where it came from; none means adapter-check's defaults. */
export function resolveConfig(adapter: string, config: AdapterCheckOptions['config']): { config?: Obj; source: string } {
  if (isObj(config)) return { config, source: '(given as an object)' };
  if (config === false) return { source: 'none (not looked for): adapter-check\'s defaults' };
  const file = typeof config === 'string' ? config : DEFAULT_CONFIG_NAMES.map((n) => path.join(path.dirname(adapter), n)).find((f) => existsSync(f));
  if (!file) return { source: `none (no --config, no ${DEFAULT_CONFIG_NAMES.join(' or ')} beside the adapter): adapter-check's defaults` };
  const doc = parseYaml(readFileSync(file, 'utf8')) as unknown;
  if (!isObj(doc)) throw new Error(`${file} is not a YAML mapping`);
  return { config: doc, source: file };
}

/** What is missing from a config for the lifecycle checks, in ODB's terms. */
export function configProblems(config: Obj): string[] {
  const out: string[] = [];
  const sd = config.service_deployment;
  if (!isObj(sd)) out.push('service_deployment is missing');
  else {
    if (!Array.isArray(sd.releases) || !sd.releases.length) out.push('service_deployment.releases is empty');
    if (!Array.isArray(sd.stemcells) || !sd.stemcells.length) out.push('service_deployment.stemcells is empty');
    for (const r of Array.isArray(sd.releases) ? sd.releases : []) if (isObj(r) && String(r.version ?? '').endsWith('latest')) out.push(`release ${String(r.name)}: version must be exact, not '${String(r.version)}'`);
  }
  if (!isObj(config.service_catalog)) out.push('service_catalog is missing');
  else if (!catalogPlans(config).length) out.push('service_catalog.plans is empty');
  return out;
}

/** Checks a service adapter; resolves to the run (never rejects for an adapter's faults). */
export async function checkAdapter(opts: AdapterCheckOptions): Promise<RunResult> {
  const started = new Date();
  const t0 = performance.now();
  const adapterPath = path.resolve(opts.adapter);
  const modes = opts.inputModes ?? ['stdin', 'legacy'];
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const cases: CaseResult[] = [];
  const push = (c: CaseResult) => {
    cases.push(c);
    opts.onCase?.(c);
  };
  const meta: Record<string, string> = { adapter: adapterPath, 'input modes': modes.join(', ') };
  const finish = (): RunResult => ({ tool: 'adapter-check', title: `adapter-check: ${path.basename(adapterPath)}`, started: started.toISOString(), duration: Math.round(performance.now() - t0), meta, cases });

  const runnable = executableProblem(adapterPath);
  if (runnable) {
    push({ id: 'adapter/executable', title: 'the adapter is an executable file', suite: 'setup', outcome: 'failed', duration: 0, tags: [], message: runnable, details: 'ODB runs service_adapter.path directly (no shell, no interpreter): it must be an executable file, with a #! line if it is a script.' });
    return finish();
  }

  let runner: AdapterRunner | undefined;
  if (opts.inProcess) {
    const problem = await invokeProblem(adapterPath);
    if (problem) {
      push({ id: 'adapter/in-process', title: 'the adapter module exports invoke(argv, stdin)', suite: 'setup', outcome: 'failed', duration: 0, tags: [], message: problem, details: 'In-process, adapter-check imports the adapter and calls its invoke(argv, stdin) (argv as process.argv would be, stdin as text), which resolves to { stdout, stderr, exitCode }. Without that export, run it as a process (no in-process option).' });
      return finish();
    }
    runner = moduleRunner((p) => (p === adapterPath ? adapterPath : undefined));
    meta['adapter calls'] = 'in-process (its invoke), not a process per call';
  }

  let resolved: { config?: Obj; source: string; unreadable?: boolean };
  try {
    resolved = resolveConfig(adapterPath, opts.config);
  } catch (err) {
    resolved = { source: `unreadable: ${(err as Error).message}`, unreadable: true };
  }
  meta.config = resolved.source;

  if (!resolved.config && !resolved.unreadable) {
    const found = await discoverDefaults(adapterPath, modes[0], timeoutMs, runner);
    push(found.result);
    if (!found.config) return finish();
    resolved.config = found.config;
  }
  const problems = resolved.config ? configProblems(resolved.config) : [resolved.source];
  if (problems.length) {
    push({
      // Failed, not skipped: a run that checked nothing must not pass in CI.
      id: 'setup/config', title: 'an ODB config with service_deployment and plans', suite: 'setup', outcome: 'failed', duration: 0, tags: [],
      message: `the lifecycle checks need an ODB broker config: ${problems.join('; ')}`,
      details: 'adapter-check deploys each plan the way ODB would, so it needs the operator\'s side: the releases and stemcell (service_deployment) and the plans (service_catalog). Pass --config FILE (an ODB broker config; bosh: and cf: are not needed), put odb-config.yml beside the adapter, or give none and let adapter-check use its defaults.',
    });
    return finish();
  }
  const config = resolved.config!;
  const all = catalogPlans(config);
  const plans = opts.plans?.length ? all.filter((p) => opts.plans!.includes(String(p.name))) : all;
  const unknown = (opts.plans ?? []).filter((n) => !all.some((p) => p.name === n));
  if (unknown.length) {
    push({ id: 'setup/plans', title: 'the plans asked for', suite: 'setup', outcome: 'failed', duration: 0, tags: [], message: `no plan named ${unknown.map((n) => `'${n}'`).join(', ')} in the config (plans: ${all.map((p) => String(p.name)).join(', ')})` });
    return finish();
  }
  meta.plans = plans.map((p) => String(p.name)).join(', ');

  // Each lane is one plan in one input mode, on a director of its own: lanes share nothing but
  // the secrets and CredHub, so they run side by side (most of a lane is waiting for the
  // adapter's processes) and each gives the same ids whatever runs beside it.
  const shared = new RunShared(config);
  const lanes = modes.flatMap((mode) => plans.map((plan) => ({ mode, plan })));
  const cloudConfig = cloudConfigForPlans(all);
  const laneCases = await settleAll(lanes.map(({ mode, plan }, k) => async () => {
    const out: CaseResult[] = [];
    const director = await CheckDirector.start(opts.seed ?? 'adapter-check');
    try {
      director.setCloudConfig(cloudConfig);
      const ctx = new RunContext(adapterPath, config, director, timeoutMs, (c) => {
        out.push(c);
        opts.onCase?.(c);
      }, shared, k, runner);
      const other = all.length > 1 ? all[(all.indexOf(plan) + 1) % all.length] : undefined;
      await new PlanLifecycle(ctx, mode, plan, other).run();
    } finally {
      await director.close();
    }
    return out;
  }), Math.max(1, Math.floor(opts.concurrency ?? availableParallelism())));
  const before = cases.length;
  for (const mode of modes) {
    lanes.forEach((lane, k) => {
      if (lane.mode === mode) cases.push(...laneCases[k]);
    });
    push(leakCase(shared, mode, adapterPath));
  }
  // Secrets learnt late (binding credentials, other lanes') are masked in every case.
  const mask = (c: CaseResult) => JSON.parse(shared.secrets.mask(JSON.stringify(c))) as CaseResult;
  for (let i = before; i < cases.length; i++) cases[i] = mask(cases[i]);
  return finish();
}

/**
 * Runs the tasks, at most `limit` at a time, and resolves to their results in order once all
 * have ended; rejects with the first error only then, so no lane is left running.
 */
async function settleAll<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]().then((value) => ({ status: 'fulfilled' as const, value }), (reason: unknown) => ({ status: 'rejected' as const, reason }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Why the module at `file` cannot be called in-process, if it cannot. */
async function invokeProblem(file: string): Promise<string | undefined> {
  try {
    const m = (await import(pathToFileURL(file).href)) as { invoke?: unknown };
    return typeof m.invoke === 'function' ? undefined : `${file} exports no invoke(argv, stdin) function`;
  } catch (err) {
    return `${file} could not be imported as a JavaScript module: ${(err as Error).message}`;
  }
}

function executableProblem(file: string): string | undefined {
  if (!existsSync(file)) return `${file} does not exist`;
  if (!statSync(file).isFile()) return `${file} is not a file`;
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return `${file} is not executable (chmod +x)`;
  }
  return undefined;
}

/** Over every failed call of a mode: stdout (shown to users) never carries a secret. */
function leakCase(ctx: RunShared, mode: InputMode, adapterPath: string): CaseResult {
  // In lane order, so "first" is the same whichever lane finished first.
  const failures = ctx.failures.filter((f) => f.mode === mode).sort((a, b) => a.lane - b.lane);
  const base = { id: `${mode}/secrets-on-failure`, title: 'failed calls keep secrets off stdout', suite: `${mode} mode › contract`, tags: [mode], duration: 0 };
  if (!failures.length) return { ...base, outcome: 'not-applicable', message: 'no adapter call failed, so there was no failure output to inspect' };
  const leaks = failures.filter((f) => ctx.secrets.foundIn(f.error.stdout).length > 0);
  if (!leaks.length) return { ...base, outcome: 'passed', message: `${failures.length} failed call(s) inspected` };
  const first = leaks[0];
  const call = first.recorder.calls.filter((c) => c.subcommand === first.error.subcommand).at(-1);
  const f = findingDetails(adapterPath, {
    message: '',
    input: `${first.recorder.title} (${first.recorder.suite})`,
    expected: 'a message for the user on stdout without any secret (details for the operator belong on stderr)',
    why: 'On a failure ODB shows the adapter\'s stdout to the Cloud Foundry user who made the request (odb-broker.md §6).',
    ...(call ? { call } : {}),
  }, ctx.secrets.mask);
  return {
    ...base,
    outcome: 'failed',
    message: `${leaks.length} failed call(s) printed a secret on stdout, first: ${first.error.subcommand} exit ${first.error.exitCode} in "${first.recorder.title}"`,
    details: ctx.secrets.mask(f.details),
    ...(f.reproduction ? { reproduction: ctx.secrets.mask(f.reproduction) } : {}),
  };
}
