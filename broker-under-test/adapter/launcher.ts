import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AdapterRunner, RunResult } from './runner.js';

/**
 * Adapter processes started by a small helper process instead of this one. Starting a process
 * forks the one that asks, and fork copies its page tables: measured on Node 20, about 75 ms of
 * CPU per GB of resident memory, against 1.5 ms from a fresh node. A harness that builds many
 * foundations in one process (a test suite, adapter-check, a scenario run) reaches hundreds of MB,
 * and calls the adapter hundreds of times. What the adapter sees is the same: its path, arguments,
 * stdin, environment and process group; only its parent process differs.
 */
export class AdapterLauncher {
  #child: ChildProcess | undefined;
  #pending = new Map<number, (r: RunResult) => void>();
  #next = 0;

  readonly run: AdapterRunner = (path, args, stdin, { env, timeoutMs }) =>
    new Promise((resolve) => {
      const child = this.#start();
      const id = ++this.#next;
      this.#pending.set(id, resolve);
      this.#hold();
      child.send({ id, path, args, stdin, env, timeoutMs }, (err) => {
        if (err) this.#settle(id, { stdout: '', stderr: '', exitCode: null, timedOut: false, spawnError: err });
      });
    });

  /** The helper's process id, once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Ends the helper; calls still running are reported as not started. A later call starts another. */
  close(): void {
    this.#child?.disconnect();
  }

  #start(): ChildProcess {
    if (this.#child?.connected) return this.#child;
    const child = spawn(process.execPath, [fileURLToPath(new URL('./launcher-process.mjs', import.meta.url))], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.on('message', (m: RunResult & { id: number; spawnError?: { message: string } }) => {
      const { id, spawnError, ...r } = m;
      this.#settle(id, spawnError ? { ...r, spawnError: new Error(spawnError.message) } : r);
    });
    const lost = (why: string) => {
      if (this.#child === child) this.#child = undefined;
      for (const id of [...this.#pending.keys()]) this.#settle(id, { stdout: '', stderr: '', exitCode: null, timedOut: false, spawnError: new Error(why) });
    };
    child.on('error', (err) => lost(`the adapter launcher could not start: ${err.message}`));
    child.on('exit', (code, signal) => lost(`the adapter launcher exited (${signal ?? code})`));
    this.#child = child;
    return child;
  }

  #settle(id: number, r: RunResult): void {
    const resolve = this.#pending.get(id);
    if (!resolve) return;
    this.#pending.delete(id);
    this.#hold();
    resolve(r);
  }

  // The helper keeps this process alive only while a call is running, as a child process would.
  #hold(): void {
    const child = this.#child;
    if (!child) return;
    const busy = this.#pending.size > 0;
    if (busy) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  }
}
