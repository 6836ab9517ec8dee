import { afterEach, describe, expect, it } from 'vitest';
import { ccConfigSchema } from '../../../fakes/cc/config.js';
import { CcModel } from '../../../fakes/cc/model/model.js';
import { bindBody, provisionBody, updateBody } from '../../../fakes/cc/ops/bodies.js';
import { cgiEscape, toQuery } from '../../../fakes/cc/platform/osb-client.js';
import { BINDING, INSTANCE, PLAN_ID, SERVICE_ID, USER, bindOp, json, makeEnv, provisionOp, type Env } from './helpers.js';

/**
 * The records the bodies are built from, in a CC model of their own: an org and a space with one
 * public (prefixed) and one private annotation each, a plan with maintenance_info, an instance, an app.
 */
function records(env: Env) {
  const m = new CcModel(env.kernel, ccConfigSchema.parse({ defaults: false }));
  const org = m.addOrg('my-org', 'org-1');
  const space = m.addSpace(org.guid, 'my-space', 'space-1');
  m.applyMetadata(org.metadata, { annotations: { 'example.com/team': 'data', private: 'x' } });
  m.applyMetadata(space.metadata, { annotations: { 'example.com/tier': 'gold', note: 'y' } });
  const offering = m.addOffering({
    broker_guid: 'b', catalog_id: SERVICE_ID, name: 'db', description: '', bindable: true, plan_updateable: true, instances_retrievable: true,
    bindings_retrievable: true, allow_context_updates: false, tags: [], requires: [], catalog_metadata: null, shareable: false, documentation_url: null, active: true,
  });
  const plan = m.addPlan({
    offering_guid: offering.guid, catalog_id: 'old-plan', name: 'small', description: '', free: true, bindable: null, plan_updateable: null, catalog_metadata: null,
    maximum_polling_duration: null, schemas: {}, maintenance_info: { version: '1.0.0', description: 'first' }, public: true, active: true,
  });
  const inst = m.addInstance({ guid: INSTANCE, name: 'my-db', type: 'managed', space_guid: space.guid, plan_guid: plan.guid, tags: [], dashboard_url: null, maintenance_info: { version: '1.0.0', description: 'first' }, last_operation: null });
  const app = m.addApp(space.guid, 'web', 'STARTED', 'app-1');
  m.applyMetadata(app.metadata, { annotations: { 'example.com/owner': 'me', secret: 'z' } });
  return { m, org, space, plan, inst, app };
}

/** The context CC sends for these records: only prefixed annotations travel. */
const CONTEXT = {
  platform: 'cloudfoundry',
  organization_guid: 'org-1',
  space_guid: 'space-1',
  organization_name: 'my-org',
  space_name: 'my-space',
  organization_annotations: { 'example.com/team': 'data' },
  space_annotations: { 'example.com/tier': 'gold' },
};

function decodeIdentity(h: string): unknown {
  const [platform, b64] = h.split(' ');
  expect(platform).toBe('cloudfoundry');
  return JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
}

