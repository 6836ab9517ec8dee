/** The terminal report: cases grouped by plan, each finding with its citation and the exchange that shows it. */
import { formatCitation } from '../citations.js';
import type { ConformanceCase, ConformanceResult, Outcome } from '../model.js';

const SYMBOL: Record<Outcome, string> = { passed: '✓', failed: '✗', warned: '!', skipped: '-', 'not-applicable': '·', 'not-run': '?' };
const COLOR: Record<Outcome, string> = { passed: '32', failed: '31', warned: '33', skipped: '90', 'not-applicable': '90', 'not-run': '35' };

export interface PrettyOptions {
  color?: boolean;
  /** Also list passed and not-applicable cases (default: only what needs attention, then the counts). */
  verbose?: boolean;
}

export function renderPretty(result: ConformanceResult, opts: PrettyOptions = {}): string {
  const paint = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [];
  out.push(paint('1', `${result.name} — ${result.brokerUrl}`));
  const groups = new Map<string, ConformanceCase[]>();
  for (const c of result.cases) {
    const g = c.scope ?? 'broker';
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  for (const [group, cases] of groups) {
    const shown = cases.filter((c) => opts.verbose || !(c.outcome === 'passed' || c.outcome === 'not-applicable'));
    if (shown.length === 0) {
      const passed = cases.filter((c) => c.outcome === 'passed').length;
      out.push(`  ${group}  ${paint(COLOR.passed, `${passed} passed`)}${passed < cases.length ? paint('90', `, ${cases.length - passed} not applicable`) : ''}`);
      continue;
    }
    out.push(`  ${paint('1', group)}`);
    for (const c of shown) {
      out.push(`    ${paint(COLOR[c.outcome], SYMBOL[c.outcome])} ${c.id.padEnd(8)} ${c.title}`);
      if (c.outcome === 'passed' || c.outcome === 'not-applicable' || c.outcome === 'skipped' || c.outcome === 'not-run') {
        if (c.message && c.outcome !== 'passed') out.push(paint('90', `               ${c.message}`));
        continue;
      }
      const cited = new Set<string>();
      for (const f of c.findings) {
        const x = f.exchange !== undefined ? c.journal.find((e) => e.seq === f.exchange) : undefined;
        const sent = x ? paint('90', `  [${x.method} ${x.path} → ${x.status === 0 ? x.error : x.status}]`) : '';
        out.push(`               ${paint(f.level === 'MUST' ? COLOR.failed : COLOR.warned, f.level.padEnd(6))} ${f.message}${f.message.includes(x?.path ?? '\u0000') ? '' : sent}`);
        const cite = `${formatCitation(f.citation)}: ${f.citation.requirement}`;
        if (!cited.has(cite)) out.push(paint('90', `                      ${cite}`));
        cited.add(cite);
      }
    }
  }
  const s = result.summary;
  const counts = [
    paint(COLOR.passed, `${s.passed} passed`),
    paint(s.failed ? COLOR.failed : '0', `${s.failed} failed`),
    paint(s.warned ? COLOR.warned : '0', `${s.warned} warnings`),
    `${s.notRun} not run`,
    `${s.skipped} skipped`,
    `${s.notApplicable} not applicable`,
  ];
  out.push('');
  out.push(`${counts.join(', ')} (${s.total} checks, OSBAPI ${result.osbVersion}, ${(result.durationMs / 1000).toFixed(1)} s)`);
  out.push(result.ok ? paint(COLOR.passed, 'no MUST failed') : paint(COLOR.failed, `${s.failed} check(s) failed a MUST`));
  return out.join('\n') + '\n';
}
