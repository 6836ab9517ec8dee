/** last_operation polling as cases: the poll of an operation, a second poll after it ended, and quiet polls inside probes. */
import { isObject, type PlanTarget } from '../catalog-types.js';
import { spec } from '../citations.js';
import { CaseContext, type CheckDef } from '../engine.js';
import { describeReply, type Reply } from '../http.js';
import { pollLastOperation, type PolledOp } from '../polling.js';
import type { RunContext } from '../run-context.js';
import { instancePath, type InstanceState } from './instance-state.js';

/** Polls an operation as its own case (LO-01 and friends); returns how it ended. */
export async function pollCase(
  run: RunContext,
  scope: string,
  op: PolledOp,
  s: { id: string; target: PlanTarget },
  p: { serviceId: string; planId: string; operation?: string; bindingId?: string },
): Promise<string> {
  const binding = p.bindingId !== undefined;
  const section = binding ? 'polling-last-operation-for-service-bindings' : 'polling-last-operation-for-service-instances';
  let end = 'error';
  let last: Reply | undefined;
  const def: CheckDef = {
    id: binding ? 'BLO-01' : 'LO-01',
    also: binding ? ['BLO-02', 'LO-07'] : ['LO-02', 'LO-05', 'LO-06', 'LO-07', 'LO-09'],
    title: `the ${op}'s last_operation reaches "succeeded"`,
    scope,
    since: binding ? '2.14' : '2.13',
    tags: ['last-operation', 'async', op],
    citation: spec(section, 'MUST', 'last_operation answers 200 with `state` in progress / succeeded / failed for the operation the broker returned; the platform stops at succeeded or failed, and at the maximum polling duration the operation is failed.'),
  };
  if (!run.engine.enabled(def)) {
    // Skipped as a check, the operation must still end before the lifecycle goes on.
    const r = await pollLastOperation(run, new CaseContext(def), { instanceId: s.id, bindingId: p.bindingId, serviceId: p.serviceId, planId: p.planId, operation: p.operation, op, planMaxSeconds: s.target.plan.maximum_polling_duration });
    await run.engine.run(def, () => undefined);
    return r.end;
  }
  await run.engine.run(
    def,
    async (t) => {
      const r = await pollLastOperation(run, t, { instanceId: s.id, bindingId: p.bindingId, serviceId: p.serviceId, planId: p.planId, operation: p.operation, op, planMaxSeconds: s.target.plan.maximum_polling_duration });
      end = r.end;
      last = r.last;
      if (r.end === 'succeeded' || r.end === 'gone') return t.note(`${r.end} after ${r.polls} poll(s)${r.retryAfter.length ? `, Retry-After honoured ${r.retryAfter.length}×` : ''}`);
      if (r.end === 'failed' && r.last?.status === 200) {
        t.fail(
          `the asynchronous ${op} failed: ${r.description ? `"${r.description}"` : 'no description'}`,
          spec(op === 'provision' ? 'provisioning' : op === 'update' ? 'updating-a-service-instance' : op === 'bind' ? 'binding' : op === 'unbind' ? 'unbinding' : 'deprovisioning', 'MUST', `on a valid ${op} request the broker MUST take whatever action is necessary to carry it out; a failed ${op === 'provision' || op === 'bind' ? 'create makes the platform start orphan mitigation' : 'operation leaves the platform unsure of the state'}.`),
          r.last.exchange,
        );
      }
    },
  );
  if (end === 'succeeded' || end === 'failed') await stickyCase(run, scope, op, s, p, end, last);
  return end;
}

/** LO-08: polling again after a terminal state gives the same state. */
async function stickyCase(run: RunContext, scope: string, op: PolledOp, s: { id: string }, p: { serviceId: string; planId: string; operation?: string; bindingId?: string }, end: string, _last?: Reply): Promise<void> {
  const binding = p.bindingId !== undefined;
  await run.engine.run(
    {
      id: binding ? 'BLO-01' : 'LO-08',
      also: binding ? ['LO-08'] : [],
      title: `polling the ${op}'s last_operation again still says "${end}"`,
      scope,
      since: '2.16',
      tags: ['last-operation', op],
      citation: spec(binding ? 'polling-last-operation-for-service-bindings' : 'polling-last-operation-for-service-instances', 'SHOULD', 'Service Brokers SHOULD NOT forget the state of an operation immediately after returning succeeded or failed, in case the platform asks again.'),
    },
    async (t) => {
      const path = binding ? `${instancePath(s.id)}/service_bindings/${encodeURIComponent(p.bindingId!)}/last_operation` : `${instancePath(s.id)}/last_operation`;
      const r = await run.http.send('GET', path, { query: { service_id: p.serviceId, plan_id: p.planId, operation: p.operation } });
      const isDelete = op === 'deprovision' || op === 'unbind';
      if (isDelete && r.status === 410) return;
      const state = isObject(r.json) ? r.json.state : undefined;
      t.expect(r.status === 200 && state === end, `a second poll after "${end}" answered ${describeReply(r)}`, undefined, r.exchange);
    },
  );
}

/** Polls an operation started by a probe, inside the probe's case, so later steps find the instance idle. */
export async function quietPoll(run: RunContext, t: CaseContext, op: PolledOp, s: { id: string; planId: string; target: PlanTarget }, operation: string | undefined, bindingId?: string): Promise<string> {
  const r = await pollLastOperation(run, t, { instanceId: s.id, bindingId, serviceId: s.target.service.id, planId: s.planId, operation, op, planMaxSeconds: s.target.plan.maximum_polling_duration });
  return r.end;
}

/** Whether last_operation already reports the operation finished (a fast broker won the race). */
export async function finishedAlready(run: RunContext, s: InstanceState, _op: PolledOp): Promise<boolean> {
  const r = await run.http.send('GET', `${instancePath(s.id)}/last_operation`, { query: { service_id: s.target.service.id, plan_id: s.planId, operation: s.operation } });
  return r.status === 200 && isObject(r.json) && r.json.state === 'succeeded';
}
