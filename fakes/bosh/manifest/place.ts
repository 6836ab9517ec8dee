import type { InstanceRecord } from '../state.js';
import type { GroupPlan } from './validate.js';

export interface Slot {
  index: number;
  az: string | null;
  /** The existing instance that keeps this slot (its id, VM, disk and addresses). */
  old: InstanceRecord | undefined;
}

/**
 * Spreads a group's instances over its AZs: an existing instance keeps its index and AZ while the
 * AZ is still listed; new instances go to the emptiest AZ first (ties: the AZ listed first).
 */
export function placeInstances(group: GroupPlan, existing: InstanceRecord[]): Slot[] {
  const { azs, count } = group;
  const olds = existing.filter((i) => i.group === group.name).sort((a, b) => a.index - b.index);
  const perAz = new Map<string | null, number>((azs.length ? azs : [null]).map((a) => [a, 0]));
  const kept: (InstanceRecord | undefined)[] = [];
  for (let index = 0; index < count; index++) {
    const old = olds.find((o) => o.index === index && (azs.length === 0 || (o.az !== null && azs.includes(o.az))));
    kept.push(old);
    if (old) perAz.set(old.az, (perAz.get(old.az) ?? 0) + 1);
  }
  return kept.map((old, index) => {
    if (old) return { index, az: old.az, old };
    const az = [...perAz.entries()].sort((a, b) => a[1] - b[1])[0][0];
    perAz.set(az, (perAz.get(az) ?? 0) + 1);
    return { index, az, old };
  });
}
