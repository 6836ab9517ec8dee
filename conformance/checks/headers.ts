/** Headers and authentication (checklist D.1): API version, originating identity, 401s. */
import { spec } from '../citations.js';
import { describeReply, type Reply, type SendOptions } from '../http.js';
import type { RunContext } from '../run-context.js';

/** A 2xx is the catalog itself: its status says enough. */
const brief = (r: Reply) => (r.status >= 200 && r.status < 300 ? String(r.status) : describeReply(r));

export async function headerChecks(run: RunContext): Promise<void> {
  const e = run.engine;
  await e.run(
    {
      id: 'HDR-01',
      title: 'an unsupported X-Broker-API-Version (1.0) is refused with 412 Precondition Failed',
      since: '2.13',
      tags: ['headers'],
      citation: spec('api-version-header', 'MAY', 'a broker MAY reject a version it does not support with 412 Precondition Failed, naming the version to use.'),
    },
    async (t) => {
      const r = await run.http.send('GET', '/v2/catalog', { version: '1.0' });
      if (r.status === 412) return t.note('412 for version 1.0');
      t.fail(`GET /v2/catalog with X-Broker-API-Version: 1.0 answered ${brief(r)}; a broker that checks the version answers 412`, undefined, r.exchange);
    },
  );

  await e.run(
    {
      id: 'HDR-02',
      title: 'a request without X-Broker-API-Version is refused (400, or 412 as many brokers answer)',
      since: '2.13',
      tags: ['headers'],
      citation: spec('api-version-header', 'MAY', 'requests MUST carry X-Broker-API-Version; a broker MAY reject one without it with 400 Bad Request saying the header is required.'),
    },
    async (t) => {
      const r = await run.http.send('GET', '/v2/catalog', { version: null });
      if (r.status === 400 || r.status === 412) return t.note(`${r.status} without the header`);
      t.fail(`GET /v2/catalog without X-Broker-API-Version answered ${brief(r)}: the broker does not check the version header (expected 400 or 412)`, undefined, r.exchange);
    },
  );

  await e.run(
    {
      id: 'HDR-04',
      title: 'requests are accepted with and without X-Broker-API-Originating-Identity',
      since: '2.13',
      tags: ['headers'],
      citation: spec('originating-identity', 'MUST', 'platforms send the header on user actions and MAY leave it out otherwise (catalog fetches, orphan mitigation); brokers accept both.'),
    },
    async (t) => {
      const identity = run.platform.identity();
      if (!identity) t.notApplicable('the profile sends no originating identity');
      const a = await run.http.send('GET', '/v2/catalog', { originatingIdentity: identity });
      t.expect(a.status === 200, `GET /v2/catalog with an originating identity answered ${describeReply(a)}`, undefined, a.exchange);
      const b = await run.http.send('GET', '/v2/catalog');
      t.expect(b.status === 200, `GET /v2/catalog without an originating identity answered ${describeReply(b)}`, undefined, b.exchange);
    },
  );

  const authDef = (id: string, title: string) => ({
    id,
    title,
    since: '2.13',
    tags: ['auth'],
    citation: spec('platform-to-service-broker-authentication', 'MUST', 'if authentication is used, the broker MUST authenticate every request and MUST return 401 Unauthorized when it fails.'),
  });
  for (const [variant, auth] of [
    ['no credentials', 'none'],
    ['a wrong password', { username: run.http.options.username ?? 'user', password: `${run.http.options.password ?? ''}-wrong` }],
  ] as const) {
    const def = authDef('AUTH-01', `every endpoint answers 401 to a request with ${variant}`);
    await e.run({ ...def, scope: variant }, async (t) => {
      if (run.http.options.username === undefined) t.notApplicable('no broker credentials configured (--username/--password)');
      const target = run.targets[0];
      const sid = target?.service.id ?? 'conformance-service';
      const pid = target?.plan.id ?? 'conformance-plan';
      const i = run.platform.ids.uuid();
      const b = run.platform.ids.uuid();
      const inst = `/v2/service_instances/${i}`;
      const ids = { service_id: sid, plan_id: pid };
      const calls: [string, string, SendOptions][] = [
        ['GET', '/v2/catalog', {}],
        ['PUT', inst, { query: { accepts_incomplete: 'true' }, body: target ? run.platform.provisionBody(target, { instanceName: 'conformance-auth' }) : { service_id: sid, plan_id: pid } }],
        ['PATCH', inst, { query: { accepts_incomplete: 'true' }, body: { service_id: sid, plan_id: pid } }],
        ['GET', inst, { query: ids }],
        ['GET', `${inst}/last_operation`, { query: ids }],
        ['PUT', `${inst}/service_bindings/${b}`, { query: { accepts_incomplete: 'true' }, body: { service_id: sid, plan_id: pid } }],
        ['GET', `${inst}/service_bindings/${b}`, { query: ids }],
        ['GET', `${inst}/service_bindings/${b}/last_operation`, { query: ids }],
        ['DELETE', `${inst}/service_bindings/${b}`, { query: { ...ids, accepts_incomplete: 'true' } }],
        ['DELETE', inst, { query: { ...ids, accepts_incomplete: 'true' } }],
      ];
      for (const [method, path, opts] of calls) {
        const r = await run.http.send(method, path, { ...opts, auth });
        t.expect(r.status === 401, `${method} ${path.replace(i, ':instance_id').replace(b, ':binding_id')} with ${variant} answered ${describeReply(r)}; expected 401`, undefined, r.exchange);
      }
      // The refused PUT must have left nothing behind (4xx leaves resources unchanged).
      if (target) {
        const d = await run.http.send('DELETE', inst, { query: { ...ids, accepts_incomplete: 'true' } });
        if (d.status !== 410) {
          run.created.instance(i, sid, pid);
          t.fail(
            `after the unauthenticated PUT was refused, DELETE of that instance answered ${describeReply(d)}; expected 410 Gone (nothing was created)`,
            spec('service-broker-errors', 'MUST', 'a 4xx response MUST leave the broker\'s resources semantically unchanged.'),
            d.exchange,
          );
        }
      }
    });
  }
}
