import { Hono, type Context } from 'hono';
import { createKernel, type Kernel } from '../../../fakes/core/kernel.js';
import { inProcessNetwork } from '../../../fakes/core/mount-in-process.js';
import { CcPlatform } from '../../../fakes/cc/platform/platform.js';
import type { BrokerEndpoint, PlatformOperation, PlatformOptions } from '../../../fakes/cc/platform/api.js';

/** What the in-test broker saw. */
export interface SeenRequest {
  method: string;
  path: string;
  /** Raw query string (without `?`), to check CC's exact encoding and key order. */
  rawQuery: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  json?: Record<string, unknown>;
}

/** How the broker answers one kind of request; default answers are sane OSBAPI. */
export type Reply = (req: SeenRequest, n: number) => Response | Promise<Response>;

export type RouteKind =
  | 'catalog'
  | 'provision'
  | 'update'
  | 'deprovision'
  | 'instanceLastOp'
  | 'fetchInstance'
  | 'bind'
  | 'unbind'
  | 'bindingLastOp'
  | 'fetchBinding';

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

export const SERVICE_ID = 'svc-id-1';
export const PLAN_ID = 'plan-id-1';

export function goodCatalog(): Record<string, unknown> {
  return {
    services: [
      {
        id: SERVICE_ID,
        name: 'db',
        description: 'A database',
        bindable: true,
        bindings_retrievable: true,
        instances_retrievable: true,
        plans: [
          { id: PLAN_ID, name: 'small', description: 'Small', maintenance_info: { version: '1.0.0', description: 'first' } },
          { id: 'plan-id-2', name: 'large', description: 'Large', free: false },
        ],
      },
    ],
  };
}

const DEFAULTS: Record<RouteKind, Reply> = {
  catalog: () => json(200, goodCatalog()),
  provision: () => json(201, { dashboard_url: 'https://dash.example.com/1' }),
  update: () => json(200, {}),
  deprovision: () => json(200, {}),
  instanceLastOp: () => json(200, { state: 'succeeded', description: 'done' }),
  fetchInstance: () => json(200, { service_id: SERVICE_ID, plan_id: PLAN_ID, dashboard_url: 'https://dash.example.com/fetched', parameters: { a: 1 } }),
  bind: () => json(201, { credentials: { user: 'u', password: 'p' } }),
  unbind: () => json(200, {}),
  bindingLastOp: () => json(200, { state: 'succeeded' }),
  fetchBinding: () => json(200, { credentials: { user: 'fetched' }, parameters: {} }),
};

let seq = 0;

export interface Env {
  kernel: Kernel;
  platform: CcPlatform;
  broker: BrokerEndpoint;
  seen: SeenRequest[];
  replies: Partial<Record<RouteKind, Reply>>;
  /** Requests of one kind, in order. */
  of(kind: RouteKind): SeenRequest[];
  close(): void;
}

function kindOf(method: string, path: string): RouteKind | undefined {
  if (path === '/v2/catalog' && method === 'GET') return 'catalog';
  const b = /^\/v2\/service_instances\/[^/]+\/service_bindings\/[^/]+(\/last_operation)?$/.exec(path);
  if (b) {
    if (b[1]) return 'bindingLastOp';
    return method === 'PUT' ? 'bind' : method === 'DELETE' ? 'unbind' : method === 'GET' ? 'fetchBinding' : undefined;
  }
  const i = /^\/v2\/service_instances\/[^/]+(\/last_operation)?$/.exec(path);
  if (i) {
    if (i[1]) return 'instanceLastOp';
    return method === 'PUT' ? 'provision' : method === 'PATCH' ? 'update' : method === 'DELETE' ? 'deprovision' : 'fetchInstance';
  }
  return undefined;
}

export function makeEnv(opts: PlatformOptions & { seed?: string } = {}): Env {
  const kernel = createKernel({ seed: opts.seed ?? 'platform-test', clockMode: 'virtual', id: `pt${++seq}` });
  kernel.urls.cc = `https://cc.${kernel.id}.fakefoundry.test`;
  const seen: SeenRequest[] = [];
  const counts = new Map<RouteKind, number>();
  const replies: Partial<Record<RouteKind, Reply>> = {};
  const app = new Hono();
  app.all('*', async (c: Context) => {
    const url = new URL(c.req.url);
    const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text();
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((v, k) => (headers[k] = v));
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = body ? JSON.parse(body) : undefined;
    } catch {
      parsed = undefined;
    }
    const req: SeenRequest = {
      method: c.req.method,
      path: url.pathname,
      rawQuery: url.search.replace(/^\?/, ''),
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
      json: parsed,
    };
    seen.push(req);
    const kind = kindOf(req.method, req.path);
    if (!kind) return json(404, { description: 'no such route' });
    const n = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, n);
    return (replies[kind] ?? DEFAULTS[kind])(req, n);
  });
  const owner = Symbol('broker');
  const origin = `https://broker.${kernel.id}.fakefoundry.test`;
  inProcessNetwork.register(owner, { [origin]: (r) => app.fetch(r) }, 'bypass');
  const { seed: _seed, ...platformOpts } = opts;
  const platform = new CcPlatform(kernel, platformOpts);
  const broker: BrokerEndpoint = { guid: 'broker-guid', name: 'test-broker', url: origin, username: 'broker-user', password: 'broker-pass' };
  return {
    kernel,
    platform,
    broker,
    seen,
    replies,
    of: (kind) => seen.filter((r) => kindOf(r.method, r.path) === kind),
    close: () => {
      platform.close();
      inProcessNetwork.unregister(owner);
      kernel.close();
    },
  };
}

export const INSTANCE = 'inst-guid-1';
export const BINDING = 'bind-guid-1';
export const USER = 'user-guid-1';

export function provisionOp(env: Env, extra: Partial<PlatformOperation> = {}): PlatformOperation {
  return {
    type: 'create',
    resource: 'service_instance',
    broker: env.broker,
    instanceGuid: INSTANCE,
    serviceId: SERVICE_ID,
    planId: PLAN_ID,
    userGuid: USER,
    instancesRetrievable: true,
    body: { organization_guid: 'org-1', space_guid: 'space-1', context: { platform: 'cloudfoundry' } },
    ...extra,
  };
}

export function bindOp(env: Env, extra: Partial<PlatformOperation> = {}): PlatformOperation {
  return {
    type: 'create',
    resource: 'service_binding',
    broker: env.broker,
    instanceGuid: INSTANCE,
    bindingGuid: BINDING,
    serviceId: SERVICE_ID,
    planId: PLAN_ID,
    userGuid: USER,
    bindingsRetrievable: true,
    body: { app_guid: 'app-1', bind_resource: { app_guid: 'app-1', space_guid: 'space-1' } },
    ...extra,
  };
}

export function op(env: Env, type: PlatformOperation['type'], resource: PlatformOperation['resource'], extra: Partial<PlatformOperation> = {}): PlatformOperation {
  const base = resource === 'service_instance' ? provisionOp(env) : bindOp(env, { resource });
  return { ...base, type, ...extra };
}

/** Orphan-mitigation DELETEs the journal holds. */
export function omCalls(env: Env) {
  return env.kernel.journal.query({ service: 'cc->broker', tag: 'orphan-mitigation' });
}
