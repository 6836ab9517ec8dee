/**
 * Per-instance UAA clients (`cf.uaa.client_definition`, with CF client credentials only), as ODB's
 * `uaa/client.go`: created on provision with the instance id as client id, re-pointed at the
 * dashboard URL, looked up on update, deleted on deprovision.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { CfSection, ClientDefinition } from '../config/types.js';
import type { BrokerClock, FetchLike } from '../runtime.js';
import { TokenSource } from './uaa-token.js';

const split = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

/** The map handed to generate-manifest as `uaa_client`. */
export type UaaClientMap = Record<string, string>;

export class UaaClients {
  readonly #tokens: TokenSource;
  readonly #base: string;

  constructor(
    private readonly def: ClientDefinition,
    cf: CfSection,
    private readonly http: FetchLike,
    clock: BrokerClock,
  ) {
    this.#base = cf.uaa.url.replace(/\/$/, '');
    const cc = cf.uaa.authentication.client_credentials!;
    this.#tokens = new TokenSource(http, clock, this.#base, { type: 'client_credentials', clientId: cc.client_id!, clientSecret: cc.client_secret ?? '' });
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.http(`${this.#base}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'x-identity-zone-id': '',
        authorization: await this.#tokens.header(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status < 200 || res.status > 299) throw new Error(`UAA ${method} ${path} responded ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  #definition(id: string, secret: string | undefined, spaceGuid: string | undefined, redirect?: string): Record<string, unknown> {
    const grants = split(this.def.authorized_grant_types);
    const scopes = split(this.def.scopes).map((s) => (spaceGuid ? s.replace('ODB_SPACE_GUID', spaceGuid) : s));
    const body: Record<string, unknown> = { client_id: id };
    if (secret !== undefined && !grants.includes('implicit')) body.client_secret = secret;
    Object.assign(body, { scope: scopes, resource_ids: split(this.def.resource_ids), authorities: split(this.def.authorities), authorized_grant_types: grants });
    if (grants.includes('implicit') || grants.includes('authorization_code')) body.redirect_uri = [redirect ?? 'https://placeholder.example.com'];
    if (this.def.name) body.name = this.def.name;
    if (this.def.allowpublic) body.allowpublic = true;
    return body;
  }

  #map(body: Record<string, unknown>): UaaClientMap {
    const join = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v ?? ''));
    return {
      client_id: String(body.client_id),
      client_secret: String(body.client_secret ?? ''),
      name: String(body.name ?? ''),
      scopes: join(body.scope),
      resource_ids: join(body.resource_ids),
      authorities: join(body.authorities),
      authorized_grant_types: join(body.authorized_grant_types),
    };
  }

  async create(id: string, spaceGuid?: string): Promise<UaaClientMap> {
    const body = this.#definition(id, randomBytes(24).toString('base64url').slice(0, 32), spaceGuid);
    await this.#call('POST', '/oauth/clients', body);
    return this.#map(body);
  }

  async updateRedirect(id: string, dashboardUrl: string, spaceGuid?: string): Promise<void> {
    const body = this.#definition(id, undefined, spaceGuid, dashboardUrl);
    body.redirect_uri = [dashboardUrl];
    await this.#call('PUT', `/oauth/clients/${encodeURIComponent(id)}`, body);
  }

  async get(id: string): Promise<UaaClientMap | null> {
    const res = (await this.#call('GET', `/oauth/clients?count=1&filter=client_id+eq+%22${encodeURIComponent(id)}%22&startIndex=1`)) as {
      resources?: Record<string, unknown>[];
    };
    const found = res?.resources?.[0];
    return found ? this.#map(found) : null;
  }

  async delete(id: string): Promise<void> {
    await this.#call('DELETE', `/oauth/clients/${encodeURIComponent(id)}`);
  }
}
