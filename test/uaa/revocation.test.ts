import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UaaHarness, expectUaaError } from './harness.js';

/** Who may revoke or list whose tokens, case by case (TokenRevocationEndpoint and its security chain). */
describe('token revocation and listing rights', () => {
  let h: UaaHarness;
  beforeEach(async () => {
    h = await UaaHarness.start('in-process');
    h.uaa.model.addClient({ client_id: 'revoker', client_secret: 's', authorities: ['tokens.revoke'] });
    h.uaa.model.addClient({ client_id: 'lister', client_secret: 's', authorities: ['tokens.list'] });
    h.uaa.model.addClient({ client_id: 'uaaadm', client_secret: 's', authorities: ['uaa.admin'] });
    h.uaa.model.addClient({ client_id: 'both', client_secret: 's', authorized_grant_types: ['client_credentials', 'password'], scope: ['openid'], authorities: ['uaa.none'] });
    h.uaa.model.addUser({ userName: 'u', password: 'pw' });
    h.uaa.model.addUser({ userName: 'v', password: 'pw' });
  });
  afterEach(async () => h.close());

  const opaqueLogin = async (user: string, client: [string, string] = ['cf', '']) => {
    const res = await h.token({ grant_type: 'password', username: user, password: 'pw', token_format: 'opaque' }, client);
    expect(res.status, res.text).toBe(200);
    return res.json as { access_token: string; refresh_token: string };
  };
  const opaqueClient = async (id: string) => {
    const res = await h.token({ grant_type: 'client_credentials', token_format: 'opaque' }, [id, 's']);
    expect(res.status, res.text).toBe(200);
    return res.json.access_token as string;
  };
  const stored = (token: string) => h.uaa.model.storedToken(token) !== undefined;
  const id = (name: string) => h.uaa.model.userByName(name)!.id;

  it('tokens.revoke alone, or uaa.admin alone, may revoke a user’s tokens', async () => {
    for (const client of ['revoker', 'uaaadm']) {
      expect((await h.request(`/oauth/token/revoke/user/${id('u')}`, { bearer: await h.clientToken(client) })).status).toBe(200);
    }
    expectUaaError(await h.request(`/oauth/token/revoke/user/${id('u')}`, { bearer: await h.clientToken('lister') }), 403, 'access_denied');
  });

  it('revoke by user and client: the user (with another client) or the client (for another user) may', async () => {
    const viaCf = await opaqueLogin('u');
    const viaBosh = await opaqueLogin('u', ['bosh_cli', '']);
    // The user itself, holding a token of another client.
    expect((await h.request(`/oauth/token/revoke/user/${id('u')}/client/cf`, { bearer: viaBosh.access_token })).status).toBe(200);
    expect(stored(viaCf.access_token)).toBe(false);
    expect(stored(viaBosh.access_token)).toBe(true);
    // The client itself, holding another user's token.
    const again = await opaqueLogin('u');
    const vViaCf = await opaqueLogin('v');
    expect((await h.request(`/oauth/token/revoke/user/${id('u')}/client/cf`, { bearer: vViaCf.access_token })).status).toBe(200);
    expect(stored(again.access_token)).toBe(false);
    // Neither: another user through another client.
    const vViaBosh = await opaqueLogin('v', ['bosh_cli', '']);
    expectUaaError(await h.request(`/oauth/token/revoke/user/${id('u')}/client/cf`, { bearer: vViaBosh.access_token }), 403, 'access_denied');
  });

  it('DELETE by id: a client its own client tokens, a user their own tokens; a client not its users’ tokens', async () => {
    const t1 = await opaqueClient('both');
    const t2 = await opaqueClient('both');
    expect((await h.request(`/oauth/token/revoke/${t2}`, { method: 'DELETE', bearer: t1 })).status).toBe(200);
    expect(stored(t2)).toBe(false);
    const userToken = await opaqueLogin('u', ['both', 's']);
    expectUaaError(await h.request(`/oauth/token/revoke/${userToken.access_token}`, { method: 'DELETE', bearer: t1 }), 403, 'access_denied');
    const other = await opaqueLogin('u');
    expect((await h.request(`/oauth/token/revoke/${userToken.access_token}`, { method: 'DELETE', bearer: other.access_token })).status).toBe(200);
    expect(stored(userToken.access_token)).toBe(false);
    // tokens.revoke may revoke anyone's.
    expect((await h.request(`/oauth/token/revoke/${other.access_token}`, { method: 'DELETE', bearer: await h.clientToken('revoker') })).status).toBe(200);
    expect(stored(other.access_token)).toBe(false);
  });

  it('lists: own tokens are the user’s with the presenting client; by user or client only those; expired ones never', async () => {
    const uCf = await opaqueLogin('u');
    const uBosh = await opaqueLogin('u', ['bosh_cli', '']);
    const vCf = await opaqueLogin('v');
    const ids = (res: { json: Array<{ tokenId: string }> }) => res.json.map((t) => t.tokenId).sort();
    const own = await h.request('/oauth/token/list', { bearer: uCf.access_token });
    expect(ids(own)).toEqual([uCf.access_token, uCf.refresh_token].sort());
    for (const lister of ['lister', 'uaaadm']) {
      const bearer = await h.clientToken(lister);
      const byUser = await h.request(`/oauth/token/list/user/${id('u')}`, { bearer });
      expect(ids(byUser)).toEqual([uCf.access_token, uCf.refresh_token, uBosh.access_token, uBosh.refresh_token].sort());
      const byClient = await h.request('/oauth/token/list/client/bosh_cli', { bearer });
      expect(ids(byClient)).toEqual([uBosh.access_token, uBosh.refresh_token].sort());
    }
    expectUaaError(await h.request(`/oauth/token/list/user/${id('u')}`, { bearer: await h.clientToken('revoker') }), 403, 'insufficient_scope');
    const refresh = (await h.request(`/oauth/token/list/user/${id('v')}`, { bearer: await h.clientToken('lister') })).json.find(
      (t: { tokenId: string }) => t.tokenId === vCf.refresh_token,
    );
    expect(refresh).toMatchObject({ responseType: 'REFRESH_TOKEN', clientId: 'cf', userId: id('v') });
    expect(refresh.scope.split(' ')).toContain('openid');
    // cf access tokens live 7200 s, refresh tokens 14 days: past the first, only refresh tokens are listed.
    await h.f.clock.advance(7_201_000);
    const later = await h.request('/oauth/token/list/client/cf', { bearer: await h.clientToken('lister') });
    expect(ids(later)).toEqual([uCf.refresh_token, vCf.refresh_token].sort());
  });
});
