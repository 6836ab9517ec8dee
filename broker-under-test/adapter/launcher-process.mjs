// Starts service-adapter processes for the process that started it (launcher.ts), one per
// message on the IPC channel, and answers with what each printed. When that process goes, the
// adapters still running are killed and this process ends.
import { runChild } from './child-process.mjs';

const gone = new AbortController();
process.on('message', async ({ id, path, args, stdin, env, timeoutMs }) => {
  const r = await runChild(path, args, stdin, { env, timeoutMs, signal: gone.signal });
  if (!process.connected) return;
  process.send({ id, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, timedOut: r.timedOut, spawnError: r.spawnError && { message: r.spawnError.message } });
});
process.on('disconnect', () => {
  gone.abort();
  process.exit(0);
});
