import { countOutcomes, formatDuration, OUTCOMES, sortCases, type CaseResult, type JournalEntry, type RunResult, type TraceStep } from '../model.js';
import { traceToMermaid, renderSequenceSvg, type SequenceOptions } from '../sequence.js';
import { REPORT_CSS, REPORT_JS } from './html-assets.js';

export interface HtmlOptions {
  /** Which cases get a sequence diagram (default `all`). */
  diagrams?: 'all' | 'failed' | 'none';
  sequence?: SequenceOptions;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ESC[ch]);
}

const domId = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

function pretty(body: string | null, contentType?: string): string {
  if (body == null || body === '') return '';
  if ((contentType ?? '').includes('json') || /^\s*[{[]/.test(body)) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      // Shown as it came.
    }
  }
  return body;
}

/**
 * Large bodies (the catalog, CC's lists, manifests) recur in every case of a run: each distinct
 * one is written once, in a JSON block the page's script copies into a request when it opens.
 */
class Bodies {
  static readonly INLINE_MAX = 1024;
  readonly #index = new Map<string, number>();
  readonly list: string[] = [];

  /** A `<pre>` with the body, or a placeholder naming the shared copy. */
  pre(text: string): string {
    if (text.length <= Bodies.INLINE_MAX) return `<pre class="body">${escapeHtml(text)}</pre>`;
    let i = this.#index.get(text);
    if (i === undefined) {
      i = this.list.push(text) - 1;
      this.#index.set(text, i);
    }
    return `<pre class="body" data-body="${i}"></pre>`;
  }

  /** The shared bodies, safe inside `<script>` (no `</script>`, no `<!--`). */
  script(): string {
    return `<script type="application/json" id="bodies">${JSON.stringify(this.list).replace(/</g, '\\u003c')}</script>`;
  }
}

