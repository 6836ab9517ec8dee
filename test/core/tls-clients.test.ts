import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';
import { listen, type NetworkServer } from '../../fakes/core/mount-network.js';
import { echoFactory } from './echo-fake.js';

const run = promisify(execFile);
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

describe('TLS as Go clients need it', () => {
  it('verifies with the exported CA under TLS 1.2 with ECDHE-RSA-AES-GCM (the only suites bosh-cli offers there) and an IP SAN', async () => {
    const f = await Foundation.create({ factories: [echoFactory()] });
    open.push(f);
    const { urls, caPem } = await f.listen();
    const dir = mkdtempSync(path.join(tmpdir(), 'ff-tls-'));
    const caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, caPem!);
    const port = new URL(urls.echo).port;
    for (const cipher of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384']) {
      const { stdout } = await run('bash', [
        '-c',
        `echo | openssl s_client -connect 127.0.0.1:${port} -tls1_2 -cipher ${cipher} -CAfile ${caFile} -verify_return_error -verify_ip 127.0.0.1 2>&1`,
      ]);
      expect(stdout).toContain('Verify return code: 0 (ok)');
      expect(stdout).toContain(cipher);
    }
    const { stdout: tls13 } = await run('bash', [
      '-c',
      `echo | openssl s_client -connect localhost:${port} -tls1_3 -CAfile ${caFile} -verify_return_error -verify_hostname localhost 2>&1`,
    ]);
    expect(tls13).toContain('Verify return code: 0 (ok)');
  });
});

describe('requests for hosts that are not ours', () => {
  let other: NetworkServer;
  const outside = async () => {
    const app = new Hono();
    app.get('/', (c) => c.text('outside'));
    other = await listen(app);
    open.push(other);
    return other.url;
  };

  it('pass through by default', async () => {
    const url = await outside();
    const f = await Foundation.create({ factories: [echoFactory()] });
    open.push(f);
    f.mountInProcess();
    expect(await (await fetch(url)).text()).toBe('outside');
  });

  it('fail when the foundation is mounted with unhandled: error', async () => {
    const url = await outside();
    const f = await Foundation.create({ factories: [echoFactory()] });
    open.push(f);
    f.mountInProcess({ unhandled: 'error' });
    await expect(fetch(url)).rejects.toThrow();
  });
});
