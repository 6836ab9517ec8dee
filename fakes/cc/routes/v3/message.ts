import { isJsonObject, type JsonObject } from '../../../core/json.js';
import { unprocessable } from '../../errors.js';

/**
 * What CC v3's message classes say about a malformed body (`app/messages/*`, `validators/*`):
 * every problem found, in one 422 UnprocessableEntity ("A must be ..., B must be ...").
 */
export class Problems {
  readonly list: string[] = [];

  add(p: string | undefined | false): this {
    if (p) this.list.push(p);
    return this;
  }

  /** NoAdditionalKeysValidator. */
  unknownKeys(body: JsonObject, allowed: readonly string[], prefix = ''): this {
    const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
    return this.add(unknown.length > 0 && `${prefix}Unknown field(s): '${unknown.join("', '")}'`);
  }

  /** MetadataValidator: an object with `labels` and/or `annotations`, each an object. */
  metadata(md: unknown): this {
    if (md === undefined) return this;
    if (!isJsonObject(md)) return this.add('Metadata must be an object');
    const extra = Object.keys(md).filter((k) => k !== 'labels' && k !== 'annotations');
    this.add(extra.length > 0 && `Metadata has unexpected field(s): ${extra.map((k) => `'${k}'`).join(' ')}`);
    for (const k of ['labels', 'annotations'] as const) {
      if (md[k] !== undefined && md[k] !== null && !isJsonObject(md[k])) this.add(`Metadata '${k}' is not an object`);
    }
    return this;
  }

  /** `relationships`: an object of to-one relationships `{data: {guid}}`, only the allowed ones. */
  relationships(rel: unknown, allowed: readonly string[]): this {
    if (rel === undefined) return this;
    if (!isJsonObject(rel)) return this.add('Relationships must be an object');
    this.unknownKeys(rel, allowed, 'Relationships ');
    for (const name of allowed) {
      if (!(name in rel)) continue;
      const r = rel[name];
      const ok = isJsonObject(r) && isJsonObject(r.data) && typeof r.data.guid === 'string';
      const label = name.replace(/_/g, ' ').replace(/^./, (x) => x.toUpperCase());
      this.add(!ok && `Relationships ${label} must be structured like this: "${name}: {"data": {"guid": "valid-guid"}}"`);
    }
    return this;
  }

  /** Throws CC's 422 when anything was found. */
  check(): void {
    if (this.list.length) throw unprocessable(this.list.join(', '));
  }
}

/** `name`: present (not blank) and a string. */
export function nameProblem(name: unknown): string | undefined {
  if (name === undefined || name === null || name === '') return "Name can't be blank";
  return typeof name === 'string' ? undefined : 'Name must be a string';
}
