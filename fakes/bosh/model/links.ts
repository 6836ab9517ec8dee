import { isJsonObject, type JsonObject } from '../../core/json.js';
import { BoshError } from '../errors.js';
import type { BoshState, DeploymentRecord, ExternalLink, LinkProviderRecord } from '../state.js';
import { canonical } from './names.js';

/** The `status` query of `GET /link_address` as local DNS encodes it (`s<n>`). */
export const LINK_STATUS: Record<string, number> = { default: 0, unhealthy: 1, healthy: 3, all: 4 };

const createError = (msg: string) => new BoshError(400, 810001, `Invalid request: ${msg}`);

/** What `POST /links` will create, once checked (`links_api_manager.rb`). */
export interface LinkRequest {
  deployment: DeploymentRecord;
  provider: LinkProviderRecord;
  consumer: string;
}

/** External links (`POST /links`) over the state: each check first, then the change. */
export class Links {
  constructor(
    private readonly state: () => BoshState,
    private readonly nextId: (kind: string) => number,
    private readonly now: () => number,
  ) {}

  /** The payload's checks, in the director's order; nothing changes. */
  check(body: JsonObject): LinkRequest {
    const pid = body.link_provider_id;
    if (pid === undefined || pid === null || pid === '') throw createError('`link_provider_id` must be provided');
    if (typeof pid !== 'string') throw createError('`link_provider_id` must be a String');
    const consumer = body.link_consumer;
    if (consumer === undefined || consumer === null) throw createError('`link_consumer` section must be defined');
    const owner = isJsonObject(consumer) ? consumer.owner_object : undefined;
    if (owner === undefined || owner === null) throw createError('`link_consumer.owner_object` section must be defined');
    const o = isJsonObject(owner) ? owner : {};
    if (o.type !== 'external') throw createError("`link_consumer.owner_object.type` should be 'external'");
    if (typeof o.name !== 'string' || o.name === '') throw createError('`link_consumer.owner_object.name` must not be empty');
    const found = this.provider(Number(pid));
    if (!found) throw new BoshError(400, 810002, `Invalid link_provider_id: ${pid}`);
    if (!found.provider.shared) throw new BoshError(403, 810009, 'Provider not `shared`');
    return { ...found, consumer: o.name };
  }

  provider(id: number): { deployment: DeploymentRecord; provider: LinkProviderRecord } | undefined {
    for (const deployment of Object.values(this.state().deployments)) {
      const provider = deployment.link_providers.find((lp) => lp.id === id);
      if (provider) return { deployment, provider };
    }
    return undefined;
  }

  add(r: LinkRequest): ExternalLink {
    const link: ExternalLink = {
      id: this.nextId('link'),
      name: r.provider.name,
      link_provider_id: r.provider.id,
      link_consumer_id: this.nextId('link_consumer'),
      deployment: r.deployment.name,
      consumer_name: r.consumer,
      created_at: this.now(),
      use_short_dns_addresses: r.deployment.use_short_dns_addresses === true,
    };
    this.state().links.push(link);
    return link;
  }

  find(id: string): ExternalLink | undefined {
    return this.state().links.find((l) => l.id === Number(id));
  }

  /** `DELETE /links/:id`. */
  delete(id: string): void {
    const link = this.find(id);
    if (!link) throw new BoshError(404, 810000, `Invalid link id: ${id}`);
    this.state().links = this.state().links.filter((l) => l !== link);
  }

  /** The link's provider and its deployment, or the director's 810000. */
  target(id: string): { link: ExternalLink; deployment: DeploymentRecord; provider: LinkProviderRecord } {
    const link = this.find(id);
    const found = link ? this.provider(link.link_provider_id) : undefined;
    if (!link || !found || found.deployment.name !== link.deployment) throw new BoshError(404, 810000, `Could not find a link with id ${id}`);
    return { link, ...found };
  }
}

/**
 * The DNS query name of a link (`dns_encoder.rb`): the query's parts sorted (`a<az>`, with short
 * names `n<network>`, `s<status>`), then the group, network and deployment, or the short `q-g<group>`.
 */
export function linkAddress(q: { azIds: number[]; status: number; short: { network: number; group: number } | null; group: string; network: string; deployment: string }): string {
  const parts = [...q.azIds.map((n) => `a${n}`), ...(q.short ? [`n${q.short.network}`] : []), `s${q.status}`].sort();
  const slug = `q-${parts.join('')}`;
  if (q.short) return `${slug}.q-g${q.short.group}.bosh`;
  return `${slug}.${canonical(q.group)}.${canonical(q.network)}.${canonical(q.deployment)}.bosh`;
}
