import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionInfo } from '../../cli/connection-info.js';
import { odbConfigYaml } from '../../cli/odb-config.js';
import { Foundation } from '../../fakes/foundation.js';

let f: Foundation | undefined;
afterEach(async () => f?.close());

describe('fakefoundry odb-config', () => {
  it('points ODB at the director with UAA client credentials and at CC with the admin client', async () => {
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
      authentication: { client_credentials: { client_id: 'cc_admin', client_secret: f.uaa.model.client('cc_admin')!.client_secret } },
    });
  });

  it('uses basic auth when the director is configured for it', async () => {
    f = await Foundation.create({ seed: 'odb', config: { bosh: { auth: { type: 'basic', users: [{ name: 'director', password: 'pw', scopes: ['bosh.admin'] }] } } } });
    const { caPem } = await f.listen();
    const cfg = parse(odbConfigYaml(connectionInfo(f, { caPath: '/x/ca.pem', caPem })));
    expect(cfg.bosh.authentication).toEqual({ basic: { username: 'director', password: 'pw' } });
  });
});
