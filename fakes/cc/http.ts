import type { Context } from 'hono';
import type { Kernel } from '../core/kernel.js';
import { ccError, CcError, errorResponse, isV3Path } from './errors.js';

/** CC's timestamp format: ISO 8601 to the second, `2020-03-10T15:49:29Z`. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The external URL links are built from: the CC's mounted URL, read at request time. */
export function baseUrl(c: Context, kernel: Kernel): string {
  return (kernel.urls.cc || new URL(c.req.url).origin).replace(/\/$/, '');
}

export const JSON_TYPE = 'application/json; charset=utf-8';

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_TYPE, ...headers } });
}

/**
 * The request body as a JSON object, whatever the content type (ODB sends JSON bodies labelled
 * `application/x-www-form-urlencoded` on PUT and DELETE). Empty body = `{}`.
 */
export async function readBody(c: Context): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    text = '';
  }
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw ccError('MessageParseError', isV3Path(c.req.path) ? 'invalid request body' : text.slice(0, 200));
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw ccError('MessageParseError', isV3Path(c.req.path) ? 'invalid request body' : text.slice(0, 200));
  return v as Record<string, unknown>;
}

/** Turns a thrown CcError into CC's response for the path; anything else is rethrown (→ 500 in CC's format). */
export function handleError(err: unknown, c: Context): Response {
  if (err instanceof CcError) return errorResponse(err, isV3Path(c.req.path));
  throw err;
}

/** A route handler whose thrown CcError becomes CC's error response (through handleError). */
export function handled(fn: (c: Context) => Response | Promise<Response>): (c: Context) => Promise<Response> {
  return async (c: Context) => {
    try {
      return await fn(c);
    } catch (e) {
      return handleError(e, c);
    }
  };
}

// ---- small validators over an untyped body

export const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
export const isStr = (v: unknown): v is string => typeof v === 'string';

/** `{"data":{"guid":"…"}}` → the guid, or undefined. */
export function relGuid(body: Record<string, unknown>, rel: string): string | undefined {
  const r = isObj(body.relationships) ? body.relationships[rel] : undefined;
  const d = isObj(r) ? r.data : undefined;
  return isObj(d) && isStr(d.guid) ? d.guid : undefined;
}

export function stringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every(isStr);
}

/** CC v3 messages refuse keys they do not know (422 "Unknown field(s): 'a', 'b'"). */
export function allowKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) throw ccError('UnprocessableEntity', `Unknown field(s): '${unknown.join("', '")}'`);
}
