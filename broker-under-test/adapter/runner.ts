/**
 * How one service-adapter invocation runs: `<path> <args...>` with `stdin`, to its stdout, stderr
 * and exit code. ODB always starts a process ({@link processRunner}); {@link moduleRunner} runs
 * JavaScript adapters that export `invoke` in the broker's own process, for harnesses that call
 * the adapter thousands of times.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { runChild } from './child-process.mjs';
import { AdapterLauncher } from './launcher.js';

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

/** A child process per invocation, started from this process, killed with its process group after `timeoutMs`. */
export const directRunner: AdapterRunner = (path, args, stdin, opts) => runChild(path, args, stdin, opts);

// A cache of a helper process, not state: it holds nothing between calls.
let shared: AdapterLauncher | undefined;

/** Past this resident size, starting a process costs this one more than asking a launcher to. */
export const LAUNCHER_RSS_BYTES = 150 * 1024 * 1024;

/**
 * A child process per invocation, killed with its process group after `timeoutMs`: started from
 * this process while it is small, and by a shared {@link AdapterLauncher} once it is large.
 * `rss` is this process's resident size (a parameter for tests).
 */
export function sizedRunner(rss: () => number = () => process.memoryUsage.rss()): AdapterRunner {
  return (path, args, stdin, opts) => {
    if (rss() < LAUNCHER_RSS_BYTES) return directRunner(path, args, stdin, opts);
    shared ??= new AdapterLauncher();
    return shared.run(path, args, stdin, opts);
  };
}

/** ODB's way: a process per invocation ({@link sizedRunner}). */
export const processRunner: AdapterRunner = sizedRunner();

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
