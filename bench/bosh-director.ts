import { performance } from 'node:perf_hooks';
import { Hono } from 'hono';
import { Foundation } from '../fakes/foundation.js';
import type { BoshSimulator } from '../fakes/bosh/index.js';
import { listen } from '../fakes/core/mount-network.js';
import { issueServerCertificate } from '../fakes/core/tls.js';

/**
 * The fake BOSH director:
 * 1. requests/second for `GET /tasks/:id` and `GET /deployments` over loopback HTTPS (UAA bearer
 *    token verified on every request), as a ratio to a bare Hono hello-world served by the same
 *    stack (`fakes/core/mount-network.ts`, same CA, same RSA certificate) in the same run;
 * 2. time and memory to deploy 10,000 deployments through the director's own HTTP routes
 *    (in-process `app.request`, no network: POST /deployments, then the tasks run on the virtual
 *    clock) and list them with GET /deployments.
 * Bounded: each autocannon row runs SECONDS (or, with AMOUNT > 0, stops after AMOUNT requests;
 * autocannon only notices that on its one-second ticks, so time-bounded rows are more precise).
 * Loopback only.
 *
 *   node --expose-gc bin/run-ts.mjs bench/bosh-director.ts [seconds=5] [deployments=10000] [amount=0]
 */
const SECONDS = Number(process.argv[2] ?? 5);
const N = Number(process.argv[3] ?? 10_000);
const AMOUNT = Number(process.argv[4] ?? 0);
const CONNECTIONS = 10;

interface CannonResult {
  non2xx: number;
  errors: number;
  duration: number;
  requests: { total: number };
  latency: { p50: number; p99: number };
}
// autocannon ships no types; a computed specifier keeps tsc from looking for them.
const autocannonModule = 'autocannon';
const autocannon = ((await import(autocannonModule)) as { default: (o: Record<string, unknown>) => Promise<CannonResult> }).default;

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

const BIG_CLOUD = `azs: [{name: z1}, {name: z2}, {name: z3}]
vm_types: [{name: default}]
disk_types: [{name: 1GB, disk_size: 1024}]
networks:
- name: default
  type: manual
  subnets:
  - {azs: [z1, z2, z3], range: 10.0.0.0/16, gateway: 10.0.0.1, reserved: [10.0.0.2-10.0.0.9]}
`;
const manifest = (name: string) => `name: ${name}
releases: [{name: redis, version: 15.0.0}]
stemcells: [{alias: default, os: ubuntu-jammy, version: latest}]
update: {canaries: 1, max_in_flight: 1, canary_watch_time: 1000, update_watch_time: 1000}
instance_groups:
- name: redis
  instances: 1
  azs: [z1]
  vm_type: default
  stemcell: default
  networks: [{name: default}]
  jobs: [{name: redis-server, release: redis}]
`;

async function cannon(url: string, headers: Record<string, string>, ca: string) {
  const t0 = performance.now();
  const r = await autocannon({ url, connections: CONNECTIONS, ...(AMOUNT ? { amount: AMOUNT } : { duration: SECONDS }), headers, tlsOptions: { ca } });
  const seconds = (performance.now() - t0) / 1000;
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  // Our own elapsed time: autocannon's `duration` and per-second averages are whole-second ticks.
  return { rps: r.requests.total / seconds, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99 };
}

