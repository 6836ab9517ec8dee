/**
 * adapter-check on the two example adapters: wall time per run, cases, adapter calls and the mean
 * time an adapter call takes (a Node process start dominates it). Prints figures; asserts nothing.
 */
import { checkAdapter } from '../adapter-check/index.js';
import { exampleAdapters } from '../broker-under-test/example-adapters/index.js';

for (const name of ['redis', 'kafka'] as const) {
  for (const modes of [['stdin'], ['stdin', 'legacy']] as const) {
    const t = performance.now();
    const run = await checkAdapter({ adapter: exampleAdapters[name].adapterPath, inputModes: [...modes] });
    const wall = performance.now() - t;
    const calls = run.cases.flatMap((c) => c.steps ?? []).filter((s) => s.kind === 'adapter');
    const callMs = calls.reduce((a, s) => a + s.wallDurationMs, 0);
    const failed = run.cases.filter((c) => c.outcome === 'failed').length;
    console.log(
      `${name.padEnd(5)} ${modes.join('+').padEnd(12)} ${String(run.cases.length).padStart(3)} cases (${failed} failed)  ` +
        `${(wall / 1000).toFixed(1).padStart(5)} s  ${String(calls.length).padStart(3)} adapter calls, mean ${(callMs / Math.max(1, calls.length)).toFixed(0)} ms, ` +
        `${((callMs / wall) * 100).toFixed(0)}% of the run in adapter processes`,
    );
  }
}
