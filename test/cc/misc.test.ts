import { describe, expect, it } from 'vitest';
import { connectionInfo, envLines } from '../../cli/connection-info.js';
import type { Foundation } from '../../fakes/foundation.js';
import { ccFoundation, client, closeAfterEach, startTestBroker, type TestBroker, token, waitJob } from './helpers.js';

describe('CC: user-provided instances, sync brokers, metadata, roles, timeouts', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  it('creates user-provided instances and binds them without a broker', async () => {
    const env = await ccFoundation('upsi');
    f = env.f;
    const req = client(env.api, await token(f, { user: 'admin' }));
    const space = env.cc.model.all('spaces')[0];
    const app = env.cc.driver.app(space.guid, 'app');
    const ups = await req('POST', '/v3/service_instances', {
      type: 'user-provided',
      name: 'creds',
      credentials: { password: 'pw' },
      syslog_drain_url: 'syslog://logs.example.com',
      relationships: { space: { data: { guid: space.guid } } },
      metadata: { labels: { tier: 'gold' } },
    });
    expect(ups.status).toBe(201);
    expect(ups.body).toMatchObject({ type: 'user-provided', syslog_drain_url: 'syslog://logs.example.com', metadata: { labels: { tier: 'gold' } } });
    expect(ups.body.links.credentials.href).toBe(`${env.api}/v3/service_instances/${ups.body.guid}/credentials`);
    expect((await req('GET', `/v3/service_instances/${ups.body.guid}/credentials`)).body).toEqual({ password: 'pw' });
    expect((await req('GET', '/v3/service_instances?label_selector=tier=gold')).body.resources).toHaveLength(1);
    expect((await req('GET', '/v3/service_instances?label_selector=tier in (silver)')).body.resources).toHaveLength(0);
    const b = await req('POST', '/v3/service_credential_bindings', {
      type: 'app',
      relationships: { service_instance: { data: { guid: ups.body.guid } }, app: { data: { guid: app.guid } } },
    });
    expect(b.status).toBe(201);
    expect((await req('GET', `/v3/service_credential_bindings/${b.body.guid}/details`)).body).toEqual({ credentials: { password: 'pw' }, syslog_drain_url: 'syslog://logs.example.com' });
    expect((await req('DELETE', `/v3/service_credential_bindings/${b.body.guid}`)).status).toBe(204);
    expect((await req('DELETE', `/v3/service_instances/${ups.body.guid}`)).status).toBe(204);
  });

  it('answers v2 201 when the broker provisions synchronously, and 204 for a synchronous delete', async () => {
    const env = await ccFoundation('sync');
    f = env.f;
    broker = await startTestBroker({ async: false });
    await env.cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    env.cc.driver.enableAccess('test-db');
    const req = client(env.api, await token(f, { client: 'cc_admin' }));
    const space = env.cc.model.all('spaces')[0];
    const plan = env.cc.driver.plan({ offering: 'test-db', plan: 'small' });
    const res = await req('POST', '/v2/service_instances?accepts_incomplete=true', { name: 'db', service_plan_guid: plan.guid, space_guid: space.guid });
    expect(res.status).toBe(201);
    expect(res.body.entity.last_operation).toMatchObject({ type: 'create', state: 'succeeded' });
    expect(res.body.entity.dashboard_url).toBe(`https://dash.example.com/${res.body.metadata.guid}`);
    const del = await req('DELETE', `/v2/service_instances/${res.body.metadata.guid}?accepts_incomplete=true`);
    expect(del.status).toBe(204);
    expect((await req('GET', `/v2/service_instances/${res.body.metadata.guid}`)).status).toBe(404);
  });

  it('refuses space roles for users outside the org, and prints CF_API for `up --env`', async () => {
    const env = await ccFoundation('roles');
    f = env.f;
    f.uaa.model.addUser({ userName: 'stranger', password: 'pw' });
    const req = client(env.api, await token(f, { user: 'admin' }));
    const space = env.cc.model.all('spaces')[0];
    const r = await req('POST', '/v3/roles', { type: 'space_developer', relationships: { user: { data: { username: 'stranger' } }, space: { data: { guid: space.guid } } } });
    expect(r.status).toBe(422);
    expect(r.body.errors[0].detail).toBe("Users cannot be assigned roles in a space if they do not have a role in that space's organization.");
    const orgUser = await req('POST', '/v3/roles', { type: 'organization_user', relationships: { user: { data: { username: 'stranger' } }, organization: { data: { guid: space.org_guid } } } });
    expect(orgUser.status).toBe(201);
    expect((await req('POST', '/v3/roles', { type: 'space_developer', relationships: { user: { data: { username: 'stranger' } }, space: { data: { guid: space.guid } } } })).status).toBe(201);
    const nobody = await req('POST', '/v3/roles', { type: 'organization_user', relationships: { user: { data: { username: 'nobody' } }, organization: { data: { guid: space.org_guid } } } });
    expect(nobody.body.errors[0].detail).toBe("No user exists with the username 'nobody' and origin 'uaa'.");
    // v2 role associations, by guid and by username
    f.uaa.model.addUser({ userName: 'v2user', password: 'pw' });
    const v2user = f.uaa.model.userByName('v2user')!;
    expect((await req('PUT', `/v2/organizations/${space.org_guid}/users/${v2user.id}`)).status).toBe(201);
    expect((await req('PUT', `/v2/spaces/${space.guid}/developers`, { username: 'v2user' })).status).toBe(201);
    const devs = await req('GET', `/v2/spaces/${space.guid}/developers`);
    expect(devs.body.resources.map((u: any) => u.entity.username).sort()).toEqual(['stranger', 'v2user']);
    expect((await req('GET', `/v2/spaces?q=developer_guid:${v2user.id}`)).body.resources.map((s: any) => s.metadata.guid)).toEqual([space.guid]);
    expect((await req('DELETE', `/v2/spaces/${space.guid}/developers/${v2user.id}`)).status).toBe(204);
    expect((await req('GET', `/v2/spaces/${space.guid}/developers`)).body.total_results).toBe(1);
    const lines = envLines(connectionInfo(f, {}));
    expect(lines).toContain(`export CF_API='${env.api}'`);
  });

  it('a broker that never answers a provision: CC times out after 60 s, fails the job and sends a cleanup DELETE', async () => {
    const env = await ccFoundation('hang');
    f = env.f;
    broker = await startTestBroker();
    await env.cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    env.cc.driver.enableAccess('test-db');
    const req = client(env.api, await token(f, { user: 'admin' }));
    const space = env.cc.model.all('spaces')[0];
    const plan = env.cc.driver.plan({ offering: 'test-db', plan: 'small' });
    f.faults.add({ match: { service: 'cc->broker', method: 'PUT' }, action: { type: 'hang' }, times: 1 });
    const t0 = f.clock.now();
    const res = await req('POST', '/v3/service_instances', { type: 'managed', name: 'db', relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: plan.guid } } } });
    const job = await waitJob(env.cc, req, res.headers.get('location')!);
    expect(job.state).toBe('FAILED');
    expect(job.errors[0].detail).toMatch(/timed out/);
    expect(f.clock.now() - t0).toBeGreaterThanOrEqual(60_000);
    await env.cc.driver.settle();
    expect(f.journal.query({ service: 'cc->broker', method: 'DELETE', tag: 'orphan-mitigation' })).toHaveLength(1);
  });
});

