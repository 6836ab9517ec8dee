import { isJsonObject } from '../../core/json.js';
import type { CatalogResult, ExistingBrokerCatalog, OsbCatalog } from './api.js';
import { ccErrors } from './errors.js';
import { rubyInspect, rubyTruthy } from './ruby-inspect.js';
import { schemaProblems } from './schema-validation.js';

/**
 * Catalog validation on broker register/update (catalog.rb, catalog_service.rb, catalog_plan.rb,
 * catalog_schemas.rb; C.6). Messages are collected per service / plan / schemas and written as CC's
 * ValidationErrorsFormatter does, under "Service broker catalog is invalid: ".
 */
type J = Record<string, unknown>;

/** SemVer 2.0.0, as VCAP::SemverValidator accepts it. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const SUPPORTED_REQUIRES = ['syslog_drain', 'route_forwarding', 'volume_mount'];

class Errors {
  messages: string[] = [];
  add(m: string): void {
    this.messages.push(m);
  }
  get count(): number {
    return this.messages.length;
  }
  /** The catalog-validation helpers, with CC's human-readable attribute names. */
  string(label: string, v: unknown, required = false): void {
    if (typeof v !== 'string' && v !== undefined && v !== null) {
      this.add(`${label} must be a string, but has value ${rubyInspect(v)}`);
      return;
    }
    if (required && (v === undefined || v === null || (v as string).trim() === '')) this.add(`${label} is required`);
  }
  description(label: string, v: unknown, required = false): void {
    this.string(label, v, required);
    if (typeof v === 'string' && v.length > 10_000) this.add(`${label} may not have more than 10000 characters`);
  }
  bool(label: string, v: unknown, required = false): void {
    if (typeof v !== 'boolean' && v !== undefined && v !== null) {
      this.add(`${label} must be a boolean, but has value ${rubyInspect(v)}`);
      return;
    }
    if (required && (v === undefined || v === null)) this.add(`${label} is required`);
  }
  hash(label: string, v: unknown): void {
    if (!isJsonObject(v)) this.add(`${label} must be a hash, but has value ${rubyInspect(v)}`);
  }
  integer(label: string, v: unknown): void {
    if (!(typeof v === 'number' && Number.isInteger(v)) && v !== undefined && v !== null) {
      this.add(`${label} must be an integer, but has value ${rubyInspect(v)}`);
    }
  }
  arrayOfStrings(label: string, v: unknown): boolean {
    if (!(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      this.add(`${label} must be an array of strings, but has value ${rubyInspect(v)}`);
      return false;
    }
    return true;
  }
}

interface PlanReport {
  name: string;
  errors: Errors;
  schemas: Errors;
}
interface ServiceReport {
  name: string;
  errors: Errors;
  plans: PlanReport[];
}

const SCHEMA_PATHS: [string, string][] = [
  ['service_instance', 'create'],
  ['service_instance', 'update'],
  ['service_binding', 'create'],
];

function validateSchemas(raw: J, out: Errors): void {
  for (const [type, action] of SCHEMA_PATHS) {
    const typeNode = raw[type];
    if (typeNode === undefined || typeNode === null) continue;
    if (!isJsonObject(typeNode)) {
      out.add(`Schemas ${type} must be a hash, but has value ${rubyInspect(typeNode)}`);
      continue;
    }
    const actionNode = typeNode[action];
    if (actionNode === undefined || actionNode === null) continue;
    if (!isJsonObject(actionNode)) {
      out.add(`Schemas ${type}.${action} must be a hash, but has value ${rubyInspect(actionNode)}`);
      continue;
    }
    const params = actionNode.parameters;
    if (params === undefined || params === null) continue;
    const path = `${type}.${action}.parameters`;
    if (!isJsonObject(params)) {
      out.add(`Schemas ${path} must be a hash, but has value ${rubyInspect(params)}`);
      continue;
    }
    for (const problem of schemaProblems(params)) out.add(`Schema ${path} is not valid. ${problem}`);
  }
}

