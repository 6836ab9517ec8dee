import type { Context } from 'hono';
import { badQuery } from './errors.js';

/**
 * CC's list protocol. v2: `page`, `results-per-page` (default 50, max 100), `order-direction`,
 * `order-by`, `q=<field><op><value>` filters, relative `next_url`/`prev_url`. v3: `page`,
 * `per_page` (default 50, max 5000), `order_by`, plural comma-separated filters and absolute links.
 */

/** The raw query as (key, value) pairs in order. Clients (ODB) send `q=` unescaped, so decode leniently. */
export function rawQuery(c: Context): [string, string][] {
  const url = c.req.url;
  const i = url.indexOf('?');
  if (i < 0) return [];
  const out: [string, string][] = [];
  for (const part of url.slice(i + 1).split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out.push([decode(k), decode(v)]);
  }
  return out;
}

function decode(s: string): string {
  const t = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(t);
  } catch {
    return t;
  }
}

/** Rails `to_query` escaping (CGI.escape): like encodeURIComponent, with `+` for spaces. */
function cgiEscape(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

function positiveInt(v: string): number | undefined {
  return /^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined;
}

// ---------------------------------------------------------------- v2

export type V2Op = ':' | '>=' | '<=' | '<' | '>' | 'IN';
export interface V2Filter {
  field: string;
  op: V2Op;
  values: string[];
}

export interface V2Query {
  page: number;
  perPage: number;
  direction: 'asc' | 'desc';
  orderBy?: string;
  inlineDepth?: string;
  filters: V2Filter[];
  rawQ: string[];
}

function parseQ(expr: string, allowed: readonly string[]): V2Filter {
  const m = /^([a-z_]+)(>=|<=|<|>|:| IN )(.*)$/s.exec(expr);
  if (!m) throw badQuery(expr);
  const [, field, rawOp, value] = m;
  if (!allowed.includes(field)) throw badQuery(field);
  const op = (rawOp === ' IN ' ? 'IN' : rawOp) as V2Op;
  return { field, op, values: op === 'IN' ? value.split(',') : [value] };
}

/** Splits `a:b;c:d` on `;` (`;;` stands for a literal `;`). */
function splitFilters(q: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < q.length; i++) {
    if (q[i] === ';') {
      if (q[i + 1] === ';') {
        cur += ';';
        i++;
      } else {
        out.push(cur);
        cur = '';
      }
    } else cur += q[i];
  }
  out.push(cur);
  return out.filter((s) => s.length > 0);
}

/** CC's `renderer.max_inline_relations_depth` default. */
const MAX_INLINE_RELATIONS_DEPTH = 2;

export function parseV2(c: Context, allowedFilters: readonly string[], orderFields: readonly string[] = ['id']): V2Query {
  const q: V2Query = { page: 1, perPage: 50, direction: 'asc', filters: [], rawQ: [] };
  for (const [k, v] of rawQuery(c)) {
    if (k === 'page') {
      const n = positiveInt(v);
      if (n === undefined || n < 1) throw badQuery('page must be greater than 0');
      q.page = n;
    } else if (k === 'results-per-page') {
      const n = positiveInt(v);
      if (n === undefined || n < 1) throw badQuery('results_per_page must be greater than 0');
      if (n > 100) throw badQuery('results_per_page must be <= 100');
      q.perPage = n;
    } else if (k === 'order-direction') {
      if (v !== 'asc' && v !== 'desc') throw badQuery(`order_direction must be 'asc' or 'desc' but was '${v}'`);
      q.direction = v;
    } else if (k === 'order-by') {
      if (!orderFields.includes(v)) throw badQuery(`order_by must be one of: ${orderFields.join(', ')}`);
      q.orderBy = v;
    } else if (k === 'inline-relations-depth') {
      const n = positiveInt(v);
      if (n !== undefined && n > MAX_INLINE_RELATIONS_DEPTH) throw badQuery(`inline_relations_depth must be <= ${MAX_INLINE_RELATIONS_DEPTH}`);
      q.inlineDepth = v;
    } else if (k === 'q') {
      q.rawQ.push(v);
      for (const expr of splitFilters(v)) q.filters.push(parseQ(expr, allowedFilters));
    }
  }
  return q;
}

