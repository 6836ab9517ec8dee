/**
 * Runs broker-under-test in-process against a foundation: config from the foundation's URLs and
 * seeded credentials, a small redis-like TypeScript adapter, the broker mounted beside the fakes and
 * registered with the fake CC through its platform driver.
 */
import { stringify as stringifyYaml, parse as parseYaml } from 'yaml';
import type { ClockMode } from '../../fakes/core/clock.js';
import { Foundation } from '../../fakes/foundation.js';
import type { FoundationConfigInput } from '../../fakes/core/config.js';
import type { BoshSimulator } from '../../fakes/bosh/index.js';
import {
  AppGuidNotProvidedError,
  BindingAlreadyExistsError,
  BindingNotFoundError,
  NotImplementedError,
  UnknownFailureError,
  createBroker,
  type Broker, type BrokerConfig, type CreateBrokerOptions, type InProcessAdapterImpl, type AdapterCall } from '../../broker-under-test/index.js';

export const SERVICE_ID = 'redis-odb-id';
export const SMALL = 'small-plan-id';
export const LARGE = 'large-plan-id';
export const ERRANDS = 'errands-plan-id';
export const RELEASE = { name: 'redis', version: '15.0.0', jobs: ['redis-server', { name: 'smoke-tests', errand: true }, { name: 'cleanup', errand: true }] };
export const STEMCELL = { name: 'bosh-warden-boshlite-ubuntu-jammy-go_agent', version: '1.423', operating_system: 'ubuntu-jammy' };

/** The catalog and deployment sections every test shares. */
export function brokerSections(): Pick<BrokerConfig, 'broker' | 'service_adapter' | 'service_deployment' | 'service_catalog'> {
  const ig = (instances: number, vm = 'small') => ({ name: 'redis', vm_type: vm, instances, networks: ['default'], azs: ['z1'] });
  return {
    broker: { port: 8080, username: 'broker', password: 'broker-secret', use_stdin: true },
    service_adapter: { path: '/nonexistent/service-adapter' },
    service_deployment: { releases: [{ name: 'redis', version: '15.0.0', jobs: ['redis-server'] }], stemcells: [{ os: 'ubuntu-jammy', version: '1.423' }] },
    service_catalog: {
      id: SERVICE_ID,
      service_name: 'redis-odb',
      service_description: 'Redis on demand',
      bindable: true,
      plan_updatable: true,
      metadata: { display_name: 'Redis' },
      global_properties: { persistence: true },
      plans: [
        { plan_id: SMALL, name: 'small', description: 'one node', instance_groups: [ig(1)], properties: { maxclients: 100 }, quotas: { service_instance_limit: 2 } },
        { plan_id: LARGE, name: 'large', description: 'three nodes', instance_groups: [ig(3, 'medium')], properties: { maxclients: 1000 } },
        {
          plan_id: ERRANDS,
          name: 'with-errands',
          description: 'errands around create and delete',
          instance_groups: [ig(1), { name: 'smoke-tests', vm_type: 'small', instances: 1, networks: ['default'], azs: ['z1'], lifecycle: 'errand' }],
          lifecycle_errands: { post_deploy: [{ name: 'smoke-tests', instances: ['smoke-tests/0'] }], pre_delete: [{ name: 'cleanup' }] },
        },
      ],
    },
  };
}

