import type { Context, Hono } from 'hono';
import {
  UaaError,
  invalidClient,
  invalidGrant,
  invalidRequest,
  invalidScope,
  invalidToken,
  uaaErrorResponse,
  unauthorized,
  unsupportedGrantType,
} from '../errors.js';
import { scopeMatches, type UaaModel } from '../model.js';
import type { UaaClient } from '../state.js';
import type { ClientAuthMethod, TokenService } from '../tokens.js';

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

function decodeFormPart(s: string): string {
  // UAA URL-decodes Basic credentials (RFC 6749 §2.3.1); Go's oauth2 encodes them, curl does not.
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

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
  if (colon < 0) throw unauthorized('Failed to decode basic authentication token');
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
  const client = model.client(creds.id);
  if (!client) throw invalidClient();
  const secret = creds.secret ?? '';
  if (client.allowpublic && secret === '' ) return { client, method: 'none' };
  if (client.client_secret === '' && secret === '') return { client, method: 'none' };
  if (client.client_secret !== secret) throw invalidClient();
  return { client, method: creds.method };
}

/** Requested scopes narrow the allowed ones; any outside them is `invalid_scope`. */
function narrow(allowed: string[], requested: string | null, onInvalid: (bad: string[]) => UaaError): string[] {
  if (requested === null || requested.trim() === '') return allowed;
  const wanted = [...new Set(requested.split(/[\s,]+/).filter(Boolean))];
  const bad = wanted.filter((s) => !allowed.includes(s));
  if (bad.length > 0) throw onInvalid(bad);
  return wanted;
}

function loginOrigin(params: URLSearchParams): string {
  const hint = params.get('login_hint');
  if (!hint) return 'uaa';
  try {
    const parsed = JSON.parse(hint) as { origin?: unknown };
    return typeof parsed.origin === 'string' ? parsed.origin : 'uaa';
  } catch {
    return 'uaa';
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
      if (!KNOWN_GRANTS.has(grantType)) throw unsupportedGrantType();
      if (!client.authorized_grant_types.includes(grantType)) throw invalidClient('Unauthorized grant type: ' + grantType);
      if (!SUPPORTED_GRANTS.has(grantType)) throw unsupportedGrantType(`The fake UAA does not implement the ${grantType} grant`);
      const format = params.get('token_format') === 'opaque' ? 'opaque' : 'jwt';

      if (grantType === 'client_credentials') {
        const scopes = narrow(client.authorities, params.get('scope'), (bad) => invalidScope(`Invalid scope: ${bad.join(' ')}`));
        return tokenResponse(await tokens.issue({ client, grantType, scopes, format, authMethod: method }));
      }

      if (grantType === 'password') {
        const username = params.get('username');
        const password = params.get('password');
        if (!username || password === null) throw invalidClient('Bad credentials');
        const user = model.userByName(username, loginOrigin(params));
        if (!user || user.password !== password) throw invalidClient('Bad credentials');
        if (!user.active) throw unauthorized('Your account has been locked because of too many failed attempts to login.');
        if (user.passwordChangeRequired) throw unauthorized('password change required');
        const groups = model.userGroups(user.id);
        const required = client.required_user_groups ?? [];
        if (required.some((g) => !groups.includes(g))) throw invalidScope("User does not meet the client's required group criteria.");
        const allowed = client.scope.flatMap((pattern) => groups.filter((g) => scopeMatches(pattern, g)));
        const unique = [...new Set(allowed)];
        const scopes = narrow(unique, params.get('scope'), (bad) =>
          invalidScope(`[${bad.join(', ')}] is invalid. This user is not allowed any of the requested scopes`),
        );
        if (scopes.length === 0) throw invalidScope('[] is invalid. This user is not allowed any of the requested scopes');
        user.previousLogonTime = user.lastLogonTime;
        user.lastLogonTime = model.kernel.clock.now();
        return tokenResponse(await tokens.issue({ client, user, grantType, scopes, format, authMethod: method }));
      }

      // refresh_token
      const refresh = params.get('refresh_token');
      if (!refresh) throw invalidRequest('Missing refresh token');
      let claims: Record<string, unknown>;
      try {
        claims = await tokens.verify(refresh, { kind: 'refresh' });
      } catch (err) {
        if (err instanceof UaaError && err.description === 'Token has expired') {
          const exp = new Date(((claimsOf(refresh, model).exp as number) ?? 0) * 1000).toString();
          throw invalidToken(`Invalid refresh token expired at ${exp}`);
        }
        if (err instanceof UaaError && err.description === 'revocable signature mismatch') {
          throw invalidToken('Invalid refresh token: revocable signature mismatch');
        }
        if (err instanceof UaaError && err.description === 'Invalid refresh token.') throw err;
        throw invalidToken('Cannot read token claims');
      }
      if (typeof claims.jti !== 'string' || !claims.jti.endsWith('-r')) throw invalidToken('Invalid refresh token.');
      if (claims.cid !== client.client_id) throw invalidGrant(`Wrong client for this refresh token: ${String(claims.cid)}`);
      const user = model.user(String(claims.user_id));
      if (!user) throw invalidToken('Invalid refresh token: user no longer exists');
      const granted = (claims.granted_scopes as string[] | undefined) ?? [];
      const scopes = narrow(granted, params.get('scope'), (bad) =>
        invalidScope(`Invalid scope: ${bad.join(' ')}. Requested scope must be a subset of the original grant.`),
      );
      return tokenResponse(
        await tokens.issue({
          client,
          user,
          grantType: 'refresh_token',
          scopes,
          format,
          authMethod: method,
          authTime: claims.auth_time as number | undefined,
          existingRefreshToken: refresh,
        }),
      );
    } catch (err) {
      if (err instanceof UaaError) return uaaErrorResponse(err);
      throw err;
    }
  });
}

function claimsOf(token: string, model: UaaModel): Record<string, unknown> {
  if (Object.hasOwn(model.state.tokens, token)) return model.state.tokens[token].claims;
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return {};
  }
}
