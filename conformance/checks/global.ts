/**
 * Checks that need no particular plan (unknown ids, a delete during provisioning) and the
 * checklist lines that bind the platform, not the broker: recorded as not-applicable, saying how
 * the suite honours them as a platform.
 */
import type { PlanTarget } from '../catalog-types.js';
import { spec } from '../citations.js';
import { describeReply } from '../http.js';
import type { RunContext } from '../run-context.js';
import { errorCode, operationOf } from '../validate.js';
import { expectStatus } from './expect.js';
import { instancePath } from './instance-state.js';
import { quietPoll } from './poll-case.js';
import { isObject } from '../catalog-types.js';

export async function unknownResourceChecks(run: RunContext): Promise<void> {
  const e = run.engine;
  const target = run.targets[0];
  const ids = { service_id: target?.service.id ?? 'conformance-service', plan_id: target?.plan.id ?? 'conformance-plan' };
  const scope = 'unknown instance';
  await e.run(
    {
      id: 'DEP-03',
      title: 'deprovisioning an instance that never existed answers 410 Gone',
      scope,
      since: '2.13',
      tags: ['deprovision'],
      citation: spec('deprovisioning', 'MUST', '410 Gone MUST be returned if the instance does not exist.'),
    },
    async (t) => {
      const r = await run.http.send('DELETE', instancePath(run.platform.ids.uuid()), { query: { ...ids, accepts_incomplete: 'true' } });
      if (r.status !== 410) t.fail(`DELETE of an instance that never existed answered ${describeReply(r)}; expected 410 Gone${r.status === 404 ? ' (404 is not what the spec defines for a delete)' : ''}`, undefined, r.exchange);
    },
  );
  await e.run(
    {
      id: 'LO-03',
      title: 'last_operation of an instance that never existed answers 404',
      scope,
      since: '2.13',
      tags: ['last-operation'],
      citation: spec('polling-last-operation-for-service-instances', 'MUST', '404 Not Found MUST be returned if the instance being polled does not exist.'),
    },
    async (t) => {
      const r = await run.http.send('GET', `${instancePath(run.platform.ids.uuid())}/last_operation`, { query: ids });
      t.expect(r.status === 404, `last_operation of an instance that never existed answered ${describeReply(r)}; expected 404`, undefined, r.exchange);
    },
  );
  await e.run(
    {
      id: 'FI-03',
      title: 'fetching an instance that never existed answers 404',
      scope,
      since: '2.14',
      tags: ['fetch'],
      citation: spec('fetching-a-service-instance', 'MUST', '404 Not Found MUST be returned if the instance does not exist.'),
    },
    async (t) => {
      const retrievable = run.targets.find((x) => x.instancesRetrievable);
      if (!retrievable) t.notApplicable('no offering declares instances_retrievable: true');
      const r = await run.http.send('GET', instancePath(run.platform.ids.uuid()), { query: { service_id: retrievable!.service.id, plan_id: retrievable!.plan.id } });
      t.expect(r.status === 404, `GET of an instance that never existed answered ${describeReply(r)}; expected 404`, undefined, r.exchange);
    },
  );
  e.record(
    {
      id: 'LO-04',
      also: ['BLO-01'],
      title: 'a malformed last_operation request answers 400',
      since: '2.13',
      tags: ['last-operation'],
      citation: spec('polling-last-operation-for-service-instances', 'MUST', '400 Bad Request MUST be returned if the request is malformed or missing mandatory data.'),
    },
    'not-applicable',
    'the spec names no last_operation request that a broker must find malformed (every query parameter is optional); the suite checks instead that well-formed polls never get 400 (LO-01)',
  );
}

