import type { Context, Hono } from 'hono';
import {
  UaaError,
  invalidClient,
  invalidGrant,
  invalidRequest,
  invalidScope,
  uaaErrorResponse,
  unauthorized,
  unsupportedGrantType,
} from '../errors.js';
import { clientSecretMatches, scopeMatches, type UaaModel } from '../model.js';
import type { UaaClient } from '../state.js';
import { javaDate, type ClientAuthMethod, type TokenService } from '../tokens.js';

/** Tomcat's default maxPostSize: past it, form parameters are silently not parsed. */
const MAX_FORM_BYTES = 2 * 1024 * 1024;

const SUPPORTED_GRANTS = new Set(['client_credentials', 'password', 'refresh_token']);
const KNOWN_GRANTS = new Set([
  ...SUPPORTED_GRANTS,
  'authorization_code',
  'implicit',
  'user_token',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
]);

/** Spring reads parameters from the query string and the form body alike. */
async function readParams(c: Context): Promise<URLSearchParams> {
  const params = new URLSearchParams(new URL(c.req.url).search);
  const ct = (c.req.header('content-type') ?? '').toLowerCase();
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    const text = await c.req.text();
    if (Buffer.byteLength(text) <= MAX_FORM_BYTES) for (const [k, v] of new URLSearchParams(text)) params.append(k, v);
  }
  return params;
}

/**
 * UAA URL-decodes Basic credentials (RFC 6749 §2.3.1; Go's oauth2 and go-uaa encode them, curl does
 * not) unless its URI-encoding compatibility mode is on, which is off by default. Like Java's
 * URLDecoder, a stray `%` is an error.
 */
function decodeFormPart(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw unauthorized('Failed to URL Decode credentials');
  }
}

/**
 * A 401 raised by the token endpoint itself (after client authentication): UAA's
 * DefaultWebResponseExceptionTranslator writes `WWW-Authenticate: Bearer <summary>`, no realm.
 */
const endpoint401 = (code: string, description: string) =>
  new UaaError(401, code, description, `Bearer error="${code}", error_description="${description}"`);

interface ClientCredentials {
  id: string;
  secret: string | undefined;
  method: ClientAuthMethod;
}

export function parseBasic(header: string | undefined): ClientCredentials | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const b64 = header.slice(6).trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw unauthorized('Failed to decode basic authentication token');
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw unauthorized('Invalid basic authentication token');
  return { id: decodeFormPart(decoded.slice(0, colon)), secret: decodeFormPart(decoded.slice(colon + 1)), method: 'client_secret_basic' };
}

function authenticateClient(model: UaaModel, c: Context, params: URLSearchParams): { client: UaaClient; method: ClientAuthMethod } {
  const basic = parseBasic(c.req.header('authorization'));
  const creds: ClientCredentials | undefined =
    basic ??
    (params.get('client_id') !== null
      ? { id: params.get('client_id')!, secret: params.get('client_secret') ?? undefined, method: 'client_secret_post' }
      : undefined);
  if (!creds) throw unauthorized();
  // DefaultOAuth2RequestFactory: a client_id parameter must name the client that authenticated.
  const named = params.get('client_id');
  if (basic && named !== null && named !== '' && named !== basic.id) {
    const authenticated = model.client(basic.id);
    if (authenticated && (clientSecretMatches(authenticated, basic.secret ?? '') || (authenticated.allowpublic && !basic.secret))) {
      throw endpoint401('invalid_client', 'Given client ID does not match authenticated client');
    }
  }
  const client = model.client(creds.id);
  if (!client) throw invalidClient();
  const secret = creds.secret ?? '';
  if (client.allowpublic && secret === '' ) return { client, method: 'none' };
  if (client.client_secret === '' && secret === '') return { client, method: 'none' };
  if (!clientSecretMatches(client, secret)) throw invalidClient();
  return { client, method: creds.method };
}

/** The `scope` parameter as OAuth2Utils.parseParameterList reads it: a sorted set; undefined when absent or blank. */
function requestedScopes(raw: string | null): string[] | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  return [...new Set(raw.split(/[\s,]+/).filter(Boolean))].sort();
}

/** Requested scopes narrow the allowed ones; any outside them is `invalid_scope`. */
function narrow(allowed: string[], requested: string | null, onInvalid: (bad: string[], wanted: string[]) => UaaError): string[] {
  const wanted = requestedScopes(requested);
  if (!wanted) return allowed;
  const bad = wanted.filter((s) => !allowed.includes(s));
  if (bad.length > 0) throw onInvalid(bad, wanted);
  return wanted;
}

/** The origin a `login_hint` names; undefined without a (parseable) hint, as UaaLoginHint reads it. */
function loginOrigin(params: URLSearchParams): string | undefined {
  const hint = params.get('login_hint');
  if (!hint) return undefined;
  try {
    const parsed = JSON.parse(hint) as { origin?: unknown };
    return parsed && typeof parsed.origin === 'string' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

function tokenResponse(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store', pragma: 'no-cache' },
  });
}

