import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'vitest';
import type { JournalEntry } from '../../fakes/core/journal.js';
import { reusedKeys } from '../../fakes/core/keys.js';
import { Foundation, type FoundationSnapshot } from '../../fakes/foundation.js';
import type { BoshSimulator } from '../../fakes/bosh/index.js';
import type { DeploymentRecord, TaskRecord } from '../../fakes/bosh/state.js';
import type { CcDriver } from '../../fakes/cc/driver.js';
import type { App, Binding, Broker, Instance, Space } from '../../fakes/cc/model/state.js';
import type { UaaSimulator } from '../../fakes/uaa/index.js';
import type { TraceStep } from '../../report/model.js';
import { freePort } from '../targets/command.js';
import { targetFor } from '../targets/index.js';
import type { Capability, RunningBroker, Target } from '../targets/types.js';
import { currentEnvironment, type ScenarioEnvironment } from './environment.js';
import { brokerConfigFor } from './odb-config.js';
import { catalogOf, loadService, type ServiceCatalog } from './profile.js';

/** What a scenario declares about itself. */
export interface ScenarioMeta {
  /** Area, OSB version and ODB feature, e.g. `['area:lifecycle', 'osb:2.13', 'odb:provision']`. */
  tags: string[];
  /** Capabilities the target must have; without them the scenario is not applicable. */
  needs?: Capability[];
  /** Register the broker with CC and enable access before the body runs (default true). */
  register?: boolean;
  /** Start the broker before the body runs (default true; false for start-up scenarios). */
  start?: boolean;
  /**
   * Override the broker's ODB config before it starts (plans, quotas, errands, flags). An adapter
   * that replaces `service_adapter.path` may name a module running it in-process in `adapterModules`.
   */
  configure?: (config: Record<string, unknown>, adapterModules: Record<string, string>) => void;
  /** Foundation config merged over the service's (e.g. `{ bosh: { tasks: { durations: ... } } }`). */
  foundation?: Record<string, unknown>;
  /** Wall-clock limit in ms (default 60000: adapter processes are slow on a busy machine). */
  timeout?: number;
}

/** What the scenario left for the reporter (in the vitest task's meta). */
export interface ScenarioRecord {
  tags: string[];
  cell: string;
  target: string;
  outcome?: 'not-applicable' | 'warned';
  reason?: string;
  warnings: string[];
  journal: JournalEntry[];
  steps: TraceStep[];
  brokerLog?: string;
  seed: string;
}

declare module 'vitest' {
  interface TaskMeta {
    fakefoundry?: ScenarioRecord;
  }
}

/** The fixed broker name the harness registers with CC. */
export const BROKER_NAME = 'broker-under-test';

class NotApplicable extends Error {}

/**
 * One scenario's world: a fresh foundation, the broker under test, the platform driver, and
 * helpers that do what `cf` does and wait (on the virtual clock) for the outcome.
 */
export class Scenario {
  readonly f: Foundation;
  readonly cc: CcDriver;
  readonly bosh: BoshSimulator;
  readonly uaa: UaaSimulator;
  readonly env: ScenarioEnvironment;
  readonly target: Target;
  readonly catalog: ServiceCatalog;
  /** The broker's ODB config (edit it before `startBroker()` when `start: false`). */
  readonly config: Record<string, unknown>;
  /** Adapter executables the target may run in-process: path → module exporting `invoke`. */
  readonly adapterModules: Record<string, string>;
  readonly steps: TraceStep[] = [];
  readonly warnings: string[] = [];
  readonly space: Space;
  readonly app: App;
  #broker?: RunningBroker;

  constructor(init: { f: Foundation; env: ScenarioEnvironment; target: Target; config: Record<string, unknown>; adapterModules?: Record<string, string> }) {
    this.f = init.f;
    this.env = init.env;
    this.target = init.target;
    this.config = init.config;
    this.adapterModules = init.adapterModules ?? {};
    this.cc = this.f.cc.driver;
    this.bosh = this.f.bosh;
    this.uaa = this.f.uaa;
    this.catalog = catalogOf(init.config);
    this.space = this.cc.space('scenario-org', 'scenario-space');
    this.app = this.cc.app(this.space.guid, 'scenario-app');
  }

