import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Kernel } from './kernel.js';
import { beginExchange, recordExchange, runFaults } from './exchange.js';

export interface OutboundOptions {
  /**
   * Give up after this long, measured on the foundation's clock, as the real system's client
   * timeouts do (CC's `broker_client_timeout_seconds`): for a real call it covers connecting,
   * sending and reading the whole response; for a `latency` or `hang` fault it covers the wait.
   * With the virtual clock the call times out when the clock is moved past the deadline (a real
   * call's deadline never draws the clock by itself: see `Clock.deadline`); with the real clock,
   * after that much wall time. The call then rejects with {@link OutboundTimeoutError}.
   */
  timeoutMs?: number;
  /** Labels recorded on the journal entry, e.g. `orphan-mitigation`. */
  tags?: string[];
}

/** Why an outbound call got no answer: `timeout` (the deadline passed) or `unreachable` (no connection, reset). */
export type OutboundFailure = 'timeout' | 'unreachable';

/**
 * An outbound call that got no HTTP answer. Callers map `kind` to the real system's error, e.g.
 * CC's `HttpClientTimeout` ("The request to the service broker timed out") for `timeout` and
 * "The service broker could not be reached" for `unreachable`.
 */
export abstract class OutboundError extends Error {
  abstract readonly kind: OutboundFailure;
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

export class OutboundTimeoutError extends OutboundError {
  readonly kind = 'timeout';
  constructor(
    url: string,
    readonly timeoutMs: number,
  ) {
    super(url, `request to ${url} timed out after ${timeoutMs} ms`);
    this.name = 'OutboundTimeoutError';
  }
}

export class OutboundNetworkError extends OutboundError {
  readonly kind = 'unreachable';
  constructor(url: string, cause?: unknown) {
    super(url, `connection to ${url} failed${cause instanceof Error ? `: ${cause.message}` : ''}`);
    this.name = 'OutboundNetworkError';
  }
}

const MAX_RECORDED = 64 * 1024;

/** HTTPS with our own CA: undici's global fetch cannot take a per-request CA, node:https can. */
function httpsWithCa(url: URL, init: RequestInit, cas: string[]): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const req = https.request(
      url,
      { method: init.method ?? 'GET', headers, ca: [...rootCertificates, ...cas] },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) v.forEach((x) => h.append(k, x));
            else if (v !== undefined) h.set(k, v);
          }
          const status = res.statusCode ?? 502;
          try {
            resolve(new Response(nullBodyStatus(status) ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers: h }));
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (init.signal) init.signal.addEventListener('abort', () => req.destroy(new Error('aborted')));
    if (init.body != null) req.write(typeof init.body === 'string' ? init.body : Buffer.from(init.body as ArrayBuffer));
    req.end();
  });
}

/** Bodies that a Response cannot carry. */
function nullBodyStatus(status: number): boolean {
  return status === 204 || status === 205 || status === 304 || (status >= 100 && status < 200);
}

/**
 * The network leg: the whole exchange (connect, send, headers, body) must finish before the
 * deadline, or the call is aborted and rejects with OutboundTimeoutError. The body is read here,
 * inside the deadline, as a real client's receive timeout covers it too.
 */
function realCall(kernel: Kernel, url: URL, init: RequestInit, timeout: { ms: number; of: number } | undefined): Promise<Response> {
  const abort = new AbortController();
  const signal = init.signal ? AbortSignal.any([init.signal, abort.signal]) : abort.signal;
  const exchange = async (): Promise<Response> => {
    const res =
      url.protocol === 'https:' && kernel.trustedCas.length > 0
        ? await httpsWithCa(url, { ...init, signal }, kernel.trustedCas)
        : await fetch(url, { ...init, signal });
    const body = await res.arrayBuffer();
    return new Response(nullBodyStatus(res.status) ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const deadline =
      timeout === undefined
        ? undefined
        : kernel.clock.deadline(timeout.ms, () => {
            if (settled) return;
            settled = true;
            abort.abort();
            reject(new OutboundTimeoutError(url.href, timeout.of));
          });
    exchange().then(
      (res) => {
        if (settled) return;
        settled = true;
        deadline?.cancel();
        resolve(res);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        deadline?.cancel();
        reject(new OutboundNetworkError(url.href, (err as { cause?: unknown }).cause ?? err));
      },
    );
  });
}

/** A fetch made by a fake itself, recorded in the journal (direction `outbound`) and subject to faults. */
export async function outboundFetch(
  kernel: Kernel,
  service: string,
  input: string | URL,
  init: RequestInit = {},
  opts: OutboundOptions = {},
): Promise<Response> {
  const ex = beginExchange(kernel, {
    service,
    direction: 'outbound',
    method: (init.method ?? 'GET').toUpperCase(),
    url: new URL(String(input)),
    headers: new Headers(init.headers),
    body: typeof init.body === 'string' ? init.body : null,
    tags: opts.tags,
  });
  const href = ex.url.href;
  const deadline = opts.timeoutMs !== undefined ? ex.virtualStart + opts.timeoutMs : undefined;
  let response: Response | undefined;
  let error: Error | undefined;
  try {
    const outcome = await runFaults(kernel, ex, { deadline });
    if (outcome.kind === 'timeout') throw new OutboundTimeoutError(href, opts.timeoutMs!);
    if (outcome.kind === 'closed') throw new OutboundNetworkError(href, new Error('the foundation closed'));
    if (outcome.kind === 'reset') throw new OutboundNetworkError(href, new Error('connection reset by peer'));
    if (outcome.kind === 'status') {
      const a = outcome.action;
      response = new Response(a.body ?? a.message ?? '', {
        status: a.status,
        headers: { 'content-type': a.contentType ?? 'application/json', ...(a.headers ?? {}) },
      });
    } else {
      // What a latency fault used of the timeout is gone.
      const remaining = deadline === undefined ? undefined : { ms: deadline - kernel.clock.now(), of: opts.timeoutMs! };
      response = await realCall(kernel, ex.url, { ...init, method: ex.method }, remaining);
    }
    return response;
  } catch (err) {
    error = err as Error;
    throw err;
  } finally {
    let body: string | null = null;
    if (response) body = await response.clone().text().then((t) => t.slice(0, MAX_RECORDED), () => null);
    recordExchange(kernel, ex, response && { status: response.status, headers: response.headers, body }, error);
  }
}
