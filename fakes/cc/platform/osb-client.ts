import type { Kernel } from '../../core/kernel.js';
import { OutboundTimeoutError } from '../../core/outbound.js';
import type { Random } from '../../core/random.js';
import type { BrokerEndpoint } from './api.js';
import { brokerErrors, type BrokerError, type ResponseFacts } from './errors.js';

/**
 * The HTTP leg of CC's broker client (v2/http_client.rb, C.1): basic auth sent up front, the
 * X-Broker-API-* headers, JSON bodies, Ruby `to_query` query strings, and the client timeout.
 * Every call goes through `kernel.fetch('cc->broker', ...)`.
 */
export const BROKER_SERVICE = 'cc->broker';
const MAX_REDIRECTS = 10;

export interface TransportConfig {
  apiVersion: string;
  timeoutMs: number;
  apiInfoLocation: () => string;
}

export interface BrokerRequest {
  method: 'GET' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** Sorted by key and encoded as Ruby's `to_query` does. */
  query?: Record<string, string | boolean | undefined>;
  body?: Record<string, unknown>;
  userGuid?: string;
  vcapRequestId?: string;
  tags: string[];
}

export type BrokerCallResult = { kind: 'response'; facts: ResponseFacts; headers: Headers } | { kind: 'error'; error: BrokerError };

/** CGI.escape: everything but `A-Za-z0-9_.-~` is percent-encoded, space becomes `+`. */
export function cgiEscape(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Ruby's Hash#to_query: keys sorted, nil values dropped here (CC never sends them). */
export function toQuery(params: Record<string, string | boolean | undefined>): string {
  return Object.keys(params)
    .filter((k) => params[k] !== undefined)
    .sort()
    .map((k) => `${cgiEscape(k)}=${cgiEscape(String(params[k]))}`)
    .join('&');
}

export function originatingIdentity(userGuid: string): string {
  return `cloudfoundry ${Buffer.from(JSON.stringify({ user_id: userGuid })).toString('base64')}`;
}

export function brokerUrl(broker: BrokerEndpoint, path: string, query?: Record<string, string | boolean | undefined>): string {
  const base = broker.url.replace(/\/+$/, '');
  const qs = query ? toQuery(query) : '';
  return `${base}${path}${qs ? `?${qs}` : ''}`;
}

/** The id segment of a broker path, as CC puts a GUID into it. */
export function seg(id: string): string {
  return encodeURIComponent(id);
}

export class OsbTransport {
  constructor(
    private readonly kernel: Kernel,
    private readonly random: Random,
    private readonly config: TransportConfig,
  ) {}

  async call(broker: BrokerEndpoint, req: BrokerRequest): Promise<BrokerCallResult> {
    const url = brokerUrl(broker, req.path, req.query);
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${broker.username}:${broker.password}`).toString('base64')}`,
      'x-broker-api-version': this.config.apiVersion,
      'x-broker-api-request-identity': this.random.uuid(),
      'x-vcap-request-id': req.vcapRequestId ?? this.random.uuid(),
      accept: 'application/json',
      'x-api-info-location': this.config.apiInfoLocation(),
    };
    if (req.userGuid) headers['x-broker-api-originating-identity'] = originatingIdentity(req.userGuid);
    let body: string | undefined;
    if (req.method === 'PUT' || req.method === 'PATCH') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body ?? {});
    }
    let res: Response;
    let target = url;
    let method: string = req.method;
    try {
      // Redirects are followed hop by hop (each one journaled); a 3xx without a usable Location is
      // what CC then sees as the answer.
      for (let hop = 0; ; hop++) {
        res = await this.kernel.fetch(
          BROKER_SERVICE,
          target,
          { method, headers, body, redirect: 'manual' },
          { timeoutMs: this.config.timeoutMs, tags: hop === 0 ? req.tags : [...req.tags, 'redirect'] },
        );
        const location = res.headers.get('location');
        if (![301, 302, 303, 307, 308].includes(res.status) || !location || hop >= MAX_REDIRECTS) break;
        target = new URL(location, target).href;
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method !== 'GET' && method !== 'DELETE')) {
          method = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
      }
    } catch (err) {
      if (err instanceof OutboundTimeoutError) return { kind: 'error', error: brokerErrors.clientTimeout(url, req.method) };
      return { kind: 'error', error: brokerErrors.unreachable(url, req.method) };
    }
    let text = '';
    try {
      text = await res.text();
    } catch {
      return { kind: 'error', error: brokerErrors.unreachable(url, req.method) };
    }
    return {
      kind: 'response',
      facts: { uri: url, method: req.method, status: res.status, statusText: res.statusText, body: text },
      headers: res.headers,
    };
  }
}

/** `X-Api-Info-Location`: CC's external domain plus `/v2/info`, without a scheme. */
export function defaultApiInfoLocation(kernel: Kernel): () => string {
  return () => {
    const cc = kernel.urls.cc;
    if (!cc) return 'api.fakefoundry.test/v2/info';
    try {
      return `${new URL(cc).host}/v2/info`;
    } catch {
      return `${cc}/v2/info`;
    }
  };
}
