import type { Context } from 'hono';
import { json } from '../../http.js';
import { matchV2, pageV2, parseV2 } from '../../pagination.js';

/** The `q=` fields a v2 collection accepts, each with how to read it from a record. */
export type V2Fields<R> = Record<string, (r: R) => unknown>;

/** A v2 list: `q` filters, then one page with relative `next_url`/`prev_url`. */
export function listV2<R>(c: Context, items: readonly R[], fields: V2Fields<R>, present: (r: R) => unknown, orderBy: string[] = ['id']): Response {
  const q = parseV2(c, Object.keys(fields), orderBy);
  const filtered = q.filters.length ? items.filter((r) => q.filters.every((f) => matchV2(fields[f.field](r), f))) : items;
  return json(pageV2(filtered, q, c.req.path, present));
}
