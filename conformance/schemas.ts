/**
 * The plans' parameter schemas as JSON Schema, with ajv: is each one a valid schema of the draft it
 * declares, do the configured parameters satisfy it, and what would break it (to probe validation).
 */
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import Ajv04Module from 'ajv-draft-04';
import { isObject } from './catalog-types.js';

// ajv-draft-04 is CommonJS with a default export; under NodeNext its default import is the module.
type Ajv04Class = new (opts: object) => unknown;
const Ajv04 = ((Ajv04Module as unknown as { default?: Ajv04Class }).default ?? Ajv04Module) as unknown as Ajv04Class;
const require = createRequire(import.meta.url);

export const MAX_SCHEMA_BYTES = 64 * 1024;

type Draft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

const DRAFTS: [RegExp, Draft][] = [
  [/^https?:\/\/json-schema\.org\/draft-04\/schema#?$/, 'draft-04'],
  [/^https?:\/\/json-schema\.org\/draft-06\/schema#?$/, 'draft-06'],
  [/^https?:\/\/json-schema\.org\/draft-07\/schema#?$/, 'draft-07'],
  [/^https?:\/\/json-schema\.org\/draft\/2019-09\/schema#?$/, '2019-09'],
  [/^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/, '2020-12'],
];

export function draftOf(schema: Record<string, unknown>): Draft | undefined {
  const s = schema.$schema;
  if (typeof s !== 'string') return undefined;
  return DRAFTS.find(([re]) => re.test(s))?.[1];
}

type AnyAjv = { compile(schema: unknown): ValidateFunction; validateSchema(schema: unknown): boolean | Promise<unknown>; errors?: ErrorObject[] | null };

/** One validator per draft, made on first use (per SchemaTools, so runs share nothing). */
export class SchemaTools {
  #ajv = new Map<Draft, AnyAjv>();

  #for(draft: Draft): AnyAjv {
    let a = this.#ajv.get(draft);
    if (!a) {
      // strict: false because brokers put UI hints and vendor keywords in their schemas.
      const opts = { strict: false, allErrors: true, validateFormats: false } as const;
      if (draft === 'draft-04') a = new Ajv04(opts) as unknown as AnyAjv;
      else if (draft === '2019-09') a = new Ajv2019(opts) as unknown as AnyAjv;
      else if (draft === '2020-12') a = new Ajv2020(opts) as unknown as AnyAjv;
      else {
        const ajv = new Ajv(opts);
        if (draft === 'draft-06') ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
        a = ajv as unknown as AnyAjv;
      }
      this.#ajv.set(draft, a);
    }
    return a;
  }

  /**
   * Problems with one `parameters` schema: `must` are spec MUST violations ($schema missing, external
   * $ref, > 64 kB, not a valid schema); `should` are portability warnings (a draft the platform may not know).
   */
  check(schema: unknown): { must: string[]; should: string[] } {
    const must: string[] = [];
    const should: string[] = [];
    if (!isObject(schema)) return { must: [`is not a JSON object (${JSON.stringify(schema)?.slice(0, 60)})`], should };
    const size = Buffer.byteLength(JSON.stringify(schema));
    if (size > MAX_SCHEMA_BYTES) must.push(`is ${size} bytes; schemas MUST NOT be larger than 64 kB`);
    if (typeof schema.$schema !== 'string') must.push('has no `$schema` key declaring its JSON Schema version');
    for (const ref of refs(schema)) if (!ref.startsWith('#')) must.push(`has an external reference "$ref": "${ref}"`);
    const draft = draftOf(schema);
    if (typeof schema.$schema === 'string' && !draft) should.push(`declares "$schema": "${schema.$schema}", which is not a JSON Schema draft platforms know`);
    if (draft && draft !== 'draft-04') should.push(`uses JSON Schema ${draft}; platforms MUST support draft-04 and only SHOULD be prepared for later drafts (Cloud Foundry validates against draft-04)`);
    if (must.length === 0) {
      try {
        this.#for(draft ?? 'draft-04').compile(schema);
      } catch (err) {
        must.push(`is not a valid JSON Schema ${draft ?? 'draft-04'}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return { must, should };
  }

  /** Errors of `data` against `schema` (empty when valid or when the schema cannot be compiled). */
  validate(schema: unknown, data: unknown): string[] {
    if (!isObject(schema)) return [];
    let fn: ValidateFunction;
    try {
      fn = this.#for(draftOf(schema) ?? 'draft-04').compile(schema);
    } catch {
      return [];
    }
    if (fn(data)) return [];
    return (fn.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
  }

  /** Parameters the schema rejects (to see whether the broker validates), or undefined if none can be made. */
  invalidParameters(schema: unknown): Record<string, unknown> | undefined {
    if (!isObject(schema)) return undefined;
    const candidates: Record<string, unknown>[] = [];
    const props = isObject(schema.properties) ? schema.properties : {};
    for (const [name, p] of Object.entries(props)) {
      if (!isObject(p)) continue;
      const type = Array.isArray(p.type) ? p.type[0] : p.type;
      const wrong = type === 'string' ? 12345 : type === 'number' || type === 'integer' || type === 'boolean' || type === 'object' || type === 'array' ? 'not-a-' + String(type) : undefined;
      if (wrong !== undefined) candidates.push({ [name]: wrong });
      if (Array.isArray(p.enum)) candidates.push({ [name]: '__not_in_enum__' });
    }
    if (Array.isArray(schema.required) && schema.required.length > 0) candidates.push({});
    if (schema.additionalProperties === false) candidates.push({ 'x-conformance-unknown-parameter': true });
    return candidates.find((c) => this.validate(schema, c).length > 0);
  }
}

function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refs(x, out);
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refs(x, out);
    }
  }
  return out;
}
