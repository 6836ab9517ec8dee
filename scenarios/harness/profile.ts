import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { FoundationConfigInput } from '../../fakes/core/config.js';
import type { ServiceProfile } from './environment.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The example redis-like service the catalogue runs against by default. */
export const DEFAULT_SERVICE: ServiceProfile = {
  name: 'redis-example',
  odbConfig: path.join(ROOT, 'broker-under-test/example-adapters/redis/odb-config.yml'),
  foundation: path.join(ROOT, 'broker-under-test/example-adapters/redis/foundation.yml'),
  root: ROOT,
  adapterModule: path.join(ROOT, 'broker-under-test/example-adapters/redis/service-adapter.mjs'),
};

export interface LoadedService {
  profile: ServiceProfile;
  odbConfig: Record<string, unknown>;
  foundation: FoundationConfigInput;
}

/** Reads a service profile; the adapter path becomes absolute (relative to the profile's root). */
export function loadService(profile: ServiceProfile = DEFAULT_SERVICE): LoadedService {
  if (!existsSync(profile.odbConfig)) throw new Error(`service ${profile.name}: no ODB config at ${profile.odbConfig}`);
  const odbConfig = parse(readFileSync(profile.odbConfig, 'utf8')) as Record<string, unknown>;
  const adapter = odbConfig.service_adapter as { path?: string } | undefined;
  if (adapter?.path && !path.isAbsolute(adapter.path)) adapter.path = path.resolve(profile.root ?? process.cwd(), adapter.path);
  const foundation = profile.foundation ? (parse(readFileSync(profile.foundation, 'utf8')) as FoundationConfigInput) : {};
  return { profile, odbConfig, foundation };
}

/** The catalog of an ODB config, in the names scenarios use. */
export interface ServiceCatalog {
  serviceId: string;
  serviceName: string;
  plans: Array<{ name: string; id: string; raw: Record<string, unknown> }>;
}

export function catalogOf(odbConfig: Record<string, unknown>): ServiceCatalog {
  const c = odbConfig.service_catalog as { id: string; service_name: string; plans: Array<Record<string, unknown> & { name: string; plan_id: string }> };
  return { serviceId: c.id, serviceName: c.service_name, plans: c.plans.map((p) => ({ name: p.name, id: p.plan_id, raw: p })) };
}