  get clock() {
    return this.f.clock;
  }
  get journal() {
    return this.f.journal;
  }
  get faults() {
    return this.f.faults;
  }

  /** The running broker (throws before `startBroker()`). */
  get broker(): RunningBroker {
    if (!this.#broker) throw new Error('the broker is not started (scenario has start: false; call s.startBroker())');
    return this.#broker;
  }

  /** Starts the broker under test with `s.config`. */
  async startBroker(): Promise<RunningBroker> {
    const broker = await this.drive(this.target.start({ f: this.f, config: this.config, steps: this.steps, adapterModules: this.adapterModules }));
    // A restarting broker runs its start-up checks, which may wait on the clock (a slow director).
    const restart = broker.restart?.bind(broker);
    if (restart) broker.restart = () => this.drive(restart());
    this.#broker = broker;
    return broker;
  }

  /** `cf create-service-broker` + `cf enable-service-access` for every plan (what register-broker does with `enable`). */
  async register(): Promise<Broker> {
    const b = this.broker;
    const registered = await this.drive(this.cc.registerBroker({ name: BROKER_NAME, url: b.url, username: b.username, password: b.password }));
    this.cc.enableAccess(this.catalog.serviceName);
    return registered;
  }

  /** Marks the scenario not applicable here, with the reason (ends the scenario). */
  notApplicable(reason: string): never {
    throw new NotApplicable(reason);
  }

  /** Ends the scenario as not applicable unless the target has these capabilities. */
  needs(...caps: Capability[]): void {
    const missing = caps.filter((c) => !this.target.capabilities.has(c));
    if (missing.length) this.notApplicable(`target ${this.target.name} lacks ${missing.join(', ')}`);
  }

  /** The scenario passes with a remark (a SHOULD not met, say). */
  warn(message: string): void {
    this.warnings.push(message);
  }

  /** A plan's name by position in the catalog, or checks that a named plan exists. */
  plan(nameOrIndex: string | number = 0): string {
    const p = typeof nameOrIndex === 'number' ? this.catalog.plans[nameOrIndex] : this.catalog.plans.find((x) => x.name === nameOrIndex);
    if (!p) throw new Error(`the service has no plan ${String(nameOrIndex)} (plans: ${this.catalog.plans.map((x) => x.name).join(', ')})`);
    return p.name;
  }

  /**
   * Awaits a platform call, moving the virtual clock whenever everything is waiting on it: CC
   * may wait on the broker (orphan mitigation after a failed bind, say) while the broker waits on
   * a BOSH task, and only the clock moves a BOSH task.
   */
  async drive<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.then(
      () => void (settled = true),
      () => void (settled = true),
    );
    const turns = this.target.network ? 5000 : 1000;
    // Time moves only after three quiet windows in a row: no new journal entry or adapter call,
    // and (in-process) no adapter process running. Work that is not waiting on the clock (a
    // token being signed, an adapter starting) must not see timeouts fire under it.
    let quiet = 0;
    let mark = '';
    while (!settled) {
      await Promise.race([done, idleTurns(turns, () => settled)]);
      if (settled) break;
      const now = `${this.f.journal.lastSeq}/${this.steps.length}`;
      const busy = !this.target.network && process.getActiveResourcesInfo().includes('ProcessWrap');
      quiet = now === mark && !busy ? quiet + 1 : 0;
      mark = now;
      if (quiet < 3) continue;
      quiet = 0;
      const next = this.f.clock.nextDueAt();
      if (next !== undefined) await this.f.clock.advanceTo(Math.max(next, this.f.clock.now()));
    }
    return work;
  }

