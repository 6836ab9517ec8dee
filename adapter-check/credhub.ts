/**
 * What ODB does with ODB-managed secrets when `broker.enable_secure_manifests` is on: each
 * `((odb_secret:NAME))` of a generated manifest whose value is in the adapter's `secrets` output is
 * stored in (BOSH's) CredHub at `/odb/<service id>/<deployment>/NAME`, and the manifest refers to
 * that path instead. Later calls get `previous_secrets` and binding `secrets` as `{"((path))": value}`.
 * @module
 */

const REF = /\(\(odb_secret:([^()\s]+)\)\)/g;

export interface ManagedSecrets {
  /** The manifest as ODB deploys it (references replaced by CredHub paths). */
  manifest: string;
  /** CredHub path → value, for the names the adapter gave values for. */
  values: Map<string, string>;
}

export class FakeCredhub {
  private readonly store = new Map<string, string>();

  constructor(private readonly serviceId: string) {}

  path(deployment: string, name: string): string {
    return `/odb/${this.serviceId}/${deployment}/${name}`;
  }

  /** The references of a manifest replaced by CredHub paths, and the values to store there. */
  manage(deployment: string, manifest: string, secrets: Record<string, unknown>): ManagedSecrets {
    const values = new Map<string, string>();
    const replaced = manifest.replace(REF, (ref, name: string) => {
      if (!(name in secrets)) return ref;
      const p = this.path(deployment, name);
      values.set(p, typeof secrets[name] === 'string' ? (secrets[name] as string) : JSON.stringify(secrets[name]));
      return `((${p}))`;
    });
    return { manifest: replaced, values };
  }

  /** Stores values (ODB does it right before deploying). */
  put(values: Map<string, string>): void {
    for (const [p, v] of values) this.store.set(p, v);
  }

  /** Secret names whose new value differs from the stored one (a regenerated secret). */
  changed(values: Map<string, string>): string[] {
    return [...values].filter(([p, v]) => this.store.has(p) && this.store.get(p) !== v).map(([p]) => p.split('/').pop()!);
  }

  /** `{"((path))": value}` for every stored path a manifest refers to. */
  resolve(manifest: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of manifest.matchAll(/\(\((\/odb\/[^()\s]+)\)\)/g)) {
      const v = this.store.get(m[1]);
      if (v !== undefined) out[`((${m[1]}))`] = v;
    }
    return out;
  }
}
