import { performance } from 'node:perf_hooks';
import { Foundation } from '../fakes/foundation.js';
import { ccFactory, type CcSimulator } from '../fakes/cc/index.js';
import { uaaFactory } from '../fakes/uaa/index.js';

/**
 * Listing 10,000 service instances page by page through CC v2 (results-per-page=100, following
 * next_url as ODB does) and v3 (per_page=50 default, per_page=5000 max, following pagination.next),
 * in-process through the Hono app (`app.request`, no transport) and through msw (`fetch`).
 * Prints wall time, pages, requests per second and heap growth for each row.
 *
 *   node bin/run-ts.mjs bench/cc-list.ts [instances=10000]
 */
const N = Number(process.argv[2] ?? 10_000);

const f = await Foundation.create({ seed: 'bench-cc', factories: [uaaFactory, ccFactory] });
const urls = f.mountInProcess();
const cc = f.service<CcSimulator>('cc');
const m = cc.model;

// Seed: one broker-less offering and plan, N instances in one space (records only, no broker).
const broker = m.addBroker({ name: 'bench', url: 'http://127.0.0.1:9', username: 'u', password: 'p', state: 'AVAILABLE' });
const offering = m.addOffering({
  broker_guid: broker.guid, catalog_id: 'svc', name: 'svc', description: 'd', bindable: true, plan_updateable: true,
  instances_retrievable: false, bindings_retrievable: false, allow_context_updates: false, tags: [], requires: [],
  catalog_metadata: null, shareable: false, documentation_url: null, active: true,
});
const plan = m.addPlan({
  offering_guid: offering.guid, catalog_id: 'plan', name: 'plan', description: 'd', free: true, bindable: null, plan_updateable: null,
  catalog_metadata: null, maximum_polling_duration: null, schemas: {}, maintenance_info: { version: '1.0.0' }, public: true, active: true,
});
const space = m.all('spaces')[0];
for (let i = 0; i < N; i++) {
  m.addInstance({
    name: `si-${i}`, type: 'managed', space_guid: space.guid, plan_guid: plan.guid, tags: [], dashboard_url: null,
    maintenance_info: { version: '1.0.0' }, last_operation: m.lastOperation('create', 'succeeded'),
  });
}

const client = f.uaa.model.client('cc_admin')!;
const tokenRes = await fetch(`${urls.uaa}/oauth/token`, {
  method: 'POST',
  headers: { authorization: 'Basic ' + Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials',
});
const token = ((await tokenRes.json()) as { access_token: string }).access_token;
const headers = { authorization: `bearer ${token}` };

type Get = (pathAndQuery: string) => Promise<any>;
const direct: Get = async (p) => (await cc.app.request(p, { headers })).json();
const viaMsw: Get = async (p) => (await fetch(`${urls.cc}${p}`, { headers })).json();

async function v2(get: Get, perPage: number, first = `/v2/service_instances?results-per-page=${perPage}`): Promise<{ pages: number; seen: number }> {
  let next: string | null = first;
  let pages = 0, seen = 0;
  while (next) {
    const body = await get(next);
    pages++;
    seen += body.resources.length;
    next = body.next_url;
  }
  return { pages, seen };
}

async function v3(get: Get, perPage: number): Promise<{ pages: number; seen: number }> {
  let next: string | null = `/v3/service_instances?per_page=${perPage}`;
  let pages = 0, seen = 0;
  while (next) {
    const body = await get(next);
    pages++;
    seen += body.resources.length;
    next = body.pagination.next ? body.pagination.next.href.slice(urls.cc.length) : null;
  }
  return { pages, seen };
}

const gc = (globalThis as { gc?: () => void }).gc;
const rows: Record<string, string | number>[] = [];
async function row(name: string, fn: () => Promise<{ pages: number; seen: number }>) {
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  const heap1 = process.memoryUsage().heapUsed;
  if (r.seen !== N) throw new Error(`${name}: saw ${r.seen} of ${N}`);
  rows.push({ row: name, pages: r.pages, 'total ms': Math.round(ms), 'ms/page': +(ms / r.pages).toFixed(2), 'heap Δ MB': +((heap1 - heap0) / 2 ** 20).toFixed(1) });
}

await row('v2 results-per-page=100 (app.request)', () => v2(direct, 100));
await row('v2 results-per-page=100 (msw fetch)', () => v2(viaMsw, 100));
// ODB's instance listing: per plan, with an unescaped space filter, following next_url.
await row('v2 ODB per-plan q=space_guid: (msw fetch)', () => v2(viaMsw, 100, `/v2/service_plans/${plan.guid}/service_instances?results-per-page=100&q=space_guid:${space.guid}`));
await row('v3 per_page=50 (app.request)', () => v3(direct, 50));
await row('v3 per_page=50 (msw fetch)', () => v3(viaMsw, 50));
await row('v3 per_page=5000 (app.request)', () => v3(direct, 5000));
await row('v3 per_page=5000 (msw fetch)', () => v3(viaMsw, 5000));

console.log(`CC list: ${N} service instances, one space; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB at the end`);
console.table(rows);
await f.close();
