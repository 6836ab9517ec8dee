/**
 * `createBroker`: an ODB-compatible on-demand broker from an ODB config, run in-process (its `fetch`
 * handler) or on a port. It runs ODB's startup checks first, and keeps no state of its own.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { executableAdapter } from './adapter/executable.js';
import { inProcessAdapter, type InProcessAdapterImpl } from './adapter/in-process.js';
import type { AdapterRunner } from './adapter/runner.js';
import type { AdapterCallListener, ServiceAdapter } from './adapter/types.js';
import { BoshClient } from './clients/bosh.js';
import { CcClient } from './clients/cc.js';
import { UaaClients } from './clients/uaa-clients.js';
import type { BrokerConfig } from './config/types.js';
import { validateConfig } from './config/validate.js';
import { Logger, type LogSink } from './log.js';
import type { Deps } from './ops/deps.js';
import { brokerApp } from './osb/app.js';
import { realClock, tlsFetch, type BrokerClock, type FetchLike } from './runtime.js';
import { runStartupChecks } from './startup.js';

/** Options of {@link createBroker}. */
export interface CreateBrokerOptions {
  /**
   * The fetch for BOSH, UAA and CC. Default: undici with ODB's trust rules (`bosh.root_ca_cert` as
   * the only root for the director; system roots plus `cf.root_ca_cert` for CC and UAA). In-process
   * against mounted fakes, pass `globalThis.fetch` (msw intercepts only that one).
   */
  fetch?: FetchLike;
  /** Time (task polling, token expiry, log stamps); a harness may drive it virtually. */
  clock?: BrokerClock;
  /** Where log lines go (default: stdout): a function, or an object with `log(line)`. */
  logger?: LogSink | { log(line: string): void };
  /** Called after each adapter invocation (subcommand, masked args/stdin, exit code, duration). */
  onAdapterCall?: AdapterCallListener;
  /** A TypeScript adapter run in-process instead of `service_adapter.path`. */
  adapter?: InProcessAdapterImpl;
  /** Any other {@link ServiceAdapter} (takes precedence over `adapter` and the path). */
  serviceAdapter?: ServiceAdapter;
  /** Kill an adapter executable after this long (default 5 minutes). */
  adapterTimeoutMs?: number;
  /** Extra environment for the adapter executable. */
  adapterEnv?: Record<string, string>;
  /**
   * How `service_adapter.path` is run (default: a process per call, as ODB does). A harness can pass
   * `moduleRunner(...)` to call JavaScript adapters that export `invoke` in this process.
   */
  adapterRunner?: AdapterRunner;
  /** Request and context ids (default: random UUIDs). */
  newId?: () => string;
}