  /** `cf create-service` and wait for the last operation to settle. Returns CC's record. */
  async provision(plan: string = this.plan(), opts: { name?: string; parameters?: Record<string, unknown>; wait?: boolean } = {}): Promise<Instance> {
    const { instance, job } = await this.drive(this.cc.createInstance({
      name: opts.name ?? `si-${this.cc.model.all('instances').length + 1}`,
      space: this.space.guid,
      plan: { offering: this.catalog.serviceName, plan },
      parameters: opts.parameters,
    }));
    if (opts.wait !== false) await this.#settle(job.guid, instance.guid);
    return this.cc.model.get('instances', instance.guid) ?? instance;
  }

  /** `cf update-service` (plan, parameters or maintenance_info) and wait. */
  async update(guid: string, a: { plan?: string; parameters?: Record<string, unknown>; maintenanceInfo?: { version: string }; wait?: boolean }): Promise<Instance | undefined> {
    const job = await this.drive(
      this.cc.updateInstance(guid, {
        plan: a.plan ? { offering: this.catalog.serviceName, plan: a.plan } : undefined,
        parameters: a.parameters,
        maintenanceInfo: a.maintenanceInfo,
      }),
    );
    if (a.wait !== false) await this.#settle(job.guid, guid);
    return this.cc.model.get('instances', guid);
  }

  /** `cf delete-service` and wait; undefined once CC has dropped the record. */
  async deprovision(guid: string, opts: { wait?: boolean } = {}): Promise<Instance | undefined> {
    const job = await this.drive(this.cc.deleteInstance(guid));
    if (opts.wait !== false) await this.#settle(job.guid, guid);
    return this.cc.model.get('instances', guid);
  }

  /** `cf bind-service` to the scenario's app. */
  async bind(instanceGuid: string, parameters?: Record<string, unknown>): Promise<Binding> {
    const { binding, job } = await this.drive(this.cc.bind(instanceGuid, this.app.guid, { parameters }));
    await this.#settle(job.guid, binding.guid);
    return this.cc.model.get('bindings', binding.guid) ?? binding;
  }

  /** `cf unbind-service`; undefined once CC has dropped the binding. */
  async unbind(bindingGuid: string): Promise<Binding | undefined> {
    const job = await this.drive(this.cc.unbind(bindingGuid));
    await this.#settle(job.guid, bindingGuid);
    return this.cc.model.get('bindings', bindingGuid);
  }

