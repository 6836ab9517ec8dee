import type { Context } from 'hono';
import type { Kernel } from '../core/kernel.js';
import { isJsonObject } from '../core/json.js';
import { ccError, isV3Path } from './errors.js';

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
  if (!isJsonObject(v)) throw ccError('MessageParseError', isV3Path(c.req.path) ? 'invalid request body' : text.slice(0, 200));
  return v;
}

// ---- small validators over an untyped body

export const isStr = (v: unknown): v is string => typeof v === 'string';

/** The `:guid` path parameter. */
export const pg = (c: Context): string => c.req.param('guid') ?? '';

/** `{"data":{"guid":"…"}}` → the guid, or undefined. */
export function relGuid(body: Record<string, unknown>, rel: string): string | undefined {
  const r = isJsonObject(body.relationships) ? body.relationships[rel] : undefined;
  const d = isJsonObject(r) ? r.data : undefined;
  return isJsonObject(d) && isStr(d.guid) ? d.guid : undefined;
}

export function stringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every(isStr);
}
