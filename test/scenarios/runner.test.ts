import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseJsonReport } from '../../report/index.js';
import { runScenarios, type RunOptions } from '../../scenarios/runner/run.js';
import { TINY } from './support.js';

const base: RunOptions = {
  dir: path.resolve('test/scenarios/fixtures/catalogue'),
  target: { kind: 'embedded', module: path.resolve('test/scenarios/fixtures/stand-in-module.ts') },
  service: TINY,
};

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) });
  return { stream, text: () => chunks.join('') };
}

// Each run starts vitest (worker processes, fresh foundations): a few seconds each.
describe('fakefoundry run (vitest Node API)', { timeout: 180_000 }, () => {
  it('runs scenario files, maps outcomes, prints progress, failures with diagrams and a summary, and writes every report', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'ff-run-'));
    const term = sink();
    const r = await runScenarios({ ...base, reporters: ['pretty', 'junit', 'json', 'html'], outDir: out, stream: term.stream });
    expect(r.exitCode).toBe(1);
    const byTitle = Object.fromEntries(r.run!.cases.map((c) => [c.title, c]));
    expect(Object.fromEntries(Object.entries(byTitle).map(([t, c]) => [t, c.outcome]))).toEqual({
      'provision and deprovision': 'passed',
      'bind and unbind': 'passed',
      'a plan change that the test expects to fail': 'failed',
      'needs an errand the target lacks': 'not-applicable',
      warns: 'warned',
    });
    expect(byTitle['needs an errand the target lacks'].message).toBe('target embedded lacks errand:upgrade-all-service-instances');
    expect(byTitle['provision and deprovision'].tags).toEqual(['area:lifecycle', 'osb:2.13']);
    expect(byTitle['provision and deprovision'].journal!.some((e) => e.service === 'cc->broker' && e.method === 'PUT')).toBe(true);
    const failed = byTitle['a plan change that the test expects to fail'];
    expect(failed.message).toBe("expected 'succeeded' to be 'failed' // Object.is equality");
    expect(failed.reproduction).toBe('npx fakefoundry run failing.scenario.ts -t "a plan change that the test expects to fail"');
    const text = term.text();
    expect(text).toContain('✓ lifecycle › provision and deprovision');
    expect(text).toContain('FAILED  failing › a plan change that the test expects to fail');
    expect(text).toMatch(/what happened:[\s\S]*Platform \(CC\)[\s\S]*PATCH \/v2\/service_instances/);
    expect(text).toMatch(/fakefoundry scenarios: 5 cases in [\d.]+ s/);
    expect((await readdir(out)).sort()).toEqual(['junit.xml', 'report.html', 'report.json']);
    expect(XMLValidator.validate(await readFile(path.join(out, 'junit.xml'), 'utf8'))).toBe(true);
    expect(parseJsonReport(await readFile(path.join(out, 'report.json'), 'utf8')).cases).toHaveLength(5);
  });

  it('shards deterministically (the union is the whole, no overlap) and merges the shards’ blob reports', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'ff-shard-'));
    const ids = async (shard: string) => {
      const r = await runScenarios({ ...base, shard, reporters: ['json'], outDir: out, stream: sink().stream });
      return r.run!.cases.map((c) => c.id).sort();
    };
    const one = await ids('1/2');
    const two = await ids('2/2');
    expect(one.length).toBeGreaterThan(0);
    expect(two.length).toBeGreaterThan(0);
    expect(one.filter((id) => two.includes(id))).toEqual([]);
    expect(await ids('1/2')).toEqual(one);
    expect((await readdir(path.join(out, 'blob'))).sort()).toEqual(['blob-1-2.json', 'blob-2-2.json']);
    const merged = await runScenarios({ ...base, mergeReports: path.join(out, 'blob'), reporters: ['json'], outDir: path.join(out, 'merged'), stream: sink().stream });
    expect(merged.run!.cases.map((c) => c.id).sort()).toEqual([...one, ...two].sort());
    expect(merged.run!.cases.find((c) => c.title === 'provision and deprovision')!.journal!.length).toBeGreaterThan(0);
    expect(merged.exitCode).toBe(1);
  });
});