/** Whether a record's field matches a v2 filter (string comparison; ordering ops compare strings/numbers). */
export function matchV2(value: unknown, f: V2Filter): boolean {
  if ((f.op === ':' || f.op === 'IN') && !Array.isArray(value)) return f.values.includes(value === undefined || value === null ? '' : String(value));
  const vals = Array.isArray(value) ? value.map(String) : [value === undefined || value === null ? '' : String(value)];
  switch (f.op) {
    case ':':
    case 'IN':
      return vals.some((v) => f.values.includes(v));
    default: {
      const cmp = (a: string, b: string) => {
        const na = Number(a), nb = Number(b);
        return !Number.isNaN(na) && !Number.isNaN(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
      };
      return vals.some((v) => {
        const d = cmp(v, f.values[0]);
        return f.op === '>=' ? d >= 0 : f.op === '<=' ? d <= 0 : f.op === '<' ? d < 0 : d > 0;
      });
    }
  }
}

export interface V2List<T> {
  total_results: number;
  total_pages: number;
  prev_url: string | null;
  next_url: string | null;
  resources: T[];
}

/**
 * A query value as CC's v2 links carry it: Addressable's `query_values=` then `normalize`, which
 * leaves `:`, `,`, `=`, `@`, `/`, `?`, `$` readable but keeps `&`, `;`, `+` and spaces escaped
 * (`q=name:a%3Bb`, `q=name%20IN%20a,b`).
 */
function addressableEscape(s: string): string {
  return encodeURIComponent(s).replace(/%(24|2C|3D|3A|40|2F|3F)/g, (m) => decodeURIComponent(m));
}

/**
 * `next_url`/`prev_url` (`paginated_collection_renderer.rb`): keys sorted, `order-direction` always,
 * `inline-relations-depth` and every `q` kept; `order-by` is not carried over, as in CC.
 */
function v2PageUrl(path: string, q: V2Query, page: number): string {
  const params: [string, string][] = [];
  if (q.inlineDepth !== undefined) params.push(['inline-relations-depth', q.inlineDepth]);
  params.push(['order-direction', q.direction], ['page', String(page)]);
  for (const raw of q.rawQ) params.push(['q', raw]);
  params.push(['results-per-page', String(q.perPage)]);
  return `${path}?${params.map(([k, v]) => `${k}=${addressableEscape(v)}`).join('&')}`;
}

/** One v2 page of `items` (already filtered), in CC's default id order or `order-by`. */
export function pageV2<R, T>(items: readonly R[], q: V2Query, path: string, present: (r: R) => T): V2List<T> {
  let sorted = items;
  if (q.orderBy && q.orderBy !== 'id') {
    const key = q.orderBy as keyof R;
    sorted = [...items].sort((a, b) => (String(a[key]) < String(b[key]) ? -1 : String(a[key]) > String(b[key]) ? 1 : 0));
  }
  if (q.direction === 'desc') sorted = [...sorted].reverse();
  const total = sorted.length;
  // Sequel's pagination extension: an empty list still has one page
  const pages = Math.max(1, Math.ceil(total / q.perPage));
  const start = (q.page - 1) * q.perPage;
  return {
    total_results: total,
    total_pages: pages,
    prev_url: q.page > 1 ? v2PageUrl(path, q, q.page - 1) : null,
    next_url: q.page < pages ? v2PageUrl(path, q, q.page + 1) : null,
    resources: sorted.slice(start, start + q.perPage).map(present),
  };
}

// ---------------------------------------------------------------- v3

export interface V3Query {
  page: number;
  perPage: number;
  orderBy: string;
  desc: boolean;
  /** Plural filters, split on commas. */
  filters: Map<string, string[]>;
  /** `fields[space.organization]=guid,name` as `space.organization` → [guid, name]. */
  fields: Map<string, string[]>;
  include: string[];
  /** Every param but page/per_page, for the links. */
  passthrough: [string, string][];
}

const COMMON_V3 = ['page', 'per_page', 'order_by', 'label_selector', 'created_ats', 'updated_ats'];

export interface V3ListSpec {
  filters: readonly string[];
  fields?: readonly string[];
  include?: readonly string[];
  orderBy?: readonly string[];
}

export function parseV3(c: Context, spec: V3ListSpec): V3Query {
  const q: V3Query = { page: 1, perPage: 50, orderBy: 'created_at', desc: false, filters: new Map(), fields: new Map(), include: [], passthrough: [] };
  const orderable = spec.orderBy ?? ['created_at', 'updated_at'];
  const unknown: string[] = [];
  for (const [k, v] of rawQuery(c)) {
    if (k === 'page') {
      const n = positiveInt(v);
      // PaginationOptions: `numericality: { only_integer: true, greater_than: 0 }`
      if (n === undefined) throw badQuery(/^-?\d+$/.test(v.trim()) ? 'Page must be greater than 0' : /^-?\d*\.\d+$/.test(v.trim()) ? 'Page must be an integer' : 'Page is not a number');
      if (n < 1) throw badQuery('Page must be greater than 0');
      q.page = n;
      continue;
    }
    if (k === 'per_page') {
      const n = positiveInt(v);
      if (n === undefined || n < 1 || n > 5000) throw badQuery('Per page must be between 1 and 5000');
      q.perPage = n;
      continue;
    }
    q.passthrough.push([k, v]);
    const fm = /^fields\[([a-z_.]+)\]$/.exec(k);
    if (fm) {
      if (!spec.fields?.includes(fm[1])) unknown.push(k);
      else q.fields.set(fm[1], v.split(','));
    } else if (k === 'include') {
      // IncludeParamValidator: one message per bad or repeated value
      const parts = v.split(',');
      const valid = spec.include ?? [];
      const errs: string[] = [];
      const seen = new Set<string>();
      for (const p of parts) {
        if (!valid.includes(p)) errs.push(`Invalid included resource: '${p}'. Valid included resources are: '${valid.join("', '")}'`);
        else if (seen.has(p)) errs.push(`Duplicate included resource: '${p}'`);
        seen.add(p);
      }
      if (errs.length) throw badQuery(errs.join(', '));
      q.include.push(...parts);
    } else if (k === 'order_by') {
      const desc = v.startsWith('-');
      const f = v.replace(/^[-+]/, '');
      if (!orderable.includes(f)) throw badQuery(`Order by can only be: ${orderable.map((o) => `'${o}'`).join(', ')}`);
      q.orderBy = f;
      q.desc = desc;
    } else if (COMMON_V3.includes(k) || /^(created_ats|updated_ats)\[(lt|gt|lte|gte)\]$/.test(k)) {
      q.filters.set(k, v.split(','));
    } else if (spec.filters.includes(k)) {
      q.filters.set(k, v === '' ? [''] : v.split(','));
    } else unknown.push(k);
  }
  const selector = q.filters.get('label_selector');
  if (selector) validateLabelSelector(selector.join(','));
  if (unknown.length) {
    const valid = [...COMMON_V3.filter((p) => p !== 'created_ats' && p !== 'updated_ats'), ...spec.filters, ...(spec.include?.length ? ['include'] : []), ...(spec.fields ?? []).map((f) => `fields[${f}]`)];
    throw badQuery(`Unknown query parameter(s): '${unknown.join("', '")}'. Valid parameters are: '${valid.join("', '")}'`);
  }
  return q;
}

/** The values of a plural filter, or undefined when absent. */
export function filter(q: V3Query, key: string): string[] | undefined {
  return q.filters.get(key);
}

export interface V3Pagination {
  total_results: number;
  total_pages: number;
  first: { href: string };
  last: { href: string };
  next: { href: string } | null;
  previous: { href: string } | null;
}

function v3Href(base: string, q: V3Query, page: number): string {
  const params = [...q.passthrough, ['page', String(page)], ['per_page', String(q.perPage)]] as [string, string][];
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `${base}?${params.map(([k, v]) => `${cgiEscape(k)}=${cgiEscape(v)}`).join('&')}`;
}

/** Applies `order_by`, `created_ats`/`updated_ats` and `label_selector`, then slices one page. */
export function pageV3<R extends { created_at: number; updated_at: number; name?: string | null; metadata?: { labels: Record<string, string> } }>(
  items: readonly R[],
  q: V3Query,
  base: string,
): { pagination: V3Pagination; page: R[] } {
  const filtering = [...q.filters.keys()].some((k) => k === 'label_selector' || k.startsWith('created_ats') || k.startsWith('updated_ats'));
  let list = filtering ? items.filter((r) => timeFilters(r, q) && labelsMatch(r.metadata?.labels ?? {}, q.filters.get('label_selector'))) : items;
  if (q.orderBy !== 'created_at' || q.desc) {
    const key = q.orderBy as keyof R;
    list = [...list].sort((a, b) => {
      const x = a[key] as unknown as string | number, y = b[key] as unknown as string | number;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    if (q.desc) list = [...list].reverse();
  }
  const total = list.length;
  const pages = Math.max(1, Math.ceil(total / q.perPage));
  const start = (q.page - 1) * q.perPage;
  return {
    pagination: {
      total_results: total,
      total_pages: pages,
      first: { href: v3Href(base, q, 1) },
      last: { href: v3Href(base, q, pages) },
      next: q.page < pages ? { href: v3Href(base, q, q.page + 1) } : null,
      previous: q.page > 1 ? { href: v3Href(base, q, q.page - 1) } : null,
    },
    page: list.slice(start, start + q.perPage),
  };
}

function timeFilters(r: { created_at: number; updated_at: number }, q: V3Query): boolean {
  for (const [k, vals] of q.filters) {
    const m = /^(created_ats|updated_ats)(?:\[(lt|gt|lte|gte)\])?$/.exec(k);
    if (!m) continue;
    const t = Math.floor((m[1] === 'created_ats' ? r.created_at : r.updated_at) / 1000);
    const ts = vals.map((v) => Math.floor(Date.parse(v) / 1000));
    if (ts.some(Number.isNaN)) throw badQuery(`${m[1]} has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'`);
    const op = m[2];
    const ok = !op ? ts.includes(t) : op === 'lt' ? t < ts[0] : op === 'gt' ? t > ts[0] : op === 'lte' ? t <= ts[0] : t >= ts[0];
    if (!ok) return false;
  }
  return true;
}

/** Splits a selector on the commas outside parentheses; undefined when the parentheses do not pair. */
function selectorRequirements(sel: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of sel) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0 || depth > 1) return undefined;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) return undefined;
  out.push(cur);
  return out;
}

