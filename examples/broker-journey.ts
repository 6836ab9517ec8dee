/**
 * A whole broker journey on the fakes, in-process, in well under a second of wall time:
 * register a (tiny, asynchronous) broker with the fake Cloud Controller, enable access,
 * provision, poll, bind, unbind, deprovision, then read what CC sent from the journal.
 *
 *   node bin/run-ts.mjs examples/broker-journey.ts
 */
import { Hono } from 'hono';
import { Foundation } from '../fakes/foundation.js';
import { inProcessNetwork } from '../fakes/core/mount-in-process.js';

export async function brokerJourney(seed = 'example'): Promise<{ states: string[]; brokerCalls: string[] }> {
  // A broker that provisions asynchronously: the first last_operation poll says "in progress".
  const broker = new Hono();
  const polls = new Map<string, number>();
  broker.get('/v2/catalog', (c) =>
    c.json({
      services: [
        {
          id: 'svc-1', name: 'example-db', description: 'An example database', bindable: true,
          plans: [{ id: 'plan-1', name: 'small', description: 'Small', free: true }],
        },
      ],
    }),
  );
  broker.put('/v2/service_instances/:id', (c) => c.json({ operation: 'create' }, 202));
  broker.get('/v2/service_instances/:id/last_operation', (c) => {
    const n = (polls.get(c.req.param('id')) ?? 0) + 1;
    polls.set(c.req.param('id'), n);
    return c.json({ state: n < 2 ? 'in progress' : 'succeeded' });
  });
  broker.put('/v2/service_instances/:id/service_bindings/:b', (c) => c.json({ credentials: { uri: 'db://example' } }, 201));
  broker.delete('/v2/service_instances/:id/service_bindings/:b', (c) => c.json({}, 200));
  broker.delete('/v2/service_instances/:id', (c) => c.json({}, 200));

  const f = await Foundation.create({ seed });
  f.mountInProcess();
  const owner = Symbol('example-broker');
  const brokerUrl = `https://broker-${f.id}.example.test`;
  inProcessNetwork.register(owner, { [brokerUrl]: (req) => broker.fetch(req) }, 'bypass');
  try {
    const cc = f.cc.driver;
    await cc.registerBroker({ name: 'example', url: brokerUrl, username: 'user', password: 'pass' });
    cc.enableAccess('example-db');
    const space = cc.space('example-org', 'dev');
    const { instance } = await cc.createInstance({ name: 'db', space: space.guid, plan: { offering: 'example-db', plan: 'small' } });
    const states = [instance.last_operation?.state ?? 'none'];
    const done = await cc.waitForLastOperation(instance.guid);
    states.push(done?.last_operation?.state ?? 'none');
    const { binding } = await cc.bind(instance.guid, cc.app(space.guid, 'web').guid);
    await cc.unbind(binding.guid);
    await cc.deleteInstance(instance.guid);
    const brokerCalls = f.journal
      .query({ service: 'cc->broker' })
      .map((e) => `${e.method} ${e.path} -> ${e.status}`);
    return { states, brokerCalls };
  } finally {
    inProcessNetwork.unregister(owner);
    await f.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { states, brokerCalls } = await brokerJourney();
  console.log('instance states:', states.join(' -> '));
  console.log('what CC sent the broker:');
  for (const call of brokerCalls) console.log(`  ${call}`);
}
