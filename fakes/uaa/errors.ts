import type { Context } from 'hono';

/** An OAuth error as UAA writes it: `{"error": code, "error_description": text}`. */
export class UaaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly wwwAuthenticate?: string,
    /** Extra body fields: `scope` on insufficient_scope, SCIM's `message`, a duplicate user's id. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(description);
  }
}

const JSON_UTF8 = 'application/json;charset=UTF-8';

export function uaaErrorResponse(err: UaaError): Response {
  const headers: Record<string, string> = {
    'content-type': JSON_UTF8,
    'cache-control': 'no-store',
    pragma: 'no-cache',
  };
  if (err.wwwAuthenticate) headers['www-authenticate'] = err.wwwAuthenticate;
  const body = JSON.stringify({ error: err.code, error_description: err.description, ...(err.extra ?? {}) });
  return new Response(body, {
    status: err.status,
    headers,
  });
}

export const invalidClient = (description = 'Bad credentials') =>
  new UaaError(401, 'invalid_client', description, `Basic realm="UAA/client", error="unauthorized", error_description="${description}"`);

export const unauthorized = (description = 'Full authentication is required to access this resource', realm = 'UAA/client') =>
  new UaaError(401, 'unauthorized', description, `Basic realm="${realm}", error="unauthorized", error_description="${description}"`);

export const invalidToken = (description: string) =>
  new UaaError(401, 'invalid_token', description, `Bearer realm="UAA/oauth", error="invalid_token", error_description="${description}"`);

export const invalidRequest = (description: string) => new UaaError(400, 'invalid_request', description);
export const invalidGrant = (description: string) => new UaaError(400, 'invalid_grant', description);
export const invalidScope = (description: string) => new UaaError(400, 'invalid_scope', description);
export const unsupportedGrantType = (description = 'Unsupported grant type') => new UaaError(400, 'unsupported_grant_type', description);
/** Spring's InsufficientScopeException: 403 with the scopes that would have been enough, space-separated. */
export const insufficientScope = (required: string[], description = 'Insufficient scope for this resource') =>
  new UaaError(
    403,
    'insufficient_scope',
    description,
    `Bearer error="insufficient_scope", error_description="${description}", scope="${required.join(' ')}"`,
    { scope: required.join(' ') },
  );

/** What the bearer-token guarded endpoints answer when no token was sent. */
export const bearerRequired = (description = 'Full authentication is required to access this resource') =>
  new UaaError(401, 'unauthorized', description, `Bearer realm="UAA/oauth", error="unauthorized", error_description="${description}"`);

/**
 * A SCIM endpoint error as UAA's ExceptionReportHttpMessageConverter writes it: `error` is the
 * exception's name in snake case (`scim_resource_not_found`, `scim`, ...), and the text is both
 * `message` and `error_description`.
 */
export const scimError = (status: number, code: string, message: string, extra?: Record<string, unknown>) =>
  new UaaError(status, code, message, undefined, { message, ...(extra ?? {}) });
/** A bare status with no body (UAA's client admin endpoints answer an unknown client with a plain 404). */
export class EmptyResponse extends Error {
  constructor(readonly status: number) {
    super(`status ${status}`);
  }
}

export const accessDenied = (description = 'Access is denied') => new UaaError(403, 'access_denied', description);

/** How UAA names statuses when nothing more specific applies (the fault rules use this). */
const STATUS_CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'access_denied',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'invalid_request',
  415: 'invalid_request',
  429: 'too_many_requests',
  500: 'server_error',
  502: 'server_error',
  503: 'temporarily_unavailable',
  504: 'server_error',
};

export function formatUaaError(_c: Context, status: number, message?: string): Response {
  const code = STATUS_CODES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request');
  return uaaErrorResponse(new UaaError(status, code, message ?? defaultDescription(status)));
}

function defaultDescription(status: number): string {
  if (status === 401) return 'Full authentication is required to access this resource';
  if (status === 403) return 'Access is denied';
  if (status === 404) return 'Not Found';
  if (status === 405) return 'Request method not supported';
  if (status === 503) return 'Service Unavailable';
  if (status >= 500) return 'Internal Server Error';
  return 'Bad Request';
}
