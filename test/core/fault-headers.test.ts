import { afterEach, describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';

let f: Foundation | undefined;
afterEach(async () => f?.close());

describe('fault responses carry the headers each fake puts on every response', () => {
  it('a raw-body fault on the director still has the clock’s Date and the auth challenge', async () => {
    f = await Foundation.create({ seed: 'fh' });
    const urls = f.mountInProcess();
    f.faults.add({ match: { service: 'bosh', path: '/deployments' }, action: { type: 'status', status: 503, body: 'upstream gone', contentType: 'text/plain' } });
    const res = await fetch(`${urls.bosh}/deployments`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('upstream gone');
    expect(res.headers.get('date')).toBe(f.clock.date().toUTCString());
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="BOSH Director"');
  });

  it('a raw-body fault on the Cloud Controller still has an X-VCAP-Request-ID', async () => {
    f = await Foundation.create({ seed: 'fh' });
    const urls = f.mountInProcess();
    f.faults.add({ match: { service: 'cc', path: '/v3/info' }, action: { type: 'status', status: 502, body: '<html>bad gateway</html>', contentType: 'text/html' } });
    const res = await fetch(`${urls.cc}/v3/info`, { headers: { 'x-vcap-request-id': 'abc-123' } });
    expect(res.status).toBe(502);
    expect(res.headers.get('x-vcap-request-id')).toMatch(/^abc-123::[0-9a-f-]{36}$/);
  });

  it('a reset fault stays a dropped connection', async () => {
    f = await Foundation.create({ seed: 'fh' });
    const urls = f.mountInProcess();
    f.faults.add({ match: { service: 'cc', path: '/v3/info' }, action: { type: 'reset' } });
    await expect(fetch(`${urls.cc}/v3/info`)).rejects.toThrow();
  });
});
