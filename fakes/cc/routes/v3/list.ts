import type { Context } from 'hono';
import type { CcDeps } from '../../deps.js';
import { baseUrl, json } from '../../http.js';
import { pageV3, type V3Query } from '../../pagination.js';
import type { Included } from './included.js';

/** A v3 list response: `{pagination, resources[, included]}`. */
export function listV3<R extends { created_at: number; updated_at: number; name?: string | null; metadata?: { labels: Record<string, string> } }>(
  c: Context,
  d: CcDeps,
  items: readonly R[],
  q: V3Query,
  present: (r: R, base: string) => unknown,
  include?: (page: R[], inc: Included, base: string) => void,
  newIncluded?: () => Included,
): Response {
  const b = baseUrl(c, d.kernel);
  const { pagination, page } = pageV3(items, q, `${b}${c.req.path}`);
  const body: Record<string, unknown> = { pagination, resources: page.map((r) => present(r, b)) };
  if (include && newIncluded) {
    const inc = newIncluded();
    include(page, inc, b);
    if (!inc.empty) body.included = inc.toJSON();
  }
  return json(body);
}

/** `names=a,b` style filter over a field. */
export function inSet<T>(vals: string[] | undefined, get: (r: T) => string | undefined | null): (r: T) => boolean {
  if (!vals) return () => true;
  const set = new Set(vals);
  return (r) => set.has(get(r) ?? '');
}
