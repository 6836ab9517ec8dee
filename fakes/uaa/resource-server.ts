import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { Clock } from '../core/clock.js';
import type { UaaSimulator } from './index.js';

/**
 * How a resource server (the BOSH director, Cloud Controller) checks a UAA bearer token: keys from
 * the UAA's `/token_keys` (the `value` PEM, as CC builds its verifier), issuer from the UAA's OIDC
 * document, expiry against the foundation's virtual clock. Keys are refetched when a token names
 * an unknown `kid`, which is how rotation reaches resource servers.
 */
export type TokenRejection =
  | { reason: 'malformed'; message: string }
  | { reason: 'signature'; message: string }
  | { reason: 'expired'; message: string }
  | { reason: 'issuer'; message: string }
  | { reason: 'audience'; message: string }
  | { reason: 'refresh_token'; message: string };

export type VerifyResult = { ok: true; claims: Record<string, unknown>; scopes: string[] } | { ok: false; rejection: TokenRejection };

export interface VerifyOptions {
  /** The resource id that must be in `aud` (CC: `cloud_controller`); none checked when absent. */
  audience?: string;
  /** Refuse tokens whose jti ends in `-r` (CC does). */
  refuseRefreshTokens?: boolean;
  /** Seconds of grace after `exp` (CC's `jwt.grace_period`). */
  graceSeconds?: number;
}

export class UaaResourceServer {
  #keys = new Map<string, { pem: string; key: KeyObject }>();
  #issuer: string | undefined;

  constructor(
    private readonly uaa: UaaSimulator,
    private readonly clock: Clock,
  ) {}

  async #refresh(): Promise<void> {
    const res = await this.uaa.app.request('/token_keys');
    const body = (await res.json()) as { keys: { kid: string; value: string }[] };
    this.#keys = new Map(body.keys.map((k) => [k.kid, { pem: k.value.trim(), key: createPublicKey(k.value) }]));
    const oidc = await this.uaa.app.request('/.well-known/openid-configuration');
    this.#issuer = ((await oidc.json()) as { issuer: string }).issuer;
  }

  async verify(token: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return { ok: false, rejection: { reason: 'malformed', message: 'Invalid token: not a JWT' } };
    }
    // Refetch when the kid is new to us, or when the UAA no longer lists it (removed after rotation).
    // (or lists another key under it, after a restore).
    const listed = this.uaa.model.state.keys.find((k) => k.kid === kid);
    const cached = kid ? this.#keys.get(kid) : undefined;
    if (!kid || !listed || !cached || cached.pem !== listed.publicPem.trim() || this.#issuer !== this.uaa.model.issuer) await this.#refresh();
    const key = kid ? this.#keys.get(kid)?.key : undefined;
    if (!key) return { ok: false, rejection: { reason: 'signature', message: 'Invalid token: signing key not found' } };
    let claims: Record<string, unknown>;
    try {
      // Epoch 0 as jose's "now" leaves exp to the check below, against the virtual clock.
      const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], currentDate: new Date(0) });
      claims = payload as Record<string, unknown>;
    } catch {
      return { ok: false, rejection: { reason: 'signature', message: 'Invalid token: signature verification failed' } };
    }
    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    if (exp === undefined || exp + (opts.graceSeconds ?? 0) <= this.clock.nowSeconds()) {
      return { ok: false, rejection: { reason: 'expired', message: 'Token has expired' } };
    }
    if (claims.iss !== this.#issuer) return { ok: false, rejection: { reason: 'issuer', message: 'Invalid issuer' } };
    if (opts.refuseRefreshTokens && typeof claims.jti === 'string' && claims.jti.endsWith('-r')) {
      return { ok: false, rejection: { reason: 'refresh_token', message: 'Refresh token used as access token' } };
    }
    if (opts.audience) {
      const aud = Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : [];
      if (!aud.includes(opts.audience)) return { ok: false, rejection: { reason: 'audience', message: 'Invalid audience' } };
    }
    const scopes = Array.isArray(claims.scope) ? (claims.scope as string[]) : [];
    return { ok: true, claims, scopes };
  }
}
