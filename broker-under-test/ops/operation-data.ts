/**
 * ODB's `OperationData`, the OSB `operation` string: JSON with Go's field names. It is the only
 * memory the broker has of an operation between the platform's polls.
 * @module
 */
import type { ErrandRef } from './plans.js';

export type OperationType = 'create' | 'update' | 'upgrade' | 'recreate' | 'delete' | 'force-delete';

export interface OperationData {
  BoshTaskID: number;
  BoshContextID?: string;
  OperationType: OperationType;
  PlanID?: string;
  Errands?: ErrandRef[];
}

/** Serialises in Go's field order, with `omitempty` and the two deprecated always-present blocks. */
export function encodeOperationData(d: OperationData): string {
  const out: Record<string, unknown> = { BoshTaskID: d.BoshTaskID };
  if (d.BoshContextID) out.BoshContextID = d.BoshContextID;
  out.OperationType = d.OperationType;
  if (d.PlanID) out.PlanID = d.PlanID;
  out.PostDeployErrand = {};
  out.PreDeleteErrand = {};
  if (d.Errands?.length) out.Errands = d.Errands;
  return JSON.stringify(out);
}

export function decodeOperationData(raw: string): OperationData {
  const parsed = JSON.parse(raw) as Partial<OperationData>;
  if (!parsed || typeof parsed !== 'object') throw new Error('operation data is not a JSON object');
  return {
    BoshTaskID: Number(parsed.BoshTaskID ?? 0),
    BoshContextID: parsed.BoshContextID ? String(parsed.BoshContextID) : undefined,
    OperationType: String(parsed.OperationType ?? '') as OperationType,
    PlanID: parsed.PlanID ? String(parsed.PlanID) : undefined,
    Errands: Array.isArray(parsed.Errands) ? parsed.Errands : undefined,
  };
}
