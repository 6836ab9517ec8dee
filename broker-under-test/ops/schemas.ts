/**
 * Plan schemas (`broker.enable_plan_schemas`): the adapter's `generate-plan-schemas` must be
 * implemented; its schemas go in the catalog.
 * @module
 */
import { NotImplementedError } from '../adapter/errors.js';
import type { PlanSchema } from '../adapter/types.js';
import type { PlanConfig } from '../config/types.js';
import type { Op } from './context.js';
import { adapterPlan } from './plans.js';

export const SCHEMAS_NOT_IMPLEMENTED = 'enable_plan_schemas is set to true, but the service adapter does not implement generate-plan-schemas';

export async function planSchemas(op: Pick<Op, 'deps' | 'log'>, plan: PlanConfig): Promise<PlanSchema> {
  try {
    return await op.deps.adapter.generatePlanSchemas({ plan: adapterPlan(op.deps.config, plan) }, { log: (l) => op.log.log(l) });
  } catch (err) {
    if (err instanceof NotImplementedError) {
      op.log.log(SCHEMAS_NOT_IMPLEMENTED);
      throw new Error(SCHEMAS_NOT_IMPLEMENTED);
    }
    throw err;
  }
}

/**
 * With plan schemas on, the adapter must answer for the plan before an operation proceeds.
 * (The parameters are not validated against the schema here.)
 */
export async function checkPlanSchemas(op: Op, plan: PlanConfig, _action: 'provision' | 'update' | 'bind', _params: unknown): Promise<void> {
  if (!op.deps.config.broker.enable_plan_schemas) return;
  await planSchemas(op, plan);
}
