/**
 * The broker's HTTP API: OSB (as brokerapi serves it: basic auth, `X-Broker-API-Version` 2.x, its
 * request checks and error bodies) and, beside it, the management API. Each OSB request gets a
 * request id that every log line it causes carries.
 * @module
 */
import { Hono, type Context } from 'hono';
import { processError, newOp, type Op } from '../ops/context.js';
import type { Deps } from '../ops/deps.js';
import { withLock } from '../ops/deps.js';
import { bind, unbind } from '../ops/bind.js';
import { catalog } from '../ops/catalog.js';
import { deprovision } from '../ops/deprovision.js';
import { lastOperation } from '../ops/last-operation.js';
import { provision } from '../ops/provision.js';
import { update } from '../ops/update.js';
import { mgmtRoutes } from '../mgmt/routes.js';
import { errorResponse } from './errors.js';

type Result = { status: number; body: Record<string, unknown> };

function json(c: Context, status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Parses a JSON body; brokerapi answers undecodable ones with 422. */
async function readBody(c: Context): Promise<Record<string, unknown> | Response> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return json(c, 422, { description: 'json: cannot unmarshal into Go value of type map' });
    return v as Record<string, unknown>;
  } catch (err) {
    return json(c, 422, { description: (err as Error).message });
  }
}

/** ODB's `convertDetailsToMap`: `parameters` always present, as an object. */
function withParameters(details: Record<string, unknown>): Record<string, unknown> | undefined {
  const p = details.parameters;
  if (p === undefined || p === null) return { ...details, parameters: {} };
  if (typeof p !== 'object' || Array.isArray(p)) return undefined;
  return details;
}

