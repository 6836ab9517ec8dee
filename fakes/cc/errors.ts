import type { Context } from 'hono';

/**
 * CC's errors (`errors/v2.yml`, with the `errors/v3.yml` overrides). One error, two wire formats:
 * v2 `{description, error_code, code}` and v3 `{errors:[{detail, title, code}]}`, chosen by path.
 */
interface ErrorDef {
  code: number;
  status: number;
  /** `%s` placeholders filled in order. */
  message: string;
  /** Status under /v3 when it differs. */
  v3Status?: number;
}

export const CC_ERRORS = {
  InvalidAuthToken: { code: 1000, status: 401, message: 'Invalid Auth Token' },
  InvalidRelation: { code: 1002, status: 400, message: '%s' },
  MessageParseError: { code: 1001, status: 400, message: 'Request invalid due to parse error: %s' },
  NotFound: { code: 10000, status: 404, message: 'Unknown request' },
  ServerError: { code: 10001, status: 500, message: 'Server error' },
  NotAuthenticated: { code: 10002, status: 401, message: 'Authentication error' },
  NotAuthorized: { code: 10003, status: 403, message: 'You are not authorized to perform the requested action' },
  InvalidRequest: { code: 10004, status: 400, message: 'The request is invalid' },
  BadQueryParameter: { code: 10005, status: 400, message: 'The query parameter is invalid: %s' },
  UnprocessableEntity: { code: 10008, status: 422, message: '%s' },
  UnableToPerform: { code: 10009, status: 400, message: '%s could not be completed: %s' },
  ResourceNotFound: { code: 10010, status: 404, message: '%s' },
  UniquenessError: { code: 10016, status: 422, message: '%s' },
  OrganizationInvalid: { code: 30001, status: 400, message: 'The organization info is invalid: %s' },
  OrganizationNameTaken: { code: 30002, status: 400, message: 'The organization name is taken: %s' },
  OrganizationNotFound: { code: 30003, status: 404, message: 'The organization could not be found: %s' },
  SpaceInvalid: { code: 40001, status: 400, message: 'The app space info is invalid: %s' },
  SpaceNameTaken: { code: 40002, status: 400, message: 'The app space name is taken: %s' },
  SpaceUserNotInOrg: { code: 40003, status: 400, message: 'The app space and the user are not in the same org: %s' },
  SpaceNotFound: { code: 40004, status: 404, message: 'The app space could not be found: %s' },
  UserNotFound: { code: 20003, status: 404, message: 'The user could not be found: %s' },
  ServiceInstanceNameTaken: { code: 60002, status: 400, message: 'The service instance name is taken: %s' },
  ServiceInstanceInvalid: { code: 60003, status: 400, message: 'The service instance is invalid: %s' },
  ServiceInstanceNotFound: { code: 60004, status: 404, message: 'The service instance could not be found: %s' },
  ServiceInstanceDeprovisionFailed: { code: 60011, status: 409, message: 'The service broker reported an error during deprovisioning: %s' },
  ServiceInstanceServicePlanNotAllowed: { code: 60007, status: 400, message: 'The service instance cannot be created because paid service plans are not allowed.' },
  AsyncServiceInstanceOperationInProgress: { code: 60016, status: 409, message: 'An operation for service instance %s is in progress.' },
  ServiceInstanceRecursiveDeleteFailed: { code: 60027, status: 502, message: 'Deletion of service instance %s failed because one or more associated resources could not be deleted.\n\n%s' },
  AssociationNotEmpty: { code: 10006, status: 400, message: 'Please delete the %s associations for your %s.' },
  ServiceBindingInvalid: { code: 90001, status: 400, message: 'The service binding is invalid: %s' },
  ServiceBindingDifferentSpaces: { code: 90002, status: 400, message: 'The app and the service are not in the same app space: %s' },
  ServiceBindingAppServiceTaken: { code: 90003, status: 400, message: '%s' },
  ServiceBindingNotFound: { code: 90004, status: 404, message: 'The service binding could not be found: %s' },
  AsyncServiceBindingOperationInProgress: { code: 90008, status: 409, message: 'An operation for the service binding between app %s and service instance %s is in progress.' },
  UnbindableService: { code: 90005, status: 400, message: 'The service instance doesn\'t support binding.' },
  AppNotFound: { code: 100004, status: 404, message: 'The app could not be found: %s' },
  ServicePlanNotFound: { code: 110003, status: 404, message: 'The service plan could not be found: %s' },
  ServicePlanInvalid: { code: 110001, status: 400, message: 'The service plan is invalid: %s' },
  ServicePlanNotUpdateable: { code: 110004, status: 400, message: 'The service does not support changing plans.' },
  ServiceNotFound: { code: 120003, status: 404, message: 'The service could not be found: %s' },
  ServicePlanVisibilityInvalid: { code: 260001, status: 400, message: 'Service Plan Visibility is invalid: %s' },
  ServicePlanVisibilityAlreadyExists: { code: 260002, status: 400, message: 'This combination of ServicePlan and Organization is already taken: %s' },
  ServicePlanVisibilityNotFound: { code: 260003, status: 404, message: 'The service plan visibility could not be found: %s' },
  ServiceBrokerInvalid: { code: 270001, status: 400, message: 'Service broker is invalid: %s' },
  ServiceBrokerNameTaken: { code: 270002, status: 400, message: 'The service broker name is taken' },
  ServiceBrokerUrlTaken: { code: 270003, status: 400, message: 'The service broker url is taken: %s' },
  ServiceBrokerNotFound: { code: 270004, status: 404, message: 'The service broker was not found: %s' },
  ServiceBrokerUrlInvalid: { code: 270011, status: 400, message: '%s is not a valid URL' },
  ServiceBrokerNotRemovable: { code: 270010, status: 400, v3Status: 422, message: 'Can not remove brokers that have associated service instances: %s' },
  ServiceBrokerCatalogInvalid: { code: 270012, status: 502, message: 'Service broker catalog is invalid: %s' },
  ServiceKeyNameTaken: { code: 360001, status: 400, message: 'The service key name is taken: %s' },
  ServiceKeyNotFound: { code: 360003, status: 404, message: 'The service key could not be found: %s' },
  ServiceKeyNotSupported: { code: 360004, status: 400, message: '%s' },
  ServiceFetchInstanceParametersNotSupported: { code: 120004, status: 400, message: 'This service does not support fetching service instance parameters.' },
  ServiceFetchBindingParametersNotSupported: { code: 90007, status: 400, message: 'This service does not support fetching service binding parameters.' },
  MaintenanceInfoNotSupported: { code: 390006, status: 422, message: 'The service broker does not support upgrades for service instances created from this plan.' },
  MaintenanceInfoNotUpdatableWhenChangingPlan: { code: 390008, status: 422, message: 'maintenance_info should not be changed when switching to different plan.' },
  MaintenanceInfoConflict: {
    code: 390009,
    status: 422,
    message: 'maintenance_info.version requested is invalid. Please ensure the catalog is up to date and you are providing a version supported by this service plan.',
  },
  JobTimeout: { code: 290006, status: 524, message: 'The job execution has timed out.' },
  SpaceDeletionFailed: { code: 290008, status: 502, message: 'Deletion of space %s failed because one or more resources within could not be deleted.\n\n%s' },
  OrganizationDeletionFailed: { code: 290010, status: 502, message: 'Deletion of organization %s failed because one or more resources within could not be deleted.\n\n%s' },
  ServiceBrokerBadResponse: { code: 10001, status: 502, message: '%s' },
} satisfies Record<string, ErrorDef>;

