import type { Context } from 'hono';
import { ccError, isV3Path, unprocessable, type CcError } from './errors.js';
import type { Refusal } from './ops/rules.js';

/** How CC v2 words a shared rule's refusal (errors/v2.yml). */
export function v2Refusal(r: Refusal): CcError {
  switch (r.rule) {
    case 'instance-name-taken': return ccError('ServiceInstanceNameTaken', r.name);
    case 'instance-in-progress': return ccError('AsyncServiceInstanceOperationInProgress', r.name);
    case 'instance-without-plan': return ccError('ServicePlanNotFound', r.planGuid);
    case 'plan-not-updateable': return ccError('ServicePlanNotUpdateable');
    case 'plan-of-other-offering': return ccError('ServicePlanInvalid', 'Plan must belong to the same service');
    case 'maintenance-info-with-plan-change': return ccError('MaintenanceInfoNotUpdatableWhenChangingPlan');
    case 'maintenance-info-not-supported': return ccError('MaintenanceInfoNotSupported');
    case 'maintenance-info-conflict': return ccError('MaintenanceInfoConflict');
    case 'unbindable-plan-with-bindings': return unprocessable('Cannot update to a non-bindable plan while the service instance has bindings.');
    case 'not-bindable': return r.what === 'key' ? ccError('ServiceKeyNotSupported', "This service doesn't support creation of keys.") : ccError('UnbindableService');
    case 'key-name-taken': return ccError('ServiceKeyNameTaken', r.name);
    case 'broker-name-taken': return ccError('ServiceBrokerNameTaken');
    case 'broker-url-invalid': return ccError('ServiceBrokerUrlInvalid', r.url);
    case 'orgs-not-found': return ccError('ServicePlanVisibilityInvalid', 'organization is invalid');
  }
}

/** How CC v3 words it: mostly 422 UnprocessableEntity with the message class's text. */
export function v3Refusal(r: Refusal): CcError {
  switch (r.rule) {
    case 'instance-name-taken': return unprocessable(`The service instance name is taken: ${r.name}.`);
    case 'instance-in-progress': return unprocessable('There is an operation in progress for the service instance.');
    case 'instance-without-plan': return unprocessable('The service instance has no service plan.');
    case 'plan-not-updateable': return unprocessable(ccError('ServicePlanNotUpdateable').detail);
    case 'plan-of-other-offering': return unprocessable('Plan must belong to the same service');
    case 'maintenance-info-with-plan-change':
    case 'maintenance-info-not-supported':
    case 'maintenance-info-conflict': {
      const name = r.rule === 'maintenance-info-with-plan-change' ? 'MaintenanceInfoNotUpdatableWhenChangingPlan' : r.rule === 'maintenance-info-not-supported' ? 'MaintenanceInfoNotSupported' : 'MaintenanceInfoConflict';
      return ccError(name);
    }
    case 'unbindable-plan-with-bindings': return unprocessable('Cannot update to a non-bindable plan while the service instance has bindings.');
    case 'not-bindable': return unprocessable('Service plan does not allow bindings');
    case 'key-name-taken':
      return unprocessable(`The binding name is invalid. Key binding names must be unique. The service instance already has a key binding with name '${r.name}'.`);
    case 'broker-name-taken': return unprocessable('Name must be unique');
    case 'broker-url-invalid': return unprocessable('Url must be a valid url');
    case 'orgs-not-found': return unprocessable(`Could not find Organizations with guids: ${JSON.stringify(r.guids)}`);
  }
}

/** A refusal thrown: the app's error handler answers it in the words of the version that was called. */
export class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.rule);
    this.name = 'Refused';
  }

  getResponse(c?: Context): Response {
    const v3 = !!c && isV3Path(c.req.path);
    return (v3 ? v3Refusal(this.refusal) : v2Refusal(this.refusal)).getResponse(c);
  }
}

/** Throws the refusal, if any. */
export function refuse(r: Refusal | undefined): void {
  if (r) throw new Refused(r);
}
