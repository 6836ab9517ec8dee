import { SignJWT, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { ccFoundation, client, token } from './helpers.js';

describe('CC auth', () => {
  let f: Foundation | undefined;
  afterEach(async () => f?.close());

  it('serves /, /v2/info, /v3/info without a token, pointing at the fake UAA', async () => {
    const env = await ccFoundation();
    f = env.f;
    const req = client(env.api);
    const root = await req('GET', '/');
    expect(root.status).toBe(200);
    expect(root.body.links.self.href).toBe(env.api);
    expect(root.body.links.uaa.href).toBe(f.urls.uaa);
    expect(root.body.links.login.href).toBe(f.urls.uaa);
    expect(root.body.links.cloud_controller_v3.href).toBe(`${env.api}/v3`);
    const v2 = await req('GET', '/v2/info');
    expect(v2.body).toMatchObject({ api_version: '2.293.0', osbapi_version: '2.15', authorization_endpoint: f.urls.uaa, token_endpoint: f.urls.uaa });
    const v3 = await req('GET', '/v3/info');
    expect(v3.body).toMatchObject({ osbapi_version: '2.15', links: { self: { href: `${env.api}/v3/info` } } });
  });

  it('answers 401 CF-NotAuthenticated without a token and CF-InvalidAuthToken for bad ones, in v2 and v3 formats', async () => {
    const env = await ccFoundation();
    f = env.f;
    const none = await client(env.api)('GET', '/v3/organizations');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ errors: [{ detail: 'Authentication error', title: 'CF-NotAuthenticated', code: 10002 }] });
    const none2 = await client(env.api)('GET', '/v2/organizations');
    expect(none2.body).toEqual({ description: 'Authentication error', error_code: 'CF-NotAuthenticated', code: 10002 });
    const junk = await client(env.api, 'not-a-jwt')('GET', '/v3/organizations');
    expect(junk.status).toBe(401);
    expect(junk.body.errors[0]).toEqual({ detail: 'Invalid Auth Token', title: 'CF-InvalidAuthToken', code: 1000 });

    // signed by someone else
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ scope: ['cloud_controller.admin'], aud: ['cloud_controller'], iss: `${f.urls.uaa}/oauth/token` })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setExpirationTime(f.clock.nowSeconds() + 600)
      .sign(privateKey);
    expect((await client(env.api, forged)('GET', '/v2/organizations')).body.error_code).toBe('CF-InvalidAuthToken');

    // expiry on the virtual clock
    const t = await token(f, { client: 'cc_admin' });
    expect((await client(env.api, t)('GET', '/v3/organizations')).status).toBe(200);
    await f.clock.advance(13 * 3600 * 1000);
    expect((await client(env.api, t)('GET', '/v3/organizations')).status).toBe(401);
  });

  it('refuses tokens without the cloud_controller audience and refresh tokens', async () => {
    const env = await ccFoundation();
    f = env.f;
    const bosh = await token(f, { client: 'bosh_admin' });
    expect((await client(env.api, bosh)('GET', '/v3/organizations')).status).toBe(401);
    const res = await fetch(`${f.urls.uaa}/oauth/token`, {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from('cf:').toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=password&username=admin&password=${encodeURIComponent(f.uaa.model.userByName('admin')!.password)}`,
    });
    const { refresh_token } = (await res.json()) as { refresh_token: string };
    expect((await client(env.api, refresh_token)('GET', '/v3/organizations')).status).toBe(401);
  });

  it('403s writes without cloud_controller.write and limits non-admins to their spaces', async () => {
    const env = await ccFoundation();
    f = env.f;
    const cc = env.cc;
    f.uaa.model.addUser({ userName: 'dev', password: 'pw', groups: [] });
    f.uaa.model.addUser({ userName: 'reader', password: 'pw' });
    const devToken = await token(f, { user: 'dev', password: 'pw' });
    const dev = client(env.api, devToken);
    // no roles yet: sees no orgs, cannot create one
    expect((await dev('GET', '/v3/organizations')).body.resources).toHaveLength(0);
    const create = await dev('POST', '/v3/organizations', { name: 'mine' });
    expect(create.status).toBe(403);
    expect(create.body.errors[0]).toEqual({ detail: 'You are not authorized to perform the requested action', title: 'CF-NotAuthorized', code: 10003 });
    const v2create = await dev('POST', '/v2/organizations', { name: 'mine' });
    expect(v2create.body).toEqual({ description: 'You are not authorized to perform the requested action', error_code: 'CF-NotAuthorized', code: 10003 });
    // a space developer sees the space and its org
    const space = cc.model.all('spaces')[0];
    cc.driver.user('dev', [{ type: 'space_developer', space: space.guid }]);
    const spaces = await dev('GET', '/v3/spaces');
    expect(spaces.body.resources.map((s: any) => s.guid)).toEqual([space.guid]);
    expect((await dev('GET', '/v3/organizations')).body.resources).toHaveLength(1);
    const other = cc.driver.space('other-org', 'other');
    expect((await dev('GET', `/v3/spaces/${other.guid}`)).status).toBe(404);
    // a user without cloud_controller.write cannot write at all
    const uaaUser = f.uaa.model.userByName('reader')!;
    const writeGroup = f.uaa.model.groupByName('cloud_controller.write');
    if (writeGroup) writeGroup.members = writeGroup.members.filter((mm) => mm.value !== uaaUser.id);
    const reader = client(env.api, await token(f, { user: 'reader', password: 'pw' }));
    cc.driver.user('reader', [{ type: 'space_developer', space: space.guid }]);
    const w = await reader('POST', '/v3/apps', { name: 'x', relationships: { space: { data: { guid: space.guid } } } });
    expect(w.status).toBe(403);
    expect((await reader('GET', '/v3/spaces')).status).toBe(200);
  });
});
