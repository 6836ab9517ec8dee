/**
 * Plan schemas (`broker.enable_plan_schemas`): the adapter's `generate-plan-schemas` must be
 * implemented; its schemas go in the catalog.
 * @module
 */
import { Ajv } from 'ajv';
import Ajv04Module from 'ajv-draft-04';
import { NotImplementedError } from '../adapter/errors.js';
import { FailureResponse } from '../osb/errors.js';
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

// ajv-draft-04 is CommonJS with a default export; under NodeNext its default import is the module.
type Check = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
type AjvLike = { compile(schema: object): Check; removeSchema(schema: object): unknown };
const Ajv04 = ((Ajv04Module as unknown as { default?: unknown }).default ?? Ajv04Module) as unknown as new (opts: object) => AjvLike;
const AJV_OPTIONS = { strict: false, allErrors: true, validateFormats: false };

// A cache, not state: compiled validators by schema text (a validator depends on nothing but its
// schema). Making an Ajv and compiling was most of a provision's time in the broker itself.
const compiled = new Map<string, Check>();
const COMPILED_MAX = 256;
const compilers: { draft04?: AjvLike; later?: AjvLike } = {};

function compile(schema: Record<string, unknown>): Check {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) return hit;
  const draft04 = typeof schema.$schema === 'string' && /draft-04/.test(schema.$schema);
  const ajv = draft04 ? (compilers.draft04 ??= new Ajv04(AJV_OPTIONS)) : (compilers.later ??= new Ajv(AJV_OPTIONS) as unknown as AjvLike);
  const { $schema: _ignored, ...body } = schema;
  const source = draft04 ? schema : body;
  const check = ajv.compile(source);
  // Ajv keeps every schema it compiled; this map is the only cache.
  ajv.removeSchema(source);
  if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, check);
  return check;
}

/** Validates parameters against a schema of its declared draft (draft-04, as most adapters write, or later). */
function validate(schema: Record<string, unknown>, params: unknown): string | undefined {
  const check = compile(schema);
  if (check(params)) return undefined;
  return (check.errors ?? []).map((e) => `${e.instancePath || '(root)'}: ${e.message ?? 'invalid'}`).join('; ');
}

/**
 * With plan schemas on, the adapter must answer for the plan, and the request's parameters must
 * satisfy the matching schema (ODB: 400 `params-validation-failed` with an empty body).
 */
export async function checkPlanSchemas(op: Op, plan: PlanConfig, action: 'provision' | 'update' | 'bind', params: unknown): Promise<void> {
  if (!op.deps.config.broker.enable_plan_schemas) return;
  const schemas = await planSchemas(op, plan);
  const schema =
    action === 'provision'
      ? schemas.service_instance?.create?.parameters
      : action === 'update'
        ? schemas.service_instance?.update?.parameters
        : schemas.service_binding?.create?.parameters;
  if (!schema || Object.keys(schema).length === 0) return;
  const problem = validate(schema, params ?? {});
  if (problem) {
    op.log.log(`parameters do not satisfy the plan's ${action} schema: ${problem}`);
    throw new FailureResponse(problem, 400, undefined, true);
  }
}
