/**
 * Maintenance info: the catalog's (global merged with the plan's, private values hashed) and ODB's
 * decider, which tells an update from an upgrade and refuses mismatches.
 * @module
 */
import { createHash } from 'node:crypto';
import type { BrokerConfig, PlanConfig } from '../config/types.js';
import { Errors } from '../osb/errors.js';

export interface MaintenanceInfo {
  public?: Record<string, string>;
  private?: string;
  version?: string;
  description?: string;
}

/** ODB's map hasher: sorted `key:value;` pairs, SHA-256, hex. */
function hashMap(m: Record<string, string>): string {
  const text = Object.keys(m).sort().map((k) => `${k}:${m[k]};`).join('');
  return createHash('sha256').update(text).digest('hex');
}

/** The plan's catalog `maintenance_info`, or undefined when neither the service nor the plan sets one. */
export function planMaintenanceInfo(config: BrokerConfig, plan: PlanConfig): MaintenanceInfo | undefined {
  const g = config.service_catalog.maintenance_info;
  const p = plan.maintenance_info;
  if (!g && !p) return undefined;
  const pub = { ...(g?.public ?? {}), ...(p?.public ?? {}) };
  const priv = { ...(g?.private ?? {}), ...(p?.private ?? {}) };
  const out: MaintenanceInfo = {};
  if (Object.keys(pub).length) out.public = pub;
  if (Object.keys(priv).length) out.private = hashMap(priv);
  const version = p?.version ?? g?.version;
  if (version) out.version = version;
  const description = p?.description ?? g?.description;
  if (description) out.description = description;
  return out;
}

const same = (a: MaintenanceInfo | undefined, b: MaintenanceInfo | undefined) =>
  (!a && !b) || (!!a && !!b && (a.version ?? '') === (b.version ?? ''));

const conflict = (req: MaintenanceInfo | undefined, plan: MaintenanceInfo | undefined): Error | undefined => {
  if (same(req, plan)) return undefined;
  if (!req) return undefined; // ODB only warns when the request carries none
  return plan ? Errors.maintenanceInfoConflict() : Errors.maintenanceInfoNilConflict();
};

/** Provision: the request's maintenance_info must match the plan's when given. */
export function checkProvisionMaintenanceInfo(config: BrokerConfig, plan: PlanConfig, req: MaintenanceInfo | undefined): void {
  const err = conflict(req, planMaintenanceInfo(config, plan));
  if (err) throw err;
}

/** ODB's `DecideOperation`: `upgrade` when only maintenance_info changes, else `update` (or a 422). */
export function decideOperation(
  config: BrokerConfig,
  a: { plan: PlanConfig; previousPlan?: PlanConfig; maintenanceInfo?: MaintenanceInfo; previousMaintenanceInfo?: MaintenanceInfo; hasParams: boolean; planChanged: boolean },
): 'update' | 'upgrade' {
  const planMi = planMaintenanceInfo(config, a.plan);
  const err = conflict(a.maintenanceInfo, planMi);
  if (err) throw err;
  const checkPrevious = () => {
    if (a.previousMaintenanceInfo && a.previousPlan && !same(a.previousMaintenanceInfo, planMaintenanceInfo(config, a.previousPlan))) {
      throw Errors.mustBeUpgradedFirst();
    }
  };
  if (!a.maintenanceInfo && planMi) {
    checkPrevious();
    return 'update';
  }
  if (!a.planChanged && !a.hasParams && !same(a.maintenanceInfo, a.previousMaintenanceInfo)) return 'upgrade';
  checkPrevious();
  return 'update';
}
