import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as wait } from 'node:timers/promises';
import type { ConnectionInfo } from './connection-info.js';

const BIN = fileURLToPath(new URL('../bin/fakefoundry.mjs', import.meta.url));

/**
 * `up --env` / `up --json` are used as `eval "$(fakefoundry up --env)"`, which waits for stdout to
 * close: so the servers run in a detached child (output to `<dir>/up.log`) and this process prints
 * the child's connection info once it is listening, then exits.
 */
export async function startDetached(args: string[], dir: string, timeoutMs = 60_000): Promise<ConnectionInfo> {
  mkdirSync(dir, { recursive: true });
  const readyFile = path.resolve(dir, `ready-${process.pid}.json`);
  rmSync(readyFile, { force: true });
  const log = openSync(path.resolve(dir, 'up.log'), 'a');
  const child = spawn(process.execPath, [BIN, 'up', ...args, '--foreground', '--ready-file', readyFile], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(readyFile)) {
      try {
        const info = JSON.parse(readFileSync(readyFile, 'utf8')) as ConnectionInfo;
        rmSync(readyFile, { force: true });
        return info;
      } catch {
        /* partly written: read again */
      }
    }
    if (exited !== undefined) break;
    await wait(50);
  }
  const tail = existsSync(path.resolve(dir, 'up.log')) ? readFileSync(path.resolve(dir, 'up.log'), 'utf8').split('\n').slice(-20).join('\n') : '';
  if (exited === undefined) child.kill('SIGTERM');
  throw new Error(`fakefoundry did not start${exited !== undefined ? ` (exit code ${exited})` : ' in time'}\n${tail}`);
}

/** The pid of a live `fakefoundry up` that owns `dir`, if any (a stale pid file does not count). */
export function runningPid(dir: string): number | undefined {
  const pidFile = path.resolve(dir, 'up.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Stops the detached instance whose pid file is in `dir`. */
export async function stopDetached(dir: string, timeoutMs = 15_000): Promise<boolean> {
  const pidFile = path.resolve(dir, 'up.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!Number.isInteger(pid) || !alive()) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive() && Date.now() < deadline) await wait(50);
  if (alive()) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  return true;
}
