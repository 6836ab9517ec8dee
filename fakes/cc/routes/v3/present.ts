import { iso } from '../../http.js';
import type { CcModel } from '../../model/model.js';
import type { App, Binding, Broker, Instance, Job, LastOperation, Offering, Org, Plan, Role, Space, User } from '../../model/state.js';

/** v3 JSON for each record, as CC's presenters write them. `b` is the external base URL. */

const link = (href: string) => ({ href });
const rel = (guid: string | undefined) => ({ data: guid ? { guid } : null });

export function lastOp3(lo: LastOperation | null): Record<string, unknown> {
  if (!lo) return {};
  return { type: lo.type, state: lo.state, description: lo.description, created_at: iso(lo.created_at), updated_at: iso(lo.updated_at) };
}

export function org3(o: Org, b: string) {
  return {
    guid: o.guid,
    created_at: iso(o.created_at),
    updated_at: iso(o.updated_at),
    name: o.name,
    suspended: o.suspended,
    relationships: { quota: { data: { guid: QUOTA_GUID } } },
    metadata: o.metadata,
    links: {
      self: link(`${b}/v3/organizations/${o.guid}`),
      domains: link(`${b}/v3/organizations/${o.guid}/domains`),
      default_domain: link(`${b}/v3/organizations/${o.guid}/domains/default`),
      quota: link(`${b}/v3/organization_quotas/${QUOTA_GUID}`),
    },
  };
}

/** The default organization quota every org points at. */
export const QUOTA_GUID = 'b7887f5c-34bb-40c5-9778-577572e4fb2d';

export function space3(s: Space, b: string) {
  return {
    guid: s.guid,
    created_at: iso(s.created_at),
    updated_at: iso(s.updated_at),
    name: s.name,
    relationships: { organization: rel(s.org_guid), quota: { data: null } },
    metadata: s.metadata,
    links: {
      self: link(`${b}/v3/spaces/${s.guid}`),
      features: link(`${b}/v3/spaces/${s.guid}/features`),
      organization: link(`${b}/v3/organizations/${s.org_guid}`),
      apply_manifest: { href: `${b}/v3/spaces/${s.guid}/actions/apply_manifest`, method: 'POST' },
    },
  };
}

export function user3(u: User, b: string) {
  return {
    guid: u.guid,
    created_at: iso(u.created_at),
    updated_at: iso(u.updated_at),
    username: u.username ?? null,
    presentation_name: u.presentation_name,
    origin: u.origin ?? null,
    metadata: { labels: {}, annotations: {} },
    links: { self: link(`${b}/v3/users/${u.guid}`) },
  };
}

export function role3(r: Role, b: string) {
  const relationships: Record<string, unknown> = {
    user: rel(r.user_guid),
    organization: rel(r.org_guid),
    space: rel(r.space_guid),
  };
  const links: Record<string, unknown> = { self: link(`${b}/v3/roles/${r.guid}`), user: link(`${b}/v3/users/${r.user_guid}`) };
  if (r.org_guid) links.organization = link(`${b}/v3/organizations/${r.org_guid}`);
  if (r.space_guid) links.space = link(`${b}/v3/spaces/${r.space_guid}`);
  return { guid: r.guid, created_at: iso(r.created_at), updated_at: iso(r.updated_at), type: r.type, relationships, links };
}

export function app3(a: App, b: string) {
  return {
    guid: a.guid,
    created_at: iso(a.created_at),
    updated_at: iso(a.updated_at),
    name: a.name,
    state: a.state,
    lifecycle: { type: 'buildpack', data: { buildpacks: [], stack: 'cflinuxfs4' } },
    relationships: { space: rel(a.space_guid), current_droplet: { data: null } },
    metadata: a.metadata,
    links: {
      self: link(`${b}/v3/apps/${a.guid}`),
      space: link(`${b}/v3/spaces/${a.space_guid}`),
      service_credential_bindings: link(`${b}/v3/service_credential_bindings?app_guids=${a.guid}`),
    },
  };
}

