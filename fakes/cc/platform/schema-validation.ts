import { isJsonObject } from '../../core/json.js';
/**
 * The checks CC applies to each `schemas.*.*.parameters` of a plan (catalog_schemas.rb, schema.rb):
 * size, `$schema`, supported meta-schema, draft-04 meta-schema conformance, no external `$ref`.
 * The draft-04 check covers the meta-schema's keywords with the json-schema gem's messages.
 */
const MAX_SCHEMA_SIZE = 65_536;
const DRAFT4 = 'http://json-schema.org/draft-04/schema#';
const KNOWN_METASCHEMAS = /^https?:\/\/json-schema\.org\/(draft-0[3-7]\/)?schema#?$/;
const CONFORM = 'Must conform to JSON Schema Draft 04 (experimental support for later versions): ';

type J = Record<string, unknown>;

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

const SIMPLE_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];

function typeError(path: string, v: unknown, expected: string): string {
  return `The property '${path}' of type ${jsonType(v)} did not match the following type: ${expected} in schema ${DRAFT4}`;
}
function anyOfError(path: string, v: unknown): string {
  return `The property '${path}' of type ${jsonType(v)} did not match any of the required schemas in schema ${DRAFT4}`;
}

/** Walks a schema against the draft-04 meta-schema's keyword rules. */
function draft4Errors(schema: unknown, path: string, out: string[]): void {
  if (!isJsonObject(schema)) {
    out.push(typeError(path, schema, 'object'));
    return;
  }
  const p = (k: string) => (path === '#' ? `#/${k}` : `${path}/${k}`);
  const has = (k: string) => Object.prototype.hasOwnProperty.call(schema, k);
  for (const k of ['id', '$schema', 'title', 'description', 'pattern']) {
    if (has(k) && typeof schema[k] !== 'string') out.push(typeError(p(k), schema[k], 'string'));
  }
  for (const k of ['multipleOf', 'maximum', 'minimum']) {
    if (has(k) && typeof schema[k] !== 'number') out.push(typeError(p(k), schema[k], 'number'));
  }
  for (const k of ['exclusiveMaximum', 'exclusiveMinimum', 'uniqueItems']) {
    if (has(k) && typeof schema[k] !== 'boolean') out.push(typeError(p(k), schema[k], 'boolean'));
  }
  for (const k of ['maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties']) {
    if (!has(k)) continue;
    const v = schema[k];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0)) out.push(anyOfError(p(k), v));
  }
  for (const k of ['additionalItems', 'additionalProperties']) {
    if (!has(k)) continue;
    const v = schema[k];
    if (typeof v === 'boolean') continue;
    if (isJsonObject(v)) draft4Errors(v, p(k), out);
    else out.push(anyOfError(p(k), v));
  }
  if (has('items')) {
    const v = schema.items;
    if (isJsonObject(v)) draft4Errors(v, p('items'), out);
    else if (Array.isArray(v) && v.length > 0) v.forEach((s, i) => draft4Errors(s, `${p('items')}/${i}`, out));
    else out.push(anyOfError(p('items'), v));
  }
  if (has('required')) {
    const v = schema.required;
    if (!Array.isArray(v)) out.push(typeError(p('required'), v, 'array'));
    else if (v.length === 0 || v.some((x) => typeof x !== 'string') || new Set(v).size !== v.length) {
      out.push(`The property '${p('required')}' did not contain a minimum number of items 1 in schema ${DRAFT4}`);
    }
  }
  for (const k of ['definitions', 'properties', 'patternProperties']) {
    if (!has(k)) continue;
    const v = schema[k];
    if (!isJsonObject(v)) out.push(typeError(p(k), v, 'object'));
    else for (const [name, sub] of Object.entries(v)) draft4Errors(sub, `${p(k)}/${name}`, out);
  }
  if (has('dependencies')) {
    const v = schema.dependencies;
    if (!isJsonObject(v)) out.push(typeError(p('dependencies'), v, 'object'));
    else
      for (const [name, sub] of Object.entries(v)) {
        if (Array.isArray(sub)) continue;
        draft4Errors(sub, `${p('dependencies')}/${name}`, out);
      }
  }
  if (has('enum')) {
    const v = schema.enum;
    if (!Array.isArray(v)) out.push(typeError(p('enum'), v, 'array'));
    else if (v.length === 0) out.push(`The property '${p('enum')}' did not contain a minimum number of items 1 in schema ${DRAFT4}`);
  }
  if (has('type')) {
    const v = schema.type;
    const ok =
      (typeof v === 'string' && SIMPLE_TYPES.includes(v)) ||
      (Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string' && SIMPLE_TYPES.includes(t)) && new Set(v).size === v.length);
    if (!ok) out.push(anyOfError(p('type'), v));
  }
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    if (!has(k)) continue;
    const v = schema[k];
    if (!Array.isArray(v)) out.push(typeError(p(k), v, 'array'));
    else if (v.length === 0) out.push(`The property '${p(k)}' did not contain a minimum number of items 1 in schema ${DRAFT4}`);
    else v.forEach((s, i) => draft4Errors(s, `${p(k)}/${i}`, out));
  }
  if (has('not')) draft4Errors(schema.not, p('not'), out);
}

function externalRefs(v: unknown, out: string[]): void {
  if (Array.isArray(v)) v.forEach((x) => externalRefs(x, out));
  else if (isJsonObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && !x.startsWith('#')) out.push(x);
      else externalRefs(x, out);
    }
  }
}

/** The messages (without the "Schema <path> is not valid. " prefix) for one parameters schema. */
export function schemaProblems(schema: J): string[] {
  if (JSON.stringify(schema).length > MAX_SCHEMA_SIZE) return ['Must not be larger than 64KB'];
  if (!('$schema' in schema)) return ['Schema must have $schema key but was not present'];
  const ms = schema.$schema;
  if (typeof ms !== 'string' || !KNOWN_METASCHEMAS.test(ms)) return ['Custom meta schemas are not supported.'];
  const errs: string[] = [];
  draft4Errors(schema, '#', errs);
  if (errs.length > 0) return errs.map((e) => `${CONFORM}${e}`);
  const refs: string[] = [];
  externalRefs(schema, refs);
  if (refs.length > 0) return [`No external references are allowed: Read of URI at ${refs[0]} refused`];
  return [];
}
