import type { JournalEntry } from '../fakes/core/journal.js';

export type { JournalEntry };

/**
 * What became of one case. `warned` passed with a remark worth reading (a SHOULD not met, say);
 * `not-applicable` could not run against this target (the message says why); `not-run` was never
 * reached (a run cut short, a shard that did not report).
 */
export type Outcome = 'passed' | 'failed' | 'warned' | 'skipped' | 'not-applicable' | 'not-run';

/** Every outcome, worst first: the order reports list them in. */
export const OUTCOMES: readonly Outcome[] = ['failed', 'warned', 'not-run', 'not-applicable', 'skipped', 'passed'];

/** Where a requirement comes from, e.g. `{ section: 'Provisioning', level: 'MUST' }`. */
export interface SpecCitation {
  section: string;
  level: 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'MAY' | (string & {});
  /** Where the section can be read, if it has an address. */
  url?: string;
}

/**
 * A step that was not an HTTP request the fakes saw: a broker running its service adapter, an
 * errand, a process restart. Drawn in the sequence diagram beside the journal's requests.
 */
export interface TraceStep {
  kind: 'adapter' | 'errand' | 'process' | 'note' | (string & {});
  /** Participant names, as in the sequence diagram: `cc`, `broker`, `adapter`, `bosh`, `uaa`, ... */
  from: string;
  to: string;
  /** What was asked, e.g. `generate-manifest`. */
  label: string;
  /** What came back, e.g. `exit 0`. Absent for a one-way step. */
  reply?: string;
  /** False when the step failed (drawn as a failed reply). */
  ok?: boolean;
  /** Wall-clock start (ms since epoch) and duration: places the step among the journal entries. */
  wallTime: number;
  wallDurationMs: number;
  virtualTime?: number;
  /** Anything worth showing when the step is opened (arguments, stdout, stderr). */
  details?: Record<string, unknown>;
}

/** One scenario, conformance check or adapter check, and what became of it. */
export interface CaseResult {
  /** Stable across runs (used to merge shards and compare runs). */
  id: string;
  title: string;
  /** The group it belongs to, e.g. a scenario file or a spec chapter. */
  suite: string;
  outcome: Outcome;
  /** Wall-clock milliseconds. */
  duration: number;
  tags: string[];
  /** One line: why it failed, warned or did not apply. */
  message?: string;
  /** More text: an assertion diff, a stack (trimmed), a broker's stderr. */
  details?: string;
  spec?: SpecCitation;
  /** How to do it again by hand, e.g. a `fakefoundry run` or `curl` command line. */
  reproduction?: string;
  /** Requests the fakes served and made while the case ran, in journal order. */
  journal?: JournalEntry[];
  /** Non-HTTP steps (adapter calls, errands) while the case ran. */
  steps?: TraceStep[];
  /** Free-form facts shown with the case (target, matrix cell, seed). */
  meta?: Record<string, string>;
}

/** A whole run of one tool. */
export interface RunResult {
  /** Which tool produced it: `scenarios`, `conformance`, `adapter-check`, ... */
  tool: string;
  title: string;
  /** ISO 8601 wall-clock start. */
  started: string;
  /** Wall-clock milliseconds. */
  duration: number;
  meta?: Record<string, string>;
  cases: CaseResult[];
}

export type Counts = Record<Outcome, number> & { total: number };

/** How many cases ended in each outcome. */
export function countOutcomes(cases: readonly CaseResult[]): Counts {
  const counts = { total: cases.length } as Counts;
  for (const o of OUTCOMES) counts[o] = 0;
  for (const c of cases) counts[c.outcome]++;
  return counts;
}

/** True when nothing failed and nothing that should have run was left unrun. */
export function isGreen(run: RunResult): boolean {
  return run.cases.every((c) => c.outcome !== 'failed' && c.outcome !== 'not-run');
}

/** The cases worst outcome first, then by suite and title (a stable order for every writer). */
export function sortCases(cases: readonly CaseResult[]): CaseResult[] {
  const rank = (o: Outcome) => OUTCOMES.indexOf(o);
  return [...cases].sort(
    (a, b) => rank(a.outcome) - rank(b.outcome) || a.suite.localeCompare(b.suite) || a.title.localeCompare(b.title) || a.id.localeCompare(b.id),
  );
}

/**
 * One run out of several (shards, or several tools' runs): cases are concatenated, a case id seen
 * twice keeps its worst outcome, `started` is the earliest and `duration` spans them all.
 */
export function mergeRuns(runs: readonly RunResult[], title?: string): RunResult {
  if (!runs.length) throw new Error('mergeRuns: nothing to merge');
  const byId = new Map<string, CaseResult>();
  const rank = (o: Outcome) => OUTCOMES.indexOf(o);
  for (const run of runs) {
    for (const c of run.cases) {
      const prev = byId.get(c.id);
      if (!prev || rank(c.outcome) < rank(prev.outcome)) byId.set(c.id, c);
    }
  }
  const starts = runs.map((r) => Date.parse(r.started));
  const start = Math.min(...starts);
  const end = Math.max(...runs.map((r, i) => starts[i] + r.duration));
  const tools = [...new Set(runs.map((r) => r.tool))];
  return {
    tool: tools.join('+'),
    title: title ?? runs[0].title,
    started: new Date(start).toISOString(),
    duration: end - start,
    meta: Object.assign({}, ...runs.map((r) => r.meta ?? {})) as Record<string, string>,
    cases: [...byId.values()],
  };
}

/** Wall-clock milliseconds as people read them: `850 ms`, `2.4 s`, `1 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${Math.round((ms % 60_000) / 1000)} s`;
}
