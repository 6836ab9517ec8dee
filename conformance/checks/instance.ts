/**
 * One plan's instance lifecycle (checklist D.3-D.7): provision (sync or async, with last_operation
 * polling), idempotency and conflicts, invalid requests, fetch, update, maintenance_info, and
 * deprovision. Each step is its own case; a step that needs an earlier one reports not-run when
 * that one failed.
 */
import { isObject, type PlanTarget } from '../catalog-types.js';
import { spec } from '../citations.js';
import { CaseContext, type CheckDef } from '../engine.js';
import { describeReply, type Reply } from '../http.js';
import { EXTENSION_FIELD } from '../platform.js';
import { pollLastOperation, type PolledOp } from '../polling.js';
import type { RunContext } from '../run-context.js';
import { deleteBodyProblems, errorCode, fetchInstanceProblems, instanceBodyProblems, operationOf } from '../validate.js';
import { bindingChecks } from './binding.js';
import { expect422, expectStatus, unexpected } from './expect.js';

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

const MI_MISMATCH = '0.0.0-conformance.mismatch';

export async function instanceLifecycle(run: RunContext, target: PlanTarget): Promise<InstanceState> {
  const e = run.engine;
  const scope = target.scope;
  const def = (d: Omit<CheckDef, 'scope'> & { tags?: string[] }): CheckDef => ({ ...d, scope });
  const s: InstanceState = { id: run.platform.ids.uuid(), target, planId: target.plan.id, async: false, ready: false, gone: false, instanceName: `conformance-${target.plan.name}` };
  const identity = run.platform.identity();
  const sid = target.service.id;
  const needsInstance = (t: CaseContext) => {
    if (!s.ready || s.gone) t.notRun(`no provisioned instance of ${scope} (see PROV-01)`);
  };

  // PROV-01/02: the instance everything else uses.
  let provision: Reply | undefined;
  await e.run(
    def({
      id: 'PROV-01',
      also: ['PROV-02', 'PROV-09', 'PROV-11', 'PROV-12', 'EXT-01', 'CTX-01'],
      title: 'provision answers 201 Created, or 202 Accepted when asynchronous, with a valid body',
      since: '2.13',
      tags: ['provision'],
      citation: spec('provisioning', 'MUST', '201 Created when the instance was provisioned; 202 Accepted when provisioning is in progress (only with accepts_incomplete=true); any other status is a failure. Unknown fields in the request MUST be ignored.'),
    }),
    async (t) => {
      const body = run.platform.provisionBody(target, { instanceName: s.instanceName, extensions: true });
      const r = await run.http.send('PUT', instancePath(s.id), { query: { accepts_incomplete: 'true' }, body, originatingIdentity: identity });
      provision = r;
      if (r.status >= 200 && r.status < 300 || r.status >= 500 || r.status === 0) run.created.instance(s.id, sid, target.plan.id);
      if (r.status === 200) {
        t.fail('provision of a new instance answered 200 OK: 200 is only for an identical instance that already exists; a new one gets 201 (or 202)', undefined, r.exchange);
        return;
      }
      if (!expectStatus(t, 'provision', r, [201, 202], { acceptsIncomplete: true, what: 'PUT of a new instance (with unknown extension fields, as Vendor Extension Fields allows)' })) {
        if (r.status === 400 || r.status === 422) t.note(`the request carried "${EXTENSION_FIELD}" at the top level and in context, which brokers must ignore`);
        return;
      }
      for (const p of instanceBodyProblems(r, 'provision')) t.fail(p.message, p.citation, r.exchange);
      if (r.status === 202) {
        s.async = true;
        s.operation = operationOf(r);
        t.note(`202 Accepted${s.operation ? `, operation "${s.operation}"` : ' without an operation'}`);
      } else {
        s.ready = true;
        t.note('201 Created');
      }
    },
  );

  if (s.async) {
    await e.run(
      def({
        id: 'PROV-04',
        title: 'a re-sent identical provision while it is in progress answers 202 with the same operation',
        since: '2.15',
        tags: ['provision', 'async'],
        citation: spec('provisioning', 'MUST', 'a re-sent PUT MUST return 202 Accepted, not 200 OK, while the instance is not yet fully provisioned; the `operation` MUST match the original.'),
      }),
      async (t) => {
        const r = await run.http.send('PUT', instancePath(s.id), { query: { accepts_incomplete: 'true' }, body: run.platform.provisionBody(target, { instanceName: s.instanceName, extensions: true }), originatingIdentity: identity });
        if (r.status === 202) {
          t.expect(operationOf(r) === s.operation, `the re-sent PUT answered 202 with operation ${JSON.stringify(operationOf(r) ?? null)}; the original was ${JSON.stringify(s.operation ?? null)}`, undefined, r.exchange);
          return;
        }
        if (r.status === 200 && (await finishedAlready(run, s, 'provision'))) return t.note('the provision had already finished: 200 is right then');
        t.fail(`a re-sent PUT of the instance still being provisioned answered ${describeReply(r)}; expected 202`, undefined, r.exchange);
      },
    );

    await e.run(
      def({
        id: 'FI-03',
        title: 'fetching an instance still being provisioned answers 404',
        since: '2.14',
        tags: ['fetch', 'async'],
        citation: spec('fetching-a-service-instance', 'MUST', '404 Not Found MUST be returned if the instance does not exist or if a provisioning operation is still in progress.'),
      }),
      async (t) => {
        if (!target.instancesRetrievable) t.notApplicable('instances_retrievable is not true');
        const r = await run.http.send('GET', instancePath(s.id), { query: { service_id: sid, plan_id: s.planId } });
        if (r.status === 404) return;
        if (r.status === 200 && (await finishedAlready(run, s, 'provision'))) return t.note('the provision had already finished');
        t.fail(`GET of the instance while its provision is in progress answered ${describeReply(r)}; expected 404`, undefined, r.exchange);
      },
    );

    await e.run(
      def({
        id: 'PROV-06',
        title: 'a provision with the same instance id but different attributes, while the first is in progress, answers 409 Conflict',
        since: '2.15',
        tags: ['provision', 'async', 'idempotency'],
        citation: spec('provisioning', 'MUST', '409 Conflict MUST be returned if an instance with the same id already exists or is being provisioned but with different attributes.'),
      }),
      async (t) => {
        const r = await run.http.send('PUT', instancePath(s.id), { query: { accepts_incomplete: 'true' }, body: run.platform.provisionBody(target, { instanceName: s.instanceName, spaceGuid: run.platform.ids.uuid() }), originatingIdentity: identity });
        if (r.status === 409) return;
        if (r.status === 422 && errorCode(r) === 'ConcurrencyError') return t.note('422 ConcurrencyError while the first provision runs');
        t.fail(`PUT of the instance id being provisioned, with another space_guid, answered ${describeReply(r)}; expected 409 Conflict`, undefined, r.exchange);
      },
    );

    const ended = await pollCase(run, scope, 'provision', s, { serviceId: sid, planId: s.planId, operation: s.operation });
    s.ready = ended === 'succeeded';
  }

  await e.run(
    def({
      id: 'FI-01',
      also: ['FI-02'],
      title: 'fetching the provisioned instance answers 200 with its service, plan and parameters',
      since: '2.14',
      tags: ['fetch'],
      citation: spec('fetching-a-service-instance', 'MUST', 'with instances_retrievable: true the endpoint MUST be supported for all plans and available immediately after provisioning succeeded.'),
    }),
    async (t) => {
      if (!target.instancesRetrievable) t.notApplicable('instances_retrievable is not true');
      needsInstance(t);
      const r = await run.http.send('GET', instancePath(s.id), { query: { service_id: sid, plan_id: s.planId } });
      if (!t.expect(r.status === 200, `GET of the provisioned instance answered ${describeReply(r)}; expected 200`, undefined, r.exchange)) return;
      for (const p of fetchInstanceProblems(r, { serviceId: sid, planId: s.planId })) t.fail(p.message, p.citation, r.exchange);
      if (isObject(r.json)) s.fetched = r.json;
      const dash = isObject(provision?.json) ? provision.json.dashboard_url : undefined;
      if (isObject(r.json) && typeof r.json.dashboard_url === 'string' && typeof dash !== 'string') {
        t.fail('the fetched instance has a dashboard_url that the provision response did not return', spec('provisioning', 'MUST', 'a broker that returns dashboard_url MUST return it with the initial response to the provision request, even if asynchronous.'), r.exchange);
      }
    },
  );

  await e.run(
    def({
      id: 'PROV-05',
      title: 're-sending an identical provision for an existing instance answers 200 OK',
      since: '2.13',
      tags: ['provision', 'idempotency'],
      citation: spec('provisioning', 'SHOULD', '200 OK SHOULD be returned if the instance already exists, is fully provisioned, and the requested parameters are identical.'),
    }),
    async (t) => {
      needsInstance(t);
      const r = await run.http.send('PUT', instancePath(s.id), { query: { accepts_incomplete: 'true' }, body: run.platform.provisionBody(target, { instanceName: s.instanceName }), originatingIdentity: identity });
      if (r.status === 200) {
        for (const p of instanceBodyProblems(r, 'provision')) t.fail(p.message, p.citation, r.exchange);
        return;
      }
      if (r.status === 202 && s.async) {
        t.note('202 again for an asynchronous plan');
        await quietPoll(run, t, 'provision', s, operationOf(r));
        return;
      }
      if (r.status >= 500 || r.status === 0) unexpected(t, 'provision', r, [200], { what: 'an identical re-sent PUT' });
      else t.fail(`an identical re-sent PUT of an existing instance answered ${describeReply(r)}; expected 200 OK`, undefined, r.exchange);
    },
  );

  await e.run(
    def({
      id: 'PROV-06',
      title: 'a provision with the same instance id but different attributes answers 409 Conflict',
      since: '2.13',
      tags: ['provision', 'idempotency'],
      citation: spec('provisioning', 'MUST', '409 Conflict MUST be returned if an instance with the same id already exists or is being provisioned but with different attributes.'),
    }),
    async (t) => {
      needsInstance(t);
      const otherSpace = run.platform.ids.uuid();
      const r = await run.http.send('PUT', instancePath(s.id), { query: { accepts_incomplete: 'true' }, body: run.platform.provisionBody(target, { instanceName: s.instanceName, spaceGuid: otherSpace }), originatingIdentity: identity });
      if (r.status === 409) return;
      t.fail(`PUT of the existing instance id with another space_guid answered ${describeReply(r)}; expected 409 Conflict`, undefined, r.exchange);
      if (r.status === 202) await quietPoll(run, t, 'provision', s, operationOf(r));
    },
  );

  await e.run(
    def({
      id: 'PROV-03',
      title: 'a provision without accepts_incomplete=true answers 201, or 422 AsyncRequired when the plan is asynchronous only',
      since: '2.13',
      tags: ['provision', 'async'],
      citation: spec('asynchronous-operations', 'MUST', 'without accepts_incomplete=true a broker that cannot complete synchronously MUST answer 422 with "error": "AsyncRequired"; it MUST NOT answer 202.'),
    }),
    async (t) => {
      const id = run.platform.ids.uuid();
      const r = await run.http.send('PUT', instancePath(id), { body: run.platform.provisionBody(target, { instanceName: `${s.instanceName}-sync` }), originatingIdentity: identity });
      if (r.status >= 200 && r.status < 300 || r.status >= 500 || r.status === 0) run.created.instance(id, sid, target.plan.id);
      if (r.status === 422 && errorCode(r) === 'AsyncRequired') return t.note('422 AsyncRequired: the plan provisions asynchronously only');
      if (r.status === 202) {
        t.fail('a provision without accepts_incomplete=true answered 202 Accepted: a broker may answer asynchronously only when the platform said it accepts that', undefined, r.exchange);
        await quietPoll(run, t, 'provision', { id, planId: target.plan.id, target }, operationOf(r));
        await depWithoutFlag(run, t, target, id);
        return;
      }
      if (!expectStatus(t, 'provision', r, [201, 422], { what: 'PUT without accepts_incomplete' })) return;
      if (r.status === 422) return t.fail(`422 without accepts_incomplete must carry "error": "AsyncRequired"; got ${describeReply(r)}`, undefined, r.exchange);
      for (const p of instanceBodyProblems(r, 'provision')) t.fail(p.message, p.citation, r.exchange);
      // The synchronous instance lets DEP-05 probe a delete without accepts_incomplete.
      s.dep05Done = await depWithoutFlag(run, t, target, id);
    },
  );

  await e.run(
    def({
      id: 'PROV-07',
      also: ['ERR-04', 'CT-02'],
      title: 'malformed provisions (no service_id, no plan_id, invalid JSON) answer 400 and create nothing',
      since: '2.13',
      tags: ['provision', 'invalid-requests'],
      citation: spec('provisioning', 'MUST', '400 Bad Request MUST be returned if the request is malformed or missing mandatory data; a 4xx MUST leave resources unchanged.'),
    }),
    async (t) => {
      const id = run.platform.ids.uuid();
      const good = run.platform.provisionBody(target, { instanceName: `${s.instanceName}-bad` });
      const without = (...keys: string[]) => Object.fromEntries(Object.entries(good).filter(([k]) => !keys.includes(k)));
      const probes: [string, { body?: unknown; rawBody?: string }][] = [
        ['without service_id', { body: without('service_id') }],
        ['without plan_id', { body: without('plan_id') }],
        ['with a body that is not JSON', { rawBody: '{"service_id": ' }],
      ];
      let created = false;
      for (const [what, send] of probes) {
        const r = await run.http.send('PUT', instancePath(id), { query: { accepts_incomplete: 'true' }, ...send, originatingIdentity: identity });
        if (r.status >= 200 && r.status < 300) created = true;
        if (r.status !== 400) t.fail(`PUT ${what} answered ${describeReply(r)}; expected 400 Bad Request`, send.rawBody ? spec('content-type', 'MUST', 'a malformed body is a malformed request: 400 Bad Request (Provisioning MUST; Content Type SHOULD).') : undefined, r.exchange);
      }
      if (created) run.created.instance(id, sid, target.plan.id);
      const d = await run.http.send('DELETE', instancePath(id), { query: { service_id: sid, plan_id: target.plan.id, accepts_incomplete: 'true' } });
      if (d.status !== 410) {
        if (d.status === 200 || d.status === 202) run.created.instance(id, sid, target.plan.id);
        t.fail(`after the malformed PUTs, DELETE of that instance id answered ${describeReply(d)}; expected 410 Gone (a 4xx must leave nothing behind)`, spec('service-broker-errors', 'MUST', 'a 4xx response MUST leave the broker\'s resources semantically unchanged.'), d.exchange);
        if (d.status === 202) await quietPoll(run, t, 'deprovision', { id, planId: target.plan.id, target }, operationOf(d));
      }
    },
  );

  await e.run(
    def({
      id: 'PROV-07',
      also: ['ERR-04'],
      title: 'a provision without organization_guid and space_guid (REQUIRED, though deprecated) answers 400',
      since: '2.13',
      tags: ['provision', 'invalid-requests'],
      citation: spec('provisioning', 'MUST', '`organization_guid` and `space_guid` are REQUIRED fields (deprecated in favour of `context`); 400 Bad Request MUST be returned if the request is missing mandatory data.'),
    }),
    async (t) => {
      const id = run.platform.ids.uuid();
      const body = run.platform.provisionBody(target, { instanceName: `${s.instanceName}-noorg` });
      delete body.organization_guid;
      delete body.space_guid;
      const r = await run.http.send('PUT', instancePath(id), { query: { accepts_incomplete: 'true' }, body, originatingIdentity: identity });
      if (r.status === 400) return;
      if (r.status >= 200 && r.status < 300) {
        run.created.instance(id, sid, target.plan.id);
        if (r.status === 202) await quietPoll(run, t, 'provision', { id, planId: target.plan.id, target }, operationOf(r));
      }
      t.fail(`PUT without organization_guid and space_guid (the context still carries them) answered ${describeReply(r)}; expected 400 Bad Request`, undefined, r.exchange);
    },
  );

  await e.run(
    def({
      id: 'PROV-13',
      title: 'a provision naming an unknown plan is refused with a 4xx',
      since: '2.13',
      tags: ['provision', 'invalid-requests'],
      citation: spec('provisioning', 'MAY', '`plan_id` MUST be a plan of the requested offering; a broker MAY answer 400 for invalid data, with a description.'),
    }),
    async (t) => {
      const id = run.platform.ids.uuid();
      const r = await run.http.send('PUT', instancePath(id), { query: { accepts_incomplete: 'true' }, body: run.platform.provisionBody(target, { instanceName: `${s.instanceName}-unknown`, planId: `${target.plan.id}-unknown` }), originatingIdentity: identity });
      if (r.status >= 400 && r.status < 500) return t.note(`${r.status}`);
      if (r.status >= 200 && r.status < 300) run.created.instance(id, sid, `${target.plan.id}-unknown`);
      t.fail(`PUT with plan_id "${target.plan.id}-unknown" answered ${describeReply(r)}; a broker should refuse a plan it does not offer (400)`, r.status >= 500 ? spec('service-broker-errors', 'SHOULD', 'invalid data gets a 4xx, not a broker error.') : undefined, r.exchange);
    },
  );

  const mi = run.platform.maintenanceInfo(target);
  await e.run(
    def({
      id: 'PROV-08',
      also: ['ERR-03'],
      title: 'a provision with a maintenance_info.version other than the catalog\'s answers 422 MaintenanceInfoConflict',
      since: '2.15',
      tags: ['provision', 'maintenance-info'],
      citation: spec('provisioning', 'MUST', '422 with "error": "MaintenanceInfoConflict" MUST be returned if maintenance_info.version does not match the catalog\'s version for the plan.'),
    }),
    async (t) => {
      if (!mi) return t.notApplicable('the plan has no maintenance_info');
      const id = run.platform.ids.uuid();
      const body = { ...run.platform.provisionBody(target, { instanceName: `${s.instanceName}-mi` }), maintenance_info: { version: MI_MISMATCH } };
      const r = await run.http.send('PUT', instancePath(id), { query: { accepts_incomplete: 'true' }, body, originatingIdentity: identity });
      if (r.status >= 200 && r.status < 300) {
        run.created.instance(id, sid, target.plan.id);
        if (r.status === 202) await quietPoll(run, t, 'provision', { id, planId: target.plan.id, target }, operationOf(r));
      }
      expect422(t, r, 'MaintenanceInfoConflict', `PUT with maintenance_info.version "${MI_MISMATCH}" (the catalog says "${mi.version}")`, t.def.citation);
    },
  );

  await e.run(
    def({
      id: 'PROV-10',
      title: 'provision parameters that break the plan\'s create schema are refused',
      since: '2.13',
      tags: ['provision', 'parameter-validation'],
      citation: spec('provisioning', 'SHOULD', 'Service Brokers SHOULD ensure that the client has provided valid configuration parameters; 400 MAY be returned for invalid data.'),
    }),
    async (t) => {
      const schema = target.plan.schemas?.service_instance?.create?.parameters;
      if (schema === undefined) return t.notApplicable('the plan has no service_instance.create schema');
      const bad = run.schemas.invalidParameters(schema);
      if (!bad) return t.notApplicable('could not derive parameters that the schema rejects');
      const id = run.platform.ids.uuid();
      const r = await run.http.send('PUT', instancePath(id), { query: { accepts_incomplete: 'true' }, body: { ...run.platform.provisionBody(target, { instanceName: `${s.instanceName}-params` }), parameters: bad }, originatingIdentity: identity });
      if (r.status === 400 || r.status === 422) return t.note(`${r.status} for parameters ${JSON.stringify(bad)}`);
      if (r.status >= 200 && r.status < 300) {
        run.created.instance(id, sid, target.plan.id);
        if (r.status === 202) await quietPoll(run, t, 'provision', { id, planId: target.plan.id, target }, operationOf(r));
      }
      t.fail(`PUT with parameters ${JSON.stringify(bad)} (invalid for the plan's schema: ${run.schemas.validate(schema, bad).join('; ')}) answered ${describeReply(r)}; expected 400`, undefined, r.exchange);
    },
  );

  await updateChecks(run, s, def, needsInstance);

  if (target.bindable) await bindingChecks(run, s);
  else {
    e.record(def({ id: 'BIND-12', title: 'non-bindable plans are never bound', since: '2.13', tags: ['bind'], citation: spec('binding', 'MUST', 'Platforms MUST NOT make a binding request for a plan that is not bindable.') }), 'not-applicable', 'the plan is not bindable, so the suite (as a platform) does not bind it');
  }

  await deprovisionChecks(run, s, def, needsInstance);
  return s;
}

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
async function finishedAlready(run: RunContext, s: InstanceState, _op: PolledOp): Promise<boolean> {
  const r = await run.http.send('GET', `${instancePath(s.id)}/last_operation`, { query: { service_id: s.target.service.id, plan_id: s.planId, operation: s.operation } });
  return r.status === 200 && isObject(r.json) && r.json.state === 'succeeded';
}

/** DEP-05 on an instance: DELETE without accepts_incomplete answers 200, or 422 AsyncRequired. Returns true when it ran. */
async function depWithoutFlag(run: RunContext, outer: CaseContext, target: PlanTarget, id: string): Promise<boolean> {
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

type Def = (d: Omit<CheckDef, 'scope'>) => CheckDef;

async function updateChecks(run: RunContext, s: InstanceState, def: Def, needsInstance: (t: CaseContext) => void): Promise<void> {
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

async function deprovisionChecks(run: RunContext, s: InstanceState, def: Def, needsInstance: (t: CaseContext) => void): Promise<void> {
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
