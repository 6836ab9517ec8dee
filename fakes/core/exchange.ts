import type { FaultAction } from './faults.js';
import type { JournalEntry } from './journal.js';
import { queryRecord } from './journal.js';
import type { Kernel } from './kernel.js';
import { maskBody, maskHeaders } from './mask.js';

/**
 * One request/response exchange, served by a fake (`inbound`) or made by one (`outbound`): the
 * fault rules act on it through one executor, and it is journaled through one function, so both
 * directions treat faults and record entries alike.
 */
export interface Exchange {
  service: string;
  direction: 'inbound' | 'outbound';
  method: string;
  url: URL;
  headers: Headers;
  /** The request body as sent (text), or null (none, or not text). */
  body: string | null;
  tags: string[];
  virtualStart: number;
  wallStart: number;
  /** Fault rule ids that acted on the exchange. */
  faults: string[];
}

export function beginExchange(
  kernel: Kernel,
  init: Pick<Exchange, 'service' | 'direction' | 'method' | 'url' | 'headers' | 'body'> & { tags?: string[] },
): Exchange {
  return { ...init, tags: init.tags ?? [], virtualStart: kernel.clock.now(), wallStart: Date.now(), faults: [] };
}

/**
 * What the fault rules decided: go on (`none`), answer a status (each direction writes it its own
 * way), drop the connection (`reset`), or give up because the deadline passed (`timeout`) or the
 * foundation closed (`closed`) while a fault held the exchange.
 */
export type FaultOutcome =
  | { kind: 'none' }
  | { kind: 'status'; action: Extract<FaultAction, { type: 'status' }> }
  | { kind: 'reset' }
  | { kind: 'timeout' }
  | { kind: 'closed' };

export interface FaultWaitOptions {
  /** Virtual time by which the exchange gives up (an outbound call's timeout). */
  deadline?: number;
  /** The client went away (an inbound request aborted): a hang ends. */
  signal?: AbortSignal;
}

type WaitEnd = 'due' | 'deadline' | 'removed' | 'aborted' | 'closed';

/** Waits on the foundation clock for `until`, the deadline, the rule's removal, an abort, or close. */
function waitOn(kernel: Kernel, ruleId: string, until: number | undefined, opts: FaultWaitOptions): Promise<WaitEnd> {
  return new Promise<WaitEnd>((resolve) => {
    let over = false;
    const cleanups: Array<() => void> = [];
    const end = (why: WaitEnd) => {
      if (over) return;
      over = true;
      for (const fn of cleanups) fn();
      resolve(why);
    };
    const byDeadline = opts.deadline !== undefined && (until === undefined || until > opts.deadline);
    const at = byDeadline ? opts.deadline : until;
    if (at !== undefined) {
      const timer = kernel.clock.at(at, () => end(byDeadline ? 'deadline' : 'due'));
      cleanups.push(() => timer.cancel());
    }
    if (until === undefined) {
      // A hang: it ends when its rule is removed (the exchange goes on), or the client gives up.
      cleanups.push(kernel.faults.onChange(() => !kernel.faults.has(ruleId) && end('removed')));
      if (opts.signal) {
        const onAbort = () => end('aborted');
        opts.signal.addEventListener('abort', onAbort);
        cleanups.push(() => opts.signal!.removeEventListener('abort', onAbort));
      }
      void kernel.closed.then(() => end('closed'));
    }
  });
}

/** Evaluates the fault rules for the exchange and carries out the waits they ask for. */
export async function runFaults(kernel: Kernel, ex: Exchange, opts: FaultWaitOptions = {}): Promise<FaultOutcome> {
  const rules = kernel.faults.evaluate({
    service: ex.service,
    method: ex.method,
    path: ex.url.pathname,
    query: ex.url.searchParams,
    body: ex.body,
    contentType: ex.headers.get('content-type') ?? undefined,
  });
  for (const rule of rules) {
    ex.faults.push(rule.id);
    const a = rule.action;
    if (a.type === 'latency' || a.type === 'hang') {
      const why = await waitOn(kernel, rule.id, a.type === 'latency' ? kernel.clock.now() + a.ms : undefined, opts);
      if (why === 'deadline') return { kind: 'timeout' };
      if (why === 'closed') return { kind: 'closed' };
    } else if (a.type === 'reset') return { kind: 'reset' };
    else return { kind: 'status', action: a };
  }
  return { kind: 'none' };
}

/** The answer as the journal shows it; undefined when none came (a timeout, a dropped connection). */
export interface RecordedAnswer {
  status: number;
  headers: Headers;
  body: string | null;
}

/** Journals the exchange: request headers and body masked, everything else as sent and answered. */
export function recordExchange(kernel: Kernel, ex: Exchange, answer: RecordedAnswer | undefined, error?: Error): JournalEntry {
  const requestHeaders = maskHeaders(ex.headers);
  // fetch adds Host itself; the journal shows it as the server saw it.
  if (ex.direction === 'outbound') requestHeaders.host = ex.url.host;
  return kernel.journal.record({
    service: ex.service,
    method: ex.method,
    path: ex.url.pathname,
    query: queryRecord(ex.url.searchParams),
    requestHeaders,
    requestBody: maskBody(ex.body, ex.headers.get('content-type') ?? undefined),
    status: answer?.status ?? 0,
    responseHeaders: answer ? Object.fromEntries(answer.headers) : {},
    responseBody: answer?.body ?? null,
    virtualTime: ex.virtualStart,
    virtualEndTime: kernel.clock.now(),
    wallTime: ex.wallStart,
    wallDurationMs: Date.now() - ex.wallStart,
    faults: ex.faults,
    direction: ex.direction,
    tags: ex.tags,
    ...(error ? { error: error.message } : {}),
  });
}
