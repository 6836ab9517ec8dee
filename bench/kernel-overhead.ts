import { performance } from 'node:perf_hooks';
import { Hono } from 'hono';
import { createKernel } from '../fakes/core/kernel.js';
import { createServiceApp } from '../fakes/core/service-app.js';

/**
 * What the kernel's per-request work (journal, fault matching, error handling) costs, in-process:
 * the same route on a bare Hono app and on a fake's service app, as requests per second.
 *
 *   node bin/run-ts.mjs bench/kernel-overhead.ts [requests=20000]
 */
const N = Number(process.argv[2] ?? 20_000);
const payload = { resources: Array.from({ length: 20 }, (_, i) => ({ guid: `g-${i}`, name: `name-${i}`, state: 'succeeded' })) };

const bare = new Hono();
bare.get('/things', (c) => c.json(payload));
bare.post('/things', async (c) => c.json(await c.req.json(), 201));

const kernel = createKernel({ seed: 'bench' });
const fake = createServiceApp(kernel, 'bench', (c, status) => c.json({ error: status }, status as 500));
fake.get('/things', (c) => c.json(payload));
fake.post('/things', async (c) => c.json(await c.req.json(), 201));
const faulted = createKernel({ seed: 'bench2' });
for (let i = 0; i < 20; i++) faulted.faults.add({ match: { service: 'bench', path: `/other/${i}/**` }, action: { type: 'status', status: 500 } });
const fakeWithRules = createServiceApp(faulted, 'bench', (c, status) => c.json({ error: status }, status as 500));
fakeWithRules.get('/things', (c) => c.json(payload));
fakeWithRules.post('/things', async (c) => c.json(await c.req.json(), 201));

async function rate(app: Hono, method: 'GET' | 'POST'): Promise<number> {
  const init = method === 'POST' ? { method, body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } } : { method };
  for (let i = 0; i < 500; i++) await (await app.request('/things', init)).text();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await (await app.request('/things', init)).text();
  return N / ((performance.now() - t0) / 1000);
}

const rows: [string, number, number, number][] = [];
for (const method of ['GET', 'POST'] as const) {
  const b = await rate(bare, method);
  const f = await rate(fake, method);
  const r = await rate(fakeWithRules, method);
  rows.push([method, b, f, r]);
}
console.log(`in-process app.request, ${N} requests per cell, 20-item JSON body`);
console.log('method | bare Hono req/s | service app req/s (ratio) | + 20 non-matching fault rules (ratio)');
for (const [m, b, f, r] of rows) {
  console.log(`${m.padEnd(6)} | ${b.toFixed(0).padStart(15)} | ${f.toFixed(0).padStart(10)} (${(f / b).toFixed(2)}) | ${r.toFixed(0).padStart(10)} (${(r / b).toFixed(2)})`);
}
console.log(`journal entries kept: ${kernel.journal.size} (capacity ${kernel.journal.capacity})`);
kernel.close();
faulted.close();
