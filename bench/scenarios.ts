/**
 * How long the scenario catalogue takes: each scenario's own time, their average, and the whole
 * run as `npm start` does it (vitest start-up, workers, reports). Goals: ≤ 100 ms a scenario on
 * average, the whole run under 30 s on 2 cores.
 *
 *   node bin/run-ts.mjs bench/scenarios.ts [file filters...]
 */
import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runScenarios } from '../scenarios/runner/run.js';

const out = await mkdtemp(path.join(tmpdir(), 'fakefoundry-bench-'));
const quiet = new Writable({ write: (_c, _e, cb) => cb() });
const started = performance.now();
const r = await runScenarios({ filters: process.argv.slice(2), reporters: ['json', 'html'], outDir: out, stream: quiet });
const wall = performance.now() - started;
const cases = r.run?.cases ?? [];
const ran = cases.filter((c) => c.outcome !== 'not-applicable' && c.outcome !== 'skipped');
const sum = ran.reduce((t, c) => t + c.duration, 0);
const adapterCalls = ran.reduce((t, c) => t + (c.steps ?? []).filter((s) => s.kind === 'adapter').length, 0);
const requests = ran.reduce((t, c) => t + (c.journal?.length ?? 0), 0);

const rows = [...ran].sort((a, b) => b.duration - a.duration);
for (const c of cases.filter((x) => x.outcome === 'failed')) console.log(`FAILED ${c.suite} › ${c.title}: ${c.message ?? ''}`);
const adapterMs = ran.reduce((t, c) => t + (c.steps ?? []).filter((x) => x.kind === 'adapter').reduce((a, x) => a + x.wallDurationMs, 0), 0);
console.log('slowest scenarios:');
for (const c of rows.slice(0, 10)) console.log(`  ${c.duration.toFixed(0).padStart(6)} ms  ${c.suite} › ${c.title}`);
console.log('');
console.log(`cores: ${availableParallelism()}, load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`scenarios run: ${ran.length} (${cases.length - ran.length} not applicable or skipped), failed: ${cases.filter((c) => c.outcome === 'failed').length}`);
console.log(`scenario time: total ${(sum / 1000).toFixed(1)} s, average ${(sum / Math.max(1, ran.length)).toFixed(0)} ms (goal ≤ 100 ms)`);
console.log(`per scenario: ${(adapterCalls / Math.max(1, ran.length)).toFixed(1)} adapter processes, ${(requests / Math.max(1, ran.length)).toFixed(0)} journaled requests; adapter processes are ${((adapterMs / Math.max(1, sum)) * 100).toFixed(0)}% of scenario time`);
console.log(`whole run (vitest, workers, reports): ${(wall / 1000).toFixed(1)} s (goal < 30 s on 2 cores)`);
