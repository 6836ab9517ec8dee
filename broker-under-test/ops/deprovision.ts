/**
 * Deprovision (ODB's `broker/deprovision.go`): 410 when the deployment is gone (its BOSH configs
 * removed first); refused while a task runs; the first pre-delete errand, or the delete itself with
 * context `delete-<guid>` followed by removal of the instance's UAA client.
 * @module
 */
import { OPERATION_IN_PROGRESS_MESSAGE, DisplayableError, Errors, boshRequestError, genericError } from '../osb/errors.js';
import type { Op } from './context.js';
import { encodeOperationData } from './operation-data.js';
import { deploymentName, findPlan, preDeleteErrands } from './plans.js';

export interface DeprovisionRequest {
  instanceId: string;
  planId: string;
  acceptsIncomplete: boolean;
  force: boolean;
}

export async function deprovision(op: Op, req: DeprovisionRequest): Promise<{ status: number; body: Record<string, unknown> }> {
  const { deps, log } = op;
  if (!req.acceptsIncomplete) throw Errors.asyncRequired();
  try {
    await deps.bosh.info();
  } catch (err) {
    throw boshRequestError('delete', err as Error);
  }
  const name = deploymentName(req.instanceId);
  let manifest: string | undefined;
  try {
    manifest = await deps.bosh.getDeployment(name);
  } catch (err) {
    throw genericError(op.rc, err as Error);
  }
  if (manifest === undefined) {
    try {
      if (!deps.config.broker.disable_bosh_configs) await deps.bosh.deleteConfigs(name);
    } catch (err) {
      throw genericError(op.rc, err as Error);
    }
    throw new DisplayableError(Errors.instanceDoesNotExist(), new Error(`error deprovisioning: instance ${req.instanceId}, not found`));
  }
  const inProgress = await deps.bosh.tasksInProgress(name);
  if (inProgress.length > 0) {
    throw new DisplayableError(new Error(OPERATION_IN_PROGRESS_MESSAGE), new Error(`deployment ${name} is still in progress: tasks ${inProgress.map((t) => t.id).join(', ')}`));
  }
  const type = req.force ? 'force-delete' : 'delete';
  const errands = preDeleteErrands(findPlan(deps.config, req.planId));
  if (errands.length > 0) {
    const contextId = deps.newId();
    const taskId = await deps.bosh.runErrand(name, errands[0].Name, errands[0].Instances ?? [], contextId);
    op.rc.boshTaskId = taskId;
    log.log(`Bosh task id for pre-delete errand ${errands[0].Name} of instance ${req.instanceId} was ${taskId}`);
    return { status: 202, body: { operation: encodeOperationData({ BoshTaskID: taskId, BoshContextID: contextId, OperationType: type, Errands: errands }) } };
  }
  const taskId = await deps.bosh.deleteDeployment(name, `delete-${req.instanceId}`, req.force);
  op.rc.boshTaskId = taskId;
  log.log(`Bosh task id for Delete instance ${req.instanceId} was ${taskId}`);
  if (deps.uaaClients) {
    await deps.uaaClients.delete(req.instanceId).catch((err: Error) => log.log(`could not delete the UAA client for ${req.instanceId}: ${err.message}`));
  }
  return { status: 202, body: { operation: encodeOperationData({ BoshTaskID: taskId, OperationType: type }) } };
}
