/**
 * Bind and unbind (ODB's `broker/bind.go`, `unbind.go`): the deployed manifest and the VMs from
 * `vms?format=full`, the deployment's variables, then the adapter's create-binding or delete-binding.
 * @module
 */
import type { BoshVMs } from '../adapter/types.js';
import { DisplayableError, Errors, FailureResponse, genericError } from '../osb/errors.js';
import { adapterToApiError } from './adapter-errors.js';
import type { Op } from './context.js';
import { deploymentName, findPlan } from './plans.js';
import { checkPlanSchemas } from './schemas.js';

async function deploymentInfo(
  op: Op,
  instanceId: string,
  action: 'bind' | 'unbind',
  planId: string,
): Promise<{ manifest: string; vms: BoshVMs; dns: Record<string, string> | null }> {
  const { bosh } = op.deps;
  const name = deploymentName(instanceId);
  let manifest: string | undefined;
  try {
    manifest = await bosh.getDeployment(name);
  } catch (err) {
    throw genericError(op.rc, new Error(`gathering deployment list ${(err as Error).message}`));
  }
  if (manifest === undefined) {
    // brokerapi answers a bind to a missing instance with 404, other actions with 410.
    const userError = action === 'bind' ? new FailureResponse('instance does not exist', 404) : Errors.instanceDoesNotExist();
    throw new DisplayableError(userError, new Error(`error ${action}ing: instance ${instanceId}, not found`));
  }
  let vms: BoshVMs;
  try {
    vms = await bosh.vms(name);
  } catch (err) {
    throw genericError(op.rc, new Error(`gathering ${action}ing info ${(err as Error).message}`));
  }
  try {
    await bosh.variables(name);
  } catch (err) {
    op.log.log(`failed to retrieve variables for deployment ${name}: ${(err as Error).message}`);
  }
  const entries = findPlan(op.deps.config, planId)?.binding_with_dns ?? [];
  let dns: Record<string, string> | null = null;
  if (entries.length) {
    try {
      dns = await bosh.dnsAddresses(name, entries);
    } catch (err) {
      throw genericError(op.rc, new Error(`failed to get required DNS info: ${(err as Error).message}`));
    }
  }
  return { manifest, vms, dns };
}

export async function bind(
  op: Op,
  req: { instanceId: string; bindingId: string; details: Record<string, unknown> },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { deps, log } = op;
  const { manifest, vms, dns } = await deploymentInfo(op, req.instanceId, 'bind', String(req.details.plan_id ?? ''));
  if (deps.config.broker.enable_plan_schemas) {
    const plan = findPlan(deps.config, String(req.details.plan_id ?? ''));
    if (!plan) throw new DisplayableError(new Error(`plan ${String(req.details.plan_id)} not found`), new Error(`finding plan ID ${String(req.details.plan_id)}`));
    await checkPlanSchemas(op, plan, 'bind', req.details.parameters);
  }
  log.log(`service adapter will create binding with ID ${req.bindingId} for instance ${req.instanceId}`);
  try {
    const binding = await deps.adapter.createBinding(
      { bindingId: req.bindingId, boshVms: vms, manifest, requestParameters: req.details, secrets: null, dnsAddresses: dns },
      { log: (l) => log.log(l) },
    );
    const body: Record<string, unknown> = { credentials: binding.credentials ?? {} };
    if (binding.syslog_drain_url) body.syslog_drain_url = binding.syslog_drain_url;
    if (binding.route_service_url) body.route_service_url = binding.route_service_url;
    if (binding.backup_agent_url && deps.config.broker.support_backup_agent_binding) body.backup_agent_url = binding.backup_agent_url;
    return { status: 201, body };
  } catch (err) {
    log.log(`creating binding: ${(err as Error).message}`);
    throw adapterToApiError(op, err);
  }
}

export async function unbind(
  op: Op,
  req: { instanceId: string; bindingId: string; details: Record<string, unknown> },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { deps, log } = op;
  const { manifest, vms, dns } = await deploymentInfo(op, req.instanceId, 'unbind', String(req.details.plan_id ?? ''));
  log.log(`service adapter will delete binding with ID ${req.bindingId} for instance ${req.instanceId}`);
  try {
    await deps.adapter.deleteBinding(
      { bindingId: req.bindingId, boshVms: vms, manifest, requestParameters: req.details, secrets: null, dnsAddresses: dns },
      { log: (l) => log.log(l) },
    );
  } catch (err) {
    log.log(`delete binding: ${(err as Error).message}`);
    throw adapterToApiError(op, err);
  }
  return { status: 200, body: {} };
}
