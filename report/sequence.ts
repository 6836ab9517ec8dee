/**
 * What happened in a case, drawn as a sequence diagram between the platform (CC), the broker, its
 * service adapter, BOSH and UAA: journal entries (and non-HTTP steps) → Mermaid source → SVG (for
 * the HTML report) or text (for terminals), rendered by `beautiful-mermaid` with no DOM.
 *
 * Who called whom comes from the journal: an outbound entry's service names both ends
 * (`cc->broker` is CC calling the broker); an inbound entry was served by the fake it names, and
 * its caller is the broker unless a `from:<name>` tag or the `callerOf` option says otherwise.
 * Calls made while another was in flight are drawn inside it (CC's PUT to the broker contains the
 * broker's calls to UAA and BOSH), from the entries' wall-clock intervals.
 */
import { renderMermaidASCII, renderMermaidSVG } from 'beautiful-mermaid';
import type { JournalEntry, TraceStep } from './model.js';

/** The participants drawn in every diagram, left to right, when they take part. */
export const PARTICIPANTS: ReadonlyArray<{ name: string; id: string; label: string }> = [
  { name: 'platform', id: 'Platform', label: 'Platform (conformance)' },
  { name: 'cc', id: 'CC', label: 'Platform (CC)' },
  { name: 'broker', id: 'Broker', label: 'Broker' },
  { name: 'adapter', id: 'Adapter', label: 'Adapter' },
  { name: 'bosh', id: 'BOSH', label: 'BOSH' },
  { name: 'uaa', id: 'UAA', label: 'UAA' },
];

export interface SequenceOptions {
  /** Who made an inbound request (default: a `from:<name>` tag, else `broker`). */
  callerOf?: (entry: JournalEntry) => string;
  /** Leave entries out (default: {@link isInternalLookup} entries are left out). */
  include?: (entry: JournalEntry) => boolean;
  /** At most this many arrows; the rest is summarised in a note (default 120). */
  maxMessages?: number;
  /** Label length before it is shortened with `…` (default 56). */
  maxLabel?: number;
}

/** The requests and steps of one case. */
export interface Trace {
  journal?: readonly JournalEntry[];
  steps?: readonly TraceStep[];
}

interface Call {
  from: string;
  to: string;
  label: string;
  reply?: string;
  failed: boolean;
  start: number;
  end: number;
  order: number;
  children: Call[];
  count: number;
}

const UUID = /\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

function clean(text: string, max: number): string {
  // One line, no markup the Mermaid parser would read (entities, <br>), short enough to draw.
  let s = text.replace(/\s+/g, ' ').replace(/[<>]/g, '').replace(/&/g, '+').trim();
  if (s.length > max) s = s.slice(0, max - 1) + '…';
  return s || '-';
}

function requestLabel(e: JournalEntry): string {
  const path = e.path.replace(UUID, '$1…');
  const keys = Object.keys(e.query);
  return `${e.method} ${path}${keys.length ? '?' + keys.join('&') : ''}`;
}

function replyLabel(e: JournalEntry): string {
  if (e.error) return e.error;
  const parts = [String(e.status)];
  const location = e.responseHeaders['location'];
  if (location) parts.push('→ ' + location.replace(/^https?:\/\/[^/]+/, '').replace(UUID, '$1…'));
  const body = e.responseBody?.trim();
  if (body?.startsWith('{')) {
    try {
      const json = JSON.parse(body) as Record<string, unknown>;
      const pick = ['state', 'error', 'error_code', 'code', 'operation'].find((k) => typeof json[k] === 'string' || typeof json[k] === 'number');
      if (pick) parts.push(String(json[pick]));
      else if (typeof json.access_token === 'string') parts.push('token');
      else if (typeof json.description === 'string') parts.push(json.description);
    } catch {
      // Not JSON after all: the status says enough.
    }
  }
  if (e.faults.length) parts.push('[fault]');
  return parts.join(' ');
}

