/**
 * ODB's deployer (`task/deployer.go`): refuse while a BOSH task runs on the deployment, ask the
 * adapter for a manifest (and, on update, check for pending changes with a second
 * generate-manifest), upload the adapter's BOSH configs, deploy.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { GenerateManifestOutput, Plan, RequestParameters } from '../adapter/types.js';
import type { PlanConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { Deps } from './deps.js';
import { adapterPlan, deploymentName, findPlan, serviceDeployment } from './plans.js';

/** A task is queued or running on the deployment. */
export class TaskInProgressError extends Error {
  override name = 'TaskInProgressError';
}

export class DeploymentNotFoundError extends Error {
  override name = 'DeploymentNotFoundError';
}

/** The regenerated manifest differs from the deployed one. */
export class PendingChangesError extends Error {
  override name = 'PendingChangesError';
}

/** The adapter returned configs while `disable_bosh_configs` is set. */
export class ConfigsDisabledError extends Error {
  override name = 'ConfigsDisabledError';
}

async function assertNoTasksInProgress(deps: Deps, log: Logger, name: string): Promise<void> {
  const tasks = await deps.bosh.tasksInProgress(name);
  if (tasks.length > 0) {
    log.log(`deployment ${name} is still in progress: tasks ${JSON.stringify(tasks.map((t) => ({ ID: t.id, State: t.state, Description: t.description })))}`);
    throw new TaskInProgressError(`deployment ${name} is still in progress`);
  }
}

async function previousConfigs(deps: Deps, name: string): Promise<Record<string, string> | null> {
  if (deps.config.broker.disable_bosh_configs) return null;
  const configs = await deps.bosh.getConfigs(name);
  return Object.fromEntries(configs.map((c) => [c.type, c.content]));
}

async function uploadAndDeploy(deps: Deps, log: Logger, name: string, out: GenerateManifestOutput, contextId: string | undefined): Promise<number> {
  const configs = Object.entries(out.configs ?? {});
  if (configs.length > 0) {
    if (deps.config.broker.disable_bosh_configs) {
      throw new ConfigsDisabledError("There are configs in the manifest but the 'disable_bosh_configs' feature flag is set to true");
    }
    for (const [type, content] of configs) await deps.bosh.updateConfig(type, name, content);
  }
  return deps.bosh.deploy(out.manifest, contextId);
}

/** The manifest without its `update` blocks (ODB ignores them when looking for pending changes). */
function withoutUpdateBlocks(manifest: string): unknown {
  const doc = (parseYaml(manifest) ?? {}) as Record<string, unknown>;
  const copy: Record<string, unknown> = { ...doc };
  delete copy.update;
  if (Array.isArray(copy.instance_groups)) {
    copy.instance_groups = copy.instance_groups.map((g) => {
      if (!g || typeof g !== 'object') return g;
      const { update: _update, ...rest } = g as Record<string, unknown>;
      return rest;
    });
  }
  return copy;
}

/** One generate-manifest call for the instance, with the request-scoped log. */
function generate(
  deps: Deps,
  log: Logger,
  instanceId: string,
  plan: Plan,
  prev: { requestParams: RequestParameters; manifest: string; plan: Plan | null; configs: Record<string, string> | null; uaaClient: Record<string, string> | null },
): Promise<GenerateManifestOutput> {
  return deps.adapter.generateManifest(
    {
      serviceDeployment: serviceDeployment(deps.config, instanceId),
      plan,
      requestParameters: prev.requestParams,
      previousManifest: prev.manifest,
      previousPlan: prev.plan,
      previousSecrets: null,
      previousConfigs: prev.configs,
      uaaClient: prev.uaaClient,
    },
    { log: (l) => log.log(l) },
  );
}

export interface DeployResult {
  taskId: number;
  manifest: string;
}

