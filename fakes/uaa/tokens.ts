import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { invalidToken } from './errors.js';
import { signingKeyObject } from './keys.js';
import { clientSecrets, type UaaModel } from './model.js';
import { DEFAULT_ACCESS_TOKEN_VALIDITY, DEFAULT_REFRESH_TOKEN_VALIDITY, type UaaClient, type UaaUser } from './state.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface IssueRequest {
  client: UaaClient;
  user?: UaaUser;
  grantType: string;
  scopes: string[];
  format?: 'jwt' | 'opaque';
  authMethod?: ClientAuthMethod;
  /** Epoch seconds of the user's authentication, carried over on refresh. */
  authTime?: number;
  /** A refresh grant hands the same refresh token back (UAA does not rotate by default). */
  existingRefreshToken?: string;
  /** A refresh grant keeps the refresh token's `aud` rather than recomputing it from the narrowed scopes. */
  audience?: string[];
  /** A refresh grant carries the refresh token's `revocable` flag over. */
  revocable?: boolean;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  id_token?: string;
  refresh_token?: string;
  expires_in: number;
  scope: string;
  jti: string;
}

/**
 * aud as UaaAuthorizationRequestManager.getResourceIds builds it: the client id, `openid` for the
 * openid scope, and the part before the last dot of every other dotted scope except `uaa.none`
 * and scopes ending in a dot. Dotless scopes (other than openid) add nothing.
 */
export function audienceFor(clientId: string, scopes: string[]): string[] {
  const aud = new Set<string>([clientId]);
  for (const s of scopes) {
    if (s === 'openid') aud.add('openid');
    else if (s.includes('.') && !s.endsWith('.') && s !== 'uaa.none') aud.add(s.slice(0, s.lastIndexOf('.')));
  }
  return [...aud];
}

/** `java.util.Date#toString` in UTC (UAA's JVMs run in UTC), which UAA puts in expiry messages. */
export function javaDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/**
 * A short revocation hash: it changes when the client secret or the user's password changes. UAA
 * signs with the newer of two client secrets and accepts a hash made from either.
 */
export function revocationSignature(client: UaaClient, user?: UaaUser, secret = clientSecrets(client).at(-1)!): string {
  const h = createHash('sha256');
  h.update(`${client.client_id}\u0000${secret.value}\u0000${secret.version}\u0000${client.tokenSalt ?? ''}`);
  if (user) {
    h.update(`\u0000${user.id}\u0000${user.password}\u0000${user.passwordVersion}\u0000${user.email}\u0000${user.userName}`);
    h.update(`\u0000${user.tokenSalt ?? ''}`);
  }
  return h.digest('hex').slice(0, 8);
}

export class TokenService {
  constructor(private readonly model: UaaModel) {}

