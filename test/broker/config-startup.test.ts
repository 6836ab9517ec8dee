import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Foundation } from '../../fakes/foundation.js';
import { ConfigError, StartupError, createBroker, parseConfig, type BrokerConfig } from '../../broker-under-test/index.js';
import { brokerSections, platformSections, redisAdapter, SMALL } from './harness.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ff-broker-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const adapterPath = path.join(dir, 'service-adapter');
writeFileSync(adapterPath, '#!/bin/sh\nexit 10\n');
chmodSync(adapterPath, 0o755);

function base(): Record<string, any> {
  const s = brokerSections();
  return {
    ...s,
    service_adapter: { path: adapterPath },
    bosh: { url: 'https://10.0.0.6', authentication: { basic: { username: 'admin', password: 'pw' } } },
    cf: { url: 'https://api.sys', uaa: { url: 'https://uaa.sys', authentication: { client_credentials: { client_id: 'c', client_secret: 's' } } } },
  };
}

const refuse = (c: unknown) => {
  try {
    parseConfig(stringify(c));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('config validation, with ODB\'s messages', () => {
  it('accepts a full ODB config and reads it as ODB does', () => {
    const c = parseConfig(stringify(base()));
    expect(c.broker.port).toBe(8080);
    expect(c.service_deployment.stemcells).toEqual([{ os: 'ubuntu-jammy', version: '1.423' }]);
    expect(c.service_catalog.plans.map((p) => p.plan_id)).toEqual(['small-plan-id', 'large-plan-id', 'errands-plan-id']);
  });

  it.each([
    [(c: any) => delete c.broker.port, "broker.port can't be empty"],
    [(c: any) => delete c.broker.username, "broker.username can't be empty"],
    [(c: any) => (c.broker.password = ''), "broker.password can't be empty"],
    [(c: any) => delete c.bosh.url, 'BOSH configuration error: must specify bosh url'],
    [(c: any) => (c.bosh.authentication = {}), 'BOSH configuration error: must specify an authentication type'],
    [
      (c: any) => (c.bosh.authentication.uaa = { client_credentials: { client_id: 'x', client_secret: 'y' } }),
      'BOSH configuration error: cannot specify both basic and UAA authentication',
    ],
    [(c: any) => (c.bosh.authentication = { basic: { username: 'a' } }), "BOSH configuration error: authentication.basic.password can't be empty"],
    [
      (c: any) => (c.bosh.authentication = { uaa: { client_credentials: { client_id: 'a' } } }),
      "BOSH configuration error: authentication.uaa.client_credentials.client_secret can't be empty",
    ],
    [(c: any) => delete c.cf.url, 'CF configuration error: must specify CF url'],
    [(c: any) => delete c.cf.uaa.url, "CF configuration error: uaa url can't be empty"],
    [
      (c: any) => (c.cf.uaa.authentication.user_credentials = { username: 'u', password: 'p' }),
      'CF configuration error: contains both client and user credentials',
    ],
    [(c: any) => (c.cf.uaa.authentication = {}), 'CF configuration error: authentication should contain either user_credentials or client_credentials'],
    [(c: any) => (c.service_adapter.path = path.join(dir, 'missing')), `checking for executable service adapter file: stat ${path.join(dir, 'missing')}: no such file or directory`],
    [(c: any) => (c.service_adapter.path = dir), `checking for executable service adapter file: '${dir}' is a directory`],
    [
      (c: any) => (c.service_deployment.releases[0].version = '3112.latest'),
      "You must configure the exact release and stemcell versions in broker.service_deployment. ODB requires exact versions to detect pending changes as part of the 'cf update-service' workflow. For example, latest and 3112.latest are not supported.",
    ],
    [
      (c: any) => (c.service_catalog.plans[2].lifecycle_errands.post_deploy[0].instances = ['smoke-tests/']),
      "Must specify pool or instance 'smoke-tests/' in format 'name' or 'name/id-or-index'",
    ],
  ])('refuses %#', (mutate, message) => {
    const c = base();
    mutate(c);
    expect(refuse(c)).toBe(message);
  });

  it('cf may be absent with disable_cf_startup_checks; a non-executable adapter is refused', () => {
    const c = base();
    delete c.cf;
    c.broker.disable_cf_startup_checks = true;
    expect(parseConfig(stringify(c)).cf).toBeUndefined();
    const plain = path.join(dir, 'plain');
    writeFileSync(plain, 'x');
    chmodSync(plain, 0o644);
    expect(refuse({ ...c, service_adapter: { path: plain } })).toBe(`checking for executable service adapter file: '${plain}' is not executable`);
    expect(refuse('[1, 2]' as unknown)).toMatch(/^yaml: /);
  });
});

describe('startup checks against the fakes', () => {
  let f: Foundation | undefined;
  afterEach(async () => f?.close());

  async function start(opts: { bosh?: Record<string, unknown>; tweak?: (c: BrokerConfig) => void; fetch?: typeof fetch } = {}) {
    f = await Foundation.create({ seed: 'startup', clockMode: 'instant', config: opts.bosh ? { bosh: opts.bosh } : undefined });
    f.mountInProcess();
    const config = { ...platformSections(f), ...brokerSections() } as BrokerConfig;
    opts.tweak?.(config);
    const logs: string[] = [];
    const broker = await createBroker(config, { fetch: opts.fetch ?? globalThis.fetch, clock: f.clock, adapter: redisAdapter(), logger: (l) => logs.push(l) });
    return { broker, logs };
  }

  const failure = async (p: Promise<unknown>) => {
    const err = await p.then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(StartupError);
    return (err as Error).message;
  };

  it('passes with the fakes as they are, and logs "Starting broker"', async () => {
    const { logs } = await start();
    expect(logs[0]).toMatch(/^\[on-demand-service-broker\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} Starting broker$/);
  });

  it('lifecycle errands need BOSH 261+', async () => {
    expect(await failure(start({ bosh: { version: '260.0.0 (00000000)' } }))).toBe(
      'The following broker startup checks failed: BOSH Director error: API version is insufficient, one or more plans are configured with lifecycle_errands which require BOSH v261+.',
    );
  });

  it('a stemcell-style version below 3262, and an unrecognised one', async () => {
    expect(await failure(start({ bosh: { version: '1.3100.0.0 (00000000)' } }))).toBe(
      'The following broker startup checks failed: BOSH Director error: API version is insufficient, ODB requires BOSH v257+.',
    );
    await f!.close();
    expect(await failure(start({ bosh: { version: 'banana' } }))).toBe(
      'The following broker startup checks failed: BOSH Director error: unrecognised BOSH Director version: "banana". ODB requires BOSH v257+.',
    );
  });

  it('bad BOSH credentials', async () => {
    const msg = await failure(start({ tweak: (c) => (c.bosh.authentication.uaa!.client_credentials!.client_secret = 'wrong') }));
    expect(msg).toMatch(/^The following broker startup checks failed: BOSH Director error: Error authenticating \(401\): .*Bad credentials/);
  });

  it('an old CF API and a plan missing from the catalog are both reported', async () => {
    const oldCf: typeof fetch = async (input, init) => {
      const res = await globalThis.fetch(input, init);
      if (!String(input instanceof Request ? input.url : input).endsWith('/v2/info')) return res;
      return new Response(JSON.stringify({ ...(await res.json()), api_version: '2.56.9' }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const msg = await failure(start({ fetch: oldCf, bosh: { version: '260.0.0' } }));
    expect(msg).toBe(
      "The following broker startup checks failed: CF API error: ODB requires minimum Cloud Foundry API version '2.57.0', got '2.56.9'.; " +
        'BOSH Director error: API version is insufficient, one or more plans are configured with lifecycle_errands which require BOSH v261+.',
    );
  });

  it('CC instances of a plan the catalog no longer has', async () => {
    const { broker } = await start();
    const url = f!.mountApp('broker', broker.fetch);
    const cc = f!.cc.driver;
    await cc.registerBroker({ name: 'b', url, username: 'broker', password: 'broker-secret' });
    cc.enableAccess('redis-odb');
    const { instance } = await cc.createInstance({ name: 'x', space: cc.space('o', 's').guid, plan: { offering: 'redis-odb', plan: 'small' } });
    await cc.waitForLastOperation(instance.guid);
    const config = { ...platformSections(f!), ...brokerSections() } as BrokerConfig;
    config.service_catalog.plans = config.service_catalog.plans.filter((p) => p.plan_id !== SMALL);
    const err = await createBroker(config, { fetch: globalThis.fetch, clock: f!.clock, adapter: redisAdapter(), logger: () => {} }).catch((e) => e);
    expect(err.message).toBe(
      'The following broker startup checks failed: plan small (small-plan-id) was expected but is now missing. You cannot remove or change the plan_id of a plan which has existing service instances',
    );
  });
});
