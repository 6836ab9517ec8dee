/**
 * The OSB catalog from the config's `service_catalog` (ODB's `broker/catalog.go`), with the plans'
 * merged maintenance_info and, with `enable_plan_schemas`, the adapter's schemas.
 * @module
 */
import type { PlanConfig } from '../config/types.js';
import type { Op } from './context.js';
import { planMaintenanceInfo } from './maintenance-info.js';
import { planSchemas } from './schemas.js';

type Json = Record<string, unknown>;

function serviceMetadata(m: Json | undefined): Json | undefined {
  if (!m) return undefined;
  const { display_name, image_url, long_description, provider_display_name, documentation_url, support_url, shareable, ...extra } = m;
  const out: Json = {
    displayName: display_name ?? '',
    imageUrl: image_url ?? '',
    longDescription: long_description ?? '',
    providerDisplayName: provider_display_name ?? '',
    documentationUrl: documentation_url ?? '',
    supportUrl: support_url ?? '',
  };
  if (shareable) out.shareable = true;
  return { ...out, ...extra };
}

function planMetadata(m: PlanConfig['metadata']): Json {
  const { display_name, bullets, costs, ...extra } = m ?? {};
  const out: Json = { displayName: display_name ?? '' };
  if (bullets?.length) out.bullets = bullets;
  out.costs = costs ?? null;
  return { ...out, ...extra };
}

export async function catalog(op: Op): Promise<Json> {
  const { config } = op.deps;
  const c = config.service_catalog;
  const plans: Json[] = [];
  for (const p of c.plans) {
    const plan: Json = { id: p.plan_id, name: p.name, description: p.description ?? '', free: p.free ?? true };
    if (p.bindable !== undefined) plan.bindable = p.bindable;
    if (p.plan_updatable !== undefined) plan.plan_updateable = p.plan_updatable;
    plan.metadata = planMetadata(p.metadata);
    if (config.broker.enable_plan_schemas) plan.schemas = await planSchemas(op, p);
    const mi = planMaintenanceInfo(config, p);
    if (mi) plan.maintenance_info = mi;
    plans.push(plan);
  }
  const service: Json = { id: c.id, name: c.service_name, description: c.service_description ?? '', bindable: !!c.bindable };
  if (c.instances_retrievable) service.instances_retrievable = true;
  if (c.bindings_retrievable) service.bindings_retrievable = true;
  if (c.tags?.length) service.tags = c.tags;
  service.plan_updateable = !!c.plan_updatable;
  service.plans = plans;
  if (c.requires?.length) service.requires = c.requires;
  const metadata = serviceMetadata(c.metadata as Json | undefined);
  if (metadata) service.metadata = metadata;
  if (c.dashboard_client) service.dashboard_client = c.dashboard_client;
  return { services: [service] };
}
