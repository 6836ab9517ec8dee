import { sortCases, type RunResult } from '../../report/model.js';
import { formatCaseDetails, formatSummary, type PrettyOptions } from '../../report/writers/pretty.js';

/** The end of a run in the terminal: failures and warnings in full (failures with their diagram), then the summary. */
export function toPrettyEnd(run: RunResult, opts: PrettyOptions = {}): string {
  const worth = sortCases(run.cases).filter((c) => c.outcome === 'failed' || c.outcome === 'warned');
  const parts = worth.map((c) => formatCaseDetails(c, { ...opts, diagrams: c.outcome === 'failed' }));
  parts.push(formatSummary(run, opts));
  return '\n' + parts.join('\n\n') + '\n';
}
