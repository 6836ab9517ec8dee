/**
 * One plan's instance lifecycle (checklist D.3-D.7): provision (sync or async, with last_operation
 * polling), idempotency and conflicts, invalid requests and fetch here; then updates, bindings and
 * deprovisioning. Each step is its own case; a step that needs an earlier one reports not-run when
 * that one failed.
 */
import { isObject, type PlanTarget } from '../catalog-types.js';
import { spec } from '../citations.js';
import type { CaseContext, CheckDef } from '../engine.js';
import { describeReply, type Reply } from '../http.js';
import { EXTENSION_FIELD } from '../platform.js';
import type { RunContext } from '../run-context.js';
import { errorCode, fetchInstanceProblems, instanceBodyProblems, operationOf } from '../validate.js';
import { bindingChecks } from './binding.js';
import { deprovisionChecks, depWithoutFlag } from './deprovision.js';
import { expect422, expectStatus, unexpected } from './expect.js';
import { instancePath, MI_MISMATCH, type InstanceState } from './instance-state.js';
import { finishedAlready, pollCase, quietPoll } from './poll-case.js';
import { updateChecks } from './update.js';

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
