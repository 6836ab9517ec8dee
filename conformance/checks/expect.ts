/** Shared ways to read a broker's answer against what an operation allows, with the right citation. */
import { spec, type SpecSection } from '../citations.js';
import type { CaseContext } from '../engine.js';
import { describeReply, type Reply } from '../http.js';
import type { Citation } from '../model.js';
import { errorCode } from '../validate.js';

export type Op = 'provision' | 'update' | 'deprovision' | 'bind' | 'unbind' | 'fetch instance' | 'fetch binding';

const SECTION: Record<Op, SpecSection> = {
  provision: 'provisioning',
  update: 'updating-a-service-instance',
  deprovision: 'deprovisioning',
  bind: 'binding',
  unbind: 'unbinding',
  'fetch instance': 'fetching-a-service-instance',
  'fetch binding': 'fetching-a-service-binding',
};

export function sectionOf(op: Op): SpecSection {
  return SECTION[op];
}

/**
 * Records why `r` is not one of the statuses a valid request may get, citing the rule it breaks:
 * a timeout, a 5xx, an error code used where its condition does not hold, a 2xx the spec does not list.
 */
export function unexpected(t: CaseContext, op: Op, r: Reply, allowed: number[], ctx: { acceptsIncomplete?: boolean; what?: string } = {}): void {
  const sent = ctx.what ?? op;
  const expected = allowed.join(' or ');
  const base = spec(SECTION[op], 'MUST', `a valid ${op} request gets ${expected}${op === 'provision' || op === 'bind' ? '; any other status is a failure and the platform may start orphan mitigation' : ''}.`);
  if (r.status === 0) {
    if (r.timedOut) {
      t.fail(`${sent}: ${r.error}; expected ${expected}`, base, r.exchange);
      t.fail(
        `${sent} took longer than the platform waits: brokers SHOULD answer promptly and answer 202 (asynchronous) for long work${op === 'provision' || op === 'bind' ? '; a platform orphan-mitigates a timed-out ' + op : ''}`,
        spec('synchronous-and-asynchronous-operations', 'SHOULD', 'Service Brokers SHOULD respond promptly to all requests; those that cannot complete in time SHOULD answer asynchronously.'),
        r.exchange,
      );
    } else t.fail(`${sent}: no answer (${r.error}); expected ${expected}`, base, r.exchange);
    return;
  }
  const code = errorCode(r);
  if (r.status === 422 && code === 'AsyncRequired' && ctx.acceptsIncomplete) {
    t.fail(`${sent} with accepts_incomplete=true answered 422 AsyncRequired: that code is only for requests without accepts_incomplete=true`, spec('asynchronous-operations', 'MUST', 'AsyncRequired is for a request that did not include accepts_incomplete=true.'), r.exchange);
    return;
  }
  if (r.status === 422 && code === 'ConcurrencyError') {
    t.fail(`${sent} answered 422 ConcurrencyError although the suite had no other operation in progress on it`, spec('blocking-operations', 'MUST', 'ConcurrencyError is for a request the broker cannot process because of another operation in progress on the same resource.'), r.exchange);
    return;
  }
  if (r.status === 422 && code === 'MaintenanceInfoConflict') {
    t.fail(`${sent} answered 422 MaintenanceInfoConflict although the request's maintenance_info.version is the catalog's (or absent)`, spec(SECTION[op], 'MUST', 'MaintenanceInfoConflict only when maintenance_info.version differs from the catalog\'s version for the plan.'), r.exchange);
    return;
  }
  if (r.status === 422) {
    t.fail(`${sent} answered 422 ${code ? `"${code}"` : 'without an error code'}: ${describeReply(r)}; a valid request gets ${expected}`, spec('error-codes', 'MUST', 'the specified 422 scenarios use the exact codes AsyncRequired, ConcurrencyError, RequiresApp or MaintenanceInfoConflict.'), r.exchange);
    return;
  }
  if (r.status >= 200 && r.status < 300) {
    t.fail(`${sent} answered ${r.status}, which the spec does not allow here (expected ${expected})`, base, r.exchange);
    return;
  }
  if (r.status >= 500) {
    t.fail(`${sent} answered ${describeReply(r)}: a broker error for a valid request (expected ${expected})`, base, r.exchange);
    return;
  }
  t.fail(`${sent} answered ${describeReply(r)}; expected ${expected}`, base, r.exchange);
}

/** True when `r.status` is allowed; otherwise records why not. */
export function expectStatus(t: CaseContext, op: Op, r: Reply, allowed: number[], ctx: { acceptsIncomplete?: boolean; what?: string } = {}): boolean {
  if (allowed.includes(r.status)) return true;
  unexpected(t, op, r, allowed, ctx);
  return false;
}

/** Expects a 422 with a given error code. */
export function expect422(t: CaseContext, r: Reply, code: string, what: string, citation: Citation): boolean {
  if (r.status === 422 && errorCode(r) === code) return true;
  t.fail(`${what} answered ${describeReply(r)}; expected 422 with "error": "${code}"`, citation, r.exchange);
  return false;
}
