import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadMatrix } from '../../scenarios/matrix/matrix.js';
import { runScenarios } from '../../scenarios/runner/run.js';

function sink() {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }) };
}

// Each cell is a vitest project with its own worker (a few seconds of module loading each), so the
// run takes the example matrix's two most different cells; its expansion into all eight is
// matrix.test.ts's, and every cell runs the whole catalogue in CI through examples/ci.
describe('a matrix run', { timeout: 180_000 }, () => {
  it('runs a scenario in the cells of the example matrix, each a vitest project with the run’s options', async () => {
    const { cells: all } = loadMatrix('examples/ci/matrix.yml');
    expect(all).toHaveLength(8);
    const cells = all.filter((c) => c.cell === 'embedded · uaa · stdin · no-faults' || c.cell === 'embedded · basic · legacy · slow-director');
    expect(cells).toHaveLength(2);
    const r = await runScenarios({ cells, filters: ['lifecycle'], testNamePattern: 'provision, bind, unbind and deprovision a cache-small instance', reporters: ['json'], outDir: await mkdtemp(path.join(tmpdir(), 'ff-matrix-')), stream: sink().stream });
    expect(r.run!.cases.filter((c) => c.outcome !== 'skipped').map((c) => [c.meta?.cell, c.outcome]).sort()).toEqual(cells.map((c) => [c.cell, 'passed']).sort());
    // The cell reached the broker: BOSH auth and adapter input as the cell says.
    const basicLegacy = r.run!.cases.find((c) => c.meta?.cell === 'embedded · basic · legacy · slow-director')!;
    expect(basicLegacy.steps!.filter((s) => s.kind === 'adapter').every((s) => (s.details as { mode?: string }).mode === 'legacy')).toBe(true);
    expect(basicLegacy.journal!.some((e) => e.service === 'bosh' && e.faults.length > 0)).toBe(true);
    const uaaStdin = r.run!.cases.find((c) => c.meta?.cell === 'embedded · uaa · stdin · no-faults')!;
    expect(uaaStdin.steps!.filter((s) => s.kind === 'adapter').every((s) => (s.details as { mode?: string }).mode === 'stdin')).toBe(true);
    expect(r.exitCode).toBe(0);
  });
});
