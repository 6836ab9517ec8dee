/**
 * Updates of one plan's instance (checklist D.6): invalid updates, maintenance_info conflicts and
 * upgrades, parameters (sync or async, with a fetch during the update), plan changes, context-only
 * updates, and what a refused or partial update must leave unchanged.
 */
import { isObject } from '../catalog-types.js';
import { spec } from '../citations.js';
import type { CaseContext } from '../engine.js';
import { describeReply, type Reply } from '../http.js';
import type { RunContext } from '../run-context.js';
import { errorCode, fetchInstanceProblems, instanceBodyProblems, operationOf } from '../validate.js';
import { expect422, expectStatus, unexpected } from './expect.js';
import { instancePath, MI_MISMATCH, type Def, type InstanceState, type NeedsInstance } from './instance-state.js';
import { finishedAlready, pollCase, quietPoll } from './poll-case.js';

export async function updateChecks(run: RunContext, s: InstanceState, def: Def, needsInstance: NeedsInstance): Promise<void> {
  const e = run.engine;
  const target = s.target;
  const sid = target.service.id;
  const identity = run.platform.identity();
  const mi = run.platform.maintenanceInfo(target);
  const patch = (body: Record<string, unknown>, acceptsIncomplete = true) =>
    run.http.send('PATCH', instancePath(s.id), { query: acceptsIncomplete ? { accepts_incomplete: 'true' } : {}, body, originatingIdentity: identity });
  const current = () => ({ planId: s.planId, ...(mi ? { maintenanceInfo: mi } : {}) });
  const settle = async (t: CaseContext, r: Reply, previousPlan = s.planId) => {
    if (r.status === 202) await quietPoll(run, t, 'update', { id: s.id, planId: previousPlan, target }, operationOf(r));
  };
  const otherPlan = target.service.plans.find((p) => isObject(p) && p.id !== target.plan.id && typeof p.id === 'string');

  await e.run(
    def({
      id: 'UPD-06',
      title: 'an update without service_id answers 400 and changes nothing',
      since: '2.13',
      tags: ['update', 'invalid-requests'],
      citation: spec('updating-a-service-instance', 'MUST', '400 Bad Request MUST be returned if the request is malformed or missing mandatory data (service_id is REQUIRED).'),
    }),
    async (t) => {
      needsInstance(t);
      const body = run.platform.updateBody(target, current(), { instanceName: s.instanceName, parameters: target.updateParameters ?? {} });
      delete body.service_id;
      const r = await patch(body);
      if (r.status === 400) return;
      t.fail(`PATCH without service_id answered ${describeReply(r)}; expected 400`, undefined, r.exchange);
      await settle(t, r);
    },
  );

  await e.run(
    def({
      id: 'UPD-05',
      also: ['ERR-03'],
      title: 'an update with a maintenance_info.version other than the catalog\'s answers 422 MaintenanceInfoConflict',
      since: '2.15',
      tags: ['update', 'maintenance-info'],
      citation: spec('updating-a-service-instance', 'MUST', '422 with "error": "MaintenanceInfoConflict" MUST be returned if maintenance_info.version does not match the catalog\'s version for the plan.'),
    }),
    async (t) => {
      if (!mi) return t.notApplicable('the plan has no maintenance_info');
      needsInstance(t);
      const r = await patch(run.platform.updateBody(target, current(), { instanceName: s.instanceName, maintenanceInfo: { version: MI_MISMATCH } }));
      if (!expect422(t, r, 'MaintenanceInfoConflict', `PATCH with maintenance_info.version "${MI_MISMATCH}"`, t.def.citation)) await settle(t, r);
    },
  );

  await e.run(
    def({
      id: 'UPD-09',
      title: 'a plan change on a plan that is not plan_updateable is refused',
      since: '2.13',
      tags: ['update'],
      citation: spec('updating-a-service-instance', 'SHOULD', 'plan changes are offered only with plan_updateable: true; a plan change the broker does not support SHOULD be refused (422) with a meaningful message.'),
    }),
    async (t) => {
      if (target.planUpdateable) t.notApplicable('the plan is plan_updateable (UPD-04 changes it)');
      if (!otherPlan) return t.notApplicable('the offering has no other plan to change to');
      needsInstance(t);
      const r = await patch(run.platform.updateBody(target, current(), { instanceName: s.instanceName, planId: otherPlan.id }));
      if (r.status === 422 || r.status === 400) return t.note(`${r.status}`);
      t.fail(`PATCH to plan "${otherPlan.name}" of a plan that is not plan_updateable answered ${describeReply(r)}; expected 422`, undefined, r.exchange);
      if (r.status === 200 || r.status === 202) {
        await settle(t, r);
        s.planId = otherPlan.id;
        run.created.setPlan(s.id, otherPlan.id);
      }
    },
  );

  await e.run(
    def({
      id: 'UPD-07',
      title: 'refused updates left the instance unchanged (same plan and parameters when fetched)',
      since: '2.14',
      tags: ['update', 'fetch'],
      citation: spec('updating-a-service-instance', 'MUST', 'when the response has a 4xx or 5xx status, the broker MUST NOT apply any of the requested changes.'),
    }),
    async (t) => {
      if (!target.instancesRetrievable) t.notApplicable('instances_retrievable is not true: the suite cannot see the instance\'s state');
      needsInstance(t);
      if (!s.fetched) return t.notRun('the instance could not be fetched before (see FI-01)');
      const r = await run.http.send('GET', instancePath(s.id), { query: { service_id: sid, plan_id: s.planId } });
      if (!t.expect(r.status === 200 && isObject(r.json), `GET of the instance answered ${describeReply(r)}`, spec('fetching-a-service-instance', 'MUST', 'fetch answers 200 for an existing instance.'), r.exchange)) return;
      const now = r.json as Record<string, unknown>;
      if ('plan_id' in now) t.expect(now.plan_id === s.planId, `after refused updates the plan is ${JSON.stringify(now.plan_id)}, was "${s.planId}"`, undefined, r.exchange);
      if ('parameters' in now && 'parameters' in s.fetched) t.expect(JSON.stringify(now.parameters) === JSON.stringify(s.fetched.parameters), `after refused updates the parameters are ${JSON.stringify(now.parameters)}, were ${JSON.stringify(s.fetched.parameters)}`, undefined, r.exchange);
    },
  );

  await e.run(
    def({
      id: 'UPD-01',
      also: ['UPD-02', 'UPD-11'],
      title: 'an update of the parameters answers 200, or 202 when asynchronous, with a valid body',
      since: '2.13',
      tags: ['update'],
      citation: spec('updating-a-service-instance', 'MUST', '200 OK when the changes have been applied (body `{}`), 202 Accepted when the update is in progress; a re-sent PATCH while in progress MUST answer 202 with the same operation.'),
    }),
    async (t) => {
      needsInstance(t);
      const body = run.platform.updateBody(target, current(), { instanceName: s.instanceName, parameters: target.updateParameters ?? {} });
      const r = await patch(body);
      if (!expectStatus(t, 'update', r, [200, 202], { acceptsIncomplete: true, what: 'PATCH with parameters' })) return;
      for (const p of instanceBodyProblems(r, 'update')) t.fail(p.message, p.citation, r.exchange);
      if (r.status !== 202) return t.note('200 OK');
      const op = operationOf(r);
      const again = await patch(body);
      if (again.status === 202) t.expect(operationOf(again) === op, `a re-sent PATCH answered 202 with operation ${JSON.stringify(operationOf(again) ?? null)}; the original was ${JSON.stringify(op ?? null)}`, undefined, again.exchange);
      else if (!(again.status === 200 && (await finishedAlready(run, { ...s, operation: op }, 'update')))) t.fail(`a re-sent PATCH while the update is in progress answered ${describeReply(again)}; expected 202`, undefined, again.exchange);
      if (target.instancesRetrievable) await concurrentFetch(run, s);
      await pollCase(run, target.scope, 'update', s, { serviceId: sid, planId: s.planId, operation: op });
    },
  );

  await e.run(
    def({
      id: 'UPD-03',
      title: 'an update without accepts_incomplete=true answers 200, or 422 AsyncRequired when asynchronous only',
      since: '2.13',
      tags: ['update', 'async'],
      citation: spec('updating-a-service-instance', 'MUST', 'without accepts_incomplete=true a broker that can only update asynchronously MUST answer 422 "AsyncRequired"; it MUST NOT answer 202.'),
    }),
    async (t) => {
      needsInstance(t);
      const r = await patch(run.platform.updateBody(target, current(), { instanceName: s.instanceName, parameters: target.updateParameters ?? {} }), false);
      if (r.status === 200 || (r.status === 422 && errorCode(r) === 'AsyncRequired')) return t.note(`${r.status}`);
      if (r.status === 202) {
        t.fail('an update without accepts_incomplete=true answered 202 Accepted', undefined, r.exchange);
        return void (await settle(t, r));
      }
      unexpected(t, 'update', r, [200, 422], { what: 'PATCH without accepts_incomplete' });
    },
  );

  await e.run(
    def({
      id: 'UPD-08',
      title: 'an update without plan_id keeps the plan; one without parameters keeps the parameters',
      since: '2.13',
      tags: ['update'],
      citation: spec('updating-a-service-instance', 'MUST', 'without `plan_id` the broker MUST NOT change the plan; without `parameters` it MUST NOT change the parameters.'),
    }),
    async (t) => {
      needsInstance(t);
      const fetchNow = () => (target.instancesRetrievable ? run.http.send('GET', instancePath(s.id), { query: { service_id: sid, plan_id: s.planId } }) : undefined);
      const probes = [
        { what: 'PATCH without plan_id (parameters only)', key: 'plan_id', change: { omitPlan: true, parameters: target.updateParameters ?? {} } },
        { what: 'PATCH without parameters (the same plan_id)', key: 'parameters', change: {} },
      ];
      let compared = 0;
      for (const p of probes) {
        const before = await fetchNow();
        const r = await patch(run.platform.updateBody(target, current(), { instanceName: s.instanceName, ...p.change }));
        // A broker may refuse a change it sees as no change (422); then nothing may have changed either.
        const refused = r.status === 422 && !['AsyncRequired', 'ConcurrencyError', 'MaintenanceInfoConflict'].includes(errorCode(r) ?? '');
        if (!refused && !expectStatus(t, 'update', r, [200, 202, 422], { acceptsIncomplete: true, what: p.what })) continue;
        await settle(t, r);
        if (!before || before.status !== 200 || !isObject(before.json) || !(p.key in before.json)) continue;
        const after = await fetchNow();
        if (!after || !isObject(after.json)) {
          t.fail(`GET of the instance after the ${p.what} answered ${after ? describeReply(after) : 'nothing'}`, spec('fetching-a-service-instance', 'MUST', 'fetch answers 200 for an existing instance.'), after?.exchange);
          continue;
        }
        compared++;
        t.expect(JSON.stringify(after.json[p.key]) === JSON.stringify(before.json[p.key]), `after a ${p.what}, \`${p.key}\` changed from ${JSON.stringify(before.json[p.key])} to ${JSON.stringify(after.json[p.key])}`, undefined, after.exchange);
      }
      if (compared === 0) t.note('accepted; the instance\'s plan and parameters could not be fetched to compare');
    },
  );

  await e.run(
    def({
      id: 'UPD-10',
      title: 'a context-only update (a new instance name) is accepted when allow_context_updates is true',
      since: '2.15',
      tags: ['update'],
      citation: spec('updating-a-service-instance', 'MUST', 'a broker declaring allow_context_updates: true supports update requests that carry only contextual data.'),
    }),
    async (t) => {
      if (target.service.allow_context_updates !== true) t.notApplicable('allow_context_updates is not true, so a platform sends no context-only updates');
      needsInstance(t);
      s.instanceName = `${s.instanceName}-renamed`;
      const r = await patch(run.platform.updateBody(target, current(), { instanceName: s.instanceName, omitPlan: false }));
      if (expectStatus(t, 'update', r, [200, 202], { acceptsIncomplete: true, what: 'PATCH with a changed context.instance_name only' })) await settle(t, r);
    },
  );

  await e.run(
    def({
      id: 'MI-01',
      title: 'a maintenance_info update to the catalog\'s version (an upgrade) is accepted',
      since: '2.15',
      tags: ['update', 'maintenance-info'],
      citation: spec('updating-a-service-instance', 'MUST', 'platforms MAY send the catalog\'s maintenance_info to perform maintenance; a matching version is not a conflict, and the update answers 200 or 202.'),
    }),
    async (t) => {
      if (!mi) return t.notApplicable('the plan has no maintenance_info');
      needsInstance(t);
      const r = await patch(run.platform.updateBody(target, current(), { instanceName: s.instanceName, maintenanceInfo: mi }));
      // The instance already runs this version: a broker may call it no change (200) or refuse it as such (422), but not a conflict.
      if (r.status === 422 && !['MaintenanceInfoConflict', 'AsyncRequired', 'ConcurrencyError'].includes(errorCode(r) ?? '')) return t.note(`422: the broker refuses an upgrade to the version the instance already has (${describeReply(r)})`);
      if (!expectStatus(t, 'update', r, [200, 202], { acceptsIncomplete: true, what: `PATCH with maintenance_info.version "${mi.version}" (the catalog's)` })) return;
      for (const p of instanceBodyProblems(r, 'update')) t.fail(p.message, p.citation, r.exchange);
      await settle(t, r);
    },
  );

  await e.run(
    def({
      id: 'UPD-04',
      title: 'a plan change on a plan_updateable plan is carried out (or refused with 422 when that change is not supported)',
      since: '2.13',
      tags: ['update'],
      citation: spec('updating-a-service-instance', 'MUST', 'with plan_updateable: true the platform MAY request a plan change; the broker applies it (200/202) or, for an unsupported permutation, answers 422 with a meaningful description.'),
    }),
    async (t) => {
      if (!target.planUpdateable) t.notApplicable('the plan is not plan_updateable');
      if (!otherPlan) return t.notApplicable('the offering has no other plan to change to');
      needsInstance(t);
      const from = s.planId;
      const r = await patch(run.platform.updateBody(target, current(), { instanceName: s.instanceName, planId: otherPlan.id }));
      if (r.status === 422) {
        if (!(isObject(r.json) && typeof r.json.description === 'string')) t.fail('the 422 for an unsupported plan change has no description', spec('updating-a-service-instance', 'SHOULD', 'if a particular plan change is not supported, the broker SHOULD return a meaningful error message.'), r.exchange);
        return t.note(`the change to "${otherPlan.name}" is not supported (422)`);
      }
      if (!expectStatus(t, 'update', r, [200, 202], { acceptsIncomplete: true, what: `PATCH to plan "${otherPlan.name}"` })) return;
      await settle(t, r, from);
      s.planId = otherPlan.id;
      run.created.setPlan(s.id, otherPlan.id);
      if (target.instancesRetrievable) {
        const f = await run.http.send('GET', instancePath(s.id), { query: { service_id: sid, plan_id: s.planId } });
        if (isObject(f.json) && 'plan_id' in f.json) t.expect(f.json.plan_id === otherPlan.id, `after the plan change the instance's plan_id is ${JSON.stringify(f.json.plan_id)}, expected "${otherPlan.id}"`, undefined, f.exchange);
      }
      // Back to the plan under test, so the rest of the lifecycle exercises it.
      const back = await patch(run.platform.updateBody(target, { planId: s.planId }, { instanceName: s.instanceName, planId: from }));
      if (back.status === 200 || back.status === 202) {
        await settle(t, back, s.planId);
        s.planId = from;
        run.created.setPlan(s.id, from);
      }
    },
  );
}

/** FI-04: fetching an instance while it is being updated. */
async function concurrentFetch(run: RunContext, s: InstanceState): Promise<void> {
  await run.engine.run(
    {
      id: 'FI-04',
      also: ['BLK-01'],
      title: 'fetching an instance while it is being updated answers 422 ConcurrencyError (or 200)',
      scope: s.target.scope,
      since: '2.14',
      tags: ['fetch', 'concurrency'],
      citation: spec('fetching-a-service-instance', 'MUST', '422 with "error": "ConcurrencyError" MUST be returned if the instance is being updated and therefore cannot be fetched.'),
    },
    async (t) => {
      const r = await run.http.send('GET', instancePath(s.id), { query: { service_id: s.target.service.id, plan_id: s.planId } });
      if (r.status === 200) {
        for (const p of fetchInstanceProblems(r, { serviceId: s.target.service.id, planId: s.planId })) t.fail(p.message, p.citation, r.exchange);
        return t.note('200: the broker can serve the instance during the update');
      }
      expect422(t, r, 'ConcurrencyError', 'GET of the instance during its update', t.def.citation);
    },
  );
}
