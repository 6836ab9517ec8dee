/**
 * How one service-adapter invocation runs: `<path> <args...>` with `stdin`, to its stdout, stderr
 * and exit code. ODB always starts a process ({@link processRunner}); {@link moduleRunner} runs
 * JavaScript adapters that export `invoke` in the broker's own process, for harnesses that call
 * the adapter thousands of times.
 * @module
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** What an invocation printed, and how it ended. */
export interface RunResult {
  stdout: string;
  stderr: string;
  /** `null` when the adapter was killed (timed out) or never started. */
  exitCode: number | null;
  timedOut: boolean;
  spawnError?: Error;
  /** Ran in this process (no child process was started). */
  inProcess?: true;
}

/** Runs `path` with `args` (the subcommand first) and `stdin` (undefined: none written). */
export type AdapterRunner = (path: string, args: string[], stdin: string | undefined, opts: { env: NodeJS.ProcessEnv; timeoutMs: number }) => Promise<RunResult>;

/** A child process per invocation, killed with its process group after `timeoutMs`. */
export const processRunner: AdapterRunner = (path, args, stdin, { env, timeoutMs }) =>
  new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    // Its own process group, so a timeout also kills whatever the adapter started.
    const child = spawn(path, args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const finish = (r: Omit<RunResult, 'stdout' | 'stderr'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ stdout, stderr, ...r });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      // Grandchildren may hold the pipes open; do not wait for them.
      finish({ exitCode: null, timedOut: true });
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => finish({ exitCode: null, timedOut: false, spawnError: err }));
    child.on('close', (code) => finish({ exitCode: timedOut ? null : code, timedOut }));
    child.stdin.on('error', () => {
      // The adapter may exit without reading stdin (EPIPE); its exit code tells what happened.
    });
    child.stdin.end(stdin ?? '');
  });

/** A JavaScript adapter's in-process entry: what its process would print, and its exit code. */
export type AdapterInvoke = (argv: string[], stdin: string) => Promise<{ stdout: string; stderr: string; exitCode: number }>;

/**
 * Runs the adapters `moduleFor` names in this process: `moduleFor(path)` gives the module (a path
 * or file URL) exporting `invoke(argv, stdin)` for the executable at `path` (for the example
 * adapters, the executable itself), and that is called with `argv` as the process would get it.
 * Any other path runs through `fallback` (default: a process). Nothing can be killed in-process:
 * past `timeoutMs` the call is reported timed out and its late output dropped, as the process
 * runner does.
 */
export function moduleRunner(moduleFor: (path: string) => string | undefined, fallback: AdapterRunner = processRunner): AdapterRunner {
  const loaded = new Map<string, Promise<AdapterInvoke>>();
  const load = (module: string) => {
    let p = loaded.get(module);
    if (!p) {
      const url = /^[a-z]+:/.test(module) ? module : pathToFileURL(module).href;
      p = import(url).then((m: { invoke?: AdapterInvoke }) => {
        if (typeof m.invoke !== 'function') throw new Error(`${module} exports no invoke(argv, stdin)`);
        return m.invoke;
      });
      loaded.set(module, p);
    }
    return p;
  };
  return async (path, args, stdin, opts) => {
    const module = moduleFor(path);
    if (!module) return fallback(path, args, stdin, opts);
    let invoke: AdapterInvoke;
    try {
      invoke = await load(module);
    } catch (err) {
      return { stdout: '', stderr: '', exitCode: null, timedOut: false, spawnError: err as Error };
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<RunResult>((resolve) => {
      timer = setTimeout(() => resolve({ stdout: '', stderr: '', exitCode: null, timedOut: true, inProcess: true }), opts.timeoutMs);
    });
    const run = invoke([process.execPath, path, ...args], stdin ?? '').then(
      (r): RunResult => ({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, timedOut: false, inProcess: true }),
      (err: unknown): RunResult => ({ stdout: '', stderr: String((err as Error)?.stack ?? err), exitCode: 1, timedOut: false, inProcess: true }),
    );
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}
