import { describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { ccFoundation, client, closeAfterEach, startTestBroker, type TestBroker, token } from './helpers.js';

describe('CC v3 pagination and errors', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  it('paginates with absolute links, default 50 and maximum 5000 per page', async () => {
    const env = await ccFoundation('pages3');
    f = env.f;
    broker = await startTestBroker();
    const cc = env.cc;
    await cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    const plan = cc.driver.plan({ offering: 'test-db', plan: 'small' });
    const space = cc.model.all('spaces')[0];
    for (let i = 0; i < 120; i++) {
      cc.model.addInstance({ name: `si-${String(i).padStart(3, '0')}`, type: 'managed', space_guid: space.guid, plan_guid: plan.guid, tags: [], dashboard_url: null, maintenance_info: null, last_operation: null });
      await f.clock.advance(1000);
    }
    const req = client(env.api, await token(f, { client: 'cc_admin' }));
    const p1 = await req('GET', `/v3/service_instances?space_guids=${space.guid}`);
    expect(p1.body.pagination).toEqual({
      total_results: 120,
      total_pages: 3,
      first: { href: `${env.api}/v3/service_instances?page=1&per_page=50&space_guids=${space.guid}` },
      last: { href: `${env.api}/v3/service_instances?page=3&per_page=50&space_guids=${space.guid}` },
      next: { href: `${env.api}/v3/service_instances?page=2&per_page=50&space_guids=${space.guid}` },
      previous: null,
    });
    expect(p1.body.resources).toHaveLength(50);
    const p3 = await req('GET', p1.body.pagination.last.href.slice(env.api.length));
    expect(p3.body.resources).toHaveLength(20);
    expect(p3.body.pagination.next).toBeNull();
    expect(p3.body.pagination.previous.href).toContain('page=2');
    const big = await req('GET', '/v3/service_instances?per_page=5000');
    expect(big.body.resources).toHaveLength(120);
    const desc = await req('GET', '/v3/service_instances?order_by=-name&per_page=2');
    expect(desc.body.resources.map((r: any) => r.name)).toEqual(['si-119', 'si-118']);
    const byTime = await req('GET', `/v3/service_instances?created_ats[lt]=${new Date(cc.model.all('instances')[2].created_at).toISOString().replace(/\.\d{3}Z/, 'Z')}`);
    expect(byTime.body.resources.map((r: any) => r.name)).toEqual(['si-000', 'si-001']);
    const empty = await req('GET', '/v3/service_instances?names=nope');
    expect(empty.body.pagination).toMatchObject({ total_results: 0, total_pages: 1, next: null });

    for (const [q, detail] of [
      ['per_page=5001', 'The query parameter is invalid: Per page must be between 1 and 5000'],
      ['per_page=0', 'The query parameter is invalid: Per page must be between 1 and 5000'],
      // PaginationOptions validations (numericality, greater_than: 0)
      ['page=0', 'The query parameter is invalid: Page must be greater than 0'],
      ['page=-3', 'The query parameter is invalid: Page must be greater than 0'],
      ['page=abc', 'The query parameter is invalid: Page is not a number'],
      ['page=1.5', 'The query parameter is invalid: Page must be an integer'],
      ['order_by=color', "The query parameter is invalid: Order by can only be: 'created_at', 'updated_at', 'name'"],
    ]) {
      const r = await req('GET', `/v3/service_instances?${q}`);
      expect(r.status).toBe(400);
      expect(r.body.errors[0]).toEqual({ detail, title: 'CF-BadQueryParameter', code: 10005 });
    }
    const unknown = await req('GET', '/v3/service_instances?colour=blue');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].detail).toMatch(/^The query parameter is invalid: Unknown query parameter\(s\): 'colour'\. Valid parameters are: /);
  });

  it('returns CC errors for unknown guids, bad JSON, validation failures and unknown routes, never a 500', async () => {
    const env = await ccFoundation('errors');
    f = env.f;
    const req = client(env.api, await token(f, { client: 'cc_admin' }));
    const nf = await req('GET', '/v3/service_instances/does-not-exist');
    expect(nf.status).toBe(404);
    expect(nf.body).toEqual({ errors: [{ detail: 'Service instance not found', title: 'CF-ResourceNotFound', code: 10010 }] });
    const nf2 = await req('GET', '/v2/service_instances/does-not-exist');
    expect(nf2.body).toEqual({ description: 'The service instance could not be found: does-not-exist', error_code: 'CF-ServiceInstanceNotFound', code: 60004 });
    const nfb = await req('GET', '/v2/service_brokers/nope');
    expect(nfb.body.error_code).toBe('CF-ServiceBrokerNotFound');
    const parse = await req('POST', '/v3/service_instances', '{"type":', { 'content-type': 'application/json' });
    expect(parse.status).toBe(400);
    expect(parse.body.errors[0]).toEqual({ detail: 'Request invalid due to parse error: invalid request body', title: 'CF-MessageParseError', code: 1001 });
    const parse2 = await req('POST', '/v2/service_instances', 'nope', { 'content-type': 'application/json' });
    expect(parse2.status).toBe(400);
    expect(parse2.body.error_code).toBe('CF-MessageParseError');
    const missing = await req('POST', '/v2/service_instances', {});
    expect(missing.body).toMatchObject({ error_code: 'CF-MessageParseError', code: 1001 });
    const space = (await req('GET', '/v3/spaces')).body.resources[0];
    const badPlan = await req('POST', '/v3/service_instances', { type: 'managed', name: 'x', relationships: { space: { data: { guid: space.guid } }, service_plan: { data: { guid: 'nope' } } } });
    expect(badPlan.status).toBe(422);
    expect(badPlan.body.errors[0]).toEqual({
      detail: 'Invalid service plan. Ensure that the service plan exists, is available, and you have access to it.',
      title: 'CF-UnprocessableEntity',
      code: 10008,
    });
    const badType = await req('POST', '/v3/service_instances', { type: 'other', name: 'x' });
    expect(badType.status).toBe(422);
    const badBroker = await req('POST', '/v3/service_brokers', { name: 'b', url: 'not a url', authentication: { type: 'basic', credentials: { username: 'u', password: 'p' } } });
    expect(badBroker.status).toBe(422);
    const route = await req('GET', '/v3/nothing-here');
    expect(route.status).toBe(404);
    expect(route.body.errors[0]).toEqual({ detail: 'Unknown request', title: 'CF-NotFound', code: 10000 });
    const route2 = await req('GET', '/v2/nothing-here');
    expect(route2.body).toEqual({ description: 'Unknown request', error_code: 'CF-NotFound', code: 10000 });
    const job = await req('GET', '/v3/jobs/nope');
    expect(job.body.errors[0].title).toBe('CF-ResourceNotFound');
  });

  it('refuses a broker whose catalog is invalid (v2 synchronously, v3 on the job) and keeps the v3 row as SYNCHRONIZATION_FAILED', async () => {
    const env = await ccFoundation('catalog');
    f = env.f;
    broker = await startTestBroker({ catalog: { services: [] } });
    const req = client(env.api, await token(f, { client: 'cc_admin' }));
    const v2 = await req('POST', '/v2/service_brokers', { name: 'bad', broker_url: broker.url, auth_username: 'u', auth_password: 'p' });
    expect(v2.status).toBe(502);
    expect(v2.body).toMatchObject({ error_code: 'CF-ServiceBrokerCatalogInvalid', code: 270012 });
    expect(v2.body.description).toContain('Service broker must provide at least one service');
    expect((await req('GET', '/v2/service_brokers')).body.total_results).toBe(0);
    const v3 = await req('POST', '/v3/service_brokers', { name: 'bad', url: broker.url, authentication: { type: 'basic', credentials: { username: 'u', password: 'p' } } });
    expect(v3.status).toBe(202);
    const jobGuid = v3.headers.get('location')!.split('/').pop()!;
    const job = await env.cc.driver.waitForJob(jobGuid);
    expect(job.state).toBe('FAILED');
    expect(job.errors[0]).toMatchObject({ title: 'CF-ServiceBrokerCatalogInvalid', code: 270012 });
    expect(env.cc.model.all('brokers').map((b) => b.state)).toEqual(['SYNCHRONIZATION_FAILED']);
    const dup = await req('POST', '/v3/service_brokers', { name: 'bad', url: broker.url, authentication: { type: 'basic', credentials: { username: 'u', password: 'p' } } });
    expect(dup.status).toBe(422);
    expect(dup.body.errors[0].detail).toBe('Name must be unique');
  });
});
