import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';
import { ccFactory, type CcSimulator } from '../../fakes/cc/index.js';
import { uaaFactory } from '../../fakes/uaa/index.js';

/** The fakes these tests need, independent of what `fakes/registry.ts` holds at the moment. */
export const CC_FACTORIES = [uaaFactory, ccFactory];

/** A foundation with a UAA and a CC, mounted in-process. */
export async function ccFoundation(seed = 'cc-test'): Promise<{ f: Foundation; cc: CcSimulator; api: string }> {
  const f = await Foundation.create({ seed, factories: CC_FACTORIES });
  const urls = f.mountInProcess();
  return { f, cc: f.service<CcSimulator>('cc'), api: urls.cc };
}

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');

/** An access token from the foundation's UAA: a client's (client_credentials) or a user's (password grant via `cf`). */
export async function token(f: Foundation, who: { client: string } | { user: string; password?: string }): Promise<string> {
  let body: string;
  let auth: string;
  if ('client' in who) {
    const cl = f.uaa.model.client(who.client)!;
    auth = basic(cl.client_id, cl.client_secret);
    body = 'grant_type=client_credentials';
  } else {
    const u = f.uaa.model.userByName(who.user)!;
    auth = basic('cf', '');
    body = `grant_type=password&username=${encodeURIComponent(who.user)}&password=${encodeURIComponent(who.password ?? u.password)}`;
  }
  const res = await fetch(`${f.urls.uaa}/oauth/token`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
  });
  const json = (await res.json()) as { access_token?: string };
  if (!json.access_token) throw new Error(`no token: ${JSON.stringify(json)}`);
  return json.access_token;
}

