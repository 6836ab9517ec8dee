import { isJsonObject } from '../../core/json.js';
import { STATUS_CODES } from 'node:http';
import type { CcErrorInfo, OperationType, ResourceKind } from './api.js';

/**
 * The errors CC's broker client raises (lib/services/service_brokers/v2/errors/*) and the few
 * API errors the platform role produces. Broker client errors are code 10001, `CF-<ErrorClass>`.
 */
export type BrokerErrorClass =
  | 'ServiceBrokerBadResponse'
  | 'ServiceBrokerResponseMalformed'
  | 'ServiceBrokerRequestRejected'
  | 'ServiceBrokerApiAuthenticationFailed'
  | 'ServiceBrokerApiTimeout'
  | 'HttpClientTimeout'
  | 'ServiceBrokerApiUnreachable'
  | 'ServiceBrokerConflict'
  | 'AsyncRequired'
  | 'ConcurrencyError'
  | 'MaintenanceInfoConflict'
  | 'AppRequired'
  | 'ServiceBrokerInvalidSyslogDrainUrl'
  | 'ServiceBrokerInvalidVolumeMounts';

/** A broker client error with the facts the orphan-mitigation rules need (status, class). */
export interface BrokerError extends CcErrorInfo {
  errorClass: BrokerErrorClass;
  /** The broker's HTTP status; absent for transport errors. */
  status?: number;
}

const STATUS_FOR: Record<BrokerErrorClass, number> = {
  ServiceBrokerBadResponse: 502,
  ServiceBrokerResponseMalformed: 502,
  ServiceBrokerRequestRejected: 502,
  ServiceBrokerApiAuthenticationFailed: 502,
  ServiceBrokerApiTimeout: 504,
  HttpClientTimeout: 504,
  ServiceBrokerApiUnreachable: 502,
  ServiceBrokerConflict: 409,
  AsyncRequired: 400,
  ConcurrencyError: 422,
  MaintenanceInfoConflict: 422,
  AppRequired: 400,
  ServiceBrokerInvalidSyslogDrainUrl: 502,
  ServiceBrokerInvalidVolumeMounts: 502,
};

/** What CC knows of a broker response when it builds an error from it. */
export interface ResponseFacts {
  uri: string;
  method: string;
  status: number;
  statusText: string;
  body: string;
}

/** CC's messages quote at most this much of a body (longer ones are cut). */
const MAX_BODY_IN_MESSAGE = 16 * 1024;

/** CC's own reason phrases (HttpResponse::STATUS_CODE_MESSAGES); others come from the broker. */
const CC_REASONS: Record<number, string> = {
  100: 'Continue', 101: 'Switching Protocols', 200: 'OK', 201: 'Created', 202: 'Accepted',
  203: 'Non-Authoritative Information', 204: 'No Content', 205: 'Reset Content', 206: 'Partial Content',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  407: 'Proxy Authentication Required', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone',
  411: 'Length Required', 412: 'Precondition Failed', 413: 'Request Entity Too Large',
  414: 'Request-URI Too Long', 415: 'Unsupported Media Type', 416: 'Requested Range Not Satisfiable',
  417: 'Expectation Failed', 418: "I'm a Teapot", 422: 'Unprocessable Entity', 423: 'Locked',
  424: 'Failed Dependency', 428: 'Precondition Required', 429: 'Too Many Requests',
  431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported',
  507: 'Insufficient Storage', 508: 'Loop Detected', 511: 'Network Authentication Required',
};

export function reasonPhrase(status: number, statusText?: string): string {
  return CC_REASONS[status] ?? (statusText && statusText.length > 0 ? statusText : (STATUS_CODES[status] ?? ''));
}

