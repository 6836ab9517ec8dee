import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { moduleRunner, type AdapterRunner } from '../../broker-under-test/adapter/runner.js';
import type { TraceStep } from '../../report/model.js';
import { ERRANDS, targetName, type Capability, type ErrandResult, type RunningBroker, type StartContext, type Target } from './types.js';

/** What `createBroker` from `broker-under-test` hands back, as far as the harness uses it. */
export interface EmbeddedBroker {
  fetch(request: Request): Response | Promise<Response>;
  close?(): Promise<void> | void;
}

/** One service-adapter call as the broker reports it (`onAdapterCall`). */
export interface AdapterCallReport {
  subcommand: string;
  exitCode?: number | null;
  durationMs?: number;
  startedAt?: number;
  stdout?: string;
  stderr?: string;
  error?: string;
  [key: string]: unknown;
}

export interface EmbeddedDeps {
  fetch: typeof fetch;
  clock: { now(): number; sleep(ms: number): Promise<void> };
  logger: { log(line: string): void } | ((line: string) => void);
  onAdapterCall(call: AdapterCallReport): void;
  /** Runs the service adapter (in-process for the adapters the scenario knows to be modules). */
  adapterRunner?: AdapterRunner;
}

export type CreateBroker = (config: Record<string, unknown>, deps: EmbeddedDeps) => EmbeddedBroker | Promise<EmbeddedBroker>;

const BROKER_MODULE = new URL('../../broker-under-test/index.js', import.meta.url).href;
const ERRANDS_MODULE = new URL('../../broker-under-test/errands/index.js', import.meta.url).href;

type RunErrand = (name: string, config: Record<string, unknown>, env: { fetch: typeof fetch; clock: EmbeddedDeps['clock'] }) => Promise<ErrandResult>;

async function loadCreateBroker(module = BROKER_MODULE): Promise<CreateBroker> {
  // Loaded on first use: the reference broker is a sibling module that needs none of the harness.
  const url = /^[a-z]+:/.test(module) ? module : pathToFileURL(path.resolve(module)).href;
  const mod = (await import(/* @vite-ignore */ url)) as { createBroker?: CreateBroker };
  if (typeof mod.createBroker !== 'function') throw new Error(`${module} exports no createBroker`);
  return mod.createBroker;
}

/** An adapter call as a diagram step: broker → adapter, `generate-manifest` → `exit 0`. */
export function adapterStep(call: AdapterCallReport, now: number): TraceStep {
  const duration = call.durationMs ?? 0;
  const exit = call.exitCode;
  return {
    kind: 'adapter',
    from: 'broker',
    to: 'adapter',
    label: call.subcommand,
    reply: call.error ?? (exit === undefined ? 'done' : exit === null ? 'killed' : `exit ${exit}`),
    ok: !call.error && (exit === undefined || exit === 0),
    wallTime: call.startedAt ?? now - duration,
    wallDurationMs: duration,
    details: Object.fromEntries(Object.entries(call).filter(([k]) => k !== 'subcommand')),
  };
}

/**
 * The reference broker (`broker-under-test`) in this process: it reaches the fakes through the
 * in-process network, runs on the foundation's clock, and is served to CC with `f.mountApp`.
 * `createBroker` can be swapped (tests use a small stand-in broker).
 */
export function embeddedTarget(
  opts: { name?: string; module?: string; createBroker?: CreateBroker; capabilities?: Capability[]; adapters?: 'in-process' | 'process' } = {},
): Target {
  const adapters = opts.adapters ?? 'in-process';
  // The reference broker's errands run in-process too; another module brings only its broker.
  const errands = opts.module || opts.createBroker ? [] : ERRANDS.map((e): Capability => `errand:${e}`);
  const caps = new Set<Capability>(opts.capabilities ?? ['configurable', 'restart', 'adapter-calls', 'mgmt-api', 'startup-checks', ...errands]);
  return {
    spec: { kind: 'embedded', name: opts.name, module: opts.module, adapters: opts.adapters },
    name: targetName({ kind: 'embedded', name: opts.name, adapters }),
    capabilities: caps,
    network: false,
    async start(ctx: StartContext): Promise<RunningBroker> {
      const create = opts.createBroker ?? (await loadCreateBroker(opts.module));
      const { f, config, steps } = ctx;
      const lines: string[] = [];
      const deps: EmbeddedDeps = {
        fetch: (input, init) => globalThis.fetch(input, init),
        clock: { now: () => f.clock.now(), sleep: (ms) => f.clock.sleep(ms) },
        logger: { log: (line: string) => void lines.push(line) },
        onAdapterCall: (call) => void steps.push(adapterStep(call, Date.now())),
        ...(adapters === 'in-process' ? { adapterRunner: moduleRunner((p) => ctx.adapterModules?.[p]) } : {}),
      };
      let current: EmbeddedBroker | undefined = await create(config, deps);
      // One mount for the scenario: a stopped broker answers like a closed port.
      const url = f.mountApp('broker', (req) => (current ? current.fetch(req) : Response.error()));
      const broker = config.broker as { username: string; password: string };
      const stop = async () => {
        const b = current;
        current = undefined;
        await b?.close?.();
      };
      const running: RunningBroker = {
        url,
        username: broker.username,
        password: broker.password,
        config,
        stop,
        async restart() {
          await stop();
          current = await create(config, deps);
        },
        log: () => lines.join('\n'),
      };
      if (errands.length) {
        running.errand = async (name, errandConfig) => {
          const { runErrand } = (await import(/* @vite-ignore */ ERRANDS_MODULE)) as { runErrand: RunErrand };
          return runErrand(name, errandConfig, { fetch: deps.fetch, clock: deps.clock });
        };
      }
      return running;
    },
  };
}

