import type { Context, Hono } from 'hono';
import { isJsonObject } from '../core/json.js';
import type { Kernel } from '../core/kernel.js';
import type { BoshAuth, Principal } from './auth.js';
import type { BoshConfig } from './config.js';
import { E, endpointNotFound } from './errors.js';
import type { BoshModel } from './model/model.js';
import type { DeploymentRecord, TaskRecord } from './state.js';
import type { NewTask, TaskEngine } from './tasks/engine.js';

export type BoshEnv = { Variables: { principal: Principal } };
export type BoshApp = Hono<BoshEnv>;
export type BoshContext = Context<BoshEnv>;

/** What every route file gets: the model, the task engine, auth and config. */
export interface Director {
  kernel: Kernel;
  config: BoshConfig;
  model: BoshModel;
  engine: TaskEngine;
  auth: BoshAuth;
}

export const principal = (c: BoshContext) => c.get('principal');

/** Every task-producing call answers 302 to the task; Go follows it with a GET. */
export function redirectToTask(c: BoshContext, task: TaskRecord): Response {
  const location = new URL(`/tasks/${task.id}`, c.req.url).href;
  return new Response(null, { status: 302, headers: { location } });
}

export function startTask(d: Director, c: BoshContext, t: Omit<NewTask, 'user' | 'context_id'>): Response {
  const task = d.engine.create({ ...t, user: principal(c).name, context_id: c.req.header('x-bosh-context-id') ?? '' });
  return redirectToTask(c, task);
}

/** A route's `consumes` condition: a wrong content type is "no route" to the director. */
export function consumes(c: BoshContext, ...types: string[]): Response | null {
  const ct = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  return types.includes(ct) ? null : endpointNotFound(c.req.path);
}

export function deploymentFor(d: Director, c: BoshContext, perm: 'admin' | 'read'): DeploymentRecord {
  const name = c.req.param('name') ?? '';
  const dep = d.model.deployment(name);
  if (!dep) throw E.deploymentNotFound(name);
  d.auth.requireOwned(principal(c), perm, dep.teams);
  return dep;
}

export async function jsonBody(c: BoshContext): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  try {
    const v = JSON.parse(text) as unknown;
    if (isJsonObject(v)) return v;
    throw new Error('not an object');
  } catch (err) {
    throw E.invalidJson((err as Error).message);
  }
}

export const truthy = (v: string | undefined) => v === 'true';
