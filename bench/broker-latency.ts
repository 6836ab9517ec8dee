import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { executableAdapter } from '../broker-under-test/index.js';
import { SMALL, startHarness } from '../test/broker/harness.js';

/**
 * broker-under-test on the fakes, in-process, instant clock: wall time from the provision request
 * to the `last_operation` that says `succeeded` (deploy task, dashboard URL, polls), and bind
 * latency (deployment lookup, the vms task, create-binding). Two adapters: in-process TypeScript,
 * and an executable (a node process per call).
 *
 *   node bin/run-ts.mjs bench/broker-latency.ts [count=100]
 */
const COUNT = Number(process.argv[2] ?? 100);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function measure(label: string, count: number, executable: boolean) {
  const h = await startHarness({
    seed: `bench-${label}`,
    register: false,
    config: (c) => ({ ...c, service_catalog: { ...c.service_catalog, plans: c.service_catalog.plans.map((p) => ({ ...p, quotas: undefined })) } }),
    brokerOptions: executable
      ? { serviceAdapter: executableAdapter({ path: path.resolve(import.meta.dirname, '../test/broker/fixtures/tiny-redis-adapter.mjs'), inputMode: 'stdin' }) }
      : {},
  });
  const provision: number[] = [];
  const bind: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const id = `bench-${i}`;
      const t0 = performance.now();
      const res = await h.osb('PUT', `/v2/service_instances/${id}?accepts_incomplete=true`, { service_id: 'redis-odb-id', plan_id: SMALL });
      if (res.status !== 202) throw new Error(`provision ${res.status}: ${res.text}`);
      for (;;) {
        await h.f.clock.runAll();
        const lo = await h.osb('GET', `/v2/service_instances/${id}/last_operation?operation=${encodeURIComponent(res.json.operation)}`);
        if (lo.json.state === 'succeeded') break;
        if (lo.json.state !== 'in progress') throw new Error(JSON.stringify(lo.json));
      }
      provision.push(performance.now() - t0);
      const t1 = performance.now();
      const b = await h.osb('PUT', `/v2/service_instances/${id}/service_bindings/b-${i}`, { service_id: 'redis-odb-id', plan_id: SMALL });
      if (b.status !== 201) throw new Error(`bind ${b.status}: ${b.text}`);
      bind.push(performance.now() - t1);
    }
  } finally {
    await h.close();
  }
  console.log(
    `${label.padEnd(22)} provision→succeeded p50 ${fmt(pct(provision, 50))}  p99 ${fmt(pct(provision, 99))}   bind p50 ${fmt(pct(bind, 50))}  p99 ${fmt(pct(bind, 99))}   (n=${count})`,
  );
}

await measure('in-process adapter', COUNT, false);
await measure('executable adapter', Math.min(COUNT, 30), true);