export function brokerApp(deps: Deps): Hono {
  const app = new Hono();
  const { username, password } = deps.config.broker;
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  app.use('*', async (c, next) => {
    const started = deps.clock.now();
    deps.logger.log(`Started ${c.req.method} ${new URL(c.req.url).pathname}`);
    const auth = c.req.header('authorization') ?? '';
    if (!timingSafeEqual(auth, expected)) {
      c.res = new Response('Not Authorized\n', { status: 401, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    } else {
      await next();
    }
    deps.logger.log(`Completed ${c.res.status} in ${deps.clock.now() - started}ms`);
  });

  app.use('/v2/*', async (c, next) => {
    const version = c.req.header('x-broker-api-version');
    if (!version) return json(c, 412, { description: 'X-Broker-API-Version Header not set' });
    const m = /^(\d+)\.(\d+)/.exec(version);
    if (!m) return json(c, 412, { description: 'X-Broker-API-Version Header must contain a version' });
    if (m[1] !== '2') return json(c, 412, { description: 'X-Broker-API-Version Header must be 2.x' });
    await next();
    const requestIdentity = c.req.header('x-broker-api-request-identity');
    if (requestIdentity) c.res.headers.set('X-Broker-API-Request-Identity', requestIdentity);
  });

  /** Runs an operation with its request-scoped logger and turns errors into brokerapi answers. */
  const run = async (c: Context, op: Op, fn: () => Promise<Result>): Promise<Response> => {
    const identity = c.req.header('x-broker-api-originating-identity');
    if (identity) {
      const [platform, value] = identity.split(' ', 2);
      let decoded = value ?? '';
      try {
        decoded = Buffer.from(value ?? '', 'base64').toString('utf8');
      } catch {
        // keep it as sent
      }
      op.log.log(`originating identity: ${platform} ${decoded}`);
    }
    try {
      const r = await fn();
      return json(c, r.status, r.body);
    } catch (err) {
      const { status, body } = errorResponse(processError(op, err));
      return json(c, status, body);
    }
  };

  const planKnown = (planId: unknown) => deps.config.service_catalog.plans.some((p) => p.plan_id === planId);

  app.get('/v2/catalog', (c) => {
    const op = newOp(deps, '', '');
    return run(c, op, async () => ({ status: 200, body: await catalog(op) }));
  });

  app.put('/v2/service_instances/:id', async (c) => {
    const body = await readBody(c);
    if (body instanceof Response) return body;
    if (!body.service_id) return json(c, 400, { description: 'service_id missing' });
    if (!body.plan_id) return json(c, 400, { description: 'plan_id missing' });
    if (!planKnown(body.plan_id)) return json(c, 400, { description: 'plan_id not recognized' });
    const details = withParameters(body);
    if (!details) return json(c, 422, { description: 'The format of the parameters is not valid JSON' });
    const instanceId = c.req.param('id');
    const op = newOp(deps, instanceId, 'create');
    const acceptsIncomplete = c.req.query('accepts_incomplete') === 'true';
    return run(c, op, () => withLock(deps, instanceId, () => provision(op, { instanceId, acceptsIncomplete, details })));
  });

  app.patch('/v2/service_instances/:id', async (c) => {
    const body = await readBody(c);
    if (body instanceof Response) return body;
    if (!body.service_id) return json(c, 400, { description: 'service_id missing' });
    const details = withParameters(body);
    if (!details) return json(c, 422, { description: 'The format of the parameters is not valid JSON' });
    const instanceId = c.req.param('id');
    const previous = (body.previous_values ?? {}) as { plan_id?: string };
    if (!details.plan_id) details.plan_id = previous.plan_id ?? '';
    const op = newOp(deps, instanceId, 'update');
    const acceptsIncomplete = c.req.query('accepts_incomplete') === 'true';
    const hasParams = Object.keys((details.parameters as object) ?? {}).length > 0;
    return run(c, op, () => withLock(deps, instanceId, () => update(op, { instanceId, acceptsIncomplete, details, hasParams })));
  });

  app.delete('/v2/service_instances/:id', (c) => {
    const serviceId = c.req.query('service_id');
    const planId = c.req.query('plan_id');
    if (!serviceId) return json(c, 400, { description: 'service_id missing' });
    if (!planId) return json(c, 400, { description: 'plan_id missing' });
    const instanceId = c.req.param('id');
    const op = newOp(deps, instanceId, 'delete');
    const acceptsIncomplete = c.req.query('accepts_incomplete') === 'true';
    const force = c.req.query('force') === 'true';
    return run(c, op, () => withLock(deps, instanceId, () => deprovision(op, { instanceId, planId, acceptsIncomplete, force })));
  });

  app.get('/v2/service_instances/:id/last_operation', (c) => {
    const instanceId = c.req.param('id');
    const op = newOp(deps, instanceId, '');
    return run(c, op, () => lastOperation(op, c.req.query('operation') ?? ''));
  });

  app.put('/v2/service_instances/:id/service_bindings/:bid', async (c) => {
    const body = await readBody(c);
    if (body instanceof Response) return body;
    if (!body.service_id) return json(c, 400, { description: 'service_id missing' });
    if (!body.plan_id) return json(c, 400, { description: 'plan_id missing' });
    const details = withParameters(body);
    if (!details) return json(c, 422, { description: 'The format of the parameters is not valid JSON' });
    const instanceId = c.req.param('id');
    const op = newOp(deps, instanceId, 'bind');
    return run(c, op, () => bind(op, { instanceId, bindingId: c.req.param('bid'), details }));
  });

  app.delete('/v2/service_instances/:id/service_bindings/:bid', (c) => {
    const serviceId = c.req.query('service_id');
    const planId = c.req.query('plan_id');
    if (!serviceId) return json(c, 400, { description: 'service_id missing' });
    if (!planId) return json(c, 400, { description: 'plan_id missing' });
    const instanceId = c.req.param('id');
    const op = newOp(deps, instanceId, 'unbind');
    return run(c, op, () => unbind(op, { instanceId, bindingId: c.req.param('bid'), details: { service_id: serviceId, plan_id: planId } }));
  });

  app.route('/mgmt', mgmtRoutes(deps));

  app.notFound(() => new Response('404 page not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } }));
  app.onError((err) => {
    deps.logger.log(`unexpected error: ${err.message}`);
    return new Response(JSON.stringify({ description: err.message }), { status: 500, headers: { 'content-type': 'application/json' } });
  });
  return app;
}
