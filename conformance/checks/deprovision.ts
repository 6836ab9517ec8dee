/** Deprovisioning one plan's instance (checklist D.7): invalid deletes, AsyncRequired, the delete itself, and 410 after it. */
import type { PlanTarget } from '../catalog-types.js';
import { spec } from '../citations.js';
import type { CaseContext } from '../engine.js';
import { describeReply } from '../http.js';
import type { RunContext } from '../run-context.js';
import { deleteBodyProblems, errorCode, operationOf } from '../validate.js';
import { expectStatus, unexpected } from './expect.js';
import { instancePath, type Def, type InstanceState, type NeedsInstance } from './instance-state.js';
import { pollCase, quietPoll } from './poll-case.js';

/** DEP-05 on an instance: DELETE without accepts_incomplete answers 200, or 422 AsyncRequired. Returns true when it ran. */
export async function depWithoutFlag(run: RunContext, outer: CaseContext, target: PlanTarget, id: string): Promise<boolean> {
  const c = await run.engine.run(
    {
      id: 'DEP-05',
      title: 'a deprovision without accepts_incomplete=true answers 200, or 422 AsyncRequired when the plan is asynchronous only',
      scope: target.scope,
      since: '2.13',
      tags: ['deprovision', 'async'],
      citation: spec('deprovisioning', 'MUST', 'without accepts_incomplete=true a broker that can only deprovision asynchronously MUST answer 422 "AsyncRequired"; it MUST NOT answer 202.'),
    },
    async (t) => {
      const q = { service_id: target.service.id, plan_id: target.plan.id };
      const r = await run.http.send('DELETE', instancePath(id), { query: q });
      if (r.status === 200) {
        for (const p of deleteBodyProblems(r, 'deprovision')) t.fail(p.message, p.citation, r.exchange);
        run.created.forgetInstance(id);
        return;
      }
      if (r.status === 422 && errorCode(r) === 'AsyncRequired') {
        t.note('422 AsyncRequired');
      } else if (r.status === 202) {
        t.fail('a deprovision without accepts_incomplete=true answered 202 Accepted', undefined, r.exchange);
        const end = await quietPoll(run, t, 'deprovision', { id, planId: target.plan.id, target }, operationOf(r));
        if (end === 'succeeded' || end === 'gone') run.created.forgetInstance(id);
        return;
      } else {
        unexpected(t, 'deprovision', r, [200, 422], { what: 'DELETE without accepts_incomplete' });
      }
      const d = await run.http.send('DELETE', instancePath(id), { query: { ...q, accepts_incomplete: 'true' } });
      if (d.status === 202) {
        const end = await quietPoll(run, t, 'deprovision', { id, planId: target.plan.id, target }, operationOf(d));
        if (end === 'succeeded' || end === 'gone') run.created.forgetInstance(id);
      } else if (d.status === 200 || d.status === 410) run.created.forgetInstance(id);
    },
  );
  void outer;
  return c.outcome !== 'not-run';
}

