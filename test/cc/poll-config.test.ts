import { describe, expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';
import type { CcSimulator } from '../../fakes/cc/index.js';
import { CC_FACTORIES, closeAfterEach, startTestBroker, type TestBroker } from './helpers.js';

/** CC's polling settings come from the `cc:` config section, as from cloud_controller_ng's config. */
describe('CC poll settings from config', () => {
  let f: Foundation | undefined;
  let broker: TestBroker | undefined;
  closeAfterEach(() => [f, broker]);

  it('broker_client_async_poll_exponential_backoff_rate and broker_client_max_async_poll_interval_seconds set the poll cadence', async () => {
    f = await Foundation.create({
      seed: 'cc-polls',
      factories: CC_FACTORIES,
      config: { cc: { broker_client_default_async_poll_interval_seconds: 10, broker_client_async_poll_exponential_backoff_rate: 2, broker_client_max_async_poll_interval_seconds: 50 } },
    });
    f.mountInProcess();
    const cc = f.service<CcSimulator>('cc');
    expect(cc.platform).toMatchObject({ settings: { defaultIntervalSeconds: 10, backoffRate: 2, maxIntervalSeconds: 50 } });
    broker = await startTestBroker({ async: true, pollsBeforeDone: 5 });
    await cc.driver.registerBroker({ name: 'b', url: broker.url, username: 'u', password: 'p' });
    cc.driver.enableAccess('test-db');
    const t0 = f.clock.now();
    const { instance } = await cc.driver.createInstance({ name: 'db', space: cc.model.all('spaces')[0].guid, plan: { offering: 'test-db', plan: 'small' } });
    await cc.driver.waitForLastOperation(instance.guid);
    const polls = f.journal.query({ service: 'cc->broker', tag: 'last-operation' }).map((e) => (e.virtualTime - t0) / 1000);
    // at once, then 10 s, 20 s, 40 s, and the 50 s cap: 0, 10, 30, 70, 120, 170
    expect(polls).toEqual([0, 10, 30, 70, 120, 170]);
  });

  it('refuses a backoff rate below 1 (polls would come ever faster)', async () => {
    await expect(Foundation.create({ seed: 'cc-bad', factories: CC_FACTORIES, config: { cc: { broker_client_async_poll_exponential_backoff_rate: 0.5 } } })).rejects.toThrow();
  });
});