/** A redis-like adapter; `version` changes what it generates, to make pending changes. */
export function redisAdapter(state: { version: number } = { version: 1 }): InProcessAdapterImpl {
  return {
    generateManifest({ serviceDeployment, plan, requestParameters, previousManifest }) {
      const previous = previousManifest ? (parseYaml(previousManifest) as any) : undefined;
      const prevProps = previous?.instance_groups?.[0]?.jobs?.[0]?.properties?.redis ?? {};
      const params = (requestParameters.parameters ?? {}) as Record<string, unknown>;
      if (params.fail === 'please') throw new Error('maxmemory must be a number');
      const redis = { ...prevProps, ...plan.properties, ...params, adapter_version: state.version };
      return {
        manifest: {
          name: serviceDeployment.deployment_name,
          releases: serviceDeployment.releases.map((r) => ({ name: r.name, version: r.version })),
          stemcells: [{ alias: 'default', os: serviceDeployment.stemcells[0].stemcell_os, version: serviceDeployment.stemcells[0].stemcell_version }],
          update: { canaries: 1, max_in_flight: 1, canary_watch_time: '1000-30000', update_watch_time: '1000-30000' },
          instance_groups: plan.instance_groups.map((g) => ({
            name: g.name,
            instances: g.instances,
            vm_type: g.vm_type,
            stemcell: 'default',
            azs: g.azs,
            networks: g.networks.map((n) => ({ name: n })),
            ...(g.lifecycle ? { lifecycle: g.lifecycle } : {}),
            jobs: [
              { name: g.lifecycle === 'errand' ? 'smoke-tests' : 'redis-server', release: 'redis', properties: { redis } },
              // A colocated pre-delete errand job, as ODB's lifecycle errands may be.
              ...(!g.lifecycle && plan.lifecycle_errands?.pre_delete?.some((e) => e.name === 'cleanup') ? [{ name: 'cleanup', release: 'redis' }] : []),
            ],
          })),
        },
      };
    },
    createBinding({ boshVms, bindingId, requestParameters }) {
      // Binding ids that make the adapter fail as an SDK adapter would, one per exit code.
      if (bindingId === 'exists') throw new BindingAlreadyExistsError('binding already exists', 'create-binding', 49);
      if (bindingId === 'no-app') throw new AppGuidNotProvidedError('app GUID not provided', 'create-binding', 42);
      if (bindingId === 'not-implemented') throw new NotImplementedError('not implemented', 'create-binding', 10);
      if (bindingId === 'silent') throw new UnknownFailureError('', 'create-binding', 1);
      if (bindingId === 'loud') throw new Error('the cache is full, try a larger plan');
      const host = boshVms.redis?.[0];
      return { credentials: { host, port: 6379, password: `pw-${bindingId}`, app: (requestParameters as any).bind_resource?.app_guid } };
    },
    deleteBinding({ bindingId }) {
      if (bindingId === 'gone') throw new BindingNotFoundError('binding not found', 'delete-binding', 41);
    },
    dashboardUrl({ instanceId }) {
      return { dashboard_url: `https://redis-dashboard.example.com/${instanceId}` };
    },
  };
}

export interface Harness {
  f: Foundation;
  bosh: BoshSimulator;
  broker: Broker;
  brokerUrl: string;
  config: BrokerConfig;
  logs: string[];
  adapterCalls: AdapterCall[];
  /** Calls the broker directly with OSB headers and basic auth. */
  osb(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>;
  close(): Promise<void>;
}

/** The bosh: and cf: sections pointing at the foundation, with its seeded clients. */
export function platformSections(f: Foundation): Pick<BrokerConfig, 'bosh' | 'cf'> {
  const bosh = f.uaa.model.client('bosh_admin')!;
  const cc = f.uaa.model.client('cc_admin')!;
  return {
    bosh: { url: f.urls.bosh!, authentication: { uaa: { client_credentials: { client_id: bosh.client_id, client_secret: bosh.client_secret! } } } },
    cf: {
      url: f.urls.cc!,
      uaa: { url: f.urls.uaa!, authentication: { client_credentials: { client_id: cc.client_id, client_secret: cc.client_secret! } } },
    },
  };
}

export async function startHarness(opts: {
  seed?: string;
  clockMode?: ClockMode;
  adapter?: InProcessAdapterImpl;
  config?: (c: BrokerConfig) => BrokerConfig;
  brokerOptions?: Partial<CreateBrokerOptions>;
  register?: boolean;
  foundation?: FoundationConfigInput;
} = {}): Promise<Harness> {
  const f = await Foundation.create({ seed: opts.seed ?? 'broker', clockMode: opts.clockMode ?? 'instant', config: opts.foundation });
  f.mountInProcess();
  const bosh = f.service<BoshSimulator>('bosh');
  bosh.control.seedRelease(RELEASE);
  bosh.control.seedStemcell(STEMCELL);
  let config = { ...platformSections(f), ...brokerSections() } as BrokerConfig;
  if (opts.config) config = opts.config(config);
  const logs: string[] = [];
  const adapterCalls: AdapterCall[] = [];
  let n = 0;
  const broker = await createBroker(config, {
    fetch: globalThis.fetch,
    clock: f.clock,
    logger: (l) => logs.push(l),
    adapter: opts.adapter ?? redisAdapter(),
    onAdapterCall: (c) => adapterCalls.push(c),
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    ...(opts.brokerOptions ?? {}),
  });
  const brokerUrl = f.mountApp('broker', broker.fetch);
  if (opts.register !== false) {
    await f.cc.driver.registerBroker({ name: 'redis-odb', url: brokerUrl, username: 'broker', password: 'broker-secret' });
    f.cc.driver.enableAccess('redis-odb');
  }
  const auth = `Basic ${Buffer.from('broker:broker-secret').toString('base64')}`;
  const h: Harness = {
    f,
    bosh,
    broker,
    brokerUrl,
    config,
    logs,
    adapterCalls,
    async osb(method, path, body, headers = {}) {
      const res = await h.broker.fetch(
        new Request(`${brokerUrl}${path}`, {
          method,
          headers: { authorization: auth, 'x-broker-api-version': '2.17', 'content-type': 'application/json', ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
      const text = await res.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
    async close() {
      await h.broker.close();
      await f.close();
    },
  };
  return h;
}

export const yaml = stringifyYaml;
