/**
 * The broker API client ODB's errands use (`broker/services/services.go`): basic auth,
 * `X-Broker-Api-Version: 2.13`, the management API and last_operation.
 * @module
 */
import type { FetchLike } from '../runtime.js';
import type { ErrandRun } from './env.js';

export interface BrokerApiConfig {
  url: string;
  authentication?: { basic?: { username?: string; password?: string } };
  tls?: { ca_cert?: string; disable_ssl_cert_verification?: boolean };
}

export interface MgmtInstance {
  service_instance_id: string;
  plan_id: string;
  space_guid: string;
}

export class BrokerApi {
  readonly #fetch: FetchLike;
  readonly #auth: string;
  readonly #base: string;

  constructor(run: ErrandRun, cfg: BrokerApiConfig) {
    this.#fetch = run.fetchFor({ ca: cfg.tls?.ca_cert || undefined, insecure: !!cfg.tls?.disable_ssl_cert_verification });
    const basic = cfg.authentication?.basic ?? {};
    this.#auth = `Basic ${Buffer.from(`${basic.username ?? ''}:${basic.password ?? ''}`).toString('base64')}`;
    this.#base = cfg.url.replace(/\/$/, '');
  }

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const res = await this.#fetch(`${this.#base}${path}`, {
      method,
      headers: { authorization: this.#auth, 'x-broker-api-version': '2.13', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  }

  async json<T>(method: string, path: string): Promise<T> {
    const r = await this.call(method, path);
    if (r.status !== 200) throw new Error(`HTTP response status: ${r.status} ${statusText(r.status)}. ${r.text}`);
    try {
      return JSON.parse(r.text) as T;
    } catch (err) {
      throw new Error(`failed to decode response body: ${(err as Error).message}`);
    }
  }

  instances(filter: { org?: string; space?: string } = {}): Promise<MgmtInstance[]> {
    const q = filter.org || filter.space ? `?cf_org=${encodeURIComponent(filter.org ?? '')}&cf_space=${encodeURIComponent(filter.space ?? '')}` : '';
    return this.json<MgmtInstance[]>('GET', `/mgmt/service_instances${q}`);
  }
}

export function statusText(status: number): string {
  return (
    { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict', 410: 'Gone', 422: 'Unprocessable Entity', 500: 'Internal Server Error', 503: 'Service Unavailable' } as Record<number, string>
  )[status] ?? '';
}