  /** Waits, as the cf CLI does, for CC's job, then for the record's last operation. */
  async #settle(jobGuid: string, recordGuid: string): Promise<void> {
    if (this.cc.model.get('jobs', jobGuid)) await this.drive(this.cc.waitForJob(jobGuid));
    await this.drive(this.cc.waitForLastOperation(recordGuid));
  }

  /**
   * Moves the clock, timer by timer (at most `maxMs` of virtual time), until `done()` holds:
   * for what happens after an operation has settled, such as CC's orphan mitigation.
   */
  async eventually(done: () => boolean, maxMs = 3600_000): Promise<void> {
    const deadline = this.f.clock.now() + maxMs;
    for (;;) {
      await this.drive(this.cc.settle());
      if (done()) return;
      const next = this.f.clock.nextDueAt();
      if (next === undefined || next > deadline) throw new Error(`not reached within ${maxMs} ms of virtual time`);
      await this.f.clock.advanceTo(Math.max(next, this.f.clock.now()));
    }
  }

  /** `cf create-service-key`; returns the key (a binding without an app) once settled. */
  async createKey(instanceGuid: string, name: string, parameters?: Record<string, unknown>): Promise<Binding> {
    const { binding, job } = await this.drive(this.cc.createKey(instanceGuid, name, { parameters }));
    await this.#settle(job.guid, binding.guid);
    return this.cc.model.get('bindings', binding.guid) ?? binding;
  }

  /** `cf delete-service-key`; undefined once CC has dropped the key. */
  async deleteKey(keyGuid: string): Promise<Binding | undefined> {
    const job = await this.drive(this.cc.deleteKey(keyGuid));
    await this.#settle(job.guid, keyGuid);
    return this.cc.model.get('bindings', keyGuid);
  }

  /** ODB's deployment name for an instance. */
  deploymentName(instanceGuid: string): string {
    return `service-instance_${instanceGuid}`;
  }

  /** The BOSH deployment of an instance, if the director has it. */
  deployment(instanceGuid: string): DeploymentRecord | undefined {
    return this.bosh.model.deployment(this.deploymentName(instanceGuid));
  }

  /** BOSH tasks, oldest first, optionally of one instance's deployment. */
  tasks(instanceGuid?: string): TaskRecord[] {
    const all = this.bosh.model.state.tasks as TaskRecord[];
    const dep = instanceGuid && this.deploymentName(instanceGuid);
    return [...all].filter((t) => !dep || t.deployment === dep).sort((a, b) => a.id - b.id);
  }

  /** Calls the broker directly, as an OSB platform would (basic auth, `X-Broker-API-Version`); drawn as a test step. */
  async osb(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const b = this.broker;
    const started = Date.now();
    // Driven: the broker may wait on the clock (a BOSH task, a latency fault) before it answers.
    const res = await this.drive(fetch(`${b.url}${path}`, {
      method,
      headers: {
        authorization: 'Basic ' + Buffer.from(`${b.username}:${b.password}`).toString('base64'),
        'x-broker-api-version': '2.17',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }));
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: the text as it came.
    }
    this.steps.push({ kind: 'osb', from: 'test', to: 'broker', label: `${method} ${path}`, reply: String(res.status), ok: res.status < 500, wallTime: started, wallDurationMs: Date.now() - started, details: { request: body, response: parsed } });
    return { status: res.status, body: parsed };
  }

  /** Runs an ODB errand through the target (needs `errand:<name>`). */
  async errand(name: string, config: Record<string, unknown>) {
    this.needs(`errand:${name}`);
    const started = Date.now();
    const r = await this.drive(this.broker.errand!(name, config));
    this.steps.push({ kind: 'errand', from: 'test', to: 'broker', label: name, reply: `exit ${r.exitCode}`, ok: r.exitCode === 0, wallTime: started, wallDurationMs: Date.now() - started, details: { stdout: r.stdout, stderr: r.stderr } });
    return r;
  }

  /** The broker's log so far ('' when it has none or never started). */
  brokerLogOrEmpty(): string {
    return this.#broker?.log() ?? '';
  }

  /** Stops the broker and closes the foundation. */
  async close(): Promise<void> {
    try {
      await this.#broker?.stop();
    } finally {
      await this.f.close();
    }
  }

  /** The broker section of the errand configs (`broker_api:`), as ODB's errands read it. */
  brokerApi(): Record<string, unknown> {
    const b = this.broker;
    return { url: b.url, authentication: { basic: { username: b.username, password: b.password } } };
  }
}

/** Resolves after this many event-loop turns (no wall-clock wait), or as soon as `stop()` holds. */
function idleTurns(n: number, stop: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    let left = n;
    const tick = () => (--left <= 0 || stop() ? resolve() : setImmediate(tick));
    setImmediate(tick);
  });
}