/** A running broker. */
export interface Broker {
  readonly config: BrokerConfig;
  /** The whole HTTP API (OSB and `/mgmt`) as a fetch handler, for in-process use. */
  fetch(request: Request): Promise<Response>;
  /** Serves the API on `port` (default `broker.port`; 0 for any free port), over HTTPS with `broker.tls`. */
  listen(opts?: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  /**
   * Runs one of ODB's errands (`register-broker`, `upgrade-all-service-instances`, ...) with this
   * broker's fetch and clock; `config` is the errand's own config (ODB format).
   */
  errand(name: string, config: Record<string, unknown>, opts?: { brokerName?: string }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Stops listening and releases connections. */
  close(): Promise<void>;
}

/**
 * Validates the config (ODB's messages), runs ODB's startup checks against BOSH and CC, and returns
 * the broker. Rejects with `ConfigError` or `StartupError`.
 *
 * ```ts
 * const broker = await createBroker(config, { fetch: globalThis.fetch, clock: f.clock });
 * f.mountApp('broker', broker.fetch);
 * ```
 */
export async function createBroker(rawConfig: BrokerConfig | Record<string, unknown>, opts: CreateBrokerOptions = {}): Promise<Broker> {
  const inProcess = !!(opts.adapter || opts.serviceAdapter);
  const config = validateConfig(rawConfig, { inProcessAdapter: inProcess });
  const clock = opts.clock ?? realClock;
  const sink: LogSink =
    typeof opts.logger === 'function'
      ? opts.logger
      : opts.logger
        ? (line) => (opts.logger as { log(line: string): void }).log(line)
        : (line) => process.stdout.write(`${line}\n`);
  const logger = new Logger(sink, clock);
  const closers: (() => Promise<void>)[] = [];

  let boshFetch = opts.fetch;
  let cfFetch = opts.fetch;
  if (!boshFetch || !cfFetch) {
    const b = tlsFetch({ ca: config.bosh.root_ca_cert || undefined, onlyRoots: true });
    const c = tlsFetch({ ca: config.cf?.root_ca_cert || undefined, insecure: !!config.broker.disable_ssl_cert_verification });
    closers.push(b.close, c.close);
    boshFetch = b.fetch;
    cfFetch = c.fetch;
  }

  const bosh = new BoshClient(config.bosh, boshFetch, clock);
  const cc = config.broker.disable_cf_startup_checks || !config.cf ? undefined : new CcClient(config.cf, cfFetch, clock);
  const cfAuth = config.cf?.uaa?.authentication;
  const uaaClients =
    cc && config.cf?.uaa?.client_definition && cfAuth?.client_credentials?.client_id
      ? new UaaClients(config.cf.uaa.client_definition, config.cf, cfFetch, clock)
      : undefined;
  let siApiFetch: FetchLike | undefined;
  const siApi = config.service_instances_api;
  if (siApi?.url) {
    if (opts.fetch) siApiFetch = opts.fetch;
    else {
      const t = tlsFetch({ ca: siApi.root_ca_cert || undefined, insecure: !!siApi.disable_ssl_cert_verification });
      closers.push(t.close);
      siApiFetch = t.fetch;
    }
  }
  const adapter =
    opts.serviceAdapter ??
    (opts.adapter
      ? inProcessAdapter(opts.adapter, { onCall: opts.onAdapterCall })
      : executableAdapter({
          path: config.service_adapter.path ?? '',
          inputMode: config.broker.use_stdin ? 'stdin' : 'legacy',
          timeoutMs: opts.adapterTimeoutMs,
          env: opts.adapterEnv,
          onCall: opts.onAdapterCall,
          runner: opts.adapterRunner,
        }));

  logger.log('Starting broker');
  await runStartupChecks(config, bosh, cc).catch(async (err) => {
    await Promise.all(closers.map((c) => c()));
    throw err;
  });

  const deps: Deps = { config, bosh, cc, uaaClients, siApiFetch, adapter, logger, clock, newId: opts.newId ?? randomUUID, locks: new Map() };
  const app = brokerApp(deps);
  const servers: { close(cb: () => void): void; closeAllConnections?: () => void }[] = [];

  return {
    config,
    fetch: async (request) => app.fetch(request),
    async listen(listenOpts = {}) {
      const port = listenOpts.port ?? config.broker.port;
      const tls = config.broker.tls;
      const useTls = !!(tls?.cert_file && tls?.key_file);
      const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
        const s = serve(
          {
            fetch: app.fetch,
            port,
            hostname: listenOpts.host ?? '0.0.0.0',
            ...(useTls
              ? { createServer: createHttpsServer, serverOptions: { cert: readFileSync(tls!.cert_file!), key: readFileSync(tls!.key_file!), minVersion: 'TLSv1.2' as const } }
              : {}),
          },
          () => resolve(s),
        );
      });
      servers.push(server as never);
      const actual = (server.address() as AddressInfo).port;
      logger.log(`Listening on :${actual}`);
      return { url: `${useTls ? 'https' : 'http'}://127.0.0.1:${actual}`, port: actual };
    },
    async errand(name, errandConfig, errandOpts = {}) {
      const { runErrand, ERRAND_NAMES } = await import('./errands/index.js');
      if (!(ERRAND_NAMES as readonly string[]).includes(name)) throw new Error(`unknown errand: ${name}`);
      return runErrand(name as (typeof ERRAND_NAMES)[number], errandConfig, { fetch: opts.fetch, clock }, errandOpts);
    },
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections?.();
              s.close(() => resolve());
            }),
        ),
      );
      await Promise.all(closers.map((c) => c()));
    },
  };
}
