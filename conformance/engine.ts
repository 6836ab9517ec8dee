/**
 * Runs checks and turns what they found into cases. A check records findings (each with its level
 * and citation); the worst level decides the outcome: a MUST finding fails the case, SHOULD/MAY/CF
 * findings warn. A check that cannot run says so (`notRun`), and is never counted as passed.
 */
import { skipReason, type ConformanceConfig } from './config.js';
import type { OsbHttp } from './http.js';
import type { Citation, ConformanceCase, Exchange, Finding, Outcome } from './model.js';
import type { Timing } from './timing.js';

export interface CheckDef {
  id: string;
  /** More checklist ids the same probe covers. */
  also?: string[];
  title: string;
  since: string;
  citation: Citation;
  scope?: string;
  tags?: string[];
  /** Runs whatever the config skips (cleanup). */
  always?: boolean;
}

class Stop extends Error {
  constructor(
    readonly outcome: 'not-run' | 'not-applicable',
    message: string,
  ) {
    super(message);
  }
}

export class CaseContext {
  readonly findings: Finding[] = [];
  readonly journal: Exchange[] = [];
  #notes: string[] = [];
  readonly def: CheckDef;

  constructor(def: CheckDef) {
    this.def = def;
  }

  /** Records a finding at the level of `citation` (the case's own by default). Repeats are dropped. */
  fail(message: string, citation: Citation = this.def.citation, exchange?: Exchange): void {
    if (this.findings.some((f) => f.message === message && f.citation.anchor === citation.anchor)) return;
    this.findings.push({ level: citation.level, message, citation, ...(exchange ? { exchange: exchange.seq } : {}) });
  }

  /** Records a finding when `ok` is false. */
  expect(ok: boolean, message: string, citation?: Citation, exchange?: Exchange): boolean {
    if (!ok) this.fail(message, citation, exchange);
    return ok;
  }

  /** A line for the report when the case passes (what was observed). */
  note(message: string): void {
    this.#notes.push(message);
  }

  get notes(): string[] {
    return this.#notes;
  }

  /** Ends the check: it could not run (a precondition failed). */
  notRun(reason: string): never {
    throw new Stop('not-run', reason);
  }

  /** Ends the check: it does not apply to this broker or plan. */
  notApplicable(reason: string): never {
    throw new Stop('not-applicable', reason);
  }
}

export function versionAtLeast(version: string, since: string): boolean {
  const [a, b] = version.split('.').map(Number);
  const [c, d] = since.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

export class Engine {
  readonly cases: ConformanceCase[] = [];
  readonly http: OsbHttp;
  readonly timing: Timing;
  readonly config: ConformanceConfig;
  readonly version: string;
  /** Called with each case as it is recorded (progress output). */
  onCase: ((c: ConformanceCase) => void) | undefined;

  constructor(opts: { http: OsbHttp; timing: Timing; config: ConformanceConfig; version: string }) {
    this.http = opts.http;
    this.timing = opts.timing;
    this.config = opts.config;
    this.version = opts.version;
  }

  /** Why a check will not run here (version, config skip), or undefined. */
  gate(def: CheckDef): { outcome: Outcome; message: string } | undefined {
    if (!versionAtLeast(this.version, def.since)) {
      return { outcome: 'not-applicable', message: `applies from OSBAPI ${def.since}; this run is ${this.version}` };
    }
    const reason = def.always ? undefined : skipReason(this.config, [def.id, ...(def.also ?? [])]);
    if (reason !== undefined) return { outcome: 'skipped', message: reason };
    return undefined;
  }

  /** Whether a check would run (so callers can avoid setting up what it needs). */
  enabled(def: CheckDef): boolean {
    return this.gate(def) === undefined;
  }

  async run(def: CheckDef, fn: (t: CaseContext) => Promise<void> | void): Promise<ConformanceCase> {
    const gated = this.gate(def);
    if (gated) return this.record(def, gated.outcome, gated.message);
    const t = new CaseContext(def);
    const prevSink = this.http.sink;
    const prevTag = this.http.tag;
    this.http.sink = (e) => {
      t.journal.push(e);
      prevSink?.(e);
    };
    this.http.tag = def.id;
    const started = this.timing.now();
    const wallStart = Date.now();
    let stop: Stop | undefined;
    try {
      await fn(t);
    } catch (err) {
      if (err instanceof Stop) stop = err;
      else stop = new Stop('not-run', `the check itself failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.http.sink = prevSink;
      this.http.tag = prevTag;
    }
    // Virtual time when the suite runs on a clock, so reports show how long the broker made it wait.
    const durationMs = Math.max(this.timing.now() - started, Date.now() - wallStart);
    let outcome: Outcome;
    let message: string | undefined;
    if (t.findings.some((f) => f.level === 'MUST')) outcome = 'failed';
    else if (t.findings.length > 0) outcome = 'warned';
    else if (stop) outcome = stop.outcome;
    else outcome = 'passed';
    if (t.findings.length > 0) {
      const first = t.findings.find((f) => f.level === 'MUST') ?? t.findings[0];
      message = first.message;
    } else if (stop) message = stop.message;
    else if (t.notes.length > 0) message = t.notes.join('; ');
    // A check stopped after findings still reports them; the reason it stopped goes in the details.
    const lines = t.findings.map((f) => `[${f.level}] ${f.message}`);
    if (stop && t.findings.length > 0) lines.push(`(${stop.outcome}: ${stop.message})`);
    const c = this.#case(def, outcome, message, lines.join('\n') || undefined, durationMs, t.findings, t.journal);
    this.cases.push(c);
    this.onCase?.(c);
    return c;
  }

  /** Records a case that is not run at all (n/a, skipped, not-run) with its reason. */
  record(def: CheckDef, outcome: Outcome, message: string): ConformanceCase {
    const c = this.#case(def, outcome, message, undefined, 0, [], []);
    this.cases.push(c);
    this.onCase?.(c);
    return c;
  }

  #case(def: CheckDef, outcome: Outcome, message: string | undefined, details: string | undefined, durationMs: number, findings: Finding[], journal: Exchange[]): ConformanceCase {
    return {
      id: def.id,
      covers: [def.id, ...(def.also ?? [])],
      title: def.title,
      ...(def.scope ? { scope: def.scope } : {}),
      since: def.since,
      outcome,
      durationMs,
      tags: [...(def.tags ?? []), def.citation.level, `since-${def.since}`],
      ...(message !== undefined ? { message } : {}),
      ...(details !== undefined ? { details } : {}),
      citation: def.citation,
      findings,
      journal,
    };
  }
}
