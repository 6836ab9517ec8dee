import { describe, expect, it } from 'vitest';
import type { ResponseFacts } from '../../../fakes/cc/platform/errors.js';
import {
  parseBind,
  parseCatalog,
  parseDeprovision,
  parseFetchBinding,
  parseFetchInstance,
  parseLastOperation,
  parseProvision,
  parseUnbind,
  parseUpdate,
  retryAfterSeconds,
  type Parsed,
} from '../../../fakes/cc/platform/response-parser.js';

const URI = 'https://broker.example.com/v2/service_instances/i1?accepts_incomplete=true';
const r = (status: number, body: unknown, statusText = ''): ResponseFacts => ({
  uri: URI,
  method: 'PUT',
  status,
  statusText,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

type Expect =
  | { ok: true; state?: string; gone?: boolean; operation?: string; description?: string }
  | { ok: false; cls: string; code?: number; httpStatus?: number; message?: string | RegExp };

function check(p: Parsed, e: Expect): void {
  if (e.ok) {
    expect(p.ok, JSON.stringify(p)).toBe(true);
    if (!p.ok) return;
    if (e.state !== undefined) expect(p.state).toBe(e.state);
    if (e.gone !== undefined) expect(!!p.gone).toBe(e.gone);
    if (e.operation !== undefined) expect(p.operation).toBe(e.operation);
    if (e.description !== undefined) expect(p.description).toBe(e.description);
    return;
  }
  expect(p.ok, JSON.stringify(p)).toBe(false);
  if (p.ok) return;
  expect(p.error.errorClass).toBe(e.cls);
  expect(p.error.errorCode).toBe(`CF-${e.cls}`);
  expect(p.error.code).toBe(e.code ?? 10001);
  if (e.httpStatus !== undefined) expect(p.error.httpStatus).toBe(e.httpStatus);
  if (typeof e.message === 'string') expect(p.error.description).toBe(e.message);
  else if (e.message) expect(p.error.description).toMatch(e.message);
}

const BAD = 'ServiceBrokerBadResponse';
const MAL = 'ServiceBrokerResponseMalformed';
const REJ = 'ServiceBrokerRequestRejected';

// Rules shared by every parse that goes through CommonErrorValidator.
const commonRows: [string, ResponseFacts, Expect][] = [
  ['401 -> authentication failed', r(401, {}), { ok: false, cls: 'ServiceBrokerApiAuthenticationFailed', httpStatus: 502, message: 'Authentication with the service broker failed. Double-check that the username and password are correct.' }],
  ['408 -> API timeout', r(408, {}), { ok: false, cls: 'ServiceBrokerApiTimeout', httpStatus: 504 }],
  ['400 -> request rejected', r(400, { description: 'nope' }), { ok: false, cls: REJ, httpStatus: 502, message: 'Service broker error: nope' }],
  ['403 without description -> request rejected with status and body', r(403, 'forbidden', 'Forbidden'), { ok: false, cls: REJ, message: 'The service broker rejected the request. Status Code: 403 Forbidden, Body: forbidden' }],
  ['404 -> request rejected', r(404, '{}'), { ok: false, cls: REJ, message: 'The service broker rejected the request. Status Code: 404 Not Found, Body: {}' }],
  // CC's ranges are 400..499 and 500..599, inclusive at both ends.
  ['499 -> request rejected', r(499, {}), { ok: false, cls: REJ, message: /^The service broker rejected the request\. Status Code: 499 / }],
  ['599 -> bad response', r(599, 'x'), { ok: false, cls: BAD, message: /^The service broker returned an invalid response\. Status Code: 599 / }],
  ['500 with description', r(500, { description: 'boom' }), { ok: false, cls: BAD, httpStatus: 502, message: 'Service broker error: boom' }],
  ['503 without a JSON body', r(503, 'down'), { ok: false, cls: BAD, message: 'The service broker returned an invalid response. Status Code: 503 Service Unavailable, Body: down' }],
];

const tables: Record<string, { parse: (x: ResponseFacts) => Parsed; rows: [string, ResponseFacts, Expect][] }> = {
  provision: {
    parse: parseProvision,
    rows: [
      ['200 -> succeeded', r(200, { dashboard_url: 'https://d' }), { ok: true, state: 'succeeded' }],
      ['201 -> succeeded', r(201, {}), { ok: true, state: 'succeeded' }],
      ['201 with a dashboard_url null', r(201, { dashboard_url: null }), { ok: true, state: 'succeeded' }],
      ['202 -> in progress, operation kept', r(202, { operation: 'op 1' }), { ok: true, state: 'in progress', operation: 'op 1' }],
      ['200 not JSON -> malformed', r(200, 'hello'), { ok: false, cls: MAL, httpStatus: 502, message: "The service broker returned an invalid response: expected valid JSON object in body, broker returned 'hello'" }],
      ['201 JSON array -> malformed', r(201, []), { ok: false, cls: MAL }],
      ['202 operation not a string -> malformed', r(202, { operation: 5 }), { ok: false, cls: MAL, message: "The service broker returned an invalid response: \nThe property '#/operation' of type integer did not match the following type: string" }],
      ['202 operation > 10000 chars -> malformed', r(202, { operation: 'x'.repeat(10_001) }), { ok: false, cls: MAL, message: /was not of a maximum string length of 10000/ }],
      ['201 dashboard_url number -> malformed', r(201, { dashboard_url: 1 }), { ok: false, cls: MAL, message: /'#\/dashboard_url' of type integer did not match one or more of the following types: string, null/ }],
      ['201 metadata.labels not an object -> malformed', r(201, { metadata: { labels: 'x' } }), { ok: false, cls: MAL, message: /'#\/metadata\/labels' of type string/ }],
      ['204 -> bad response', r(204, ''), { ok: false, cls: BAD }],
      ['302 left after redirects -> bad response', r(302, ''), { ok: false, cls: BAD }],
      ['409 -> conflict with description', r(409, { description: 'exists' }), { ok: false, cls: 'ServiceBrokerConflict', httpStatus: 409, message: 'exists' }],
      ['409 -> conflict without description', r(409, {}), { ok: false, cls: 'ServiceBrokerConflict', message: `Resource conflict: ${URI}` }],
      ['410 -> bad response', r(410, {}), { ok: false, cls: BAD }],
      ['422 AsyncRequired', r(422, { error: 'AsyncRequired' }), { ok: false, cls: 'AsyncRequired', httpStatus: 400, message: 'Service broker error: This service plan requires client support for asynchronous provisioning.' }],
      ['422 ConcurrencyError', r(422, { error: 'ConcurrencyError' }), { ok: false, cls: 'ConcurrencyError', httpStatus: 422 }],
      ['422 MaintenanceInfoConflict', r(422, { error: 'MaintenanceInfoConflict', description: 'old' }), { ok: false, cls: 'MaintenanceInfoConflict', httpStatus: 422, message: 'Service broker error: old' }],
      ['422 MaintenanceInfoConflict without a reason', r(422, { error: 'MaintenanceInfoConflict' }), { ok: false, cls: 'MaintenanceInfoConflict', message: /did not provide a reason for this conflict/ }],
      ['422 unknown error -> bad response', r(422, { error: 'Whatever', description: 'x' }), { ok: false, cls: BAD, message: 'Service broker error: x' }],
      ['422 not JSON -> bad response', r(422, 'nope'), { ok: false, cls: BAD }],
      ...commonRows,
    ],
  },
  update: {
    parse: parseUpdate,
    rows: [
      ['200 -> succeeded', r(200, {}), { ok: true, state: 'succeeded' }],
      ['201 -> bad response (description ignored)', r(201, { description: 'hi' }, 'Created'), { ok: false, cls: BAD, message: 'The service broker returned an invalid response. Status Code: 201 Created, Body: {"description":"hi"}' }],
      ['202 -> in progress', r(202, { operation: 'u1' }), { ok: true, state: 'in progress', operation: 'u1' }],
      ['202 malformed', r(202, { operation: [] }), { ok: false, cls: MAL }],
      ['409 -> bad response', r(409, {}), { ok: false, cls: BAD }],
      ['410 -> bad response', r(410, {}), { ok: false, cls: BAD }],
      ['422 AsyncRequired', r(422, { error: 'AsyncRequired' }), { ok: false, cls: 'AsyncRequired' }],
      ['422 MaintenanceInfoConflict', r(422, { error: 'MaintenanceInfoConflict' }), { ok: false, cls: 'MaintenanceInfoConflict' }],
      ['422 other -> request rejected', r(422, { error: 'PlanChangeNotSupported', description: 'no' }), { ok: false, cls: REJ, message: 'Service broker error: no' }],
      ['422 ConcurrencyError is not typed on update', r(422, { error: 'ConcurrencyError' }), { ok: false, cls: REJ }],
      ...commonRows,
    ],
  },
  deprovision: {
    parse: parseDeprovision,
    rows: [
      ['200 {} -> succeeded', r(200, {}), { ok: true, state: 'succeeded', gone: false }],
      ['200 not JSON -> malformed', r(200, 'ok'), { ok: false, cls: MAL }],
      ['201 -> bad response', r(201, {}), { ok: false, cls: BAD }],
      ['202 -> in progress', r(202, { operation: 'd1' }), { ok: true, state: 'in progress', operation: 'd1' }],
      ['202 malformed', r(202, { operation: 1 }), { ok: false, cls: MAL }],
      ['204 -> bad response', r(204, ''), { ok: false, cls: BAD }],
      ['409 -> bad response', r(409, {}), { ok: false, cls: BAD }],
      ['410 -> success, gone', r(410, {}), { ok: true, state: 'succeeded', gone: true }],
      ['410 with any body -> gone', r(410, 'whatever'), { ok: true, gone: true }],
      ['422 AsyncRequired', r(422, { error: 'AsyncRequired' }), { ok: false, cls: 'AsyncRequired' }],
      ['422 ConcurrencyError', r(422, { error: 'ConcurrencyError' }), { ok: false, cls: 'ConcurrencyError' }],
      ['422 other -> bad response', r(422, { error: 'X' }), { ok: false, cls: BAD }],
      ...commonRows,
    ],
  },
  unbind: {
    parse: parseUnbind,
    rows: [
      ['200 -> succeeded', r(200, {}), { ok: true, state: 'succeeded' }],
      ['201 -> bad response', r(201, {}), { ok: false, cls: BAD }],
      ['202 -> in progress', r(202, { operation: 'ub' }), { ok: true, state: 'in progress', operation: 'ub' }],
      ['409 -> bad response', r(409, {}), { ok: false, cls: BAD }],
      ['410 -> gone', r(410, {}), { ok: true, gone: true }],
      ['422 AsyncRequired', r(422, { error: 'AsyncRequired' }), { ok: false, cls: 'AsyncRequired' }],
      ['422 ConcurrencyError', r(422, { error: 'ConcurrencyError' }), { ok: false, cls: 'ConcurrencyError' }],
      ['422 other', r(422, {}), { ok: false, cls: BAD }],
      ...commonRows,
    ],
  },
  catalog: {
    parse: parseCatalog,
    rows: [
      ['200 JSON object', r(200, { services: [] }), { ok: true }],
      ['200 not JSON -> malformed', r(200, '<html>'), { ok: false, cls: MAL }],
      ['201 -> bad response', r(201, {}), { ok: false, cls: BAD }],
      ['202 not JSON -> malformed', r(202, 'x'), { ok: false, cls: MAL }],
      ['409 -> bad response', r(409, {}), { ok: false, cls: BAD }],
      ...commonRows,
    ],
  },
  last_operation: {
    parse: parseLastOperation,
    rows: [
      ['200 in progress', r(200, { state: 'in progress', description: '50%' }), { ok: true, state: 'in progress', description: '50%' }],
      ['200 succeeded', r(200, { state: 'succeeded' }), { ok: true, state: 'succeeded' }],
      ['200 failed', r(200, { state: 'failed', description: 'disk full' }), { ok: true, state: 'failed', description: 'disk full' }],
      ['200 unknown state -> malformed', r(200, { state: 'done' }), { ok: false, cls: MAL, message: "The service broker returned an invalid response: expected state was 'succeeded', broker returned 'done'." }],
      ['200 no state -> malformed', r(200, {}), { ok: false, cls: MAL, message: /broker returned ''\.$/ }],
      ['200 not JSON -> malformed', r(200, 'x'), { ok: false, cls: MAL }],
      ['201 -> bad response', r(201, { state: 'succeeded' }), { ok: false, cls: BAD }],
      ['202 -> bad response', r(202, {}), { ok: false, cls: BAD }],
      ['400 -> failed with description', r(400, { description: 'bad op' }), { ok: true, state: 'failed', description: 'bad op' }],
      ['400 without description -> "Bad request"', r(400, 'x'), { ok: true, state: 'failed', description: 'Bad request' }],
      ['410 -> gone (the caller decides)', r(410, {}), { ok: true, gone: true }],
      ['404 -> request rejected', r(404, {}), { ok: false, cls: REJ }],
      ['409 -> bad response', r(409, {}), { ok: false, cls: BAD }],
      ['422 -> bad response', r(422, {}), { ok: false, cls: BAD }],
      ['401 -> authentication failed', r(401, {}), { ok: false, cls: 'ServiceBrokerApiAuthenticationFailed' }],
      ['500 -> bad response', r(500, {}), { ok: false, cls: BAD }],
    ],
  },
  fetch_instance: {
    parse: parseFetchInstance,
    rows: [
      ['200 full', r(200, { service_id: 's', plan_id: 'p', dashboard_url: 'https://d', parameters: {} }), { ok: true }],
      ['200 parameters not an object', r(200, { parameters: [] }), { ok: false, cls: MAL }],
      ['200 dashboard_url null', r(200, { dashboard_url: null }), { ok: false, cls: MAL }],
      ['201 -> bad response', r(201, {}), { ok: false, cls: BAD }],
      ['404 -> rejected', r(404, {}), { ok: false, cls: REJ }],
      ['422 ConcurrencyError -> bad response', r(422, { error: 'ConcurrencyError' }), { ok: false, cls: BAD }],
    ],
  },
  fetch_binding: {
    parse: parseFetchBinding,
    rows: [
      ['200 credentials', r(200, { credentials: { a: 1 } }), { ok: true }],
      ['200 credentials a string', r(200, { credentials: 'x' }), { ok: false, cls: MAL }],
      ['200 volume_mounts not an array', r(200, { volume_mounts: {} }), { ok: false, cls: MAL }],
      ['500', r(500, {}), { ok: false, cls: BAD }],
    ],
  },
};

describe('response parser (C.3), table-driven', () => {
  for (const [name, t] of Object.entries(tables)) {
    describe(name, () => {
      it.each(t.rows)('%s', (_label, facts, e) => check(t.parse(facts), e));
    });
  }
});

describe('bind response rules (C.3 bind column)', () => {
  const VM = 'ServiceBrokerInvalidVolumeMounts';
  const INVALID = 'The service broker returned an invalid response:';
  const vmReq = { requires: ['volume_mount'] };
  const vm = (over: Record<string, unknown> = {}) => {
    const m: Record<string, unknown> = { device_type: 'shared', device: { volume_id: 'v' }, mode: 'rw', container_dir: '/d', driver: 'nfs', ...over };
    for (const k of Object.keys(m)) if (m[k] === undefined) delete m[k];
    return m;
  };
  const noReq = { requires: [] as string[] };
  const rows: [string, ResponseFacts, { requires: string[] }, Expect][] = [
    ['201 credentials object', r(201, { credentials: { u: 1 } }), noReq, { ok: true, state: 'succeeded' }],
    ['200 credentials a string -> malformed', r(200, { credentials: 'x' }), noReq, { ok: false, cls: MAL, message: 'The service broker returned an invalid response: expected credentials to be a valid JSON object' }],
    ['200 not JSON -> malformed', r(200, '['), noReq, { ok: false, cls: MAL }],
    ['syslog_drain_url without requires', r(201, { syslog_drain_url: 'syslog://x' }), noReq, { ok: false, cls: 'ServiceBrokerInvalidSyslogDrainUrl', httpStatus: 502, message: /not registered as a logging service/ }],
    ['syslog_drain_url with requires', r(201, { syslog_drain_url: 'syslog://x' }), { requires: ['syslog_drain'] }, { ok: true }],
    ['route_service_url http -> bad response', r(201, { route_service_url: 'http://rs.example.com' }), { requires: ['route_forwarding'] }, { ok: false, cls: BAD }],
    ['route_service_url without a host label', r(201, { route_service_url: 'https://.example.com' }), { requires: ['route_forwarding'] }, { ok: false, cls: BAD }],
    ['route_service_url https', r(201, { route_service_url: 'https://rs.example.com' }), { requires: ['route_forwarding'] }, { ok: true }],
    ['volume_mounts without requires', r(201, { volume_mounts: [] }), noReq, { ok: false, cls: 'ServiceBrokerInvalidVolumeMounts', message: /not registered as a volume mount service/ }],
    ['volume_mounts not an array', r(201, { volume_mounts: {} }), { requires: ['volume_mount'] }, { ok: false, cls: 'ServiceBrokerInvalidVolumeMounts', message: /expected "volume_mounts" key to contain an array of JSON objects/ }],
    ['volume mount missing driver', r(201, { volume_mounts: [{ device_type: 'shared', device: { volume_id: 'v' }, mode: 'rw', container_dir: '/d' }] }), { requires: ['volume_mount'] }, { ok: false, cls: 'ServiceBrokerInvalidVolumeMounts', message: "The service broker returned an invalid response: missing required field 'driver'" }],
    ['volume mount device not an object', r(201, { volume_mounts: [{ device_type: 'shared', device: 'x', mode: 'rw', container_dir: '/d', driver: 'nfs' }] }), { requires: ['volume_mount'] }, { ok: false, cls: 'ServiceBrokerInvalidVolumeMounts', message: /required field 'device' must be an object but is String/ }],
    ['volume mount empty volume_id', r(201, { volume_mounts: [{ device_type: 'shared', device: { volume_id: '' }, mode: 'rw', container_dir: '/d', driver: 'nfs' }] }), { requires: ['volume_mount'] }, { ok: false, cls: 'ServiceBrokerInvalidVolumeMounts', message: /device.volume_id' must be a non-empty string/ }],
    ['route_service_url not a URL', r(201, { route_service_url: 'rs.example.com' }), { requires: ['route_forwarding'] }, { ok: false, cls: BAD }],
    ['volume_mounts null needs no requires', r(201, { volume_mounts: null }), noReq, { ok: true }],
    ['volume_mounts with a non-object item', r(201, { volume_mounts: [vm(), 1] }), vmReq, { ok: false, cls: VM, message: /expected "volume_mounts" key to contain an array of JSON objects in body, broker returned '\{"volume_mounts":\[/ }],
    ['volume mount missing device_type', r(201, { volume_mounts: [vm({ device_type: undefined })] }), vmReq, { ok: false, cls: VM, message: `${INVALID} missing required field 'device_type'` }],
    ['volume mount missing device', r(201, { volume_mounts: [vm({ device: undefined })] }), vmReq, { ok: false, cls: VM, message: `${INVALID} missing required field 'device'` }],
    ['volume mount empty mode', r(201, { volume_mounts: [vm({ mode: '' })] }), vmReq, { ok: false, cls: VM }],
    ['volume mount container_dir not a string', r(201, { volume_mounts: [vm({ container_dir: 5 })] }), vmReq, { ok: false, cls: VM }],
    ...([[null, 'NilClass'], [[], 'Array'], [true, 'TrueClass'], [false, 'FalseClass'], [1, 'Integer'], [1.5, 'Float']] as const).map(
      ([device, cls]): [string, ResponseFacts, { requires: string[] }, Expect] => [`volume mount device ${JSON.stringify(device)}`, r(201, { volume_mounts: [vm({ device })] }), vmReq, { ok: false, cls: VM, message: `${INVALID} required field 'device' must be an object but is ${cls}` }],
    ),
    ['volume mount mount_config a string', r(201, { volume_mounts: [vm({ device: { volume_id: 'v', mount_config: 'x' } })] }), vmReq, { ok: false, cls: VM, message: `${INVALID} field 'device.mount_config' must be an object if it is defined` }],
    ['the second volume mount is checked too', r(201, { volume_mounts: [vm(), vm({ driver: undefined })] }), vmReq, { ok: false, cls: VM, message: `${INVALID} missing required field 'driver'` }],
    ['volume mount good', r(201, { volume_mounts: [{ device_type: 'shared', device: { volume_id: 'v', mount_config: null }, mode: 'rw', container_dir: '/d', driver: 'nfs' }] }), { requires: ['volume_mount'] }, { ok: true }],
    ['202 -> in progress', r(202, { operation: 'b1' }), noReq, { ok: true, state: 'in progress', operation: 'b1' }],
    ['202 operation too long -> malformed', r(202, { operation: 'y'.repeat(10_001) }), noReq, { ok: false, cls: MAL }],
    ['409 -> conflict', r(409, {}), noReq, { ok: false, cls: 'ServiceBrokerConflict' }],
    ['410 -> bad response', r(410, {}), noReq, { ok: false, cls: BAD }],
    ['422 RequiresApp', r(422, { error: 'RequiresApp' }), noReq, { ok: false, cls: 'AppRequired', httpStatus: 400, message: 'This service supports generation of credentials through binding an application only.' }],
    ['422 AsyncRequired', r(422, { error: 'AsyncRequired' }), noReq, { ok: false, cls: 'AsyncRequired' }],
    ['422 ConcurrencyError', r(422, { error: 'ConcurrencyError' }), noReq, { ok: false, cls: 'ConcurrencyError' }],
    ['422 other -> bad response', r(422, { error: 'Nope' }), noReq, { ok: false, cls: BAD }],
    ['204 -> bad response', r(204, ''), noReq, { ok: false, cls: BAD }],
    ['500 -> bad response', r(500, {}), noReq, { ok: false, cls: BAD }],
    ['401 -> auth failed', r(401, {}), noReq, { ok: false, cls: 'ServiceBrokerApiAuthenticationFailed' }],
  ];
  it.each(rows)('%s', (_l, facts, ctx, e) => check(parseBind(facts, ctx), e));
});

describe('Retry-After as Ruby to_i reads it', () => {
  it.each([
    [null, undefined],
    ['120', 120],
    [' 30', 30],
    ['90abc', 90],
    ['Wed, 21 Oct 2026 07:28:00 GMT', 0],
    ['-5', -5],
  ] as const)('%s -> %s', (h, v) => expect(retryAfterSeconds(h)).toBe(v));
});

describe('bad-response messages', () => {
  it('quote exactly the first 16 KiB of the body', () => {
    const body = 'a'.repeat(16 * 1024) + 'z'.repeat(4_000);
    const p = parseProvision(r(500, body, 'Internal Server Error'));
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error.description).toBe(`The service broker returned an invalid response. Status Code: 500 Internal Server Error, Body: ${'a'.repeat(16 * 1024)}`);
    const small = parseProvision(r(500, 'tiny', 'Internal Server Error'));
    if (!small.ok) expect(small.error.description).toBe('The service broker returned an invalid response. Status Code: 500 Internal Server Error, Body: tiny');
    expect(small.ok).toBe(false);
  });
  it('carry the http facts CC adds to V2 bodies', () => {
    const p = parseProvision(r(500, 'x', 'Internal Server Error'));
    expect(!p.ok && p.error.http).toEqual({ uri: URI, method: 'PUT', status: 500 });
  });
});

describe('error bodies', () => {
  it('V2 and V3 shapes of a broker error', async () => {
    const { v2ErrorBody, v3ErrorEntry, brokerErrors } = await import('../../../fakes/cc/platform/errors.js');
    const bad = brokerErrors.badResponse(r(500, { description: 'boom' }));
    expect(v2ErrorBody(bad)).toEqual({ description: 'Service broker error: boom', error_code: 'CF-ServiceBrokerBadResponse', code: 10001, http: { method: 'PUT', status: 500 } });
    expect(v3ErrorEntry(bad)).toEqual({ code: 10001, title: 'CF-ServiceBrokerBadResponse', detail: 'Service broker error: boom' });
    const gone = brokerErrors.unreachable(URI, 'PUT');
    expect(v2ErrorBody(gone)).toEqual({ description: 'The service broker could not be reached', error_code: 'CF-ServiceBrokerApiUnreachable', code: 10001, http: { uri: URI, method: 'PUT' } });
  });
});
