/**
 * Update and upgrade. An OSB update that only changes `maintenance_info` is an upgrade (no pending-
 * changes check); anything else is an update: quota when the plan changes, the pending-changes check
 * through a second generate-manifest, then deploy. The management API's upgrade and recreate live
 * here too.
 * @module
 */
import { UnknownFailureError } from '../adapter/errors.js';
import { BoshRequestError } from '../clients/bosh.js';
import {
  DisplayableError,
  Errors,
  FailureResponse,
  OPERATION_IN_PROGRESS_MESSAGE,
  boshRequestError,
  genericError,
} from '../osb/errors.js';
import { adapterToApiError } from './adapter-errors.js';
import type { Op } from './context.js';
import * as deployer from './deployer.js';
import { decideOperation, type MaintenanceInfo } from './maintenance-info.js';
import { encodeOperationData, type OperationType } from './operation-data.js';
import { deploymentName, findPlan, postDeployErrands } from './plans.js';
import { checkQuotas, planCounts } from './quotas.js';
import { checkPlanSchemas } from './schemas.js';
import type { PlanConfig } from '../config/types.js';

export interface UpdateRequest {
  instanceId: string;
  acceptsIncomplete: boolean;
  details: Record<string, unknown>;
  /** Whether the request carried non-empty `parameters`. */
  hasParams: boolean;
}

type Result = { status: number; body: Record<string, unknown> };

function deployError(op: Op, err: unknown, action: string): Error {
  if (err instanceof deployer.TaskInProgressError) return new Error(OPERATION_IN_PROGRESS_MESSAGE);
  if (err instanceof deployer.PendingChangesError) return new DisplayableError(Errors.pendingChanges(), err);
  if (err instanceof BoshRequestError) return boshRequestError(action, new Error(`error deploying instance: ${err.message}`));
  if (err instanceof DisplayableError || err instanceof FailureResponse) return err;
  if (err instanceof UnknownFailureError) return adapterToApiError(op, err);
  return genericError(op.rc, new Error(`error deploying instance: ${(err as Error).message}`, { cause: err }));
}

async function uaaClientOf(op: Op, instanceId: string): Promise<Record<string, string> | null> {
  if (!op.deps.uaaClients) return null;
  try {
    return await op.deps.uaaClients.get(instanceId);
  } catch (err) {
    throw genericError(op.rc, err as Error);
  }
}

export async function update(op: Op, req: UpdateRequest): Promise<Result> {
  const { deps, log } = op;
  if (!req.acceptsIncomplete) throw Errors.asyncRequired();
  const planId = String(req.details.plan_id ?? '');
  const previous = (req.details.previous_values ?? {}) as { plan_id?: string; maintenance_info?: MaintenanceInfo };
  const plan = findPlan(deps.config, planId);
  if (!plan) throw new Error(`plan ${planId} does not exist`);
  const previousPlanId = previous.plan_id || planId;
  const planChanged = previousPlanId !== planId;
  const kind = decideOperation(deps.config, {
    plan,
    previousPlan: findPlan(deps.config, previousPlanId),
    maintenanceInfo: req.details.maintenance_info as MaintenanceInfo | undefined,
    previousMaintenanceInfo: previous.maintenance_info,
    hasParams: req.hasParams,
    planChanged,
  });
  if (kind === 'upgrade') {
    op.rc.operation = 'upgrade';
    return upgradeInstance(op, req.instanceId, plan);
  }

  if (planChanged) {
    let counts: Map<string, number>;
    try {
      counts = await planCounts(deps);
    } catch (err) {
      throw genericError(op.rc, err as Error);
    }
    checkQuotas(deps, plan, counts, { global: false });
  }
  await checkPlanSchemas(op, plan, 'update', req.details.parameters);
  try {
    await deps.bosh.variables(deploymentName(req.instanceId));
  } catch (err) {
    throw genericError(op.rc, err as Error);
  }
  const uaaClient = await uaaClientOf(op, req.instanceId);
  const contextId = plan.lifecycle_errands?.post_deploy?.length ? deps.newId() : undefined;
  let result: deployer.DeployResult;
  try {
    result = await deployer.update(deps, log, {
      instanceId: req.instanceId,
      plan,
      previousPlanId,
      requestParams: req.details,
      contextId,
      uaaClient,
    });
  } catch (err) {
    throw deployError(op, err, 'update');
  }
  op.rc.boshTaskId = result.taskId;
  log.log(`Bosh task id for Update instance ${req.instanceId} was ${result.taskId}`);
  const operation = encodeOperationData({
    BoshTaskID: result.taskId,
    BoshContextID: contextId,
    OperationType: 'update',
    PlanID: planId,
    Errands: postDeployErrands(plan),
  });
  return { status: 202, body: { operation } };
}

/** Upgrade to the catalog's current view of `plan` (OSB maintenance_info change, or the mgmt API). */
export async function upgradeInstance(op: Op, instanceId: string, plan: PlanConfig): Promise<Result> {
  return redeploy(op, instanceId, plan, 'upgrade');
}

/** Recreate every VM of the instance (mgmt API), then its post-deploy errands. */
export async function recreateInstance(op: Op, instanceId: string, plan: PlanConfig): Promise<Result> {
  return redeploy(op, instanceId, plan, 'recreate');
}

async function redeploy(op: Op, instanceId: string, plan: PlanConfig, type: OperationType & ('upgrade' | 'recreate')): Promise<Result> {
  const { deps, log } = op;
  const contextId = plan.lifecycle_errands?.post_deploy?.length ? deps.newId() : undefined;
  let taskId: number;
  try {
    if (type === 'upgrade') {
      const uaaClient = await uaaClientOf(op, instanceId);
      taskId = (await deployer.upgrade(deps, log, { instanceId, plan, contextId, uaaClient })).taskId;
    } else {
      taskId = await deployer.recreate(deps, log, { instanceId, contextId });
    }
  } catch (err) {
    throw deployError(op, err, type);
  }
  op.rc.boshTaskId = taskId;
  const operation = encodeOperationData({ BoshTaskID: taskId, BoshContextID: contextId, OperationType: type, PlanID: plan.plan_id, Errands: postDeployErrands(plan) });
  return { status: 202, body: { operation } };
}
