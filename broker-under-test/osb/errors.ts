/**
 * OSB error answers as brokerapi writes them, and ODB's two-sided errors (one text for the CF user,
 * one for the operator's log; `expose_operational_errors` shows both).
 * @module
 */

/** brokerapi's `FailureResponse`: a status, a description, an optional OSB `error` code, or an empty `{}` body. */
export class FailureResponse extends Error {
  override name = 'FailureResponse';
  constructor(
    message: string,
    readonly status: number,
    readonly errorKey?: string,
    readonly emptyResponse = false,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    if (this.emptyResponse) return {};
    return this.errorKey ? { error: this.errorKey, description: this.message } : { description: this.message };
  }
}

/** ODB's `DisplayableError`. */
export class DisplayableError extends Error {
  override name = 'DisplayableError';
  constructor(
    readonly forUser: Error,
    readonly forOperator: Error,
  ) {
    super(`error: ${forOperator.message}. error for user: ${forUser.message}.`);
  }

  /** What `expose_operational_errors` shows: the user text followed by the operator's. */
  extended(): Error {
    if (this.forUser instanceof FailureResponse) {
      const f = this.forUser;
      return new FailureResponse(`${f.message} - error-message: ${this.forOperator.message}`, f.status, f.errorKey, f.emptyResponse);
    }
    return new Error(`${this.forUser.message} - error-message: ${this.forOperator.message}`);
  }
}

export const GENERIC_ERROR_PREFIX =
  'There was a problem completing your request. Please contact your operations team providing the following information:';
export const PENDING_CHANGES_MESSAGE = 'The service broker has been updated, and this service instance is out of date. Please contact your operator.';
export const OPERATION_IN_PROGRESS_MESSAGE = 'An operation is in progress for your service instance. Please try again later.';

/** brokerapi's canned errors. */
export const Errors = {
  instanceAlreadyExists: () => new FailureResponse('instance already exists', 409, undefined, true),
  instanceDoesNotExist: () => new FailureResponse('instance does not exist', 410, undefined, true),
  bindingAlreadyExists: () => new FailureResponse('binding already exists', 409),
  bindingDoesNotExist: () => new FailureResponse('binding does not exist', 410, undefined, true),
  asyncRequired: () => new FailureResponse('This service plan requires client support for asynchronous service operations.', 422, 'AsyncRequired'),
  planChangeNotSupported: () => new FailureResponse('The requested plan migration cannot be performed', 422, 'PlanChangeNotSupported'),
  rawParamsInvalid: () => new FailureResponse('The format of the parameters is not valid JSON', 422),
  appGuidNotProvided: () => new FailureResponse('app_guid is a required field but was not provided', 422),
  maintenanceInfoConflict: () => new FailureResponse('passed maintenance_info does not match the catalog maintenance_info', 422, 'MaintenanceInfoConflict'),
  maintenanceInfoNilConflict: () =>
    new FailureResponse('maintenance_info was passed, but the broker catalog contains no maintenance_info', 422, 'MaintenanceInfoConflict'),
  mustBeUpgradedFirst: () => new FailureResponse('service instance needs to be upgraded before updating', 422),
  planQuotaExceeded: () => new Error('The quota for this service plan has been exceeded. Please contact your Operator for help.'),
  serviceQuotaExceeded: () => new Error('The quota for this service has been exceeded. Please contact your Operator for help.'),
  pendingChanges: () => new FailureResponse(PENDING_CHANGES_MESSAGE, 422),
};

/** The details ODB's generic message names. */
export interface RequestContext {
  serviceName: string;
  instanceId: string;
  requestId: string;
  operation: string;
  boshTaskId?: number;
}

/** ODB's `NewGenericError`: the "please contact your operations team" text for users. */
export function genericError(ctx: RequestContext, operatorError: Error): DisplayableError {
  let message = `${GENERIC_ERROR_PREFIX} service: ${ctx.serviceName}, service-instance-guid: ${ctx.instanceId}, broker-request-id: ${ctx.requestId}`;
  if (ctx.boshTaskId) message += `, task-id: ${ctx.boshTaskId}`;
  if (ctx.operation) message += `, operation: ${ctx.operation}`;
  return new DisplayableError(new Error(message), operatorError);
}

/** ODB's `NewBoshRequestError`. */
export function boshRequestError(action: string, operatorError: Error): DisplayableError {
  return new DisplayableError(new Error(`Currently unable to ${action} service instance, please try again later`), operatorError);
}

/** Status and body of an error as brokerapi writes it (any other error: 500 with its text). */
export function errorResponse(err: Error): { status: number; body: Record<string, unknown> } {
  if (err instanceof FailureResponse) return { status: err.status, body: err.body() };
  return { status: 500, body: { description: err.message } };
}