describe('CC: recursive deletion of spaces and orgs', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  it('delete-space and delete-org go through the broker for every instance, and fail when the broker refuses', async () => {
    const env = await ccFoundation('delete-org');
    f = env.f;
    const cc = env.cc;
    broker = await startTestBroker({ pollsBeforeDone: 1 });
    await cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    cc.driver.enableAccess('test-db');
    const s1 = cc.driver.space('acme', 's1');
    const s2 = cc.driver.space('acme', 's2');
    const app = cc.driver.app(s1.guid, 'app');
    const { instance: i1 } = await cc.driver.createInstance({ name: 'db', space: s1.guid, plan: { offering: 'test-db', plan: 'small' } });
    await cc.driver.waitForLastOperation(i1.guid);
    await cc.driver.bind(i1.guid, app.guid);
    const { instance: i2 } = await cc.driver.createInstance({ name: 'db', space: s2.guid, plan: { offering: 'test-db', plan: 'small' } });
    await cc.driver.waitForLastOperation(i2.guid);
    const req = client(env.api, await token(f, { user: 'admin' }));

    // the broker refuses to deprovision i2: deleting its space fails, the space stays
    f.faults.add({ match: { service: 'cc->broker', method: 'DELETE', path: `/v2/service_instances/${i2.guid}` }, action: { type: 'status', status: 500, body: '{"description":"no"}' }, times: 1 });
    const ds = await req('DELETE', `/v3/spaces/${s2.guid}`);
    expect(ds.status).toBe(202);
    const dsJob = await waitJob(cc, req, ds.headers.get('location')!);
    expect(dsJob).toMatchObject({ operation: 'space.delete', state: 'FAILED' });
    expect(dsJob.errors[0]).toMatchObject({ title: 'CF-SpaceDeletionFailed', code: 290008 });
    expect(dsJob.errors[0].detail).toBe('Deletion of space s2 failed because one or more resources within could not be deleted.\n\n\tService instance db: Service broker error: no');
    expect((await req('GET', `/v3/spaces/${s2.guid}`)).status).toBe(200);

    // delete-org: unbind, deprovision (async, polled), then spaces, roles, the org
    const dorg = await req('DELETE', `/v3/organizations/${s1.org_guid}`);
    const dorgJob = await waitJob(cc, req, dorg.headers.get('location')!);
    expect(dorgJob).toMatchObject({ operation: 'organization.delete', state: 'COMPLETE' });
    expect(dorgJob.links.organizations).toBeUndefined();
    expect((await req('GET', `/v3/organizations/${s1.org_guid}`)).status).toBe(404);
    expect(cc.model.all('instances')).toHaveLength(0);
    expect(cc.model.all('apps')).toHaveLength(0);
    expect(broker.instances.size).toBe(0);
    // (the refused DELETE was answered by the fault rule, so the broker saw only these)
    const bindingGuid = broker.calls.find((c) => c.method === 'PUT' && c.path.includes('service_bindings'))!.path.split('/').pop();
    expect(broker.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([
      `/v2/service_instances/${i1.guid}/service_bindings/${bindingGuid}`,
      `/v2/service_instances/${i1.guid}`,
      `/v2/service_instances/${i2.guid}`,
    ]);
    expect(f.journal.query({ service: 'cc->broker', method: 'DELETE' })).toHaveLength(4);
  });
});
