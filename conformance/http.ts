/**
 * The suite's OSBAPI client: sends what a platform sends (version header, Basic auth, identities),
 * records every exchange in the journal's shape, and never throws on a broker's answer (timeouts and
 * connection errors become a reply with status 0).
 */
import { maskBody, maskHeaders } from '../fakes/core/mask.js';
import type { IdSource } from './ids.js';
import type { Exchange } from './model.js';
import type { Timing } from './timing.js';

export type FetchLike = (request: Request) => Response | Promise<Response>;

export interface SendOptions {
  query?: Record<string, string | undefined>;
  /** A JSON body. */
  body?: unknown;
  /** A body sent as it is (invalid JSON probes). */
  rawBody?: string;
  /** `default` = the configured credentials; `none` = no Authorization header. */
  auth?: 'default' | 'none' | { username: string; password: string };
  /** The X-Broker-API-Version to send; `null` leaves the header out. */
  version?: string | null;
  originatingIdentity?: string;
  headers?: Record<string, string>;
}

export interface Reply {
  /** 0 when no response came (timeout, connection error). */
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, when it is valid JSON. */
  json: unknown;
  /** Set when the body is not empty and not valid JSON. */
  invalidJson: boolean;
  /** Why no answer came: the timeout, or the connection error. */
  error?: string;
  /** No answer within the request timeout (on the timing's clock). */
  timedOut: boolean;
  exchange: Exchange;
}

export interface HttpClientOptions {
  baseUrl: string;
  fetch: FetchLike;
  username?: string;
  password?: string;
  timing: Timing;
  requestTimeoutMs: number;
  version: string;
  ids: IdSource;
  /** Send X-Broker-API-Request-Identity (from 2.15). */
  requestIdentity: boolean;
}

export const SERVICE_LABEL = 'platform->broker';

export class OsbHttp {
  readonly options: HttpClientOptions;
  /** Every exchange of the run, in order. */
  readonly exchanges: Exchange[] = [];
  /** Receives each exchange as it is made (the case being run collects them). */
  sink: ((e: Exchange) => void) | undefined;
  /** Called with every exchange, whatever case is running. */
  readonly observers: ((e: Exchange) => void)[] = [];
  /** Tag added to each exchange (the id of the case being run). */
  tag: string | undefined;
  #seq = 0;

  constructor(options: HttpClientOptions) {
    this.options = options;
  }

  url(path: string, query?: Record<string, string | undefined>): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const q = Object.entries(query ?? {})
      .filter((e): e is [string, string] => e[1] !== undefined)
      // Percent-encoding (not form encoding) as URL Properties asks: a space is %20, never '+'.
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    return `${base}${path}${q ? `?${q}` : ''}`;
  }

  async send(method: string, path: string, opts: SendOptions = {}): Promise<Reply> {
    const o = this.options;
    const url = this.url(path, opts.query);
    const headers = new Headers({ accept: 'application/json' });
    const version = opts.version === undefined ? o.version : opts.version;
    if (version !== null) headers.set('X-Broker-API-Version', version);
    const auth = opts.auth ?? 'default';
    const creds = auth === 'default' ? (o.username !== undefined ? { username: o.username, password: o.password ?? '' } : undefined) : auth === 'none' ? undefined : auth;
    if (creds) headers.set('Authorization', 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`).toString('base64'));
    if (o.requestIdentity) headers.set('X-Broker-API-Request-Identity', o.ids.uuid());
    if (opts.originatingIdentity) headers.set('X-Broker-API-Originating-Identity', opts.originatingIdentity);
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers.set('Content-Type', 'application/json');
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers.set(k, v);

    const startVirtual = o.timing.now();
    const startWall = Date.now();
    const controller = new AbortController();
    let timedOut = false;
    let status = 0;
    let resHeaders = new Headers();
    let text = '';
    let error: string | undefined;
    let deadline: { cancel(): void } | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        deadline = o.timing.deadline(o.requestTimeoutMs, () => {
          timedOut = true;
          controller.abort();
          reject(new Error('timeout'));
        });
      });
      // Race the deadline as well as aborting: an in-process fetch may ignore the signal.
      const res = await Promise.race([
        Promise.resolve(o.fetch(new Request(url, { method, headers, body, signal: controller.signal }))),
        timeout,
      ]);
      status = res.status;
      resHeaders = res.headers;
      text = await Promise.race([res.text(), timeout]);
    } catch (err) {
      status = 0;
      error = timedOut ? `timeout (no answer within ${Math.round(o.requestTimeoutMs / 1000)} s)` : describeError(err);
    } finally {
      deadline?.cancel();
    }
    // On a virtual clock the broker's own waits move time: an answer later than the timeout is one.
    const took = o.timing.now() - startVirtual;
    if (status !== 0 && took > o.requestTimeoutMs) {
      timedOut = true;
      error = `timeout (the broker answered ${status} after ${Math.round(took / 1000)} s)`;
      status = 0;
      text = '';
    }
    let json: unknown;
    let invalidJson = false;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        invalidJson = true;
      }
    }
    const u = new URL(url);
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) query[k] = v;
    const exchange: Exchange = {
      seq: ++this.#seq,
      service: SERVICE_LABEL,
      method,
      path: u.pathname,
      query,
      requestHeaders: maskHeaders(headers),
      // Reports are shared (CI artefacts): credentials and passwords are masked in them.
      requestBody: maskBody(body ?? null, 'application/json'),
      status,
      responseHeaders: Object.fromEntries(resHeaders.entries()),
      responseBody: status === 0 ? null : maskBody(text, resHeaders.get('content-type') ?? undefined),
      virtualTime: startVirtual,
      virtualEndTime: o.timing.now(),
      wallTime: startWall,
      wallDurationMs: Date.now() - startWall,
      faults: [],
      direction: 'outbound',
      tags: this.tag ? [this.tag] : [],
      ...(error ? { error } : {}),
    };
    this.exchanges.push(exchange);
    for (const o of this.observers) o(exchange);
    this.sink?.(exchange);
    return { status, headers: resHeaders, text, json, invalidJson, error, timedOut, exchange };
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ? `${err.message} (${cause.code})` : cause?.message ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}

/** How a reply reads in a finding: `201 {"operation":"x"}`, `timeout after 60 s`. */
export function describeReply(r: Reply, max = 160): string {
  if (r.status === 0) return `no answer (${r.error})`;
  const body = r.text.length > max ? `${r.text.slice(0, max)}…` : r.text;
  return `${r.status}${body ? ` ${body.replace(/\s+/g, ' ')}` : ' (empty body)'}`;
}
