import type { Context } from 'hono';
import { principal } from '../auth.js';
import type { CcDeps } from '../deps.js';
import { ccError, fromInfo } from '../errors.js';
import { json } from '../http.js';
import type { Binding, Instance } from '../model/state.js';
import type { FetchInstanceRequest, FetchResult } from '../platform/api.js';
import { endpoint } from '../ops/service-ops.js';

/**
 * `GET …/parameters` in v2 and v3 alike: CC asks the broker (GET instance / binding) only when the
 * offering says it answers, and returns the broker's `parameters` (`{}` when it sends none).
 */
function fetchRequest(
  d: CcDeps,
  c: Context,
  inst: Instance,
  retrievable: 'instances_retrievable' | 'bindings_retrievable',
  notSupported: 'ServiceFetchInstanceParametersNotSupported' | 'ServiceFetchBindingParametersNotSupported',
): FetchInstanceRequest {
  const { plan, offering, broker } = d.ops.resolvePlan(inst);
  if (!plan || !offering || !broker || !offering[retrievable]) throw ccError(notSupported);
  return { broker: endpoint(broker), instanceGuid: inst.guid, serviceId: offering.catalog_id, planId: plan.catalog_id, userGuid: principal(c).userGuid };
}

async function parametersOf(fetched: Promise<FetchResult<{ parameters?: Record<string, unknown> }>>): Promise<Response> {
  const r = await fetched;
  if (!r.ok) throw fromInfo(r.error);
  return json(r.value.parameters ?? {});
}

/** `beforeFetch` runs after the retrievable check, for a route's own refusals. */
export async function instanceParameters(d: CcDeps, c: Context, inst: Instance, beforeFetch?: () => void): Promise<Response> {
  const req = fetchRequest(d, c, inst, 'instances_retrievable', 'ServiceFetchInstanceParametersNotSupported');
  beforeFetch?.();
  return parametersOf(d.platform().fetchInstance(req));
}

export async function bindingParameters(d: CcDeps, c: Context, inst: Instance, b: Binding): Promise<Response> {
  const req = fetchRequest(d, c, inst, 'bindings_retrievable', 'ServiceFetchBindingParametersNotSupported');
  return parametersOf(d.platform().fetchBinding({ ...req, bindingGuid: b.guid }));
}
