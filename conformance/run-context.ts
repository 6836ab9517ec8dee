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
