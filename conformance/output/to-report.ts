/** A conformance result in the shared report model, so the shared writers (pretty, JUnit, JSON, HTML) render it. */
import type { CaseResult, RunResult } from '../../report/model.js';
import { citationUrl, formatCitation } from '../citations.js';
import type { ConformanceCase, ConformanceResult, Exchange } from '../model.js';

export function toRunResult(result: ConformanceResult): RunResult {
  const seen = new Map<string, number>();
  const cases = result.cases.map((c): CaseResult => {
    const base = `${c.scope ?? 'broker'}:${c.id}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const repro = reproduction(c, result.brokerUrl);
    return {
      id: n === 1 ? base : `${base}#${n}`,
      title: `${c.id} ${c.title}`,
      suite: c.scope ?? 'broker',
      outcome: c.outcome,
      duration: c.durationMs,
      tags: c.tags,
      ...(c.message !== undefined ? { message: c.message } : {}),
      ...(c.findings.length ? { details: details(c) } : {}),
      spec: { section: formatCitation(c.citation).replace(/, (MUST|SHOULD|MAY|CF)$/, ''), level: c.citation.level, ...(citationUrl(c.citation, result.osbVersion) ? { url: citationUrl(c.citation, result.osbVersion) } : {}) },
      ...(repro ? { reproduction: repro } : {}),
      ...(c.journal.length ? { journal: c.journal } : {}),
      meta: { checklist: c.covers.join(', '), since: `OSBAPI ${c.since}`, requirement: c.citation.requirement },
    };
  });
  return {
    tool: 'conformance',
    title: result.name,
    started: result.startedAt,
    duration: result.durationMs,
    meta: { broker: result.brokerUrl, 'OSBAPI version': result.osbVersion, verdict: result.ok ? 'no MUST failed' : `${result.summary.failed} MUST failure(s)` },
    cases,
  };
}

/** Each finding: level, what happened, what is required and where, what was sent. */
function details(c: ConformanceCase): string {
  return c.findings
    .map((f) => {
      const x = f.exchange !== undefined ? c.journal.find((e) => e.seq === f.exchange) : undefined;
      const cite = `${formatCitation(f.citation)}: ${f.citation.requirement}`;
      // The case's message is the first finding already: do not print it twice.
      const lines = f.message === c.message ? [`[${f.level}] ${cite}`] : [`[${f.level}] ${f.message}`, `    ${cite}`];
      if (x) lines.push(`    sent ${x.method} ${x.path}${query(x)} → ${x.status === 0 ? x.error : x.status}`);
      return lines.join('\n');
    })
    .join('\n');
}

function query(x: Exchange): string {
  const q = Object.entries(x.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return q.length ? `?${q.join('&')}` : '';
}

/** A curl command that repeats the exchange behind the first finding. */
function reproduction(c: ConformanceCase, brokerUrl: string): string | undefined {
  const seq = c.findings.find((f) => f.exchange !== undefined)?.exchange;
  const x = seq !== undefined ? c.journal.find((e) => e.seq === seq) : undefined;
  if (!x) return undefined;
  const origin = new URL(brokerUrl).origin;
  const parts = [`curl -X ${x.method} '${origin}${x.path}${query(x)}'`];
  if (x.requestHeaders.authorization) parts.push('-u "$BROKER_USER:$BROKER_PASSWORD"');
  for (const h of ['x-broker-api-version', 'x-broker-api-originating-identity', 'content-type']) {
    if (x.requestHeaders[h]) parts.push(`-H '${h}: ${x.requestHeaders[h]}'`);
  }
  if (x.requestBody) parts.push(`-d '${x.requestBody.replace(/'/g, `'\\''`)}'`);
  return parts.join(' ');
}