  async sign(claims: Record<string, unknown>): Promise<string> {
    const key = this.model.activeKey;
    return new SignJWT(claims as JWTPayload)
      .setProtectedHeader({ alg: 'RS256', jku: this.#jku(), kid: key.kid, typ: 'JWT' })
      .sign(await signingKeyObject(key));
  }

  #jku(): string {
    // UAA forces https on the jku whatever the scheme it is served on.
    return `${this.model.baseUrl.replace(/^http:/, 'https:')}/token_keys`;
  }

  async issue(req: IssueRequest): Promise<TokenResponse> {
    const { client, user } = req;
    const clock = this.model.kernel.clock;
    const iat = clock.nowSeconds();
    const validity = client.access_token_validity ?? DEFAULT_ACCESS_TOKEN_VALIDITY;
    const exp = iat + validity;
    const jti = this.model.random.hex(32);
    const revSig = revocationSignature(client, user);
    const aud = req.audience ? [...req.audience] : audienceFor(client.client_id, req.scopes);
    const authTime = req.authTime ?? iat;

    const claims: Record<string, unknown> = { jti };
    if (req.authMethod) claims.client_auth_method = req.authMethod;
    claims.sub = user ? user.id : client.client_id;
    // All of the client's authorities, whatever `scope` narrowed the token to (createJWTAccessToken).
    if (req.grantType === 'client_credentials') claims.authorities = [...client.authorities];
    claims.scope = [...req.scopes];
    claims.client_id = client.client_id;
    claims.cid = client.client_id;
    claims.azp = client.client_id;
    if (req.format === 'opaque' || req.revocable) claims.revocable = true;
    claims.grant_type = req.grantType;
    if (user) {
      claims.user_id = user.id;
      claims.origin = user.origin;
      claims.user_name = user.userName;
      claims.email = user.email;
      claims.auth_time = authTime;
    }
    claims.rev_sig = revSig;
    claims.iat = iat;
    claims.exp = exp;
    claims.iss = this.model.issuer;
    claims.zid = this.model.state.zoneId;
    claims.aud = aud;

    let accessToken: string;
    if (req.format === 'opaque') {
      // UAA hands out the token id itself as the opaque value.
      accessToken = jti;
      this.model.pruneTokens();
      this.model.storeToken({ value: accessToken, claims, expiresAt: exp, kind: 'access' });
    } else accessToken = await this.sign(claims);

    const response: TokenResponse = {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: Math.max(0, exp - clock.nowSeconds() - 1),
      scope: req.scopes.join(' '),
      jti,
    };

    if (user && req.scopes.includes('openid') && req.grantType !== 'client_credentials') {
      response.id_token = await this.sign({
        sub: user.id,
        user_name: user.userName,
        origin: user.origin,
        iss: this.model.issuer,
        client_id: client.client_id,
        aud: [client.client_id],
        zid: this.model.state.zoneId,
        user_id: user.id,
        azp: client.client_id,
        scope: ['openid'],
        auth_time: authTime,
        amr: ['pwd'],
        exp,
        iat,
        jti: this.model.random.hex(32),
        email: user.email,
        given_name: user.givenName,
        family_name: user.familyName,
        rev_sig: revSig,
        cid: client.client_id,
        email_verified: user.verified,
      });
    }

    if (req.existingRefreshToken) response.refresh_token = req.existingRefreshToken;
    else if (user && client.authorized_grant_types.includes('refresh_token')) {
      response.refresh_token = await this.#refreshToken(req, iat, authTime, revSig, aud);
    }
    // UAA orders the fields: access_token, token_type, id_token, refresh_token, expires_in, scope, jti.
    const ordered: TokenResponse = { access_token: response.access_token, token_type: 'bearer' } as TokenResponse;
    if (response.id_token) ordered.id_token = response.id_token;
    if (response.refresh_token) ordered.refresh_token = response.refresh_token;
    ordered.expires_in = response.expires_in;
    ordered.scope = response.scope;
    ordered.jti = response.jti;
    return ordered;
  }

  async #refreshToken(req: IssueRequest, iat: number, authTime: number, revSig: string, aud: string[]): Promise<string> {
    const { client, user } = req;
    const exp = iat + (client.refresh_token_validity ?? DEFAULT_REFRESH_TOKEN_VALIDITY);
    const jti = `${this.model.random.hex(32)}-r`;
    const claims: Record<string, unknown> = {
      jti,
      sub: user!.id,
      iat,
      exp,
      cid: client.client_id,
      client_id: client.client_id,
      iss: this.model.issuer,
      zid: this.model.state.zoneId,
      aud,
      granted_scopes: [...req.scopes],
      amr: ['pwd'],
      auth_time: authTime,
      grant_type: req.grantType,
      user_name: user!.userName,
      origin: user!.origin,
      user_id: user!.id,
      rev_sig: revSig,
    };
    // An opaque access token makes the refresh token revocable too (isRefreshTokenRevocable).
    if (req.format === 'opaque') claims.revocable = true;
    // The additional root claims (client_auth_method) go into the refresh token as well (RefreshTokenCreator).
    if (req.authMethod) claims.client_auth_method = req.authMethod;
    if (req.format === 'opaque') {
      this.model.storeToken({ value: jti, claims, expiresAt: exp, kind: 'refresh' });
      return jti;
    }
    return this.sign(claims);
  }

