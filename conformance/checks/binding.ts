/**
 * Bindings of one instance (checklist D.8-D.9): bind (sync or async, with its last_operation),
 * credentials, fetch, idempotency and conflicts, invalid requests, RequiresApp, AsyncRequired,
 * rotation, and unbind.
 */
import { isObject } from '../catalog-types.js';
import { cf, spec } from '../citations.js';
import type { CaseContext, CheckDef } from '../engine.js';
import { describeReply, type Reply } from '../http.js';
import type { RunContext } from '../run-context.js';
import { bindingBodyProblems, deleteBodyProblems, errorCode, operationOf } from '../validate.js';
import { expectStatus, unexpected } from './expect.js';
import { instancePath, type InstanceState } from './instance-state.js';
import { pollCase, quietPoll } from './poll-case.js';

interface BindingState {
  id: string;
  async: boolean;
  operation?: string;
  ready: boolean;
  gone: boolean;
  credentialsSeen: boolean;
  body?: Record<string, unknown>;
}

export function bindingPath(instanceId: string, bindingId: string): string {
  return `${instancePath(instanceId)}/service_bindings/${encodeURIComponent(bindingId)}`;
}

export async function bindingChecks(run: RunContext, s: InstanceState): Promise<void> {
  const e = run.engine;
  const target = s.target;
  const scope = target.scope;
  const sid = target.service.id;
  const def = (d: Omit<CheckDef, 'scope'>): CheckDef => ({ ...d, scope });
  const identity = run.platform.identity();
  const b: BindingState = { id: run.platform.ids.uuid(), async: false, ready: false, gone: false, credentialsSeen: false };
  const body = (opts: { appGuid?: string | null; predecessor?: string } = {}) => run.platform.bindBody(target, { planId: s.planId, ...opts });
  const put = (id: string, send: { body?: unknown; rawBody?: string }, acceptsIncomplete = true) =>
    run.http.send('PUT', bindingPath(s.id, id), { query: acceptsIncomplete ? { accepts_incomplete: 'true' } : {}, ...send, originatingIdentity: identity });
  const q = () => ({ service_id: sid, plan_id: s.planId });
  const needsInstance = (t: CaseContext) => {
    if (!s.ready || s.gone) t.notRun(`no provisioned instance of ${scope} (see PROV-01)`);
  };
  const needsBinding = (t: CaseContext) => {
    needsInstance(t);
    if (!b.ready || b.gone) t.notRun('the binding could not be created (see BIND-01)');
  };
  const hasCredentials = (r: Reply) => isObject(r.json) && isObject(r.json.credentials);
  /** Removes a probe's binding (polling a 202) so the instance is idle again. */
  const removeBinding = async (t: CaseContext, id: string) => {
    const d = await run.http.send('DELETE', bindingPath(s.id, id), { query: { ...q(), accepts_incomplete: 'true' } });
    if (d.status === 202) await quietPoll(run, t, 'unbind', s, operationOf(d), id);
    if (d.status === 200 || d.status === 202 || d.status === 410) run.created.forgetBinding(s.id, id);
  };
  const settleBind = async (t: CaseContext, r: Reply, id: string) => {
    if (r.status >= 200 && r.status < 300 || r.status >= 500 || r.status === 0) run.created.binding(s.id, id, sid, s.planId);
    if (r.status === 202) await quietPoll(run, t, 'bind', s, operationOf(r), id);
  };

  await e.run(
    def({
      id: 'BIND-01',
      also: ['BIND-08', 'BIND-09', 'BIND-10', 'BIND-14', 'CTX-02'],
      title: 'bind answers 201 Created with credentials, or 202 Accepted (with no credentials) when asynchronous',
      since: '2.13',
      tags: ['bind'],
      citation: spec('binding', 'MUST', '201 Created when the binding was created (`credentials` MUST be returned if the broker generates credentials); 202 Accepted when in progress, and then no binding information in the response.'),
    }),
    async (t) => {
      needsInstance(t);
      const r = await put(b.id, { body: body() });
      if (r.status >= 200 && r.status < 300 || r.status >= 500 || r.status === 0) run.created.binding(s.id, b.id, sid, s.planId);
      if (r.status === 200) return t.fail('bind of a new binding answered 200 OK: 200 is only for an identical binding that already exists; a new one gets 201 (or 202)', undefined, r.exchange);
      if (!expectStatus(t, 'bind', r, [201, 202], { acceptsIncomplete: true, what: 'PUT of a new binding' })) return;
      if (r.status === 201) {
        for (const p of bindingBodyProblems(r, target.service, run.version, 'bind')) t.fail(p.message, p.citation, r.exchange);
        b.ready = true;
        b.body = isObject(r.json) ? r.json : undefined;
        b.credentialsSeen = hasCredentials(r);
        if (target.expectCredentials && !b.credentialsSeen) {
          t.fail('the 201 binding has no `credentials` object (if this plan\'s bindings carry no credentials, say `credentials: false` for it in the config)', undefined, r.exchange);
        }
        return t.note('201 Created');
      }
      b.async = true;
      b.operation = operationOf(r);
      const c = spec('binding', 'MUST', 'a 202 response MUST NOT carry binding information (credentials); `operation`, if present, is a string of at most 10,000 characters.');
      if (isObject(r.json)) {
        const extra = Object.keys(r.json).filter((k) => k !== 'operation');
        t.expect(!extra.some((k) => ['credentials', 'syslog_drain_url', 'route_service_url', 'volume_mounts', 'endpoints'].includes(k)), `the 202 answer carries binding information (${extra.join(', ')})`, c, r.exchange);
        if ('operation' in r.json) t.expect(typeof r.json.operation === 'string' && r.json.operation.length <= 10_000, `\`operation\` must be a string of at most 10,000 characters, got ${JSON.stringify(r.json.operation)?.slice(0, 60)}`, c, r.exchange);
      } else if (r.text.trim() !== '') t.fail(`bind answered 202 with a body that is not a JSON object: ${describeReply(r)}`, c, r.exchange);
      if (!target.bindingsRetrievable) {
        t.fail('bind answered 202 but the service does not declare bindings_retrievable: true, so a platform cannot fetch the credentials afterwards (Cloud Foundry refuses: "The broker responded asynchronously but does not support fetching binding data")', cf('asynchronous bindings', 'Cloud Controller requires bindings_retrievable: true for asynchronous bindings.'), r.exchange);
      }
      t.note(`202 Accepted${b.operation ? `, operation "${b.operation}"` : ''}`);
    },
  );

  if (b.async) {
    await e.run(
      def({
        id: 'BIND-02',
        title: 'a re-sent identical bind while it is in progress answers 202 with the same operation',
        since: '2.15',
        tags: ['bind', 'async'],
        citation: spec('binding', 'MUST', 'a re-sent PUT MUST return 202 Accepted, not 200 OK, while the binding is not yet fully created; the operation MUST match the original.'),
      }),
      async (t) => {
        const r = await put(b.id, { body: body() });
        if (r.status === 202) return void t.expect(operationOf(r) === b.operation, `the re-sent PUT answered 202 with operation ${JSON.stringify(operationOf(r) ?? null)}; the original was ${JSON.stringify(b.operation ?? null)}`, undefined, r.exchange);
        if (r.status === 200 && (await bindingFinished(run, s, b))) return t.note('the binding had already finished');
        t.fail(`a re-sent PUT of the binding still being created answered ${describeReply(r)}; expected 202`, undefined, r.exchange);
      },
    );
    await e.run(
      def({
        id: 'FB-02',
        title: 'fetching a binding still being created answers 404',
        since: '2.14',
        tags: ['fetch', 'bind', 'async'],
        citation: spec('fetching-a-service-binding', 'MUST', '404 Not Found MUST be returned if the binding does not exist or if a binding operation is still in progress.'),
      }),
      async (t) => {
        if (!target.bindingsRetrievable) t.notApplicable('bindings_retrievable is not true');
        const r = await run.http.send('GET', bindingPath(s.id, b.id), { query: q() });
        if (r.status === 404) return;
        if (r.status === 200 && (await bindingFinished(run, s, b))) return t.note('the binding had already finished');
        t.fail(`GET of the binding while it is being created answered ${describeReply(r)}; expected 404`, undefined, r.exchange);
      },
    );
    const end = await pollCase(run, scope, 'bind', s, { serviceId: sid, planId: s.planId, operation: b.operation, bindingId: b.id });
    b.ready = end === 'succeeded';
  }

  await e.run(
    def({
      id: 'FB-01',
      title: 'fetching the binding answers 200 with its credentials',
      since: '2.14',
      tags: ['fetch', 'bind'],
      citation: spec('fetching-a-service-binding', 'MUST', 'with bindings_retrievable: true the endpoint MUST be available immediately after the binding succeeded; `credentials` MUST be returned if the broker generates them and the binding was created asynchronously.'),
    }),
    async (t) => {
      if (!target.bindingsRetrievable) t.notApplicable('bindings_retrievable is not true');
      needsBinding(t);
      const r = await run.http.send('GET', bindingPath(s.id, b.id), { query: q() });
      if (!t.expect(r.status === 200, `GET of the binding answered ${describeReply(r)}; expected 200`, undefined, r.exchange)) return;
      for (const p of bindingBodyProblems(r, target.service, run.version, 'fetch')) t.fail(p.message, p.citation, r.exchange);
      if (hasCredentials(r)) b.credentialsSeen = true;
      else if (b.async && target.expectCredentials) t.fail('the asynchronously created binding, fetched, has no `credentials` object', undefined, r.exchange);
    },
  );

  await e.run(
    def({
      id: 'BIND-11',
      title: 'the binding\'s credentials are returned at least once (in the bind response or the first fetch)',
      since: '2.13',
      tags: ['bind'],
      citation: spec('binding', 'MUST', 'binding information MAY be returned only once, but it MUST be returned at least once, so the platform can use the binding.'),
    }),
    (t) => {
      if (!target.expectCredentials) t.notApplicable('the config says this plan\'s bindings carry no credentials');
      needsBinding(t);
      if (b.async && !target.bindingsRetrievable) t.notRun('the binding was asynchronous and bindings are not retrievable, so the suite could not see its credentials');
      t.expect(b.credentialsSeen, 'the suite never received the binding\'s credentials: not in the bind response, not in a fetch');
    },
  );

  await e.run(
    def({
      id: 'BIND-03',
      title: 're-sending an identical bind for an existing binding answers 200 OK',
      since: '2.13',
      tags: ['bind', 'idempotency'],
      citation: spec('binding', 'SHOULD', '200 OK SHOULD be returned if the binding already exists and the requested parameters are identical.'),
    }),
    async (t) => {
      needsBinding(t);
      const r = await put(b.id, { body: body() });
      if (r.status === 200) {
        for (const p of bindingBodyProblems(r, target.service, run.version, 'bind')) t.fail(p.message, p.citation, r.exchange);
        return;
      }
      if (r.status === 202 && b.async) {
        t.note('202 again for an asynchronous binding');
        await quietPoll(run, t, 'bind', s, operationOf(r), b.id);
        return;
      }
      if (r.status >= 500 || r.status === 0) unexpected(t, 'bind', r, [200], { what: 'an identical re-sent bind' });
      else t.fail(`an identical re-sent bind answered ${describeReply(r)}; expected 200 OK`, undefined, r.exchange);
    },
  );

  await e.run(
    def({
      id: 'BIND-04',
      title: 'a bind with the same binding id but another app answers 409 Conflict',
      since: '2.13',
      tags: ['bind', 'idempotency'],
      citation: spec('binding', 'MUST', '409 Conflict MUST be returned if a binding with the same id already exists or is being created but with different parameters.'),
    }),
    async (t) => {
      needsBinding(t);
      const r = await put(b.id, { body: body({ appGuid: run.platform.ids.uuid() }) });
      if (r.status === 409) return;
      t.fail(`PUT of the existing binding id for another app answered ${describeReply(r)}; expected 409 Conflict`, undefined, r.exchange);
      if (r.status === 202) await quietPoll(run, t, 'bind', s, operationOf(r), b.id);
    },
  );

  await e.run(
    def({
      id: 'BIND-05',
      also: ['ERR-04'],
      title: 'malformed binds (no service_id, no plan_id, invalid JSON) answer 400 and create nothing',
      since: '2.13',
      tags: ['bind', 'invalid-requests'],
      citation: spec('binding', 'MUST', '400 Bad Request MUST be returned if the request is malformed or missing mandatory data; a 4xx MUST leave resources unchanged.'),
    }),
    async (t) => {
      needsInstance(t);
      const id = run.platform.ids.uuid();
      const good = body();
      const without = (k: string) => Object.fromEntries(Object.entries(good).filter(([x]) => x !== k));
      let created = false;
      for (const [what, send] of [
        ['without service_id', { body: without('service_id') }],
        ['without plan_id', { body: without('plan_id') }],
        ['with a body that is not JSON', { rawBody: '{"service_id": ' }],
      ] as const) {
        const r = await put(id, send);
        if (r.status >= 200 && r.status < 300) created = true;
        if (r.status !== 400) t.fail(`bind ${what} answered ${describeReply(r)}; expected 400 Bad Request`, undefined, r.exchange);
      }
      if (created) run.created.binding(s.id, id, sid, s.planId);
      const d = await run.http.send('DELETE', bindingPath(s.id, id), { query: { ...q(), accepts_incomplete: 'true' } });
      if (d.status !== 410) {
        t.fail(`after the malformed binds, DELETE of that binding id answered ${describeReply(d)}; expected 410 Gone (a 4xx must leave nothing behind)`, spec('service-broker-errors', 'MUST', 'a 4xx response MUST leave the broker\'s resources semantically unchanged.'), d.exchange);
        if (d.status === 202) await quietPoll(run, t, 'unbind', s, operationOf(d), id);
      }
    },
  );

  await e.run(
    def({
      id: 'BIND-06',
      also: ['ERR-03'],
      title: 'a bind without an app (a service key) is created, or refused with 422 RequiresApp',
      since: '2.13',
      tags: ['bind'],
      citation: spec('binding', 'MUST', '422 with "error": "RequiresApp" MUST be returned if the broker requires app_guid and the request has none.'),
    }),
    async (t) => {
      needsInstance(t);
      const id = run.platform.ids.uuid();
      const r = await put(id, { body: body({ appGuid: null }) });
      if (r.status === 422 && errorCode(r) === 'RequiresApp') return t.note('422 RequiresApp');
      if (!expectStatus(t, 'bind', r, [201, 202, 422], { acceptsIncomplete: true, what: 'PUT of a binding without app_guid' })) return void (await settleBind(t, r, id));
      if (r.status === 422) return t.fail(`a bind without app_guid answered ${describeReply(r)}; a broker that needs an app answers 422 with "error": "RequiresApp"`, undefined, r.exchange);
      if (r.status === 201) for (const p of bindingBodyProblems(r, target.service, run.version, 'bind')) t.fail(p.message, p.citation, r.exchange);
      await settleBind(t, r, id);
      await removeBinding(t, id);
      t.note(`${r.status}: the broker binds without an app`);
    },
  );

  let unb05Done = false;
  await e.run(
    def({
      id: 'BIND-07',
      title: 'a bind without accepts_incomplete=true answers 201, or 422 AsyncRequired when bindings are asynchronous only',
      since: '2.14',
      tags: ['bind', 'async'],
      citation: spec('binding', 'MUST', 'without accepts_incomplete=true a broker that can only bind asynchronously MUST answer 422 "AsyncRequired"; it MUST NOT answer 202.'),
    }),
    async (t) => {
      needsInstance(t);
      const id = run.platform.ids.uuid();
      const r = await put(id, { body: body({ appGuid: run.platform.ids.uuid() }) }, false);
      if (r.status === 422 && errorCode(r) === 'AsyncRequired') return t.note('422 AsyncRequired');
      if (r.status === 202) {
        t.fail('a bind without accepts_incomplete=true answered 202 Accepted', undefined, r.exchange);
        await settleBind(t, r, id);
        return void (await removeBinding(t, id));
      }
      if (!expectStatus(t, 'bind', r, [201, 422], { what: 'PUT of a binding without accepts_incomplete' })) return void (await settleBind(t, r, id));
      if (r.status === 422) return t.fail(`422 without accepts_incomplete must carry "error": "AsyncRequired"; got ${describeReply(r)}`, undefined, r.exchange);
      await settleBind(t, r, id);
      unb05Done = await unbindWithoutFlag(run, s, id);
    },
  );

  await e.run(
    def({
      id: 'BIND-13',
      title: 'a rotated binding (predecessor_binding_id) is created and both bindings stay valid',
      since: '2.17',
      tags: ['bind', 'rotation'],
      citation: spec('binding-rotation', 'MUST', 'with binding_rotatable: true a bind with predecessor_binding_id creates a new binding; both MUST be valid in parallel until they expire or are deleted.'),
    }),
    async (t) => {
      if (target.plan.binding_rotatable !== true) t.notApplicable('the plan is not binding_rotatable');
      needsBinding(t);
      const id = run.platform.ids.uuid();
      const r = await put(id, { body: body({ predecessor: b.id }) });
      if (!expectStatus(t, 'bind', r, [201, 202], { acceptsIncomplete: true, what: 'PUT of a successor binding' })) return void (await settleBind(t, r, id));
      await settleBind(t, r, id);
      if (target.bindingsRetrievable) {
        for (const [which, bid] of [['predecessor', b.id], ['successor', id]] as const) {
          const f = await run.http.send('GET', bindingPath(s.id, bid), { query: q() });
          t.expect(f.status === 200, `after the rotation, GET of the ${which} binding answered ${describeReply(f)}; both must stay valid`, undefined, f.exchange);
        }
      }
      await removeBinding(t, id);
    },
  );

  await e.run(
    def({
      id: 'BLO-01',
      title: 'last_operation of an unknown binding answers 404',
      since: '2.14',
      tags: ['last-operation', 'bind'],
      citation: spec('polling-last-operation-for-service-bindings', 'MUST', '404 Not Found MUST be returned if the binding being polled does not exist.'),
    }),
    async (t) => {
      needsInstance(t);
      const r = await run.http.send('GET', `${bindingPath(s.id, run.platform.ids.uuid())}/last_operation`, { query: q() });
      t.expect(r.status === 404, `last_operation of an unknown binding answered ${describeReply(r)}; expected 404`, undefined, r.exchange);
    },
  );

  await e.run(
    def({
      id: 'FB-02',
      title: 'fetching an unknown binding answers 404',
      since: '2.14',
      tags: ['fetch', 'bind'],
      citation: spec('fetching-a-service-binding', 'MUST', '404 Not Found MUST be returned if the binding does not exist.'),
    }),
    async (t) => {
      if (!target.bindingsRetrievable) t.notApplicable('bindings_retrievable is not true');
      needsInstance(t);
      const r = await run.http.send('GET', bindingPath(s.id, run.platform.ids.uuid()), { query: q() });
      t.expect(r.status === 404, `GET of an unknown binding answered ${describeReply(r)}; expected 404`, undefined, r.exchange);
    },
  );

  await e.run(
    def({
      id: 'UNB-04',
      title: 'an unbind without service_id or plan_id answers 400 and deletes nothing',
      since: '2.13',
      tags: ['unbind', 'invalid-requests'],
      citation: spec('unbinding', 'MUST', 'service_id and plan_id are REQUIRED query parameters; 400 Bad Request MUST be returned if the request is missing mandatory data.'),
    }),
    async (t) => {
      needsBinding(t);
      for (const [what, query] of [
        ['without service_id', { plan_id: s.planId, accepts_incomplete: 'true' }],
        ['without plan_id', { service_id: sid, accepts_incomplete: 'true' }],
      ] as const) {
        const r = await run.http.send('DELETE', bindingPath(s.id, b.id), { query, originatingIdentity: identity });
        if (r.status === 400) continue;
        t.fail(`unbind ${what} answered ${describeReply(r)}; expected 400`, undefined, r.exchange);
        if (r.status === 200 || r.status === 202) {
          if (r.status === 202) await quietPoll(run, t, 'unbind', s, operationOf(r), b.id);
          b.gone = true;
          run.created.forgetBinding(s.id, b.id);
          return;
        }
      }
    },
  );

  if (!unb05Done && b.ready && !b.gone) unb05Done = await unbindWithoutFlag(run, s, b.id, (gone) => (b.gone = gone));

  let unbound = b.gone;
  await e.run(
    def({
      id: 'UNB-01',
      also: ['UNB-02'],
      title: 'unbind answers 200 {}, or 202 when asynchronous, and the binding goes away',
      since: '2.13',
      tags: ['unbind'],
      citation: spec('unbinding', 'MUST', '200 OK with `{}` when the binding was deleted; 202 Accepted when the unbinding is in progress (then its last_operation reports it, or 410 once gone).'),
    }),
    async (t) => {
      if (b.gone) t.notRun('the binding was already deleted by an earlier probe');
      needsBinding(t);
      const r = await run.http.send('DELETE', bindingPath(s.id, b.id), { query: { ...q(), accepts_incomplete: 'true' }, originatingIdentity: identity });
      if (!expectStatus(t, 'unbind', r, [200, 202], { acceptsIncomplete: true, what: 'DELETE of the binding' })) return;
      for (const p of deleteBodyProblems(r, 'unbind')) t.fail(p.message, p.citation, r.exchange);
      if (r.status === 200) {
        unbound = true;
        run.created.forgetBinding(s.id, b.id);
        return t.note('200 OK');
      }
      const end = await pollCase(run, scope, 'unbind', s, { serviceId: sid, planId: s.planId, operation: operationOf(r), bindingId: b.id });
      if (end === 'succeeded' || end === 'gone') {
        unbound = true;
        run.created.forgetBinding(s.id, b.id);
      }
    },
  );

  await e.run(
    def({
      id: 'UNB-03',
      title: 'unbinding a binding that is already gone answers 410 Gone',
      since: '2.13',
      tags: ['unbind'],
      citation: spec('unbinding', 'MUST', '410 Gone MUST be returned if the binding does not exist.'),
    }),
    async (t) => {
      if (!unbound) t.notRun('the binding was not deleted (see UNB-01)');
      const r = await run.http.send('DELETE', bindingPath(s.id, b.id), { query: { ...q(), accepts_incomplete: 'true' } });
      if (r.status !== 410) unexpected(t, 'unbind', r, [410], { what: 'DELETE of the deleted binding' });
    },
  );

  await e.run(
    def({
      id: 'FB-02',
      title: 'fetching a deleted binding answers 404',
      since: '2.14',
      tags: ['fetch', 'unbind'],
      citation: spec('fetching-a-service-binding', 'MUST', '404 Not Found MUST be returned if the binding does not exist.'),
    }),
    async (t) => {
      if (!target.bindingsRetrievable) t.notApplicable('bindings_retrievable is not true');
      if (!unbound) t.notRun('the binding was not deleted (see UNB-01)');
      const r = await run.http.send('GET', bindingPath(s.id, b.id), { query: q() });
      t.expect(r.status === 404, `GET of the deleted binding answered ${describeReply(r)}; expected 404`, undefined, r.exchange);
    },
  );

  if (b.async) await unbindDuringBind(run, s);
  else e.record(def({ id: 'UNB-06', title: 'an unbind during creation halts it', since: '2.15', tags: ['unbind', 'concurrency'], citation: spec('unbinding', 'MUST', 'an unbind accepted while the binding is being created MUST halt the creation and delete its resources.') }), 'not-applicable', 'bindings of this plan are synchronous: nothing to overlap');
}

