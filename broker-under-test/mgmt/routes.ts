/**
 * ODB's management API (`mgmtapi/`), used by its errands: list instances (through CC), list orphan
 * deployments, upgrade or recreate one instance, metrics. Basic auth as the OSB API.
 * @module
 */
import { Hono, type Context } from 'hono';
import { newOp, processError } from '../ops/context.js';
import type { Deps } from '../ops/deps.js';
import { withLock } from '../ops/deps.js';
import { DeploymentNotFoundError } from '../ops/deployer.js';
import { INSTANCE_PREFIX, findPlan } from '../ops/plans.js';
import { planCounts } from '../ops/quotas.js';
import { recreateInstance, upgradeInstance } from '../ops/update.js';
import { DisplayableError, OPERATION_IN_PROGRESS_MESSAGE } from '../osb/errors.js';
import type { InstanceRecord } from '../clients/cc.js';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * The platform's instances of this offering: from `service_instances_api` when configured (its
 * answer is the same list), else through CC (none without a CF client).
 */
export async function listInstances(deps: Deps, filter: { org?: string; space?: string } = {}): Promise<InstanceRecord[]> {
  const api = deps.config.service_instances_api;
  if (api?.url && deps.siApiFetch) {
    const url = new URL(api.url);
    if (filter.org) url.searchParams.set('cf_org', filter.org);
    if (filter.space) url.searchParams.set('cf_space', filter.space);
    const basic = api.authentication?.basic;
    const res = await deps.siApiFetch(url.toString(), {
      headers: { accept: 'application/json', ...(basic ? { authorization: `Basic ${Buffer.from(`${basic.username ?? ''}:${basic.password ?? ''}`).toString('base64')}` } : {}) },
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`HTTP response status: ${res.status}. ${text}`);
    return JSON.parse(text) as InstanceRecord[];
  }
  if (!deps.cc) return [];
  return deps.cc.serviceInstances(deps.config.service_catalog.id, filter);
}

/** Deployments named `service-instance_<guid>` whose guid the platform does not know. */
export async function orphanDeployments(deps: Deps): Promise<{ deployment_name: string }[]> {
  const known = new Set((await listInstances(deps)).map((i) => i.service_instance_id));
  return (await deps.bosh.deploymentNames())
    .filter((n) => n.startsWith(INSTANCE_PREFIX) && !known.has(n.slice(INSTANCE_PREFIX.length)))
    .map((deployment_name) => ({ deployment_name }));
}

export function mgmtRoutes(deps: Deps): Hono {
  const app = new Hono();
  const fail = (err: unknown) => {
    deps.logger.log(`management API error: ${(err as Error).message}`);
    return json(500, { description: (err as Error).message });
  };

  app.get('/service_instances', async (c) => {
    try {
      return json(200, await listInstances(deps, { org: c.req.query('cf_org'), space: c.req.query('cf_space') }));
    } catch (err) {
      return fail(err);
    }
  });

  app.get('/orphan_deployments', async () => {
    try {
      return json(200, await orphanDeployments(deps));
    } catch (err) {
      return fail(err);
    }
  });

  app.patch('/service_instances/:id', async (c: Context) => {
    const type = c.req.query('operation_type');
    if (type !== 'upgrade' && type !== 'recreate') return json(400, { description: `unknown operation_type: ${type ?? ''}` });
    const text = await c.req.text();
    let body: { plan_id?: string; context?: Record<string, unknown> };
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined as never;
    }
    if (!body || !body.plan_id) return json(422, { description: 'request body must contain a plan_id' });
    const instanceId = c.req.param('id') ?? '';
    const plan = findPlan(deps.config, body.plan_id);
    const op = newOp(deps, instanceId, type);
    if (!plan) return json(500, { description: `plan ${body.plan_id} does not exist` });
    try {
      const r = await withLock(deps, instanceId, () => (type === 'upgrade' ? upgradeInstance(op, instanceId, plan) : recreateInstance(op, instanceId, plan)));
      return new Response(String(r.body.operation), { status: 202, headers: { 'content-type': 'application/json' } });
    } catch (err) {
      const e = processError(op, err);
      const cause = err instanceof DisplayableError ? err.forOperator.cause : undefined;
      if (cause instanceof DeploymentNotFoundError) return json(410, { description: e.message });
      if (e.message === OPERATION_IN_PROGRESS_MESSAGE) return json(409, { description: e.message });
      return json(500, { description: e.message });
    }
  });

  app.get('/metrics', async () => {
    try {
      const catalog = deps.config.service_catalog;
      if (deps.cc && (await deps.cc.plansOf(catalog.id)).length === 0) return json(503, {});
      const counts = await planCounts(deps);
      const metrics: { key: string; value: number; unit: string }[] = [];
      let total = 0;
      for (const p of catalog.plans) {
        const n = counts.get(p.plan_id) ?? 0;
        total += n;
        metrics.push({ key: `/on-demand-broker/${catalog.service_name}/${p.name}/total_instances`, value: n, unit: 'count' });
        const limit = p.quotas?.service_instance_limit;
        if (limit !== undefined) metrics.push({ key: `/on-demand-broker/${catalog.service_name}/${p.name}/quota_remaining`, value: limit - n, unit: 'count' });
      }
      metrics.push({ key: `/on-demand-broker/${catalog.service_name}/total_instances`, value: total, unit: 'count' });
      const global = catalog.global_quotas?.service_instance_limit;
      if (global !== undefined) metrics.push({ key: `/on-demand-broker/${catalog.service_name}/quota_remaining`, value: global - total, unit: 'count' });
      return json(200, metrics);
    } catch (err) {
      return fail(err);
    }
  });

  return app;
}
