// One service-adapter process, as ODB starts it. Plain JavaScript, because the launcher process
// (launcher-process.mjs) runs it under plain node, from the sources as from dist/.
import { spawn } from 'node:child_process';

/**
 * Runs `path` with `args` and `stdin` in its own process group; past `timeoutMs`, or when `signal`
 * aborts, the group is killed and the call reported timed out without waiting for grandchildren
 * that may hold the pipes open.
 */
export function runChild(path, args, stdin, { env, timeoutMs, signal }) {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    // Its own process group, so a timeout also kills whatever the adapter started.
    const child = spawn(path, args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const finish = (r) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
      resolve({ stdout, stderr, ...r });
    };
    const kill = () => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      finish({ exitCode: null, timedOut: true });
    };
    const timer = setTimeout(kill, timeoutMs);
    signal?.addEventListener('abort', kill);
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', (err) => finish({ exitCode: null, timedOut: false, spawnError: err }));
    child.on('close', (code) => finish({ exitCode: timedOut ? null : code, timedOut }));
    child.stdin.on('error', () => {
      // The adapter may exit without reading stdin (EPIPE); its exit code tells what happened.
    });
    child.stdin.end(stdin ?? '');
  });
}
