import { isJsonObject } from '../../core/json.js';
import { rubyTruthy } from './ruby-inspect.js';
import { brokerErrors, type BrokerError, type BrokerErrorClass, type ResponseFacts } from './errors.js';

/**
 * How CC reads broker responses (response_parser.rb, C.3). Pure functions of the response: each
 * returns what CC keeps, or the broker client error CC raises. Orphan-mitigation decisions are
 * made from that error (class and status) in orphan-mitigation.ts.
 */
export type Json = Record<string, unknown>;

export interface ParsedOk {
  ok: true;
  /** `succeeded` / `in progress` / `failed` (last_operation); absent for catalog and fetches. */
  state?: 'succeeded' | 'in progress' | 'failed';
  body: Json;
  description?: string;
  operation?: string;
  /** 410 on a delete path (or on last_operation): the resource is gone. */
  gone?: boolean;
}
export type Parsed = ParsedOk | { ok: false; error: BrokerError };

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}


function fail(error: BrokerError): Parsed {
  return { ok: false, error };
}

function notAnObject(r: ResponseFacts): BrokerError {
  return brokerErrors.malformed(r, `expected valid JSON object in body, broker returned '${r.body}'`);
}

/** The JSON object in the body, or the Malformed error CC raises for anything else. */
function jsonObject(r: ResponseFacts): { ok: true; value: Json } | { ok: false; error: BrokerError } {
  const p = parseJson(r.body);
  if (!p.ok || !isJsonObject(p.value)) return { ok: false, error: notAnObject(r) };
  return { ok: true, value: p.value };
}

/** CommonErrorValidator: statuses every parse handles the same way (409/410/422 left to the caller). */
function commonError(r: ResponseFacts): BrokerError | undefined {
  const s = r.status;
  if (s === 401) return brokerErrors.authenticationFailed(r);
  if (s === 408) return brokerErrors.apiTimeout(r);
  if (s === 409 || s === 410 || s === 422) return undefined;
  if (s >= 400 && s <= 499) return brokerErrors.requestRejected(r);
  if (s >= 500 && s <= 599) return brokerErrors.badResponse(r);
  return undefined;
}

/** FailWhenValidator on `error`: a recognised error name raises its typed error, else the fallback. */
function typed422(
  r: ResponseFacts,
  known: Partial<Record<string, (r: ResponseFacts) => BrokerError>>,
  fallback: (r: ResponseFacts) => BrokerError,
): BrokerError {
  const p = parseJson(r.body);
  if (p.ok && isJsonObject(p.value) && typeof p.value.error === 'string') {
    const make = known[p.value.error];
    if (make) return make(r);
  }
  return fallback(r);
}

// --- the json-schema checks CC applies (messages as the json-schema gem writes them) ---

type SchemaType = 'string' | 'null' | 'object' | 'array' | 'integer' | 'number' | 'boolean';
interface PropRule {
  types: SchemaType[];
  maxLength?: number;
  properties?: Record<string, PropRule>;
}

export function rubyJsonType(v: unknown): SchemaType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  return 'object';
}