function validatePlan(raw: J): PlanReport {
  const e = new Errors();
  const schemas = new Errors();
  e.string('Plan id', raw.id, true);
  e.string('Plan name', raw.name, true);
  e.description('Plan description', raw.description, true);
  if (rubyTruthy(raw.metadata)) e.hash('Plan metadata', raw.metadata);
  const free = raw.free === undefined || raw.free === null ? true : raw.free;
  if (rubyTruthy(free)) e.bool('Plan free', free);
  if (rubyTruthy(raw.bindable)) e.bool('Plan bindable', raw.bindable);
  if (rubyTruthy(raw.plan_updateable)) e.bool('Plan updateable', raw.plan_updateable);
  if (rubyTruthy(raw.maximum_polling_duration)) e.integer('Maximum polling duration', raw.maximum_polling_duration);
  if (rubyTruthy(raw.schemas)) e.hash('Plan schemas', raw.schemas);
  const mi = raw.maintenance_info;
  if (rubyTruthy(mi)) {
    e.hash('Maintenance info', mi);
    const version = isJsonObject(mi) ? mi.version : undefined;
    e.string('Maintenance info version', version, true);
    if (!(typeof version === 'string' && SEMVER.test(version))) {
      e.add(`Maintenance info version must be a Semantic Version, but has value ${rubyInspect(version)}`);
    }
    e.string('Maintenance info description', isJsonObject(mi) ? mi.description : undefined);
    const len = JSON.stringify(mi).length;
    if (len > 2000) e.add(`Maintenance info must serialize to 2000 characters or fewer in JSON, but serializes to ${len} characters`);
    if (isJsonObject(mi)) {
      const extra = Object.keys(mi).filter((k) => k !== 'version' && k !== 'description');
      if (extra.length > 0) e.add(`Maintenance info contains invalid key(s): ${extra.join(', ')}`);
    }
  }
  if (isJsonObject(raw.schemas)) validateSchemas(raw.schemas, schemas);
  return { name: typeof raw.name === 'string' ? raw.name : String(raw.name ?? ''), errors: e, schemas };
}

function duplicates<T>(xs: T[]): T[] {
  return [...new Set(xs.filter((x, i) => xs.indexOf(x) !== i))];
}

function validateService(raw: J): ServiceReport {
  const e = new Errors();
  const name = typeof raw.name === 'string' ? raw.name : String(raw.name ?? '');
  e.string('Service id', raw.id, true);
  e.string('Service name', raw.name, true);
  e.description('Service description', raw.description, true);
  e.bool('Service "bindable" field', raw.bindable, true);
  e.bool('Service "plan_updateable" field', rubyTruthy(raw.plan_updateable) ? raw.plan_updateable : false, true);
  e.bool('Service "instances_retrievable" field', raw.instances_retrievable);
  e.bool('Service "bindings_retrievable" field', raw.bindings_retrievable);
  e.bool('Service "allow_context_updates" field', raw.allow_context_updates);
  const tags = raw.tags === undefined ? [] : raw.tags;
  if (e.arrayOfStrings('Service tags', tags) && (tags as string[]).join('').length > 2048) {
    e.add(`Tags for the service ${name} must be 2048 characters or less.`);
  }
  const requires = raw.requires === undefined ? [] : raw.requires;
  e.arrayOfStrings('Service "requires" field', requires);
  if (rubyTruthy(raw.metadata)) {
    e.hash('Service metadata', raw.metadata);
    if (isJsonObject(raw.metadata) && 'shareable' in raw.metadata) e.bool('Service metadata shareable', raw.metadata.shareable);
  }
  const dc = raw.dashboard_client;
  if (rubyTruthy(dc)) {
    const before = e.count;
    e.hash('Service dashboard client attributes', dc);
    if (e.count === before && isJsonObject(dc)) {
      e.string('Service dashboard client id', dc.id, true);
      e.string('Service dashboard client secret', dc.secret, true);
      e.string('Service dashboard client redirect_uri', dc.redirect_uri, true);
    }
  }
  if (Array.isArray(requires)) {
    for (const v of requires) if (!SUPPORTED_REQUIRES.includes(v as string)) e.add(`Service "requires" field contains unsupported value "${String(v)}"`);
  }

  // Plans, each step only when the previous added nothing (validate_dependently_in_order).
  const plans: PlanReport[] = [];
  const plansData = raw.plans;
  const report: ServiceReport = { name, errors: e, plans };
  const empty = plansData === undefined || plansData === null || (Array.isArray(plansData) && plansData.length === 0) || (isJsonObject(plansData) && Object.keys(plansData).length === 0) || plansData === '';
  if (empty) {
    e.add('At least one plan is required');
    return report;
  }
  if (!(Array.isArray(plansData) && plansData.every(isJsonObject))) {
    e.add(`Service plans list must be an array of hashes, but has value ${rubyInspect(plansData)}`);
    return report;
  }
  const before = e.count;
  for (const p of plansData as J[]) plans.push(validatePlan(p));
  if (plans.some((p) => p.errors.count > 0 || p.schemas.count > 0) || e.count !== before) return report;
  for (const id of duplicates((plansData as J[]).map((p) => p.id))) {
    e.add(`Plan ids must be unique within a service. Service ${name} already has a plan with id '${String(id)}'`);
  }
  for (const pn of duplicates((plansData as J[]).map((p) => p.name))) {
    e.add(`Plan names must be unique within a service. Service ${name} already has a plan named ${String(pn)}`);
  }
  return report;
}

