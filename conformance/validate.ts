/**
 * Shape checks for what a broker answers: error bodies, provision/update/delete bodies, last
 * operation, bindings, fetched instances. Each problem carries the requirement it breaks.
 */
import { isObject, type CatalogService } from './catalog-types.js';
import { spec } from './citations.js';
import { versionAtLeast } from './engine.js';
import type { Reply } from './http.js';
import type { Citation } from './model.js';

export interface Problem {
  message: string;
  citation: Citation;
}

export type Operation = 'provision' | 'update' | 'deprovision' | 'bind' | 'unbind' | 'fetch-instance' | 'fetch-binding' | 'last-operation' | 'catalog';

const ERRORS = spec('service-broker-errors', 'MUST', '`error`, if present, is a non-empty single CamelCase word; `description`, if present, a non-empty string; error bodies are JSON objects.');
const USABLE = spec('service-broker-errors', 'MUST', '`instance_usable` appears only in errors of update and deprovision, `update_repeatable` only in errors of update; both are booleans.');
const OPERATION_LEN = 10_000;

/** Problems with an error body (status >= 400). */
export function errorBodyProblems(r: Reply, op: Operation): Problem[] {
  const out: Problem[] = [];
  if (r.text.trim() === '') return out;
  if (r.invalidJson || !isObject(r.json)) {
    // The spec defines the fields of an error body, not that one must be JSON: a SHOULD (Content Type).
    out.push({ message: `the ${r.status} error body is not a JSON object: ${clip(r.text)}`, citation: spec('content-type', 'SHOULD', 'responses with bodies SHOULD be application/json; error bodies carry `error` and `description` fields.') });
    return out;
  }
  const b = r.json;
  if ('error' in b && !(typeof b.error === 'string' && /^[A-Za-z][A-Za-z0-9]*$/.test(b.error))) {
    out.push({ message: `\`error\` must be a non-empty single CamelCase word, got ${JSON.stringify(b.error)}`, citation: ERRORS });
  }
  if ('description' in b && !(typeof b.description === 'string' && b.description !== '')) {
    out.push({ message: `\`description\` must be a non-empty string, got ${JSON.stringify(b.description)}`, citation: ERRORS });
  }
  if ('instance_usable' in b && (!['update', 'deprovision'].includes(op) || typeof b.instance_usable !== 'boolean')) {
    out.push({ message: `\`instance_usable\` (${JSON.stringify(b.instance_usable)}) in the error of ${op}: only a boolean, only for update and deprovision`, citation: USABLE });
  }
  if ('update_repeatable' in b && (op !== 'update' || typeof b.update_repeatable !== 'boolean')) {
    out.push({ message: `\`update_repeatable\` (${JSON.stringify(b.update_repeatable)}) in the error of ${op}: only a boolean, only for update`, citation: USABLE });
  }
  return out;
}

function clip(s: string, n = 120): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n)}…` : one || '(empty)';
}

function metadataProblems(m: unknown, where: string, citation: Citation): Problem[] {
  if (m === undefined) return [];
  if (!isObject(m)) return [{ message: `${where}: \`metadata\` must be an object, got ${JSON.stringify(m)}`, citation }];
  const out: Problem[] = [];
  for (const k of ['labels', 'attributes']) {
    if (k in m && !isObject(m[k])) out.push({ message: `${where}: \`metadata.${k}\` must be an object`, citation });
  }
  return out;
}

/** A success body of provision (201/200/202) or update (200/202). */
export function instanceBodyProblems(r: Reply, op: 'provision' | 'update'): Problem[] {
  const section = op === 'provision' ? 'provisioning' : 'updating-a-service-instance';
  const shape = spec(section, 'MUST', `the ${r.status} body of ${op} is a JSON object: \`dashboard_url\` a string or null, \`operation\` a string of at most 10,000 characters${op === 'update' ? ' (non-empty)' : ' (or null)'}, \`metadata\` an object.`);
  if (r.invalidJson || !isObject(r.json)) {
    return [{ message: `${op} answered ${r.status} with a body that is not a JSON object: ${clip(r.text)}`, citation: shape }];
  }
  const b = r.json;
  const out: Problem[] = [];
  if ('dashboard_url' in b && !(typeof b.dashboard_url === 'string' || b.dashboard_url === null)) {
    out.push({ message: `\`dashboard_url\` must be a string or null, got ${JSON.stringify(b.dashboard_url)}`, citation: shape });
  }
  if ('operation' in b) out.push(...operationProblems(b.operation, op, shape, op === 'provision'));
  out.push(...metadataProblems(b.metadata, op, shape));
  return out;
}