/** A tiny CC client: `req('GET', '/v3/...')` → {status, body, headers}. */
export function client(api: string, bearer?: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `bearer ${bearer}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  };
}

export interface BrokerCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: any;
}

export interface TestBrokerOptions {
  /** How many `in progress` polls before an async operation succeeds. */
  pollsBeforeDone?: number;
  async?: boolean;
  catalog?: unknown;
}

export const CATALOG = {
  services: [
    {
      id: 'svc-db',
      name: 'test-db',
      description: 'A database for tests',
      bindable: true,
      plan_updateable: true,
      instances_retrievable: true,
      bindings_retrievable: true,
      tags: ['db'],
      metadata: { displayName: 'Test DB', shareable: false },
      plans: [
        { id: 'plan-small', name: 'small', description: 'Small', free: true, maintenance_info: { version: '1.0.0', description: 'first' } },
        { id: 'plan-large', name: 'large', description: 'Large', free: false, maintenance_info: { version: '1.0.0' } },
      ],
    },
  ],
};

/**
 * An OSBAPI broker for tests, on loopback: async provision/update/deprovision (202 + polls),
 * sync bind/unbind, fetch instance and binding; records every request it gets.
 */
export async function startTestBroker(opts: TestBrokerOptions = {}) {
  const calls: BrokerCall[] = [];
  const instances = new Map<string, { plan_id: string; polls: number; op: string; params?: unknown; maintenance_info?: unknown }>();
  const bindings = new Map<string, { credentials: Record<string, unknown> }>();
  const state = { catalog: structuredClone(opts.catalog ?? CATALOG), pollsBeforeDone: opts.pollsBeforeDone ?? 1, async: opts.async ?? true };
  const app = new Hono();
  app.use('*', async (c, next) => {
    const text = c.req.method === 'GET' ? '' : await c.req.text();
    calls.push({
      method: c.req.method,
      path: c.req.path,
      query: c.req.query(),
      headers: Object.fromEntries(c.req.raw.headers),
      body: text ? JSON.parse(text) : undefined,
    });
    await next();
  });
  app.get('/v2/catalog', (c) => c.json(state.catalog));
  app.put('/v2/service_instances/:id', async (c) => {
    const body = calls.at(-1)!.body;
    instances.set(c.req.param('id'), { plan_id: body.plan_id, polls: 0, op: 'provision', params: body.parameters, maintenance_info: body.maintenance_info });
    if (!state.async) return c.json({ dashboard_url: `https://dash.example.com/${c.req.param('id')}` }, 201);
    return c.json({ dashboard_url: `https://dash.example.com/${c.req.param('id')}`, operation: 'provisioning' }, 202);
  });
  app.patch('/v2/service_instances/:id', async (c) => {
    const inst = instances.get(c.req.param('id'));
    if (!inst) return c.json({ description: 'no such instance' }, 404);
    const body = calls.at(-1)!.body;
    Object.assign(inst, { plan_id: body.plan_id, polls: 0, op: 'update', maintenance_info: body.maintenance_info ?? inst.maintenance_info });
    if (!state.async) return c.json({}, 200);
    return c.json({ operation: 'updating' }, 202);
  });
  app.delete('/v2/service_instances/:id', (c) => {
    const inst = instances.get(c.req.param('id'));
    if (!inst) return c.json({}, 410);
    inst.op = 'deprovision';
    inst.polls = 0;
    if (!state.async) {
      instances.delete(c.req.param('id'));
      return c.json({}, 200);
    }
    return c.json({ operation: 'deprovisioning' }, 202);
  });
  app.get('/v2/service_instances/:id/last_operation', (c) => {
    const inst = instances.get(c.req.param('id'));
    if (!inst) return c.json({}, 410);
    inst.polls++;
    if (inst.polls <= state.pollsBeforeDone) return c.json({ state: 'in progress', description: `${inst.op} in progress` });
    if (inst.op === 'deprovision') instances.delete(c.req.param('id'));
    return c.json({ state: 'succeeded', description: `${inst.op} done` });
  });
  app.get('/v2/service_instances/:id', (c) => {
    const inst = instances.get(c.req.param('id'));
    if (!inst) return c.json({}, 404);
    return c.json({ service_id: 'svc-db', plan_id: inst.plan_id, dashboard_url: `https://dash.example.com/${c.req.param('id')}`, parameters: inst.params ?? {} });
  });
  app.put('/v2/service_instances/:id/service_bindings/:bid', (c) => {
    const credentials = { uri: `db://${c.req.param('bid')}`, password: 'secret' };
    bindings.set(c.req.param('bid'), { credentials });
    return c.json({ credentials }, 201);
  });
  app.get('/v2/service_instances/:id/service_bindings/:bid', (c) => {
    const b = bindings.get(c.req.param('bid'));
    return b ? c.json({ credentials: b.credentials, parameters: {} }) : c.json({}, 404);
  });
  app.delete('/v2/service_instances/:id/service_bindings/:bid', (c) => {
    if (!bindings.delete(c.req.param('bid'))) return c.json({}, 410);
    return c.json({}, 200);
  });

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    username: 'broker-user',
    password: 'broker-pass',
    calls,
    instances,
    bindings,
    state,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A CC foundation with a test broker registered as `b` (`test-db` enabled for everyone); `space` is
 * the first seeded space, `registered` the broker record. The caller closes `f` and `broker`.
 */
export async function ccWithTestBroker(seed: string, opts?: TestBrokerOptions) {
  const env = await ccFoundation(seed);
  const broker = await startTestBroker(opts);
  const registered = await env.cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
  env.cc.driver.enableAccess('test-db');
  return { ...env, broker, registered, space: env.cc.model.all('spaces')[0] };
}

export type TestBroker = Awaited<ReturnType<typeof startTestBroker>>;

/** Closes, after each test of the enclosing describe, whatever the test left open (in that order). */
export function closeAfterEach(open: () => ({ close(): Promise<unknown> } | undefined)[]): void {
  afterEach(async () => {
    for (const x of open()) await x?.close();
  });
}

/** Polls a v3 job (moving the virtual clock through the driver) until it is COMPLETE or FAILED. */
export async function waitJob(cc: CcSimulator, req: ReturnType<typeof client>, location: string) {
  const guid = location.split('/').pop()!;
  await cc.driver.waitForJob(guid);
  const res = await req('GET', `/v3/jobs/${guid}`);
  return res.body;
}
