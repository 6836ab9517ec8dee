import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '../../broker-under-test/index.js';
import { Foundation } from '../../fakes/foundation.js';
import { freePort, setUpScenario, type ScenarioEnvironment } from '../../scenarios/index.js';
import { brokerConfigFor } from '../../scenarios/harness/odb-config.js';
import { DEFAULT_SERVICE, loadService } from '../../scenarios/harness/profile.js';

// What a user of the url target does: `fakefoundry up --state FILE` on fixed ports, a broker of
// their own started against it (here the reference broker, over the network, its adapter a process
// per call), then `fakefoundry run --target url:...`; each scenario brings the fakes up again from
// the state file on those ports.
describe('url target against a live broker', { timeout: 120_000 }, () => {
  let dir: string;
  let broker: Broker;
  let env: ScenarioEnvironment;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ff-url-'));
    const service = loadService(DEFAULT_SERVICE);
    const ports = { uaa: await freePort(), bosh: await freePort(), cc: await freePort() };
    const up = await Foundation.create({ seed: 'url-target', config: service.foundation, clockMode: 'virtual' });
    const { caPem } = await up.listen({ ports, host: '127.0.0.1' });
    const config = await brokerConfigFor(up, service.odbConfig, { port: await freePort(), credentials: { username: 'live', password: 'live-secret' }, adapterInput: 'stdin', caPem });
    broker = await createBroker(config, { logger: () => undefined });
    const { url } = await broker.listen({ host: '127.0.0.1' });
    const state = path.join(dir, 'up.json');
    await writeFile(state, JSON.stringify(up.snapshot()));
    await up.close();
    env = {
      cell: 'url',
      target: { kind: 'url', url, username: 'live', password: 'live-secret', fakes: { state, ports, host: '127.0.0.1' } },
      boshAuth: 'uaa',
      adapterInput: 'stdin',
      faults: { name: 'no-faults', rules: [] },
      seed: 'url-target',
      service: DEFAULT_SERVICE,
    };
  });
  afterAll(async () => {
    await broker?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('registers the running broker with fresh fakes from the state file, provisions, binds, unbinds and deprovisions through it', async () => {
    const s = await setUpScenario(env);
    try {
      expect(s.target.name).toBe('url');
      expect(s.cc.model.all('brokers').map((b) => [b.name, b.state])).toEqual([['broker-under-test', 'AVAILABLE']]);
      const si = await s.provision(s.plan(0));
      expect(si.last_operation).toMatchObject({ type: 'create', state: 'succeeded' });
      expect(s.deployment(si.guid)).toBeDefined();
      // The broker reached this scenario's director over HTTPS (trusting the state's CA), and the
      // director took the UAA token it got before these fakes started (the state's signing keys).
      expect(s.journal.query({ service: 'bosh', method: 'POST', path: '/deployments' }).map((e) => e.status)).toEqual([302]);
      const binding = await s.bind(si.guid);
      expect(binding.last_operation).toMatchObject({ state: 'succeeded' });
      expect(await s.unbind(binding.guid)).toBeUndefined();
      expect(await s.deprovision(si.guid)).toBeUndefined();
      expect(s.deployment(si.guid)).toBeUndefined();
      // A url target is not configurable: a scenario needing that is not applicable, with the reason.
      expect(() => s.needs('configurable')).toThrow('target url lacks configurable');
    } finally {
      await s.close();
    }
  });

  it('a second scenario gets the fakes afresh on the same ports: nothing of the first is left', async () => {
    const s = await setUpScenario(env);
    try {
      expect(s.cc.model.all('instances')).toEqual([]);
      expect(Object.keys(s.bosh.model.state.deployments)).toEqual([]);
      expect((await s.provision(s.plan(0))).last_operation).toMatchObject({ state: 'succeeded' });
    } finally {
      await s.close();
    }
  });
});
