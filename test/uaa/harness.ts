import https from 'node:https';
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import { Foundation, type FoundationOptions } from '../../fakes/foundation.js';
import type { UaaSimulator } from '../../fakes/uaa/index.js';

/**
 * Runs the same test body against the fake UAA mounted in-process (msw, fetch) and over real HTTPS
 * on loopback (node:https with the foundation's CA), so every endpoint is checked both ways.
 */
export type MountMode = 'in-process' | 'https';
export const MOUNTS: MountMode[] = ['in-process', 'https'];

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  form?: Record<string, string>;
  json?: unknown;
  bearer?: string;
  basic?: [string, string];
}

export const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');

export class UaaHarness {
  private agent?: https.Agent;
  private oidc?: { issuer: string; jwks_uri: string };

  private constructor(
    readonly f: Foundation,
    readonly mode: MountMode,
    readonly url: string,
    readonly caPem?: string,
  ) {
    if (mode === 'https') this.agent = new https.Agent({ keepAlive: true, ca: caPem });
  }

  static async start(mode: MountMode, opts: FoundationOptions = {}): Promise<UaaHarness> {
    const f = await Foundation.create({ seed: 'uaa-tests', services: ['uaa'], ...opts });
    if (mode === 'in-process') {
      const urls = f.mountInProcess();
      return new UaaHarness(f, mode, urls.uaa);
    }
    const { urls, caPem } = await f.listen({ https: true });
    return new UaaHarness(f, mode, urls.uaa, caPem);
  }

  get uaa(): UaaSimulator {
    return this.f.uaa;
  }

  secret(clientId: string): string {
    return this.uaa.model.client(clientId)!.client_secret;
  }

  async close(): Promise<void> {
    this.agent?.destroy();
    await this.f.close();
  }

  /** One request, by fetch in-process or node:https over the network. */
  async request(path: string, o: RequestOptions = {}): Promise<HttpResult> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    let body = o.body;
    if (o.form) {
      body = new URLSearchParams(o.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] ??= 'application/json';
    }
    if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
    if (o.basic) headers.authorization = basic(o.basic[0], o.basic[1]);
    headers.accept ??= 'application/json';
    const method = o.method ?? (body !== undefined ? 'POST' : 'GET');
    const url = path.startsWith('http') ? path : `${this.url}${path}`;
    const res = this.mode === 'in-process' ? await this.viaFetch(url, method, headers, body) : await this.viaHttps(url, method, headers, body);
    let json: any;
    try {
      json = res.text ? JSON.parse(res.text) : undefined;
    } catch {
      json = undefined;
    }
    return { ...res, json };
  }

  private async viaFetch(url: string, method: string, headers: Record<string, string>, body?: string) {
    const res = await fetch(url, { method, headers, body });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  private viaHttps(url: string, method: string, headers: Record<string, string>, body?: string) {
    return new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
      const req = https.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve({ status: res.statusCode ?? 0, headers: h, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** A fetch for jose's createRemoteJWKSet that goes the same way as this harness's requests. */
  private jwksFetch = async (url: string, opts: { headers: Headers; method: string }): Promise<Response> => {
    const headers: Record<string, string> = {};
    opts.headers.forEach((v, k) => (headers[k] = v));
    const res = await this.request(url, { method: opts.method, headers });
    return new Response(res.text, { status: res.status, headers: res.headers });
  };

  /**
   * Verifies a JWT as a resource server would: keys from `jwks_uri` (`/token_keys`) through jose's
   * createRemoteJWKSet, the issuer from the OIDC document, expiry against the virtual clock.
   */
  async verifyJwt(token: string, opts: { audience?: string } = {}): Promise<JWTPayload> {
    if (!this.oidc) {
      const res = await this.request('/.well-known/openid-configuration');
      expect(res.status).toBe(200);
      this.oidc = res.json;
    }
    const jwks = createRemoteJWKSet(new URL(this.oidc!.jwks_uri), { [customFetch]: this.jwksFetch as never, cooldownDuration: 0 });
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: this.oidc!.issuer,
      audience: opts.audience,
      currentDate: this.f.clock.date(),
      algorithms: ['RS256'],
    });
    expect(protectedHeader.typ).toBe('JWT');
    expect(protectedHeader.jku).toBe(`${this.url.replace(/^http:/, 'https:')}/token_keys`);
    return payload;
  }

  /** POST /oauth/token; every JWT it hands out is verified the resource-server way before returning. */
  async token(form: Record<string, string>, auth?: [string, string] | 'none', extra: RequestOptions = {}): Promise<HttpResult> {
    const res = await this.request('/oauth/token', { form, basic: auth && auth !== 'none' ? auth : undefined, ...extra });
    if (res.status === 200) {
      for (const k of ['access_token', 'refresh_token', 'id_token']) {
        const t = res.json[k];
        if (typeof t === 'string' && t.split('.').length === 3) await this.verifyJwt(t);
      }
    }
    return res;
  }

  async clientToken(clientId: string, scope?: string): Promise<string> {
    const res = await this.token({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, [clientId, this.secret(clientId)]);
    expect(res.status, res.text).toBe(200);
    return res.json.access_token;
  }

  async passwordToken(username: string, password: string, clientId = 'cf', secret = ''): Promise<HttpResult> {
    const res = await this.token({ grant_type: 'password', username, password }, [clientId, secret]);
    return res;
  }

  adminPassword(): string {
    return this.uaa.model.userByName('admin')!.password;
  }

  adminToken(): Promise<string> {
    return this.clientToken('admin');
  }
}

/** The body shape of every UAA OAuth error. */
export function expectUaaError(res: HttpResult, status: number, error: string, description?: string | RegExp): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(res.json?.error).toBe(error);
  expect(typeof res.json?.error_description).toBe('string');
  if (description instanceof RegExp) expect(res.json.error_description).toMatch(description);
  else if (description !== undefined) expect(res.json.error_description).toBe(description);
  expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
}

export function kidOf(token: string): string | undefined {
  return decodeProtectedHeader(token).kid;
}