export function broker3(br: Broker, b: string) {
  const links: Record<string, unknown> = {
    self: link(`${b}/v3/service_brokers/${br.guid}`),
    service_offerings: link(`${b}/v3/service_offerings?service_broker_guids=${br.guid}`),
  };
  if (br.space_guid) links.space = link(`${b}/v3/spaces/${br.space_guid}`);
  return {
    guid: br.guid,
    name: br.name,
    url: br.url,
    created_at: iso(br.created_at),
    updated_at: iso(br.updated_at),
    relationships: br.space_guid ? { space: rel(br.space_guid) } : {},
    metadata: br.metadata,
    links,
  };
}

export function offering3(o: Offering, b: string) {
  return {
    guid: o.guid,
    name: o.name,
    description: o.description,
    available: o.active,
    tags: o.tags,
    requires: o.requires,
    created_at: iso(o.created_at),
    updated_at: iso(o.updated_at),
    shareable: o.shareable,
    documentation_url: o.documentation_url,
    broker_catalog: {
      id: o.catalog_id,
      metadata: o.catalog_metadata ?? {},
      features: {
        plan_updateable: o.plan_updateable,
        bindable: o.bindable,
        instances_retrievable: o.instances_retrievable,
        bindings_retrievable: o.bindings_retrievable,
        allow_context_updates: o.allow_context_updates,
      },
    },
    relationships: { service_broker: rel(o.broker_guid) },
    metadata: o.metadata,
    links: {
      self: link(`${b}/v3/service_offerings/${o.guid}`),
      service_plans: link(`${b}/v3/service_plans?service_offering_guids=${o.guid}`),
      service_broker: link(`${b}/v3/service_brokers/${o.broker_guid}`),
    },
  };
}

/** A plan's effective `bindable`/`plan_updateable`: its own, else the offering's. */
export function planFeatures(p: Plan, o: Offering | undefined) {
  return { plan_updateable: p.plan_updateable ?? o?.plan_updateable ?? false, bindable: p.bindable ?? o?.bindable ?? false };
}

export function plan3(m: CcModel, p: Plan, b: string) {
  const o = m.offeringOf(p);
  const costs = planCosts((p.catalog_metadata as { costs?: unknown } | null)?.costs);
  const relationships: Record<string, unknown> = { service_offering: rel(p.offering_guid) };
  if (p.space_guid) relationships.space = rel(p.space_guid);
  const links: Record<string, unknown> = {
    self: link(`${b}/v3/service_plans/${p.guid}`),
    service_offering: link(`${b}/v3/service_offerings/${p.offering_guid}`),
    visibility: link(`${b}/v3/service_plans/${p.guid}/visibility`),
  };
  if (p.space_guid) links.space = link(`${b}/v3/spaces/${p.space_guid}`);
  return {
    guid: p.guid,
    name: p.name,
    description: p.description,
    visibility_type: m.visibilityType(p),
    available: p.active,
    free: p.free,
    costs,
    created_at: iso(p.created_at),
    updated_at: iso(p.updated_at),
    maintenance_info: p.maintenance_info ?? {},
    broker_catalog: {
      id: p.catalog_id,
      metadata: p.catalog_metadata ?? {},
      maximum_polling_duration: p.maximum_polling_duration,
      features: planFeatures(p, o),
    },
    schemas: p.schemas,
    relationships,
    metadata: p.metadata,
    links,
  };
}

/**
 * `costs` from the catalog's `metadata.costs` (ServicePlanPresenter): the whole list must match
 * `[{amount: {<currency>: number, ...1+}, unit: non-empty string}]`, else `[]`; an empty currency
 * name also gives `[]`.
 */
function planCosts(raw: unknown): { currency: string; amount: number; unit: string }[] {
  if (raw === undefined || raw === null || raw === false) return [];
  const isRec = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  const valid =
    Array.isArray(raw) &&
    raw.every(
      (c) =>
        isRec(c) &&
        isRec(c.amount) &&
        Object.keys(c.amount).length >= 1 &&
        Object.values(c.amount).every((a) => typeof a === 'number') &&
        typeof c.unit === 'string' &&
        c.unit.length >= 1,
    );
  if (!valid) return [];
  const out: { currency: string; amount: number; unit: string }[] = [];
  for (const c of raw as { amount: Record<string, number>; unit: string }[]) {
    for (const [currency, amount] of Object.entries(c.amount)) {
      if (currency === '') return [];
      out.push({ currency: currency.toUpperCase(), amount, unit: c.unit });
    }
  }
  return out;
}

