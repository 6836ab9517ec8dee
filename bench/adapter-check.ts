/**
 * adapter-check on the two example adapters, with their ODB configs and without (the defaults):
 * wall time and CPU time per run, cases, adapter calls and the mean time an adapter call takes (a
 * Node process start dominates it). Both input modes are run one lane at a time and with the
 * default concurrency, to show what running lanes side by side gives. Prints figures; asserts
 * nothing.
 */
import { checkAdapter } from '../adapter-check/index.js';
import type { InputMode } from '../adapter-check/index.js';
import { exampleAdapters } from '../broker-under-test/example-adapters/index.js';

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const runs: { modes: InputMode[]; concurrency?: number }[] = [
  { modes: ['stdin'] },
  { modes: ['legacy'] },
  { modes: ['stdin', 'legacy'], concurrency: 1 },
  { modes: ['stdin', 'legacy'] },
];

for (const name of ['redis', 'kafka'] as const) {
  for (const config of ['odb-config', 'defaults'] as const) {
    for (const { modes, concurrency } of runs) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      const run = await checkAdapter({
        adapter: exampleAdapters[name].adapterPath,
        inputModes: modes,
        ...(config === 'defaults' ? { config: false as const } : {}),
        ...(concurrency ? { concurrency } : {}),
      });
      const wall = performance.now() - t;
      const ownCpu = cpuMs(process.cpuUsage(cpu));
      const calls = run.cases.flatMap((c) => c.steps ?? []).filter((s) => s.kind === 'adapter');
      const callMs = calls.reduce((a, s) => a + s.wallDurationMs, 0);
      const failed = run.cases.filter((c) => c.outcome === 'failed').length;
      console.log(
        `${name.padEnd(5)} ${config.padEnd(10)} ${modes.join('+').padEnd(12)} ${`concurrency ${concurrency ?? 'default'}`.padEnd(19)} ` +
          `${String(run.cases.length).padStart(3)} cases (${failed} failed)  ${(wall / 1000).toFixed(1).padStart(5)} s wall, ` +
          `${(ownCpu / 1000).toFixed(1).padStart(4)} s CPU in adapter-check, ${String(calls.length).padStart(3)} adapter calls (mean ${(callMs / Math.max(1, calls.length)).toFixed(0)} ms)`,
      );
    }
  }
}
