import { isJsonObject, type JsonObject } from '../../core/json.js';
import { boshErr, type BoshError } from '../errors.js';

/** The hashes in a manifest list (anything else is dropped; the type checks below refuse it first). */
export const hashes = (x: unknown): JsonObject[] => (Array.isArray(x) ? x.filter(isJsonObject) : []);

export function typeError(name: string, value: unknown, type: string): BoshError {
  return boshErr(40000, `Property '${name}' value (${JSON.stringify(value)}) did not match the required type '${type}'`);
}

/** `safe_property`'s type check: the director's 40000 for a value of the wrong type. */
export function expectArray(name: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (!Array.isArray(value)) throw typeError(name, value, 'Array');
}

/** An optional array whose every item must be a hash. */
export function expectHashes(name: string, value: unknown): void {
  expectArray(name, value);
  for (const x of Array.isArray(value) ? value : []) if (!isJsonObject(x)) throw typeError(name, x, 'Hash');
}
