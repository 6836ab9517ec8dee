/**
 * Every request each fake serves and what it answered, in order. Tests assert on outcomes with it
 * (e.g. "CC sent exactly one orphan-mitigation DELETE") instead of on call order.
 */
export interface JournalEntry {
  seq: number;
  service: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  requestHeaders: Record<string, string>;
  requestBody: string | null;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string | null;
  /** Virtual time (ms since epoch) when the request arrived and when it was answered. */
  virtualTime: number;
  virtualEndTime: number;
  /** Wall-clock time (ms since epoch) when the request arrived, and how long it took. */
  wallTime: number;
  wallDurationMs: number;
  /** Fault rule ids that acted on the request. */
  faults: string[];
  /** Outbound calls a fake made itself (CC to a broker, BOSH fetching a tarball) are marked. */
  direction: 'inbound' | 'outbound';
  /** Free-form labels, e.g. `orphan-mitigation` on CC's cleanup DELETE. */
  tags: string[];
  error?: string;
}

export interface JournalQuery {
  service?: string;
  method?: string;
  /** Exact path, or a prefix ending in `*`. */
  path?: string;
  status?: number;
  direction?: 'inbound' | 'outbound';
  tag?: string;
  since?: number;
  limit?: number;
}

/** Query parameters as a record; a repeated key keeps every value, in order. */
export function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of params) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export class Journal {
  #entries: JournalEntry[] = [];
  #seq = 0;
  #listeners = new Set<(e: JournalEntry) => void>();
  /** Oldest entries are dropped past this many, so long soaks keep bounded memory. */
  capacity: number;

  constructor(capacity = 50_000) {
    this.capacity = capacity;
  }

  record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full: JournalEntry = { seq: ++this.#seq, ...entry };
    this.#entries.push(full);
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
    for (const fn of this.#listeners) fn(full);
    return full;
  }

  query(q: JournalQuery = {}): JournalEntry[] {
    const prefix = q.path?.endsWith('*') ? q.path.slice(0, -1) : undefined;
    let out = this.#entries.filter(
      (e) =>
        (q.service === undefined || e.service === q.service) &&
        (q.method === undefined || e.method === q.method.toUpperCase()) &&
        (q.path === undefined || (prefix !== undefined ? e.path.startsWith(prefix) : e.path === q.path)) &&
        (q.status === undefined || e.status === q.status) &&
        (q.direction === undefined || e.direction === q.direction) &&
        (q.tag === undefined || e.tags.includes(q.tag)) &&
        (q.since === undefined || e.seq > q.since),
    );
    if (q.limit !== undefined) out = out.slice(-q.limit);
    return out;
  }

  all(): JournalEntry[] {
    return [...this.#entries];
  }

  get size(): number {
    return this.#entries.length;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  onEntry(fn: (e: JournalEntry) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  clear(): void {
    this.#entries = [];
  }
}