function typeMatches(v: unknown, t: SchemaType): boolean {
  const actual = rubyJsonType(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function checkProps(obj: Json, rules: Record<string, PropRule>, prefix: string, out: string[]): void {
  for (const [name, rule] of Object.entries(rules)) {
    if (!(name in obj)) continue;
    const v = obj[name];
    const path = `${prefix}/${name}`;
    if (!rule.types.some((t) => typeMatches(v, t))) {
      out.push(
        rule.types.length === 1
          ? `The property '${path}' of type ${rubyJsonType(v)} did not match the following type: ${rule.types[0]}`
          : `The property '${path}' of type ${rubyJsonType(v)} did not match one or more of the following types: ${rule.types.join(', ')}`,
      );
      continue;
    }
    if (rule.maxLength !== undefined && typeof v === 'string' && [...v].length > rule.maxLength) {
      out.push(`The property '${path}' was not of a maximum string length of ${rule.maxLength}`);
    }
    if (rule.properties && isJsonObject(v)) checkProps(v, rule.properties, path, out);
  }
}

const OPERATION: PropRule = { types: ['string'], maxLength: 10_000 };
const INSTANCE_METADATA: PropRule = {
  types: ['object'],
  properties: { labels: { types: ['object'] }, attributes: { types: ['object'] } },
};
const PROVISION_SCHEMA: Record<string, PropRule> = {
  dashboard_url: { types: ['string', 'null'] },
  operation: OPERATION,
  metadata: INSTANCE_METADATA,
};
const UPDATE_SCHEMA = PROVISION_SCHEMA;
const DEPROVISION_SCHEMA: Record<string, PropRule> = { operation: OPERATION };
const ASYNC_BINDING_SCHEMA: Record<string, PropRule> = { operation: OPERATION };
const FETCH_INSTANCE_SCHEMA: Record<string, PropRule> = {
  service_id: { types: ['string'] },
  plan_id: { types: ['string'] },
  dashboard_url: { types: ['string'] },
  parameters: { types: ['object'] },
  metadata: INSTANCE_METADATA,
};
const FETCH_BINDING_SCHEMA: Record<string, PropRule> = {
  parameters: { types: ['object'] },
  credentials: { types: ['object'] },
  syslog_drain_url: { types: ['string'] },
  route_service_url: { types: ['string'] },
  volume_mounts: { types: ['array'] },
};

/** JsonSchemaValidator: a JSON object that satisfies `rules`, else Malformed with every violation. */
function schemaObject(r: ResponseFacts, rules: Record<string, PropRule>): { ok: true; value: Json } | { ok: false; error: BrokerError } {
  const obj = jsonObject(r);
  if (!obj.ok) return obj;
  const errs: string[] = [];
  checkProps(obj.value, rules, '#', errs);
  if (errs.length > 0) return { ok: false, error: brokerErrors.malformed(r, `\n${errs.join('\n')}`) };
  return obj;
}

/** SuccessValidator: `state`/`description` move into last_operation, the rest is kept. */
function success(body: Json, state?: 'succeeded' | 'in progress'): ParsedOk {
  const rest = { ...body };
  const brokerState = rest.state;
  delete rest.state;
  const out: ParsedOk = { ok: true, body: rest };
  const st = state ?? (brokerState as ParsedOk['state']);
  if (st) {
    out.state = st;
    if ('description' in rest) {
      if (rubyTruthy(rest.description)) out.description = String(rest.description);
      delete rest.description;
    }
  }
  if (typeof rest.operation === 'string') out.operation = rest.operation;
  return out;
}

function withSchema(r: ResponseFacts, rules: Record<string, PropRule>, state?: 'succeeded' | 'in progress'): Parsed {
  const v = schemaObject(r, rules);
  return v.ok ? success(v.value, state) : fail(v.error);
}

// --- one parser per broker call ---

export function parseProvision(r: ResponseFacts): Parsed {
  const common = commonError(r);
  if (common) return fail(common);
  switch (r.status) {
    case 200:
    case 201:
      return withSchema(r, PROVISION_SCHEMA, 'succeeded');
    case 202:
      return withSchema(r, PROVISION_SCHEMA, 'in progress');
    case 409:
      return fail(brokerErrors.conflict(r));
    case 422:
      return fail(
        typed422(
          r,
          {
            AsyncRequired: brokerErrors.asyncRequired,
            ConcurrencyError: brokerErrors.concurrencyError,
            MaintenanceInfoConflict: brokerErrors.maintenanceInfoConflict,
          },
          (x) => brokerErrors.badResponse(x),
        ),
      );
    default:
      return fail(brokerErrors.badResponse(r));
  }
}

export function parseUpdate(r: ResponseFacts): Parsed {
  const common = commonError(r);
  if (common) return fail(common);
  switch (r.status) {
    case 200:
      return withSchema(r, UPDATE_SCHEMA, 'succeeded');
    case 201:
      return fail(brokerErrors.badResponse(r, true));
    case 202:
      return withSchema(r, UPDATE_SCHEMA, 'in progress');
    case 422:
      return fail(
        typed422(
          r,
          { AsyncRequired: brokerErrors.asyncRequired, MaintenanceInfoConflict: brokerErrors.maintenanceInfoConflict },
          brokerErrors.requestRejected,
        ),
      );
    default:
      return fail(brokerErrors.badResponse(r));
  }
}

/**
 * parse_deprovision and parse_unbind: the same validators in CC (a DELETE to the broker), each
 * with its own schema for the 202 body.
 */
function parseDelete(r: ResponseFacts, asyncSchema: Record<string, PropRule>): Parsed {
  const common = commonError(r);
  if (common) return fail(common);
  switch (r.status) {
    case 200: {
      const v = jsonObject(r);
      return v.ok ? success(v.value, 'succeeded') : fail(v.error);
    }
    case 201:
      return fail(brokerErrors.badResponse(r, true));
    case 202:
      return withSchema(r, asyncSchema, 'in progress');
    case 410:
      return { ok: true, state: 'succeeded', body: {}, gone: true };
    case 422:
      return fail(
        typed422(
          r,
          { AsyncRequired: brokerErrors.asyncRequired, ConcurrencyError: brokerErrors.concurrencyError },
          (x) => brokerErrors.badResponse(x),
        ),
      );
    default:
      return fail(brokerErrors.badResponse(r));
  }
}

export const parseDeprovision = (r: ResponseFacts): Parsed => parseDelete(r, DEPROVISION_SCHEMA);

export interface BindContext {
  /** The offering's `requires`. */
  requires: string[];
}

function validRouteServiceUrl(u: string): boolean {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' && url.hostname !== '' && url.hostname.split('.')[0] !== '';
  } catch {
    return false;
  }
}

function volumeMountsError(r: ResponseFacts, body: Json, requires: string[]): BrokerError | undefined {
  const vm = body.volume_mounts;
  if (vm === undefined || vm === null) return undefined;
  if (!requires.includes('volume_mount')) {
    return brokerErrors.invalidVolumeMounts(
      r,
      'The service is attempting to supply volume mounts from your application, but is not registered as a volume mount service. ' +
        'Please contact the service provider.',
    );
  }
  if (!Array.isArray(vm) || vm.some((m) => !isJsonObject(m))) {
    return brokerErrors.invalidVolumeMounts(r, `expected "volume_mounts" key to contain an array of JSON objects in body, broker returned '${r.body}'`);
  }
  for (const m of vm as Json[]) {
    for (const key of ['device_type', 'device', 'mode', 'container_dir', 'driver']) {
      if (!(key in m)) return brokerErrors.invalidVolumeMounts(r, `missing required field '${key}'`);
    }
    for (const key of ['device_type', 'mode', 'container_dir', 'driver']) {
      if (typeof m[key] !== 'string' || m[key] === '') return brokerErrors.invalidVolumeMounts(r, `missing required field '${key}'`);
    }
    if (!isJsonObject(m.device)) {
      return brokerErrors.invalidVolumeMounts(r, `required field 'device' must be an object but is ${rubyClass(m.device)}`);
    }
    const d = m.device;
    if (typeof d.volume_id !== 'string' || d.volume_id === '') {
      return brokerErrors.invalidVolumeMounts(r, "required field 'device.volume_id' must be a non-empty string");
    }
    if ('mount_config' in d && d.mount_config !== null && !isJsonObject(d.mount_config)) {
      return brokerErrors.invalidVolumeMounts(r, "field 'device.mount_config' must be an object if it is defined");
    }
  }
  return undefined;
}

function rubyClass(v: unknown): string {
  switch (rubyJsonType(v)) {
    case 'null':
      return 'NilClass';
    case 'array':
      return 'Array';
    case 'boolean':
      return v ? 'TrueClass' : 'FalseClass';
    case 'integer':
      return 'Integer';
    case 'number':
      return 'Float';
    case 'string':
      return 'String';
    default:
      return 'Hash';
  }
}

export function parseBind(r: ResponseFacts, ctx: BindContext): Parsed {
  const common = commonError(r);
  if (common) return fail(common);
  switch (r.status) {
    case 200:
    case 201: {
      const v = jsonObject(r);
      if (!v.ok) return fail(v.error);
      const body = v.value;
      if (body.credentials !== undefined && body.credentials !== null && body.credentials !== false && !isJsonObject(body.credentials)) {
        return fail(brokerErrors.malformed(r, 'expected credentials to be a valid JSON object'));
      }
      if (body.syslog_drain_url !== undefined && body.syslog_drain_url !== null && !ctx.requires.includes('syslog_drain')) {
        return fail(brokerErrors.invalidSyslogDrainUrl(r));
      }
      const rsu = body.route_service_url;
      if (rsu !== undefined && rsu !== null && rsu !== false && !(typeof rsu === 'string' && validRouteServiceUrl(rsu))) {
        return fail(brokerErrors.badResponse(r));
      }
      const vmErr = volumeMountsError(r, body, ctx.requires);
      if (vmErr) return fail(vmErr);
      return success(body, 'succeeded');
    }
    case 202:
      return withSchema(r, ASYNC_BINDING_SCHEMA, 'in progress');
    case 409:
      return fail(brokerErrors.conflict(r));
    case 422:
      return fail(
        typed422(
          r,
          {
            RequiresApp: brokerErrors.appRequired,
            AsyncRequired: brokerErrors.asyncRequired,
            ConcurrencyError: brokerErrors.concurrencyError,
          },
          (x) => brokerErrors.badResponse(x),
        ),
      );
    default:
      return fail(brokerErrors.badResponse(r));
  }
}

export const parseUnbind = (r: ResponseFacts): Parsed => parseDelete(r, ASYNC_BINDING_SCHEMA);

/** A 201/202 where CC wants a 200: Malformed if the body is not a JSON object, else BadResponse. */
function unexpectedSuccess(r: ResponseFacts): BrokerError {
  const v = jsonObject(r);
  return v.ok ? brokerErrors.badResponse(r) : v.error;
}

export function parseCatalog(r: ResponseFacts): Parsed {
  const common = commonError(r);
  if (common) return fail(common);
  switch (r.status) {
    case 200: {
      const v = jsonObject(r);
      return v.ok ? { ok: true, body: v.value } : fail(v.error);
    }
    case 201:
    case 202:
      return fail(unexpectedSuccess(r));
    default:
      return fail(brokerErrors.badResponse(r));
  }
}

const STATES = ['succeeded', 'failed', 'in progress'];

/** last_operation (instance or binding). 410 comes back as `gone`, the caller decides what it means. */
export function parseLastOperation(r: ResponseFacts): Parsed {
  switch (r.status) {
    case 200: {
      const v = jsonObject(r);
      if (!v.ok) return fail(v.error);
      const state = v.value.state;
      if (typeof state !== 'string' || !STATES.includes(state)) {
        const shown = state === undefined || state === null ? '' : typeof state === 'string' ? state : JSON.stringify(state);
        return fail(brokerErrors.malformed(r, `expected state was 'succeeded', broker returned '${shown}'.`));
      }
      return success(v.value);
    }
    case 201:
    case 202:
      return fail(unexpectedSuccess(r));
    case 400: {
      let description = 'Bad request';
      const p = parseJson(r.body);
      if (p.ok && isJsonObject(p.value) && 'description' in p.value) description = String(p.value.description);
      return { ok: true, state: 'failed', body: {}, description };
    }
    case 410:
      return { ok: true, body: {}, gone: true };
    default:
      return fail(commonError(r) ?? brokerErrors.badResponse(r));
  }
}

function parseFetch(r: ResponseFacts, rules: Record<string, PropRule>): Parsed {
  const common = commonError(r);
  if (common) return fail(common);
  if (r.status !== 200) return fail(brokerErrors.badResponse(r));
  const v = schemaObject(r, rules);
  return v.ok ? { ok: true, body: v.value } : fail(v.error);
}

export const parseFetchInstance = (r: ResponseFacts): Parsed => parseFetch(r, FETCH_INSTANCE_SCHEMA);
export const parseFetchBinding = (r: ResponseFacts): Parsed => parseFetch(r, FETCH_BINDING_SCHEMA);

/** `Retry-After` as CC reads it: Ruby `to_i` (leading integer, else 0). */
export function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  const m = /^\s*([+-]?\d+)/.exec(header);
  return m ? parseInt(m[1], 10) : 0;
}

export type { BrokerErrorClass };
