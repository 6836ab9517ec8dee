import type { CcModel } from '../model/model.js';
import type { Broker, Instance, Offering, Plan } from '../model/state.js';

/**
 * The rules CC applies alike in v2 and v3. Each check answers with a typed refusal (or nothing);
 * `../refusals.ts` words it the way the API version that was called does.
 */
export type Refusal =
  | { rule: 'instance-name-taken'; name: string }
  | { rule: 'instance-in-progress'; name: string }
  | { rule: 'instance-without-plan'; planGuid: string }
  | { rule: 'plan-not-updateable' }
  | { rule: 'plan-of-other-offering' }
  | { rule: 'maintenance-info-with-plan-change' }
  | { rule: 'maintenance-info-not-supported' }
  | { rule: 'maintenance-info-conflict' }
  | { rule: 'unbindable-plan-with-bindings' }
  | { rule: 'not-bindable'; what: 'binding' | 'key' }
  | { rule: 'key-name-taken'; name: string }
  | { rule: 'broker-name-taken'; name: string }
  | { rule: 'broker-url-invalid'; url: string }
  | { rule: 'orgs-not-found'; guids: string[] };

/** Instance names are unique per space (the instance itself may keep its own). */
export function instanceNameTaken(m: CcModel, spaceGuid: string, name: string, self?: Instance): Refusal | undefined {
  const taken = m.all('instances').some((i) => i !== self && i.space_guid === spaceGuid && i.name === name);
  return taken ? { rule: 'instance-name-taken', name } : undefined;
}

export function instanceInProgress(inst: Instance): Refusal | undefined {
  return inst.last_operation?.state === 'in progress' ? { rule: 'instance-in-progress', name: inst.name } : undefined;
}

/** A plan's own `bindable` wins over its offering's. */
export function bindable(plan: Plan | undefined, offering: Offering | undefined): boolean {
  return !!(plan?.bindable ?? offering?.bindable);
}

export function notBindable(plan: Plan | undefined, offering: Offering | undefined, what: 'binding' | 'key'): Refusal | undefined {
  return bindable(plan, offering) ? undefined : { rule: 'not-bindable', what };
}

/** Service key names are unique per instance. */
export function keyNameTaken(m: CcModel, inst: Instance, name: string): Refusal | undefined {
  return m.bindingsOf(inst.guid).some((b) => b.type === 'key' && b.name === name) ? { rule: 'key-name-taken', name } : undefined;
}

export interface PlanChange {
  plan: Plan;
  offering: Offering;
  target: Plan;
  changingPlan: boolean;
  /** What goes to the broker and onto the record: `{version}` only (CC's `get_version_only`). */
  maintenanceInfo?: { version: string };
}

/**
 * An update's plan and maintenance_info (ServiceInstanceUpdate, ServiceInstanceUpdateManaged): the
 * plan must be updateable and of the same offering, maintenance_info must not come with a plan
 * change and must name the plan's version (or the instance's own), and a plan that cannot be
 * bound cannot take an instance that has bindings.
 */
export function planChange(
  m: CcModel,
  inst: Instance,
  current: { plan: Plan; offering: Offering },
  newPlan: Plan | undefined,
  maintenanceInfo: { version: string } | undefined,
): PlanChange | Refusal {
  const { plan, offering } = current;
  const target = newPlan ?? plan;
  const changingPlan = target.guid !== plan.guid;
  if (changingPlan && !(plan.plan_updateable ?? offering.plan_updateable)) return { rule: 'plan-not-updateable' };
  if (changingPlan && target.offering_guid !== plan.offering_guid) return { rule: 'plan-of-other-offering' };
  let mi: { version: string } | undefined;
  if (maintenanceInfo) {
    if (changingPlan) return { rule: 'maintenance-info-with-plan-change' };
    if (!plan.maintenance_info) return { rule: 'maintenance-info-not-supported' };
    const v = maintenanceInfo.version;
    if (v !== plan.maintenance_info.version && v !== inst.maintenance_info?.version) return { rule: 'maintenance-info-conflict' };
    mi = { version: v };
  } else if (changingPlan && target.maintenance_info) mi = { version: target.maintenance_info.version };
  if (changingPlan && !bindable(target, offering) && m.bindingsOf(inst.guid).length > 0) return { rule: 'unbindable-plan-with-bindings' };
  return { plan, offering, target, changingPlan, maintenanceInfo: mi };
}

export function isRefusal(x: object): x is Refusal {
  return 'rule' in x;
}

/** Broker URLs are absolute http(s) URLs. */
export function brokerUrlInvalid(url: unknown): Refusal | undefined {
  if (typeof url === 'string') {
    try {
      const p = new URL(url);
      if (p.protocol === 'http:' || p.protocol === 'https:') return undefined;
    } catch {
      // not a URL
    }
  }
  return { rule: 'broker-url-invalid', url: String(url) };
}

export function brokerNameTaken(m: CcModel, name: string, self?: Broker): Refusal | undefined {
  return m.all('brokers').some((b) => b !== self && b.name === name) ? { rule: 'broker-name-taken', name } : undefined;
}

/** Guids among `guids` that name no organization. */
export function orgsNotFound(m: CcModel, guids: string[]): Refusal | undefined {
  const missing = guids.filter((g) => !m.get('orgs', g));
  return missing.length ? { rule: 'orgs-not-found', guids: missing } : undefined;
}
