import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Kernel } from './kernel.js';
import { maskBody, maskHeaders, queryRecord } from './journal.js';

export interface OutboundOptions {
  /** Give up after this much virtual time (a hang or latency fault longer than this times out). */
  timeoutMs?: number;
  /** Labels recorded on the journal entry, e.g. `orphan-mitigation`. */
  tags?: string[];
}

export class OutboundTimeoutError extends Error {
  constructor(url: string, ms: number) {
    super(`request to ${url} timed out after ${ms} ms`);
    this.name = 'OutboundTimeoutError';
  }
}

export class OutboundNetworkError extends Error {
  constructor(url: string, cause?: unknown) {
    super(`connection to ${url} failed${cause instanceof Error ? `: ${cause.message}` : ''}`);
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
          const noBody = status === 204 || status === 304 || (status >= 100 && status < 200);
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers: h }));
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

/** A fetch made by a fake itself, recorded in the journal (direction `outbound`) and subject to faults. */
export async function outboundFetch(
  kernel: Kernel,
  service: string,
  input: string | URL,
  init: RequestInit = {},
  opts: OutboundOptions = {},
): Promise<Response> {
  const url = new URL(String(input));
  const method = (init.method ?? 'GET').toUpperCase();
  const body = typeof init.body === 'string' ? init.body : null;
  const headers = new Headers(init.headers);
  const virtualStart = kernel.clock.now();
  const wallStart = Date.now();
  const applied: string[] = [];
  let response: Response | undefined;
  let error: Error | undefined;

  const deadline = opts.timeoutMs !== undefined ? virtualStart + opts.timeoutMs : undefined;
  const waitUntil = async (target: number | undefined): Promise<'done' | 'timeout'> => {
    // Waits on the virtual clock; with a deadline first, the call times out instead.
    if (deadline !== undefined && (target === undefined || target > deadline)) {
      await new Promise<void>((r) => kernel.clock.at(deadline, r));
      return 'timeout';
    }
    if (target === undefined) {
      await kernel.closed;
      return 'timeout';
    }
    await new Promise<void>((r) => kernel.clock.at(target, r));
    return 'done';
  };

  try {
    const rules = kernel.faults.evaluate({
      service,
      method,
      path: url.pathname,
      query: url.searchParams,
      body,
      contentType: headers.get('content-type') ?? undefined,
    });
    for (const rule of rules) {
      applied.push(rule.id);
      const a = rule.action;
      if (a.type === 'latency') {
        if ((await waitUntil(kernel.clock.now() + a.ms)) === 'timeout') throw new OutboundTimeoutError(url.href, opts.timeoutMs!);
      } else if (a.type === 'hang') {
        await waitUntil(undefined);
        throw new OutboundTimeoutError(url.href, opts.timeoutMs ?? 0);
      } else if (a.type === 'reset') {
        throw new OutboundNetworkError(url.href, new Error('connection reset by peer'));
      } else if (a.type === 'status') {
        response = new Response(a.body ?? a.message ?? '', {
          status: a.status,
          headers: { 'content-type': a.contentType ?? 'application/json', ...(a.headers ?? {}) },
        });
      }
    }
    if (!response) {
      try {
        response =
          url.protocol === 'https:' && kernel.trustedCas.length > 0
            ? await httpsWithCa(url, { ...init, method }, kernel.trustedCas)
            : await fetch(url, { ...init, method });
      } catch (err) {
        throw new OutboundNetworkError(url.href, (err as { cause?: unknown }).cause ?? err);
      }
    }
    return response;
  } catch (err) {
    error = err as Error;
    throw err;
  } finally {
    let responseBody: string | null = null;
    if (response) {
      try {
        responseBody = (await response.clone().text()).slice(0, MAX_RECORDED);
      } catch {
        responseBody = null;
      }
    }
    kernel.journal.record({
      service,
      method,
      path: url.pathname,
      query: queryRecord(url.searchParams),
      requestHeaders: { ...maskHeaders(headers), host: url.host },
      requestBody: maskBody(body, headers.get('content-type') ?? undefined),
      status: response?.status ?? 0,
      responseHeaders: response ? Object.fromEntries(response.headers) : {},
      responseBody,
      virtualTime: virtualStart,
      virtualEndTime: kernel.clock.now(),
      wallTime: wallStart,
      wallDurationMs: Date.now() - wallStart,
      faults: applied,
      direction: 'outbound',
      tags: opts.tags ?? [],
      error: error?.message,
    });
  }
}
