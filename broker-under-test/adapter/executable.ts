/**
 * Runs a service-adapter executable exactly as ODB does (`serviceadapter/command_runner.go` and
 * `client.go`): `<path> <subcommand> [positional args]`, with the SDK's `InputParams` JSON on stdin
 * in stdin mode, stdout and stderr captured apart, the exit code mapped to a typed error.
 * @module
 */
import { AdapterOutputError, AdapterRunError, errorForExitCode, type AdapterError } from './errors.js';
import { processRunner, type AdapterRunner, type RunResult } from './runner.js';
import type {
  AdapterCall,
  AdapterCallContext,
  AdapterCallListener,
  AdapterSubcommand,
  Binding,
  BindingParams,
  DashboardUrl,
  DashboardUrlParams,
  GenerateManifestOutput,
  GenerateManifestParams,
  Plan,
  PlanSchema,
  ServiceAdapter,
} from './types.js';
import { legacyArgs, maskText, stdinDocument, validateGeneratedManifest } from './wire.js';

/** Options of {@link executableAdapter}. */
export interface ExecutableAdapterOptions {
  /** Path of the executable (ODB's `service_adapter.path`). */
  path: string;
  /**
   * `stdin` (ODB's `broker.use_stdin: true`): one JSON document on stdin, no positional arguments.
   * `legacy`: positional arguments, and generate-manifest prints bare manifest YAML.
   */
  inputMode: 'stdin' | 'legacy';
  /** Kill the process (and its process group) after this long; default 5 minutes. ODB has no limit. */
  timeoutMs?: number;
  /** Extra environment variables, over the broker's own (which the adapter inherits, as under ODB). */
  env?: Record<string, string>;
  /** Called after every invocation, with secrets masked. */
  onCall?: AdapterCallListener;
  /**
   * How an invocation runs (default {@link processRunner}: a child process, as ODB does). A
   * harness may run JavaScript adapters in its own process with {@link moduleRunner}.
   */
  runner?: AdapterRunner;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

function adapterRunMessage(path: string, r: RunResult, timeoutMs: number): string {
  const cause = r.timedOut ? `timed out after ${timeoutMs}ms and was killed` : (r.spawnError?.message ?? 'unknown error');
  return `an error occurred running external service adapter at ${path}: '${cause}'. stdout: '${r.stdout}', stderr: '${r.stderr}'`;
}

function invalidJson(path: string, subcommand: AdapterSubcommand, r: RunResult, err: unknown): AdapterOutputError {
  return new AdapterOutputError(
    `external service adapter returned invalid JSON at ${path}: stdout: '${r.stdout}', stderr: '${r.stderr}', JSON error: '${(err as Error).message}'`,
    subcommand, r.exitCode, r.stdout, r.stderr,
  );
}

/**
 * A {@link ServiceAdapter} that runs an executable following the SDK contract.
 *
 * ```ts
 * const adapter = executableAdapter({ path: '/var/vcap/packages/odb-service-adapter/bin/service-adapter', inputMode: 'stdin' });
 * const { manifest } = await adapter.generateManifest({ serviceDeployment, plan, requestParameters: {}, previousManifest: '',
 *   previousPlan: null, previousSecrets: null, previousConfigs: null, uaaClient: null });
 * ```
 */
export function executableAdapter(opts: ExecutableAdapterOptions): ServiceAdapter {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const env = { ...process.env, ...(opts.env ?? {}) };
  const run = opts.runner ?? processRunner;

  async function invoke(
    subcommand: AdapterSubcommand,
    params: Parameters<typeof legacyArgs>[1],
    ctx: AdapterCallContext | undefined,
  ): Promise<RunResult> {
    // generate-plan-schemas passes --plan-json in legacy mode; in stdin mode every subcommand takes stdin only.
    const args = opts.inputMode === 'legacy' ? legacyArgs(subcommand, params) : [];
    const stdin = opts.inputMode === 'stdin' ? stdinDocument(subcommand, params) : undefined;
    const started = performance.now();
    const r = await run(opts.path, [subcommand, ...args], stdin, { env, timeoutMs });
    const call: AdapterCall = {
      subcommand,
      mode: opts.inputMode,
      args: args.map(maskText),
      ...(stdin !== undefined ? { stdin: maskText(stdin) } : {}),
      exitCode: r.exitCode,
      timedOut: r.timedOut,
      durationMs: Math.round(performance.now() - started),
      stdout: maskText(r.stdout),
      stderr: r.stderr,
      ...(r.inProcess ? { ranInProcess: true as const } : {}),
    };
    opts.onCall?.(call);
    if (r.exitCode === null) {
      ctx?.log?.(adapterRunMessage(opts.path, r, timeoutMs));
      throw new AdapterRunError(adapterRunMessage(opts.path, r, timeoutMs), subcommand, r.stdout, r.stderr, r.timedOut);
    }
    const err: AdapterError | undefined = errorForExitCode(subcommand, r.exitCode, r.stdout, r.stderr);
    if (err) {
      ctx?.log?.(`external service adapter exited with ${r.exitCode} at ${opts.path}: stdout: '${r.stdout}', stderr: '${r.stderr}'`);
      throw err;
    }
    ctx?.log?.(`service adapter ran ${subcommand} successfully, stderr logs: ${r.stderr}`);
    return r;
  }

  function parseJson<T>(subcommand: AdapterSubcommand, r: RunResult): T {
    try {
      return JSON.parse(r.stdout) as T;
    } catch (err) {
      throw invalidJson(opts.path, subcommand, r, err);
    }
  }

  return {
    async generateManifest(params: GenerateManifestParams, ctx?: AdapterCallContext): Promise<GenerateManifestOutput> {
      const r = await invoke('generate-manifest', params, ctx);
      let out: GenerateManifestOutput;
      if (opts.inputMode === 'stdin') {
        let parsed: Partial<GenerateManifestOutput> | null;
        try {
          parsed = JSON.parse(r.stdout) as Partial<GenerateManifestOutput> | null;
        } catch (err) {
          throw new AdapterOutputError(
            `an error occurred running external service adapter at ${opts.path}: '${(err as Error).message}'. stdout: '${r.stdout}', stderr: '${r.stderr}'`,
            'generate-manifest', r.exitCode, r.stdout, r.stderr,
          );
        }
        out = {
          manifest: typeof parsed?.manifest === 'string' ? parsed.manifest : '',
          secrets: parsed?.secrets ?? {},
          configs: parsed?.configs ?? {},
          ...(parsed?.labels ? { labels: parsed.labels } : {}),
        };
      } else {
        out = { manifest: r.stdout, secrets: {}, configs: {} };
      }
      validateGeneratedManifest(opts.path, params.serviceDeployment.deployment_name, out.manifest, r.stderr);
      return out;
    },
    async createBinding(params: BindingParams, ctx?: AdapterCallContext): Promise<Binding> {
      const r = await invoke('create-binding', params, ctx);
      const b = parseJson<Binding | null>('create-binding', r);
      return { ...(b ?? {}), credentials: b?.credentials ?? {} };
    },
    async deleteBinding(params: BindingParams, ctx?: AdapterCallContext): Promise<void> {
      await invoke('delete-binding', params, ctx);
    },
    async dashboardUrl(params: DashboardUrlParams, ctx?: AdapterCallContext): Promise<DashboardUrl> {
      const r = await invoke('dashboard-url', params, ctx);
      const d = parseJson<DashboardUrl | null>('dashboard-url', r);
      return { dashboard_url: d?.dashboard_url ?? '' };
    },
    async generatePlanSchemas(params: { plan: Plan }, ctx?: AdapterCallContext): Promise<PlanSchema> {
      const r = await invoke('generate-plan-schemas', params, ctx);
      return parseJson<PlanSchema>('generate-plan-schemas', r);
    },
  };
}
