/**
 * Secrets an adapter produced (generated passwords, `secrets` output, binding credentials), so a
 * failing call that prints one to stdout — which ODB shows to the Cloud Foundry user — is caught.
 * @module
 */
import { parse as parseYaml } from 'yaml';

const SECRET_KEY = /secret|password|passwd|token|credential|private_key|privatekey|^key$|_key$|certificate|^uri$|_uri$|^url$/i;
/** Short or placeholder values would match by accident. */
const worthChecking = (s: string) => s.length >= 8 && !/^\(\(.*\)\)$/.test(s) && !/^\*+$/.test(s);

function walk(v: unknown, underSecret: boolean, out: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) walk(x, underSecret, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, underSecret || SECRET_KEY.test(k), out);
  else if (typeof v === 'string' && underSecret && worthChecking(v)) out.add(v);
}

export class SecretSet {
  private readonly values = new Set<string>();

  /** Values under secret-looking keys of a manifest (YAML text). */
  addManifest(yamlText: string): void {
    try {
      walk(parseYaml(yamlText), false, this.values);
    } catch {
      // not YAML: nothing to learn from it
    }
  }

  /** Every value of an ODB-managed `secrets` map, and secret-looking credentials. */
  addValues(v: unknown, allSecret = false): void {
    walk(v, allSecret, this.values);
  }

  /** The known secrets that `text` contains. */
  foundIn(text: string): string[] {
    return [...this.values].filter((s) => text.includes(s));
  }

  /** `text` with every known secret replaced by `***`. */
  mask = (text: string): string => {
    let out = text;
    for (const s of this.values) out = out.split(s).join('***');
    return out;
  };
}
