import type { Foundation } from '../../fakes/foundation.js';
import type { TraceStep } from '../../report/model.js';
import { ERRAND_NAMES } from '../../broker-under-test/errands/names.js';

/**
 * What a target can do. A scenario lists what it needs; on a target without it the scenario is
 * reported `not-applicable` with the reason.
 *
 * - `configurable`: the harness writes the broker's config (BOSH auth, adapter input mode, catalog);
 * - `restart`: the harness can stop and start the broker mid-operation;
 * - `adapter-calls`: the harness sees each service-adapter call (drawn in the diagrams);
 * - `mgmt-api`: the broker serves ODB's `/mgmt/...` endpoints;
 * - `errand:<name>`: the harness can run that ODB errand (`register-broker`, `deregister-broker`,
 *   `upgrade-all-service-instances`, `recreate-all-service-instances`,
 *   `delete-all-service-instances`, `orphan-deployments`);
 * - `startup-checks`: a broker start that fails is observable (exit or error, with its message).
 */
export type Capability =
  | 'configurable'
  | 'restart'
  | 'adapter-calls'
  | 'mgmt-api'
  | 'startup-checks'
  | `errand:${string}`
  | (string & {});

/** The ODB errands, by the names of their binaries. */
export const ERRANDS = ERRAND_NAMES;

/** Where the broker under test comes from (plain data: it travels from the CLI to the workers). */
export type TargetSpec =
  | {
      kind: 'embedded';
      name?: string;
      /**
       * A module exporting `createBroker(config, deps)` (default: fakefoundry's reference broker,
       * `broker-under-test`): any TypeScript or JavaScript broker can run in-process this way.
       */
      module?: string;
      /**
       * How the broker runs its service adapter: `in-process` (default) calls a JavaScript adapter
       * that exports `invoke` (the service profile's `adapterModule`) without starting a process;
       * any other adapter, and every adapter with `process`, runs as a process per call, as ODB does.
       */
      adapters?: 'in-process' | 'process';
    }
  | {
      kind: 'command';
      name?: string;
      /** The broker's command line; `{config}` is replaced by the path of the generated ODB config. */
      command: string;
      /** Errand command lines by errand name, `{config}` replaced by the errand's generated config. */
      errands?: Record<string, string>;
      /** Extra capabilities the broker has (e.g. `mgmt-api`). `configurable` and `restart` are given. */
      capabilities?: Capability[];
      /** Working directory (default: the current one). */
      cwd?: string;
      /** How long to wait for the broker to answer `/v2/catalog` (real ms, default 20000). */
      startTimeoutMs?: number;
    }
  | {
      kind: 'url';
      name?: string;
      /** A broker already running, pointed at a `fakefoundry up` started with the `fakes` options. */
      url: string;
      username: string;
      password: string;
      capabilities?: Capability[];
      /**
       * How to bring up the fakes this broker was configured against: the `up --state` file (same
       * CA, keys and credentials) and ports. Each scenario starts them afresh from that state.
       */
      fakes: { state: string; ports: Partial<Record<'uaa' | 'bosh' | 'cc', number>>; host?: string };
    };

/** Errand results, as the errand binary would report them. */
export interface ErrandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A broker the harness started (or reached) for one scenario. */
export interface RunningBroker {
  /** Where CC reaches it. */
  url: string;
  username: string;
  password: string;
  /** The ODB-format config it runs with (undefined when the harness does not know it: `url`). */
  config?: Record<string, unknown>;
  /** Stops it and starts it again with the same config (targets with `restart`). */
  restart?(): Promise<void>;
  /** Stops it (a stopped broker refuses connections). */
  stop(): Promise<void>;
  /** Runs an ODB errand with a config object (targets with `errand:<name>`). */
  errand?(name: string, config: Record<string, unknown>): Promise<ErrandResult>;
  /** The broker's log so far (shown when a scenario fails). */
  log(): string;
}

/** What a target needs to start a broker for a scenario. */
export interface StartContext {
  f: Foundation;
  /** The ODB-format config, with `bosh:` and `cf:` pointing at `f`. */
  config: Record<string, unknown>;
  /** Non-HTTP steps go here (adapter calls). */
  steps: TraceStep[];
  /**
   * Adapter executables that can run in-process: executable path → module exporting
   * `invoke(argv, stdin)`. Targets that start brokers in other processes ignore it.
   */
  adapterModules?: Readonly<Record<string, string>>;
}

/** A kind of broker under test. */
export interface Target {
  readonly spec: TargetSpec;
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability>;
  /** Whether the fakes must listen on real ports (brokers in other processes) or stay in-process. */
  readonly network: boolean;
  start(ctx: StartContext): Promise<RunningBroker>;
}

/** A target's name: its own, or its kind (`embedded-process` for the embedded broker with adapters as processes). */
export function targetName(spec: TargetSpec): string {
  return spec.name ?? (spec.kind === 'embedded' && spec.adapters === 'process' ? 'embedded-process' : spec.kind);
}
