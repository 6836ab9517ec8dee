/**
 * Polls last_operation as a platform does: sends back the broker's `operation`, waits the
 * configured interval or what Retry-After asks, stops at `succeeded`/`failed` (or 410 for a
 * delete), and gives up at the maximum polling duration. Everything odd it sees becomes a finding.
 */
import { isObject } from './catalog-types.js';
import { spec } from './citations.js';
import type { CaseContext } from './engine.js';
import { describeReply, type Reply } from './http.js';
import type { RunContext } from './run-context.js';
import { lastOperationProblems } from './validate.js';

export type PolledOp = 'provision' | 'update' | 'deprovision' | 'bind' | 'unbind';

export interface PollTarget {
  instanceId: string;
  bindingId?: string;
  serviceId: string;
  /** For an update's polls, the plan before the update. */
  planId: string;
  operation?: string;
  op: PolledOp;
  /** The plan's maximum_polling_duration, in seconds. */
  planMaxSeconds?: number;
}

export interface PollResult {
  /** `gone` = 410 for a delete (success); `timeout` = still not terminal at the maximum duration; `error` = gave up on invalid answers. */
  end: 'succeeded' | 'failed' | 'gone' | 'timeout' | 'error';
  last?: Reply;
  polls: number;
  description?: string;
  /** How often the broker sent Retry-After, and the waits the suite honoured. */
  retryAfter: number[];
}

/** Gives up after this many invalid answers in a row (a platform would poll on to the maximum duration). */
const MAX_INVALID_IN_A_ROW = 10;

export function lastOperationPath(t: { instanceId: string; bindingId?: string }): string {
  const base = `/v2/service_instances/${encodeURIComponent(t.instanceId)}`;
  return t.bindingId ? `${base}/service_bindings/${encodeURIComponent(t.bindingId)}/last_operation` : `${base}/last_operation`;
}

/** Seconds to wait from a Retry-After header (integer seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | null, now: number): { ms: number; date: boolean } | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return { ms: Number(v) * 1000, date: false };
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : { ms: Math.max(0, at - now), date: true };
}

export async function pollLastOperation(run: RunContext, t: CaseContext, target: PollTarget): Promise<PollResult> {
  const binding = target.bindingId !== undefined;
  const section = binding ? 'polling-last-operation-for-service-bindings' : 'polling-last-operation-for-service-instances';
  const isDelete = target.op === 'deprovision' || target.op === 'unbind';
  const configured = run.config.polling.maxDurationSeconds * 1000;
  const maxMs = target.planMaxSeconds ? Math.min(configured, target.planMaxSeconds * 1000) : configured;
  const interval = run.config.polling.intervalSeconds * 1000;
  const started = run.timing.now();
  const result: PollResult = { end: 'error', polls: 0, retryAfter: [] };
  let invalid = 0;
  for (;;) {
    const r = await run.http.send('GET', lastOperationPath(target), {
      query: { service_id: target.serviceId, plan_id: target.planId, operation: target.operation },
    });
    result.polls++;
    result.last = r;
    let wait = interval;
    const ra = retryAfterMs(r.headers.get('retry-after'), run.timing.now());
    if (ra) {
      wait = ra.ms;
      result.retryAfter.push(ra.ms);
      if (ra.date) t.fail(`Retry-After is an HTTP date (${r.headers.get('retry-after')}); a duration in seconds is recommended`, spec(section, 'SHOULD', 'It is RECOMMENDED that Retry-After be a duration rather than a timestamp.'), r.exchange);
    } else if (r.headers.get('retry-after') !== null) {
      t.fail(`Retry-After "${r.headers.get('retry-after')}" is neither seconds nor an HTTP date`, spec(section, 'SHOULD', 'Retry-After tells the platform how long to wait before polling again, as a duration in seconds.'), r.exchange);
    }
    if (r.status === 200) {
      const problems = lastOperationProblems(r, target.op);
      for (const p of problems) t.fail(p.message, p.citation, r.exchange);
      const state = isObject(r.json) ? r.json.state : undefined;
      if (problems.length === 0 || state === 'succeeded' || state === 'failed') invalid = 0;
      else invalid++;
      if (state === 'succeeded' || state === 'failed') {
        result.end = state;
        if (isObject(r.json) && typeof r.json.description === 'string') result.description = r.json.description;
        return result;
      }
    } else if (r.status === 410 && isDelete) {
      result.end = 'gone';
      return result;
    } else if (r.status === 400) {
      t.fail(
        `last_operation answered 400 to a well-formed poll (it carried the broker's own operation${target.operation === undefined ? ' (none given)' : ` "${target.operation}"`}, service_id and plan_id): ${describeReply(r)}`,
        spec(section, 'MUST', '400 only for a malformed request; the `operation` the broker returned is sent back verbatim (percent-encoded) and identifies the operation.'),
        r.exchange,
      );
      result.end = 'failed';
      return result;
    } else {
      invalid++;
      const why =
        r.status === 410
          ? `last_operation answered 410 Gone while polling a ${target.op}: 410 is appropriate only for an asynchronous delete`
          : r.status === 404
            ? `last_operation answered 404 for the ${binding ? 'binding' : 'instance'} whose ${target.op} the broker accepted with 202`
            : `last_operation answered ${describeReply(r)}`;
      t.fail(why, spec(section, 'MUST', r.status === 410 ? '410 Gone is appropriate only for asynchronous delete operations; for create or update it is an invalid response.' : 'last_operation MUST answer 200 with the state of an operation the broker accepted (404 only for an unknown resource).'), r.exchange);
      if (invalid >= MAX_INVALID_IN_A_ROW) {
        result.end = 'error';
        return result;
      }
    }
    const elapsed = run.timing.now() - started;
    if (elapsed >= maxMs) {
      result.end = 'timeout';
      t.fail(
        `the ${target.op} was still not finished after ${Math.round(elapsed / 1000)} s of polling (${result.polls} polls); the maximum polling duration is ${Math.round(maxMs / 1000)} s${target.planMaxSeconds ? ' (the plan\'s maximum_polling_duration)' : ''}, after which the platform considers the operation failed`,
        spec('polling-interval-and-duration', 'MUST', 'when the platform\'s or the plan\'s maximum polling duration is reached, the operation MUST be considered failed.'),
        r.exchange,
      );
      return result;
    }
    // At least a second between polls, whatever Retry-After says, so a broker cannot make the suite spin.
    await run.timing.sleep(Math.max(1000, Math.min(wait, maxMs - elapsed)));
  }
}
