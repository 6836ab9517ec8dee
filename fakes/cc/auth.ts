import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from '../core/clock.js';
import type { UaaSimulator } from '../uaa/index.js';
import { UaaResourceServer } from '../uaa/resource-server.js';
import { ccError, errorResponse, isV3Path, type CcError } from './errors.js';
import type { CcModel } from './model/model.js';

/** Who is calling, from the token's claims and scopes (`lib/cloud_controller/security_context`). */
export interface Principal {
  /** `user_id` for user tokens, `client_id` for client tokens (CC's user guid either way). */
  userGuid: string;
  username?: string;
  origin?: string;
  clientToken: boolean;
  admin: boolean;
  adminReadOnly: boolean;
  globalAuditor: boolean;
  read: boolean;
  write: boolean;
}

/** Paths CC serves without a token. */
const PUBLIC = new Set(['/', '/v2/info', '/v3', '/v3/', '/v3/info']);

const KEY = 'cc.principal';

const MARKETPLACE = /^\/(v3\/service_offerings|v3\/service_plans|v2\/services|v2\/service_plans)(\/[^/]+(\/service_plans)?)?$/;
const ANONYMOUS: Principal = {
  userGuid: '',
  clientToken: false,
  admin: false,
  adminReadOnly: false,
  globalAuditor: false,
  read: true,
  write: false,
};
const REQUEST_ID = 'cc.request_id';

/** This request's `X-VCAP-Request-ID` (CC passes it on to brokers). */
export function requestId(c: Context): string | undefined {
  return c.get(REQUEST_ID as never) as string | undefined;
}

/**
 * CC's request id (`middleware/vcap_request_id.rb`): a caller's `X-VCAP-Request-ID` (else
 * `X-Request-ID`), if not blank, is kept to word characters and dashes, cut to 255, and suffixed
 * `::<new uuid>`; without one, a new uuid. New uuids come from a seeded stream of their own, so
 * requests do not shift the guids CC hands out.
 */
export function vcapRequestId(header: (name: string) => string | undefined, random: { uuid(): string }): string {
  const present = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v : undefined);
  const external = present(header('x-vcap-request-id')) ?? present(header('x-request-id'));
  return external === undefined ? random.uuid() : `${external.replace(/[^\w-]/g, '').slice(0, 255)}::${random.uuid()}`;
}

/** `X-VCAP-Request-ID` on every response (and on the broker calls the request causes). */
export function requestIdMiddleware(random: { uuid(): string }): MiddlewareHandler {
  return async (c, next) => {
    const id = vcapRequestId((n) => c.req.header(n), random);
    c.set(REQUEST_ID as never, id as never);
    await next();
    // A new Response rather than a header set on the old one: @hono/node-server's responses
    // do not always carry headers added after they were made.
    const res = c.res;
    const headers = new Headers(res.headers);
    headers.set('X-VCAP-Request-ID', id);
    c.res = new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
}

/**
 * An error response made before the request-id middleware ran (fault rules answer early): given
 * the `X-VCAP-Request-ID` CC puts on every response.
 */
export function withRequestId(c: Context, res: Response, random: { uuid(): string }): Response {
  if (res.headers.has('x-vcap-request-id')) return res;
  const headers = new Headers(res.headers);
  headers.set('X-VCAP-Request-ID', requestId(c) ?? vcapRequestId((n) => c.req.header(n), random));
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

export function principal(c: Context): Principal {
  return c.get(KEY as never) as Principal;
}

/** Reads anything (admin, admin_read_only, global_auditor). */
export const canReadAll = (p: Principal) => p.admin || p.adminReadOnly || p.globalAuditor;

export function authError(c: Context, err: CcError): Response {
  return errorResponse(err, isV3Path(c.req.path));
}

/**
 * Bearer-token checks as CC does them (A.2): the UAA's `/token_keys`, its OIDC issuer,
 * `aud` containing `cloud_controller`, expiry on the virtual clock, refresh tokens refused.
 * Then the scope rule: reads need `.read` (or an admin-ish scope), writes need `.write` or admin.
 */
export function authMiddleware(uaa: () => UaaSimulator | undefined, clock: Clock, model: CcModel): MiddlewareHandler {
  let verifier: UaaResourceServer | undefined;
  return async (c, next) => {
    if (PUBLIC.has(c.req.path)) return next();
    const header = c.req.header('authorization');
    const m = header ? /^bearer\s+(.+)$/i.exec(header.trim()) : null;
    if (!header && c.req.method === 'GET' && MARKETPLACE.test(c.req.path)) {
      // The marketplace is public (feature flag hide_marketplace_from_unauthenticated_users off).
      c.set(KEY as never, { ...ANONYMOUS } as never);
      return next();
    }
    if (!header) return authError(c, ccError('NotAuthenticated'));
    if (!m) return authError(c, ccError('InvalidAuthToken'));
    const sim = uaa();
    if (!sim) return authError(c, ccError('InvalidAuthToken'));
    verifier ??= new UaaResourceServer(sim, clock);
    const result = await verifier.verify(m[1], { audience: 'cloud_controller', refuseRefreshTokens: true });
    if (!result.ok) return authError(c, ccError('InvalidAuthToken'));
    const claims = result.claims;
    const scopes = new Set(result.scopes);
    const userId = typeof claims.user_id === 'string' ? claims.user_id : undefined;
    const clientId = typeof claims.client_id === 'string' ? claims.client_id : String(claims.cid ?? claims.sub ?? '');
    const p: Principal = {
      userGuid: userId ?? clientId,
      username: typeof claims.user_name === 'string' ? claims.user_name : undefined,
      origin: typeof claims.origin === 'string' ? claims.origin : undefined,
      clientToken: !userId,
      admin: scopes.has('cloud_controller.admin'),
      adminReadOnly: scopes.has('cloud_controller.admin_read_only'),
      globalAuditor: scopes.has('cloud_controller.global_auditor'),
      read: scopes.has('cloud_controller.read'),
      write: scopes.has('cloud_controller.write'),
    };
    const method = c.req.method;
    const reading = method === 'GET' || method === 'HEAD';
    const allowed = p.admin || (reading ? p.read || p.adminReadOnly || p.globalAuditor : p.write);
    if (!allowed) return authError(c, ccError('NotAuthorized'));
    model.ensureUser(p.userGuid, p.username, p.origin);
    c.set(KEY as never, p as never);
    return next();
  };
}
