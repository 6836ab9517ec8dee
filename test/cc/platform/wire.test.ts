import { afterEach, describe, expect, it } from 'vitest';
import { buildBindBody, buildProvisionBody, buildUpdateBody } from '../../../fakes/cc/platform/body-builders.js';
import { BINDING, INSTANCE, PLAN_ID, SERVICE_ID, USER, bindOp, json, makeEnv, provisionOp, type Env } from './helpers.js';

const orgSpace = {
  organizationGuid: 'org-1',
  organizationName: 'my-org',
  spaceGuid: 'space-1',
  spaceName: 'my-space',
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
    const body = buildProvisionBody({
      ...orgSpace,
      instanceName: 'my-db',
      parameters: { size: 3 },
      maintenanceInfo: { version: '1.0.0' },
    });
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
    expect(Object.keys(req.json!)).toEqual(['service_id', 'plan_id', 'organization_guid', 'space_guid', 'context', 'parameters', 'maintenance_info']);
    expect(req.json).toEqual({
      service_id: SERVICE_ID,
      plan_id: PLAN_ID,
      organization_guid: 'org-1',
      space_guid: 'space-1',
      context: {
        platform: 'cloudfoundry',
        organization_guid: 'org-1',
        space_guid: 'space-1',
        organization_name: 'my-org',
        space_name: 'my-space',
        organization_annotations: {},
        space_annotations: {},
        instance_name: 'my-db',
        instance_annotations: {},
      },
      parameters: { size: 3 },
      maintenance_info: { version: '1.0.0' },
    });
  });

  it('provision without parameters or maintenance_info leaves both out; no user means no originating identity', async () => {
    env = makeEnv();
    await env.platform.start(provisionOp(env, { userGuid: undefined, body: buildProvisionBody({ ...orgSpace, instanceName: 'x', parameters: {} }) }));
    const [req] = env.of('provision');
    expect(req.json).not.toHaveProperty('parameters');
    expect(req.json).not.toHaveProperty('maintenance_info');
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

  it('update: PATCH with previous_values, context without instance_annotations, parameters always sent', async () => {
    env = makeEnv();
    const body = buildUpdateBody({
      ...orgSpace,
      instanceName: 'renamed',
      previousPlanId: 'old-plan',
      previousServiceId: SERVICE_ID,
      previousMaintenanceInfo: { version: '1.0.0' },
      maintenanceInfo: { version: '2.0.0' },
    });
    await env.platform.start({ ...provisionOp(env), type: 'update', body });
    const [req] = env.of('update');
    expect(req.method).toBe('PATCH');
    expect(req.rawQuery).toBe('accepts_incomplete=true');
    expect(req.json).toEqual({
      service_id: SERVICE_ID,
      plan_id: PLAN_ID,
      previous_values: { plan_id: 'old-plan', service_id: SERVICE_ID, organization_id: 'org-1', space_id: 'space-1', maintenance_info: { version: '1.0.0' } },
      context: {
        platform: 'cloudfoundry',
        organization_guid: 'org-1',
        space_guid: 'space-1',
        organization_name: 'my-org',
        space_name: 'my-space',
        organization_annotations: {},
        space_annotations: {},
        instance_name: 'renamed',
      },
      parameters: {},
      maintenance_info: { version: '2.0.0' },
    });
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

  it('bind (app), service key and route binding bodies', async () => {
    env = makeEnv();
    await env.platform.start(
      bindOp(env, { body: buildBindBody({ ...orgSpace, target: { kind: 'app', appGuid: 'app-1' }, parameters: { p: 1 } }) }),
    );
    await env.platform.start(
      bindOp(env, { resource: 'service_key', bindingGuid: 'key-1', body: buildBindBody({ ...orgSpace, target: { kind: 'key', credentialClientId: 'cc_service_key_client' } }) }),
    );
    await env.platform.start(
      bindOp(env, {
        resource: 'route_binding',
        bindingGuid: 'rb-1',
        serviceRequires: ['route_forwarding'],
        body: buildBindBody({ ...orgSpace, target: { kind: 'route', route: 'app.example.com' } }),
      }),
    );
    const [app, key, route] = env.of('bind');
    const ctx = {
      platform: 'cloudfoundry',
      organization_guid: 'org-1',
      space_guid: 'space-1',
      organization_name: 'my-org',
      space_name: 'my-space',
      organization_annotations: {},
      space_annotations: {},
    };
    expect(app.rawQuery).toBe('accepts_incomplete=true');
    expect(app.json).toEqual({
      service_id: SERVICE_ID,
      plan_id: PLAN_ID,
      app_guid: 'app-1',
      bind_resource: { app_guid: 'app-1', space_guid: 'space-1', app_annotations: {} },
      context: ctx,
      parameters: { p: 1 },
    });
    expect(key.path).toBe(`/v2/service_instances/${INSTANCE}/service_bindings/key-1`);
    expect(key.json).toEqual({ service_id: SERVICE_ID, plan_id: PLAN_ID, bind_resource: { credential_client_id: 'cc_service_key_client' }, context: ctx });
    expect(route.json).toEqual({ service_id: SERVICE_ID, plan_id: PLAN_ID, bind_resource: { route: 'app.example.com' }, context: ctx });
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
