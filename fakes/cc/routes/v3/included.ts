/**
 * `fields[<path>]=k1,k2` gives an `included` block with just those keys of the related records
 * (`relationships.x` keeps that relationship); `include=a,b` gives the full related records.
 */
export function pick(full: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> | undefined {
  if (!full) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k.startsWith('relationships.')) {
      const r = k.slice('relationships.'.length);
      const rels = (full.relationships ?? {}) as Record<string, unknown>;
      out.relationships = { ...((out.relationships as object) ?? {}), [r]: rels[r] };
    } else if (k in full) out[k] = full[k];
  }
  return out;
}

export class Included {
  #sets = new Map<string, Map<string, Record<string, unknown>>>();

  add(collection: string, guid: string | undefined, rec: Record<string, unknown> | undefined): void {
    if (!guid || !rec) return;
    let m = this.#sets.get(collection);
    if (!m) this.#sets.set(collection, (m = new Map()));
    if (!m.has(guid)) m.set(guid, rec);
    else Object.assign(m.get(guid)!, rec);
  }

  get empty(): boolean {
    return this.#sets.size === 0;
  }

  toJSON(): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    for (const [k, m] of this.#sets) out[k] = [...m.values()];
    return out;
  }
}