// ---- 2. deploy and list N deployments (in-process HTTP routes, virtual clock) ----
{
  const f = await Foundation.create({ seed: 'bench-bosh-10k', config: { bosh: { cloud_config: BIG_CLOUD } } });
  const bosh = f.service<BoshSimulator>('bosh');
  bosh.control.seedRelease({ name: 'redis', version: '15.0.0', jobs: ['redis-server'] });
  bosh.control.seedStemcell({ name: 'bosh-warden-boshlite-ubuntu-jammy-go_agent', version: '1.423' });
  f.journal.clear();
  const basic = { authorization: `bearer ${((await (await f.uaa.app.request('/oauth/token', {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from(`bosh_admin:${f.uaa.model.client('bosh_admin')!.client_secret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })).json()) as { access_token: string }).access_token}` };
  gc?.();
  const m0 = process.memoryUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const res = await bosh.app.request('/deployments', { method: 'POST', headers: { ...basic, 'content-type': 'text/yaml' }, body: manifest(`service-instance_${i}`) });
    if (res.status !== 302) throw new Error(`deploy ${i}: ${res.status} ${await res.text()}`);
  }
  const t1 = performance.now();
  await f.clock.runAll(10_000_000);
  const t2 = performance.now();
  const failed = bosh.control.tasks().filter((t) => t.state !== 'done').length;
  const list = await bosh.app.request('/deployments', { headers: basic });
  const body = await list.text();
  const t3 = performance.now();
  const count = (JSON.parse(body) as unknown[]).length;
  const list2 = performance.now();
  await (await bosh.app.request('/deployments?exclude_configs=true', { headers: basic })).text();
  const t4 = performance.now();
  gc?.();
  const m1 = process.memoryUsage();
  console.log(`\n${N} deployments through POST /deployments (in-process app.request, UAA token) + tasks on the virtual clock`);
  console.log(`  POST x${N}:            ${((t1 - t0) / 1000).toFixed(2)} s (${(N / ((t1 - t0) / 1000)).toFixed(0)}/s)`);
  console.log(`  run all tasks:         ${((t2 - t1) / 1000).toFixed(2)} s (${failed} not done)`);
  console.log(`  GET /deployments:      ${(t3 - t2).toFixed(0)} ms for ${count} rows, ${mb(body.length)} of JSON; again with exclude_configs: ${(t4 - list2).toFixed(0)} ms`);
  console.log(`  memory delta:          heapUsed ${mb(m1.heapUsed - m0.heapUsed)}, rss ${mb(m1.rss - m0.rss)} (gc ${gc ? 'forced' : 'not exposed'}; journal on, capacity-bounded)`);
  await f.close();
}

// ---- 1. throughput over loopback HTTPS ----
{
  const f = await Foundation.create({ seed: 'bench-bosh', config: { bosh: { cloud_config: BIG_CLOUD } } });
  const bosh = f.service<BoshSimulator>('bosh');
  bosh.control.seedRelease({ name: 'redis', version: '15.0.0', jobs: ['redis-server'] });
  bosh.control.seedStemcell({ name: 'bosh-warden-boshlite-ubuntu-jammy-go_agent', version: '1.423' });
  for (let i = 0; i < 20; i++) bosh.control.createDeployment(manifest(`dep-${i}`));
  const { urls, caPem } = await f.listen();
  const token = await bosh.app.request('/info'); // warm the app
  void token;
  const uaaRes = await f.uaa.app.request('/oauth/token', {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from(`bosh_admin:${f.uaa.model.client('bosh_admin')!.client_secret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const auth = `bearer ${((await uaaRes.json()) as { access_token: string }).access_token}`;
  const post = await bosh.app.request('/deployments', { method: 'POST', headers: { authorization: auth, 'content-type': 'text/yaml' }, body: manifest('dep-0') });
  const taskId = Number(post.headers.get('location')!.split('/').pop());
  await f.clock.runAll();

  const hello = new Hono().get('/', (c) => c.text('Hello Hono!'));
  const cert = await issueServerCertificate(await f.ca(), ['127.0.0.1']);
  const bare = await listen(hello, { host: '127.0.0.1', tls: cert });

  const rows: [string, Awaited<ReturnType<typeof cannon>>][] = [];
  rows.push(['bare Hono hello-world', await cannon(`${bare.url}/`, {}, caPem!)]);
  rows.push([`GET /tasks/${taskId}`, await cannon(`${urls.bosh}/tasks/${taskId}`, { authorization: auth }, caPem!)]);
  rows.push(['GET /deployments (20)', await cannon(`${urls.bosh}/deployments`, { authorization: auth }, caPem!)]);
  const base = rows[0][1].rps;
  console.log(`\nloopback HTTPS, ${CONNECTIONS} connections, ${AMOUNT || `${SECONDS}s of`} requests per row (UAA bearer token on every request)`);
  console.log('route'.padEnd(28), 'req/s'.padStart(9), 'ratio'.padStart(7), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'total'.padStart(8));
  for (const [name, r] of rows) {
    console.log(name.padEnd(28), r.rps.toFixed(0).padStart(9), (r.rps / base).toFixed(2).padStart(7), String(r.p50).padStart(8), String(r.p99).padStart(8), String(r.total).padStart(8));
  }
  await bare.close();
  await f.close();
}
