import type { Context, Hono } from 'hono';
import { UaaError, accessDenied, insufficientScope, invalidRequest, invalidToken, unauthorized } from '../errors.js';
import { basicClient, formParams, handle, json, scopesOf } from '../http.js';
import type { UaaModel } from '../model.js';
import type { TokenService } from '../tokens.js';

const methodNotAllowed = (c: Context) =>
  new UaaError(405, 'method_not_allowed', `Request method '${c.req.method}' is not supported`);

/** Basic auth of a client with `uaa.resource`, as `/check_token` and `/introspect` take it. */
function requireResourceClient(c: Context, model: UaaModel): void {
  const client = basicClient(c, model);
  if (!client) throw unauthorized();
  if (!client.authorities.includes('uaa.resource')) throw accessDenied();
}

/** The form parameters, with the required `token` one. */
async function tokenParams(c: Context): Promise<{ token: string; params: URLSearchParams }> {
  const params = await formParams(c);
  const token = params.get('token');
  if (!token) throw invalidRequest("Required request parameter 'token' for method parameter type String is not present");
  return { token, params };
}

/** `/check_token`, `/introspect`, `/userinfo`: UAA's own ways to read a token it issued. */
export function validationRoutes(app: Hono, model: UaaModel, tokens: TokenService): void {
  // Deprecated but still what many resource servers call: Basic auth of a client with uaa.resource.
  app.post(
    '/check_token',
    handle(async (c) => {
      requireResourceClient(c, model);
      const { token, params } = await tokenParams(c);
      let claims: Record<string, unknown>;
      try {
        claims = await tokens.verify(token, { expiry: 'check_token' });
      } catch (err) {
        // check_token answers a bad token with 400, not the 401 a bearer gets.
        if (err instanceof UaaError && err.code === 'invalid_token') throw new UaaError(400, 'invalid_token', err.description);
        throw err;
      }
      const wanted = (params.get('scopes') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const have = scopesOf(claims);
      const missing = wanted.filter((s) => !have.includes(s));
      if (missing.length > 0) throw new UaaError(400, 'invalid_scope', `Some requested scopes are missing: ${missing.join(',')}`);
      return json(claims);
    }),
  );
  app.on(['GET', 'PUT', 'DELETE', 'PATCH'], '/check_token', handle((c) => { throw methodNotAllowed(c); }));

  // RFC 7662: a bearer (or Basic) of a client with uaa.resource; always 200 for the token itself.
  app.post(
    '/introspect',
    handle(async (c) => {
      const header = c.req.header('authorization') ?? '';
      if (/^bearer\s/i.test(header)) {
        const caller = await tokens.verify(header.replace(/^bearer\s+/i, '').trim());
        if (!scopesOf(caller).includes('uaa.resource')) throw insufficientScope(['uaa.resource']);
      } else requireResourceClient(c, model);
      const { token } = await tokenParams(c);
      try {
        const claims = await tokens.verify(token);
        return json({ active: true, ...claims });
      } catch (err) {
        if (err instanceof UaaError) return json({ active: false });
        throw err;
      }
    }),
  );
  app.on(['GET', 'PUT', 'DELETE', 'PATCH'], '/introspect', handle((c) => { throw methodNotAllowed(c); }));

  // OpenID Connect userinfo: a user token with the openid scope.
  const userinfo = handle(async (c) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      throw new UaaError(401, 'unauthorized', 'Full authentication is required to access this resource',
        'Bearer realm="UAA/oauth", error="unauthorized", error_description="Full authentication is required to access this resource"');
    }
    const claims = await tokens.verify(m[1]);
    if (!scopesOf(claims).includes('openid')) throw insufficientScope(['openid']);
    const user = typeof claims.user_id === 'string' ? model.user(claims.user_id) : undefined;
    if (!user) throw invalidToken('Token does not contain a user');
    const body: Record<string, unknown> = {
      user_id: user.id,
      user_name: user.userName,
      given_name: user.givenName,
      family_name: user.familyName,
      email: user.email,
      email_verified: user.verified,
    };
    if (user.phoneNumbers?.[0]) body.phone_number = user.phoneNumbers[0].value;
    if (user.previousLogonTime !== undefined) body.previous_logon_time = user.previousLogonTime;
    body.sub = user.id;
    body.name = `${user.givenName} ${user.familyName}`.trim();
    return json(body);
  });
  app.get('/userinfo', userinfo);
  app.post('/userinfo', userinfo);
}
