import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { runErrand } from '../broker-under-test/errands/index.js';
import { redisAdapter, startHarness } from '../test/broker/harness.js';

/**
 * upgrade-all-service-instances over many instances (default 1,000) with max_in_flight 50, against
 * broker-under-test in-process on the fakes with an instant clock: wall time and peak memory. The
 * instances are seeded straight into CC and BOSH (their provisioning is not what is measured); the
 * adapter's output then changes, so every instance really is redeployed.
 *
 *   node bin/run-ts.mjs bench/broker-upgrade-all.ts [instances=1000] [max_in_flight=50]
 */
const COUNT = Number(process.argv[2] ?? 1000);
const MAX_IN_FLIGHT = Number(process.argv[3] ?? 50);

const state = { version: 1 };
const h = await startHarness({
  seed: 'bench-upgrade-all',
  // The journal keeps request and response bodies; a short one keeps this a measure of the broker.
  foundation: { journal: { capacity: 1000 } },
  adapter: redisAdapter(state),
  config: (c) => ({ ...c, service_catalog: { ...c.service_catalog, plans: c.service_catalog.plans.map((p) => ({ ...p, instance_groups: p.instance_groups?.map((g) => ({ ...g, instances: 1 })) })) } }),
});
const cc = h.f.cc;
const space = cc.driver.space('org', 'dev');
const plan = cc.driver.plan({ offering: 'redis-odb', plan: 'large' });
for (let i = 0; i < COUNT; i++) {
  const inst = cc.model.addInstance({
    name: `si-${i}`,
    type: 'managed',
    space_guid: space.guid,
    plan_guid: plan.guid,
    tags: [],
    dashboard_url: null,
    maintenance_info: null,
    last_operation: cc.model.lastOperation('create', 'succeeded'),
  });
  const name = `service-instance_${inst.guid}`;
  h.bosh.control.createDeployment(
    stringify({
      name,
      releases: [{ name: 'redis', version: '15.0.0' }],
      stemcells: [{ alias: 'default', os: 'ubuntu-jammy', version: '1.423' }],
      update: { canaries: 1, max_in_flight: 1, canary_watch_time: '1000-30000', update_watch_time: '1000-30000' },
      instance_groups: [{ name: 'redis', instances: 1, vm_type: 'medium', stemcell: 'default', azs: ['z1'], networks: [{ name: 'default' }], jobs: [{ name: 'redis-server', release: 'redis', properties: { redis: { adapter_version: 1 } } }] }],
    }),
  );
}
state.version = 2;

let peakRss = 0;
let peakHeap = 0;
const sample = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 50);
const t0 = performance.now();
const res = await runErrand(
  'upgrade-all-service-instances',
  { broker_api: { url: h.brokerUrl, authentication: { basic: { username: 'broker', password: 'broker-secret' } } }, polling_interval: 5, attempt_interval: 5, attempt_limit: 3, max_in_flight: MAX_IN_FLIGHT, canaries: 1 },
  { fetch: globalThis.fetch, clock: h.f.clock },
);
const wall = (performance.now() - t0) / 1000;
clearInterval(sample);
const summary = res.stdout.trim().split('\n').pop() ?? '';
await h.close();
console.log(`upgrade-all: ${COUNT} instances, max_in_flight ${MAX_IN_FLIGHT}: exit ${res.exitCode}, ${wall.toFixed(1)} s wall, peak RSS ${(peakRss / 1e6).toFixed(0)} MB, peak heap ${(peakHeap / 1e6).toFixed(0)} MB`);
console.log(summary.replace(/^.*\[upgrade-all\] /, '  '));