function quoteBody(body: string): string {
  return body.length > MAX_BODY_IN_MESSAGE ? body.slice(0, MAX_BODY_IN_MESSAGE) : body;
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return isJsonObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function make(errorClass: BrokerErrorClass, description: string, r?: ResponseFacts, uriOnly?: { uri: string; method: string }): BrokerError {
  const err: BrokerError = {
    errorClass,
    httpStatus: STATUS_FOR[errorClass],
    code: 10001,
    errorCode: `CF-${errorClass}`,
    title: `CF-${errorClass}`,
    description,
  };
  if (r) {
    err.status = r.status;
    err.http = { uri: r.uri, method: r.method, status: r.status };
    const brokerError = parseObject(r.body)?.error;
    if (typeof brokerError === 'string') err.brokerError = brokerError;
  } else if (uriOnly) {
    err.http = { uri: uriOnly.uri, method: uriOnly.method, status: 0 };
  }
  return err;
}

function describedOr(r: ResponseFacts, fallback: string, ignoreDescription = false): string {
  const hash = parseObject(r.body);
  if (!ignoreDescription && hash && 'description' in hash) return `Service broker error: ${String(hash.description)}`;
  return fallback;
}

export const brokerErrors = {
  badResponse(r: ResponseFacts, ignoreDescription = false): BrokerError {
    const fallback =
      'The service broker returned an invalid response. ' +
      `Status Code: ${r.status} ${reasonPhrase(r.status, r.statusText)}, Body: ${quoteBody(r.body)}`;
    return make('ServiceBrokerBadResponse', describedOr(r, fallback, ignoreDescription), r);
  },
  malformed(r: ResponseFacts, reason: string): BrokerError {
    return make('ServiceBrokerResponseMalformed', `The service broker returned an invalid response: ${reason}`, r);
  },
  requestRejected(r: ResponseFacts): BrokerError {
    const fallback =
      'The service broker rejected the request. ' +
      `Status Code: ${r.status} ${reasonPhrase(r.status, r.statusText)}, Body: ${quoteBody(r.body)}`;
    return make('ServiceBrokerRequestRejected', describedOr(r, fallback), r);
  },
  authenticationFailed(r: ResponseFacts): BrokerError {
    return make(
      'ServiceBrokerApiAuthenticationFailed',
      'Authentication with the service broker failed. Double-check that the username and password are correct.',
      r,
    );
  },
  /** A broker that answered 408. */
  apiTimeout(r: ResponseFacts): BrokerError {
    return make('ServiceBrokerApiTimeout', `The service broker API timed out: ${r.uri}`, r);
  },
  /** No answer within `broker_client_timeout_seconds`. */
  clientTimeout(uri: string, method: string): BrokerError {
    return make('HttpClientTimeout', 'The request to the service broker timed out', undefined, { uri, method });
  },
  unreachable(uri: string, method: string): BrokerError {
    return make('ServiceBrokerApiUnreachable', 'The service broker could not be reached', undefined, { uri, method });
  },
  conflict(r: ResponseFacts): BrokerError {
    const d = parseObject(r.body)?.description;
    return make('ServiceBrokerConflict', d !== undefined ? String(d) : `Resource conflict: ${r.uri}`, r);
  },
  asyncRequired(r: ResponseFacts): BrokerError {
    return make(
      'AsyncRequired',
      'Service broker error: This service plan requires client support for asynchronous provisioning.',
      r,
    );
  },
  concurrencyError(r: ResponseFacts): BrokerError {
    return make(
      'ConcurrencyError',
      'The service broker could not perform this operation in parallel with other running operations',
      r,
    );
  },
  maintenanceInfoConflict(r: ResponseFacts): BrokerError {
    const d = parseObject(r.body)?.description;
    const message =
      typeof d === 'string' && d.trim() !== ''
        ? `Service broker error: ${d}`
        : 'The service broker did not provide a reason for this conflict, please ensure the catalog is up to date ' +
          'and you are providing a version supported by this service plan';
    return make('MaintenanceInfoConflict', message, r);
  },
  appRequired(r: ResponseFacts): BrokerError {
    return make('AppRequired', 'This service supports generation of credentials through binding an application only.', r);
  },
  invalidSyslogDrainUrl(r: ResponseFacts): BrokerError {
    return make(
      'ServiceBrokerInvalidSyslogDrainUrl',
      'The service is attempting to stream logs from your application, but is not registered as a logging service. ' +
        'Please contact the service provider.',
      r,
    );
  },
  invalidVolumeMounts(r: ResponseFacts, reason: string): BrokerError {
    return make('ServiceBrokerInvalidVolumeMounts', `The service broker returned an invalid response: ${reason}`, r);
  },
};

/** An API error of CC's own (errors/v2.yml), not a broker client error. */
export function apiError(code: number, name: string, httpStatus: number, description: string): CcErrorInfo {
  return { httpStatus, code, errorCode: `CF-${name}`, title: `CF-${name}`, description };
}

export const ccErrors = {
  catalogInvalid: (messages: string) =>
    apiError(270012, 'ServiceBrokerCatalogInvalid', 502, `Service broker catalog is invalid: ${messages}`),
  catalogIncompatible: (messages: string) =>
    apiError(270019, 'ServiceBrokerCatalogIncompatible', 502, `Service broker catalog is incompatible: ${messages}`),
  /** Catalog fetch: the broker answered 4xx (other than 401). */
  catalogRequestRejected: (status: number, statusText: string) =>
    apiError(
      270020,
      'ServiceBrokerRequestRejected',
      502,
      `The service broker rejected the request. Status Code: ${status} ${reasonPhrase(status, statusText)}. ` +
        'Please check that the URL points to a valid service broker.',
    ),
  /** Catalog fetch: the body is not a JSON object. */
  catalogRequestMalformed: (body: string) =>
    apiError(
      270021,
      'ServiceBrokerRequestMalformed',
      502,
      `The service broker returned an invalid response: expected valid JSON object in body, broker returned '${quoteBody(body)}'`,
    ),
  /** V3 job error after a broker failure: "<verb> could not be completed: <message>". */
  unableToPerform: (verb: string, message: string) =>
    apiError(10009, 'UnableToPerform', 400, `${verb} could not be completed: ${message}`),
  jobTimeout: () => apiError(290006, 'JobTimeout', 524, 'The job execution has timed out.'),
  /** Async bind from an offering without `bindings_retrievable` (C.2). */
  bindingNotRetrievable: () =>
    apiError(
      90001,
      'ServiceBindingInvalid',
      400,
      'The service binding is invalid: The broker responded asynchronously but does not support fetching binding data',
    ),
  /** Unbind of an app binding answered 422 ConcurrencyError. */
  bindingOperationInProgress: (appName: string, instanceName: string) =>
    apiError(
      90008,
      'AsyncServiceBindingOperationInProgress',
      409,
      `An operation for the service binding between app ${appName} and service instance ${instanceName} is in progress.`,
    ),
  /** Deprovision answered 422 ConcurrencyError. */
  instanceOperationInProgress: (name: string) =>
    apiError(60016, 'AsyncServiceInstanceOperationInProgress', 409, `An operation for service instance ${name} is in progress.`),
};

export const BINDING_NOT_RETRIEVABLE = 'The broker responded asynchronously but does not support fetching binding data';

/** The verb CC uses in "<verb> could not be completed" and "failed to <verb> within the required time". */
export function operationVerb(type: OperationType, resource: ResourceKind): string {
  if (resource === 'service_instance') return type === 'create' ? 'provision' : type === 'update' ? 'update' : 'deprovision';
  return type === 'delete' ? 'unbind' : 'bind';
}

/** last_operation description when the maximum polling duration is reached. */
export function pollTimeoutDescription(type: OperationType, resource: ResourceKind): string {
  return `Service Broker failed to ${operationVerb(type, resource)} within the required time.`;
}

/** Strips the internal fields of a BrokerError, leaving what CC shows. */
export function publicError(e: CcErrorInfo): CcErrorInfo {
  const out: CcErrorInfo = {
    httpStatus: e.httpStatus,
    code: e.code,
    errorCode: e.errorCode,
    title: e.title,
    description: e.description,
  };
  if (e.http) out.http = { ...e.http };
  if (e.brokerError !== undefined) out.brokerError = e.brokerError;
  return out;
}

/** V2 error body: `{description, error_code, code[, http]}`. */
export function v2ErrorBody(e: CcErrorInfo): Record<string, unknown> {
  const body: Record<string, unknown> = { description: e.description, error_code: e.errorCode, code: e.code };
  // Response errors carry {method, status}; request errors (timeout, unreachable) {uri, method}.
  if (e.http) body.http = e.http.status ? { method: e.http.method, status: e.http.status } : { uri: e.http.uri, method: e.http.method };
  return body;
}

/** V3 error entry: `{code, title, detail}`. */
export function v3ErrorEntry(e: CcErrorInfo): { code: number; title: string; detail: string } {
  return { code: e.code, title: e.title, detail: e.description };
}
