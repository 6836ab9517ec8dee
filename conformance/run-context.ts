/**
 * What every check shares during one run: the engine, the client, the platform profile, the
 * catalog, the plans to exercise, and the record of what the suite created (for cleanup).
 */
import type { Catalog, PlanTarget } from './catalog-types.js';
import type { ConformanceConfig } from './config.js';
import type { Engine } from './engine.js';
import type { OsbHttp } from './http.js';
import type { Platform } from './platform.js';
import type { SchemaTools } from './schemas.js';
import type { Timing } from './timing.js';

export interface CreatedInstance {
  id: string;
  serviceId: string;
  planId: string;
  bindings: Map<string, { serviceId: string; planId: string }>;
}

/** Instances and bindings the suite created (or may have created), so cleanup can remove them. */
export class Created {
  readonly instances = new Map<string, CreatedInstance>();

  instance(id: string, serviceId: string, planId: string): CreatedInstance {
    let i = this.instances.get(id);
    if (!i) {
      i = { id, serviceId, planId, bindings: new Map() };
      this.instances.set(id, i);
    }
    return i;
  }

  binding(instanceId: string, bindingId: string, serviceId: string, planId: string): void {
    this.instances.get(instanceId)?.bindings.set(bindingId, { serviceId, planId });
  }

  /** The `operation` of the last 202 for each instance (`id`) and binding (`id/binding`), seen on the wire. */
  readonly operations = new Map<string, string | undefined>();

  /** Remembers the operation of a 202 to a provision, update, delete, bind or unbind. */
  observe(e: { method: string; path: string; status: number; responseBody: string | null }): void {
    if (e.status !== 202 || e.method === 'GET') return;
    const m = /\/v2\/service_instances\/([^/]+)(?:\/service_bindings\/([^/]+))?$/.exec(e.path);
    if (!m) return;
    let op: string | undefined;
    try {
      const b = JSON.parse(e.responseBody ?? '');
      if (b && typeof b.operation === 'string') op = b.operation;
    } catch {
      // A malformed 202 has no operation to remember.
    }
    const key = m[2] ? `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}` : decodeURIComponent(m[1]);
    this.operations.set(key, op);
  }

  setPlan(instanceId: string, planId: string): void {
    const i = this.instances.get(instanceId);
    if (i) i.planId = planId;
  }

  forgetInstance(id: string): void {
    this.instances.delete(id);
  }

  forgetBinding(instanceId: string, bindingId: string): void {
    this.instances.get(instanceId)?.bindings.delete(bindingId);
  }
}

export interface RunContext {
  engine: Engine;
  http: OsbHttp;
  platform: Platform;
  timing: Timing;
  config: ConformanceConfig;
  version: string;
  schemas: SchemaTools;
  catalog?: Catalog;
  targets: PlanTarget[];
  created: Created;
}
