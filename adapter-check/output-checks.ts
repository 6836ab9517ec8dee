/**
 * Shape checks on what an adapter printed, field by field, where the runner is forgiving (it reads
 * a missing field as empty) but ODB, Cloud Controller or the SDK types are not.
 * @module
 */
import { isObj } from './context.js';

/** The stdin-mode generate-manifest document: `manifest` a YAML string, `secrets` and `configs` objects. */
export function generateManifestProblems(stdout: string | undefined): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout ?? '');
  } catch {
    return [];
  }
  if (!isObj(doc)) return ['stdout is JSON but not an object'];
  const problems: string[] = [];
  if (typeof doc.manifest !== 'string') problems.push(doc.manifest === undefined ? 'the field "manifest" is missing' : `"manifest" is ${typeof doc.manifest}, not a string of YAML`);
  for (const k of ['secrets', 'configs']) {
    const v = doc[k];
    if (v !== undefined && v !== null && !isObj(v)) problems.push(`"${k}" is ${Array.isArray(v) ? 'an array' : typeof v}, not an object`);
  }
  if (isObj(doc.configs)) for (const [t, c] of Object.entries(doc.configs)) if (typeof c !== 'string') problems.push(`configs.${t} is ${typeof c}, not the config's text`);
  return problems;
}

/** The plan's `schemas` block: three `parameters` objects, JSON Schema documents with `$schema`. */
export function planSchemaProblems(schemas: unknown): string[] {
  const problems: string[] = [];
  const at = (path: string[]): unknown => path.reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), schemas);
  for (const path of [['service_instance', 'create', 'parameters'], ['service_instance', 'update', 'parameters'], ['service_binding', 'create', 'parameters']]) {
    const v = at(path);
    if (!isObj(v)) problems.push(`${path.join('.')} is ${v === undefined ? 'missing' : 'not an object'}`);
    else if (Object.keys(v).length && v.$schema === undefined) problems.push(`${path.join('.')} has no "$schema" (Cloud Controller wants a JSON Schema draft-04 document)`);
  }
  return problems;
}