function format(top: string[], services: ServiceReport[]): string {
  const I = '  ';
  let m = '\n';
  for (const t of top) m += `${t}\n`;
  for (const s of services) {
    const planErrors = s.plans.filter((p) => p.errors.count > 0 || p.schemas.count > 0);
    if (s.errors.count === 0 && planErrors.length === 0) continue;
    m += `Service ${s.name}\n`;
    for (const e of s.errors.messages) m += `${I}${e}\n`;
    for (const p of planErrors) {
      m += `${I}Plan ${p.name}\n`;
      for (const e of p.errors.messages) m += `${I}${I}${e}\n`;
      if (p.schemas.count > 0) {
        m += `${I}${I}Schemas\n`;
        for (const e of p.schemas.messages) m += `${I}${I}${I}${e}\n`;
      }
    }
  }
  return m;
}

export interface PlatformFeatures {
  routeServicesEnabled?: boolean;
  volumeServicesEnabled?: boolean;
}

/** Offerings the platform cannot host (CatalogIncompatibility): 502 CF-ServiceBrokerCatalogIncompatible. */
function incompatibilities(catalog: OsbCatalog, f: PlatformFeatures): string[] {
  const out: string[] = [];
  for (const s of catalog.services) {
    const requires = Array.isArray(s.requires) ? s.requires : [];
    if (f.routeServicesEnabled === false && requires.includes('route_forwarding')) {
      out.push(`Service ${s.name} is declared to be a route service but support for route services is disabled.`);
    }
    if (f.volumeServicesEnabled === false && requires.includes('volume_mount')) {
      out.push(`Service ${s.name} is declared to be a volume mount service but support for volume mount services is disabled.`);
    }
  }
  return out;
}

/** Validates a parsed `GET /v2/catalog` body as CC does; `existing` adds the checks against this broker's records. */
export function validateCatalog(body: J, existing?: ExistingBrokerCatalog, features: PlatformFeatures = {}): CatalogResult {
  const top: string[] = [];
  const servicesData = body.services === undefined || body.services === null ? [] : body.services;
  const services: ServiceReport[] = [];
  const list = Array.isArray(servicesData) ? servicesData : [];
  if (!Array.isArray(servicesData)) top.push(`Services must be an array, but has value ${rubyInspect(servicesData)}`);
  for (const s of list) {
    if (!isJsonObject(s)) {
      top.push(`Service must be a hash, but has value ${rubyInspect(s)}`);
      continue;
    }
    services.push(validateService(s));
  }
  if (list.length === 0 && Array.isArray(servicesData)) top.push('Service broker must provide at least one service');

  const svcObjs = list.filter(isJsonObject);
  if (duplicates(svcObjs.map((s) => s.id).filter((x) => x !== undefined && x !== null)).length > 0) top.push('Service ids must be unique');
  const names = svcObjs.map((s) => s.name).filter((x) => x !== undefined && x !== null);
  let nameClash = duplicates(names).length > 0;
  for (const old of existing?.services ?? []) {
    if (old.hasInstances && svcObjs.some((s) => s.name === old.name && s.id !== old.id)) nameClash = true;
  }
  if (nameClash) top.push('Service names must be unique within a broker');

  // Plan ids across the whole catalog, and against plans this broker already has under another service.
  const seen = new Map<string, { plan: string; service: string; serviceId: unknown }>();
  for (const s of svcObjs) {
    if (!Array.isArray(s.plans)) continue;
    for (const p of s.plans.filter(isJsonObject)) {
      if (typeof p.id !== 'string') continue;
      const here = { plan: String(p.name), service: String(s.name), serviceId: s.id };
      const prior = seen.get(p.id);
      if (prior && prior.serviceId !== s.id) {
        top.push(
          `Plan ids must be unique. Unable to register plan with id '${p.id}' (plan name '${here.plan}', service name '${here.service}') ` +
            `because it uses the same id as another plan in the catalog (plan name '${prior.plan}', service name '${prior.service}')`,
        );
      } else if (!prior) seen.set(p.id, here);
      const registered = existing?.plans?.find((x) => x.id === p.id && x.serviceId !== s.id);
      if (registered) {
        top.push(
          `Plan ids must be unique. Unable to register plan with id '${p.id}' (plan name '${here.plan}', service name '${here.service}') ` +
            'because it uses the same id as an existing plan of this broker under another service',
        );
      }
    }
  }

  const dcIds = svcObjs.map((s) => (isJsonObject(s.dashboard_client) ? s.dashboard_client.id : undefined)).filter((x) => x !== undefined && x !== null);
  if (duplicates(dcIds).length > 0) top.push('Service dashboard_client id must be unique');

  const invalid = top.length > 0 || services.some((s) => s.errors.count > 0 || s.plans.some((p) => p.errors.count > 0 || p.schemas.count > 0));
  if (invalid) return { ok: false, error: ccErrors.catalogInvalid(format(top, services)) };
  const catalog = structuredClone(body) as unknown as OsbCatalog;
  const incompatible = incompatibilities(catalog, features);
  if (incompatible.length > 0) return { ok: false, error: ccErrors.catalogIncompatible(`\n${incompatible.map((m) => `${m}\n`).join('')}`) };
  return { ok: true, catalog };
}
