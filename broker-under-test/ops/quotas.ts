/**
 * Quotas, counted through Cloud Controller as ODB does (instances per CC plan of the offering):
 * the global instance limit, the plan limit, and resource quotas (global and per plan).
 * @module
 */
import type { PlanConfig } from '../config/types.js';
import { DisplayableError, Errors } from '../osb/errors.js';
import type { Deps } from './deps.js';

/** Instances per catalog plan id (none without a CF client, as ODB's no-op client). */
export async function planCounts(deps: Deps): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (!deps.cc) return counts;
  for (const { plan, count } of await deps.cc.countInstances(deps.config.service_catalog.id)) counts.set(plan.unique_id, count);
  return counts;
}

function resourceUsage(deps: Deps, counts: Map<string, number>, kind: string): number {
  let usage = 0;
  for (const p of deps.config.service_catalog.plans) usage += (p.quotas?.resources?.[kind]?.cost ?? 0) * (counts.get(p.plan_id) ?? 0);
  return usage;
}

/** Throws ODB's quota errors when one more instance of `plan` would break a quota. */
export function checkQuotas(deps: Deps, plan: PlanConfig, counts: Map<string, number>, opts: { global: boolean }): void {
  const catalog = deps.config.service_catalog;
  if (opts.global) {
    const globalLimit = catalog.global_quotas?.service_instance_limit;
    if (globalLimit !== undefined && globalLimit !== null) {
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      if (total >= globalLimit) {
        throw new DisplayableError(Errors.serviceQuotaExceeded(), new Error(`service quota exceeded for service ID ${catalog.id}`));
      }
    }
  }
  const planLimit = plan.quotas?.service_instance_limit;
  if (planLimit !== undefined && planLimit !== null && (counts.get(plan.plan_id) ?? 0) >= planLimit) {
    throw new DisplayableError(Errors.planQuotaExceeded(), new Error(`plan quota exceeded for plan ID ${plan.plan_id}`));
  }
  // ODB reports the resource quotas together, each as its whole two-sided error, joined.
  const resourceErrors: Error[] = [];
  for (const [kind, quota] of Object.entries(catalog.global_quotas?.resources ?? {})) {
    if (quota?.limit === undefined) continue;
    const usage = resourceUsage(deps, counts, kind);
    const required = plan.quotas?.resources?.[kind]?.cost ?? 0;
    if (usage + required > quota.limit) {
      resourceErrors.push(new DisplayableError(
        new Error(`global quota of ${kind}: ${quota.limit} would be exceeded by this deployment`),
        new Error(`global quota of ${kind}: ${quota.limit} would be exceeded by this deployment - current usage is ${usage} and this deployment needs a further ${required}`),
      ));
      break;
    }
  }
  for (const [kind, quota] of Object.entries(plan.quotas?.resources ?? {})) {
    if (quota?.limit === undefined) continue;
    const cost = quota.cost ?? 0;
    const usage = cost * (counts.get(plan.plan_id) ?? 0);
    if (usage + cost > quota.limit) {
      resourceErrors.push(new DisplayableError(
        new Error(`plan quota of ${kind}: ${quota.limit} would be exceeded by this deployment`),
        new Error(`plan quota of ${kind}: ${quota.limit} would be exceeded by this deployment - current usage is ${usage} and this deployment needs a further ${cost}`),
      ));
      break;
    }
  }
  if (resourceErrors.length) throw new Error(resourceErrors.map((e) => e.message).join(', '));
}
