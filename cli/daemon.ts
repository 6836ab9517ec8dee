import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as wait } from 'node:timers/promises';
import type { ConnectionInfo } from './connection-format.js';
import { cliCommand, dirFlag } from './invocation.js';
import type { UpOptions } from './up.js';

// The child runs the same flavour as this process: compiled JS in the package, TypeScript (through tsx) in a checkout.
const fromSources = import.meta.url.endsWith('.ts');
const CHILD = fromSources
  ? [fileURLToPath(new URL('../bin/run-ts.mjs', import.meta.url)), fileURLToPath(new URL('./daemon-child.ts', import.meta.url))]
  : ['--enable-source-maps', fileURLToPath(new URL('./daemon-child.js', import.meta.url))];

/**
 * `up --env` / `up --json` are used as `eval "$(fakefoundry up --env)"`, which waits for stdout to
 * close: so the servers run in a detached child (output to `<dir>/up.log`), which sends its
 * connection info over an IPC channel once it is listening; this process prints it and exits.
 */
export async function startDetached(opts: UpOptions, timeoutMs = 60_000): Promise<ConnectionInfo> {
  const dir = path.resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const logFile = path.resolve(dir, 'up.log');
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...CHILD, JSON.stringify({ ...opts, dir })], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  try {
    return await new Promise<ConnectionInfo>((resolve, reject) => {
      const tail = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '');
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        reject(new Error(`fakefoundry did not start in time\n${tail()}`));
      }, timeoutMs);
      child.once('message', (info) => {
        clearTimeout(timer);
        resolve(info as ConnectionInfo);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`fakefoundry did not start (exit code ${code})\n${tail()}`));
      });
    });
  } finally {
    if (child.connected) child.disconnect();
    child.unref();
  }
}

/** The pid of a live `fakefoundry up` that owns `dir`, if any (a stale pid file does not count). */
export function runningPid(dir: string): number | undefined {
  const pidFile = path.resolve(dir, 'up.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // The detached child belongs to init once `up` exits; an exited child stays a zombie until init
  // reaps it, which can take a second or more. Its ports are closed by then, so it counts as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(pid, 0) is all there is
  }
}

/** The connection info a running `fakefoundry up` left in `dir`. */
export function readRunning(dir: string): ConnectionInfo {
  const file = path.resolve(dir, 'up.json');
  if (!existsSync(file)) throw new Error(`nothing running from ${dir} (no up.json); start one with: eval "$(${cliCommand()} up --env${dirFlag(dir)})"`);
  return JSON.parse(readFileSync(file, 'utf8')) as ConnectionInfo;
}

/** Stops the detached instance whose pid file is in `dir`; resolves once it has exited (its ports closed). */
export async function stopDetached(dir: string, timeoutMs = 15_000): Promise<boolean> {
  const pidFile = path.resolve(dir, 'up.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  // Not our child, so there is no exit event to wait for: poll, briefly.
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await wait(5);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  return true;
}
