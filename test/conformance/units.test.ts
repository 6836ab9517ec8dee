import { describe, expect, it } from 'vitest';
import { parseConfig, skipReason } from '../../conformance/config.js';
import { retryAfterMs } from '../../conformance/polling.js';
import { SchemaTools } from '../../conformance/schemas.js';
import { errorBodyProblems, lastOperationProblems } from '../../conformance/validate.js';
import type { Reply } from '../../conformance/http.js';

function reply(status: number, body: unknown): Reply {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let json: unknown;
  let invalidJson = false;
  try {
    json = JSON.parse(text);
  } catch {
    invalidJson = true;
  }
  return { status, headers: new Headers(), text, json, invalidJson, timedOut: false, exchange: {} as Reply['exchange'] };
}

describe('config', () => {
  it('applies defaults: Cloud Foundry profile, 2 s polling up to 15 min, 60 s request timeout', () => {
    const c = parseConfig({});
    expect(c.profile).toEqual({ platform: 'cloudfoundry', organizationName: 'conformance-org', spaceName: 'conformance-space', originatingIdentity: true });
    expect(c.polling).toEqual({ intervalSeconds: 2, maxDurationSeconds: 900 });
    expect(c.requestTimeoutSeconds).toBe(60);
  });

  it('refuses what it does not understand, saying where', () => {
    expect(() => parseConfig({ osbVersion: '2.12' })).toThrow(/osbVersion/);
    expect(() => parseConfig({ skip: [{ reason: 'x' }] })).toThrow(/a skip names a check or a feature/);
    expect(() => parseConfig({ skip: [{ feature: 'bindings', reason: 'x' }] })).toThrow(/unknown feature "bindings"/);
    expect(() => parseConfig({ skip: [{ check: 'PROV-10' }] })).toThrow(/skip\.0\.reason/);
  });

  it('skips by id, by id prefix, and by feature', () => {
    const c = parseConfig({ skip: [{ check: 'PROV-10', reason: 'a' }, { check: 'UNB-*', reason: 'b' }, { feature: 'maintenance-info', reason: 'c' }] });
    expect(skipReason(c, ['PROV-10'])).toBe('a');
    expect(skipReason(c, ['UNB-05'])).toBe('b');
    expect(skipReason(c, ['UPD-05', 'ERR-03'])).toBe('c');
    expect(skipReason(c, ['PROV-01'])).toBeUndefined();
  });
});

describe('--plan selections', () => {
  it('narrow the plans, keeping what the config says about them', async () => {
    const { selectPlans } = await import('../../conformance/config.js');
    const config = parseConfig({ plans: [{ service: 'db', plan: 'small', provisionParameters: { size: '1' } }, { service: 'db', plan: 'large' }] });
    expect(selectPlans(config, ['db/small', 'queue']).plans).toEqual([{ service: 'db', plan: 'small', provisionParameters: { size: '1' } }, { service: 'queue' }]);
    expect(selectPlans(undefined, ['db/large']).plans).toEqual([{ service: 'db', plan: 'large' }]);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(retryAfterMs('30', now)).toEqual({ ms: 30_000, date: false });
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:45 GMT', now)).toEqual({ ms: 45_000, date: true });
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('parameter schemas', () => {
  const tools = new SchemaTools();
  it('accepts a draft-04 schema and flags what the spec forbids', () => {
    expect(tools.check({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' })).toEqual({ must: [], should: [] });
    expect(tools.check({ type: 'object' }).must).toEqual(['has no `$schema` key declaring its JSON Schema version']);
    expect(tools.check({ $schema: 'http://json-schema.org/draft-04/schema#', properties: { a: { $ref: 'https://example.com/a.json' } } }).must).toEqual(['has an external reference "$ref": "https://example.com/a.json"']);
    expect(tools.check({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'objekt' }).must[0]).toMatch(/^is not a valid JSON Schema draft-04/);
    expect(tools.check({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }).should[0]).toMatch(/uses JSON Schema draft-07/);
    const big = { $schema: 'http://json-schema.org/draft-04/schema#', description: 'x'.repeat(70_000) };
    expect(tools.check(big).must[0]).toMatch(/bytes; schemas MUST NOT be larger than 64 kB/);
  });

  it('derives parameters the schema rejects, and none when it rejects nothing', () => {
    const schema = { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: { size: { type: 'string' } } };
    expect(tools.invalidParameters(schema)).toEqual({ size: 12345 });
    expect(tools.validate(schema, { size: 12345 })).toEqual(['/size must be string']);
    expect(tools.invalidParameters({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' })).toBeUndefined();
  });
});

describe('body checks', () => {
  it('error bodies: JSON object, CamelCase error, non-empty description, usable flags only where defined', () => {
    expect(errorBodyProblems(reply(422, { error: 'AsyncRequired', description: 'x' }), 'provision')).toEqual([]);
    expect(errorBodyProblems(reply(500, 'oops'), 'provision').map((p) => p.message)).toEqual(['the 500 error body is not a JSON object: oops']);
    expect(errorBodyProblems(reply(422, { error: 'async required', description: '' }), 'bind').map((p) => p.message)).toEqual([
      '`error` must be a non-empty single CamelCase word, got "async required"',
      '`description` must be a non-empty string, got ""',
    ]);
    expect(errorBodyProblems(reply(400, { instance_usable: false }), 'provision')[0].message).toMatch(/only for update and deprovision/);
    expect(errorBodyProblems(reply(400, { instance_usable: false, update_repeatable: true }), 'update')).toEqual([]);
  });

  it('last_operation: the three states, and instance_usable only on a failed update or deprovision', () => {
    expect(lastOperationProblems(reply(200, { state: 'in progress' }), 'provision')).toEqual([]);
    expect(lastOperationProblems(reply(200, { state: 'done' }), 'provision')[0].message).toMatch(/`state` must be one of/);
    expect(lastOperationProblems(reply(200, { state: 'failed', instance_usable: true }), 'deprovision')).toEqual([]);
    expect(lastOperationProblems(reply(200, { state: 'failed', instance_usable: true }), 'provision')[0].message).toMatch(/instance_usable/);
  });
});

describe('the example config', () => {
  it('parses', async () => {
    const { loadConfigFile } = await import('../../conformance/config.js');
    const c = loadConfigFile(new URL('../../examples/conformance.yaml', import.meta.url).pathname);
    expect(c.plans).toHaveLength(2);
    expect(c.skip.map((s) => s.reason)).toEqual(['parameters are validated by the platform, not the broker', 'the broker serializes operations itself']);
    expect(c.polling).toEqual({ intervalSeconds: 5, maxDurationSeconds: 1800 });
  });
});