/**
 * A fake's own lookup of another, not a call anyone made: BOSH and CC fetch UAA's keys and OIDC
 * document (with no headers at all) to verify the tokens they are shown.
 */
export function isInternalLookup(e: JournalEntry): boolean {
  return e.service === 'uaa' && e.method === 'GET' && (e.path === '/token_keys' || e.path === '/.well-known/openid-configuration') && Object.keys(e.requestHeaders).length === 0;
}

/** The default caller of an inbound request. */
export function defaultCaller(e: JournalEntry): string {
  const tag = e.tags.find((t) => t.startsWith('from:'));
  return tag ? tag.slice(5) : 'broker';
}

function calls(trace: Trace, opts: SequenceOptions): Call[] {
  const max = opts.maxLabel ?? 56;
  const callerOf = opts.callerOf ?? defaultCaller;
  const out: Call[] = [];
  for (const e of trace.journal ?? []) {
    if (!(opts.include ?? ((x: JournalEntry) => !isInternalLookup(x)))(e)) continue;
    const [from, to] = e.direction === 'outbound' && e.service.includes('->') ? e.service.split('->', 2) : [callerOf(e), e.service];
    out.push({
      from,
      to,
      label: clean(requestLabel(e), max),
      reply: clean(replyLabel(e), max),
      failed: Boolean(e.error) || e.status >= 500 || e.status === 0,
      start: e.wallTime,
      end: e.wallTime + e.wallDurationMs,
      order: e.seq,
      children: [],
      count: 1,
    });
  }
  for (const [i, s] of (trace.steps ?? []).entries()) {
    out.push({
      from: s.from,
      to: s.to,
      label: clean(s.label, max),
      reply: s.reply === undefined ? undefined : clean(s.reply, max),
      failed: s.ok === false,
      start: s.wallTime,
      end: s.wallTime + s.wallDurationMs,
      // Steps sort after journal entries with the same times.
      order: 1e12 + i,
      children: [],
      count: 1,
    });
  }
  return out;
}

/** Nests calls made during another call into it, when the inner caller is the outer callee. */
function nest(all: Call[]): Call[] {
  const sorted = [...all].sort((a, b) => {
    if (a.start !== b.start) return a.start - b.start;
    if (a.end !== b.end) return b.end - a.end;
    if (a.to === b.from && b.to !== a.from) return -1;
    if (b.to === a.from && a.to !== b.from) return 1;
    return a.order - b.order;
  });
  const roots: Call[] = [];
  const open: Call[] = [];
  for (const c of sorted) {
    while (open.length && open[open.length - 1].end < c.start) open.pop();
    const parent = [...open].reverse().find((p) => p.start <= c.start && c.end <= p.end && p.to === c.from && p !== c);
    (parent ? parent.children : roots).push(c);
    open.push(c);
  }
  return roots.map(collapse);
}

/** Folds runs of identical leaf calls (polling) into one arrow with a count. */
function collapse(c: Call): Call {
  const kids: Call[] = [];
  for (const k of c.children.map(collapse)) {
    const prev = kids[kids.length - 1];
    if (prev && !prev.children.length && !k.children.length && prev.from === k.from && prev.to === k.to && prev.label === k.label && prev.reply === k.reply && prev.failed === k.failed) prev.count++;
    else kids.push(k);
  }
  return { ...c, children: kids };
}

function participantId(name: string): string {
  return PARTICIPANTS.find((p) => p.name === name)?.id ?? (name.replace(/[^A-Za-z0-9_]/g, '_') || 'unknown');
}

/**
 * The Mermaid `sequenceDiagram` source for a case's journal entries and steps. Returns `undefined`
 * when there is nothing to draw.
 */
