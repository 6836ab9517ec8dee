import { parse as parseYaml, YAMLParseError } from 'yaml';
import { isJsonObject } from '../../core/json.js';
import { BoshError, E } from '../errors.js';

export type Manifest = Record<string, unknown>;

/**
 * The director's `validate_manifest_yml` (deploys, diffs, legacy cloud/runtime/cpi configs):
 * 440001 for an empty body, YAML it cannot parse, or a document that is not a mapping.
 */
export function validateManifestYml(text: string): Manifest {
  // Only a body of zero bytes is "empty"; whitespace parses to nil, which is "not a hash".
  if (text === '') throw E.badManifest('Manifest should not be empty');
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: false, maxAliasCount: 1000 });
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split('\n')[0] : String((err as Error).message ?? err);
    throw E.badManifest(`Incorrect YAML structure of the uploaded manifest: #<Psych::SyntaxError: (<unknown>): ${msg}>`);
  }
  if (!isJsonObject(doc)) throw E.badManifest('Manifest should be a hash');
  return doc;
}

/**
 * The checks `POST /deployments` makes before any task exists (all 400): empty body, bad YAML,
 * not a mapping, no `name`. Everything else is the task's business.
 */
export function parseManifestSync(text: string): Manifest & { name: string } {
  const doc = validateManifestYml(text);
  const name = doc.name;
  // Ruby truthiness: nil and false are "no name".
  if (name === undefined || name === null || name === false) throw new BoshError(400, 40001, "Deployment manifest must have a 'name' key");
  if (typeof name !== 'string') {
    throw new BoshError(400, 40000, `Property 'name' value (${JSON.stringify(name)}) did not match the required type 'String'`);
  }
  return doc as Manifest & { name: string };
}

/** Variable names a manifest refers to: `((name))` placeholders (first segment) and `variables:` entries. */
export function variableNames(text: string, manifest: Manifest): string[] {
  const out = new Set<string>();
  for (const v of Array.isArray(manifest.variables) ? manifest.variables : []) {
    if (v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string') out.add((v as { name: string }).name);
  }
  for (const m of text.matchAll(/\(\(\s*!?([^()\s]+?)\s*\)\)/g)) out.add(m[1].split('.')[0]);
  return [...out];
}