  /**
   * Reads and checks a token the way UAA's own endpoints do (signature with any listed key,
   * expiry on the virtual clock, revocation by id, user, client or secret/password change).
   * Throws `invalid_token` with UAA's wording. Refresh tokens pass only with `kind: 'refresh'`.
   * `expiry`: `bearer` (UAA's resource endpoints: "Invalid access token: expired at <date>"),
   * `check_token` ("Token has expired") or `skip` (the refresh grant checks it itself, later).
   */
  async verify(
    token: string,
    opts: { kind?: 'access' | 'refresh'; expiry?: 'bearer' | 'check_token' | 'skip' } = {},
  ): Promise<Record<string, unknown>> {
    const kind = opts.kind ?? 'access';
    const stored = Object.hasOwn(this.model.state.tokens, token) ? this.model.state.tokens[token] : undefined;
    let claims: Record<string, unknown>;
    if (stored) claims = stored.claims;
    else if (token.split('.').length === 3) {
      let kid: string | undefined;
      try {
        kid = decodeProtectedHeader(token).kid;
      } catch {
        throw invalidToken('Invalid token (could not decode): ' + abbreviate(token));
      }
      const key = this.model.state.keys.find((k) => k.kid === kid);
      if (!key) throw invalidToken('Could not verify token signature.');
      try {
        const { payload } = await jwtVerify(token, await verificationKey(key.publicPem), {
          algorithms: ['RS256'],
          // Expiry is checked below against the virtual clock, not the wall clock.
          currentDate: new Date(0),
        });
        claims = payload as Record<string, unknown>;
      } catch {
        throw invalidToken('Could not verify token signature.');
      }
    } else if (token.length === 0) {
      throw invalidToken('Invalid access token value, must be at least 30 characters');
    } else {
      // Not a JWT: UAA looks the value up in its revocable-token store (TokenValidationService).
      throw invalidToken('The token expired, was revoked, or the token ID is incorrect.');
    }

    const isRefresh = typeof claims.jti === 'string' && claims.jti.endsWith('-r');
    if (kind === 'access' && isRefresh) throw invalidToken('Invalid access token.');
    if (kind === 'refresh' && !isRefresh) throw invalidToken('Invalid refresh token.');
    const exp = claims.exp as number | undefined;
    const expiry = opts.expiry ?? 'bearer';
    // Date#before, as UAA compares: still valid during the second of exp itself, expired just after.
    if (expiry !== 'skip' && exp !== undefined && exp * 1000 < this.model.kernel.clock.now()) {
      throw invalidToken(expiry === 'check_token' ? 'Token has expired' : `Invalid access token: expired at ${javaDate(exp)}`);
    }
    if (typeof claims.jti === 'string' && this.model.state.revokedJtis.includes(claims.jti)) throw invalidToken('Token has been revoked');
    const client = this.model.client(String(claims.cid ?? claims.client_id ?? ''));
    if (!client) throw invalidToken('Invalid client ID ' + String(claims.cid ?? ''));
    const user = claims.user_id ? this.model.user(String(claims.user_id)) : undefined;
    if (claims.user_id && !user) throw invalidToken('Token bears a non-existent user ID: ' + String(claims.user_id));
    const signatures = clientSecrets(client).map((secret) => revocationSignature(client, user, secret));
    if (claims.rev_sig !== undefined && !signatures.includes(String(claims.rev_sig))) {
      throw invalidToken('revocable signature mismatch');
    }
    return claims;
  }
}

function abbreviate(token: string): string {
  return token.length > 20 ? `${token.slice(0, 20)}...` : token;
}

/** Parsed public keys, by PEM (parsing is far slower than verifying; the PEM is immutable). */
const publicKeys = new Map<string, Promise<KeyObject>>();
function verificationKey(pem: string): Promise<KeyObject> {
  let k = publicKeys.get(pem);
  if (!k) {
    k = Promise.resolve(createPublicKey(pem));
    if (publicKeys.size >= 256) publicKeys.clear();
    publicKeys.set(pem, k);
  }
  return k;
}
