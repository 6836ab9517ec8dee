import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { Foundation } from '../fakes/foundation.js';

/**
 * Client-credentials tokens per second from the fake UAA, three ways:
 * - direct `app.request` (the Hono app, no transport),
 * - in-process through msw (`fetch` to https://uaa.<id>.fakefoundry.test),
 * - real HTTPS on loopback (node:https, keep-alive, the foundation's CA).
 * Bounded: at most COUNT requests and SECONDS wall seconds per row. Loopback only.
 *
 *   node bin/run-ts.mjs bench/uaa-tokens.ts [count=2000] [seconds=20]
 */
const COUNT = Number(process.argv[2] ?? 2000);
const SECONDS = Number(process.argv[3] ?? 20);
const CONCURRENCY = [1, 16];

interface Row {
  mode: string;
  concurrency: number;
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function run(mode: string, concurrency: number, one: () => Promise<number>): Promise<Row> {
  // Warm up: the first requests pay for JIT and key import.
  for (let i = 0; i < 50; i++) await one();
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  let issued = 0;
  const start = performance.now();
  const worker = async () => {
    while (issued < COUNT && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      const status = await one();
      if (status !== 200) throw new Error(`${mode}: status ${status}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { mode, concurrency, requests: latencies.length, seconds, perSecond: latencies.length / seconds, p50: q(0.5), p99: q(0.99) };
}

const f = await Foundation.create({ seed: 'bench', services: ['uaa'] });
const client = f.uaa.model.client('cc_admin')!;
const auth = 'Basic ' + Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64');
const headers = { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
const body = 'grant_type=client_credentials';
const rows: Row[] = [];

const inProcess = f.mountInProcess();
for (const c of CONCURRENCY) {
  rows.push(
    await run('app.request (direct)', c, async () => {
      const res = await f.uaa.app.request('/oauth/token', { method: 'POST', headers, body });
      await res.arrayBuffer();
      return res.status;
    }),
  );
}
for (const c of CONCURRENCY) {
  rows.push(
    await run('in-process (msw fetch)', c, async () => {
      const res = await fetch(`${inProcess.uaa}/oauth/token`, { method: 'POST', headers, body });
      await res.arrayBuffer();
      return res.status;
    }),
  );
}

const { urls, caPem } = await f.listen({ https: true });
const agent = new https.Agent({ keepAlive: true, ca: caPem, maxSockets: 64 });
const viaHttps = () =>
  new Promise<number>((resolve, reject) => {
    const req = https.request(`${urls.uaa}/oauth/token`, { method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
for (const c of CONCURRENCY) rows.push(await run('HTTPS loopback (node:https keep-alive)', c, viaHttps));
agent.destroy();

const fmt = (n: number, d = 1) => n.toFixed(d);
console.log(`\nfake UAA: client_credentials tokens (RS256, 2048-bit key), node ${process.version}, up to ${COUNT} requests / ${SECONDS}s per row\n`);
console.log('| mode | concurrency | requests | seconds | tokens/s | p50 ms | p99 ms |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.mode} | ${r.concurrency} | ${r.requests} | ${fmt(r.seconds, 2)} | ${fmt(r.perSecond, 0)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} |`);
}
await f.close();