describe('CC platform: headers, bodies and query strings on the wire (C.1, C.2)', () => {
  let env: Env;
  afterEach(() => env?.close());

  it('provision: PUT with accepts_incomplete=true, every CC header, and the CF body', async () => {
    env = makeEnv();
    const { m, plan, inst } = records(env);
    m.applyMetadata(inst.metadata, { annotations: { 'example.com/purpose': 'tests', mine: 'no' } });
    const body = provisionBody(m, 'space-1', 'my-db', plan, { size: 3 }, inst.metadata.annotations);
    await env.platform.start(provisionOp(env, { body, vcapRequestId: 'req-1' }));
    const [req] = env.of('provision');
    expect(req.method).toBe('PUT');
    expect(req.path).toBe(`/v2/service_instances/${INSTANCE}`);
    expect(req.rawQuery).toBe('accepts_incomplete=true');
    expect(req.headers['x-broker-api-version']).toBe('2.15');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('broker-user:broker-pass').toString('base64')}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toBe('application/json');
    expect(req.headers['x-vcap-request-id']).toBe('req-1');
    expect(req.headers['x-broker-api-request-identity']).toMatch(/^[0-9a-f-]{36}$/);
    expect(req.headers['x-api-info-location']).toBe(`cc.${env.kernel.id}.fakefoundry.test/v2/info`);
    expect(decodeIdentity(req.headers['x-broker-api-originating-identity'])).toEqual({ user_id: USER });
    // the exact bytes: key order and every field, as client.provision builds them
    expect(req.body).toBe(
      JSON.stringify({
        service_id: SERVICE_ID,
        plan_id: PLAN_ID,
        organization_guid: 'org-1',
        space_guid: 'space-1',
        context: { ...CONTEXT, instance_name: 'my-db', instance_annotations: { 'example.com/purpose': 'tests' } },
        parameters: { size: 3 },
        maintenance_info: { version: '1.0.0', description: 'first' },
      }),
    );
  });

  it('provision without parameters or maintenance_info leaves both out; no user means no originating identity', async () => {
    env = makeEnv();
    const { m, plan } = records(env);
    plan.maintenance_info = null;
    await env.platform.start(provisionOp(env, { userGuid: undefined, body: provisionBody(m, 'space-1', 'x', plan, {}) }));
    const [req] = env.of('provision');
    expect(Object.keys(req.json!)).toEqual(['service_id', 'plan_id', 'organization_guid', 'space_guid', 'context']);
    expect(req.json!.context).toEqual({ ...CONTEXT, instance_name: 'x', instance_annotations: {} });
    expect(req.headers).not.toHaveProperty('x-broker-api-originating-identity');
  });

  it('every request carries a fresh request identity', async () => {
    env = makeEnv();
    env.replies.provision = () => json(202, { operation: 'op-1' });
    env.replies.instanceLastOp = () => json(200, { state: 'succeeded' });
    await env.platform.start(provisionOp(env));
    await env.platform.settle();
    const ids = env.seen.map((r) => r.headers['x-broker-api-request-identity']);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('update: PATCH with previous_values (maintenance_info version only), context without instance_annotations; v3 always sends parameters, v2 only when given', async () => {
    env = makeEnv();
    const { m, plan, inst } = records(env);
    const v3 = updateBody(m, inst, plan, { name: 'renamed', parameters: undefined, maintenanceInfo: { version: '2.0.0' }, via: 'v3' });
    await env.platform.start({ ...provisionOp(env), type: 'update', body: v3 });
    const [req] = env.of('update');
    expect(req.method).toBe('PATCH');
    expect(req.rawQuery).toBe('accepts_incomplete=true');
    expect(req.body).toBe(
      JSON.stringify({
        service_id: SERVICE_ID,
        plan_id: PLAN_ID,
        previous_values: { plan_id: 'old-plan', service_id: SERVICE_ID, organization_id: 'org-1', space_id: 'space-1', maintenance_info: { version: '1.0.0' } },
        context: { ...CONTEXT, instance_name: 'renamed' },
        parameters: {},
        maintenance_info: { version: '2.0.0' },
      }),
    );
    inst.maintenance_info = null;
    const v2 = updateBody(m, inst, plan, { name: 'my-db', parameters: undefined, maintenanceInfo: undefined, via: 'v2' });
    expect(v2).toEqual({ previous_values: { plan_id: 'old-plan', service_id: SERVICE_ID, organization_id: 'org-1', space_id: 'space-1' }, context: { ...CONTEXT, instance_name: 'my-db' } });
    expect(updateBody(m, inst, plan, { name: 'my-db', parameters: { a: 1 }, maintenanceInfo: undefined, via: 'v2' }).parameters).toEqual({ a: 1 });
  });

  it('deprovision and unbind: DELETE with no body and the sorted Ruby query string', async () => {
    env = makeEnv();
    await env.platform.start({ ...provisionOp(env), type: 'delete', serviceId: 'svc id/1', planId: 'plan~*1' });
    await env.platform.start({ ...bindOp(env), type: 'delete' });
    const [dep] = env.of('deprovision');
    expect(dep.method).toBe('DELETE');
    expect(dep.body).toBe('');
    expect(dep.headers).not.toHaveProperty('content-type');
    // CGI.escape: space -> '+', '/' and '*' escaped, '~' kept; keys sorted.
    expect(dep.rawQuery).toBe('accepts_incomplete=true&plan_id=plan~%2A1&service_id=svc+id%2F1');
    const [unb] = env.of('unbind');
    expect(unb.path).toBe(`/v2/service_instances/${INSTANCE}/service_bindings/${BINDING}`);
    expect(unb.rawQuery).toBe(`accepts_incomplete=true&plan_id=${PLAN_ID}&service_id=${SERVICE_ID}`);
  });

  it('bind (app) and service key bodies', async () => {
    env = makeEnv();
    const { m, inst, app } = records(env);
    await env.platform.start(bindOp(env, { body: bindBody(m, inst, app, { p: 1 }) }));
    await env.platform.start(bindOp(env, { resource: 'service_key', bindingGuid: 'key-1', body: bindBody(m, inst, undefined, {}) }));
    const [appBind, key] = env.of('bind');
    expect(appBind.rawQuery).toBe('accepts_incomplete=true');
    expect(appBind.body).toBe(
      JSON.stringify({
        service_id: SERVICE_ID,
        plan_id: PLAN_ID,
        app_guid: 'app-1',
        bind_resource: { app_guid: 'app-1', space_guid: 'space-1', app_annotations: { 'example.com/owner': 'me' } },
        context: CONTEXT,
        parameters: { p: 1 },
      }),
    );
    expect(key.path).toBe(`/v2/service_instances/${INSTANCE}/service_bindings/key-1`);
    expect(key.body).toBe(JSON.stringify({ service_id: SERVICE_ID, plan_id: PLAN_ID, bind_resource: {}, context: CONTEXT }));
  });

  it('CGI.escape: two hex digits per byte, UTF-8, space as +; to_query sorts keys and drops absent values', () => {
    expect(cgiEscape('a\nb\u00e9 ~.-_')).toBe('a%0Ab%C3%A9+~.-_');
    expect(toQuery({ z: '1', a: undefined, m: true })).toBe('m=true&z=1');
  });

  it('accepts_incomplete can be turned off (V2 without the flag)', async () => {
    env = makeEnv();
    await env.platform.start(provisionOp(env, { acceptsIncomplete: false }));
    await env.platform.start({ ...provisionOp(env), type: 'delete', acceptsIncomplete: false });
    expect(env.of('provision')[0].rawQuery).toBe('');
    expect(env.of('deprovision')[0].rawQuery).toBe(`plan_id=${PLAN_ID}&service_id=${SERVICE_ID}`);
  });

  it('last_operation polls carry operation, plan_id (the pre-update plan) and service_id, and name the user', async () => {
    env = makeEnv();
    env.replies.update = () => json(202, { operation: 'upd op/1' });
    env.replies.instanceLastOp = () => json(200, { state: 'succeeded' });
    await env.platform.start({
      ...provisionOp(env),
      type: 'update',
      planId: 'new-plan',
      body: { previous_values: { plan_id: 'old-plan' } },
    });
    await env.platform.settle();
    const [poll] = env.of('instanceLastOp');
    expect(poll.path).toBe(`/v2/service_instances/${INSTANCE}/last_operation`);
    expect(poll.rawQuery).toBe(`operation=upd+op%2F1&plan_id=old-plan&service_id=${SERVICE_ID}`);
    expect(decodeIdentity(poll.headers['x-broker-api-originating-identity'])).toEqual({ user_id: USER });

    env.replies.bind = () => json(202, {});
    await env.platform.start(bindOp(env));
    await env.platform.settle();
    const [bpoll] = env.of('bindingLastOp');
    expect(bpoll.rawQuery).toBe(`plan_id=${PLAN_ID}&service_id=${SERVICE_ID}`);
    expect(decodeIdentity(bpoll.headers['x-broker-api-originating-identity'])).toEqual({ user_id: USER });
    const [fetch] = env.of('fetchBinding');
    expect(decodeIdentity(fetch.headers['x-broker-api-originating-identity'])).toEqual({ user_id: USER });
    expect(fetch.rawQuery).toBe('');
  });

  it('the journal records each broker call as outbound on cc->broker, tagged, with the secret masked', async () => {
    env = makeEnv();
    env.replies.provision = () => json(202, { operation: 'o' });
    await env.platform.start(provisionOp(env));
    await env.platform.settle();
    const calls = env.kernel.journal.query({ service: 'cc->broker' });
    expect(calls.map((c) => [c.method, c.tags[0]])).toEqual([
      ['PUT', 'provision'],
      ['GET', 'last-operation'],
      ['GET', 'fetch-instance'],
    ]);
    expect(calls.every((c) => c.direction === 'outbound')).toBe(true);
    expect(calls[0].requestHeaders.authorization).toBe('Basic ***');
    expect(calls[0].requestHeaders['x-broker-api-version']).toBe('2.15');
    expect(JSON.parse(calls[0].requestBody!).service_id).toBe(SERVICE_ID);
    expect(calls[1].query).toEqual({ operation: 'o', plan_id: PLAN_ID, service_id: SERVICE_ID });
  });

  it('apiVersion is configurable', async () => {
    env = makeEnv({ apiVersion: '2.17' });
    await env.platform.fetchCatalog(env.broker);
    expect(env.of('catalog')[0].headers['x-broker-api-version']).toBe('2.17');
  });
});
