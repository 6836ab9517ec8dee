import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClockMode } from '../../fakes/core/clock.js';
import { createKernel, type Kernel } from '../../fakes/core/kernel.js';
import { listen, type NetworkServer } from '../../fakes/core/mount-network.js';
import { OutboundNetworkError, OutboundTimeoutError } from '../../fakes/core/outbound.js';

let server: NetworkServer | undefined;
let kernel: Kernel | undefined;
/** Requests to /slow/* wait for this gate; it is opened after each test so the server can close. */
let openGate: () => void = () => {};
afterEach(async () => {
  openGate();
  await server?.close();
  kernel?.close();
});

async function setup(clockMode: ClockMode = 'virtual'): Promise<{ k: Kernel; url: string }> {
  const gate = new Promise<void>((r) => (openGate = r));
  const app = new Hono();
  app.put('/v2/service_instances/:id', (c) => c.json({ dashboard_url: 'https://dash' }, 201));
  app.get('/slow/headers', async (c) => {
    await gate;
    return c.json({});
  });
  app.get('/slow/body', () => {
    // Headers go out at once; the body never ends until the gate opens.
    const body = new ReadableStream<Uint8Array>({
      async start(ctrl) {
        ctrl.enqueue(new TextEncoder().encode('{"partial":'));
        await gate;
        ctrl.enqueue(new TextEncoder().encode('true}'));
        ctrl.close();
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  });
  server = await listen(app, {});
  kernel = createKernel({ seed: 'out', clockMode });
  return { k: kernel, url: server.url };
}

/** Whether a promise has settled, after giving the event loop a few turns. */
async function settledYet(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return done;
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

  it('hang until the rule is removed, then go on, as inbound requests do', async () => {
    const { k, url } = await setup();
    const rule = k.faults.add({ match: { service: 'cc->broker' }, action: { type: 'hang' } });
    const p = k.fetch('cc->broker', `${url}/v2/service_instances/i1`, { method: 'PUT' }, { timeoutMs: 60_000 });
    expect(await settledYet(p)).toBe(false);
    k.faults.remove(rule.id);
    expect((await p).status).toBe(201);
    const [e] = k.journal.query({ direction: 'outbound' });
    expect(e).toMatchObject({ status: 201, faults: [rule.id] });
    expect(e.error).toBeUndefined();
  });

  it('hang until the deadline, which then times them out', async () => {
    const { k, url } = await setup();
    k.faults.add({ match: { service: 'cc->broker' }, action: { type: 'hang' } });
    const start = k.clock.now();
    const p = k.fetch('cc->broker', `${url}/v2/service_instances/i1`, { method: 'PUT' }, { timeoutMs: 60_000 });
    const outcome = p.then(() => 'answered', (e: unknown) => e);
    // A fault is the clock's to resolve: running the clock reaches its deadline.
    await k.clock.runAll();
    expect(await outcome).toMatchObject({ kind: 'timeout' });
    expect(k.clock.now()).toBe(start + 60_000);
  });

  it('fail like a dropped connection on a reset fault or a closed port', async () => {
    const { k, url } = await setup();
    k.faults.add({ match: { service: 'cc->broker' }, action: { type: 'reset' }, times: 1 });
    await expect(k.fetch('cc->broker', `${url}/x`)).rejects.toBeInstanceOf(OutboundNetworkError);
    await server!.close();
    server = undefined;
    await expect(k.fetch('cc->broker', `${url}/x`)).rejects.toBeInstanceOf(OutboundNetworkError);
    await expect(k.fetch('cc->broker', `${url}/x`)).rejects.toMatchObject({ kind: 'unreachable' });
  });
});

describe('timeouts on real calls', () => {
  it('a server that never answers times out when the virtual clock passes the deadline', async () => {
    const { k, url } = await setup();
    const start = k.clock.now();
    const p = k.fetch('cc->broker', `${url}/slow/headers`, {}, { timeoutMs: 60_000 });
    const outcome = p.then(() => 'answered', (e: unknown) => e);
    await k.clock.advance(59_999);
    expect(await settledYet(p)).toBe(false);
    await k.clock.advance(1);
    const err = await outcome;
    expect(err).toBeInstanceOf(OutboundTimeoutError);
    expect(err).toMatchObject({ kind: 'timeout', timeoutMs: 60_000, url: `${url}/slow/headers` });
    const [e] = k.journal.query({ direction: 'outbound' });
    expect(e).toMatchObject({ status: 0, virtualTime: start, virtualEndTime: start + 60_000, responseBody: null });
    expect(e.error).toBe(`request to ${url}/slow/headers timed out after 60000 ms`);
  });

  it('the deadline covers reading the body, as a receive timeout does', async () => {
    const { k, url } = await setup();
    const p = k.fetch('cc->broker', `${url}/slow/body`, {}, { timeoutMs: 5_000 });
    const outcome = p.then(() => 'answered', (e: unknown) => e);
    expect(await settledYet(p)).toBe(false);
    await k.clock.advance(5_000);
    expect(await outcome).toBeInstanceOf(OutboundTimeoutError);
  });

  it('a deadline never draws the clock: runAll and nextDueAt ignore it', async () => {
    const { k, url } = await setup();
    const start = k.clock.now();
    const p = k.fetch('cc->broker', `${url}/slow/headers`, {}, { timeoutMs: 60_000 });
    expect(await settledYet(p)).toBe(false);
    expect(k.clock.pending()).toBe(0);
    expect(k.clock.nextDueAt()).toBeUndefined();
    expect(await k.clock.runAll()).toBe(0);
    expect(k.clock.now()).toBe(start);
    // A timer past the deadline moves the clock through it, and the call times out on the way.
    let firedAt: number | undefined;
    k.clock.after(90_000, () => void (firedAt = k.clock.now()));
    const outcome = p.then(() => 'answered', (e: unknown) => e);
    await k.clock.runAll();
    expect(await outcome).toBeInstanceOf(OutboundTimeoutError);
    expect(firedAt).toBe(start + 90_000);
    expect(k.journal.query({ direction: 'outbound' })[0].virtualEndTime).toBe(start + 60_000);
  });

  it('a call that answers in time is not timed out later', async () => {
    const { k, url } = await setup();
    const res = await k.fetch('cc->broker', `${url}/v2/service_instances/i1`, { method: 'PUT' }, { timeoutMs: 1_000 });
    await k.clock.advance(10_000);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ dashboard_url: 'https://dash' });
  });

  it('a latency fault uses up part of the timeout; the real call gets what is left', async () => {
    const { k, url } = await setup();
    k.faults.add({ match: { service: 'cc->broker' }, action: { type: 'latency', ms: 40_000 } });
    const p = k.fetch('cc->broker', `${url}/slow/headers`, {}, { timeoutMs: 60_000 });
    const outcome = p.then(() => 'answered', (e: unknown) => e);
    await k.clock.advance(40_000);
    await k.clock.advance(19_999);
    expect(await settledYet(p)).toBe(false);
    await k.clock.advance(1);
    expect(await outcome).toMatchObject({ kind: 'timeout', timeoutMs: 60_000 });
  });

  it('with the real clock, the deadline is on the foundation clock (moving it times the call out)', async () => {
    const { k, url } = await setup('real');
    const p = k.fetch('cc->broker', `${url}/slow/headers`, {}, { timeoutMs: 60_000 });
    const outcome = p.then(() => 'answered', (e: unknown) => e);
    expect(await settledYet(p)).toBe(false);
    await k.clock.advance(60_000);
    expect(await outcome).toBeInstanceOf(OutboundTimeoutError);
  });

  it('with the instant clock, timers racing the clock ahead do not time out a call in flight', async () => {
    const { k, url } = await setup('instant');
    const start = k.clock.now();
    const jumped = new Promise<void>((r) => k.clock.after(600_000, r));
    const p = k.fetch('cc->broker', `${url}/slow/headers`, {}, { timeoutMs: 60_000 });
    await jumped;
    expect(k.clock.now()).toBeGreaterThanOrEqual(start + 600_000);
    openGate();
    expect((await p).status).toBe(200);
  });
});
