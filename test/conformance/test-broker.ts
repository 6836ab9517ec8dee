/**
 * The in-test brokers: a Hono broker that follows OSBAPI 2.17 (sync and async plans, async
 * bindings, rotation, maintenance_info, fetch endpoints), and the same broker switched into one
 * of the faults the conformance suite must detect. Time comes from a clock shared with the suite.
 */
import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';

export const FAULTS = [
  'timeout', // provision answers after ten minutes
  'status-500', // provision answers 500
  'status-400', // provision answers 400 to a valid request
  '404-on-delete', // delete of an unknown instance answers 404, not 410
  '410-while-provisioning', // last_operation answers 410 during an async provision
  '422-on-bind', // bind answers 422 without an error code
  'concurrency-error', // bind answers 422 ConcurrencyError with nothing in progress
  'maintenance-info-conflict', // provision answers 422 MaintenanceInfoConflict to the catalog's version
  'invalid-json-200', // update answers 200 with a body that is not JSON
  'invalid-json-201', // provision answers 201 with a body that is not JSON
  'status-204', // provision answers 204
  'async-fails', // async provisions end "failed"
  'async-never-finishes', // async provisions stay "in progress"
  'catalog-duplicate-ids', // two plans share an id
  'catalog-missing-ids', // a service and a plan without an id
  'no-version-check', // requests without X-Broker-API-Version are served
  'no-credentials', // bindings come without credentials
  'busy-500', // a delete while another operation is in progress answers 500 (as ODB does), not 422 ConcurrencyError
] as const;
export type Fault = (typeof FAULTS)[number];

interface ClockLike {
  now(): number;
  after(ms: number, fn: () => void): { cancel(): void };
  sleep(ms: number): Promise<void>;
}

const DB = 'a3a4c1e2-0000-4000-8000-00000000d0b1';
const SMALL = 'a3a4c1e2-0000-4000-8000-0000000005a1';
const LARGE = 'a3a4c1e2-0000-4000-8000-0000000001a2';
const QUEUE = 'a3a4c1e2-0000-4000-8000-00000000c0e1';
const STANDARD = 'a3a4c1e2-0000-4000-8000-0000000057d1';
const ASYNC_PLANS = new Set([LARGE]);
const ASYNC_BINDING_PLANS = new Set([STANDARD]);
const OP_MS = 5_000;

const schema = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  properties: { size: { type: 'string', description: 'disk size' } },
  additionalProperties: false,
};

export function testCatalog(faults: Set<Fault> = new Set()) {
  const catalog = {
    services: [
      {
        id: DB,
        name: 'conformance-db',
        description: 'A database for the conformance tests.',
        bindable: true,
        instances_retrievable: true,
        bindings_retrievable: true,
        allow_context_updates: true,
        plan_updateable: true,
        tags: ['sql'],
        metadata: { displayName: 'Conformance DB' },
        plans: [
          {
            id: SMALL,
            name: 'small',
            description: 'Synchronous.',
            free: true,
            maintenance_info: { version: '1.2.0', description: 'OS image update' },
            schemas: { service_instance: { create: { parameters: schema }, update: { parameters: schema } }, service_binding: { create: { parameters: schema } } },
          },
          { id: LARGE, name: 'large', description: 'Asynchronous.', free: false, maximum_polling_duration: 600, maintenance_info: { version: '2.0.0' } },
        ],
      },
      {
        id: QUEUE,
        name: 'conformance-queue',
        description: 'A queue whose bindings are asynchronous.',
        bindable: true,
        bindings_retrievable: true,
        plans: [{ id: STANDARD, name: 'standard', description: 'Asynchronous bindings, rotatable.', binding_rotatable: true }],
      },
    ],
  } as { services: Record<string, unknown>[] };
  if (faults.has('catalog-duplicate-ids')) (catalog.services[0].plans as Record<string, unknown>[])[1].id = SMALL;
  if (faults.has('catalog-missing-ids')) {
    delete catalog.services[1].id;
    delete (catalog.services[0].plans as Record<string, unknown>[])[1].id;
  }
  return catalog;
}

