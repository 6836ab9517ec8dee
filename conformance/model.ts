/**
 * The result model of a conformance run. It is shaped like the shared report model (cases with an
 * outcome, message, details, citation and the exchanges made) so the report writers can render it.
 */
import type { JournalEntry } from '../fakes/core/journal.js';

/** RFC 2119 strength of a requirement, as the spec words it; `CF` marks a Cloud Foundry-only rule. */
export type Level = 'MUST' | 'SHOULD' | 'MAY' | 'CF';

export type Outcome = 'passed' | 'failed' | 'warned' | 'skipped' | 'not-applicable' | 'not-run';

/** Where a requirement comes from: a section of the OSBAPI spec (or profile) and its wording. */
export interface Citation {
  /** `spec` = osbapi/spec.md, `profile` = osbapi/profile.md, `cf` = Cloud Controller's behaviour. */
  document: 'spec' | 'profile' | 'cf';
  section: string;
  /** Anchor of the section in the published document (`#provisioning`). */
  anchor: string;
  level: Level;
  /** What the document requires, in a sentence a broker developer can act on. */
  requirement: string;
}

/** One thing that did not meet a requirement, inside a case. */
export interface Finding {
  level: Level;
  message: string;
  citation: Citation;
  /** `seq` of the exchange that shows it, when one does. */
  exchange?: number;
}

/** An exchange with the broker, in the journal's shape so the shared sequence renderer draws it. */
export type Exchange = JournalEntry;

export interface ConformanceCase {
  /** Checklist id, e.g. `PROV-01`. */
  id: string;
  /** Every checklist line this case covers (the first is `id`). */
  covers: string[];
  title: string;
  /** The service offering and plan it ran for, `service/plan`, when it is per plan. */
  scope?: string;
  /** The spec version from which the check applies. */
  since: string;
  outcome: Outcome;
  durationMs: number;
  tags: string[];
  /** One line: why it failed, warned, was skipped or could not run; or what passed. */
  message?: string;
  /** The findings, one per line. */
  details?: string;
  citation: Citation;
  findings: Finding[];
  journal: Exchange[];
}

export interface ConformanceSummary {
  total: number;
  passed: number;
  failed: number;
  warned: number;
  skipped: number;
  notApplicable: number;
  notRun: number;
}

export interface ConformanceResult {
  name: string;
  brokerUrl: string;
  osbVersion: string;
  startedAt: string;
  durationMs: number;
  cases: ConformanceCase[];
  summary: ConformanceSummary;
  /** True when no MUST failed (the CLI exits 0). */
  ok: boolean;
}

export function summarize(cases: ConformanceCase[]): ConformanceSummary {
  const count = (o: Outcome) => cases.filter((c) => c.outcome === o).length;
  return {
    total: cases.length,
    passed: count('passed'),
    failed: count('failed'),
    warned: count('warned'),
    skipped: count('skipped'),
    notApplicable: count('not-applicable'),
    notRun: count('not-run'),
  };
}
