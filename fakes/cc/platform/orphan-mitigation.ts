import type { Kernel } from '../../core/kernel.js';
import type { TimerHandle } from '../../core/clock.js';
import type { OrphanMitigationRecord, OrphanMitigationState, PlatformOperation } from './api.js';
import type { BrokerError } from './errors.js';
import { seg, type OsbTransport } from './osb-client.js';
import { parseDeprovision, parseUnbind } from './response-parser.js';
import { boundedWait } from './timer-work.js';

/**
 * Orphan mitigation (orphan_mitigator.rb, C.5): which failed creates make CC send a cleanup DELETE,
 * and the DeleteOrphaned* jobs that send it: at once, then up to 11 attempts in all, the n-th retry
 * 2^n minutes after the n-th failure; no polling after a 202; no originating identity.
 */
export const ORPHAN_TAG = 'orphan-mitigation';
export const DEFAULT_OM_ATTEMPTS = 11;

const v2Key = (op: PlatformOperation) => op.resource === 'service_key' && op.via === 'v2';

/** The C.5 table for a failed first response. Updates, deletes and every other failure: never. */
export function shouldMitigate(op: PlatformOperation, error: BrokerError): boolean {
  if (op.type !== 'create') return false;
  const cls = error.errorClass;
  // The V2-only create_service_key path: timeouts, bad responses and any malformed body, nothing else.
  if (v2Key(op)) {
    return cls === 'HttpClientTimeout' || cls === 'ServiceBrokerBadResponse' || cls === 'ServiceBrokerResponseMalformed';
  }
  if (cls === 'HttpClientTimeout' || cls === 'ServiceBrokerBadResponse') return true;
  if (cls === 'ServiceBrokerResponseMalformed') {
    // 200 with a bad body only fails.
    return error.status !== 200;
  }
  if (op.resource !== 'service_instance') {
    return cls === 'ServiceBrokerInvalidSyslogDrainUrl' || cls === 'ServiceBrokerInvalidVolumeMounts';
  }
  return false;
}

export type MitigationRecord = OrphanMitigationRecord;

export class OrphanMitigator {
  #timers = new Map<string, TimerHandle>();
  #records = new Map<string, MitigationRecord>();
  #seq = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly transport: OsbTransport,
    private readonly maxAttempts: number,
    private readonly track: <T>(p: Promise<T>) => Promise<T>,
  ) {}

  /**
   * Queues the cleanup job (`run_at: now`): its first DELETE goes out at once but apart from the
   * failure that caused it, which is reported without waiting; retries go on the clock. `onChange`
   * hears the outcome of each attempt that settles the job (performed, or failed for good).
   */
  mitigate(op: PlatformOperation, onChange?: (state: OrphanMitigationState) => void): OrphanMitigationState {
    const key = `om-${++this.#seq}`;
    const record: MitigationRecord = { key, op, attempts: 0, state: 'scheduled' };
    this.#records.set(key, record);
    void this.track(this.#attempt(record, onChange));
    return record.state;
  }

  async #attempt(record: MitigationRecord, onChange: ((state: OrphanMitigationState) => void) | undefined): Promise<void> {
    this.#timers.delete(record.key);
    record.attempts++;
    const ok = await this.#sendDelete(record.op);
    if (ok) record.state = 'performed';
    else if (record.attempts >= this.maxAttempts) record.state = 'failed';
    else {
      record.state = 'scheduled';
      const delayMs = 2 ** record.attempts * 60_000;
      this.#timers.set(
        record.key,
        this.kernel.clock.after(delayMs, () => boundedWait(this.track(this.#attempt(record, onChange)))),
      );
      return;
    }
    onChange?.(record.state);
  }

  async #sendDelete(op: PlatformOperation): Promise<boolean> {
    const instancePath = `/v2/service_instances/${seg(op.instanceGuid)}`;
    const isInstance = op.resource === 'service_instance';
    const path = isInstance ? instancePath : `${instancePath}/service_bindings/${seg(op.bindingGuid ?? '')}`;
    const res = await this.transport.call(op.broker, {
      method: 'DELETE',
      path,
      // DeleteOrphanedKey (the V2 service-key path) unbinds without accepts_incomplete.
      query: { accepts_incomplete: v2Key(op) ? undefined : true, plan_id: op.planId, service_id: op.serviceId },
      tags: [ORPHAN_TAG, isInstance ? 'deprovision' : 'unbind'],
      vcapRequestId: op.vcapRequestId,
    });
    if (res.kind === 'error') return false;
    const parsed = isInstance ? parseDeprovision(res.facts) : parseUnbind(res.facts);
    return parsed.ok;
  }

  /** Cleanup jobs still waiting for a retry. */
  pending(): number {
    return this.#timers.size;
  }

  records(): MitigationRecord[] {
    return [...this.#records.values()].map((r) => ({ ...r }));
  }

  close(): void {
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
  }
}