function operationProblems(v: unknown, op: string, citation: Citation, nullable: boolean): Problem[] {
  if (v === null && nullable) return [];
  if (typeof v !== 'string') return [{ message: `${op}: \`operation\` must be a string, got ${JSON.stringify(v)}`, citation }];
  if (v.length > OPERATION_LEN) return [{ message: `${op}: \`operation\` is ${v.length} characters (at most 10,000)`, citation }];
  if (v === '') return [{ message: `${op}: \`operation\` must not be empty`, citation }];
  return [];
}

/** A success body of deprovision or unbind: `{}` for 200, optional `operation` for 202. */
export function deleteBodyProblems(r: Reply, op: 'deprovision' | 'unbind'): Problem[] {
  const section = op === 'deprovision' ? 'deprovisioning' : 'unbinding';
  const shape = spec(section, 'MUST', `the ${r.status} body of ${op} is a JSON object (\`{}\` for 200; an optional \`operation\` of at most 10,000 characters for 202).`);
  if (r.invalidJson || !isObject(r.json)) {
    return [{ message: `${op} answered ${r.status} with a body that is not a JSON object: ${clip(r.text)}`, citation: shape }];
  }
  return 'operation' in r.json ? operationProblems(r.json.operation, op, shape, false) : [];
}

const LO_STATES = ['in progress', 'succeeded', 'failed'];

