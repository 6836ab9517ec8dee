import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { CcDeps } from './deps.js';
import type { CcSimulator } from './index.js';
import type { CcState, RoleType } from './model/state.js';

/**
 * `/_fakefoundry/cc/*`: seed orgs, spaces, apps and users; make or drop CC records without asking
 * a broker (drift and orphans); register brokers; inspect any state; wait for an operation.
 * Faults on CC routes and on the CC-to-broker leg use the kernel's `/_fakefoundry/faults` with
 * `service: "cc"` or `service: "cc->broker"`.
 */
const orgSchema = z.object({ name: z.string().min(1), spaces: z.array(z.string()).default([]) });
const spaceSchema = z.object({ org: z.string().min(1), name: z.string().min(1) });
const appSchema = z.object({ space: z.string().min(1), name: z.string().min(1), state: z.enum(['STARTED', 'STOPPED']).default('STARTED') });
const roleTypes = [
  'organization_user', 'organization_auditor', 'organization_manager', 'organization_billing_manager',
  'space_auditor', 'space_developer', 'space_manager', 'space_supporter',
] as const;
const userSchema = z.object({
  user: z.string().min(1),
  roles: z.array(z.object({ type: z.enum(roleTypes), space: z.string().optional(), org: z.string().optional() })).default([]),
});
const brokerSchema = z.object({ name: z.string().min(1), url: z.string().url(), username: z.string(), password: z.string(), space_guid: z.string().optional() });
const accessSchema = z.object({ offering: z.string().min(1), plan: z.string().optional(), org: z.string().optional(), broker: z.string().optional() });
const lastOpSchema = z.object({
  type: z.enum(['create', 'update', 'delete']).default('create'),
  state: z.enum(['initial', 'in progress', 'succeeded', 'failed']).default('succeeded'),
  description: z.string().default(''),
});
const instanceSchema = z.object({
  guid: z.string().optional(),
  name: z.string().min(1),
  space_guid: z.string().min(1),
  plan_guid: z.string().min(1),
  last_operation: lastOpSchema.optional(),
  maintenance_info: z.object({ version: z.string(), description: z.string().optional() }).nullable().optional(),
  dashboard_url: z.string().nullable().optional(),
});
const bindingSchema = z.object({
  guid: z.string().optional(),
  type: z.enum(['app', 'key']).default('app'),
  name: z.string().nullable().optional(),
  service_instance_guid: z.string().min(1),
  app_guid: z.string().optional(),
  credentials: z.record(z.string(), z.unknown()).default({}),
  last_operation: lastOpSchema.optional(),
});

