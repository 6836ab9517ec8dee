import { createAdaptorServer } from '@hono/node-server';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { ccFoundation, token } from './helpers.js';

/** The CC app behind plain node:http (supertest), as a test harness might mount it. */
describe('CC app over node:http', () => {
  let f: Foundation | undefined;
  afterEach(async () => f?.close());

  it('answers info, auth errors and lists through @hono/node-server', async () => {
    const env = await ccFoundation('supertest');
    f = env.f;
    const server = createAdaptorServer({ fetch: env.cc.app.fetch });
    const info = await request(server).get('/v3/info').expect(200);
    expect(info.headers['content-type']).toMatch(/^application\/json/);
    expect(info.body.osbapi_version).toBe('2.15');
    const denied = await request(server).get('/v2/service_brokers').expect(401);
    expect(denied.body.error_code).toBe('CF-NotAuthenticated');
    const t = await token(f, { client: 'cc_admin' });
    const orgs = await request(server).get('/v2/organizations?q=name:system').set('Authorization', `bearer ${t}`).expect(200);
    expect(orgs.body.resources[0].entity.name).toBe('system');
    expect(orgs.headers['x-vcap-request-id']).toBeTruthy();
    const form = await request(server)
      .put(`/v2/organizations/${orgs.body.resources[0].metadata.guid}/users/not-a-user`)
      .set('Authorization', `bearer ${t}`)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('');
    expect(form.status).toBe(404);
    expect(form.body.error_code).toBe('CF-UserNotFound');
  });
});
