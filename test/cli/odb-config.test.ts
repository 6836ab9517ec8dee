import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionInfo } from '../../cli/connection-info.js';
import { odbConfigYaml } from '../../cli/odb-config.js';
import { Foundation } from '../../fakes/foundation.js';

let f: Foundation | undefined;
afterEach(async () => f?.close());

describe('fakefoundry odb-config', () => {
  it('points ODB at the director with UAA client credentials and at CC with the client made for ODB', async () => {
    f = await Foundation.create({ seed: 'odb' });
    const { caPem } = await f.listen();
    const cfg = parse(odbConfigYaml(connectionInfo(f, { caPath: '/x/ca.pem', caPem })));
    expect(cfg.bosh).toEqual({
      url: f.urls.bosh,
      root_ca_cert: caPem,
      authentication: { uaa: { client_credentials: { client_id: 'bosh_admin', client_secret: f.uaa.model.client('bosh_admin')!.client_secret } } },
    });
    expect(cfg.cf.url).toBe(f.urls.cc);
    expect(cfg.cf.uaa).toEqual({
      url: f.urls.uaa,
      authentication: { client_credentials: { client_id: 'odb', client_secret: f.uaa.model.client('odb')!.client_secret } },
    });
  });

  it('the odb client can do what ODB and its errands do: CC as admin, and per-instance UAA clients', async () => {
    f = await Foundation.create({ seed: 'odb' });
    const urls = f.mountInProcess();
    const token = async (id: string) => {
      const res = await fetch(`${urls.uaa}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${btoa(`${id}:${f!.uaa.model.client(id)!.client_secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&token_format=jwt',
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const odb = await token('odb');
    const call = (path: string, bearer: string, init: RequestInit = {}) =>
      fetch(`${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, accept: 'application/json', 'content-type': 'application/json' } });
    // register-broker, upgrade-all and the rest act on CC as an admin.
    expect((await call(`${urls.cc}/v2/service_brokers`, odb)).status).toBe(200);
    // client_definition: create with authorities and the client_credentials grant, look up, delete.
    const created = await call(`${urls.uaa}/oauth/clients`, odb, {
      method: 'POST',
      body: JSON.stringify({ client_id: 'instance-1', client_secret: 's'.repeat(32), scope: ['uaa.none'], authorities: ['cloud_controller.read'], authorized_grant_types: ['client_credentials'], resource_ids: [], name: 'instance-1' }),
    });
    expect(created.status).toBe(201);
    const found = await call(`${urls.uaa}/oauth/clients?count=1&filter=client_id+eq+%22instance-1%22&startIndex=1`, odb);
    expect(found.status).toBe(200);
    expect(((await found.json()) as { totalResults: number }).totalResults).toBe(1);
    expect((await call(`${urls.uaa}/oauth/clients/instance-1`, odb, { method: 'DELETE' })).status).toBe(200);
    // The CC admin client cannot look clients up, as the issue with ODB's updates showed.
    expect((await call(`${urls.uaa}/oauth/clients?count=1&filter=client_id+eq+%22odb%22&startIndex=1`, await token('cc_admin'))).status).toBe(403);
    expect(f.uaa.model.client('odb')).toMatchObject({ authorities: ['cloud_controller.admin', 'clients.admin'], authorized_grant_types: ['client_credentials'] });
  });

  it('uses basic auth when the director is configured for it', async () => {
    f = await Foundation.create({ seed: 'odb', config: { bosh: { auth: { type: 'basic', users: [{ name: 'director', password: 'pw', scopes: ['bosh.admin'] }] } } } });
    const { caPem } = await f.listen();
    const cfg = parse(odbConfigYaml(connectionInfo(f, { caPath: '/x/ca.pem', caPem })));
    expect(cfg.bosh.authentication).toEqual({ basic: { username: 'director', password: 'pw' } });
  });
});
