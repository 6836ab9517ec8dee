import type { Context, Hono } from 'hono';
import { UaaError, accessDenied } from '../errors.js';
import { bearerClaims, handle, json, requireAnyScope, scopesOf, param } from '../http.js';
import type { UaaModel } from '../model.js';
import type { StoredToken } from '../state.js';
import type { TokenService } from '../tokens.js';

/** A stored (revocable) token as `/oauth/token/list*` shows it: RevocableToken's fields, never the value. */
function presentStored(t: StoredToken, zoneId: string): Record<string, unknown> {
  const scope = t.kind === 'refresh' ? t.claims.granted_scopes : t.claims.scope;
  return {
    tokenId: t.value,
    clientId: t.claims.cid ?? null,
    userId: t.claims.user_id ?? null,
    format: 'OPAQUE',
    responseType: t.kind === 'refresh' ? 'REFRESH_TOKEN' : 'ACCESS_TOKEN',
    issuedAt: Number(t.claims.iat ?? 0) * 1000,
    expiresAt: t.expiresAt * 1000,
    scope: Array.isArray(scope) ? scope.join(' ') : null,
    value: null,
    zoneId,
  };
}

const ok = () => new Response(null, { status: 200 });

/**
 * Token revocation as TokenRevocationEndpoint and its security chain have it:
 * - `/oauth/token/revoke/client/{id}` (any method): tokens.revoke or uaa.admin; new client token salt.
 * - `/oauth/token/revoke/user/{id}/client/{cid}`: those, or the user or the client itself; stored tokens gone.
 * - `/oauth/token/revoke/user/{id}` (any method): those, or the user itself; new user salt.
 * - `DELETE /oauth/token/revoke/{tokenId}`: tokens.revoke, or a token of the caller's own; revocable tokens only.
 * Anything else under the prefix is denied.
 */
export function revocationRoutes(app: Hono, model: UaaModel, tokens: TokenService): void {
  const caller = async (c: Context) => {
    const claims = await bearerClaims(c, tokens);
    const scopes = scopesOf(claims);
    const isAdmin = scopes.includes('tokens.revoke') || scopes.includes('uaa.admin');
    return { claims, scopes, isAdmin };
  };

  app.all(
    '/oauth/token/revoke/client/:clientId',
    handle(async (c) => {
      const { isAdmin } = await caller(c);
      if (!isAdmin) throw accessDenied();
      model.revokeClientTokens(param(c, 'clientId'));
      return ok();
    }),
  );

  app.all(
    '/oauth/token/revoke/user/:userId/client/:clientId',
    handle(async (c) => {
      const { claims, isAdmin } = await caller(c);
      const userId = param(c, 'userId');
      const clientId = param(c, 'clientId');
      if (!isAdmin && claims.user_id !== userId && claims.cid !== clientId) throw accessDenied();
      model.revokeUserClientTokens(userId, clientId);
      return ok();
    }),
  );

  app.all(
    '/oauth/token/revoke/user/:userId',
    handle(async (c) => {
      const { claims, isAdmin } = await caller(c);
      const userId = param(c, 'userId');
      if (!isAdmin && claims.user_id !== userId) throw accessDenied();
      model.revokeUserTokens(userId);
      return ok();
    }),
  );

  app.all(
    '/oauth/token/revoke/:tokenId',
    handle(async (c) => {
      const { claims, scopes } = await caller(c);
      if (c.req.method !== 'DELETE') throw accessDenied();
      const tokenId = param(c, 'tokenId');
      const target = model.storedToken(tokenId);
      const own =
        tokenId === claims.jti ||
        (target !== undefined &&
          (claims.user_id !== undefined ? target.claims.user_id === claims.user_id : target.claims.cid === claims.cid && !target.claims.user_id));
      if (!scopes.includes('tokens.revoke') && !own) {
        // An unknown id is a 404 only for callers who may revoke anything.
        throw accessDenied();
      }
      model.revokeToken(tokenId);
      return ok();
    }),
  );

  // Listing revocable tokens: the caller's own, or anyone's with tokens.list / uaa.admin.
  const list = (pred: (t: StoredToken) => boolean) =>
    json(Object.values(model.state.tokens).filter((t) => t.expiresAt > model.kernel.clock.nowSeconds() && pred(t)).map((t) => presentStored(t, model.state.zoneId)));
  const own = (claims: Record<string, unknown>) => (t: StoredToken) => t.claims.user_id === claims.user_id && t.claims.cid === claims.cid;
  app.get(
    '/oauth/token/list',
    handle(async (c) => {
      const claims = await bearerClaims(c, tokens);
      requireAnyScope(claims, ['uaa.user']);
      return list(own(claims));
    }),
  );
  app.get(
    '/oauth/token/list/user/:userId',
    handle(async (c) => {
      const claims = await bearerClaims(c, tokens);
      requireAnyScope(claims, ['tokens.list', 'uaa.admin']);
      return list((t) => t.claims.user_id === param(c, 'userId'));
    }),
  );
  app.get(
    '/oauth/token/list/client/:clientId',
    handle(async (c) => {
      const claims = await bearerClaims(c, tokens);
      requireAnyScope(claims, ['tokens.list', 'uaa.admin']);
      return list((t) => t.claims.cid === param(c, 'clientId'));
    }),
  );

  app.all('/oauth/token/revoke', handle(async (c) => {
    await caller(c);
    throw new UaaError(403, 'access_denied', 'Access is denied');
  }));
}