async function body(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

const bad = (c: Context, message: string, details?: unknown) => c.json({ error: message, ...(details ? { details } : {}) }, 400);
const missing = (c: Context, message: string) => c.json({ error: message }, 404);

export function controlRoutes(sim: CcSimulator, d: CcDeps): Hono {
  const api = new Hono();
  const m = d.model;
  const drv = sim.driver;

  api.get('/state', (c) => c.json(m.state));
  api.get('/state/:collection', (c) => {
    const coll = c.req.param('collection') as keyof CcState;
    if (!Object.hasOwn(m.state, coll)) return missing(c, `no collection '${coll}'`);
    return c.json(Object.values(m.state[coll]));
  });
  api.get('/state/:collection/:guid', (c) => {
    const coll = c.req.param('collection') as keyof CcState;
    if (!Object.hasOwn(m.state, coll)) return missing(c, `no collection '${coll}'`);
    const rec = m.get(coll, c.req.param('guid'));
    return rec ? c.json(rec) : missing(c, `no ${coll} record '${c.req.param('guid')}'`);
  });

  api.get('/orphan-mitigations', (c) => c.json(d.platform().orphanMitigations()));

  api.post('/orgs', async (c) => {
    const p = orgSchema.safeParse(await body(c));
    if (!p.success) return bad(c, 'body must be {name, spaces?}', p.error.issues);
    const org = drv.org(p.data.name);
    const spaces = p.data.spaces.map((s) => drv.space(org.guid, s));
    return c.json({ org, spaces }, 201);
  });

  api.post('/spaces', async (c) => {
    const p = spaceSchema.safeParse(await body(c));
    if (!p.success) return bad(c, 'body must be {org, name}', p.error.issues);
    const org = m.get('orgs', p.data.org) ?? m.orgByName(p.data.org);
    if (!org) return missing(c, `no org '${p.data.org}'`);
    return c.json(drv.space(org.guid, p.data.name), 201);
  });

  api.post('/apps', async (c) => {
    const p = appSchema.safeParse(await body(c));
    if (!p.success) return bad(c, 'body must be {space, name, state?}', p.error.issues);
    if (!m.get('spaces', p.data.space)) return missing(c, `no space '${p.data.space}'`);
    return c.json(drv.app(p.data.space, p.data.name, p.data.state), 201);
  });

  api.post('/users', async (c) => {
    const p = userSchema.safeParse(await body(c));
    if (!p.success) return bad(c, 'body must be {user, roles?}', p.error.issues);
    for (const r of p.data.roles) {
      if (r.space && !m.get('spaces', r.space)) return missing(c, `no space '${r.space}'`);
      if (r.org && !m.get('orgs', r.org)) return missing(c, `no org '${r.org}'`);
    }
    const user = drv.user(p.data.user, p.data.roles as { type: RoleType; space?: string; org?: string }[]);
    return c.json({ user, roles: m.rolesOf(user.guid) }, 201);
  });

  api.post('/brokers', async (c) => {
    const p = brokerSchema.safeParse(await body(c));
    if (!p.success) return bad(c, 'body must be {name, url, username, password}', p.error.issues);
    try {
      return c.json(await drv.registerBroker({ ...p.data, spaceGuid: p.data.space_guid }), 201);
    } catch (err) {
      return c.json({ error: (err as Error).message, cc_error: (err as { ccError?: unknown }).ccError }, 502);
    }
  });

  api.post('/access', async (c) => {
    const p = accessSchema.safeParse(await body(c));
    if (!p.success) return bad(c, 'body must be {offering, plan?, org?, broker?}', p.error.issues);
    try {
      return c.json(drv.enableAccess(p.data.offering, p.data));
    } catch (err) {
      return missing(c, (err as Error).message);
    }
  });

  // Records without a broker call: drift (CC has it, the broker does not) and orphans (the reverse).
  api.post('/records/instances', async (c) => {
    const p = instanceSchema.safeParse(await body(c));
    if (!p.success) return bad(c, 'invalid instance record', p.error.issues);
    const x = p.data;
    if (!m.get('spaces', x.space_guid)) return missing(c, `no space '${x.space_guid}'`);
    const plan = m.get('plans', x.plan_guid);
    if (!plan) return missing(c, `no plan '${x.plan_guid}'`);
    if (x.guid && m.get('instances', x.guid)) return c.json({ error: `instance '${x.guid}' exists` }, 409);
    const lo = x.last_operation ?? { type: 'create' as const, state: 'succeeded' as const, description: '' };
    const inst = m.addInstance({
      guid: x.guid,
      name: x.name,
      type: 'managed',
      space_guid: x.space_guid,
      plan_guid: plan.guid,
      tags: [],
      dashboard_url: x.dashboard_url ?? null,
      maintenance_info: x.maintenance_info === undefined ? (plan.maintenance_info ?? null) : x.maintenance_info,
      last_operation: m.lastOperation(lo.type, lo.state, lo.description),
    });
    return c.json(inst, 201);
  });
  api.delete('/records/instances/:guid', (c) => {
    const inst = m.get('instances', c.req.param('guid'));
    if (!inst) return missing(c, `no instance '${c.req.param('guid')}'`);
    d.ops.purgeInstance(inst);
    return c.body(null, 204);
  });
  api.post('/records/bindings', async (c) => {
    const p = bindingSchema.safeParse(await body(c));
    if (!p.success) return bad(c, 'invalid binding record', p.error.issues);
    const x = p.data;
    if (!m.get('instances', x.service_instance_guid)) return missing(c, `no instance '${x.service_instance_guid}'`);
    if (x.app_guid && !m.get('apps', x.app_guid)) return missing(c, `no app '${x.app_guid}'`);
    const lo = x.last_operation ?? { type: 'create' as const, state: 'succeeded' as const, description: '' };
    const b = m.addBinding({
      guid: x.guid,
      type: x.type,
      name: x.name ?? null,
      instance_guid: x.service_instance_guid,
      app_guid: x.app_guid,
      credentials: x.credentials,
      syslog_drain_url: null,
      volume_mounts: [],
      last_operation: m.lastOperation(lo.type, lo.state, lo.description),
    });
    if (b.app_guid === undefined) delete b.app_guid;
    return c.json(b, 201);
  });
  api.delete('/records/bindings/:guid', (c) => (m.remove('bindings', c.req.param('guid')) ? c.body(null, 204) : missing(c, 'no such binding')));

  api.post('/wait/:guid', async (c) => {
    try {
      const rec = await drv.waitForLastOperation(c.req.param('guid'));
      return c.json({ record: rec ?? null, deleted: !rec });
    } catch (err) {
      return c.json({ error: (err as Error).message }, 409);
    }
  });

  api.notFound((c) => missing(c, `no cc control endpoint ${c.req.method} ${c.req.path}`));
  return api;
}
