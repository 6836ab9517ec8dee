import { performance } from 'node:perf_hooks';
import { Foundation } from '../fakes/foundation.js';

/**
 * What the dashboard's reads cost on a busy foundation: a journal at its default capacity (50,000
 * entries), 40 deployments of 10 instances, and one change event's worth of redraws. Each figure
 * is the median of the rounds, in-process (no HTTP).
 *
 *   node bin/run-ts.mjs bench/dashboard.ts [journal entries=50000] [rounds=15]
 */
const ENTRIES = Number(process.argv[2] ?? 50_000);
const ROUNDS = Number(process.argv[3] ?? 15);

const f = await Foundation.create({ seed: 'bench-dashboard' });
const urls = f.mountInProcess();
const services = ['uaa', 'bosh', 'cc', 'cc->broker'];
const body = JSON.stringify({ service_id: 'svc', plan_id: 'plan', parameters: { size: 3 }, context: { platform: 'cloudfoundry' } });
for (let i = 0; i < ENTRIES; i++) {
  const service = services[i % services.length];
  f.journal.record({
    service,
    method: i % 3 ? 'GET' : 'PUT',
    path: `/v2/service_instances/${(i % 500).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000${i % 3 ? '/last_operation' : ''}`,
    query: {},
    requestHeaders: { 'content-type': 'application/json', authorization: 'bearer ***' },
    requestBody: i % 3 ? null : body,
    status: i % 97 === 0 ? 503 : 200,
    responseHeaders: { 'content-type': 'application/json' },
    responseBody: '{"state":"succeeded","description":"done"}',
    virtualTime: i * 1000,
    virtualEndTime: i * 1000 + 5,
    wallTime: i * 10,
    wallDurationMs: 3,
    faults: [],
    direction: service.includes('->') ? 'outbound' : 'inbound',
    tags: [],
  });
}
f.bosh.control.seedRelease({ name: 'redis', version: '15.0.0', jobs: ['redis-server'] });
f.bosh.control.seedStemcell({ name: 'bosh-warden-boshlite-ubuntu-jammy-go_agent', version: '1.423', operating_system: 'ubuntu-jammy' });
for (let d = 0; d < 40; d++) {
  f.bosh.control.createDeployment(`name: dep-${d}
releases: [{name: redis, version: 15.0.0}]
stemcells: [{alias: default, os: ubuntu-jammy, version: latest}]
update: {canaries: 1, max_in_flight: 1, canary_watch_time: 1000, update_watch_time: 1000}
instance_groups:
- {name: redis-server, instances: 10, azs: [z1, z2, z3], vm_type: default, stemcell: default, networks: [{name: default}], jobs: [{name: redis-server, release: redis, properties: {password: secret}}]}
`);
}

const ui = `${urls.cc}/_fakefoundry/ui/`;
async function median(path: string): Promise<[number, number]> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < ROUNDS + 2; i++) {
    const t0 = performance.now();
    const text = await (await fetch(ui + path)).text();
    if (i >= 2) times.push(performance.now() - t0);
    bytes = text.length;
  }
  times.sort((a, b) => a - b);
  return [times[Math.floor(times.length / 2)], bytes];
}

console.log(`dashboard reads, in-process fetch, median of ${ROUNDS}; journal ${f.journal.size} entries, ${Object.keys(f.bosh.model.state.deployments).length} deployments of 10 instances`);
const last = f.journal.lastSeq;
for (const [label, path] of [
  ['journal, first page (newest 500)', 'api/journal'],
  ['journal, since the last seen (1 new)', `api/journal?since=${last - 1}`],
  ['journal, filtered: cc->broker PUT 5xx', 'api/journal?service=cc-%3Ebroker&method=PUT&status=5xx'],
  ['journal, filtered: path glob', 'api/journal?path=/v2/service_instances/*/last_operation&limit=100'],
  ['journal, one entry in full', `api/journal/${last}`],
  ['sequence diagram, newest 60', 'api/sequence'],
  ['BOSH view', 'api/bosh'],
  ['CC view', 'api/cc'],
  ['UAA view', 'api/uaa'],
] as const) {
  const [ms, bytes] = await median(path);
  console.log(`  ${label.padEnd(40)} ${ms.toFixed(1).padStart(7)} ms  ${(bytes / 1024).toFixed(0).padStart(6)} KiB`);
}
await f.close();
