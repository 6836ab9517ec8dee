/**
 * How long the scenario catalogue takes: each scenario's own time, their average, and the whole
 * run as `npm start` does it (vitest start-up, workers, reports). Goals: ≤ 100 ms a scenario on
 * average, the whole run under 30 s on 2 cores. Then the same scenario files with the service
 * adapter run in-process (the embedded target's default) and as a process per call (as ODB runs
 * it: target `embedded-process`), for the ratio.
 *
 *   node bin/run-ts.mjs bench/scenarios.ts [file filters...]
 */
import { mkdtemp, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { CaseResult } from '../report/model.js';
import { runScenarios, type RunOptions } from '../scenarios/runner/run.js';

const quiet = new Writable({ write: (_c, _e, cb) => cb() });

async function run(o: RunOptions) {
  const outDir = await mkdtemp(path.join(tmpdir(), 'fakefoundry-bench-'));
  const started = performance.now();
  const r = await runScenarios({ reporters: ['json', 'html'], outDir, stream: quiet, ...o });
  const wall = performance.now() - started;
  const cases = r.run?.cases ?? [];
  const ran = cases.filter((c) => c.outcome !== 'not-applicable' && c.outcome !== 'skipped');
  for (const c of cases.filter((x) => x.outcome === 'failed')) console.log(`FAILED ${c.suite} › ${c.title}: ${c.message ?? ''}`);
  const html = await stat(path.join(outDir, 'report.html')).then((s) => s.size, () => 0);
  return { wall, cases, ran, sum: total(ran), html };
}

const total = (cases: CaseResult[]) => cases.reduce((t, c) => t + c.duration, 0);
const avg = (cases: CaseResult[]) => total(cases) / Math.max(1, cases.length);
const adapterSteps = (cases: CaseResult[]) => cases.flatMap((c) => (c.steps ?? []).filter((s) => s.kind === 'adapter'));

const filters = process.argv.slice(2);
const all = await run({ filters });
console.log('slowest scenarios:');
for (const c of [...all.ran].sort((a, b) => b.duration - a.duration).slice(0, 10)) console.log(`  ${c.duration.toFixed(0).padStart(6)} ms  ${c.suite} › ${c.title}`);
console.log('');
console.log(`cores: ${availableParallelism()}, load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const calls = adapterSteps(all.ran);
console.log(`scenarios run: ${all.ran.length} (${all.cases.length - all.ran.length} not applicable or skipped), failed: ${all.cases.filter((c) => c.outcome === 'failed').length}`);
console.log(`scenario time: total ${(all.sum / 1000).toFixed(1)} s, average ${avg(all.ran).toFixed(0)} ms (goal ≤ 100 ms)`);
console.log(`per scenario: ${(calls.length / Math.max(1, all.ran.length)).toFixed(1)} adapter calls, ${(all.ran.reduce((t, c) => t + (c.journal?.length ?? 0), 0) / Math.max(1, all.ran.length)).toFixed(0)} journaled requests; adapter calls are ${((calls.reduce((t, s) => t + s.wallDurationMs, 0) / Math.max(1, all.sum)) * 100).toFixed(0)}% of scenario time`);
console.log(`whole run (vitest, workers, reports): ${(all.wall / 1000).toFixed(1)} s (goal < 30 s on 2 cores); HTML report ${(all.html / 1e6).toFixed(1)} MB`);

// The same files both ways, one after the other in this run (each its own vitest run, so each pays
// its own start-up; the per-scenario averages are what to compare).
const sample = filters.length ? filters : ['lifecycle', 'update'];
const inProcess = await run({ filters: sample, reporters: ['json'] });
const processes = await run({ filters: sample, reporters: ['json'], target: { kind: 'embedded', adapters: 'process' } });
const perCall = (r: typeof inProcess) => {
  const steps = adapterSteps(r.ran);
  return steps.reduce((t, s) => t + s.wallDurationMs, 0) / Math.max(1, steps.length);
};
console.log('');
console.log(`adapter in-process vs a process per call (${sample.join(', ')}: ${inProcess.ran.length} scenarios each):`);
console.log(`  in-process: average ${avg(inProcess.ran).toFixed(0)} ms a scenario, ${perCall(inProcess).toFixed(1)} ms an adapter call, run ${(inProcess.wall / 1000).toFixed(1)} s`);
console.log(`  processes:  average ${avg(processes.ran).toFixed(0)} ms a scenario, ${perCall(processes).toFixed(1)} ms an adapter call, run ${(processes.wall / 1000).toFixed(1)} s`);
console.log(`  ratio (processes / in-process): ${(avg(processes.ran) / Math.max(1, avg(inProcess.ran))).toFixed(1)}× a scenario, ${(processes.wall / Math.max(1, inProcess.wall)).toFixed(1)}× the run`);