/** A 200 body of last_operation. */
export function lastOperationProblems(r: Reply, op: 'provision' | 'update' | 'deprovision' | 'bind' | 'unbind'): Problem[] {
  const binding = op === 'bind' || op === 'unbind';
  const section = binding ? 'polling-last-operation-for-service-bindings' : 'polling-last-operation-for-service-instances';
  const shape = spec(section, 'MUST', 'last_operation answers 200 with a JSON object whose `state` is `in progress`, `succeeded` or `failed`; `description`, if present, is a non-empty string.');
  if (r.invalidJson || !isObject(r.json)) {
    return [{ message: `last_operation answered 200 with a body that is not a JSON object: ${clip(r.text)}`, citation: shape }];
  }
  const b = r.json;
  const out: Problem[] = [];
  if (!LO_STATES.includes(b.state as string)) out.push({ message: `\`state\` must be one of ${LO_STATES.map((s) => `"${s}"`).join(', ')}, got ${JSON.stringify(b.state)}`, citation: shape });
  if ('description' in b && !(typeof b.description === 'string' && (b.description !== '' || binding))) {
    out.push({ message: `\`description\` must be a non-empty string, got ${JSON.stringify(b.description)}`, citation: shape });
  }
  if (!binding) {
    const usable = spec('polling-last-operation-for-service-instances', 'MUST', '`instance_usable` only for a failed update or deprovision, `update_repeatable` only for a failed update; both booleans.');
    if ('instance_usable' in b && (typeof b.instance_usable !== 'boolean' || !(['update', 'deprovision'].includes(op) && b.state === 'failed'))) {
      out.push({ message: `\`instance_usable\` (${JSON.stringify(b.instance_usable)}) in a "${String(b.state)}" last operation of ${op}`, citation: usable });
    }
    if ('update_repeatable' in b && (typeof b.update_repeatable !== 'boolean' || !(op === 'update' && b.state === 'failed'))) {
      out.push({ message: `\`update_repeatable\` (${JSON.stringify(b.update_repeatable)}) in a "${String(b.state)}" last operation of ${op}`, citation: usable });
    }
  }
  return out;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A binding body (bind 200/201, or fetch binding 200). */
export function bindingBodyProblems(r: Reply, service: CatalogService, version: string, source: 'bind' | 'fetch'): Problem[] {
  const section = source === 'bind' ? 'binding' : 'fetching-a-service-binding';
  const shape = spec(section, 'MUST', 'a binding is a JSON object; `credentials` an object; `syslog_drain_url`, `route_service_url` and `volume_mounts` only for services that `require` them.');
  if (r.invalidJson || !isObject(r.json)) return [{ message: `${source === 'bind' ? 'bind' : 'fetch binding'} answered ${r.status} with a body that is not a JSON object: ${clip(r.text)}`, citation: shape }];
  const b = r.json;
  const out: Problem[] = [];
  const requires = Array.isArray(service.requires) ? service.requires : [];
  if ('credentials' in b && !isObject(b.credentials)) out.push({ message: `\`credentials\` must be an object, got ${JSON.stringify(b.credentials)}`, citation: shape });
  const typed = spec('types-of-binding', 'MUST', 'a binding returns `syslog_drain_url` only when the service requires `syslog_drain`, `route_service_url` only with `route_forwarding`, `volume_mounts` only with `volume_mount`.');
  if ('syslog_drain_url' in b) {
    if (typeof b.syslog_drain_url !== 'string') out.push({ message: '`syslog_drain_url` must be a string', citation: shape });
    if (!requires.includes('syslog_drain')) out.push({ message: '`syslog_drain_url` returned but the service does not declare `requires: ["syslog_drain"]`', citation: typed });
  }
  if ('route_service_url' in b) {
    if (typeof b.route_service_url !== 'string') out.push({ message: '`route_service_url` must be a string', citation: shape });
    if (!requires.includes('route_forwarding')) out.push({ message: '`route_service_url` returned but the service does not declare `requires: ["route_forwarding"]`', citation: typed });
  }
  if ('volume_mounts' in b) {
    if (!requires.includes('volume_mount')) out.push({ message: '`volume_mounts` returned but the service does not declare `requires: ["volume_mount"]`', citation: typed });
    out.push(...volumeMountProblems(b.volume_mounts));
  } else if (requires.includes('volume_mount') && source === 'bind') {
    out.push({ message: 'the service requires `volume_mount` but the binding has no `volume_mounts`', citation: spec('types-of-binding', 'MUST', 'a create binding response of a volume service MUST include `volume_mounts`.') });
  }
  if ('endpoints' in b && versionAtLeast(version, '2.15')) out.push(...endpointProblems(b.endpoints));
  if ('metadata' in b && versionAtLeast(version, '2.16')) out.push(...bindingMetadataProblems(b.metadata, version));
  if (source === 'fetch' && 'parameters' in b && !isObject(b.parameters)) out.push({ message: '`parameters` must be an object', citation: shape });
  return out;
}

function volumeMountProblems(v: unknown): Problem[] {
  const c = spec('volume-mount-object', 'MUST', 'each volume mount has `driver`, `container_dir`, `mode` ("r" or "rw"), `device_type` "shared" and `device` with a `volume_id`.');
  if (!Array.isArray(v)) return [{ message: '`volume_mounts` must be an array', citation: c }];
  const out: Problem[] = [];
  v.forEach((m, i) => {
    if (!isObject(m)) return out.push({ message: `volume_mounts[${i}] is not an object`, citation: c });
    for (const k of ['driver', 'container_dir', 'mode', 'device_type']) if (typeof m[k] !== 'string') out.push({ message: `volume_mounts[${i}].${k} must be a string`, citation: c });
    if (typeof m.mode === 'string' && !['r', 'rw'].includes(m.mode)) out.push({ message: `volume_mounts[${i}].mode must be "r" or "rw", got "${m.mode}"`, citation: c });
    if (typeof m.device_type === 'string' && m.device_type !== 'shared') out.push({ message: `volume_mounts[${i}].device_type must be "shared", got "${m.device_type}"`, citation: c });
    if (!isObject(m.device) || typeof m.device.volume_id !== 'string') out.push({ message: `volume_mounts[${i}].device.volume_id must be a string`, citation: c });
    else if ('mount_config' in m.device && !isObject(m.device.mount_config)) out.push({ message: `volume_mounts[${i}].device.mount_config must be an object`, citation: c });
    return undefined;
  });
  return out;
}

function endpointProblems(v: unknown): Problem[] {
  const c = spec('endpoint-object', 'MUST', 'each endpoint has a `host`, a non-empty `ports` array of strings ("443" or "9000-9010") and a `protocol` of tcp, udp or all.');
  if (!Array.isArray(v)) return [{ message: '`endpoints` must be an array', citation: c }];
  const out: Problem[] = [];
  v.forEach((e, i) => {
    if (!isObject(e)) return out.push({ message: `endpoints[${i}] is not an object`, citation: c });
    if (typeof e.host !== 'string' || e.host === '') out.push({ message: `endpoints[${i}].host must be a non-empty string`, citation: c });
    if (!Array.isArray(e.ports) || e.ports.length === 0) out.push({ message: `endpoints[${i}].ports must be a non-empty array`, citation: c });
    else for (const p of e.ports) if (typeof p !== 'string' || !/^\d+(-\d+)?$/.test(p)) out.push({ message: `endpoints[${i}].ports has ${JSON.stringify(p)}: a port ("443") or a range ("9000-9010") as a string`, citation: c });
    if ('protocol' in e && !['tcp', 'udp', 'all'].includes(e.protocol as string)) out.push({ message: `endpoints[${i}].protocol must be tcp, udp or all, got ${JSON.stringify(e.protocol)}`, citation: c });
    return undefined;
  });
  return out;
}

function bindingMetadataProblems(m: unknown, version: string): Problem[] {
  const c = spec('binding-metadata-object', 'MUST', '`expires_at` and `renew_before` follow `yyyy-mm-ddThh:mm:ss.sZ`; `renew_before` is not after `expires_at`.');
  if (!isObject(m)) return [{ message: 'binding `metadata` must be an object', citation: c }];
  const out: Problem[] = [];
  for (const k of ['expires_at', ...(versionAtLeast(version, '2.17') ? ['renew_before'] : [])]) {
    if (k in m && !(typeof m[k] === 'string' && TIMESTAMP.test(m[k] as string))) out.push({ message: `metadata.${k} ${JSON.stringify(m[k])} does not follow yyyy-mm-ddThh:mm:ss.sZ`, citation: c });
  }
  if (typeof m.expires_at === 'string' && typeof m.renew_before === 'string' && Date.parse(m.renew_before) > Date.parse(m.expires_at)) {
    out.push({ message: `metadata.renew_before (${m.renew_before}) is after expires_at (${m.expires_at})`, citation: c });
  }
  return out;
}

/** A 200 body of fetch instance. */
export function fetchInstanceProblems(r: Reply, expected: { serviceId: string; planId: string }): Problem[] {
  const c = spec('fetching-a-service-instance', 'MUST', 'fetch instance answers 200 with a JSON object: `service_id`/`plan_id` those of the instance, `dashboard_url` a string, `parameters` an object, `maintenance_info` with a `version`.');
  if (r.invalidJson || !isObject(r.json)) return [{ message: `fetch instance answered ${r.status} with a body that is not a JSON object: ${clip(r.text)}`, citation: c }];
  const b = r.json;
  const out: Problem[] = [];
  if ('service_id' in b && b.service_id !== expected.serviceId) out.push({ message: `\`service_id\` is ${JSON.stringify(b.service_id)}, the instance's is "${expected.serviceId}"`, citation: c });
  if ('plan_id' in b && b.plan_id !== expected.planId) out.push({ message: `\`plan_id\` is ${JSON.stringify(b.plan_id)}, the instance's is "${expected.planId}"`, citation: c });
  if ('dashboard_url' in b && typeof b.dashboard_url !== 'string' && b.dashboard_url !== null) out.push({ message: '`dashboard_url` must be a string', citation: c });
  if ('parameters' in b && !isObject(b.parameters)) out.push({ message: '`parameters` must be an object', citation: c });
  if ('maintenance_info' in b && !(isObject(b.maintenance_info) && typeof b.maintenance_info.version === 'string')) out.push({ message: '`maintenance_info` must be an object with a `version` string', citation: c });
  out.push(...metadataProblems(b.metadata, 'fetch instance', c));
  return out;
}

/** The `error` code of a reply, if its body is an object with one. */
export function errorCode(r: Reply): string | undefined {
  return isObject(r.json) && typeof r.json.error === 'string' ? r.json.error : undefined;
}

/** The `operation` of a 202 body (undefined when absent or null). */
export function operationOf(r: Reply): string | undefined {
  return isObject(r.json) && typeof r.json.operation === 'string' ? r.json.operation : undefined;
}