function mergeDeep(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && v && typeof prev === 'object' && typeof v === 'object' && !Array.isArray(prev) && !Array.isArray(v) ? mergeDeep(prev as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** Builds and starts a scenario's world: foundation, broker, registration, fault profile. */
export async function setUpScenario(env: ScenarioEnvironment, meta: Omit<ScenarioMeta, 'tags'> = {}, target: Target = targetFor(env.target)): Promise<Scenario> {
  const service = loadService(env.service);
  let config = mergeDeep(service.foundation as Record<string, unknown>, {
    bosh: { auth: { type: env.boshAuth } },
    ...(env.signingKey ? { uaa: { signing_key: env.signingKey } } : {}),
  });
  if (meta.foundation) config = mergeDeep(config, meta.foundation);
  let f: Foundation;
  let caPem: string | undefined;
  if (env.target.kind === 'url') {
    const state = JSON.parse(readFileSync(env.target.fakes.state, 'utf8')) as FoundationSnapshot;
    f = await Foundation.create({ state, config, clockMode: 'virtual' });
    caPem = (await f.listen({ ports: env.target.fakes.ports, host: env.target.fakes.host })).caPem;
  } else {
    // The CA (and, on the network, the server certificate) reuse this process's key pairs: an RSA
    // key per scenario was most of a scenario's set-up, and no scenario tests key isolation.
    f = await Foundation.create({ seed: env.seed, config, clockMode: 'virtual', keys: reusedKeys() });
    if (target.network) caPem = (await f.listen()).caPem;
    else f.mountInProcess();
  }
  try {
    const port = target.network && env.target.kind !== 'url' ? await freePort() : 8080;
    const base = service.odbConfig;
    const credentials = (base.broker as { username?: string; password?: string } | undefined) ?? {};
    const brokerConfig = await brokerConfigFor(f, base, {
      port,
      credentials: { username: credentials.username ?? 'broker', password: credentials.password ?? 'broker-password' },
      adapterInput: env.adapterInput,
      caPem,
    });
    const adapterPath = (brokerConfig.service_adapter as { path?: string } | undefined)?.path;
    const adapterModules: Record<string, string> = adapterPath && service.profile.adapterModule ? { [adapterPath]: service.profile.adapterModule } : {};
    meta.configure?.(brokerConfig, adapterModules);
    const s = new Scenario({ f, env, target, config: brokerConfig, adapterModules });
    if (meta.start !== false) {
      await s.startBroker();
      if (meta.register !== false) await s.register();
    }
    for (const rule of env.faults.rules) f.faults.add(rule);
    return s;
  } catch (err) {
    await f.close();
    throw err;
  }
}

/**
 * Declares a scenario: a vitest test that gets a fresh foundation, the broker under test
 * (registered with CC, every plan enabled), and the platform driver; its journal and adapter
 * calls go to the report, drawn as a sequence diagram.
 *
 * @example
 * ```ts
 * scenario('provision and deprovision', { tags: ['area:lifecycle', 'osb:2.13', 'odb:provision'] }, async (s) => {
 *   const si = await s.provision('cache-small');
 *   expect(si.last_operation).toMatchObject({ type: 'create', state: 'succeeded' });
 *   expect(s.deployment(si.guid)).toBeDefined();
 * });
 * ```
 */
export function scenario(title: string, meta: ScenarioMeta, body: (s: Scenario, ctx: TestContext) => Promise<void>): void {
  test(title, { tags: meta.tags, timeout: meta.timeout ?? 60_000 }, async (ctx) => {
    const env = currentEnvironment();
    const target = targetFor(env.target);
    const record: ScenarioRecord = { tags: meta.tags, cell: env.cell, target: target.name, warnings: [], journal: [], steps: [], seed: env.seed };
    ctx.task.meta.fakefoundry = record;
    const missing = (meta.needs ?? []).filter((c) => !target.capabilities.has(c));
    if (missing.length) {
      record.outcome = 'not-applicable';
      record.reason = `target ${target.name} lacks ${missing.join(', ')}`;
      ctx.skip(record.reason);
      return;
    }
    const s = await setUpScenario(env, meta, target);
    // Runs after a pass, a failure and a timeout alike, so a timed-out scenario still has its journal.
    ctx.onTestFinished(async ({ task }) => {
      record.journal = s.journal.all();
      record.steps = s.steps;
      record.warnings = s.warnings;
      if (s.warnings.length && !record.outcome) record.outcome = 'warned';
      if (task.result?.state === 'fail') record.brokerLog = s.brokerLogOrEmpty().split('\n').slice(-30).join('\n');
      await s.close();
    });
    try {
      await body(s, ctx);
    } catch (err) {
      if (!(err instanceof NotApplicable)) throw err;
      record.outcome = 'not-applicable';
      record.reason = err.message;
      ctx.skip(err.message);
    }
  });
}