export type CcErrorName = keyof typeof CC_ERRORS | `ServiceBroker${string}` | string;

export class CcError extends Error {
  /** Extra fields some broker errors carry in v2 (`http: {method, status}`). */
  extra?: Record<string, unknown>;
  /** The platform's account of the error, when it came from there (see `fromInfo`). */
  info?: CcErrorInfoLike;
  constructor(
    readonly errorName: string,
    readonly code: number,
    readonly status: number,
    readonly detail: string,
    readonly v3Status = status,
  ) {
    super(detail);
  }
  get title(): string {
    return `CF-${this.errorName}`;
  }
  /** The error as CC answers it: v3's format under `/v3`, v2's elsewhere (the app's error handler calls this). */
  getResponse(c?: Context): Response {
    return errorResponse(this, c ? isV3Path(c.req.path) : false);
  }
}

/** `ccError('ServiceInstanceNotFound', guid)`: the named error with its message filled in. */
export function ccError(name: keyof typeof CC_ERRORS, ...args: string[]): CcError {
  const def: ErrorDef = CC_ERRORS[name];
  let i = 0;
  const message = def.message.replace(/%s/g, () => args[i++] ?? '');
  return new CcError(name, def.code, def.status, message, def.v3Status ?? def.status);
}

/** v3 `ResourceNotFound` ("Service instance not found"). */
export const notFound3 = (what: string) => ccError('ResourceNotFound', `${what} not found`);
export const unprocessable = (detail: string) => ccError('UnprocessableEntity', detail);
export const badQuery = (detail: string) => ccError('BadQueryParameter', detail);
export const notAuthorized = () => ccError('NotAuthorized');

/** An error from the platform module (broker errors), given as `{httpStatus, code, errorCode, description}`. */
type CcErrorInfoLike = { httpStatus: number; code: number; errorCode: string; title?: string; description: string; http?: unknown };

export function fromInfo(info: CcErrorInfoLike): CcError {
  const name = info.errorCode.replace(/^CF-/, '');
  const err = new CcError(name, info.code, info.httpStatus, info.description);
  err.info = info;
  if (info.http) err.extra = { http: info.http };
  return err;
}

export function isV3Path(path: string): boolean {
  return path === '/v3' || path.startsWith('/v3/');
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function errorResponse(err: CcError, v3: boolean): Response {
  const body = v3
    ? { errors: [{ detail: err.detail, title: err.title, code: err.code }] }
    : { description: err.detail, error_code: err.title, code: err.code, ...(err.extra ?? {}) };
  return new Response(JSON.stringify(body), {
    status: v3 ? err.v3Status : err.status,
    headers: { 'content-type': JSON_TYPE },
  });
}

const STATUS_ERRORS: Record<number, keyof typeof CC_ERRORS> = {
  400: 'InvalidRequest',
  401: 'NotAuthenticated',
  403: 'NotAuthorized',
  404: 'NotFound',
  422: 'UnprocessableEntity',
};

/** The formatter `createServiceApp` uses for fault rules and the 500 handler. */
export function formatCcError(c: Context, status: number, message?: string): Response {
  const v3 = isV3Path(c.req.path);
  const named = STATUS_ERRORS[status];
  if (named) {
    const e = ccError(named, message ?? '');
    const err = new CcError(e.errorName, e.code, status, message ?? e.detail);
    return errorResponse(err, v3);
  }
  if (status >= 500 && v3) {
    const body = { errors: [{ title: 'UnknownError', detail: message ?? 'An unknown error occurred.', code: 10001 }] };
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_TYPE } });
  }
  const err = new CcError(status >= 500 ? 'ServerError' : 'InvalidRequest', status >= 500 ? 10001 : 10004, status, message ?? (status >= 500 ? 'Server error' : 'The request is invalid'));
  return errorResponse(err, v3);
}