export function traceToMermaid(trace: Trace, opts: SequenceOptions = {}): string | undefined {
  const roots = nest(calls(trace, opts));
  const top: Call[] = [];
  for (const r of roots) {
    const prev = top[top.length - 1];
    if (prev && !prev.children.length && !r.children.length && prev.from === r.from && prev.to === r.to && prev.label === r.label && prev.reply === r.reply) prev.count++;
    else top.push(r);
  }
  if (!top.length) return undefined;
  const names = new Set<string>();
  const visit = (c: Call) => {
    names.add(c.from);
    names.add(c.to);
    c.children.forEach(visit);
  };
  top.forEach(visit);
  const ordered = [...PARTICIPANTS.filter((p) => names.has(p.name)).map((p) => p.name), ...[...names].filter((n) => !PARTICIPANTS.some((p) => p.name === n)).sort()];
  const lines = ['sequenceDiagram'];
  for (const n of ordered) {
    const known = PARTICIPANTS.find((p) => p.name === n);
    lines.push(`  participant ${participantId(n)} as ${known?.label ?? n}`);
  }
  const max = opts.maxMessages ?? 120;
  let arrows = 0;
  let skipped = 0;
  const emit = (c: Call) => {
    if (arrows >= max) {
      skipped += 1;
      c.children.forEach(emit);
      return;
    }
    const from = participantId(c.from);
    const to = participantId(c.to);
    const times = c.count > 1 ? ` (×${c.count})` : '';
    lines.push(`  ${from}->>${to}: ${c.label}${times}`);
    arrows++;
    c.children.forEach(emit);
    if (c.reply !== undefined) {
      lines.push(`  ${to}${c.failed ? '--x' : '-->>'}${from}: ${c.reply}`);
      arrows++;
    }
  };
  top.forEach(emit);
  if (skipped) lines.push(`  Note over ${participantId(ordered[0])}: … ${skipped} more calls not drawn`);
  return lines.join('\n') + '\n';
}

/**
 * A Mermaid sequence diagram as a self-contained SVG: no web fonts or other outside references
 * (the renderer's Google Fonts import is removed; the system sans-serif is used).
 */
export function renderSequenceSvg(mermaid: string): string {
  // The SVG layout spaces lifelines by participant boxes only: widen the boxes (zero-width spaces
  // count as characters when it measures, and survive its trimming) so that message labels,
  // centred between two lifelines, fit between them.
  const roomy = mermaid.replace(/^(\s*participant \S+ as )(.+)$/gm, (_, head: string, label: string) => {
    const pad = Math.max(0, Math.ceil((26 - label.length) / 2));
    return head + '\u200b'.repeat(pad) + label + '\u200b'.repeat(pad);
  });
  const svg = renderMermaidSVG(roomy, { font: 'system-ui', transparent: true, padding: 24 });
  return svg.replace(/^\s*@import url\([^)]*\);\s*$/gm, '');
}

export interface TextOptions {
  /** Plain ASCII (`+-|>`) instead of Unicode box drawing (default false). */
  ascii?: boolean;
  /** ANSI colours (default false: plain text, as CI logs want). */
  color?: boolean;
}

/** A Mermaid sequence diagram as terminal text. */
export function renderSequenceText(mermaid: string, opts: TextOptions = {}): string {
  return renderMermaidASCII(mermaid, { useAscii: opts.ascii ?? false, colorMode: opts.color ? 'ansi16' : 'none' }).replace(/[ \t]+$/gm, '');
}

/** Shortcut: the diagram of a trace as text, or `undefined` when there is nothing to draw. */
export function traceToText(trace: Trace, opts: SequenceOptions & TextOptions = {}): string | undefined {
  const m = traceToMermaid(trace, opts);
  return m === undefined ? undefined : renderSequenceText(m, opts);
}

/** Shortcut: the diagram of a trace as SVG, or `undefined` when there is nothing to draw. */
export function traceToSvg(trace: Trace, opts: SequenceOptions = {}): string | undefined {
  const m = traceToMermaid(trace, opts);
  return m === undefined ? undefined : renderSequenceSvg(m);
}
