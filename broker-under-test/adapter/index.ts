/**
 * The service-adapter contract: SDK types, an executable runner (stdin and legacy input modes, the
 * SDK's exit codes, a timeout; a process per call, or JavaScript adapters called in-process), an
 * in-process TypeScript adapter interface, and typed errors.
 *
 * ```ts
 * import { executableAdapter, BindingAlreadyExistsError } from 'fakefoundry/broker';
 * const adapter = executableAdapter({ path: './service-adapter', inputMode: 'stdin', timeoutMs: 30_000 });
 * ```
 * @module
 */
export type * from './types.js';
export {
  AdapterError,
  AdapterOutputError,
  AdapterRunError,
  AppGuidNotProvidedError,
  BindingAlreadyExistsError,
  BindingNotFoundError,
  ExitCode,
  NotImplementedError,
  UnknownFailureError,
  errorForExitCode,
  exitCodeOf,
} from './errors.js';
export { executableAdapter, type ExecutableAdapterOptions } from './executable.js';
export { AdapterLauncher } from './launcher.js';
export { directRunner, moduleRunner, processRunner, sizedRunner, type AdapterInvoke, type AdapterRunner, type RunResult as AdapterRunResult } from './runner.js';
export { inProcessAdapter, type InProcessAdapterImpl, type InProcessAdapterOptions } from './in-process.js';
export { legacyArgs, maskText, planJson, serviceDeploymentJson, stdinDocument, validateGeneratedManifest } from './wire.js';
