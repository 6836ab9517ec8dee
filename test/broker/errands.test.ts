import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parse as parseYaml } from 'yaml';
import { runErrand } from '../../broker-under-test/errands/index.js';
import { platformSections, redisAdapter, startHarness, type Harness } from './harness.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'ff-errands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let h: Harness;
afterEach(async () => h?.close());

const LINE = (errand: string) => new RegExp(`^\\[${errand}\\] \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} `);
const brokerApi = () => ({ url: h.brokerUrl, authentication: { basic: { username: 'broker', password: 'broker-secret' } } });
const env = () => ({ fetch: globalThis.fetch, clock: h.f.clock });

async function provisionViaCc(names: string[], plan = 'small') {
  const cc = h.f.cc.driver;
  const space = cc.space('org', 'dev');
  const out = [];
  for (const name of names) {
    const { instance } = await cc.createInstance({ name, space: space.guid, plan: { offering: 'redis-odb', plan } });
    out.push(instance);
  }
  for (const i of out) await cc.waitForLastOperation(i.guid);
  return out;
}

describe('errands, in-process against the fakes', () => {
  it('register-broker creates, then updates; plan access enable, disable, manual, org-restricted; deregister-broker', async () => {
    h = await startHarness({ seed: 'register', register: false });
    const cc = h.f.cc.driver;
    cc.org('restricted-org');
    const config = {
      broker_name: 'redis-odb',
      broker_username: 'broker',
      broker_password: 'broker-secret',
      broker_url: h.brokerUrl,
      service_offering_id: 'redis-odb-id',
      plans: [
        { name: 'small', cf_service_access: 'enable' },
        { name: 'large', cf_service_access: 'org-restricted', service_access_org: 'restricted-org' },
        { name: 'with-errands', cf_service_access: 'disable' },
      ],
      cf: platformSections(h.f).cf,
    };
    const first = await runErrand('register-broker', config, env());
    expect(first.exitCode).toBe(0);
    expect(first.stdout.trim().split('\n').every((l) => LINE('register-broker').test(l))).toBe(true);
    expect(first.stdout).toContain(`Registering broker redis-odb with URL ${h.brokerUrl}`);
    const plans = h.f.cc.model.all('plans') as any[];
    const byName = (n: string) => plans.find((p) => p.name === n)!;
    expect(byName('small').public).toBe(true);
    expect(byName('large').public).toBe(false);
    expect(byName('with-errands').public).toBe(false);
    const visibilities = h.f.cc.model.all('visibilities') as any[];
    expect(visibilities.map((v) => v.plan_guid)).toEqual([byName('large').guid]);

    const again = await runErrand('register-broker', { ...config, plans: [{ name: 'small', cf_service_access: 'manual' }] }, env());
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('Updating broker redis-odb');
    expect(h.f.cc.model.all('brokers')).toHaveLength(1);

    const bad = await runErrand('register-broker', { ...config, plans: [{ name: 'nope' }] }, env());
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain('planID "nope" not found while updating plan access');

    const dereg = await runErrand('deregister-broker', { cf: config.cf }, env(), { brokerName: 'redis-odb' });
    expect(dereg).toMatchObject({ exitCode: 0 });
    expect(dereg.stdout).toMatch(/FINISHED DEREGISTER BROKER\n$/);
    expect(h.f.cc.model.all('brokers')).toHaveLength(0);
    const missing = await runErrand('deregister-broker', { cf: config.cf }, env(), { brokerName: 'redis-odb' });
    expect(missing.exitCode).toBe(0);
  });

  it('orphan-deployments: JSON on stdout, logs on stderr, exit 10 with orphans and 0 without', async () => {
    h = await startHarness({ seed: 'orphans' });
    await provisionViaCc(['a']);
    const none = await runErrand('orphan-deployments', { broker_api: brokerApi() }, env());
    expect(none).toEqual({ exitCode: 0, stdout: '[]\n', stderr: '' });
    h.bosh.control.createDeployment('name: service-instance_lost\nreleases: []\nstemcells: []\ninstance_groups: []\n');
    const found = await runErrand('orphan-deployments', { broker_api: brokerApi() }, env());
    expect(found.exitCode).toBe(10);
    expect(JSON.parse(found.stdout)).toEqual([{ deployment_name: 'service-instance_lost' }]);
    expect(found.stderr).toMatch(LINE('orphan-deployments'));
    expect(found.stderr).toContain('Orphan BOSH deployments detected with no corresponding service instance in the platform.');
    const unauthorised = await runErrand('orphan-deployments', { broker_api: { ...brokerApi(), authentication: { basic: { username: 'x', password: 'y' } } } }, env());
    expect(unauthorised.exitCode).toBe(1);
    expect(unauthorised.stderr).toContain('HTTP response status: 401 Unauthorized');
  });

  it('upgrade-all-service-instances: canaries first, then the rest; every manifest regenerated', async () => {
    const state = { version: 1 };
    h = await startHarness({ seed: 'upgrade-all', adapter: redisAdapter(state) });
    const instances = await provisionViaCc(['a', 'b', 'c', 'd'], 'large');
    state.version = 2;
    const res = await runErrand(
      'upgrade-all-service-instances',
      { broker_api: brokerApi(), polling_interval: 1, attempt_interval: 1, attempt_limit: 2, max_in_flight: 2, canaries: 1 },
      env(),
    );
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines.every((l) => LINE('upgrade-all-service-instances').test(l))).toBe(true);
    const text = lines.map((l) => l.replace(LINE('upgrade-all-service-instances'), '')).join('\n');
    expect(text).toContain('[upgrade-all] Upgrading all instances via BOSH');
    expect(text).toContain('[upgrade-all] STARTING OPERATION with 2 concurrent workers');
    expect(text).toContain('[upgrade-all] Total Service Instances found: 4');
    expect(text.indexOf('STARTING CANARIES: 1 canaries')).toBeLessThan(text.indexOf('FINISHED CANARIES'));
    expect(text).toMatch(
      /\[upgrade-all\] FINISHED PROCESSING Status: SUCCESS; Summary: Number of successful operations: 4; Number of skipped operations: 0; Number of service instance orphans detected: 0; Number of deleted instances before operation could happen: 0; Number of busy instances which could not be processed: 0; Number of service instances that failed to process: 0$/,
    );
    for (const i of instances) {
      const m = parseYaml(h.bosh.control.deployment(`service-instance_${i.guid}`)!.manifest_text!) as any;
      expect(m.instance_groups[0].jobs[0].properties.redis.adapter_version).toBe(2);
    }
  });

  it('upgrade-all reports a failed instance and exits 1', async () => {
    h = await startHarness({ seed: 'upgrade-fail' });
    const [a] = await provisionViaCc(['a']);
    h.bosh.control.addTaskRule({ type: 'update_deployment', deployment: `service-instance_${a.guid}`, fail_at_stage: 'Updating instance', message: 'boom', times: 1 } as never);
    const res = await runErrand('upgrade-all-service-instances', { broker_api: brokerApi(), polling_interval: 1, attempt_limit: 1 }, env());
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toContain(`[upgrade-all] [${a.guid}] Result: Service Instance operation failure`);
    expect(res.stdout).toContain(`FINISHED PROCESSING Status: FAILED;`);
    expect(res.stdout).toContain(`Number of service instances that failed to process: 1 [${a.guid}]`);
    expect(res.stdout).toMatch(new RegExp(`\\[${a.guid}\\] Operation failed: bosh task id \\d+: Instance upgrade failed|Failed for bosh task`));
  });

  it('upgrade-all through CF first when maintenance_info is present (osbapi_version 2.15)', async () => {
    h = await startHarness({
      seed: 'upgrade-cf',
      config: (c) => ({ ...c, service_catalog: { ...c.service_catalog, maintenance_info: { version: '1.0.0' } } }),
    });
    const [a] = await provisionViaCc(['a']);
    // The operator moves the catalog on: register the broker again so CC learns the new version.
    const { createBroker } = await import('../../broker-under-test/index.js');
    h.broker = await createBroker(
      { ...h.config, service_catalog: { ...h.config.service_catalog, maintenance_info: { version: '2.0.0' } } },
      { fetch: globalThis.fetch, clock: h.f.clock, logger: () => {}, adapter: redisAdapter() },
    );
    const cf = platformSections(h.f).cf;
    const url = h.f.mountApp('broker2', h.broker.fetch);
    await runErrand('register-broker', { broker_name: 'redis-odb', broker_username: 'broker', broker_password: 'broker-secret', broker_url: url, service_offering_id: 'redis-odb-id', cf }, env());
    const res = await runErrand(
      'upgrade-all-service-instances',
      { broker_api: { ...brokerApi(), url }, cf, maintenance_info_present: true, polling_interval: 1, attempt_limit: 2 },
      env(),
    );
    expect(res.exitCode).toBe(0);
    expect(res.stdout.indexOf('[upgrade-all] Upgrading all instances via CF')).toBeLessThan(res.stdout.indexOf('[upgrade-all] Upgrading all instances via BOSH'));
    expect((h.f.cc.model.get('instances', a.guid) as any).maintenance_info).toEqual({ version: '2.0.0' });
    expect(h.f.journal.query({ service: 'cc->broker', method: 'PATCH' }).length).toBeGreaterThanOrEqual(1);
  });

  it('recreate-all-service-instances recreates every instance', async () => {
    h = await startHarness({ seed: 'recreate-all' });
    const instances = await provisionViaCc(['a', 'b'], 'large');
    const res = await runErrand('recreate-all-service-instances', { broker_api: brokerApi(), polling_interval: 1, max_in_flight: 5 }, env());
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('[recreate-all] FINISHED PROCESSING Status: SUCCESS; Summary: Number of successful operations: 2;');
    for (const i of instances) expect(h.bosh.control.tasks({ deployment: `service-instance_${i.guid}` })).toHaveLength(2);
  });

  it('delete-all-service-instances: bindings and keys first, then the instances, through CC', async () => {
    h = await startHarness({ seed: 'delete-all' });
    const [a, b] = await provisionViaCc(['a', 'b'], 'large');
    const cc = h.f.cc.driver;
    const space = cc.space('org', 'dev');
    const { job } = await cc.bind(a.guid, cc.app(space.guid, 'web').guid);
    await cc.waitForJob(job.guid);
    const key = await cc.createKey(b.guid, 'k');
    await cc.waitForJob(key.job.guid);
    const res = await runErrand('delete-all-service-instances', { service_catalog: { id: 'redis-odb-id' }, cf: platformSections(h.f).cf, polling_interval: 1, polling_initial_offset: 1 }, env());
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/FINISHED DELETES\n$/);
    expect(h.f.cc.model.all('instances')).toHaveLength(0);
    expect(h.bosh.control.deployment(`service-instance_${a.guid}`)).toBeUndefined();
    const deletes = h.f.journal.query({ service: 'cc->broker', method: 'DELETE' }).map((e) => e.path);
    expect(deletes.findIndex((p) => p.includes('/service_bindings/'))).toBeLessThan(deletes.findIndex((p) => p === `/v2/service_instances/${a.guid}`));
  });
});

describe('fakefoundry errand, with ODB\'s flags', () => {
  it('missing config and flags: exit 1 with the fatal line', async () => {
    const bin = path.join(ROOT, 'bin/fakefoundry.mjs');
    const missing = await run(process.execPath, [bin, 'errand', 'upgrade-all-service-instances'], { cwd: ROOT }).catch((e) => e);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^\[upgrade-all-service-instances\] .* Missing argument -configPath\n$/);
    const file = path.join(dir, 'bad.yml');
    writeFileSync(file, stringify({ broker_api: { url: 'http://127.0.0.1:1' } }));
    const orphans = await run(process.execPath, [bin, 'errand', 'orphan-deployments', '-configPath', file], { cwd: ROOT }).catch((e) => e);
    expect(orphans.code).toBe(1);
    expect(orphans.stderr).toMatch(/^\[orphan-deployments\] /);
  });
});

