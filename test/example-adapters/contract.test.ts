import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEPLOYMENT, INSTANCE, inputsFor, manifestOf, run, stdinFor } from './helpers.js';

/**
 * Both example adapters as processes, through the SDK's command-line contract (odb-broker.md §6).
 * Each call is a Node process start, so independent calls (and tests) run concurrently, and a
 * manifest several tests read is generated once.
 */

// Each test starts several Node processes; on a loaded machine that is seconds of wall time.
const PROCESSES = { timeout: 90_000 };

/** One call's result, started on first use and shared after (the tests only read it). */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

const NO_PARAMS = JSON.stringify({ parameters: {} });
const params = (p: Record<string, unknown>) => JSON.stringify({ parameters: p });

describe.concurrent('redis example: generate-manifest', PROCESSES, () => {
  const { path, serviceDeployment, plan } = inputsFor('redis', 'cache-large');

  it('stdin mode answers {manifest, secrets, configs}; legacy mode answers the bare YAML; stderr has the SDK line', async () => {
    const [stdinRun, legacy] = await Promise.all([
      run(path, ['generate-manifest'], stdinFor('generate_manifest', {
        service_deployment: serviceDeployment, plan, request_parameters: NO_PARAMS, previous_manifest: '', previous_plan: 'null', previous_secrets: '{}', previous_configs: '{}', uaa_client: '',
      })),
      run(path, ['generate-manifest', serviceDeployment, plan, NO_PARAMS, '', 'null']),
    ]);
    expect(stdinRun.code).toBe(0);
    expect(stdinRun.stderr).toBe('[odb-sdk] handling generate-manifest\n');
    const out = JSON.parse(stdinRun.stdout);
    expect(Object.keys(out)).toEqual(['manifest', 'secrets', 'configs']);
    expect(out.secrets).toEqual({});
    expect(out.configs).toEqual({});
    const m = manifestOf(out.manifest);
    expect(m.name).toBe(DEPLOYMENT);
    expect(m.releases).toEqual([{ name: 'redis', version: '16.2.0' }]);
    expect(m.stemcells).toEqual([{ alias: 'default', os: 'ubuntu-jammy', version: '1.423' }]);
    expect(m.instance_groups.map((g) => [g.name, g.instances, g.lifecycle ?? 'service'])).toEqual([
      ['redis-server', 1, 'service'], ['health-check', 1, 'errand'], ['cleanup-data', 1, 'errand'],
    ]);
    const server = m.instance_groups[0];
    expect(server).toMatchObject({ vm_type: 'medium', persistent_disk_type: '10GB', azs: ['z1', 'z2', 'z3'], networks: [{ name: 'default' }], stemcell: 'default' });
    const redis = server.jobs[0].properties.redis;
    expect(redis).toMatchObject({ port: 6379, maxmemory: '2gb', maxclients: 20000, persistence: true, maxmemory_policy: 'allkeys-lru', timeout: 0 });
    expect(redis.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(m.update).toEqual({ canaries: 1, canary_watch_time: '30000-240000', update_watch_time: '30000-240000', max_in_flight: 1, serial: true });

    expect(legacy.code).toBe(0);
    expect(() => JSON.parse(legacy.stdout)).toThrow();
    const lm = manifestOf(legacy.stdout);
    // Same manifest but for the password, which each first deploy generates afresh.
    lm.instance_groups[0].jobs[0].properties.redis.password = redis.password;
    expect(lm).toEqual(m);
  });

  it('an update keeps the password and earlier parameters from previous_manifest, and is idempotent', async () => {
    const first = await run(path, ['generate-manifest', serviceDeployment, plan, params({ maxmemory_policy: 'noeviction', timeout: 300 }), '', 'null']);
    expect(first.code).toBe(0);
    const prev = manifestOf(first.stdout).instance_groups[0].jobs[0].properties.redis;
    expect(prev).toMatchObject({ maxmemory_policy: 'noeviction', timeout: 300 });

    const small = inputsFor('redis', 'cache-small');
    const [update, again, twice] = await Promise.all([
      run(path, ['generate-manifest'], stdinFor('generate_manifest', {
        service_deployment: serviceDeployment, plan: small.plan, request_parameters: params({ timeout: 60 }), previous_manifest: first.stdout, previous_plan: plan, previous_secrets: '{}', previous_configs: '{}',
      })),
      run(path, ['generate-manifest', serviceDeployment, plan, NO_PARAMS, first.stdout, plan]),
      run(path, ['generate-manifest', serviceDeployment, plan, NO_PARAMS, first.stdout, plan]),
    ]);
    expect(update.code).toBe(0);
    const m = manifestOf(JSON.parse(update.stdout).manifest);
    expect(m.instance_groups.map((g) => g.name)).toEqual(['redis-server']);
    expect(m.instance_groups[0].jobs[0].properties.redis).toEqual({ ...prev, maxmemory: '256mb', maxclients: 10000, persistence: false, timeout: 60 });

    // The same call again gives the same manifest (ODB's pending-changes check relies on it).
    expect(again.stdout).toBe(twice.stdout);
    expect(manifestOf(again.stdout).instance_groups[0].jobs[0].properties.redis).toEqual(prev);
  });

  it('bad user parameters: exit 1 with a message for the user on stdout', async () => {
    const [r, r2] = await Promise.all([
      run(path, ['generate-manifest', serviceDeployment, plan, params({ maxmemory_policy: 'lru-ish', colour: 'red' }), '', 'null']),
      run(path, ['generate-manifest', serviceDeployment, plan, params({ maxmemory_policy: 'lru-ish' }), '', 'null']),
    ]);
    expect(r).toEqual({ code: 1, stdout: 'unsupported parameter(s) for this service: colour', stderr: '[odb-sdk] handling generate-manifest\n' });
    expect(r2.code).toBe(1);
    expect(r2.stdout).toMatch(/^invalid maxmemory_policy 'lru-ish': expected one of noeviction, /);
  });

  it('an operator misconfiguration: the details go to the log (stderr), a generic message to the user', async () => {
    const bad = JSON.parse(plan);
    bad.instance_groups[0].instances = 3;
    const r = await run(path, ['generate-manifest', serviceDeployment, JSON.stringify(bad), NO_PARAMS, '', 'null']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('Contact your operator, service configuration issue occurred');
    expect(r.stderr).toContain('[redis-adapter] redis-server is a single-node cache: the plan must give it 1 instance, not 3');
  });

  it('inputs the SDK refuses: exit 1, the reason on stderr, nothing on stdout', async () => {
    const cases: [string[], string | undefined, string][] = [
      [['generate-manifest', '{', plan, NO_PARAMS, '', 'null'], undefined, '[odb-sdk] unmarshalling service deployment: '],
      [['generate-manifest', serviceDeployment, JSON.stringify({ instance_groups: [{ name: 'redis-server', vm_type: 'small', instances: 1, networks: ['default'], azs: [] }] }), NO_PARAMS, '', 'null'], undefined,
        "[odb-sdk] validating service plan: Key: 'Plan.InstanceGroups[0].AZs' Error:Field validation for 'AZs' failed on the 'min' tag\n"],
      [['generate-manifest', serviceDeployment, plan, NO_PARAMS, 'name: [', 'null'], undefined, '[odb-sdk] unmarshalling previous manifest: '],
      [['generate-manifest', serviceDeployment, plan], undefined,
        '[odb-sdk] Missing arguments for generate-manifest. Usage: service-adapter.mjs generate-manifest <service-deployment-JSON> <plan-JSON> <request-params-JSON> <previous-manifest-YAML> <previous-plan-JSON>\n'],
      [['generate-manifest'], '', '[odb-sdk] expecting parameters to be passed via stdin\n'],
      [['generate-manifest'], 'not json', '[odb-sdk] error unmarshalling input params JSON, error: '],
      [['generate-plan-schemas', '-plan'], undefined, '[odb-sdk] Incorrect arguments for generate-plan-schemas\n'],
    ];
    const runs = await Promise.all(cases.map(([args, stdin]) => run(path, args, stdin)));
    for (const [i, [args, , message]] of cases.entries()) {
      const r = runs[i];
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(`[odb-sdk] handling ${args[0]}\n${message}`), r.stderr).toBe(true);
    }
  });

  it('no subcommand or an unknown one: exit 1 with the supported list', async () => {
    const [none, unknown] = await Promise.all([run(path, []), run(path, ['provision'])]);
    expect(none).toEqual({ code: 1, stdout: '', stderr: '[odb-sdk] the following commands are supported: generate-manifest, create-binding, delete-binding, dashboard-url, generate-plan-schemas\n' });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('[odb-sdk] handling provision\n[odb-sdk] unknown subcommand: provision. The following commands are supported: generate-manifest, create-binding, delete-binding, dashboard-url, generate-plan-schemas\n');
  });
});

describe.concurrent('redis example: bindings, dashboard, plan schemas', PROCESSES, () => {
  const { path, serviceDeployment, plan } = inputsFor('redis', 'cache-small');
  const vms = JSON.stringify({ 'redis-server': ['10.244.0.10'] });

  const manifest = once(async () => (await run(path, ['generate-manifest', serviceDeployment, plan, NO_PARAMS, '', 'null'])).stdout);

  it('create-binding gives the VM address and the password, in both modes', async () => {
    const m = await manifest();
    const password = manifestOf(m).instance_groups[0].jobs[0].properties.redis.password;
    const expected = { credentials: { host: '10.244.0.10', port: 6379, password, uri: `redis://:${password}@10.244.0.10:6379` } };
    const [legacy, stdin] = await Promise.all([
      run(path, ['create-binding', 'b1', vms, m, JSON.stringify({ app_guid: 'app-1', bind_resource: { app_guid: 'app-1' } })]),
      run(path, ['create-binding'], stdinFor('create_binding', { binding_id: 'b1', bosh_vms: vms, manifest: m, request_parameters: '{}', secrets: '{}', dns_addresses: '{}' })),
    ]);
    expect(legacy.code).toBe(0);
    expect(legacy.stdout).toBe(JSON.stringify(expected) + '\n');
    expect(stdin.code).toBe(0);
    expect(JSON.parse(stdin.stdout)).toEqual(expected);
  });

  it('a password kept in CredHub is resolved from the secrets ODB passes', async () => {
    const doc = manifestOf(await manifest());
    doc.instance_groups[0].jobs[0].properties.redis.password = '((/odb/svc/dep/redis_password))';
    const m = stringify(doc);
    const [ok, missing] = await Promise.all([
      run(path, ['create-binding'], stdinFor('create_binding', {
        binding_id: 'b1', bosh_vms: vms, manifest: m, request_parameters: '{}', secrets: JSON.stringify({ '((/odb/svc/dep/redis_password))': 's3cret' }), dns_addresses: '{}',
      })),
      run(path, ['create-binding'], stdinFor('create_binding', { binding_id: 'b1', bosh_vms: vms, manifest: m, request_parameters: '{}', secrets: '{}', dns_addresses: '{}' })),
    ]);
    expect(JSON.parse(ok.stdout).credentials.password).toBe('s3cret');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain("manifest wasn't correctly interpolated: missing value for '((/odb/svc/dep/redis_password))'");
  });

  it('create-binding refuses parameters and a topology it does not know', async () => {
    const m = await manifest();
    const [withParams, twoVms, badVms] = await Promise.all([
      run(path, ['create-binding', 'b1', vms, m, params({ readonly: true })]),
      run(path, ['create-binding', 'b1', JSON.stringify({ 'redis-server': ['10.0.0.1', '10.0.0.2'] }), m, '{}']),
      run(path, ['create-binding', 'b1', '[', m, '{}']),
    ]);
    expect([withParams.code, withParams.stdout]).toEqual([1, 'unsupported parameter(s) for this service: readonly']);
    expect([twoVms.code, twoVms.stdout]).toEqual([1, '']);
    expect(twoVms.stderr).toContain('expected redis-server instance group to have only 1 instance, got 2');
    expect([badVms.code, badVms.stdout]).toEqual([1, '']);
    expect(badVms.stderr).toContain('[odb-sdk] error unmarshalling BOSH VMs: ');
  });

  it('delete-binding exits 0 with nothing on stdout, in both modes', async () => {
    const m = await manifest();
    const [legacy, stdin] = await Promise.all([
      run(path, ['delete-binding', 'b1', vms, m, '{}']),
      run(path, ['delete-binding'], stdinFor('delete_binding', { binding_id: 'b1', bosh_vms: vms, manifest: m, request_parameters: '{}', secrets: '{}', dns_addresses: '{}' })),
    ]);
    expect(legacy).toEqual({ code: 0, stdout: '', stderr: '[odb-sdk] handling delete-binding\n' });
    expect([stdin.code, stdin.stdout]).toEqual([0, '']);
  });

  it('dashboard-url and generate-plan-schemas, in both modes', async () => {
    const m = await manifest();
    const url = { dashboard_url: `https://redis-dashboard.example.com/instances/${INSTANCE}` };
    const [legacyDash, stdin, schemaSpaced, schemaEquals, stdinSchemas] = await Promise.all([
      run(path, ['dashboard-url', INSTANCE, plan, m]),
      run(path, ['dashboard-url'], stdinFor('dashboard_url', { instance_id: INSTANCE, plan, manifest: m })),
      run(path, ['generate-plan-schemas', '-plan-json', plan]),
      run(path, ['generate-plan-schemas', `--plan-json=${plan}`]),
      run(path, ['generate-plan-schemas'], stdinFor('generate_plan_schemas', { plan })),
    ]);
    expect(legacyDash).toEqual({ code: 0, stdout: JSON.stringify(url) + '\n', stderr: '[odb-sdk] handling dashboard-url\n' });
    expect(JSON.parse(stdin.stdout)).toEqual(url);

    for (const r of [schemaSpaced, schemaEquals]) {
      expect(r.code).toBe(0);
      const schema = JSON.parse(r.stdout);
      expect(schema.service_instance.create.parameters.properties.maxmemory_policy.enum).toContain('allkeys-lru');
      expect(schema.service_instance.update).toEqual(schema.service_instance.create);
      expect(schema.service_binding.create.parameters).toMatchObject({ $schema: 'http://json-schema.org/draft-04/schema#', additionalProperties: false });
    }
    expect(stdinSchemas.code).toBe(0);
    expect(JSON.parse(stdinSchemas.stdout).service_instance.create.parameters.$schema).toBe('http://json-schema.org/draft-04/schema#');
  });
});

describe.concurrent('kafka example', PROCESSES, () => {
  const ha = inputsFor('kafka', 'cluster-ha');
  const small = inputsFor('kafka', 'cluster-small');
  const { path } = ha;
  const haLegacy = once(() => run(path, ['generate-manifest', ha.serviceDeployment, ha.plan, NO_PARAMS, '', 'null']));

  it('generate-manifest: zookeeper and kafka joined by a link, a smoke-test errand, plan properties, in both modes', async () => {
    const [r, legacy] = await Promise.all([
      run(path, ['generate-manifest'], stdinFor('generate_manifest', {
        service_deployment: ha.serviceDeployment, plan: ha.plan, request_parameters: NO_PARAMS, previous_manifest: '', previous_plan: 'null', previous_secrets: '{}', previous_configs: '{}',
      })),
      haLegacy(),
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const m = manifestOf(out.manifest);
    expect(m.releases).toEqual([{ name: 'zookeeper', version: '0.0.10' }, { name: 'kafka', version: '3.7.1' }]);
    expect(m.instance_groups.map((g) => [g.name, g.instances, g.lifecycle ?? 'service'])).toEqual([['zookeeper', 3, 'service'], ['kafka', 3, 'service'], ['smoke-tests', 1, 'errand']]);
    const [zk, kafka, smoke] = m.instance_groups;
    expect(zk.jobs[0]).toMatchObject({ name: 'zookeeper', release: 'zookeeper', provides: { conn: { as: 'zookeeper-conn' } } });
    expect(kafka.jobs[0]).toMatchObject({
      name: 'kafka', release: 'kafka', consumes: { zookeeper: { from: 'zookeeper-conn' } }, provides: { kafka: { as: 'kafka-brokers', shared: true } },
      properties: { kafka: { port: 9092, network: 'default', auto_create_topics: true, default_replication_factor: 3, log_retention_hours: 168 } },
    });
    expect(smoke.jobs).toEqual([{ name: 'smoke-tests', release: 'kafka', consumes: { kafka: { from: 'kafka-brokers' } } }]);
    expect(kafka).toMatchObject({ vm_type: 'large', persistent_disk_type: '10GB', azs: ['z1', 'z2', 'z3'], stemcell: 'only-stemcell' });

    expect(legacy.stdout).toBe(out.manifest);
  });

  it('parameters survive updates through previous_manifest; a smaller plan is refused', async () => {
    const [first, tooMany] = await Promise.all([
      run(path, ['generate-manifest', small.serviceDeployment, small.plan, params({ auto_create_topics: false, log_retention_hours: 12 }), '', 'null']),
      run(path, ['generate-manifest', small.serviceDeployment, small.plan, params({ default_replication_factor: 2 }), '', 'null']),
    ]);
    expect(first.code).toBe(0);
    const up = await run(path, ['generate-manifest', ha.serviceDeployment, ha.plan, NO_PARAMS, first.stdout, small.plan]);
    expect(up.code).toBe(0);
    expect(manifestOf(up.stdout).instance_groups[1].jobs[0].properties.kafka).toEqual({
      port: 9092, network: 'default', auto_create_topics: false, default_replication_factor: 3, log_retention_hours: 12,
    });
    const down = await run(path, ['generate-manifest', small.serviceDeployment, small.plan, NO_PARAMS, up.stdout, ha.plan]);
    expect(down.code).toBe(1);
    expect(down.stdout).toBe('cannot migrate to a smaller plan: choose a plan with at least as many kafka and zookeeper instances');
    expect(down.stderr).toContain('[kafka-adapter] cannot migrate to a smaller plan');
    expect([tooMany.code, tooMany.stdout]).toEqual([1, 'default_replication_factor 2 is more than the 1 kafka broker(s) of this plan']);
  });

  it('a plan without the kafka instance group is an operator error', async () => {
    const p = JSON.parse(small.plan);
    p.instance_groups = p.instance_groups.filter((g: { name: string }) => g.name !== 'kafka');
    p.lifecycle_errands = {};
    const r = await run(path, ['generate-manifest', small.serviceDeployment, JSON.stringify(p), NO_PARAMS, '', 'null']);
    expect([r.code, r.stdout]).toEqual([1, 'Contact your operator, service configuration issue occurred']);
    expect(r.stderr).toContain("Invalid instance group configuration: expected to find: 'kafka' in list: 'zookeeper, smoke-tests'");
  });

  it('create-binding: brokers and the ensemble from bosh_vms, a topic, the DNS name when ODB passes one', async () => {
    const m = (await haLegacy()).stdout;
    const vms = JSON.stringify({ zookeeper: ['10.244.0.2', '10.244.1.2', '10.244.2.2'], kafka: ['10.244.0.3', '10.244.1.3', '10.244.2.3'] });
    const [r, legacy, bad, noBrokers] = await Promise.all([
      run(path, ['create-binding'], stdinFor('create_binding', {
        binding_id: 'bind-1', bosh_vms: vms, manifest: m, request_parameters: params({ topic: 'orders' }), secrets: '{}',
        dns_addresses: JSON.stringify({ 'kafka-brokers': 'q-s0.kafka.default.dep.bosh' }),
      })),
      run(path, ['create-binding', 'bind-1', vms, m, '{}']),
      run(path, ['create-binding', 'bind-1', vms, m, params({ topic: 'no spaces please' })]),
      run(path, ['create-binding', 'bind-1', JSON.stringify({ zookeeper: ['10.0.0.1'] }), m, '{}']),
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      credentials: {
        bootstrap_servers: ['10.244.0.3:9092', '10.244.1.3:9092', '10.244.2.3:9092'],
        zookeeper_connect: '10.244.0.2:2181,10.244.1.2:2181,10.244.2.2:2181',
        topic: 'orders',
        bootstrap_servers_dns: 'q-s0.kafka.default.dep.bosh:9092',
      },
    });
    expect(JSON.parse(legacy.stdout).credentials).toMatchObject({ topic: 'bind-1' });
    expect(JSON.parse(legacy.stdout).credentials.bootstrap_servers_dns).toBeUndefined();
    expect([bad.code, bad.stdout]).toEqual([1, 'invalid topic: use 1 to 249 letters, digits, dots, underscores or dashes']);
    expect([noBrokers.code, noBrokers.stdout]).toEqual([1, '']);
    expect(noBrokers.stderr).toContain('[kafka-adapter] no VMs for instance group kafka');
  });

  it('delete-binding, dashboard-url and plan schemas', async () => {
    const m = (await run(path, ['generate-manifest', small.serviceDeployment, small.plan, NO_PARAMS, '', 'null'])).stdout;
    const vms = JSON.stringify({ zookeeper: ['10.244.0.2'], kafka: ['10.244.0.3'] });
    const [unbind, dash, schemasRun] = await Promise.all([
      run(path, ['delete-binding', 'bind-1', vms, m, '{}']),
      run(path, ['dashboard-url'], stdinFor('dashboard_url', { instance_id: INSTANCE, plan: small.plan, manifest: m })),
      run(path, ['generate-plan-schemas', '--plan-json', ha.plan]),
    ]);
    expect(unbind.code).toBe(0);
    expect(JSON.parse(dash.stdout)).toEqual({ dashboard_url: `https://kafka-manager.example.com/clusters/${INSTANCE}` });
    const schemas = JSON.parse(schemasRun.stdout);
    expect(schemas.service_instance.create.parameters.properties.default_replication_factor).toMatchObject({ type: 'integer', minimum: 1, maximum: 3 });
    expect(Object.keys(schemas.service_binding.create.parameters.properties)).toEqual(['topic']);
  });
});