const SEL_KEY = String.raw`[^\s!=,()]+`;
const SEL_VALUE = String.raw`[^\s!=,()]*`;
const SEL_FORMS = [
  new RegExp(`^!?${SEL_KEY}$`),
  new RegExp(`^${SEL_KEY}\\s*(==|!=|=)\\s*${SEL_VALUE}$`),
  new RegExp(`^${SEL_KEY}\\s+(in|notin)\\s+\\(\\s*${SEL_VALUE}(\\s*,\\s*${SEL_VALUE})*\\s*\\)$`),
];

/** LabelSelectorRequirementValidator: blank → missing; more than 50 requirements; any that does not parse. */
function validateLabelSelector(sel: string): void {
  if (sel.trim() === '') throw badQuery('Missing label_selector value');
  const reqs = selectorRequirements(sel);
  if (reqs && reqs.length > 50) throw badQuery('Too many label_selector requirements (maximum is 50)');
  if (!reqs || reqs.some((r) => !SEL_FORMS.some((re) => re.test(r.trim())))) throw badQuery('Invalid label_selector value');
}

/** `label_selector=env=prod,tier in (a,b),!foo,bar` (a subset of CC's grammar). */
function labelsMatch(labels: Record<string, string>, selector: string[] | undefined): boolean {
  if (!selector) return true;
  const joined = selector.join(',');
  const reqs = joined.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return reqs.every((raw) => {
    const r = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(r))) {
      const set = m[3].split(',').map((s) => s.trim());
      const has = Object.hasOwn(labels, m[1]) && set.includes(labels[m[1]]);
      return m[2] === 'in' ? has : !has;
    }
    if ((m = /^([^\s!=]+)\s*(==|!=|=)\s*(.*)$/.exec(r))) {
      const eq = labels[m[1]] === m[3];
      return m[2] === '!=' ? !eq : eq;
    }
    if (r.startsWith('!')) return !Object.hasOwn(labels, r.slice(1));
    return Object.hasOwn(labels, r);
  });
}
