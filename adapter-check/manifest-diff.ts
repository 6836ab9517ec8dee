/**
 * Structural differences between two manifests, as ODB sees them when it looks for pending changes:
 * the `update` block is ignored, values under secret-looking keys are not shown.
 * @module
 */
import { parse as parseYaml } from 'yaml';

const SECRET_KEY = /secret|password|passwd|token|credential|private_key|privatekey|^key$|_key$|certificate/i;

function show(v: unknown, secret: boolean): string {
  if (v === undefined) return '(absent)';
  return secret ? '(a secret)' : JSON.stringify(v);
}

function diff(a: unknown, b: unknown, path: string, secret: boolean, out: string[]): void {
  if (out.length >= 20) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const byName = (x: unknown[]) => x.every((e) => e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string');
    if (byName(a) && byName(b)) {
      const names = [...new Set([...a, ...b].map((e) => (e as { name: string }).name))];
      for (const n of names) diff(a.find((e) => (e as { name: string }).name === n), b.find((e) => (e as { name: string }).name === n), `${path}[name=${n}]`, secret, out);
      return;
    }
    for (let i = 0; i < Math.max(a.length, b.length); i++) diff(a[i], b[i], `${path}[${i}]`, secret, out);
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
      diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, secret || SECRET_KEY.test(k), out);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path}: ${show(a, secret)} → ${show(b, secret)}`);
}

/** The changes from `before` to `after` (empty when ODB would see no pending change). */
export function manifestChanges(before: string, after: string): string[] {
  const parse = (t: string) => {
    const doc = (parseYaml(t) ?? {}) as Record<string, unknown>;
    delete doc.update;
    return doc;
  };
  const out: string[] = [];
  diff(parse(before), parse(after), '', false, out);
  return out;
}
