import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AdapterLauncher,
  AdapterRunError,
  BindingNotFoundError,
  executableAdapter,
  moduleRunner,
  directRunner,
  processRunner,
  sizedRunner,
  type AdapterCall,
} from '../../broker-under-test/adapter/index.js';
import { exampleAdapters } from '../../broker-under-test/example-adapters/index.js';

const redis = exampleAdapters.redis.adapterPath;
const kafka = exampleAdapters.kafka.adapterPath;
const plan = { properties: {}, instance_groups: [{ name: 'redis-server', vm_type: 'small', instances: 1, networks: ['default'], azs: ['z1'] }] };
const opts = { env: process.env, timeoutMs: 30_000 };
const dir = mkdtempSync(path.join(tmpdir(), 'ff-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Invocations covering each way out of the contract: a result on stdout, the SDK's input errors on
// stderr, an unknown subcommand, a user-facing adapter error on stdout, missing stdin.
const invocations: [string, string, string[], string | undefined][] = [
  ['legacy dashboard-url', redis, ['dashboard-url', 'si-1', JSON.stringify(plan), ''], undefined],
  ['stdin generate-plan-schemas', kafka, ['generate-plan-schemas'], JSON.stringify({ generate_plan_schemas: { plan: JSON.stringify(plan) } })],
  ['legacy generate-plan-schemas', redis, ['generate-plan-schemas', '-plan-json', JSON.stringify(plan)], undefined],
  ['an unknown subcommand', redis, ['resize'], ''],
  ['missing legacy arguments', redis, ['create-binding', 'b-1'], undefined],
  ['invalid JSON on stdin', redis, ['generate-manifest'], '{'],
  ['no stdin at all', kafka, ['dashboard-url'], ''],
  [
    'a parameter the adapter refuses (exit 1, message on stdout)',
    redis,
    ['generate-manifest'],
    JSON.stringify({
      generate_manifest: {
        service_deployment: JSON.stringify({ deployment_name: 'd', releases: [{ name: 'redis', version: '1', jobs: ['redis-server'] }], stemcells: [{ stemcell_os: 'ubuntu-jammy', stemcell_version: '1.1' }] }),
        plan: JSON.stringify(plan),
        request_parameters: JSON.stringify({ parameters: { shards: 3 } }),
        previous_manifest: '',
        previous_plan: 'null',
      },
    }),
  ],
];

describe('adapter runners: a process per call, or the JavaScript adapter in this process', () => {
  const inProcess = moduleRunner((p) => (p === redis || p === kafka ? p : undefined));

  it.each(invocations)('%s: the same stdout, stderr and exit code both ways', async (_name, file, args, stdin) => {
    const viaProcess = await processRunner(file, args, stdin, opts);
    const viaModule = await inProcess(file, args, stdin, opts);
    expect(viaProcess.exitCode).not.toBeNull();
    expect({ ...viaModule, inProcess: undefined }).toEqual({ ...viaProcess, inProcess: undefined });
    expect(viaModule.inProcess).toBe(true);
    expect(viaProcess.inProcess).toBeUndefined();
  }, 30_000);

  it('leaves this process’s exit code and streams alone', async () => {
    const before = process.exitCode;
    const writes: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (writes.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const r = await inProcess(redis, ['resize'], '', opts);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('unknown subcommand: resize');
    } finally {
      process.stderr.write = write;
    }
    expect(process.exitCode).toBe(before);
    expect(writes).toEqual([]);
  });

  it('keeps concurrent calls’ output apart', async () => {
    const [a, b] = await Promise.all([
      inProcess(redis, ['dashboard-url', 'si-a', JSON.stringify(plan), ''], undefined, opts),
      inProcess(redis, ['dashboard-url', 'si-b', JSON.stringify(plan), ''], undefined, opts),
    ]);
    expect(JSON.parse(a.stdout).dashboard_url).toMatch(/\/si-a$/);
    expect(JSON.parse(b.stdout).dashboard_url).toMatch(/\/si-b$/);
    expect([a.stderr, b.stderr]).toEqual(['[odb-sdk] handling dashboard-url\n', '[odb-sdk] handling dashboard-url\n']);
  });

  it('runs any other path as a process, and reports a module without invoke as an adapter that could not start', async () => {
    const sh = path.join(dir, 'adapter.sh');
    writeFileSync(sh, '#!/bin/sh\nprintf "pid %s" "$$"; exit 41\n');
    chmodSync(sh, 0o755);
    const other = await inProcess(sh, ['delete-binding'], '', opts);
    expect(other).toMatchObject({ exitCode: 41, stdout: expect.stringMatching(/^pid \d+$/) });
    expect(other.stdout).not.toBe(`pid ${process.pid}`);
    expect(other.inProcess).toBeUndefined();

    const bare = path.join(dir, 'bare.mjs');
    writeFileSync(bare, 'export const nothing = 1;\n');
    const calls: AdapterCall[] = [];
    const adapter = executableAdapter({ path: sh, inputMode: 'stdin', runner: moduleRunner(() => bare), onCall: (c) => calls.push(c) });
    await expect(adapter.deleteBinding({ bindingId: 'b', boshVms: {}, manifest: '', requestParameters: {}, secrets: {}, dnsAddresses: {} })).rejects.toThrow(AdapterRunError);
    expect(calls[0]).toMatchObject({ exitCode: null, timedOut: false });
  });

  it('through executableAdapter: exit codes map to the same typed errors, and the call says it ran in-process', async () => {
    const sh = path.join(dir, 'not-found.mjs');
    writeFileSync(sh, "export async function invoke(argv, stdin) { return { stdout: 'gone', stderr: `${argv[2]} ${stdin.length > 0}`, exitCode: 41 }; }\n");
    const calls: AdapterCall[] = [];
    const adapter = executableAdapter({ path: '/nowhere/service-adapter', inputMode: 'stdin', runner: moduleRunner(() => sh), onCall: (c) => calls.push(c) });
    await expect(adapter.deleteBinding({ bindingId: 'b', boshVms: {}, manifest: '', requestParameters: {}, secrets: {}, dnsAddresses: {} })).rejects.toThrow(BindingNotFoundError);
    expect(calls).toEqual([expect.objectContaining({ subcommand: 'delete-binding', exitCode: 41, stdout: 'gone', stderr: 'delete-binding true', ranInProcess: true })]);
  });

  it('past the timeout, reports the call timed out', async () => {
    const slow = path.join(dir, 'slow.mjs');
    writeFileSync(slow, 'export function invoke() { return new Promise(() => {}); }\n');
    const r = await moduleRunner(() => slow)('/x', ['dashboard-url'], '', { env: process.env, timeoutMs: 20 });
    expect(r).toMatchObject({ exitCode: null, timedOut: true, stdout: '' });
  });
});

describe('the adapter launcher: processes started by a small helper, for a large caller', () => {
  const launcher = new AdapterLauncher();
  afterAll(() => launcher.close());

  it.each(invocations)('%s: the same stdout, stderr and exit code as a process started here', async (_name, file, args, stdin) => {
    const [direct, launched] = await Promise.all([directRunner(file, args, stdin, opts), launcher.run(file, args, stdin, opts)]);
    expect(direct.exitCode).not.toBeNull();
    expect(launched).toEqual(direct);
  }, 30_000);

  it('gives the adapter its environment, stdin and arguments; only its parent differs', async () => {
    const sh = path.join(dir, 'env.sh');
    writeFileSync(sh, '#!/bin/sh\nprintf "%s|%s|%s|%s" "$FF_PROBE" "$1" "$(cat)" "$PPID"\n');
    chmodSync(sh, 0o755);
    const env = { PATH: process.env.PATH, FF_PROBE: 'probe value' };
    const r = await launcher.run(sh, ['generate-manifest'], 'on stdin', { env, timeoutMs: 30_000 });
    expect(r).toMatchObject({ exitCode: 0, stderr: '', timedOut: false });
    const [probe, arg, input, ppid] = r.stdout.split('|');
    expect([probe, arg, input]).toEqual(['probe value', 'generate-manifest', 'on stdin']);
    expect(Number(ppid)).toBe(launcher.pid);
    expect(Number(ppid)).not.toBe(process.pid);
  });

  it('reports an adapter that cannot start as the direct runner does', async () => {
    const missing = path.join(dir, 'missing-adapter');
    const [direct, launched] = await Promise.all([directRunner(missing, [], '', opts), launcher.run(missing, [], '', opts)]);
    expect(launched).toMatchObject({ exitCode: null, timedOut: false, stdout: '', stderr: '' });
    expect(launched.spawnError?.message).toBe(direct.spawnError?.message);
    expect(launched.spawnError?.message).toMatch(/ENOENT/);
  });

  it('kills a timed-out adapter with what it started', async () => {
    const pidFile = path.join(dir, 'launched-grandchild.pid');
    const sh = path.join(dir, 'launched-hangs.sh');
    writeFileSync(sh, `#!/bin/sh\nsleep 30 &\necho $! > '${pidFile}'\nwait\n`);
    chmodSync(sh, 0o755);
    const r = await launcher.run(sh, ['generate-manifest'], '', { env: process.env, timeoutMs: 500 });
    expect(r).toMatchObject({ exitCode: null, timedOut: true });
    expect(await gone(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
  });

  it('when closed, reports the calls still running, kills their adapters, and ends; the next call starts another', async () => {
    const own = new AdapterLauncher();
    const pidFile = path.join(dir, 'closed-adapter.pid');
    const sh = path.join(dir, 'closed-hangs.sh');
    writeFileSync(sh, `#!/bin/sh\necho $$ > '${pidFile}'\nsleep 30\n`);
    chmodSync(sh, 0o755);
    const running = own.run(sh, [], '', opts);
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') await new Promise((r) => setTimeout(r, 5));
    const first = own.pid!;
    own.close();
    const r = await running;
    expect(r).toMatchObject({ exitCode: null, timedOut: false });
    expect(r.spawnError?.message).toMatch(/^the adapter launcher exited/);
    expect(await gone(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
    expect(await gone(first)).toBe(true);
    const again = await own.run(redis, ['dashboard-url', 'si-1', JSON.stringify(plan), ''], undefined, opts);
    expect(again.exitCode).toBe(0);
    expect(own.pid).not.toBe(first);
    own.close();
  });

  it('is what processRunner uses once this process is large, and not before', async () => {
    const sh = path.join(dir, 'ppid.sh');
    writeFileSync(sh, '#!/bin/sh\nprintf "%s" "$PPID"\n');
    chmodSync(sh, 0o755);
    const small = await sizedRunner(() => 0)(sh, [], '', opts);
    expect(Number(small.stdout)).toBe(process.pid);
    const large = await sizedRunner(() => 1e12)(sh, [], '', opts);
    expect(Number(large.stdout)).not.toBe(process.pid);
    expect(Number(large.stdout)).toBeGreaterThan(0);
  });
});

/** Whether `pid` has ended (or is a zombie), polling briefly: the OS delivers a SIGKILL asynchronously. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
      if (/^\d+ \([^)]*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return true;
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