async function bindingFinished(run: RunContext, s: InstanceState, b: BindingState): Promise<boolean> {
  const r = await run.http.send('GET', `${bindingPath(s.id, b.id)}/last_operation`, { query: { service_id: s.target.service.id, plan_id: s.planId, operation: b.operation } });
  return r.status === 200 && isObject(r.json) && r.json.state === 'succeeded';
}

/** UNB-05: DELETE without accepts_incomplete answers 200, or 422 AsyncRequired. */
async function unbindWithoutFlag(run: RunContext, s: InstanceState, bindingId: string, onGone?: (gone: boolean) => void): Promise<boolean> {
  const q = { service_id: s.target.service.id, plan_id: s.planId };
  const c = await run.engine.run(
    {
      id: 'UNB-05',
      title: 'an unbind without accepts_incomplete=true answers 200, or 422 AsyncRequired when unbinding is asynchronous only',
      scope: s.target.scope,
      since: '2.14',
      tags: ['unbind', 'async'],
      citation: spec('unbinding', 'MUST', 'without accepts_incomplete=true a broker that can only unbind asynchronously MUST answer 422 "AsyncRequired"; it MUST NOT answer 202.'),
    },
    async (t) => {
      const r = await run.http.send('DELETE', bindingPath(s.id, bindingId), { query: q });
      if (r.status === 200) {
        for (const p of deleteBodyProblems(r, 'unbind')) t.fail(p.message, p.citation, r.exchange);
        run.created.forgetBinding(s.id, bindingId);
        onGone?.(true);
        return t.note('200 OK');
      }
      if (r.status === 422 && errorCode(r) === 'AsyncRequired') t.note('422 AsyncRequired');
      else if (r.status === 202) {
        t.fail('an unbind without accepts_incomplete=true answered 202 Accepted', undefined, r.exchange);
        await quietPoll(run, t, 'unbind', s, operationOf(r), bindingId);
        run.created.forgetBinding(s.id, bindingId);
        onGone?.(true);
        return;
      } else unexpected(t, 'unbind', r, [200, 422], { what: 'DELETE of a binding without accepts_incomplete' });
      // Probe binding (not the main one): remove it with the flag.
      if (!onGone) {
        const d = await run.http.send('DELETE', bindingPath(s.id, bindingId), { query: { ...q, accepts_incomplete: 'true' } });
        if (d.status === 202) await quietPoll(run, t, 'unbind', s, operationOf(d), bindingId);
        if ([200, 202, 410].includes(d.status)) run.created.forgetBinding(s.id, bindingId);
      }
    },
  );
  return c.outcome !== 'not-run' && c.outcome !== 'skipped';
}

