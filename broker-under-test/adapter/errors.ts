/**
 * Typed adapter errors, one per outcome ODB distinguishes (`serviceadapter/client.go` exit-code map).
 * @module
 */
import type { AdapterSubcommand } from './types.js';

/** The SDK's exit codes. */
export const ExitCode = {
  Success: 0,
  Error: 1,
  NotImplemented: 10,
  BindingNotFound: 41,
  AppGuidNotProvided: 42,
  BindingAlreadyExists: 49,
} as const;

/** Base class of every error a {@link ServiceAdapter} rejects with. */
export class AdapterError extends Error {
  constructor(
    message: string,
    readonly subcommand: AdapterSubcommand,
    /** The process's exit code (`null` when it never exited on its own or was not a process). */
    readonly exitCode: number | null,
    readonly stdout = '',
    readonly stderr = '',
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Exit 1, or any code without a special meaning. ODB shows `stdout` to the CF user (when it is not
 * empty) and logs stderr only.
 */
export class UnknownFailureError extends AdapterError {
  /** What the CF user may see: the adapter's stdout, or `''` (then the generic message is shown). */
  get userMessage(): string {
    return this.stdout;
  }
}

/** Exit 10: the subcommand is not implemented (dashboard-url is optional; elsewhere it is an error). */
export class NotImplementedError extends AdapterError {}

/** Exit 41 from delete-binding: OSB 410 Gone. */
export class BindingNotFoundError extends AdapterError {}

/** Exit 42 from create-binding: OSB 422 RequiresApp. */
export class AppGuidNotProvidedError extends AdapterError {}

/** Exit 49 from create-binding: OSB 409 Conflict. */
export class BindingAlreadyExistsError extends AdapterError {}

/**
 * Exit 0 but output ODB refuses: invalid JSON or YAML, a manifest whose `name` is not the deployment
 * name, a release or stemcell version ending in `latest`.
 */
export class AdapterOutputError extends AdapterError {}

/** The adapter could not run (missing, not executable) or was killed after its timeout. */
export class AdapterRunError extends AdapterError {
  constructor(
    message: string,
    subcommand: AdapterSubcommand,
    stdout: string,
    stderr: string,
    readonly timedOut: boolean,
  ) {
    super(message, subcommand, null, stdout, stderr);
  }
}

/**
 * The error ODB derives from an exit code (`ErrorForExitCode`), or `undefined` for 0. The messages are
 * ODB's: fixed texts for the special codes, stdout for the rest.
 */
export function errorForExitCode(
  subcommand: AdapterSubcommand,
  code: number,
  stdout: string,
  stderr: string,
): AdapterError | undefined {
  switch (code) {
    case ExitCode.Success:
      return undefined;
    case ExitCode.NotImplemented:
      return new NotImplementedError('command not implemented by service adapter', subcommand, code, stdout, stderr);
    case ExitCode.BindingNotFound:
      return new BindingNotFoundError('binding not found', subcommand, code, stdout, stderr);
    case ExitCode.AppGuidNotProvided:
      return new AppGuidNotProvidedError('app GUID not provided', subcommand, code, stdout, stderr);
    case ExitCode.BindingAlreadyExists:
      return new BindingAlreadyExistsError('binding already exists', subcommand, code, stdout, stderr);
    default:
      return new UnknownFailureError(stdout, subcommand, code, stdout, stderr);
  }
}

/** The exit code an error stands for (for reporting in-process adapters like executables). */
export function exitCodeOf(err: unknown): number | null {
  if (err instanceof NotImplementedError) return ExitCode.NotImplemented;
  if (err instanceof BindingNotFoundError) return ExitCode.BindingNotFound;
  if (err instanceof AppGuidNotProvidedError) return ExitCode.AppGuidNotProvided;
  if (err instanceof BindingAlreadyExistsError) return ExitCode.BindingAlreadyExists;
  if (err instanceof AdapterError) return err.exitCode;
  return ExitCode.Error;
}
