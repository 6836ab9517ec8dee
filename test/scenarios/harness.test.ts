import { describe, expect, it } from 'vitest';
import { traceToMermaid } from '../../report/index.js';
import { embeddedTarget, setUpScenario } from '../../scenarios/index.js';
import { createStandIn } from './stand-in-broker.js';
import { env } from './support.js';

describe('scenario harness (embedded target, stand-in broker)', () => {
  it('gives a fresh foundation with the broker registered, and drives provision → deprovision on the virtual clock', async () => {
    const s = await setUpScenario(env(), {}, embeddedTarget({ createBroker: createStandIn }));
    try {
      expect(s.broker.url).toBe(`https://broker.${s.f.id}.fakefoundry.test`);
      expect(s.cc.model.all('brokers').map((b) => [b.name, b.state])).toEqual([['broker-under-test', 'AVAILABLE']]);
      expect(s.catalog.plans.map((p) => p.name)).toEqual(['small', 'large']);
      expect(s.config).toMatchObject({ broker: { username: 'broker', use_stdin: true }, bosh: { url: s.f.urls.bosh, authentication: { uaa: { client_credentials: { client_id: 'bosh_admin' } } } }, cf: { url: s.f.urls.cc } });
      const t0 = s.clock.now();
      const si = await s.provision('small');
      expect(si.last_operation).toMatchObject({ type: 'create', state: 'succeeded' });
      expect(s.clock.now()).toBeGreaterThan(t0);
      expect(s.deployment(si.guid)?.instances).toHaveLength(1);
      expect(s.tasks(si.guid).map((t) => [t.type, t.state])).toEqual([['update_deployment', 'done']]);
      expect(s.steps.map((x) => [x.from, x.to, x.label, x.reply])).toEqual([['broker', 'adapter', 'generate-manifest', 'exit 0']]);
      const binding = await s.bind(si.guid);
      expect(binding.last_operation).toMatchObject({ state: 'succeeded' });
      expect(await s.deprovision(si.guid)).toBeUndefined();
      expect(s.deployment(si.guid)).toBeUndefined();
      const m = traceToMermaid({ journal: s.journal.all(), steps: s.steps })!;
      // The broker's calls to UAA and BOSH are drawn inside CC's PUT.
      expect(m).toMatch(/CC->>Broker: PUT \/v2\/service_instances\/\S+\?accepts_incomplete\n {2}Broker->>Adapter: generate-manifest\n {2}Adapter-->>Broker: exit 0\n(?: {2}Broker->>UAA: POST \/oauth\/token\n {2}UAA-->>Broker: 200 token\n)? {2}Broker->>BOSH: GET \/info\n[\s\S]*Broker->>BOSH: POST \/deployments\n {2}BOSH-->>Broker: 302 → \/tasks\/\d+\n {2}Broker-->>CC: 202/);
      // BOSH's own key lookups at UAA are not drawn as the broker's calls.
      expect(m).not.toContain('token_keys');
    } finally {
      await s.close();
    }
  });

  it('configures BOSH basic auth and the legacy adapter input when the cell says so; applies the fault profile after registration', async () => {
    const s = await setUpScenario(
      env({ boshAuth: 'basic', adapterInput: 'legacy', faults: { name: 'slow-director', rules: [{ match: { service: 'bosh' }, action: { type: 'latency', ms: 5000 } }] } }),
      {},
      embeddedTarget({ createBroker: createStandIn }),
    );
    try {
      expect(s.config).toMatchObject({ broker: { use_stdin: false }, bosh: { authentication: { basic: { username: 'admin', password: 'admin' } } } });
      expect(s.faults.list()).toHaveLength(1);
      const t0 = s.clock.now();
      const si = await s.provision('small');
      expect(si.last_operation).toMatchObject({ state: 'succeeded' });
      expect(s.journal.query({ service: 'uaa' })).toEqual([]);
      expect(s.journal.query({ service: 'bosh' }).every((e) => e.virtualEndTime - e.virtualTime === 5000)).toBe(true);
      expect(s.clock.now() - t0).toBeGreaterThanOrEqual(10_000);
    } finally {
      await s.close();
    }
  });

  it('a stopped broker looks like a closed port to CC; restart brings it back with the same config', async () => {
    const s = await setUpScenario(env(), {}, embeddedTarget({ createBroker: createStandIn }));
    try {
      await s.broker.stop();
      const si = await s.provision('small');
      expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
      await s.broker.restart!();
      expect((await s.osb('GET', '/v2/catalog')).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('drives the clock while a direct broker call waits on it (a latency fault on BOSH), and eventually() waits for a condition', async () => {
    const s = await setUpScenario(env(), {}, embeddedTarget({ createBroker: createStandIn }));
    try {
      s.faults.add({ match: { service: 'bosh' }, action: { type: 'latency', ms: 5000 } });
      const t0 = s.clock.now();
      const res = await s.osb('PUT', '/v2/service_instances/0e7d6e64-0000-4000-8000-0000000000bb?accepts_incomplete=true', { service_id: s.catalog.serviceId, plan_id: s.catalog.plans[0].id });
      expect(res.status).toBe(202);
      expect(s.clock.now() - t0).toBeGreaterThanOrEqual(10_000);
      expect(s.steps.at(-1)).toMatchObject({ kind: 'osb', from: 'test', to: 'broker', reply: '202' });
      await s.eventually(() => s.tasks().some((t) => t.state === 'done'));
      expect(s.bosh.model.deployment('service-instance_0e7d6e64-0000-4000-8000-0000000000bb')).toBeDefined();
      await expect(s.eventually(() => false, 60_000)).rejects.toThrow('not reached within 60000 ms of virtual time');
    } finally {
      await s.close();
    }
  });
});
