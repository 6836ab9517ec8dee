import { afterEach, describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';
import type { BoshSimulator } from '../../fakes/bosh/index.js';
import { GoLikeClient, RELEASE, STEMCELL, manifest, waitLikeCli } from './helpers.js';
import { inProcess } from './inprocess.js';

const client = (id: string, authority: string) => ({ client_id: id, client_secret: `${id}-secret`, authorized_grant_types: ['client_credentials'], authorities: [authority] });
const CONFIG = {
  uaa: {
    clients: [
      client('team-a', 'bosh.teams.team-a.admin'),
      client('team-b', 'bosh.teams.team-b.admin'),
      client('team-a-reader', 'bosh.teams.team-a.read'),
      client('reader', 'bosh.read'),
      client('nobody', 'uaa.resource'),
    ],
  },
};

describe('director auth', () => {
  let env: Awaited<ReturnType<typeof inProcess>> | undefined;
  afterEach(async () => env?.f.close());

  async function setup(config: Record<string, unknown> = CONFIG) {
    env = await inProcess('auth', config);
    env.bosh.control.seedRelease(RELEASE);
    env.bosh.control.seedStemcell(STEMCELL);
    return env;
  }
  const bearer = async (e: NonNullable<typeof env>, id: string) => `bearer ${(await e.token(id, `${id}-secret`)).access_token}`;

  it('answers missing and bad credentials with the plain-text 401', async () => {
    const e = await setup();
    for (const auth of [null, 'bearer not-a-jwt', 'Basic YWRtaW46YWRtaW4=', `bearer ${e.admin.split(' ')[1].slice(0, -4)}abcd`]) {
      const res = await e.call('GET', '/deployments', auth);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="BOSH Director"');
      expect(await res.text()).toBe("Not authorized: '/deployments'\n");
    }
    // /info needs nothing, ignores bad credentials, and names the UAA by its in-process URL here.
    const info = await e.call('GET', '/info', 'bearer garbage');
    expect(info.status).toBe(200);
    const body = await info.json();
    expect(body.user).toBeNull();
    expect(body.user_authentication.options.url).toBe(e.urls.uaa);
    expect(e.urls.uaa).toMatch(/^https:\/\/uaa\..+\.fakefoundry\.test$/);
    expect(e.urls.bosh).toMatch(/^https:\/\/bosh\..+\.fakefoundry\.test:25555$/);
  });

  it('checks token expiry on the virtual clock', async () => {
    const e = await setup();
    expect((await e.call('GET', '/deployments')).status).toBe(200);
    await e.f.clock.advance(13 * 3600 * 1000);
    const res = await e.call('GET', '/deployments');
    expect(res.status).toBe(401);
    expect(await res.text()).toBe("Not authorized: '/deployments'\n");
    expect((await (await e.call('GET', '/info')).json()).user).toBeNull();
  });

  it('accepts a bosh_cli password-grant token for the admin user and rejects its refresh token', async () => {
    const e = await setup();
    const password = e.f.uaa.model.userByName('admin')!.password;
    const t = await e.token('bosh_cli', '', `grant_type=password&username=admin&password=${encodeURIComponent(password)}`);
    expect((await (await e.call('GET', '/info', `bearer ${t.access_token}`)).json()).user).toBe('admin');
    expect((await e.call('GET', '/deployments', `bearer ${t.access_token}`)).status).toBe(200);
    expect(t.refresh_token).toBeDefined();
    expect((await e.call('GET', '/deployments', `bearer ${t.refresh_token}`)).status).toBe(401);
  });

  it('answers a missing scope with 401 JSON code 600000 (never 403)', async () => {
    const e = await setup();
    const res = await e.call('GET', '/deployments', await bearer(e, 'nobody'));
    expect(res.status).toBe(401);
    const uuid = e.bosh.model.uuid;
    expect(await res.json()).toEqual({ code: 600000, description: `Require one of the scopes: bosh.admin, bosh.${uuid}.admin, bosh.read, bosh.${uuid}.read` });
    const reader = await bearer(e, 'reader');
    const post = await e.yaml('/deployments', manifest('x'), reader);
    expect(post.status).toBe(401);
    expect(await post.json()).toEqual({ code: 600000, description: `Require one of the scopes: bosh.admin, bosh.${uuid}.admin` });
    expect((await e.call('GET', '/deployments', reader)).status).toBe(200);
  });

  it('fixes a deployment teams from the creator bosh.teams.X.admin scopes and scopes every read by team', async () => {
    const e = await setup();
    const a = await bearer(e, 'team-a');
    const b = await bearer(e, 'team-b');
    const aRead = await bearer(e, 'team-a-reader');
    const uuid = e.bosh.model.uuid;
    const res = await e.yaml('/deployments', manifest('a-dep'), a);
    expect(res.status).toBe(302);
    const id = e.taskId(res);
    // The row exists at once, teams fixed, before the task has even started.
    expect(e.bosh.control.deployment('a-dep')!.teams).toEqual(['team-a']);
    expect(e.bosh.control.task(id).teams).toEqual(['team-a']);
    await e.runTask(id);
    await e.runTask(e.taskId(await e.yaml('/deployments', manifest('admin-dep'))));

    const list = async (auth: string) => ((await (await e.call('GET', '/deployments', auth)).json()) as { name: string; teams: string[] }[]).map((d) => [d.name, d.teams]);
    expect(await list(e.admin)).toEqual([
      ['a-dep', ['team-a']],
      ['admin-dep', []],
    ]);
    expect(await list(a)).toEqual([['a-dep', ['team-a']]]);
    expect(await list(b)).toEqual([]);

    const denied = await e.call('GET', '/deployments/a-dep', b);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({
      code: 600000,
      description: `Require one of the scopes: bosh.admin, bosh.${uuid}.admin, bosh.teams.team-a.admin, bosh.teams.team-a.read, bosh.read, bosh.${uuid}.read`,
    });
    const taskDenied = await e.call('GET', `/tasks/${id}`, b);
    expect(await taskDenied.json()).toEqual({
      code: 600000,
      description: `One of the following scopes is required to access this task: bosh.admin, bosh.${uuid}.admin, bosh.teams.team-a.admin, bosh.teams.team-a.read, bosh.read, bosh.${uuid}.read`,
    });
    // Team read: may read the deployment, may not change it, may not list tasks.
    expect((await e.call('GET', '/deployments/a-dep', aRead)).status).toBe(200);
    const del = await e.call('DELETE', '/deployments/a-dep', aRead);
    expect(del.status).toBe(401);
    expect((await del.json()).description).toBe(`Require one of the scopes: bosh.admin, bosh.${uuid}.admin, bosh.teams.team-a.admin`);
    expect((await e.call('GET', '/tasks', aRead)).status).toBe(401);
    // Tasks are listed per team; a team cannot take over another team's deployment name.
    const aTasks = (await (await e.call('GET', '/tasks?verbose=2', a)).json()) as { deployment: string }[];
    expect(aTasks.map((t) => t.deployment)).toEqual(['a-dep']);
    const takeover = await e.yaml('/deployments', manifest('a-dep'), b);
    expect(takeover.status).toBe(401);
    // A team config is owned by the creator's team and hidden from other teams.
    await e.call('POST', '/configs', a, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'cloud', name: 'a-cc', content: 'vm_types: []\n' }) });
    const aConfigs = (await (await e.call('GET', '/configs?type=cloud', a)).json()) as { name: string; team: string | null }[];
    expect(aConfigs.find((c) => c.name === 'a-cc')!.team).toBe('team-a');
    const bConfigs = (await (await e.call('GET', '/configs?type=cloud', b)).json()) as { name: string }[];
    expect(bConfigs.map((c) => c.name)).not.toContain('a-cc');
    // Deploys see global cloud configs plus their own teams' ones only.
    await e.call('POST', '/configs', a, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'cloud', name: 'a-cc', content: 'vm_types: [{name: team-vm}]\n' }) });
    const own = await e.runTask(e.taskId(await e.yaml('/deployments', manifest('a-dep', { vmType: 'team-vm' }), a)));
    expect(own.state).toBe('done');
    const other = await e.runTask(e.taskId(await e.yaml('/deployments', manifest('admin-dep', { vmType: 'team-vm' }))));
    expect(other.state).toBe('error');
    expect(e.lastEvent(other.id).error).toEqual({ code: 140004, message: "Instance group 'redis-server' references an unknown vm type 'team-vm'" });
  });

  it('basic auth mode: /info says basic, config users authenticate with their scopes', async () => {
    const e = await setup({ bosh: { auth: { type: 'basic', users: [{ name: 'admin', password: 'pw' }, { name: 'ro', password: 'ro-pw', scopes: ['bosh.read'] }] } } });
    const basic = (u: string, p: string) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');
    const info = await (await e.call('GET', '/info', basic('admin', 'pw'))).json();
    expect(info.user_authentication).toEqual({ type: 'basic', options: {} });
    expect(info.user).toBe('admin');
    expect((await e.call('GET', '/deployments', basic('admin', 'wrong'))).status).toBe(401);
    expect((await e.call('GET', '/deployments', basic('admin', ''))).status).toBe(401);
    expect((await e.call('GET', '/deployments', e.admin)).status).toBe(401);
    const res = await e.yaml('/deployments', manifest('d'), basic('admin', 'pw'));
    expect(res.status).toBe(302);
    expect(e.bosh.control.task(e.taskId(res)).user).toBe('admin');
    const ro = await e.yaml('/deployments', manifest('d'), basic('ro', 'ro-pw'));
    expect(ro.status).toBe(401);
    expect((await ro.json()).code).toBe(600000);
  });

  it('basic auth over HTTPS: a Go-like client deploys and polls with Basic on every request', async () => {
    const f = await Foundation.create({ seed: 'basic-net', config: { bosh: { auth: { type: 'basic', users: [{ name: 'admin', password: 'pw' }] } } } });
    try {
      const bosh = f.service<BoshSimulator>('bosh');
      bosh.control.seedRelease(RELEASE);
      bosh.control.seedStemcell(STEMCELL);
      const { urls, caPem } = await f.listen();
      const client = new GoLikeClient(urls.bosh, caPem!, { basic: ['admin', 'pw'] });
      expect((await client.get('/info')).json).toMatchObject({ user: 'admin', user_authentication: { type: 'basic', options: {} } });
      const res = await client.send('POST', '/deployments?', { headers: { 'content-type': 'text/yaml' }, body: manifest('d') });
      const done = await waitLikeCli(f, client, res.json.id);
      expect(done.task).toMatchObject({ state: 'done', user: 'admin' });
      expect(bosh.envLines()).toEqual([`BOSH_ENVIRONMENT=${urls.bosh}`, 'BOSH_CLIENT=admin', 'BOSH_CLIENT_SECRET=pw']);
    } finally {
      await f.close();
    }
  });
});
