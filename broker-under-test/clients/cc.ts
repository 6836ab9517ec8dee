/**
 * The Cloud Controller v2 client ODB uses (`cf/*.go`): only `/v2`, lists of `results-per-page=100`
 * following `next_url` from the base URL, filters written unescaped, Bearer tokens from the CF UAA
 * (client credentials, or the password grant as the `cf` client), cached until expiry.
 * @module
 */
import type { CfSection } from '../config/types.js';
import type { BrokerClock, FetchLike } from '../runtime.js';
import { TokenSource } from './uaa-token.js';

/** A CC answer ODB treats as an error; `message` is the v2 `description` where there is one. */
export class CcError extends Error {
  override name = 'CcError';
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

interface V2Resource<E> {
  metadata: { guid: string };
  entity: E;
}

interface V2List<E> {
  total_results?: number;
  next_url?: string | null;
  resources: V2Resource<E>[];
}

export interface CcPlan {
  guid: string;
  unique_id: string;
  name: string;
  service_instances_url: string;
  maintenance_info?: { version?: string };
  public?: boolean;
}

/** One service instance, as ODB lists them (`/mgmt/service_instances` uses this shape). */
export interface InstanceRecord {
  service_instance_id: string;
  plan_id: string;
  space_guid: string;
}

export class CcClient {
  readonly base: string;
  readonly tokens: TokenSource;

  constructor(
    readonly config: CfSection,
    private readonly http: FetchLike,
    clock: BrokerClock,
  ) {
    this.base = config.url.replace(/\/$/, '');
    const auth = config.uaa.authentication ?? {};
    const cc = auth.client_credentials;
    this.tokens = new TokenSource(
      http,
      clock,
      config.uaa.url,
      cc?.client_id
        ? { type: 'client_credentials', clientId: cc.client_id, clientSecret: cc.client_secret ?? '' }
        : { type: 'password', username: auth.user_credentials?.username ?? '', password: auth.user_credentials?.password ?? '' },
    );
  }

  /** One request; `body` is JSON. PUT and DELETE carry ODB's form content type even with JSON bodies. */
  async request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: unknown }> {
    const headers: Record<string, string> = { authorization: await this.tokens.header(), accept: 'application/json' };
    if (method === 'POST') headers['content-type'] = 'application/json';
    if (method === 'PUT' || method === 'DELETE') headers['content-type'] = 'application/x-www-form-urlencoded';
    let res: Response;
    try {
      res = await this.http(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new CcError(`Cloud Controller request failed: ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  }

  /** A GET that must answer 200 with a non-empty body. */
  async get<T>(path: string): Promise<T> {
    const r = await this.request('GET', path);
    if (r.status !== 200) {
      const description = (r.json as { description?: string } | undefined)?.description;
      throw new CcError(description ?? `Unexpected reponse status ${r.status}, "${r.text}"`, r.status);
    }
    if (r.text.trim() === '{}') throw new CcError('Empty response body', r.status);
    if (r.json === undefined) throw new CcError(`Invalid response body: ${r.text}`, r.status);
    return r.json as T;
  }

  /** Every resource of a v2 list, following `next_url` appended to the base URL. */
  async list<E>(path: string): Promise<V2Resource<E>[]> {
    const out: V2Resource<E>[] = [];
    let next: string | null | undefined = path;
    while (next) {
      const page: V2List<E> = await this.get<V2List<E>>(next);
      out.push(...(page.resources ?? []));
      next = page.next_url;
    }
    return out;
  }

  async apiVersion(): Promise<{ api_version: string; osbapi_version?: string }> {
    return this.get('/v2/info');
  }

  /** plans(S): the CC plans of the offering with this catalog id (none when it is not registered). */
  async plansOf(serviceUniqueId: string): Promise<CcPlan[]> {
    const services = await this.list<{ unique_id: string; service_plans_url: string }>('/v2/services?results-per-page=100');
    const service = services.find((s) => s.entity.unique_id === serviceUniqueId);
    if (!service) return [];
    const plans = await this.list<Omit<CcPlan, 'guid'>>(`${service.entity.service_plans_url}?results-per-page=100`);
    return plans.map((p) => ({ ...p.entity, guid: p.metadata.guid }));
  }

  /** ODB's `CountInstancesOfServiceOffering`: per CC plan, `total_results` of its instance list. */
  async countInstances(serviceUniqueId: string): Promise<{ plan: CcPlan; count: number }[]> {
    const out: { plan: CcPlan; count: number }[] = [];
    for (const plan of await this.plansOf(serviceUniqueId)) {
      const page = await this.get<V2List<unknown>>(`${plan.service_instances_url}?results-per-page=100`);
      out.push({ plan, count: page.total_results ?? 0 });
    }
    return out;
  }

  /** ODB's `GetServiceInstances`, optionally limited to one org and space (unknown ones give none). */
  async serviceInstances(serviceUniqueId: string, filter: { org?: string; space?: string } = {}): Promise<InstanceRecord[]> {
    const plans = await this.plansOf(serviceUniqueId);
    let spaceQuery = '';
    if (filter.org && filter.space) {
      const orgs = await this.get<V2List<{ spaces_url: string }>>(`/v2/organizations?q=name:${filter.org}`);
      const org = orgs.resources?.[0];
      if (!org) return [];
      const spaces = await this.get<V2List<unknown>>(`${org.entity.spaces_url}?q=name:${filter.space}`);
      const space = spaces.resources?.[0];
      if (!space) return [];
      spaceQuery = `&q=space_guid:${space.metadata.guid}`;
    }
    const out: InstanceRecord[] = [];
    for (const plan of plans) {
      const instances = await this.list<{ space_guid: string }>(`/v2/service_plans/${plan.guid}/service_instances?results-per-page=100${spaceQuery}`);
      for (const i of instances) out.push({ service_instance_id: i.metadata.guid, plan_id: plan.unique_id, space_guid: i.entity.space_guid });
    }
    return out;
  }
}
