import { parse as parseYaml, YAMLParseError } from 'yaml';
import { BoshError, E } from '../errors.js';

export type Manifest = Record<string, unknown>;

/**
 * The checks `POST /deployments` makes before any task exists (all 400): empty body, bad YAML,
 * not a mapping, no `name`. Everything else is the task's business.
 */
export function parseManifestSync(text: string): Manifest & { name: string } {
  if (text.trim() === '') throw E.badManifest('Manifest should not be empty');
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: false, maxAliasCount: 1000 });
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split('\n')[0] : String((err as Error).message ?? err);
    throw E.badManifest(`Incorrect YAML structure of the uploaded manifest: #<Psych::SyntaxError: (<unknown>): ${msg}>`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw E.badManifest('Manifest should be a hash');
  const name = (doc as Manifest).name;
  if (name === undefined || name === null) throw new BoshError(400, 40001, "Deployment manifest must have a 'name' key");
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
