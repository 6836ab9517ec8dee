import { countOutcomes, formatDuration, OUTCOMES, sortCases, type CaseResult, type Outcome, type RunResult } from '../model.js';
import { traceToText, type SequenceOptions } from '../sequence.js';

export interface PrettyOptions {
  /** ANSI colours; default: only when the stream is a TTY and `NO_COLOR` is unset. */
  color?: boolean;
  /** Draw a failed case's sequence diagram as text (default true). */
  diagrams?: boolean;
  /** Unicode box drawing, or plain ASCII for old terminals (default `unicode`). */
  charset?: 'unicode' | 'ascii';
  sequence?: SequenceOptions;
}

/** Whether a stream should get colours: a TTY, and `NO_COLOR` not set (`FORCE_COLOR` forces them). */
export function wantsColor(stream: { isTTY?: boolean } = process.stdout): boolean {
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

const STYLE: Record<Outcome, { mark: string; ascii: string; code: number; word: string }> = {
  passed: { mark: '✓', ascii: 'ok', code: 32, word: 'passed' },
  failed: { mark: '✗', ascii: 'FAIL', code: 31, word: 'failed' },
  warned: { mark: '!', ascii: 'WARN', code: 33, word: 'warned' },
  skipped: { mark: '-', ascii: 'skip', code: 2, word: 'skipped' },
  'not-applicable': { mark: '○', ascii: 'n/a', code: 2, word: 'not applicable' },
  'not-run': { mark: '·', ascii: 'not run', code: 2, word: 'not run' },
};

function paint(on: boolean, code: number, s: string): string {
  return on ? `\x1b[${code}m${s}\x1b[0m` : s;
}

/** One line for a finished case (the progress line while a run goes on). */
export function formatCaseLine(c: CaseResult, opts: PrettyOptions = {}): string {
  const color = opts.color ?? false;
  const s = STYLE[c.outcome];
  const mark = paint(color, s.code, opts.charset === 'ascii' ? s.ascii : s.mark);
  const tail = c.outcome === 'passed' ? '' : c.message ? ` — ${firstLine(c.message)}` : '';
  return `${mark} ${c.suite ? paint(color, 2, c.suite + ' › ') : ''}${c.title} ${paint(color, 2, `(${formatDuration(c.duration)})`)}${c.outcome === 'not-applicable' || c.outcome === 'skipped' ? paint(color, 2, tail) : tail}`;
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0];
}

function indent(text: string, by = '    '): string {
  return text.replace(/^(?=.)/gm, by);
}

/** What went wrong in one case: message, details, spec citation, reproduction and (if wanted) its diagram. */
export function formatCaseDetails(c: CaseResult, opts: PrettyOptions = {}): string {
  const color = opts.color ?? false;
  const out = [paint(color, STYLE[c.outcome].code, `${STYLE[c.outcome].word.toUpperCase()}  ${c.suite} › ${c.title}`)];
  if (c.message) out.push(indent(c.message));
  if (c.details) out.push(indent(paint(color, 2, c.details)));
  if (c.spec) out.push(indent(`spec: ${c.spec.section} (${c.spec.level})${c.spec.url ? ` ${c.spec.url}` : ''}`));
  if (c.reproduction) out.push(indent(`reproduce: ${c.reproduction}`));
  if (opts.diagrams !== false && (c.journal?.length || c.steps?.length)) {
    const text = traceToText(c, { ...opts.sequence, ascii: opts.charset === 'ascii', color: false });
    if (text) out.push(indent('what happened:'), indent(text));
  }
  return out.join('\n');
}

/** The summary table: a row per outcome that occurred, the total and the run's duration. */
export function formatSummary(run: RunResult, opts: PrettyOptions = {}): string {
  const color = opts.color ?? false;
  const n = countOutcomes(run.cases);
  const rows = OUTCOMES.filter((o) => n[o] > 0).map((o) => [paint(color, STYLE[o].code, STYLE[o].word), String(n[o])]);
  rows.push(['total', String(n.total)]);
  const w0 = Math.max(...rows.map((r) => visible(r[0]).length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const lines = rows.map(([a, b]) => `  ${a}${' '.repeat(w0 - visible(a).length)}  ${b.padStart(w1)}`);
  return [`${run.title}: ${n.total} cases in ${formatDuration(run.duration)}`, ...lines].join('\n');
}

function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

/**
 * The whole run for a terminal: a line per case (worst first), then the failures and warnings in
 * full, each with its sequence diagram as text, then the summary table.
 */
export function toPretty(run: RunResult, opts: PrettyOptions = {}): string {
  const sorted = sortCases(run.cases);
  const parts = [sorted.map((c) => formatCaseLine(c, opts)).join('\n')];
  const worth = sorted.filter((c) => c.outcome === 'failed' || c.outcome === 'warned');
  if (worth.length) parts.push(worth.map((c) => formatCaseDetails(c, { ...opts, diagrams: opts.diagrams !== false && c.outcome === 'failed' })).join('\n\n'));
  parts.push(formatSummary(run, opts));
  return parts.join('\n\n') + '\n';
}
