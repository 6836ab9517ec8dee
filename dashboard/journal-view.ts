/**
 * The journal as the dashboard shows it: filtered (service, method, path, status), summarised for
 * the live table, one entry in full for the details pane, and a sequence diagram of what is shown.
 * Request headers and bodies are masked when they are journaled; the dashboard masks responses the
 * same way (tokens, credentials), since it shows them to anyone who opens the page.
 */
import type { Journal, JournalEntry } from '../fakes/core/journal.js';
import { maskBody, maskHeaders } from '../fakes/core/mask.js';

export interface JournalFilter {
  service?: string;
  method?: string;
  /** Part of the path, or a glob with `*` (`/v2/service_instances/*`). */
  path?: string;
  /** An exact status (`503`) or a class (`5xx`). */
  status?: string;
  since?: number;
  limit?: number;
}

export function filterFromQuery(q: Record<string, string>): JournalFilter {
  const num = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  const text = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
  return { service: text(q.service), method: text(q.method)?.toUpperCase(), path: text(q.path), status: text(q.status), since: num(q.since), limit: num(q.limit) };
}

function pathMatcher(path: string): (p: string) => boolean {
  if (!path.includes('*')) return (p) => p.includes(path);
  const re = new RegExp(`^${path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (p) => re.test(p);
}

function statusMatcher(status: string): (s: number) => boolean {
  const cls = /^([1-5])xx$/i.exec(status);
  if (cls) return (s) => Math.floor(s / 100) === Number(cls[1]);
  const n = Number(status);
  return (s) => s === n;
}

export function filterEntries(journal: Journal, f: JournalFilter): JournalEntry[] {
  const path = f.path ? pathMatcher(f.path) : undefined;
  const status = f.status ? statusMatcher(f.status) : undefined;
  const out = journal
    .query({ since: f.since })
    .filter(
      (e) =>
        (!f.service || e.service === f.service) &&
        (!f.method || e.method === f.method) &&
        (!path || path(e.path)) &&
        (!status || status(e.status)),
    );
  return f.limit !== undefined ? out.slice(-f.limit) : out;
}

/** A row of the live table. */
export function summary(e: JournalEntry) {
  return {
    seq: e.seq,
    service: e.service,
    direction: e.direction,
    method: e.method,
    path: e.path,
    query: e.query,
    status: e.status,
    virtualTime: e.virtualTime,
    wallDurationMs: e.wallDurationMs,
    faults: e.faults,
    tags: e.tags,
    ...(e.error ? { error: e.error } : {}),
  };
}

/** One entry in full, its response masked as its request was. */
export function detail(e: JournalEntry): JournalEntry {
  const responseHeaders = maskHeaders(e.responseHeaders);
  return { ...e, responseHeaders, responseBody: maskBody(e.responseBody, responseHeaders['content-type']) };
}