/** DEP-07 / DEP-06: a deprovision while the instance is still being provisioned. */
export async function deleteDuringProvision(run: RunContext, target: PlanTarget): Promise<void> {
  const sid = target.service.id;
  const q = { service_id: sid, plan_id: target.plan.id, accepts_incomplete: 'true' };
  await run.engine.run(
    {
      id: 'DEP-07',
      also: ['DEP-06', 'BLK-01'],
      title: 'a deprovision while provisioning is in progress halts it (or answers 422 ConcurrencyError)',
      scope: target.scope,
      since: '2.15',
      tags: ['deprovision', 'concurrency'],
      citation: spec('deprovisioning', 'MUST', 'a delete accepted during provisioning MUST halt the creation and delete its resources; a broker that cannot process it because of the other operation MUST answer 422 "ConcurrencyError".'),
    },
    async (t) => {
      const id = run.platform.ids.uuid();
      const s = { id, planId: target.plan.id, target };
      const r = await run.http.send('PUT', instancePath(id), { query: { accepts_incomplete: 'true' }, body: run.platform.provisionBody(target, { instanceName: `conformance-${target.plan.name}-halt` }), originatingIdentity: run.platform.identity() });
      if (r.status >= 200 && r.status < 300 || r.status >= 500 || r.status === 0) run.created.instance(id, sid, target.plan.id);
      if (r.status !== 202) t.notRun(`the provision answered ${describeReply(r)}, not 202, so there was no provisioning to interrupt`);
      const d = await run.http.send('DELETE', instancePath(id), { query: q, originatingIdentity: run.platform.identity() });
      if (d.status === 422 && errorCode(d) === 'ConcurrencyError') {
        t.note('422 ConcurrencyError: the broker lets the provision finish first');
        await quietPoll(run, t, 'provision', s, operationOf(r));
        const again = await run.http.send('DELETE', instancePath(id), { query: q });
        if (again.status === 202) await quietPoll(run, t, 'deprovision', s, operationOf(again));
        if ([200, 202, 410].includes(again.status)) run.created.forgetInstance(id);
        return;
      }
      if (!expectStatus(t, 'deprovision', d, [200, 202, 422], { acceptsIncomplete: true, what: 'DELETE of an instance being provisioned' })) {
        // Leave the broker idle: let the provision finish, then delete as a platform would.
        await quietPoll(run, t, 'provision', s, operationOf(r));
        const again = await run.http.send('DELETE', instancePath(id), { query: q });
        if (again.status === 202) await quietPoll(run, t, 'deprovision', s, operationOf(again));
        if ([200, 202, 410].includes(again.status)) run.created.forgetInstance(id);
        return;
      }
      if (d.status === 422) return t.fail(`the 422 carries ${JSON.stringify(errorCode(d) ?? null)}, not "ConcurrencyError"`, spec('blocking-operations', 'MUST', 'a request refused because of a concurrent operation MUST get 422 with "error": "ConcurrencyError".'), d.exchange);
      if (d.status === 202) {
        const end = await quietPoll(run, t, 'deprovision', s, operationOf(d));
        if (end === 'succeeded' || end === 'gone') run.created.forgetInstance(id);
        return t.note('202: the deprovision took over');
      }
      run.created.forgetInstance(id);
      const lo = await run.http.send('GET', `${instancePath(id)}/last_operation`, { query: { service_id: sid, plan_id: target.plan.id, operation: operationOf(r) } });
      const state = isObject(lo.json) ? lo.json.state : undefined;
      if (!(lo.status === 410 || lo.status === 404 || state === 'failed')) {
        t.fail(`after a synchronous delete during provisioning, last_operation answered ${describeReply(lo)}; it should report the provision as "failed"`, spec('deprovisioning', 'SHOULD', 'if the deprovision is synchronous, last_operation SHOULD indicate that the provision request has a state of failed.'), lo.exchange);
      }
    },
  );
}

/** Checklist lines that are the platform's to keep: the suite keeps them, and says how. */
export function platformRules(run: RunContext): void {
  const e = run.engine;
  const rules: [string, string, string, ReturnType<typeof spec>][] = [
    ['LO-10', 'the platform sends service_id and plan_id on every last_operation (the pre-update plan during a plan change)', 'every poll the suite sends carries service_id and plan_id (the plan before the update while polling an update)', spec('polling-last-operation-for-service-instances', 'SHOULD', 'the platform SHOULD include service_id and plan_id on all last_operation requests.')],
    ['FI-05', 'the platform fetches instances only when instances_retrievable is true', 'the suite fetches instances only of offerings with instances_retrievable: true', spec('fetching-a-service-instance', 'SHOULD', 'otherwise platforms SHOULD NOT attempt to call this endpoint.')],
    ['UPD-12', 'after instance_usable: false / update_repeatable: false the platform does not bind / repeat the update', 'the suite reports these flags and does not retry a refused update', spec('updating-a-service-instance', 'SHOULD', 'platforms SHOULD NOT create bindings of an unusable instance nor repeat an update marked not repeatable.')],
    ['DEP-08', 'the platform deletes all bindings before deprovisioning', 'the suite (and its cleanup) unbinds everything it bound before deprovisioning', spec('deprovisioning', 'MUST', 'Platforms MUST delete all Service Bindings for a Service Instance prior to attempting to deprovision it.')],
    ['BIND-12', 'the platform never binds a plan that is not bindable', 'the suite binds only plans whose bindable (plan, else offering) is true', spec('binding', 'MUST', 'Platforms MUST NOT make a binding request for a plan that is not bindable.')],
    ['POLL-01', 'the platform stops polling at succeeded/failed or at the maximum polling duration', 'the suite stops at succeeded/failed, at 410 for deletes, and at the configured or plan maximum_polling_duration', spec('polling-interval-and-duration', 'SHOULD', 'at the maximum polling duration the platform SHOULD cease polling and consider the operation failed.')],
    ['OM', 'the platform orphan-mitigates failed creates', 'the suite deletes everything it may have created, failed creates included (see the cleanup case)', spec('orphan-mitigation', 'SHOULD', 'the platform SHOULD attempt to delete resources it cannot be sure were successfully created.')],
    ['UNB-07', 'credentials stop working after unbind', 'whether credentials still work is service-specific; the suite has no way to use them', spec('unbinding', 'MUST', 'the broker MUST delete any resources associated with the binding; generated credentials might stop authenticating.')],
  ];
  for (const [id, title, how, citation] of rules) e.record({ id, title, since: '2.13', tags: ['platform'], citation }, 'not-applicable', how);
}