type OpState = 'in progress' | 'succeeded' | 'failed';
interface Op {
  id: string;
  type: 'provision' | 'update' | 'deprovision' | 'bind' | 'unbind';
  state: OpState;
  key?: string;
  description?: string;
  timer?: { cancel(): void };
}
interface Binding {
  id: string;
  key: string;
  appGuid?: string;
  parameters: Record<string, unknown>;
  credentials: Record<string, unknown>;
  ops: Map<string, Op>;
  last?: Op;
  ready: boolean;
}
interface Instance {
  id: string;
  serviceId: string;
  planId: string;
  key: string;
  parameters: Record<string, unknown>;
  maintenanceVersion?: string;
  ops: Map<string, Op>;
  last?: Op;
  ready: boolean;
  bindings: Map<string, Binding>;
  deletedBindings: Set<string>;
}

export interface TestBroker {
  app: Hono;
  faults: Set<Fault>;
  instances: Map<string, Instance>;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function createTestBroker(opts: { clock: ClockLike; username?: string; password?: string; faults?: Fault[] }): TestBroker {
  const faults = new Set(opts.faults ?? []);
  const username = opts.username ?? 'broker';
  const password = opts.password ?? 'secret';
  const instances = new Map<string, Instance>();
  const deleted = new Set<string>();
  let n = 0;
  const app = new Hono();
  const err = (c: Context, status: number, description: string, error?: string) => c.json(error ? { error, description } : { description }, status as 400);
  const plan = (id: unknown) => testCatalog().services.flatMap((s) => (s.plans as Record<string, unknown>[]).map((p) => ({ s, p }))).find((x) => x.p.id === id);

  const schedule = (op: Op, done: () => void) => {
    if (op.type === 'provision' && faults.has('async-never-finishes')) return;
    op.timer = opts.clock.after(OP_MS, () => {
      if (op.state !== 'in progress') return;
      if (op.type === 'provision' && faults.has('async-fails')) {
        op.state = 'failed';
        op.description = 'the database could not be created';
        return;
      }
      op.state = 'succeeded';
      done();
    });
  };

  app.use('*', async (c, next) => {
    const id = c.req.header('x-broker-api-request-identity');
    if (id) c.header('X-Broker-API-Request-Identity', id);
    const auth = c.req.header('authorization');
    if (auth !== 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64')) return err(c, 401, 'unauthorized');
    const v = c.req.header('x-broker-api-version');
    if (!faults.has('no-version-check')) {
      if (!v) return err(c, 412, 'X-Broker-API-Version header is required');
      if (!/^2\.\d+$/.test(v) || Number(v.split('.')[1]) < 13) return err(c, 412, `X-Broker-API-Version ${v} is not supported; use 2.13 to 2.17`);
    }
    await next();
  });

  const body = async (c: Context): Promise<Record<string, unknown> | undefined> => {
    try {
      const b = await c.req.json();
      return isObj(b) ? b : undefined;
    } catch {
      return undefined;
    }
  };
  const acceptsIncomplete = (c: Context) => c.req.query('accepts_incomplete') === 'true';

  app.get('/v2/catalog', (c) => {
    const body = JSON.stringify(testCatalog(faults));
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, { ETag: etag });
    return c.body(body, 200, { 'content-type': 'application/json', ETag: etag });
  });

  app.put('/v2/service_instances/:id', async (c) => {
    // Ten minutes of the broker's time: far past the platform's 60 s.
    if (faults.has('timeout')) await opts.clock.sleep(10 * 60_000);
    if (faults.has('status-500')) return err(c, 500, 'internal error');
    const b = await body(c);
    if (!b) return err(c, 400, 'the body is not a JSON object');
    if (faults.has('status-400')) return err(c, 400, 'rejected');
    const found = plan(b.plan_id);
    if (typeof b.service_id !== 'string' || typeof b.plan_id !== 'string') return err(c, 400, 'service_id and plan_id are required');
    if (typeof b.organization_guid !== 'string' || typeof b.space_guid !== 'string') return err(c, 400, 'organization_guid and space_guid are required');
    if (!found || found.s.id !== b.service_id) return err(c, 400, `plan ${String(b.plan_id)} is not a plan of service ${String(b.service_id)}`);
    const mi = found.p.maintenance_info as { version: string } | undefined;
    const sent = isObj(b.maintenance_info) ? b.maintenance_info.version : undefined;
    if (faults.has('maintenance-info-conflict') || (sent !== undefined && sent !== mi?.version)) return err(c, 422, 'the maintenance information for the plan has changed', 'MaintenanceInfoConflict');
    const params = isObj(b.parameters) ? b.parameters : {};
    if (b.plan_id === SMALL && !validParams(params)) return err(c, 400, 'parameters do not match the plan\'s schema');
    const id = c.req.param('id');
    const key = JSON.stringify([b.service_id, b.plan_id, b.organization_guid, b.space_guid, params]);
    const existing = instances.get(id);
    if (existing) {
      if (existing.key !== key) return err(c, 409, 'an instance with this id exists with other attributes');
      if (!existing.ready && existing.last?.type === 'provision' && existing.last.state === 'in progress') return c.json({ operation: existing.last.id }, 202);
      return c.json({ dashboard_url: `https://dashboard.example.com/${id}` }, 200);
    }
    const async = ASYNC_PLANS.has(b.plan_id);
    if (async && !acceptsIncomplete(c)) return err(c, 422, 'This plan requires client support for asynchronous service operations.', 'AsyncRequired');
    const inst: Instance = { id, serviceId: b.service_id, planId: b.plan_id, key, parameters: params, maintenanceVersion: mi?.version, ops: new Map(), ready: !async, bindings: new Map(), deletedBindings: new Set() };
    instances.set(id, inst);
    deleted.delete(id);
    if (faults.has('invalid-json-201') || faults.has('status-204')) {
      inst.ready = true;
      return faults.has('status-204') ? c.body(null, 204) : c.body('{"dashboard_url": ', 201, { 'content-type': 'application/json' });
    }
    if (!async) return c.json({ dashboard_url: `https://dashboard.example.com/${id}` }, 201);
    const op: Op = { id: `provision-${++n}`, type: 'provision', state: 'in progress' };
    inst.ops.set(op.id, op);
    inst.last = op;
    schedule(op, () => (inst.ready = true));
    return c.json({ dashboard_url: `https://dashboard.example.com/${id}`, operation: op.id }, 202);
  });

  app.get('/v2/service_instances/:id', (c) => {
    const inst = instances.get(c.req.param('id'));
    if (!inst || !inst.ready) return err(c, 404, 'no such instance');
    if (inst.last?.state === 'in progress' && inst.last.type === 'update') return err(c, 422, 'the instance is being updated', 'ConcurrencyError');
    return c.json({ service_id: inst.serviceId, plan_id: inst.planId, dashboard_url: `https://dashboard.example.com/${inst.id}`, parameters: inst.parameters, ...(inst.maintenanceVersion ? { maintenance_info: { version: inst.maintenanceVersion } } : {}) });
  });

  app.patch('/v2/service_instances/:id', async (c) => {
    const b = await body(c);
    if (!b || typeof b.service_id !== 'string') return err(c, 400, 'service_id is required');
    const inst = instances.get(c.req.param('id'));
    if (!inst) return err(c, 404, 'no such instance');
    const targetPlan = typeof b.plan_id === 'string' ? b.plan_id : inst.planId;
    const found = plan(targetPlan);
    if (!found || found.s.id !== b.service_id) return err(c, 400, 'unknown plan for this service');
    const key = JSON.stringify(b);
    if (inst.last?.state === 'in progress') {
      if (inst.last.type === 'update' && inst.last.key === key) return c.json({ operation: inst.last.id }, 202);
      return err(c, 422, 'another operation is in progress', 'ConcurrencyError');
    }
    const mi = found.p.maintenance_info as { version: string } | undefined;
    if (isObj(b.maintenance_info) && b.maintenance_info.version !== mi?.version) return err(c, 422, 'the maintenance information for the plan has changed', 'MaintenanceInfoConflict');
    const params = isObj(b.parameters) ? b.parameters : undefined;
    if (params && targetPlan === SMALL && !validParams(params)) return err(c, 400, 'parameters do not match the plan\'s schema');
    const apply = () => {
      inst.planId = targetPlan;
      if (params) inst.parameters = params;
      if (mi) inst.maintenanceVersion = mi.version;
    };
    const async = ASYNC_PLANS.has(targetPlan) || ASYNC_PLANS.has(inst.planId);
    if (async && !acceptsIncomplete(c)) return err(c, 422, 'This plan requires client support for asynchronous service operations.', 'AsyncRequired');
    if (faults.has('invalid-json-200')) {
      apply();
      return c.body('ok', 200, { 'content-type': 'application/json' });
    }
    if (!async) {
      apply();
      return c.json({}, 200);
    }
    const op: Op = { id: `update-${++n}`, type: 'update', state: 'in progress', key };
    inst.ops.set(op.id, op);
    inst.last = op;
    schedule(op, apply);
    return c.json({ operation: op.id }, 202);
  });

  app.delete('/v2/service_instances/:id', (c) => {
    const id = c.req.param('id');
    if (!c.req.query('service_id') || !c.req.query('plan_id')) return err(c, 400, 'service_id and plan_id are required');
    const inst = instances.get(id);
    if (!inst) return faults.has('404-on-delete') ? err(c, 404, 'no such instance') : c.json({}, 410);
    const async = ASYNC_PLANS.has(inst.planId);
    if (async && !acceptsIncomplete(c)) return err(c, 422, 'This plan requires client support for asynchronous service operations.', 'AsyncRequired');
    const last = inst.last;
    if (last?.state === 'in progress') {
      if (last.type === 'deprovision') return c.json({ operation: last.id }, 202);
      if (faults.has('busy-500')) return err(c, 500, 'An operation is in progress for your service instance. Please try again later.');
      if (last.type === 'update') return err(c, 422, 'an update is in progress', 'ConcurrencyError');
      // Deleting during provisioning halts the provision.
      last.timer?.cancel();
      last.state = 'failed';
      last.description = 'halted by a deprovision';
    }
    const gone = () => {
      instances.delete(id);
      deleted.add(id);
    };
    if (!async) {
      gone();
      return c.json({}, 200);
    }
    const op: Op = { id: `deprovision-${++n}`, type: 'deprovision', state: 'in progress' };
    inst.ops.set(op.id, op);
    inst.last = op;
    schedule(op, gone);
    return c.json({ operation: op.id }, 202);
  });

  app.get('/v2/service_instances/:id/last_operation', (c) => {
    const id = c.req.param('id');
    const inst = instances.get(id);
    if (!inst) return deleted.has(id) ? c.json({}, 410) : err(c, 404, 'no such instance');
    const opId = c.req.query('operation');
    const op = opId !== undefined ? inst.ops.get(opId) : inst.last;
    if (!op) return opId !== undefined ? err(c, 400, `unknown operation ${opId}`) : err(c, 404, 'no operation for this instance');
    if (faults.has('410-while-provisioning') && op.type === 'provision' && op.state === 'in progress') return c.json({}, 410);
    if (op.state === 'in progress') c.header('Retry-After', '5');
    return c.json({ state: op.state, ...(op.description ? { description: op.description } : {}) });
  });

  const bindingOf = (c: Context) => instances.get(c.req.param('id')!)?.bindings.get(c.req.param('bid')!);

  app.put('/v2/service_instances/:id/service_bindings/:bid', async (c) => {
    const b = await body(c);
    if (!b || typeof b.service_id !== 'string' || typeof b.plan_id !== 'string') return err(c, 400, 'service_id and plan_id are required');
    const inst = instances.get(c.req.param('id'));
    if (!inst || !inst.ready) return err(c, 400, 'no such instance');
    if (faults.has('422-on-bind')) return err(c, 422, 'cannot bind now');
    if (faults.has('concurrency-error')) return err(c, 422, 'another operation is in progress', 'ConcurrencyError');
    const params = isObj(b.parameters) ? b.parameters : {};
    const bindResource = isObj(b.bind_resource) ? b.bind_resource : {};
    const appGuid = typeof bindResource.app_guid === 'string' ? bindResource.app_guid : typeof b.app_guid === 'string' ? b.app_guid : undefined;
    const bid = c.req.param('bid');
    const key = JSON.stringify([b.service_id, b.plan_id, appGuid ?? null, params]);
    const existing = inst.bindings.get(bid);
    if (existing) {
      if (existing.key !== key) return err(c, 409, 'a binding with this id exists with other parameters');
      if (!existing.ready) return c.json({ operation: existing.last?.id }, 202);
      return c.json({ credentials: existing.credentials }, 200);
    }
    if (b.predecessor_binding_id !== undefined && !inst.bindings.get(String(b.predecessor_binding_id))?.ready) return err(c, 400, 'predecessor_binding_id is not a binding of this instance');
    const async = ASYNC_BINDING_PLANS.has(inst.planId);
    if (async && !acceptsIncomplete(c)) return err(c, 422, 'This service requires client support for asynchronous binding operations.', 'AsyncRequired');
    const credentials = faults.has('no-credentials') ? undefined : { uri: `db://user-${bid.slice(0, 8)}:pw@db.example.com:5432/${inst.id.slice(0, 8)}`, username: `user-${bid.slice(0, 8)}`, password: 'pw' };
    const binding: Binding = { id: bid, key, appGuid, parameters: params, credentials: credentials ?? {}, ops: new Map(), ready: !async };
    inst.bindings.set(bid, binding);
    inst.deletedBindings.delete(bid);
    if (!async) return c.json(credentials ? { credentials, endpoints: [{ host: 'db.example.com', ports: ['5432'], protocol: 'tcp' }] } : {}, 201);
    const op: Op = { id: `bind-${++n}`, type: 'bind', state: 'in progress' };
    binding.ops.set(op.id, op);
    binding.last = op;
    schedule(op, () => (binding.ready = true));
    return c.json({ operation: op.id }, 202);
  });

  app.get('/v2/service_instances/:id/service_bindings/:bid', (c) => {
    const binding = bindingOf(c);
    if (!binding || !binding.ready) return err(c, 404, 'no such binding');
    return c.json({ ...(faults.has('no-credentials') ? {} : { credentials: binding.credentials }), parameters: binding.parameters });
  });

  app.get('/v2/service_instances/:id/service_bindings/:bid/last_operation', (c) => {
    const inst = instances.get(c.req.param('id'));
    const binding = bindingOf(c);
    if (!binding) return inst?.deletedBindings.has(c.req.param('bid')) ? c.json({}, 410) : err(c, 404, 'no such binding');
    const opId = c.req.query('operation');
    const op = opId !== undefined ? binding.ops.get(opId) : binding.last;
    if (!op) return opId !== undefined ? err(c, 400, `unknown operation ${opId}`) : err(c, 404, 'no operation for this binding');
    if (op.state === 'in progress') c.header('Retry-After', '5');
    return c.json({ state: op.state, ...(op.description ? { description: op.description } : {}) });
  });

  app.delete('/v2/service_instances/:id/service_bindings/:bid', (c) => {
    if (!c.req.query('service_id') || !c.req.query('plan_id')) return err(c, 400, 'service_id and plan_id are required');
    const inst = instances.get(c.req.param('id'));
    const bid = c.req.param('bid');
    const binding = inst?.bindings.get(bid);
    if (!inst || !binding) return c.json({}, 410);
    const async = ASYNC_BINDING_PLANS.has(inst.planId);
    if (async && !acceptsIncomplete(c)) return err(c, 422, 'This service requires client support for asynchronous binding operations.', 'AsyncRequired');
    const last = binding.last;
    if (last?.state === 'in progress') {
      if (last.type === 'unbind') return c.json({ operation: last.id }, 202);
      last.timer?.cancel();
      last.state = 'failed';
      last.description = 'halted by an unbind';
    }
    const gone = () => {
      inst.bindings.delete(bid);
      inst.deletedBindings.add(bid);
    };
    if (!async) {
      gone();
      return c.json({}, 200);
    }
    const op: Op = { id: `unbind-${++n}`, type: 'unbind', state: 'in progress' };
    binding.ops.set(op.id, op);
    binding.last = op;
    schedule(op, gone);
    return c.json({ operation: op.id }, 202);
  });

  app.notFound((c) => err(c, 404, 'not found'));
  app.onError((e, c) => err(c, 500, e.message));
  return { app, faults, instances };
}

function validParams(p: Record<string, unknown>): boolean {
  return Object.entries(p).every(([k, v]) => k === 'size' && typeof v === 'string');
}
