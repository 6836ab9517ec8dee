import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');

describe('UAA smoke', () => {
  let f: Foundation | undefined;
  afterEach(async () => f?.close());

  it('issues a client-credentials JWT that verifies against /token_keys in-process', async () => {
    f = await Foundation.create({ seed: 's1' });
    const urls = f.mountInProcess();
    const client = f.uaa.model.client('cc_admin')!;
    const res = await fetch(`${urls.uaa}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.token_type).toBe('bearer');
    const oidc = await (await fetch(`${urls.uaa}/.well-known/openid-configuration`)).json();
    const jwks = createRemoteJWKSet(new URL(oidc.jwks_uri));
    const { payload } = await jwtVerify(body.access_token, jwks, { issuer: oidc.issuer, currentDate: f.clock.date() });
    expect(payload.aud).toContain('cloud_controller');
    expect(payload.sub).toBe('cc_admin');
  });

  it('serves HTTPS with its CA', async () => {
    f = await Foundation.create({ seed: 's1' });
    const { urls, caPem } = await f.listen();
    expect(urls.uaa.startsWith('https://127.0.0.1:')).toBe(true);
    const https = await import('node:https');
    const body = await new Promise<string>((resolve, reject) => {
      https.get(`${urls.uaa}/token_keys`, { ca: caPem }, (r) => {
        let d = '';
        r.on('data', (x) => (d += x));
        r.on('end', () => resolve(d));
      }).on('error', reject);
    });
    expect(JSON.parse(body).keys[0].value).toContain('BEGIN PUBLIC KEY');
  });
});
