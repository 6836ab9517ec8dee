import { Hono } from 'hono';
import { describe } from 'vitest';
import { freshKeys } from '../../fakes/core/keys.js';
import { expect, Foundation, test } from '../../testing/vitest.js';

/** A tiny asynchronous broker, served in-process beside the fakes. */
function broker(): Hono {
  const app = new Hono();
  app.get('/v2/catalog', (c) =>
    c.json({ services: [{ id: 'svc', name: 'db', description: 'A database', bindable: true, plans: [{ id: 'small', name: 'small', description: 'Small' }] }] }),
  );
  let polls = 0;
  app.put('/v2/service_instances/:id', (c) => c.json({ operation: 'create' }, 202));
  app.get('/v2/service_instances/:id/last_operation', (c) => c.json({ state: ++polls < 2 ? 'in progress' : 'succeeded' }));
  return app;
}

const MANIFEST = `
name: service-instance_1
releases: [{name: redis, version: "1"}]
stemcells: [{alias: default, os: ubuntu-jammy, version: latest}]
update: {canaries: 1, max_in_flight: 1, canary_watch_time: 1000, update_watch_time: 1000}
instance_groups:
- {name: redis, instances: 1, azs: [z1], vm_type: default, stemcell: default, networks: [{name: default}], jobs: [{name: redis-server, release: redis}]}
- {name: smoke, lifecycle: errand, instances: 1, azs: [z1], vm_type: default, stemcell: default, networks: [{name: default}], jobs: [{name: smoke-tests, release: redis}]}
`;

describe('fakefoundry/vitest', () => {
  test('gives each test a fresh in-process foundation on a virtual clock', async ({ foundation }) => {
    expect(foundation).toBeInstanceOf(Foundation);
    expect(foundation.clock.mode).toBe('virtual');
    const info = await fetch(`${foundation.urls.cc}/v2/info`).then((r) => r.json());
    expect(info.token_endpoint).toBe(foundation.urls.uaa);
    expect(foundation.journal.size).toBe(1);
  });

  test('a second test sees none of the first one', async ({ foundation }) => {
    expect(foundation.journal.size).toBe(0);
  });

  test('toHaveServiceInstance and toHaveJournalEntry follow what CC did', async ({ foundation: f }) => {
    const app = broker();
    const url = f.mountApp('broker', (req) => app.fetch(req));
    const cc = f.cc.driver;
    await cc.registerBroker({ name: 'b', url, username: 'u', password: 'p' });
    cc.enableAccess('db');
    const space = cc.space('org', 'dev');
    const { instance } = await cc.createInstance({ name: 'db', space: space.guid, plan: { offering: 'db', plan: 'small' } });
    expect(f).toHaveServiceInstance('db', { type: 'create', state: 'in progress' });
    await cc.waitForLastOperation(instance.guid);
    expect(f).toHaveServiceInstance('db', { type: 'create', state: 'succeeded' });
    expect(f).toHaveServiceInstance(instance.guid);
    expect(f).not.toHaveServiceInstance('other');
    expect(() => expect(f).toHaveServiceInstance('db', { state: 'failed' })).toThrow(
      /expected service instance 'db' to have last operation .*"failed".*, it has .*"succeeded"/s,
    );

    expect(f).toHaveJournalEntry({ service: 'cc->broker', method: 'PUT', path: `/v2/service_instances/${instance.guid}`, status: 202 });
    expect(f).toHaveJournalEntry({
      service: 'cc->broker',
      path: '/v2/service_instances/*',
      query: { accepts_incomplete: 'true' },
      requestBody: expect.objectContaining({ service_id: 'svc', plan_id: 'small' }),
    });
    expect(f).not.toHaveJournalEntry({ service: 'cc->broker', method: 'DELETE' });
    expect(() => expect(f).toHaveJournalEntry({ service: 'cc->broker', method: 'PUT', requestBody: { plan_id: 'large' } })).toThrow(
      /1 matched the query but not the body or query parameters/,
    );
  });

  test('toHaveDeployment names the deployment and its instance groups', async ({ foundation: f }) => {
    const bosh = f.bosh.control;
    bosh.seedRelease({ name: 'redis', version: '1', jobs: ['redis-server', { name: 'smoke-tests', errand: true }] });
    bosh.seedStemcell({ name: 'bosh-warden-boshlite-ubuntu-jammy-go_agent', version: '1.1', operating_system: 'ubuntu-jammy' });
    bosh.createDeployment(MANIFEST);
    expect(f).toHaveDeployment('service-instance_1');
    expect(f).toHaveDeployment('service-instance_1', ['redis', 'smoke']);
    expect(f).toHaveDeployment('service-instance_1', expect.arrayContaining(['smoke']));
    expect(f).not.toHaveDeployment('service-instance_1', ['redis']);
    expect(() => expect(f).toHaveDeployment('service-instance_2')).toThrow("expected a deployment 'service-instance_2'; the director has 'service-instance_1'");
  });

  const withOptions = test.extend({ foundationOptions: { seed: 'fixed', keys: freshKeys() } });
  withOptions('foundationOptions change how the foundation is made', async ({ foundation: f }) => {
    expect(f.kernel.random.seed).toBe('fixed');
  });
});
