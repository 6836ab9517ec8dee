/**
 * A small OSB broker in the ODB mould, for testing the scenario harness itself (not a reference:
 * that is broker-under-test): it deploys one BOSH deployment per instance through the fake
 * director with a UAA or basic-auth token, reports BOSH task states as last operations, and answers
 * binds with fixed credentials. It reaches BOSH only over HTTP, with the fetch it is given.
 */
import { Hono } from 'hono';
import { stringify } from 'yaml';
import type { CreateBroker, EmbeddedDeps } from '../../scenarios/index.js';

interface Config {
  broker: { username: string; password: string };
  bosh: { url: string; authentication: { basic?: { username: string; password: string }; uaa?: { client_credentials: { client_id: string; client_secret: string } } } };
  service_deployment: { releases: { name: string; version: string; jobs: string[] }[]; stemcells: { os: string; version: string }[] };
  service_catalog: { id: string; service_name: string; service_description: string; bindable: boolean; plan_updatable: boolean; plans: { plan_id: string; name: string; description: string; instance_groups: { name: string; vm_type: string; instances: number; networks: string[]; azs: string[] }[] }[] };
}

export function standInBroker(raw: Record<string, unknown>, deps: Pick<EmbeddedDeps, 'fetch' | 'onAdapterCall'>) {
  const config = raw as unknown as Config;
  const app = new Hono();
  const bosh = config.bosh.url.replace(/\/$/, '');

  async function authHeader(): Promise<string> {
    const a = config.bosh.authentication;
    if (a.basic) return 'Basic ' + btoa(`${a.basic.username}:${a.basic.password}`);
    const info = (await (await deps.fetch(`${bosh}/info`)).json()) as { user_authentication: { options: { url: string } } };
    const { client_id, client_secret } = a.uaa!.client_credentials;
    const res = await deps.fetch(`${info.user_authentication.options.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + btoa(`${client_id}:${client_secret}`) },
      body: 'grant_type=client_credentials',
    });
    return 'Bearer ' + ((await res.json()) as { access_token: string }).access_token;
  }

  const taskOf = (res: Response) => Number(new URL(res.headers.get('location')!, bosh).pathname.split('/').pop());

  async function deploy(id: string, planId: string): Promise<number> {
    const plan = config.service_catalog.plans.find((p) => p.plan_id === planId)!;
    const started = Date.now();
    const sd = config.service_deployment;
    const manifest = stringify({
      name: `service-instance_${id}`,
      releases: sd.releases.map((r) => ({ name: r.name, version: r.version })),
      stemcells: [{ alias: 'default', os: sd.stemcells[0].os, version: sd.stemcells[0].version }],
      instance_groups: plan.instance_groups.map((g) => ({ ...g, networks: g.networks.map((name) => ({ name })), stemcell: 'default', jobs: sd.releases[0].jobs.map((j) => ({ name: j, release: sd.releases[0].name })) })),
      update: { canaries: 1, max_in_flight: 1, canary_watch_time: '1000-2000', update_watch_time: '1000-2000' },
    });
    deps.onAdapterCall({ subcommand: 'generate-manifest', exitCode: 0, durationMs: Date.now() - started, startedAt: started });
    const res = await deps.fetch(`${bosh}/deployments`, { method: 'POST', redirect: 'manual', headers: { authorization: await authHeader(), 'content-type': 'text/yaml' }, body: manifest });
    if (res.status !== 302) throw new Error(`BOSH answered ${res.status}`);
    return taskOf(res);
  }

  app.use('*', async (c, next) => {
    const expected = 'Basic ' + btoa(`${config.broker.username}:${config.broker.password}`);
    if (c.req.header('authorization') !== expected) return c.json({ description: 'unauthorized' }, 401);
    await next();
  });
  app.get('/v2/catalog', (c) => {
    const s = config.service_catalog;
    return c.json({ services: [{ id: s.id, name: s.service_name, description: s.service_description, bindable: s.bindable, plan_updateable: s.plan_updatable, plans: s.plans.map((p) => ({ id: p.plan_id, name: p.name, description: p.description })) }] });
  });
  app.put('/v2/service_instances/:id', async (c) => {
    if (c.req.query('accepts_incomplete') !== 'true') return c.json({ error: 'AsyncRequired', description: 'This service plan requires client support for asynchronous service operations.' }, 422);
    const body = (await c.req.json()) as { plan_id: string };
    const task = await deploy(c.req.param('id'), body.plan_id);
    return c.json({ operation: JSON.stringify({ BoshTaskID: task, OperationType: 'create' }) }, 202);
  });
  app.patch('/v2/service_instances/:id', async (c) => {
    const body = (await c.req.json()) as { plan_id?: string; previous_values?: { plan_id: string } };
    const task = await deploy(c.req.param('id'), body.plan_id ?? body.previous_values!.plan_id);
    return c.json({ operation: JSON.stringify({ BoshTaskID: task, OperationType: 'update' }) }, 202);
  });
  app.delete('/v2/service_instances/:id', async (c) => {
    const res = await deps.fetch(`${bosh}/deployments/service-instance_${c.req.param('id')}`, { method: 'DELETE', redirect: 'manual', headers: { authorization: await authHeader() } });
    if (res.status === 404) return c.json({}, 410);
    return c.json({ operation: JSON.stringify({ BoshTaskID: taskOf(res), OperationType: 'delete' }) }, 202);
  });
  app.get('/v2/service_instances/:id/last_operation', async (c) => {
    const op = JSON.parse(c.req.query('operation') ?? '{}') as { BoshTaskID: number };
    const task = (await (await deps.fetch(`${bosh}/tasks/${op.BoshTaskID}`, { headers: { authorization: await authHeader() } })).json()) as { state: string };
    const state = task.state === 'done' ? 'succeeded' : ['queued', 'processing', 'cancelling'].includes(task.state) ? 'in progress' : 'failed';
    return c.json({ state, description: `task ${op.BoshTaskID} ${task.state}` });
  });
  app.put('/v2/service_instances/:id/service_bindings/:bid', (c) => c.json({ credentials: { host: '10.244.0.8', port: 6379 } }, 201));
  app.delete('/v2/service_instances/:id/service_bindings/:bid', (c) => c.json({}, 200));
  return { fetch: (req: Request) => app.fetch(req) };
}

/** The stand-in as the embedded target's `createBroker`. */
export const createStandIn: CreateBroker = (config, deps) => standInBroker(config, deps);
