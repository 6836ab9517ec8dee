import { Hono } from 'hono';
import { Foundation } from '../../fakes/foundation.js';
import { manifest, RELEASE, STEMCELL } from '../bosh/helpers.js';

/**
 * A foundation with something in every view: a BOSH deployment (made through the director's API,
 * so it has a task and an event log), a broker in CC with an instance (upgradable) and a binding,
 * and the requests that made them in the journal. Mounted in-process, on a virtual clock.
 */
export async function populatedFoundation(seed = 'dashboard') {
  const f = await Foundation.create({ seed });
  f.mountInProcess();
  f.bosh.control.seedRelease(RELEASE);
  f.bosh.control.seedStemcell(STEMCELL);

  let version = '1.0.0';
  const broker = new Hono();
  broker.get('/v2/catalog', (c) =>
    c.json({
      services: [
        {
          id: 'svc-db',
          name: 'dashboard-db',
          description: 'A database to look at',
          bindable: true,
          plan_updateable: true,
          plans: [
            { id: 'plan-small', name: 'small', description: 'Small', maintenance_info: { version } },
            { id: 'plan-large', name: 'large', description: 'Large' },
          ],
        },
      ],
    }),
  );
  broker.put('/v2/service_instances/:id', (c) => c.json({ operation: 'create' }, 202));
  broker.get('/v2/service_instances/:id/last_operation', (c) => c.json({ state: 'succeeded', description: 'all done' }));
  broker.put('/v2/service_instances/:id/service_bindings/:bid', (c) => c.json({ credentials: { password: 'binding-secret-value', uri: 'db://u:binding-secret-value@h' } }, 201));
  const brokerUrl = f.mountApp('broker', (req) => broker.fetch(req));

  const cc = f.cc.driver;
  await cc.registerBroker({ name: 'dash-broker', url: brokerUrl, username: 'broker-user', password: 'broker-password-value' });
  cc.enableAccess('dashboard-db', { plan: 'small' });
  const space = cc.space('dash-org', 'dev');
  const { instance } = await cc.createInstance({ name: 'orders-db', space: space.guid, plan: { offering: 'dashboard-db', plan: 'small' } });
  await cc.waitForLastOperation(instance.guid);
  await cc.bind(instance.guid, cc.app(space.guid, 'web').guid);
  // A new maintenance_info in the catalog: the instance has an upgrade available.
  version = '2.0.0';
  await cc.registerBroker({ name: 'dash-broker', url: brokerUrl, username: 'broker-user', password: 'broker-password-value' });

  return { f, instance };
}

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');

/** A client_credentials token from the foundation's UAA (in-process). */
export async function clientToken(f: Foundation, clientId: string): Promise<Response> {
  const cl = f.uaa.model.client(clientId)!;
  return fetch(`${f.urls.uaa}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(cl.client_id, cl.client_secret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: 'grant_type=client_credentials',
  });
}

/** Starts a deploy through the director's API and returns its task id (the task runs on the clock). */
export async function startDeploy(f: Foundation, name: string, instances = 2): Promise<number> {
  const token = ((await (await clientToken(f, 'bosh_admin')).json()) as { access_token: string }).access_token;
  const res = await fetch(`${f.urls.bosh}/deployments`, {
    method: 'POST',
    headers: { authorization: `bearer ${token}`, 'content-type': 'text/yaml' },
    body: manifest(name, { instances }),
    redirect: 'manual',
  });
  if (res.status !== 302) throw new Error(`deploy: ${res.status} ${await res.text()}`);
  return Number(res.headers.get('location')!.split('/').pop());
}
