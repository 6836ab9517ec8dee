import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { register } from '../../cli/commands/adapter-check.js';
import { exampleAdapters } from '../../broker-under-test/example-adapters/index.js';
import { parseJsonReport } from '../../report/index.js';
import { writeBrokenAdapters } from './broken-adapters.js';

/** `fakefoundry adapter-check` as the CLI parses it: options, report files, exit status. */

const broken = writeBrokenAdapters();
const out = mkdtempSync(path.join(tmpdir(), 'fakefoundry-adapter-check-cli-'));
afterAll(() => {
  broken.cleanup();
  rmSync(out, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
});

async function cli(args: string[]) {
  const program = new Command().exitOverride();
  register(program);
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    await program.parseAsync(['node', 'fakefoundry', 'adapter-check', ...args]);
  } finally {
    process.stderr.write = write;
  }
  return { exitCode: process.exitCode, stderr: stderr.join('') };
}

describe('fakefoundry adapter-check', () => {
  it('a failing adapter: exit status 1, and the junit, json and html reports in --out', async () => {
    const r = await cli(['--adapter', broken.path('bad-json'), '--config', exampleAdapters.redis.odbConfigPath, '--plan', 'cache-small', '--input-mode', 'stdin', '--reporter', 'junit,json,html', '--out', out]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual(['junit.xml', 'json', 'html'].map((f) => `wrote ${path.join(out, `adapter-check.${f}`)}`));
    const run = parseJsonReport(readFileSync(path.join(out, 'adapter-check.json'), 'utf8'));
    expect(run.tool).toBe('adapter-check');
    expect(run.cases.find((c) => c.id === 'stdin/cache-small/provision/generate-manifest')!.outcome).toBe('failed');
    const junit = readFileSync(path.join(out, 'adapter-check.junit.xml'), 'utf8');
    expect(junit).toContain('<failure');
    expect(readFileSync(path.join(out, 'adapter-check.html'), 'utf8')).toContain('<svg');
  }, 60_000);

  it('--no-config leaves the odb-config.yml beside the adapter aside: the default plans are the ones there are (--in-process)', async () => {
    const dir = path.join(out, 'no-config');
    const r = await cli(['--adapter', exampleAdapters.redis.adapterPath, '--no-config', '--plan', 'cache-small', '--input-mode', 'stdin', '--in-process', '--reporter', 'json', '--out', dir]);
    expect(r.exitCode).toBe(1);
    const run = parseJsonReport(readFileSync(path.join(dir, 'adapter-check.json'), 'utf8'));
    expect(run.meta!.config).toBe("none (not looked for): adapter-check's defaults");
    expect(run.meta!['adapter calls']).toBe('in-process (its invoke), not a process per call');
    expect(run.cases.map((c) => [c.id, c.outcome, c.message])).toEqual([
      ['setup/default-config', 'warned', "no ODB config: checked with adapter-check's default service_deployment and plans 'small' and 'large', not the operator's (pass --config FILE for those)"],
      ['setup/plans', 'failed', "no plan named 'cache-small' in the config (plans: small, large)"],
    ]);
  }, 60_000);

  it('refuses a bad --timeout, an unknown reporter and a bad --concurrency before running anything', async () => {
    await expect(cli(['--adapter', broken.path('hangs'), '--timeout', 'soon'])).rejects.toThrow("--timeout must be a number of seconds, not 'soon'");
    await expect(cli(['--adapter', broken.path('hangs'), '--reporter', 'pretty,xml'])).rejects.toThrow("unknown reporter 'xml'");
    await expect(cli(['--adapter', broken.path('hangs'), '--concurrency', '0'])).rejects.toThrow("--concurrency must be a whole number, 1 or more, not '0'");
  });
});
