import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * How long the CLI takes to start and stop, as a user's shell or CI sees it (wall time of the
 * whole command, from spawn to exit):
 * - `fakefoundry --help`,
 * - `fakefoundry up --env` until it exits, which is when the variables are printed and every
 *   fake listens (checked: the UAA port accepts a connection): `up` from a --dir used before (whose
 *   key pool the previous instance filled), as a developer runs it again and again, and `up new`
 *   from a new --dir (a fresh CI checkout), which makes its RSA keys while starting,
 * - `fakefoundry down` until it exits, which is when the servers are gone (checked: the port refuses);
 * and the CPU time each took (for `up`, its own and the detached server process's until ready),
 * which a busy machine does not stretch as it stretches wall time.
 * Medians over RUNS rounds. With --vs, a second CLI runs in the same rounds, alternating, and the
 * ratio of medians is printed (compare on a busy machine this way, not across calls).
 *
 *   node bin/run-ts.mjs bench/startup.ts [--runs 7] [--bin bin/fakefoundry.mjs] [--vs OTHER_BIN]
 *
 * `--bin` is any script run with node: `bin/fakefoundry.mjs` (the compiled CLI; `npm run build`
 * first) or a checkout's bin of an older version.
 */
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Number(flag('--runs') ?? 7);
const root = path.resolve(import.meta.dirname, '..');
const bins = [path.resolve(flag('--bin') ?? path.join(root, 'bin/fakefoundry.mjs'))];
if (flag('--vs')) bins.push(path.resolve(flag('--vs')!));

type Metric = 'help' | 'up' | 'up new' | 'down' | 'help cpu' | 'up cpu' | 'up new cpu' | 'down cpu';
const METRICS: Metric[] = ['help', 'up', 'up new', 'down', 'help cpu', 'up cpu', 'up new cpu', 'down cpu'];

/** CPU time a process has used so far (Linux /proc; clock ticks at the usual 100 Hz). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

// CPU seconds as the OS counts them (GNU time), since a busy machine stretches wall time.
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpuFile = path.join(tmpdir(), `ff-bench-cpu-${process.pid}`);

function run(bin: string, argv: string[]): Promise<{ ms: number; cpuMs: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const cmd = TIME ? [TIME, '-f', '%U %S', '-o', cpuFile, process.execPath] : [process.execPath];
    const child = spawn(cmd[0], [...cmd.slice(1), bin, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      const cpuMs = TIME ? readFileSync(cpuFile, 'utf8').trim().split('\n').pop()!.split(' ').reduce((a, x) => a + Number(x) * 1000, 0) : NaN;
      if (code === 0) resolve({ ms, cpuMs, stdout });
      else reject(new Error(`${path.basename(bin)} ${argv.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function upAndDown(bin: string, dir: string): Promise<{ up: number; upCpu: number; down: number; downCpu: number }> {
  const up = await run(bin, ['up', '--env', '--dir', dir]);
  const port = Number(/UAA_URL='https?:\/\/[^:]+:(\d+)'/.exec(up.stdout)?.[1]);
  // The servers' process is detached: its CPU so far is what getting ready cost it.
  const served = cpuOf(Number(readFileSync(path.join(dir, 'up.pid'), 'utf8')));
  if (!(await portOpen(port))) throw new Error(`up printed port ${port}, which does not accept connections`);
  // An instance in use lives for a while: long enough to make the next start's keys.
  const pool = path.join(dir, 'key-pool.json');
  for (const t0 = performance.now(); !existsSync(pool) && performance.now() - t0 < 30_000; ) await new Promise((r) => setTimeout(r, 20));
  const down = await run(bin, ['down', '--dir', dir]);
  if (await portOpen(port)) throw new Error(`port ${port} still open after down`);
  return { up: up.ms, upCpu: up.cpuMs + served, down: down.ms, downCpu: down.cpuMs };
}

async function round(bin: string): Promise<Record<Metric, number>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ff-bench-'));
  try {
    const help = await run(bin, ['--help']);
    const fresh = await upAndDown(bin, dir);
    const again = await upAndDown(bin, dir);
    return {
      help: help.ms, up: again.up, 'up new': fresh.up, down: again.down,
      'help cpu': help.cpuMs, 'up cpu': again.upCpu, 'up new cpu': fresh.upCpu, 'down cpu': again.downCpu,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const samples = bins.map(() => Object.fromEntries(METRICS.map((m) => [m, [] as number[]])) as Record<Metric, number[]>);
for (const bin of bins) await round(bin); // warm-up: the disk cache
for (let r = 0; r < RUNS; r++) {
  for (const [i, bin] of bins.entries()) {
    const res = await round(bin);
    for (const m of METRICS) samples[i][m].push(res[m]);
  }
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
console.log(`startup, ${RUNS} rounds, medians (min-max); load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
for (const [i, bin] of bins.entries()) {
  console.log(`\n${path.relative(process.cwd(), bin) || bin}`);
  for (const m of METRICS) {
    const xs = samples[i][m];
    console.log(`  ${m.padEnd(10)} ${ms(median(xs)).padStart(8)}  (${ms(Math.min(...xs))}-${ms(Math.max(...xs))})`);
  }
}
if (bins.length === 2) {
  console.log('\nratio (first / second, medians)');
  for (const m of METRICS) console.log(`  ${m.padEnd(10)} ${(median(samples[0][m]) / median(samples[1][m])).toFixed(2)}`);
}
