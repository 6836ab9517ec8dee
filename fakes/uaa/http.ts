import type { Context } from 'hono';
import { EmptyResponse, UaaError, bearerRequired, insufficientScope, invalidClient, uaaErrorResponse } from './errors.js';
import { clientSecretMatches, type UaaModel } from './model.js';
import { parseBasic } from './routes/token.js';
import type { UaaClient } from './state.js';
import type { TokenService } from './tokens.js';

/** Runs a route body and turns UAA's errors into UAA's responses (anything else is the app's 500). */
export function handle(fn: (c: Context) => Promise<Response> | Response) {
  return async (c: Context): Promise<Response> => {
    try {
      return await fn(c);
    } catch (err) {
      if (err instanceof UaaError) return uaaErrorResponse(err);
      if (err instanceof EmptyResponse) return new Response(null, { status: err.status });
      throw err;
    }
  };
}

export const JSON_UTF8 = 'application/json;charset=UTF-8';

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_UTF8, ...headers } });
}

/** The bearer token's claims, checked as UAA's own resource endpoints check them (signature, expiry, revocation). */
export async function bearerClaims(c: Context, tokens: TokenService): Promise<Record<string, unknown>> {
  const header = c.req.header('authorization');
  const m = header ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) throw bearerRequired();
  return tokens.verify(m[1]);
}

export function scopesOf(claims: Record<string, unknown>): string[] {
  return Array.isArray(claims.scope) ? (claims.scope as string[]) : [];
}

/** `#oauth2.hasAnyScope(...)` with throwOnError: 403 insufficient_scope naming the scopes that would do. */
export function requireAnyScope(claims: Record<string, unknown>, required: string[]): void {
  const have = scopesOf(claims);
  if (!required.some((s) => have.includes(s))) throw insufficientScope(required);
}

/** HTTP Basic client authentication as UAA's client filters do it; undefined when no Basic header was sent. */
export function basicClient(c: Context, model: UaaModel): UaaClient | undefined {
  const creds = parseBasic(c.req.header('authorization'));
  if (!creds) return undefined;
  const client = model.client(creds.id);
  if (!client || (!clientSecretMatches(client, creds.secret ?? '') && !(client.allowpublic && !creds.secret))) throw invalidClient();
  return client;
}

/** Form parameters from the query string and an urlencoded body, as Spring merges them. */
export async function formParams(c: Context): Promise<URLSearchParams> {
  const params = new URLSearchParams(new URL(c.req.url).search);
  const ct = (c.req.header('content-type') ?? '').toLowerCase();
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(await c.req.text())) params.append(k, v);
  }
  return params;
}

const MAX_JSON_BYTES = 1024 * 1024;

/**
 * A JSON request body for the admin APIs: 415 for another content type, 400 for a body that is not
 * a JSON object; each endpoint family words these its own way (`onError`).
 */
export async function jsonBody(
  c: Context,
  onError: (status: 400 | 413 | 415, message: string) => UaaError,
): Promise<Record<string, unknown>> {
  const ct = c.req.header('content-type') ?? '';
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(ct.trim())) {
    throw onError(415, `Content-Type '${ct.split(';')[0] || 'application/octet-stream'}' is not supported`);
  }
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_JSON_BYTES) throw onError(413, 'Request entity too large');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw onError(400, `JSON parse error: ${(err as Error).message}`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw onError(400, 'JSON parse error: expected an object');
  return body as Record<string, unknown>;
}

/** SCIM paging parameters: 1-based startIndex (below 1 means 1), count (default 100). */
export function paging(c: Context, onError: (message: string) => UaaError): { startIndex: number; count: number } {
  const parse = (name: string, dflt: number): number => {
    const raw = c.req.query(name);
    if (raw === undefined || raw === '') return dflt;
    if (!/^-?\d+$/.test(raw.trim())) throw onError(`Failed to convert value of type 'java.lang.String' to required type 'int'; For input string: "${raw}"`);
    return Number(raw.trim());
  };
  const startIndex = Math.max(1, parse('startIndex', 1));
  const count = parse('count', 100);
  return { startIndex, count: count < 0 ? 0 : Math.min(count, 500) };
}

export function searchResults<T>(all: T[], startIndex: number, count: number, schemas: string[]) {
  const page = all.slice(startIndex - 1, startIndex - 1 + count);
  return { resources: page, startIndex, itemsPerPage: count, totalResults: all.length, schemas };
}

/** Typed picks from an untrusted JSON body: a wrong type is a 400, never a 500. */
export function pick(body: Record<string, unknown>, onError: (message: string) => UaaError) {
  return {
    str(name: string): string | undefined {
      const v = body[name];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string') throw onError(`${name} must be a string`);
      return v;
    },
    bool(name: string): boolean | undefined {
      const v = body[name];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'boolean') throw onError(`${name} must be a boolean`);
      return v;
    },
    int(name: string): number | undefined {
      const v = body[name];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v)) throw onError(`${name} must be an integer`);
      return v;
    },
    strings(name: string): string[] | undefined {
      const v = body[name];
      if (v === undefined || v === null) return undefined;
      if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw onError(`${name} must be an array of strings`);
      return v as string[];
    },
    raw(name: string): unknown {
      return body[name];
    },
  };
}

/** A path parameter of the matched route (handlers here are typed for any path, so Hono cannot tell it exists). */
export function param(c: Context, name: string): string {
  return c.req.param(name) ?? '';
}