/** UNB-06: an unbind while the binding is being created halts the creation (or is refused with ConcurrencyError). */
async function unbindDuringBind(run: RunContext, s: InstanceState): Promise<void> {
  const sid = s.target.service.id;
  const q = { service_id: sid, plan_id: s.planId };
  await run.engine.run(
    {
      id: 'UNB-06',
      also: ['BLK-01'],
      title: 'an unbind while the binding is being created halts the creation (or answers 422 ConcurrencyError)',
      scope: s.target.scope,
      since: '2.15',
      tags: ['unbind', 'concurrency'],
      citation: spec('unbinding', 'MUST', 'an unbind accepted during creation MUST halt the creation and delete its resources; a broker that cannot MUST answer 422 "ConcurrencyError".'),
    },
    async (t) => {
      if (!s.ready || s.gone) t.notRun('no provisioned instance (see PROV-01)');
      const id = run.platform.ids.uuid();
      const r = await run.http.send('PUT', bindingPath(s.id, id), { query: { accepts_incomplete: 'true' }, body: run.platform.bindBody(s.target, { planId: s.planId, appGuid: run.platform.ids.uuid() }) });
      if (r.status >= 200 && r.status < 300) run.created.binding(s.id, id, sid, s.planId);
      if (r.status !== 202) t.notRun(`the bind answered ${describeReply(r)}, not 202, so there was no creation to interrupt`);
      const d = await run.http.send('DELETE', bindingPath(s.id, id), { query: { ...q, accepts_incomplete: 'true' } });
      if (d.status === 422 && errorCode(d) === 'ConcurrencyError') {
        t.note('422 ConcurrencyError: the broker lets the creation finish first');
        await quietPoll(run, t, 'bind', s, operationOf(r), id);
        const again = await run.http.send('DELETE', bindingPath(s.id, id), { query: { ...q, accepts_incomplete: 'true' } });
        if (again.status === 202) await quietPoll(run, t, 'unbind', s, operationOf(again), id);
        if ([200, 202, 410].includes(again.status)) run.created.forgetBinding(s.id, id);
        return;
      }
      if (!expectStatus(t, 'unbind', d, [200, 202, 422], { acceptsIncomplete: true, what: 'DELETE of a binding being created' })) return;
      if (d.status === 422) return t.fail(`the 422 carries ${JSON.stringify(errorCode(d) ?? null)}, not "ConcurrencyError"`, undefined, d.exchange);
      if (d.status === 202) {
        const end = await quietPoll(run, t, 'unbind', s, operationOf(d), id);
        if (end === 'succeeded' || end === 'gone') run.created.forgetBinding(s.id, id);
        return;
      }
      run.created.forgetBinding(s.id, id);
      // Synchronous delete during creation: the create's last_operation SHOULD report failed.
      const lo = await run.http.send('GET', `${bindingPath(s.id, id)}/last_operation`, { query: { ...q, operation: operationOf(r) } });
      const state = isObject(lo.json) ? lo.json.state : undefined;
      if (!(lo.status === 410 || lo.status === 404 || state === 'failed')) {
        t.fail(`after a synchronous unbind during creation the bind's last_operation answered ${describeReply(lo)}; it should report the create as "failed"`, spec('unbinding', 'SHOULD', 'if the unbind is synchronous, last_operation SHOULD indicate that the create request has a state of failed.'), lo.exchange);
      }
    },
  );
}