export function tokenRoutes(app: Hono, model: UaaModel, tokens: TokenService): void {
  app.on(['GET', 'PUT', 'DELETE', 'PATCH'], '/oauth/token', (c) =>
    uaaErrorResponse(new UaaError(405, 'method_not_allowed', `Request method '${c.req.method}' is not supported`)),
  );

  app.post('/oauth/token', async (c) => {
    try {
      const params = await readParams(c);
      const { client, method } = authenticateClient(model, c, params);
      const grantType = params.get('grant_type');
      if (!grantType) throw invalidRequest('Missing grant type');
      // TokenEndpoint refuses implicit before any granter looks at it.
      if (grantType === 'implicit') throw invalidGrant('Implicit grant type not supported from token endpoint');
      if (!KNOWN_GRANTS.has(grantType)) throw unsupportedGrantType();
      if (!client.authorized_grant_types.includes(grantType)) throw endpoint401('invalid_client', 'Unauthorized grant type: ' + grantType);
      if (!SUPPORTED_GRANTS.has(grantType)) throw unsupportedGrantType(`The fake UAA does not implement the ${grantType} grant`);
      const format = params.get('token_format') === 'opaque' ? 'opaque' : 'jwt';

      if (grantType === 'client_credentials') {
        // UaaOauth2RequestValidator names the first invalid scope of the (sorted) requested set.
        const scopes = narrow(client.authorities, params.get('scope'), (bad) => invalidScope(`Invalid scope: ${bad[0]}`));
        return tokenResponse(await tokens.issue({ client, grantType, scopes, format, authMethod: method }));
      }

      if (grantType === 'password') {
        const username = params.get('username');
        const password = params.get('password');
        if (!username || password === null) throw invalidClient('Bad credentials');
        const origin = loginOrigin(params);
        // PasswordGrantAuthenticationManager: the hinted origin must be an active password-grant provider
        // (here: uaa, and every origin some seeded or created user comes from).
        if (origin !== undefined && origin !== 'uaa' && !Object.values(model.state.users).some((u) => u.origin === origin)) {
          throw unauthorized('The origin provided in the login_hint does not match an active Identity Provider, that supports password grant.');
        }
        const user = model.userByName(username, origin ?? 'uaa');
        if (!user || user.password !== password) throw invalidClient('Bad credentials');
        if (!user.active) throw unauthorized('Your account has been locked because of too many failed attempts to login.');
        if (user.passwordChangeRequired) throw unauthorized('password change required');
        const groups = model.userGroups(user.id);
        const allowed = [...new Set(client.scope.flatMap((pattern) => groups.filter((g) => scopeMatches(pattern, g))))];
        // checkUserScopes: requested ∩ client ∩ user, silently; only an empty result is an error, and it
        // names every requested scope (a sorted set, as OAuth2Utils parses it). Required groups come after.
        const requested = requestedScopes(params.get('scope'));
        const scopes = requested ? requested.filter((s) => allowed.includes(s)) : allowed;
        if (scopes.length === 0) {
          throw invalidScope(`[${(requested ?? [...client.scope].sort()).join(', ')}] is invalid. This user is not allowed any of the requested scopes`);
        }
        const required = client.required_user_groups ?? [];
        if (required.some((g) => !groups.includes(g))) throw invalidScope("User does not meet the client's required group criteria.");
        model.recordLogon(user.id);
        return tokenResponse(await tokens.issue({ client, user, grantType, scopes, format, authMethod: method }));
      }

      // refresh_token
      const refresh = params.get('refresh_token');
      if (!refresh) throw invalidRequest('Missing refresh token');
      let claims: Record<string, unknown>;
      try {
        claims = await tokens.verify(refresh, { kind: 'refresh', expiry: 'skip' });
      } catch (err) {
        if (err instanceof UaaError && err.description === 'revocable signature mismatch') {
          throw endpoint401('invalid_token', 'Invalid refresh token: revocable signature mismatch');
        }
        if (err instanceof UaaError && err.code === 'invalid_token') throw endpoint401('invalid_token', err.description);
        throw endpoint401('invalid_token', 'Cannot read token claims');
      }
      if (typeof claims.jti !== 'string' || !claims.jti.endsWith('-r')) throw endpoint401('invalid_token', 'Invalid refresh token.');
      // UaaTokenServices.refreshAccessToken: client first, then expiry, then scope.
      if (claims.cid !== client.client_id) throw invalidGrant(`Wrong client for this refresh token: ${String(claims.cid)}`);
      const exp = typeof claims.exp === 'number' ? claims.exp : 0;
      if (exp * 1000 < model.kernel.clock.now()) throw endpoint401('invalid_token', `Invalid refresh token expired at ${javaDate(exp)}`);
      const user = model.user(String(claims.user_id));
      if (!user) throw endpoint401('invalid_token', 'Invalid refresh token: user no longer exists');
      const granted = (claims.granted_scopes as string[] | undefined) ?? [];
      const scopes = narrow(granted, params.get('scope'), (_bad, wanted) =>
        invalidScope(`Unable to narrow the scope of the client authentication to [${wanted.join(', ')}].`),
      );
      return tokenResponse(
        await tokens.issue({
          client,
          user,
          // The access token keeps the grant type of the original login (refreshGrantType) and its aud.
          grantType: typeof claims.grant_type === 'string' ? claims.grant_type : 'password',
          scopes,
          format,
          authMethod: method,
          authTime: claims.auth_time as number | undefined,
          existingRefreshToken: refresh,
          audience: Array.isArray(claims.aud) ? (claims.aud as string[]) : undefined,
          revocable: claims.revocable === true,
        }),
      );
    } catch (err) {
      if (err instanceof UaaError) return uaaErrorResponse(err);
      throw err;
    }
  });
}

