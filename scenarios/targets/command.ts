import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Capability, ErrandResult, RunningBroker, StartContext, Target, TargetSpec } from './types.js';

/** A free loopback port (the OS picks it; it is free again when we hand it over). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `{config}` in a command line becomes the (shell-quoted) path of the config file. */
export function commandLine(template: string, configPath: string): string {
  return template.replaceAll('{config}', shellQuote(configPath));
}

function run(line: string, cwd: string | undefined, log: string[]): ChildProcess {
  // Its own process group, so stopping it stops whatever the command line started.
  const child = spawn('/bin/sh', ['-c', line], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  child.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      resolve();
    }
  });
}

/**
 * Waits for the broker to answer HTTP. A process starting up is real I/O, so this is the one
 * place the harness waits on the wall clock (short polls, bounded by `timeoutMs`).
 */
async function waitUntilUp(url: string, child: ChildProcess, timeoutMs: number, log: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the broker exited with ${child.exitCode} before answering:\n${log.join('').slice(-4000)}`);
    try {
      await fetch(`${url}/v2/catalog`, { headers: { 'x-broker-api-version': '2.14' }, signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the broker did not answer at ${url} within ${timeoutMs} ms:\n${log.join('').slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * A broker started from a command line (the real ODB binary, or any compatible broker), with
 * `{config}` replaced by an ODB-format config the harness writes for each scenario, pointing at the
 * fakes over HTTPS. Errands run the same way from their own command lines.
 */
export function commandTarget(spec: Extract<TargetSpec, { kind: 'command' }>): Target {
  const caps = new Set<Capability>(['configurable', 'restart', 'startup-checks', ...Object.keys(spec.errands ?? {}).map((e) => `errand:${e}` as Capability), ...(spec.capabilities ?? [])]);
  return {
    spec,
    name: spec.name ?? 'command',
    capabilities: caps,
    network: true,
    async start(ctx: StartContext): Promise<RunningBroker> {
      const dir = await mkdtemp(path.join(tmpdir(), 'fakefoundry-broker-'));
      const configPath = path.join(dir, 'broker.yml');
      const broker = ctx.config.broker as { port: number; username: string; password: string };
      await writeFile(configPath, stringify(ctx.config, { lineWidth: 0 }));
      const url = `http://127.0.0.1:${broker.port}`;
      const log: string[] = [];
      let child: ChildProcess | undefined;
      const start = async () => {
        child = run(commandLine(spec.command, configPath), spec.cwd, log);
        await waitUntilUp(url, child, spec.startTimeoutMs ?? 20_000, log);
      };
      await start();
      const stop = async () => {
        if (child) await kill(child);
        child = undefined;
      };
      return {
        url,
        username: broker.username,
        password: broker.password,
        config: ctx.config,
        async stop() {
          await stop();
          await rm(dir, { recursive: true, force: true });
        },
        async restart() {
          await stop();
          await start();
        },
        async errand(name, errandConfig): Promise<ErrandResult> {
          const template = spec.errands?.[name];
          if (!template) throw new Error(`target ${spec.name ?? 'command'} has no command for errand ${name}`);
          const file = path.join(dir, `${name}.yml`);
          await writeFile(file, stringify(errandConfig, { lineWidth: 0 }));
          const out: string[] = [];
          const err: string[] = [];
          const p = spawn('/bin/sh', ['-c', commandLine(template, file)], { cwd: spec.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
          p.stdout.on('data', (d: Buffer) => out.push(d.toString()));
          p.stderr.on('data', (d: Buffer) => err.push(d.toString()));
          const exitCode = await new Promise<number>((resolve) => p.on('close', (code) => resolve(code ?? 1)));
          return { exitCode, stdout: out.join(''), stderr: err.join('') };
        },
        log: () => log.join(''),
      };
    },
  };
}