export function instance3(m: CcModel, i: Instance, b: string) {
  const base = {
    guid: i.guid,
    created_at: iso(i.created_at),
    updated_at: iso(i.updated_at),
    name: i.name,
    tags: i.tags,
    last_operation: lastOp3(i.last_operation),
  };
  if (i.type === 'user-provided') {
    return {
      ...base,
      type: 'user-provided',
      syslog_drain_url: i.syslog_drain_url ?? null,
      route_service_url: i.route_service_url ?? null,
      relationships: { space: rel(i.space_guid) },
      metadata: i.metadata,
      links: {
        self: link(`${b}/v3/service_instances/${i.guid}`),
        space: link(`${b}/v3/spaces/${i.space_guid}`),
        credentials: link(`${b}/v3/service_instances/${i.guid}/credentials`),
        service_credential_bindings: link(`${b}/v3/service_credential_bindings?service_instance_guids=${i.guid}`),
        service_route_bindings: link(`${b}/v3/service_route_bindings?service_instance_guids=${i.guid}`),
      },
    };
  }
  const plan = m.get('plans', i.plan_guid);
  return {
    ...base,
    type: 'managed',
    maintenance_info: i.maintenance_info ?? {},
    upgrade_available: upgradeAvailable(i, plan),
    dashboard_url: i.dashboard_url,
    broker_provided_metadata: i.broker_provided_metadata,
    relationships: { service_plan: rel(i.plan_guid), space: rel(i.space_guid) },
    metadata: i.metadata,
    links: {
      self: link(`${b}/v3/service_instances/${i.guid}`),
      service_plan: link(`${b}/v3/service_plans/${i.plan_guid}`),
      space: link(`${b}/v3/spaces/${i.space_guid}`),
      parameters: link(`${b}/v3/service_instances/${i.guid}/parameters`),
      shared_spaces: link(`${b}/v3/service_instances/${i.guid}/relationships/shared_spaces`),
      service_credential_bindings: link(`${b}/v3/service_credential_bindings?service_instance_guids=${i.guid}`),
      service_route_bindings: link(`${b}/v3/service_route_bindings?service_instance_guids=${i.guid}`),
    },
  };
}

/** CC compares the two versions as they are: a plan that lost its maintenance_info also counts as an upgrade. */
export function upgradeAvailable(i: Instance, plan: Plan | undefined): boolean {
  return (i.maintenance_info?.version ?? null) !== (plan?.maintenance_info?.version ?? null);
}

/** `userProvided`: a binding of a user-provided instance has no `parameters` link (nothing to fetch from a broker). */
export function binding3(bd: Binding, b: string, userProvided = false) {
  const relationships: Record<string, unknown> = { service_instance: rel(bd.instance_guid) };
  const links: Record<string, unknown> = {
    self: link(`${b}/v3/service_credential_bindings/${bd.guid}`),
    details: link(`${b}/v3/service_credential_bindings/${bd.guid}/details`),
    service_instance: link(`${b}/v3/service_instances/${bd.instance_guid}`),
  };
  if (bd.type === 'app') {
    relationships.app = rel(bd.app_guid);
    links.app = link(`${b}/v3/apps/${bd.app_guid}`);
  }
  if (!userProvided) links.parameters = link(`${b}/v3/service_credential_bindings/${bd.guid}/parameters`);
  return {
    guid: bd.guid,
    created_at: iso(bd.created_at),
    updated_at: iso(bd.updated_at),
    name: bd.name,
    type: bd.type,
    last_operation: lastOp3(bd.last_operation),
    metadata: bd.metadata,
    relationships,
    links,
  };
}

export function job3(j: Job, b: string) {
  const links: Record<string, unknown> = { self: link(`${b}/v3/jobs/${j.guid}`) };
  if (j.resource_type && j.resource_guid) links[j.resource_type] = link(`${b}/v3/${j.resource_type}/${j.resource_guid}`);
  return {
    guid: j.guid,
    created_at: iso(j.created_at),
    updated_at: iso(j.updated_at),
    operation: j.operation,
    state: j.state,
    errors: j.errors,
    warnings: j.warnings,
    links,
  };
}