export async function create(
  deps: Deps,
  log: Logger,
  a: { instanceId: string; plan: PlanConfig; requestParams: RequestParameters; contextId?: string; uaaClient: Record<string, string> | null },
): Promise<DeployResult> {
  const name = deploymentName(a.instanceId);
  await assertNoTasksInProgress(deps, log, name);
  const out = await generate(deps, log, a.instanceId, adapterPlan(deps.config, a.plan), {
    requestParams: a.requestParams, manifest: '', plan: null, configs: null, uaaClient: a.uaaClient,
  });
  const taskId = await uploadAndDeploy(deps, log, name, out, a.contextId);
  log.log(`Bosh task ID for create deployment ${name} is ${taskId}`);
  return { taskId, manifest: out.manifest };
}

/** Shared by update and upgrade: the deployed manifest and configs, and the previous plan. */
async function current(deps: Deps, log: Logger, instanceId: string, previousPlanId: string | undefined) {
  const name = deploymentName(instanceId);
  await assertNoTasksInProgress(deps, log, name);
  const manifest = await deps.bosh.getDeployment(name);
  if (manifest === undefined) throw new DeploymentNotFoundError(`bosh deployment '${name}' not found.`);
  const configs = await previousConfigs(deps, name);
  const prevPlan = findPlan(deps.config, previousPlanId);
  const previousPlan: Plan | null = prevPlan ? adapterPlan(deps.config, prevPlan) : null;
  return { name, manifest, configs, previousPlan };
}

export async function update(
  deps: Deps,
  log: Logger,
  a: {
    instanceId: string;
    plan: PlanConfig;
    previousPlanId?: string;
    requestParams: RequestParameters;
    contextId?: string;
    uaaClient: Record<string, string> | null;
  },
): Promise<DeployResult> {
  const { name, manifest, configs, previousPlan } = await current(deps, log, a.instanceId, a.previousPlanId);
  if (!deps.config.broker.skip_check_for_pending_changes && previousPlan) {
    const regenerated = await generate(deps, log, a.instanceId, previousPlan, {
      requestParams: {}, manifest, plan: previousPlan, configs, uaaClient: a.uaaClient,
    });
    if (!isDeepStrictEqual(withoutUpdateBlocks(regenerated.manifest), withoutUpdateBlocks(manifest))) {
      log.log(`pending changes detected for ${name}: the regenerated manifest differs from the deployed one`);
      throw new PendingChangesError('pending changes detected');
    }
  }
  const out = await generate(deps, log, a.instanceId, adapterPlan(deps.config, a.plan), {
    requestParams: a.requestParams, manifest, plan: previousPlan, configs, uaaClient: a.uaaClient,
  });
  const taskId = await uploadAndDeploy(deps, log, name, out, a.contextId);
  log.log(`Bosh task ID for update deployment ${name} is ${taskId}`);
  return { taskId, manifest: out.manifest };
}

/** Upgrade: the current catalog's view of the instance's plan, no pending-changes check. */
export async function upgrade(
  deps: Deps,
  log: Logger,
  a: { instanceId: string; plan: PlanConfig; contextId?: string; uaaClient: Record<string, string> | null },
): Promise<DeployResult> {
  const { name, manifest, configs, previousPlan } = await current(deps, log, a.instanceId, a.plan.plan_id);
  const out = await generate(deps, log, a.instanceId, adapterPlan(deps.config, a.plan), {
    requestParams: {}, manifest, plan: previousPlan, configs, uaaClient: a.uaaClient,
  });
  const taskId = await uploadAndDeploy(deps, log, name, out, a.contextId);
  log.log(`Bosh task ID for upgrade deployment ${name} is ${taskId}`);
  return { taskId, manifest: out.manifest };
}

/** Recreate (`bosh recreate --fix`), after the same in-progress check. */
export async function recreate(deps: Deps, log: Logger, a: { instanceId: string; contextId?: string }): Promise<number> {
  const name = deploymentName(a.instanceId);
  await assertNoTasksInProgress(deps, log, name);
  if ((await deps.bosh.getDeployment(name)) === undefined) throw new DeploymentNotFoundError(`bosh deployment '${name}' not found.`);
  const taskId = await deps.bosh.recreate(name, a.contextId);
  log.log(`Bosh task ID for recreate deployment ${name} is ${taskId}`);
  return taskId;
}
