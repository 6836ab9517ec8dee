import { isJsonObject, type JsonObject } from '../../../core/json.js';
import { ccError } from '../../errors.js';

/**
 * CC v2's request decoding (`JsonMessage` over Membrane schemas): each declared field is checked
 * for presence and type, in declaration order, and every problem is reported in one
 * `MessageParseError` ("Field: x, Error: ..., Field: y, Error: ..."). Keys v2 does not declare are
 * ignored.
 */
export type FieldType = 'string' | 'hash' | 'string[]' | 'boolean';

/** Ruby's class name for a decoded JSON value. */
function rubyClass(v: unknown): string {
  if (v === null) return 'NilClass';
  if (v === true) return 'TrueClass';
  if (v === false) return 'FalseClass';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Float';
  return Array.isArray(v) ? 'Array' : 'Hash';
}

function typeError(type: FieldType, v: unknown): string | undefined {
  switch (type) {
    case 'string':
      return typeof v === 'string' ? undefined : `Expected instance of String, given an instance of ${rubyClass(v)}`;
    case 'hash':
      return isJsonObject(v) ? undefined : `Expected instance of Hash, given an instance of ${rubyClass(v)}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `Expected instance of true or false, given ${v === null ? '' : String(v)}`;
    case 'string[]': {
      if (!Array.isArray(v)) return `Expected instance of Array, given instance of ${rubyClass(v)}`;
      const bad = v.map((x, i) => (typeof x === 'string' ? undefined : `At index ${i}: Expected instance of String, given an instance of ${rubyClass(x)}`)).filter((x) => x !== undefined);
      return bad.length ? bad.join(', ') : undefined;
    }
  }
}

/**
 * Checks `body` against the fields (in their order; `required` ones must be there) and throws CC's
 * MessageParseError when any is wrong.
 */
export function decodeV2(body: JsonObject, fields: Record<string, FieldType>, required: readonly string[] = []): void {
  const problems: string[] = [];
  for (const [name, type] of Object.entries(fields)) {
    if (!(name in body)) {
      if (required.includes(name)) problems.push(`Field: ${name}, Error: Missing field ${name}`);
      continue;
    }
    const e = typeError(type, body[name]);
    if (e) problems.push(`Field: ${name}, Error: ${e}`);
  }
  if (problems.length) throw ccError('MessageParseError', problems.join(', '));
}
