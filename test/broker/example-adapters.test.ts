import { afterEach, describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';
import type { BoshSimulator } from '../../fakes/bosh/index.js';
import { createBroker, type AdapterCall, type Broker, type BrokerConfig } from '../../broker-under-test/index.js';
import { exampleDirectorSeed, loadExampleOdbConfig, type ExampleAdapterName } from '../../broker-under-test/example-adapters/index.js';
import { platformSections } from './harness.js';

let f: Foundation | undefined;
let broker: Broker | undefined;
afterEach(async () => {
  await broker?.close();
  await f?.close();
});

async function start(name: ExampleAdapterName) {
  f = await Foundation.create({ seed: `example-${name}`, clockMode: 'instant' });
  f.mountInProcess();
  const bosh = f.service<BoshSimulator>('bosh');
  const seed = exampleDirectorSeed(name);
  for (const r of seed.releases) bosh.control.seedRelease(r as never);
  for (const s of seed.stemcells) bosh.control.seedStemcell(s);
  const config = { ...loadExampleOdbConfig(name), ...platformSections(f) } as BrokerConfig;
  const calls: AdapterCall[] = [];
  broker = await createBroker(config, { fetch: globalThis.fetch, clock: f.clock, logger: () => {}, onAdapterCall: (c) => calls.push(c) });
  const url = f.mountApp('broker', broker.fetch);
  const cc = f.cc.driver;
  await cc.registerBroker({ name, url, username: config.broker.username, password: config.broker.password });
  cc.enableAccess(config.service_catalog.service_name);
  return { f, bosh, cc, config, calls };
}

describe('the shipped example adapters, run by the broker as executables', () => {
  it.each([
    ['redis', 'cache-small'],
    ['kafka', 'cluster-small'],
    ['kafka', 'cluster-ha'],
  ] as const)('%s %s: provision (with its errands), bind from the VMs\' IPs, unbind, deprovision', async (name, plan) => {
    const { f, bosh, cc, config, calls } = await start(name);
    const space = cc.space('org', 'dev');
    const { instance } = await cc.createInstance({ name: 'x', space: space.guid, plan: { offering: config.service_catalog.service_name, plan } });
    const created = (await cc.waitForLastOperation(instance.guid)) as any;
    expect(created.last_operation).toMatchObject({ state: 'succeeded', description: 'Instance provisioning completed' });
    const dep = `service-instance_${instance.guid}`;
    const planConfig = config.service_catalog.plans.find((p) => p.name === plan)!;
    for (const errand of planConfig.lifecycle_errands?.post_deploy ?? []) {
      expect(bosh.control.tasks({ deployment: dep }).map((t) => t.description)).toContain(`run errand ${errand.name} from deployment ${dep}`);
    }
    const { binding, job } = await cc.bind(instance.guid, cc.app(space.guid, 'web').guid);
    await cc.waitForJob(job.guid);
    const creds = (f.cc.model.get('bindings', binding.guid) as any).credentials as Record<string, unknown>;
    expect(JSON.stringify(creds)).toMatch(/10\.244\.\d+\.\d+/);
    if (planConfig.binding_with_dns?.length) expect(JSON.stringify(creds)).toMatch(/\.bosh/);
    await cc.waitForJob((await cc.unbind(binding.guid)).guid);
    await cc.waitForJob((await cc.deleteInstance(instance.guid)).guid);
    expect(await cc.waitForLastOperation(instance.guid)).toBeUndefined();
    expect(bosh.control.deployment(dep)).toBeUndefined();
    expect(calls.every((c) => c.mode === 'stdin')).toBe(true);
    expect(calls.map((c) => `${c.subcommand} ${c.exitCode}`)).toEqual(
      expect.arrayContaining(['generate-manifest 0', 'create-binding 0', 'delete-binding 0']),
    );
  });
});
