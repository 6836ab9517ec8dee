import { describe, expect, it } from 'vitest';
import { schemaProblems } from '../../../fakes/cc/platform/schema-validation.js';

/**
 * The draft-04 meta-schema checks CC runs on plan parameter schemas, keyword by keyword, with the
 * json-schema gem's wording (CC prefixes each with "Must conform to JSON Schema Draft 04 ...").
 */
const D4 = 'http://json-schema.org/draft-04/schema#';
const CONFORM = 'Must conform to JSON Schema Draft 04 (experimental support for later versions): ';
const type = (path: string, got: string, want: string) => `${CONFORM}The property '${path}' of type ${got} did not match the following type: ${want} in schema ${D4}`;
const anyOf = (path: string, got: string) => `${CONFORM}The property '${path}' of type ${got} did not match any of the required schemas in schema ${D4}`;
const minItems = (path: string) => `${CONFORM}The property '${path}' did not contain a minimum number of items 1 in schema ${D4}`;
const check = (body: Record<string, unknown>) => schemaProblems({ $schema: D4, ...body });

describe('plan schema draft-04 checks', () => {
  it('string, number and boolean keywords name the JSON type they got', () => {
    expect(check({ title: 5, pattern: null })).toEqual([type('#/title', 'integer', 'string'), type('#/pattern', 'null', 'string')]);
    expect(check({ id: [], description: {} })).toEqual([type('#/id', 'array', 'string'), type('#/description', 'object', 'string')]);
    expect(check({ maximum: '1', minimum: 1.5, multipleOf: 2 })).toEqual([type('#/maximum', 'string', 'number')]);
    expect(check({ exclusiveMaximum: 'yes', uniqueItems: true, exclusiveMinimum: 0.5 })).toEqual([
      type('#/exclusiveMaximum', 'string', 'boolean'),
      type('#/exclusiveMinimum', 'number', 'boolean'),
    ]);
  });

  it('length and count keywords must be non-negative integers', () => {
    expect(check({ maxLength: 0, minItems: 3 })).toEqual([]);
    expect(check({ maxLength: -1, minLength: 1.5, maxItems: '2', maxProperties: null })).toEqual([
      anyOf('#/maxLength', 'integer'),
      anyOf('#/minLength', 'number'),
      anyOf('#/maxItems', 'string'),
      anyOf('#/maxProperties', 'null'),
    ]);
  });

  it('additionalProperties / additionalItems: a boolean or a schema, checked inside', () => {
    expect(check({ additionalProperties: false, additionalItems: {} })).toEqual([]);
    expect(check({ additionalProperties: 'no' })).toEqual([anyOf('#/additionalProperties', 'string')]);
    expect(check({ additionalItems: { title: 1 } })).toEqual([type('#/additionalItems/title', 'integer', 'string')]);
  });

  it('items: a schema or a non-empty array of schemas', () => {
    expect(check({ items: { type: 'string' } })).toEqual([]);
    expect(check({ items: { type: 'text' } })).toEqual([anyOf('#/items/type', 'string')]);
    expect(check({ items: [{}, { minimum: 'x' }] })).toEqual([type('#/items/1/minimum', 'string', 'number')]);
    expect(check({ items: [] })).toEqual([anyOf('#/items', 'array')]);
    expect(check({ items: 3 })).toEqual([anyOf('#/items', 'integer')]);
  });

  it('required: a non-empty array of distinct strings', () => {
    expect(check({ required: ['a', 'b'] })).toEqual([]);
    expect(check({ required: 'a' })).toEqual([type('#/required', 'string', 'array')]);
    for (const required of [[], ['a', 1], ['a', 'a']]) expect(check({ required })).toEqual([minItems('#/required')]);
  });

  it('properties, definitions, patternProperties: objects of schemas, each checked at its path', () => {
    expect(check({ properties: { a: { type: 'string' } }, definitions: {}, patternProperties: {} })).toEqual([]);
    expect(check({ properties: [] })).toEqual([type('#/properties', 'array', 'object')]);
    expect(check({ properties: { a: { properties: { b: { maxLength: -2 } } } } })).toEqual([anyOf('#/properties/a/properties/b/maxLength', 'integer')]);
    expect(check({ definitions: { d: 'x' } })).toEqual([type('#/definitions/d', 'string', 'object')]);
  });

  it('dependencies: property lists are left alone, schemas are checked', () => {
    expect(check({ dependencies: { a: ['b'], c: { required: ['d'] } } })).toEqual([]);
    expect(check({ dependencies: { c: { title: false } } })).toEqual([type('#/dependencies/c/title', 'boolean', 'string')]);
    expect(check({ dependencies: 'a' })).toEqual([type('#/dependencies', 'string', 'object')]);
  });

  it('enum: a non-empty array', () => {
    expect(check({ enum: [1] })).toEqual([]);
    expect(check({ enum: {} })).toEqual([type('#/enum', 'object', 'array')]);
    expect(check({ enum: [] })).toEqual([minItems('#/enum')]);
  });

  it('type: one simple type, or a non-empty array of distinct ones', () => {
    for (const t of ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']) expect(check({ type: t })).toEqual([]);
    expect(check({ type: ['string', 'null'] })).toEqual([]);
    for (const t of ['any', [], ['string', 'string'], ['string', 'date'], ['string', 1], 7]) {
      expect(check({ type: t }), JSON.stringify(t)).toHaveLength(1);
    }
    expect(check({ type: 'any' })).toEqual([anyOf('#/type', 'string')]);
    expect(check({ type: [] })).toEqual([anyOf('#/type', 'array')]);
  });

  it('allOf / anyOf / oneOf: non-empty arrays of schemas; not: a schema', () => {
    expect(check({ anyOf: [{ type: 'string' }], not: { type: 'null' } })).toEqual([]);
    expect(check({ allOf: {} })).toEqual([type('#/allOf', 'object', 'array')]);
    expect(check({ oneOf: [] })).toEqual([minItems('#/oneOf')]);
    expect(check({ anyOf: [{}, 'x'] })).toEqual([type('#/anyOf/1', 'string', 'object')]);
    expect(check({ not: 1 })).toEqual([type('#/not', 'integer', 'object')]);
  });

  it('every keyword of each family is checked', () => {
    expect(check({ multipleOf: 'x', uniqueItems: 'x', minItems: -1, minProperties: -1, patternProperties: [] })).toEqual([
      type('#/multipleOf', 'string', 'number'),
      type('#/uniqueItems', 'string', 'boolean'),
      anyOf('#/minItems', 'integer'),
      anyOf('#/minProperties', 'integer'),
      type('#/patternProperties', 'array', 'object'),
    ]);
  });

  it('several problems are all reported, in keyword order', () => {
    expect(check({ title: 1, maxItems: -1, enum: [] })).toEqual([type('#/title', 'integer', 'string'), anyOf('#/maxItems', 'integer'), minItems('#/enum')]);
  });

  it('before the walk: size, a missing or unknown $schema; after it: external references', () => {
    expect(schemaProblems({ type: 'object' })).toEqual(['Schema must have $schema key but was not present']);
    expect(schemaProblems({ $schema: 'http://example.com/my-schema#' })).toEqual(['Custom meta schemas are not supported.']);
    expect(schemaProblems({ $schema: 4 })).toEqual(['Custom meta schemas are not supported.']);
    expect(schemaProblems({ $schema: 'https://json-schema.org/draft-07/schema' })).toEqual([]);
    expect(schemaProblems({ $schema: D4, description: 'x'.repeat(65_536) })).toEqual(['Must not be larger than 64KB']);
    // 64KB is the limit itself: a schema whose JSON is exactly 65,536 characters passes.
    const frame = JSON.stringify({ $schema: D4, description: '' }).length;
    expect(schemaProblems({ $schema: D4, description: 'x'.repeat(65_536 - frame) })).toEqual([]);
    expect(schemaProblems({ $schema: D4, description: 'x'.repeat(65_537 - frame) })).toEqual(['Must not be larger than 64KB']);
    expect(check({ allOf: [{ $ref: 'http://example.com/b.json' }] })).toEqual(['No external references are allowed: Read of URI at http://example.com/b.json refused']);
    expect(check({ properties: { a: { $ref: 5 } } })).toEqual([]);
    expect(check({ properties: { a: { $ref: '#/definitions/a' } }, definitions: { a: {} } })).toEqual([]);
    expect(check({ properties: { a: { $ref: 'http://example.com/a.json' } } })).toEqual(['No external references are allowed: Read of URI at http://example.com/a.json refused']);
    // The conformance problems come first: references are only looked at in a conforming schema.
    expect(check({ title: 1, properties: { a: { $ref: 'http://example.com/a.json' } } })).toEqual([type('#/title', 'integer', 'string')]);
  });
});
