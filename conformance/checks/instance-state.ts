/** What the checks of one plan share about its instance while the lifecycle runs. */
import type { PlanTarget } from '../catalog-types.js';
import type { CaseContext, CheckDef } from '../engine.js';

export interface InstanceState {
  id: string;
  target: PlanTarget;
  planId: string;
  /** The broker answered 202 to the provision. */
  async: boolean;
  operation?: string;
  ready: boolean;
  gone: boolean;
  instanceName: string;
  /** The first fetch (FI-01), to compare later fetches with. */
  fetched?: Record<string, unknown>;
  /** Whether DEP-05 (delete without accepts_incomplete) already ran. */
  dep05Done?: boolean;
}

export function instancePath(id: string): string {
  return `/v2/service_instances/${encodeURIComponent(id)}`;
}

export const MI_MISMATCH = '0.0.0-conformance.mismatch';

/** A check definition for this plan (the scope filled in). */
export type Def = (d: Omit<CheckDef, 'scope'>) => CheckDef;

/** Ends a check with not-run when the plan has no usable instance. */
export type NeedsInstance = (t: CaseContext) => void;
