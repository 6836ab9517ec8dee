import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Foundation } from '../../fakes/foundation.js';
import type { BoshSimulator } from '../../fakes/bosh/index.js';
import { createBroker, type Broker, type BrokerConfig } from '../../broker-under-test/index.js';
import { RELEASE, STEMCELL, brokerSections } from './harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADAPTER = path.join(import.meta.dirname, 'fixtures/tiny-redis-adapter.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'ff-broker-net-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The config a user writes for the fakes served on the network: HTTPS, the foundation's CA, UAA auth. */
function networkConfig(f: Foundation, caPem: string, port: number): BrokerConfig {
  const bosh = f.uaa.model.client('bosh_admin')!;
  const cc = f.uaa.model.client('cc_admin')!;
  const sections = brokerSections();
  return {
    ...sections,
    broker: { ...sections.broker, port },
    service_adapter: { path: ADAPTER },
    bosh: {
      // ODB ignores the scheme and always speaks HTTPS.
      url: f.urls.bosh!.replace(/^https:/, 'http:'),
      root_ca_cert: caPem,
      authentication: { uaa: { client_credentials: { client_id: bosh.client_id, client_secret: bosh.client_secret! } } },
    },
    cf: {
      url: f.urls.cc!,
      root_ca_cert: caPem,
      uaa: { url: f.urls.uaa!, authentication: { client_credentials: { client_id: cc.client_id, client_secret: cc.client_secret! } } },
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let f: Foundation | undefined;
let broker: Broker | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await broker?.close();
  broker = undefined;
  await f?.close();
});

async function networkFoundation(seed: string) {
  f = await Foundation.create({ seed, clockMode: 'virtual' });
  const { caPem } = await f.listen();
  const bosh = f.service<BoshSimulator>('bosh');
  bosh.control.seedRelease(RELEASE);
  bosh.control.seedStemcell(STEMCELL);
  return { f, caPem: caPem! };
}

describe('over the network: TLS with the foundation CA, UAA auth for BOSH and CC', () => {
  it('an executable adapter, the default TLS fetch, CC calling the broker over HTTP', async () => {
    const { f, caPem } = await networkFoundation('net');
    const logs: string[] = [];
    broker = await createBroker(networkConfig(f, caPem, 8080), { clock: f.clock, logger: (l) => logs.push(l) });
    const { url } = await broker.listen({ port: 0, host: '127.0.0.1' });
    const cc = f.cc.driver;
    await cc.registerBroker({ name: 'redis-odb', url, username: 'broker', password: 'broker-secret' });
    cc.enableAccess('redis-odb');
    const space = cc.space('org', 'dev');
    const { instance } = await cc.createInstance({ name: 'n', space: space.guid, plan: { offering: 'redis-odb', plan: 'small' } });
    const done = (await cc.waitForLastOperation(instance.guid)) as any;
    expect(done.last_operation).toMatchObject({ state: 'succeeded', description: 'Instance provisioning completed' });
    const { binding, job } = await cc.bind(instance.guid, cc.app(space.guid, 'web').guid);
    await cc.waitForJob(job.guid);
    expect((f.cc.model.get('bindings', binding.guid) as any).credentials).toMatchObject({ host: expect.stringMatching(/^10\.244\./), port: 6379 });
    await cc.waitForJob((await cc.unbind(binding.guid)).guid);
    await cc.waitForJob((await cc.deleteInstance(instance.guid)).guid);
    expect(await cc.waitForLastOperation(instance.guid)).toBeUndefined();

    // BOSH tokens came from the UAA named in the director's /info, and were reused while valid.
    const tokenCalls = f.journal.query({ service: 'uaa', path: '/oauth/token' });
    expect(tokenCalls.length).toBeGreaterThanOrEqual(2);
    expect(tokenCalls.length).toBeLessThanOrEqual(3);
    const boshCalls = f.journal.query({ service: 'bosh' });
    expect(boshCalls.some((e) => e.method === 'POST' && e.path === '/deployments')).toBe(true);
    expect(boshCalls.find((e) => e.method === 'POST' && e.path === '/deployments')!.requestHeaders['x-bosh-context-id']).toBeUndefined();
    expect(logs.some((l) => l.includes('service adapter ran generate-manifest successfully, stderr logs: [odb-sdk] handling generate-manifest'))).toBe(true);
  });

  it('refuses a director whose certificate the configured root does not sign', async () => {
    const { f, caPem } = await networkFoundation('net-ca');
    const other = await Foundation.create({ seed: 'other-ca' });
    const otherCa = (await other.ca()).certPem;
    await other.close();
    const config = networkConfig(f, caPem, 8080);
    config.bosh.root_ca_cert = otherCa;
    // Its retries need no waiting here: a clock whose sleeps end at once.
    const err = await createBroker(config, { clock: { now: () => f.clock.now(), sleep: async () => {} }, logger: () => {} }).catch((e) => e);
    expect(err.message).toMatch(/^The following broker startup checks failed: BOSH Director error: error connecting to BOSH director at https:\/\/127\.0\.0\.1:\d+: fetch failed/);
  });
});

describe('stateless: SIGKILL mid-provision, start again, the next poll reaches the outcome', () => {
  it('fakefoundry broker -configFilePath FILE, killed and restarted on the same port', async () => {
    const { f, caPem } = await networkFoundation('sigkill');
    const port = await freePort();
    const file = path.join(dir, 'broker.yml');
    writeFileSync(file, stringify(networkConfig(f, caPem, port)));

    const start = async () => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/fakefoundry.mjs'), 'broker', '-configFilePath', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          out += String(d);
          if (out.includes('Listening on :')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`broker exited ${code}: ${out}`)));
      });
      return child;
    };

    const first = await start();
    const cc = f.cc.driver;
    await cc.registerBroker({ name: 'redis-odb', url: `http://127.0.0.1:${port}`, username: 'broker', password: 'broker-secret' });
    cc.enableAccess('redis-odb');
    const { instance } = await cc.createInstance({ name: 'k', space: cc.space('org', 'dev').guid, plan: { offering: 'redis-odb', plan: 'small' } });
    expect(instance.last_operation).toMatchObject({ type: 'create', state: 'in progress' });
    // The deploy task is still running on the (virtual) director clock when the broker dies.
    expect(f.service<BoshSimulator>('bosh').control.tasks({ deployment: `service-instance_${instance.guid}` })[0].state).toMatch(/queued|processing/);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    await start();
    const done = (await cc.waitForLastOperation(instance.guid)) as any;
    expect(done.last_operation).toMatchObject({ type: 'create', state: 'succeeded', description: 'Instance provisioning completed' });
    const polls = f.journal.query({ service: 'cc->broker', method: 'GET' }).filter((e) => e.path.endsWith('/last_operation'));
    expect(polls.length).toBeGreaterThanOrEqual(2);
  });
});