export async function deprovisionChecks(run: RunContext, s: InstanceState, def: Def, needsInstance: NeedsInstance): Promise<void> {
  const e = run.engine;
  const target = s.target;
  const sid = target.service.id;
  const identity = run.platform.identity();
  const q = () => ({ service_id: sid, plan_id: s.planId });

  await e.run(
    def({
      id: 'DEP-04',
      title: 'a deprovision without service_id or plan_id answers 400 and deletes nothing',
      since: '2.13',
      tags: ['deprovision', 'invalid-requests'],
      citation: spec('deprovisioning', 'MUST', 'service_id and plan_id are REQUIRED query parameters; 400 Bad Request MUST be returned if the request is missing mandatory data.'),
    }),
    async (t) => {
      needsInstance(t);
      for (const [what, query] of [
        ['without service_id', { plan_id: s.planId, accepts_incomplete: 'true' }],
        ['without plan_id', { service_id: sid, accepts_incomplete: 'true' }],
      ] as const) {
        const r = await run.http.send('DELETE', instancePath(s.id), { query, originatingIdentity: identity });
        if (r.status === 400) continue;
        t.fail(`DELETE ${what} answered ${describeReply(r)}; expected 400`, undefined, r.exchange);
        if (r.status === 200 || r.status === 202) {
          if (r.status === 202) await quietPoll(run, t, 'deprovision', s, operationOf(r));
          s.gone = true;
          run.created.forgetInstance(s.id);
          return;
        }
      }
    },
  );

  if (!s.dep05Done && s.ready && !s.gone) {
    // The plan provisions asynchronously only (PROV-03 got AsyncRequired): probe on the main instance.
    await e.run(
      def({
        id: 'DEP-05',
        title: 'a deprovision without accepts_incomplete=true answers 200, or 422 AsyncRequired when the plan is asynchronous only',
        since: '2.13',
        tags: ['deprovision', 'async'],
        citation: spec('deprovisioning', 'MUST', 'without accepts_incomplete=true a broker that can only deprovision asynchronously MUST answer 422 "AsyncRequired"; it MUST NOT answer 202.'),
      }),
      async (t) => {
        const r = await run.http.send('DELETE', instancePath(s.id), { query: q(), originatingIdentity: identity });
        if (r.status === 422 && errorCode(r) === 'AsyncRequired') return t.note('422 AsyncRequired');
        if (r.status === 200) {
          for (const p of deleteBodyProblems(r, 'deprovision')) t.fail(p.message, p.citation, r.exchange);
          s.gone = true;
          run.created.forgetInstance(s.id);
          return t.note('200: deleted synchronously (DEP-01 then finds it gone)');
        }
        if (r.status === 202) {
          t.fail('a deprovision without accepts_incomplete=true answered 202 Accepted', undefined, r.exchange);
          await quietPoll(run, t, 'deprovision', s, operationOf(r));
          s.gone = true;
          run.created.forgetInstance(s.id);
          return;
        }
        unexpected(t, 'deprovision', r, [200, 422], { what: 'DELETE without accepts_incomplete' });
      },
    );
  }

  let deleted = false;
  await e.run(
    def({
      id: 'DEP-01',
      also: ['DEP-02', 'LO-05'],
      title: 'deprovision answers 200 {}, or 202 when asynchronous, and the instance goes away',
      since: '2.13',
      tags: ['deprovision'],
      citation: spec('deprovisioning', 'MUST', '200 OK with `{}` when the instance was deleted; 202 Accepted when the deletion is in progress (then last_operation reports it, or 410 once gone).'),
    }),
    async (t) => {
      if (s.gone) {
        deleted = true;
        return t.notRun('the instance was already deleted by an earlier probe');
      }
      needsInstance(t);
      const r = await run.http.send('DELETE', instancePath(s.id), { query: { ...q(), accepts_incomplete: 'true' }, originatingIdentity: identity });
      if (!expectStatus(t, 'deprovision', r, [200, 202], { acceptsIncomplete: true, what: 'DELETE of the instance' })) return;
      for (const p of deleteBodyProblems(r, 'deprovision')) t.fail(p.message, p.citation, r.exchange);
      if (r.status === 200) {
        deleted = true;
        run.created.forgetInstance(s.id);
        return t.note('200 OK');
      }
      const op = operationOf(r);
      const again = await run.http.send('DELETE', instancePath(s.id), { query: { ...q(), accepts_incomplete: 'true' } });
      if (!(again.status === 202 || again.status === 410 || again.status === 200)) t.fail(`a re-sent DELETE while the deprovision is in progress answered ${describeReply(again)}; expected 202`, undefined, again.exchange);
      else if (again.status === 202 && operationOf(again) !== op) t.fail(`a re-sent DELETE answered 202 with operation ${JSON.stringify(operationOf(again) ?? null)}; the original was ${JSON.stringify(op ?? null)}`, undefined, again.exchange);
      const end = await pollCase(run, target.scope, 'deprovision', s, { serviceId: sid, planId: s.planId, operation: op });
      if (end === 'succeeded' || end === 'gone') {
        deleted = true;
        run.created.forgetInstance(s.id);
      }
    },
  );

  await e.run(
    def({
      id: 'DEP-03',
      also: ['OM-B'],
      title: 'deprovisioning an instance that is already gone answers 410 Gone',
      since: '2.13',
      tags: ['deprovision'],
      citation: spec('deprovisioning', 'MUST', '410 Gone MUST be returned if the instance does not exist.'),
    }),
    async (t) => {
      if (!deleted) t.notRun('the instance was not deleted (see DEP-01)');
      const r = await run.http.send('DELETE', instancePath(s.id), { query: { ...q(), accepts_incomplete: 'true' } });
      if (r.status !== 410) unexpected(t, 'deprovision', r, [410], { what: 'DELETE of the deleted instance' });
    },
  );

  await e.run(
    def({
      id: 'FI-03',
      title: 'fetching a deleted instance answers 404',
      since: '2.14',
      tags: ['fetch'],
      citation: spec('fetching-a-service-instance', 'MUST', '404 Not Found MUST be returned if the instance does not exist.'),
    }),
    async (t) => {
      if (!target.instancesRetrievable) t.notApplicable('instances_retrievable is not true');
      if (!deleted) t.notRun('the instance was not deleted (see DEP-01)');
      const r = await run.http.send('GET', instancePath(s.id), { query: q() });
      t.expect(r.status === 404, `GET of the deleted instance answered ${describeReply(r)}; expected 404`, undefined, r.exchange);
    },
  );
}
