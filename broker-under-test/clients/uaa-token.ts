/**
 * OAuth tokens from a UAA, cached until shortly before they expire (ODB keeps 10 s of validity in
 * hand; a token without `expires_in` is fetched again for every request).
 * @module
 */
import type { BrokerClock, FetchLike } from '../runtime.js';

export type Grant =
  | { type: 'client_credentials'; clientId: string; clientSecret: string }
  | { type: 'password'; username: string; password: string };

/** A token request UAA refused or that could not be made, with ODB's texts. */
export class UaaTokenError extends Error {
  override name = 'UaaTokenError';
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

const MIN_REMAINING_MS = 10_000;

export class TokenSource {
  #token?: { header: string; expiresAt: number };
  #pending?: Promise<string>;

  constructor(
    private readonly http: FetchLike,
    private readonly clock: BrokerClock,
    /** The UAA base URL, or a function giving it (BOSH's comes from the director's /info). */
    private readonly url: string | (() => Promise<string>),
    private readonly grant: Grant,
    /** What the 401 message tells the operator to check. */
    private readonly configHint = 'properties.<broker-job>',
  ) {}

  /** `Authorization` header value, from the cache when still valid. */
  async header(): Promise<string> {
    if (this.#token && this.clock.now() < this.#token.expiresAt) return this.#token.header;
    // Concurrent requests share one token request.
    this.#pending ??= this.#fetch().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  invalidate(): void {
    this.#token = undefined;
  }

  async #fetch(): Promise<string> {
    const base = typeof this.url === 'string' ? this.url : await this.url();
    const form = new URLSearchParams();
    let basic: string;
    if (this.grant.type === 'client_credentials') {
      form.set('grant_type', 'client_credentials');
      basic = `${encodeURIComponent(this.grant.clientId)}:${encodeURIComponent(this.grant.clientSecret)}`;
    } else {
      form.set('grant_type', 'password');
      form.set('username', this.grant.username);
      form.set('password', this.grant.password);
      basic = 'cf:';
    }
    let res: Response;
    try {
      res = await this.http(`${base.replace(/\/$/, '')}/oauth/token`, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(basic).toString('base64')}`,
        },
        body: form.toString(),
      });
    } catch (err) {
      throw new UaaTokenError(`Error reaching UAA: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (res.status !== 200) {
      throw new UaaTokenError(
        `Error authenticating (${res.status}): ${text}. Please ensure that the UAA urls and credentials under ${this.configHint} are correct and try again.`,
        res.status,
      );
    }
    let body: { access_token?: string; token_type?: string; expires_in?: number };
    try {
      body = JSON.parse(text);
    } catch {
      throw new UaaTokenError(`Error authenticating: invalid JSON from UAA: ${text}`);
    }
    if (!body.access_token) throw new UaaTokenError('no access token in grant');
    const header = `${body.token_type && /^bearer$/i.test(body.token_type) ? 'Bearer' : (body.token_type ?? 'Bearer')} ${body.access_token}`;
    const ttl = Number(body.expires_in ?? 0) * 1000;
    if (ttl > 0) this.#token = { header, expiresAt: this.clock.now() + ttl - MIN_REMAINING_MS };
    return header;
  }
}
