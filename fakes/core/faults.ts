import { z } from 'zod';
import type { Random } from './random.js';

/**
 * Fault rules: what a test says should go wrong, and where. Each fake answers a `status` fault in
 * its own error format, so a client sees the same envelope it would from the real system.
 */
export const faultActionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('status'),
    status: z.number().int().min(100).max(599),
    /** A raw body; without it the fake writes its own error body for the status. */
    body: z.string().optional(),
    contentType: z.string().optional(),
    /** The error text put into the fake's own error envelope. */
    message: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  /** Virtual latency: the request waits until the foundation clock has moved this far. */
  z.object({ type: z.literal('latency'), ms: z.number().int().min(0) }),
  /** Never answers, until the rule is removed (then the request goes on) or the client gives up. */
  z.object({ type: z.literal('hang') }),
  /** Drops the connection without an answer. */
  z.object({ type: z.literal('reset') }),
]);

export const faultMatchSchema = z.object({
  /** `uaa`, `bosh`, `cc`, or an outbound leg such as `cc->broker`. */
  service: z.string().optional(),
  method: z.string().optional(),
  /** Exact path, a glob with `*` (one segment) and `**` (any), or a regex written `/.../`. */
  path: z.string().optional(),
  /** The raw request body contains this text. */
  bodyContains: z.string().optional(),
  /** Every key here equals the same key in the JSON (or form) body. */
  bodyFields: z.record(z.string(), z.unknown()).optional(),
  /** Query parameters that must be present with these values. */
  query: z.record(z.string(), z.string()).optional(),
});

export const faultRuleInputSchema = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  match: faultMatchSchema.default({}),
  action: faultActionSchema,
  /** Act on the first N matching calls only, then let calls through. */
  times: z.number().int().min(1).optional(),
  /** Skip the first N matching calls before acting. */
  after: z.number().int().min(0).optional(),
  /** Act with this probability (drawn from the foundation seed). */
  probability: z.number().min(0).max(1).optional(),
});

export type FaultAction = z.infer<typeof faultActionSchema>;
export type FaultMatch = z.infer<typeof faultMatchSchema>;
export type FaultRuleInput = z.input<typeof faultRuleInputSchema>;

export interface FaultRule {
  id: string;
  name?: string;
  match: FaultMatch;
  action: FaultAction;
  times?: number;
  after?: number;
  probability?: number;
  /** Matching calls seen. */
  matched: number;
  /** Calls the rule acted on. */
  hits: number;
}

export interface FaultRequest {
  service: string;
  method: string;
  path: string;
  query: URLSearchParams;
  body: string | null;
  contentType?: string;
}

/** Compiled patterns, by pattern text: compiling on every request dominated fault matching. */
const compiled = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  const hit = compiled.get(glob);
  if (hit) return hit;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') re += '[^/]*';
    else re += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${re}$`);
  if (compiled.size >= 1024) compiled.clear();
  compiled.set(glob, regex);
  return regex;
}

export function pathMatches(pattern: string, path: string): boolean {
  if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/') && !pattern.includes('*')) {
    // `/…/` is a regex only when it is not also a plain path like `/v2/`
    try {
      let regex = compiled.get(pattern);
      if (!regex) {
        regex = new RegExp(pattern.slice(1, -1));
        if (compiled.size >= 1024) compiled.clear();
        compiled.set(pattern, regex);
      }
      if (regex.test(path)) return true;
    } catch {
      /* not a regex: fall through to a literal comparison */
    }
  }
  if (pattern.includes('*')) return globToRegExp(pattern).test(path);
  return pattern === path;
}

function parseBodyFields(body: string | null, contentType?: string): Record<string, unknown> | undefined {
  if (!body) return undefined;
  if ((contentType ?? '').includes('x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  try {
    const v = JSON.parse(body);
    return v && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

export class FaultRegistry {
  #rules: FaultRule[] = [];
  #seq = 0;
  #random: Random;
  #listeners = new Set<() => void>();

  constructor(random: Random) {
    this.#random = random;
  }

  add(input: FaultRuleInput): FaultRule {
    const parsed = faultRuleInputSchema.parse(input);
    const rule: FaultRule = {
      id: parsed.id ?? `fault-${++this.#seq}`,
      name: parsed.name,
      match: parsed.match,
      action: parsed.action,
      times: parsed.times,
      after: parsed.after,
      probability: parsed.probability,
      matched: 0,
      hits: 0,
    };
    if (this.#rules.some((r) => r.id === rule.id)) throw new Error(`a fault rule with id '${rule.id}' exists`);
    this.#rules.push(rule);
    this.#changed();
    return rule;
  }

  remove(id: string): boolean {
    const i = this.#rules.findIndex((r) => r.id === id);
    if (i < 0) return false;
    this.#rules.splice(i, 1);
    this.#changed();
    return true;
  }

  clear(): void {
    this.#rules = [];
    this.#changed();
  }

  list(): FaultRule[] {
    return this.#rules.map((r) => ({ ...r }));
  }

  get(id: string): FaultRule | undefined {
    return this.#rules.find((r) => r.id === id);
  }

  has(id: string): boolean {
    return this.#rules.some((r) => r.id === id);
  }

  /** Called when rules are added or removed: hanging requests re-check whether to go on, the dashboard redraws. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** The rules that act on this request, counting hits; first the latency rules, then at most one terminal. */
  evaluate(req: FaultRequest): FaultRule[] {
    const acting: FaultRule[] = [];
    let fields: Record<string, unknown> | undefined;
    let fieldsParsed = false;
    for (const rule of this.#rules) {
      const m = rule.match;
      if (m.service !== undefined && m.service !== req.service) continue;
      if (m.method !== undefined && m.method.toUpperCase() !== req.method.toUpperCase()) continue;
      if (m.path !== undefined && !pathMatches(m.path, req.path)) continue;
      if (m.bodyContains !== undefined && !(req.body ?? '').includes(m.bodyContains)) continue;
      if (m.query !== undefined && !Object.entries(m.query).every(([k, v]) => req.query.get(k) === v)) continue;
      if (m.bodyFields !== undefined) {
        if (!fieldsParsed) {
          fields = parseBodyFields(req.body, req.contentType);
          fieldsParsed = true;
        }
        const f = fields;
        if (!f || !Object.entries(m.bodyFields).every(([k, v]) => JSON.stringify(f[k]) === JSON.stringify(v))) continue;
      }
      rule.matched++;
      if (rule.after !== undefined && rule.matched <= rule.after) continue;
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      if (rule.probability !== undefined && !this.#random.bool(rule.probability)) continue;
      rule.hits++;
      acting.push(rule);
      if (rule.action.type !== 'latency') break;
    }
    return acting;
  }

  #changed(): void {
    for (const fn of this.#listeners) fn();
  }
}
