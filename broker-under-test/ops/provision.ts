/**
 * Provision (ODB's `broker/provision.go`): always asynchronous; the deployment must not exist;
 * quotas through CC; a per-instance UAA client when configured; generate-manifest, configs, deploy;
 * then the adapter's optional dashboard URL.
 * @module
 */
import { NotImplementedError, UnknownFailureError } from '../adapter/errors.js';
import { BoshRequestError } from '../clients/bosh.js';
import { DisplayableError, Errors, FailureResponse, boshRequestError, genericError } from '../osb/errors.js';
import { adapterToApiError } from './adapter-errors.js';
import type { Op } from './context.js';
import * as deployer from './deployer.js';
import { checkProvisionMaintenanceInfo, type MaintenanceInfo } from './maintenance-info.js';
import { encodeOperationData } from './operation-data.js';
import { adapterPlan, deploymentName, findPlan, postDeployErrands } from './plans.js';
import { checkQuotas, planCounts } from './quotas.js';
import { checkPlanSchemas } from './schemas.js';

export interface ProvisionRequest {
  instanceId: string;
  acceptsIncomplete: boolean;
  /** The OSB body as a map, `parameters` defaulted to `{}` (ODB's `convertDetailsToMap`). */
  details: Record<string, unknown>;
}

export async function provision(op: Op, req: ProvisionRequest): Promise<{ status: number; body: Record<string, unknown> }> {
  const { deps, log } = op;
  if (!req.acceptsIncomplete) throw Errors.asyncRequired();
  const planId = String(req.details.plan_id ?? '');
  const plan = findPlan(deps.config, planId);
  if (!plan) throw new DisplayableError(new Error(`plan ${planId} not found`), new Error(`finding plan ID ${planId}`));
  checkProvisionMaintenanceInfo(deps.config, plan, req.details.maintenance_info as MaintenanceInfo | undefined);

  try {
    await deps.bosh.info();
  } catch (err) {
    throw boshRequestError('create', err as Error);
  }

  const name = deploymentName(req.instanceId);
  let existing: string | undefined;
  try {
    existing = await deps.bosh.getDeployment(name);
  } catch (err) {
    const e = new Error(`could not get manifest: ${(err as Error).message}`);
    throw err instanceof BoshRequestError ? boshRequestError('create', e) : genericError(op.rc, e);
  }
  if (existing !== undefined) throw new DisplayableError(Errors.instanceAlreadyExists(), new Error(`deploying instance ${req.instanceId}`));

  let counts: Map<string, number>;
  try {
    counts = await planCounts(deps);
  } catch (err) {
    throw genericError(op.rc, err as Error);
  }
  checkQuotas(deps, plan, counts, { global: true });
  await checkPlanSchemas(op, plan, 'provision', req.details.parameters);

  const spaceGuid = spaceOf(req.details);
  let uaaClient: Record<string, string> | null = null;
  if (deps.uaaClients) {
    try {
      uaaClient = await deps.uaaClients.create(req.instanceId, spaceGuid);
    } catch (err) {
      throw genericError(op.rc, err as Error);
    }
  }

  const errands = postDeployErrands(plan);
  const contextId = plan.lifecycle_errands?.post_deploy?.length ? deps.newId() : undefined;
  let result: deployer.DeployResult;
  try {
    result = await deployer.create(deps, log, { instanceId: req.instanceId, plan, requestParams: req.details, contextId, uaaClient });
  } catch (err) {
    if (err instanceof BoshRequestError) throw boshRequestError('create', err);
    if (err instanceof DisplayableError || err instanceof FailureResponse) throw err;
    if (err instanceof UnknownFailureError) throw adapterToApiError(op, err);
    throw genericError(op.rc, err as Error);
  }
  op.rc.boshTaskId = result.taskId;
  log.log(`Bosh task id for Create instance ${req.instanceId} was ${result.taskId}`);

  const operation = encodeOperationData({ BoshTaskID: result.taskId, BoshContextID: contextId, OperationType: 'create', Errands: errands });
  let dashboardUrl = '';
  try {
    dashboardUrl = (await deps.adapter.dashboardUrl({ instanceId: req.instanceId, plan: adapterPlan(deps.config, plan), manifest: result.manifest }, { log: (l) => log.log(l) }))
      .dashboard_url;
  } catch (err) {
    log.log(`generating dashboard: ${(err as Error).message}`);
    if (!(err instanceof NotImplementedError)) throw adapterToApiError(op, err);
  }
  if (deps.uaaClients && dashboardUrl) {
    try {
      await deps.uaaClients.updateRedirect(req.instanceId, dashboardUrl, spaceGuid);
    } catch (err) {
      throw genericError(op.rc, err as Error);
    }
  }
  return { status: 202, body: dashboardUrl ? { dashboard_url: dashboardUrl, operation } : { operation } };
}

/** The space guid from the CF context or the top-level field. */
export function spaceOf(details: Record<string, unknown>): string | undefined {
  const ctx = details.context as { space_guid?: string } | undefined;
  return ctx?.space_guid ?? (details.space_guid as string | undefined);
}
