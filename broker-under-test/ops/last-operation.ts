/**
 * last_operation (ODB's `broker/last_operation.go` and `lifecycle_runner.go`). Everything comes from
 * the operation data and BOSH: the task, or the tasks sharing the operation's context id, which also
 * drive post-deploy errands (run one at a time after the deploy) and pre-delete errands (then the
 * delete itself).
 * @module
 */
import { taskStateType, type BoshTask } from '../clients/bosh.js';
import { genericError } from '../osb/errors.js';
import type { Op } from './context.js';
import { decodeOperationData, type OperationData, type OperationType } from './operation-data.js';
import { deploymentName } from './plans.js';

const DESCRIPTIONS: Record<OperationType, { progress: string; done: string; failed: string }> = {
  create: { progress: 'Instance provisioning in progress', done: 'Instance provisioning completed', failed: 'Instance provisioning failed' },
  update: { progress: 'Instance update in progress', done: 'Instance update completed', failed: 'Instance update failed' },
  upgrade: { progress: 'Instance upgrade in progress', done: 'Instance upgrade completed', failed: 'Instance upgrade failed' },
  delete: { progress: 'Instance deletion in progress', done: 'Instance deletion completed', failed: 'Instance deletion failed' },
  'force-delete': { progress: 'Instance forced deletion in progress', done: 'Instance forced deletion completed', failed: 'Instance forced deletion failed' },
  recreate: { progress: 'Instance recreate in progress', done: 'Instance recreate completed', failed: 'Instance recreate failed' },
};

const isDelete = (t: OperationType) => t === 'delete' || t === 'force-delete';

/** The task that stands for the operation now, running the next lifecycle errand or the delete when due. */
async function currentTask(op: Op, data: OperationData): Promise<BoshTask> {
  const { bosh } = op.deps;
  if (!data.BoshContextID) return bosh.task(data.BoshTaskID);
  const name = deploymentName(op.rc.instanceId);
  const errands = data.Errands ?? [];
  const tasks = await bosh.tasksByContext(name, data.BoshContextID);
  if (tasks.length === 0) throw new Error(`no tasks found for context id: ${data.BoshContextID}`);
  const latest = tasks[0];
  const state = taskStateType(latest.state);
  if (!isDelete(data.OperationType)) {
    if (state !== 'complete') return latest;
    if (tasks.length - 1 < errands.length) {
      const errand = errands[tasks.length - 1];
      const id = await bosh.runErrand(name, errand.Name, errand.Instances ?? [], data.BoshContextID);
      op.log.log(`Submitted errand ${errand.Name} for ${name}: task ${id}`);
      return bosh.task(id);
    }
    return latest;
  }
  if (state === 'incomplete') return latest;
  // A forced deletion carries on past a failed pre-delete errand.
  const skipFailure = data.OperationType === 'force-delete' && tasks.length <= errands.length;
  if (state !== 'complete' && !skipFailure) return latest;
  if (tasks.length < errands.length) {
    const errand = errands[tasks.length];
    const id = await bosh.runErrand(name, errand.Name, errand.Instances ?? [], data.BoshContextID);
    return bosh.task(id);
  }
  if (tasks.length === errands.length) {
    const id = await bosh.deleteDeployment(name, data.BoshContextID, data.OperationType === 'force-delete');
    op.log.log(`Bosh task id for Delete instance ${op.rc.instanceId} was ${id}`);
    return id === 0 ? { id: latest.id, state: 'done', description: '', result: '' } : bosh.task(id);
  }
  return latest;
}

export async function lastOperation(op: Op, rawOperation: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const { deps, log } = op;
  if (!rawOperation) throw new Error('Request missing operation data, please check your Cloud Foundry version is v238+');
  let data: OperationData;
  try {
    data = decodeOperationData(rawOperation);
  } catch (err) {
    throw genericError(op.rc, new Error(`operation data cannot be parsed: ${(err as Error).message}`));
  }
  if (!data.BoshTaskID) throw genericError(op.rc, new Error('no task ID found in operation data'));
  const texts = DESCRIPTIONS[data.OperationType];
  if (!texts) throw genericError(op.rc, new Error(`unknown operation type: ${data.OperationType}`));
  op.rc.operation = data.OperationType;

  let task: BoshTask;
  try {
    task = await currentTask(op, data);
  } catch (err) {
    op.rc.boshTaskId = data.BoshTaskID;
    throw genericError(op.rc, new Error(`error retrieving tasks from bosh, for deployment '${deploymentName(op.rc.instanceId)}': ${(err as Error).message}`));
  }
  op.rc.boshTaskId = task.id;
  const type = taskStateType(task.state);
  if (type === 'unknown') log.log(`Unrecognised BOSH task state: ${task.state}`);

  if (type === 'incomplete') {
    log.log(`BOSH task ID ${task.id} status: ${task.state} ${data.OperationType} deployment for instance ${op.rc.instanceId}: Description: ${task.description} Result: ${task.result}`);
    return { status: 200, body: { state: 'in progress', description: texts.progress } };
  }
  if (type === 'complete') {
    if (isDelete(data.OperationType) && !deps.config.broker.disable_bosh_configs) {
      try {
        await deps.bosh.deleteConfigs(deploymentName(op.rc.instanceId));
      } catch (err) {
        log.log(`error deleting configs for ${op.rc.instanceId}: ${(err as Error).message}`);
        return { status: 200, body: { state: 'failed', description: `${texts.failed}: ${genericError(op.rc, err as Error).forUser.message}` } };
      }
    }
    log.log(`BOSH task ID ${task.id} status: ${task.state} ${data.OperationType} deployment for instance ${op.rc.instanceId}: Description: ${task.description} Result: ${task.result}`);
    return { status: 200, body: { state: 'succeeded', description: texts.done } };
  }
  log.log(`BOSH task ID ${task.id} status: ${task.state} ${data.OperationType} deployment for instance ${op.rc.instanceId}: Description: ${task.description} Result: ${task.result}`);
  if (data.OperationType === 'upgrade') return { status: 200, body: { state: 'failed', description: `Failed for bosh task: ${task.id}` } };
  let description = `${texts.failed}: ${genericError(op.rc, new Error(task.result)).forUser.message}`;
  if (deps.config.broker.expose_operational_errors) description += `, error-message: ${task.result}`;
  return { status: 200, body: { state: 'failed', description } };
}
