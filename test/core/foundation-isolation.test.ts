import { afterEach, describe, expect, it } from 'vitest';
import { freshKeys } from '../../fakes/core/keys.js';
import { Foundation } from '../../fakes/foundation.js';

const open: Foundation[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function make(seed: string): Promise<Foundation> {
  // Fresh keys: the suite reuses key material across foundations (FAKEFOUNDRY_KEYS=reuse), and isolation includes keys.
  const f = await Foundation.create({ seed, keys: freshKeys() });
  open.push(f);
  f.mountInProcess();
  return f;
}

async function clientToken(f: Foundation, id: string): Promise<string> {
  const c = f.uaa.model.client(id)!;
  const res = await fetch(`${f.urls.uaa}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64') },
    body: 'grant_type=client_credentials',
  });
  return (await res.json()).access_token;
}

const MANIFEST = `name: orphan
releases: []
stemcells: []
instance_groups: []
`;

describe('two whole foundations in one process', () => {
  it('share nothing: same seed, same ids, but separate state, keys, clocks and journals', async () => {
    const a = await make('same-seed');
    const b = await make('same-seed');
    expect(a.uaa.model.client('cc_admin')!.client_secret).toBe(b.uaa.model.client('cc_admin')!.client_secret);

    a.bosh.control.createDeployment(MANIFEST);
    a.cc.driver.space('org-a', 'space-a');
    await a.clock.advance(3_600_000);
    const ccToken = await clientToken(a, 'cc_admin');

    const boshToken = await clientToken(b, 'bosh_admin');
    const deployments = await (await fetch(`${b.urls.bosh}/deployments`, { headers: { authorization: `Bearer ${boshToken}` } })).json();
    expect(deployments).toEqual([]);
    const orgs = await (await fetch(`${b.urls.cc}/v3/organizations?names=org-a`, { headers: { authorization: `Bearer ${await clientToken(b, 'cc_admin')}` } })).json();
    expect(orgs.resources).toEqual([]);
    expect(b.clock.now()).toBe(a.clock.now() - 3_600_000);
    expect(b.journal.query({ service: 'uaa', path: '/oauth/token' }).length).toBe(2);
    expect(a.journal.query({ service: 'uaa', path: '/oauth/token' }).length).toBe(1);

    // Each UAA has its own signing key: a token from one foundation means nothing to the other.
    const foreign = await fetch(`${b.urls.cc}/v3/organizations`, { headers: { authorization: `Bearer ${ccToken}` } });
    expect(foreign.status).toBe(401);
    const own = await fetch(`${a.urls.cc}/v3/organizations?names=org-a`, { headers: { authorization: `Bearer ${ccToken}` } });
    expect((await own.json()).resources).toHaveLength(1);
  });

  it('snapshot and restore the whole foundation (UAA, BOSH, CC) through the control API', async () => {
    const f = await make('snap');
    const control = `${f.urls.cc}/_fakefoundry`;
    const snap = await (await fetch(`${control}/snapshot`)).json();
    const before = await (await fetch(`${control}/state`)).json();

    f.bosh.control.createDeployment(MANIFEST);
    f.cc.driver.space('later-org', 'later-space');
    f.uaa.rotateKey();
    const changed = await (await fetch(`${control}/state`)).json();
    expect(changed).not.toEqual(before);

    expect((await fetch(`${control}/restore`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(snap) })).status).toBe(204);
    expect(await (await fetch(`${control}/state`)).json()).toEqual(before);
  });
});
