/**
 * Service adapters written in TypeScript and run in the broker's process, held to the same contract
 * as executables: the same manifest checks, the same typed errors, the same call reports.
 * @module
 */
import { stringify as stringifyYaml } from 'yaml';
import {
  AdapterError,
  ExitCode,
  NotImplementedError,
  UnknownFailureError,
  exitCodeOf,
} from './errors.js';
import type {
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
import { legacyArgs, maskText, validateGeneratedManifest } from './wire.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * A service adapter as TypeScript functions. Only `generateManifest` is required; a missing method
 * behaves as an executable exiting 10 (not implemented).
 *
 * To fail as the SDK's exit codes do, throw `new BindingAlreadyExistsError(...)`,
 * `AppGuidNotProvidedError` or `BindingNotFoundError`; any other thrown `Error` is exit 1, and its
 * message is what the CF user sees (as the SDK writes `err.Error()` to stdout).
 */
export interface InProcessAdapterImpl {
  /** The manifest may be YAML text or an object (serialised to YAML). */
  generateManifest(
    params: GenerateManifestParams,
  ): MaybePromise<Omit<GenerateManifestOutput, 'manifest' | 'secrets' | 'configs'> & {
    manifest: string | Record<string, unknown>;
    secrets?: Record<string, unknown>;
    configs?: Record<string, string>;
  }>;
  createBinding?(params: BindingParams): MaybePromise<Binding>;
  deleteBinding?(params: BindingParams): MaybePromise<void>;
  dashboardUrl?(params: DashboardUrlParams): MaybePromise<DashboardUrl>;
  generatePlanSchemas?(params: { plan: Plan }): MaybePromise<PlanSchema>;
}

/** Options of {@link inProcessAdapter}. */
export interface InProcessAdapterOptions {
  /** How the adapter is named in logs and error texts (ODB names the executable's path). */
  name?: string;
  onCall?: AdapterCallListener;
}

/** Wraps TypeScript functions as a {@link ServiceAdapter}. */
export function inProcessAdapter(impl: InProcessAdapterImpl, opts: InProcessAdapterOptions = {}): ServiceAdapter {
  const name = opts.name ?? 'in-process adapter';

  async function invoke<T>(
    subcommand: AdapterSubcommand,
    params: Parameters<typeof legacyArgs>[1],
    ctx: AdapterCallContext | undefined,
    fn: (() => MaybePromise<T>) | undefined,
    stdoutOf: (v: T) => string,
  ): Promise<T> {
    const started = performance.now();
    let exitCode: number | null = ExitCode.Success;
    let stdout = '';
    try {
      if (!fn) throw new NotImplementedError('command not implemented by service adapter', subcommand, ExitCode.NotImplemented);
      const value = await fn();
      stdout = stdoutOf(value);
      ctx?.log?.(`service adapter ran ${subcommand} successfully, stderr logs: `);
      return value;
    } catch (err) {
      exitCode = exitCodeOf(err);
      const typed =
        err instanceof AdapterError
          ? err
          : new UnknownFailureError((err as Error)?.message ?? String(err), subcommand, ExitCode.Error, (err as Error)?.message ?? String(err));
      stdout = typed.stdout || typed.message;
      ctx?.log?.(`external service adapter exited with ${exitCode} at ${name}: stdout: '${stdout}', stderr: ''`);
      throw typed;
    } finally {
      opts.onCall?.({
        subcommand,
        mode: 'in-process',
        args: legacyArgs(subcommand, params).map(maskText),
        exitCode,
        timedOut: false,
        durationMs: Math.round(performance.now() - started),
        stdout: maskText(stdout),
        stderr: '',
      });
    }
  }

  return {
    async generateManifest(params: GenerateManifestParams, ctx?: AdapterCallContext): Promise<GenerateManifestOutput> {
      const raw = await invoke('generate-manifest', params, ctx, () => impl.generateManifest(params), (v) => JSON.stringify(v));
      const out: GenerateManifestOutput = {
        manifest: typeof raw.manifest === 'string' ? raw.manifest : stringifyYaml(raw.manifest),
        secrets: raw.secrets ?? {},
        configs: raw.configs ?? {},
        ...(raw.labels ? { labels: raw.labels } : {}),
      };
      validateGeneratedManifest(name, params.serviceDeployment.deployment_name, out.manifest, '');
      return out;
    },
    createBinding: (params, ctx) =>
      invoke('create-binding', params, ctx, impl.createBinding && (() => impl.createBinding!(params)), (v) => JSON.stringify(v)).then(
        (b) => ({ ...b, credentials: b?.credentials ?? {} }),
      ),
    deleteBinding: (params, ctx) =>
      invoke('delete-binding', params, ctx, impl.deleteBinding && (() => impl.deleteBinding!(params)), () => ''),
    dashboardUrl: (params, ctx) =>
      invoke('dashboard-url', params, ctx, impl.dashboardUrl && (() => impl.dashboardUrl!(params)), (v) => JSON.stringify(v)),
    generatePlanSchemas: (params, ctx) =>
      invoke('generate-plan-schemas', params, ctx, impl.generatePlanSchemas && (() => impl.generatePlanSchemas!(params)), (v) =>
        JSON.stringify(v),
      ),
  };
}
