/** Ruby's `#inspect` of parsed JSON, as CC's catalog messages quote bad values ("…but has value 123"). */
export function rubyInspect(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(rubyInspect).join(', ')}]`;
  const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}=>${rubyInspect(x)}`);
  return `{${entries.join(', ')}}`;
}

/** Ruby truthiness: only nil and false are false. */
export function rubyTruthy(v: unknown): boolean {
  return v !== null && v !== undefined && v !== false;
}
