import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../fakes/core/kernel.js';
import { listen, type NetworkServer } from '../../fakes/core/mount-network.js';
import { OutboundNetworkError, OutboundTimeoutError } from '../../fakes/core/outbound.js';

let server: NetworkServer | undefined;
let kernel: Kernel | undefined;
afterEach(async () => {
  await server?.close();
  kernel?.close();
});

async function setup(): Promise<{ k: Kernel; url: string }> {
  const app = new Hono();
  app.put('/v2/service_instances/:id', (c) => c.json({ dashboard_url: 'https://dash' }, 201));
  server = await listen(app, {});
  kernel = createKernel({ seed: 'out' });
  return { k: kernel, url: server.url };
}

describe('outbound calls a fake makes', () => {
  it('are journaled as outbound with tags and masked credentials', async () => {
    const { k, url } = await setup();
    const res = await k.fetch('cc->broker', `${url}/v2/service_instances/i1`, {
      method: 'PUT',
      headers: { authorization: 'Basic dTpw', 'content-type': 'application/json' },
      body: '{"service_id":"s"}',
    }, { tags: ['provision'] });
    expect(res.status).toBe(201);
    const [e] = k.journal.query({ direction: 'outbound' });
    expect(e).toMatchObject({ service: 'cc->broker', method: 'PUT', path: '/v2/service_instances/i1', status: 201, tags: ['provision'] });
    expect(e.requestHeaders.authorization).toBe('Basic ***');
    expect(JSON.parse(e.responseBody!)).toEqual({ dashboard_url: 'https://dash' });
  });

  it('obey status faults on their leg without reaching the server', async () => {
    const { k, url } = await setup();
    k.faults.add({ match: { service: 'cc->broker', method: 'PUT' }, action: { type: 'status', status: 500, body: '{}' }, times: 1 });
    expect((await k.fetch('cc->broker', `${url}/v2/service_instances/i1`, { method: 'PUT' })).status).toBe(500);
    expect((await k.fetch('cc->broker', `${url}/v2/service_instances/i1`, { method: 'PUT' })).status).toBe(201);
  });

  it('time out on the virtual clock when a latency fault exceeds the timeout', async () => {
    const { k, url } = await setup();
    k.faults.add({ match: { service: 'cc->broker' }, action: { type: 'latency', ms: 61_000 } });
    const p = k.fetch('cc->broker', `${url}/v2/service_instances/i1`, { method: 'PUT' }, { timeoutMs: 60_000 });
    const settled = p.then(() => 'ok', (e) => e);
    await k.clock.advance(60_000);
    expect(await settled).toBeInstanceOf(OutboundTimeoutError);
    const [e] = k.journal.query({ direction: 'outbound' });
    expect(e.status).toBe(0);
    expect(e.error).toMatch(/timed out/);
  });

  it('answer after the latency when it is under the timeout', async () => {
    const { k, url } = await setup();
    k.faults.add({ match: { service: 'cc->broker' }, action: { type: 'latency', ms: 10_000 } });
    const p = k.fetch('cc->broker', `${url}/v2/service_instances/i1`, { method: 'PUT' }, { timeoutMs: 60_000 });
    await k.clock.advance(10_000);
    expect((await p).status).toBe(201);
  });

  it('fail like a dropped connection on a reset fault or a closed port', async () => {
    const { k, url } = await setup();
    k.faults.add({ match: { service: 'cc->broker' }, action: { type: 'reset' }, times: 1 });
    await expect(k.fetch('cc->broker', `${url}/x`)).rejects.toBeInstanceOf(OutboundNetworkError);
    await server!.close();
    server = undefined;
    await expect(k.fetch('cc->broker', `${url}/x`)).rejects.toBeInstanceOf(OutboundNetworkError);
  });
});