function headersText(h: Record<string, string>): string {
  return Object.entries(h)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

function entryHtml(e: JournalEntry, bodies: Bodies): string {
  const who = e.direction === 'outbound' ? e.service : `→ ${e.service}`;
  const query = new URLSearchParams(Object.entries(e.query).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString();
  const bad = e.error || e.status >= 400 || e.status === 0;
  const reqBody = pretty(e.requestBody, e.requestHeaders['content-type']);
  const resBody = pretty(e.responseBody, e.responseHeaders['content-type']);
  return `<details class="call${bad ? ' bad' : ''}" id="call-${e.seq}"><summary><span class="seq">#${e.seq}</span> <span class="svc">${escapeHtml(who)}</span> <b>${escapeHtml(e.method)}</b> ${escapeHtml(e.path)}${query ? `?${escapeHtml(query)}` : ''} <span class="status">${e.error ? escapeHtml(e.error) : e.status}</span>${e.faults.length ? ' <span class="fault">fault</span>' : ''}${e.tags.length ? ` <span class="tags">${e.tags.map(escapeHtml).join(', ')}</span>` : ''} <span class="dur">${e.wallDurationMs} ms</span></summary>
<div class="exchange"><div><h4>Request</h4><pre>${escapeHtml(`${e.method} ${e.path}${query ? '?' + query : ''}\n${headersText(e.requestHeaders)}`)}</pre>${reqBody ? bodies.pre(reqBody) : ''}</div>
<div><h4>Response</h4><pre>${escapeHtml(`${e.status}\n${headersText(e.responseHeaders)}`)}</pre>${resBody ? bodies.pre(resBody) : ''}</div></div>
<p class="times">virtual time ${new Date(e.virtualTime).toISOString()} → ${new Date(e.virtualEndTime).toISOString()}</p></details>`;
}

function stepHtml(s: TraceStep, i: number, bodies: Bodies): string {
  const details = s.details ? bodies.pre(JSON.stringify(s.details, null, 2)) : '';
  return `<details class="call${s.ok === false ? ' bad' : ''}" id="step-${i}"><summary><span class="svc">${escapeHtml(`${s.from} → ${s.to}`)}</span> <b>${escapeHtml(s.kind)}</b> ${escapeHtml(s.label)}${s.reply !== undefined ? ` <span class="status">${escapeHtml(s.reply)}</span>` : ''} <span class="dur">${s.wallDurationMs} ms</span></summary>${details}</details>`;
}

function caseHtml(c: CaseResult, opts: HtmlOptions, bodies: Bodies): string {
  const parts: string[] = [];
  if (c.message) parts.push(`<p class="message">${escapeHtml(c.message)}</p>`);
  if (c.details) parts.push(`<pre class="details">${escapeHtml(c.details)}</pre>`);
  if (c.spec) {
    const text = `${escapeHtml(c.spec.section)} (${escapeHtml(c.spec.level)})`;
    parts.push(`<p class="spec">spec: ${text}${c.spec.url ? ` — <code>${escapeHtml(c.spec.url)}</code>` : ''}</p>`);
  }
  if (c.reproduction) parts.push(`<p class="repro">reproduce: <code>${escapeHtml(c.reproduction)}</code></p>`);
  if (c.meta && Object.keys(c.meta).length) parts.push(`<p class="meta">${Object.entries(c.meta).map(([k, v]) => `${escapeHtml(k)}: <code>${escapeHtml(v)}</code>`).join(' · ')}</p>`);
  const want = opts.diagrams ?? 'all';
  if (want === 'all' || (want === 'failed' && c.outcome === 'failed')) {
    const mermaid = traceToMermaid(c, opts.sequence);
    if (mermaid) {
      let figure: string;
      try {
        figure = renderSequenceSvg(mermaid);
      } catch (err) {
        figure = `<pre>${escapeHtml(mermaid)}</pre><p class="message">diagram not drawn: ${escapeHtml((err as Error).message)}</p>`;
      }
      parts.push(`<figure class="diagram">${figure}<figcaption>what happened, from the journal</figcaption></figure>`);
    }
  }
  if (c.journal?.length) parts.push(`<section class="calls"><h3>Requests (${c.journal.length})</h3>${c.journal.map((e) => entryHtml(e, bodies)).join('\n')}</section>`);
  if (c.steps?.length) parts.push(`<section class="calls"><h3>Steps (${c.steps.length})</h3>${c.steps.map((s, i) => stepHtml(s, i, bodies)).join('\n')}</section>`);
  const haystack = `${c.suite} ${c.title} ${c.tags.join(' ')} ${c.message ?? ''}`.toLowerCase();
  return `<details class="case ${c.outcome}" id="case-${domId(c.id)}" data-outcome="${c.outcome}" data-text="${escapeHtml(haystack)}"><summary><span class="badge ${c.outcome}">${c.outcome}</span> <span class="title">${escapeHtml(c.title)}</span> <span class="suite">${escapeHtml(c.suite)}</span>${c.tags.map((t) => ` <span class="tag">${escapeHtml(t)}</span>`).join('')} <span class="dur">${formatDuration(c.duration)}</span></summary>
<div class="body">${parts.join('\n') || '<p class="none">nothing recorded</p>'}</div></details>`;
}

/**
 * The run as one self-contained HTML page (inline CSS, script and SVG diagrams; no outside URL),
 * which opens offline: failures first, each case expandable with its message, sequence diagram
 * and every request's headers and bodies a click away; buttons filter by outcome, a box by text.
 */
export function toHtml(run: RunResult, opts: HtmlOptions = {}): string {
  const n = countOutcomes(run.cases);
  const counts = OUTCOMES.filter((o) => n[o] > 0)
    .map((o) => `<button type="button" class="badge ${o}" data-filter="${o}" aria-pressed="false">${o} ${n[o]}</button>`)
    .join(' ');
  const bodies = new Bodies();
  const cases = sortCases(run.cases)
    .map((c) => caseHtml(c, opts, bodies))
    .join('\n');
  const meta = Object.entries(run.meta ?? {})
    .map(([k, v]) => `${escapeHtml(k)}: <code>${escapeHtml(v)}</code>`)
    .join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(run.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(run.title)}</h1>
<p class="run">${escapeHtml(run.tool)} · started ${escapeHtml(run.started)} · ${formatDuration(run.duration)} · ${n.total} cases${meta ? ` · ${meta}` : ''}</p>
<p class="counts">${counts} <button type="button" data-filter="" class="badge all">all</button> <input type="search" id="filter" placeholder="filter by title, suite or tag" aria-label="filter"></p>
</header>
<main id="cases">
${cases}
</main>
${bodies.script()}
<script>${REPORT_JS}</script>
</body>
</html>
`;
}
