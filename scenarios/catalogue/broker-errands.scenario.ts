import { expect } from 'vitest';
import type { Scenario } from '../harness/scenario.js';
import { BROKER_NAME, scenario } from '../harness/scenario.js';

const iterator = (s: Scenario, extra: Record<string, unknown> = {}) => ({
  broker_api: s.brokerApi(),
  polling_interval: 10,
  attempt_interval: 10,
  attempt_limit: 3,
  request_timeout: 60,
  max_in_flight: 1,
  canaries: 0,
  ...extra,
});

const registration = (s: Scenario, access: string, org?: string) => ({
  broker_name: BROKER_NAME,
  broker_username: s.broker.username,
  broker_password: s.broker.password,
  broker_url: s.broker.url,
  service_offering_id: s.catalog.serviceId,
  plans: s.catalog.plans.map((p) => ({ name: p.name, cf_service_access: access, ...(org ? { service_access_org: org } : {}) })),
  cf: s.config.cf,
});

const plansOf = (s: Scenario) => s.catalog.plans.map((p) => s.cc.plan({ offering: s.catalog.serviceName, plan: p.name }));

for (const access of ['enable', 'disable', 'manual', 'org-restricted'] as const) {
  scenario(`register-broker creates the broker and sets plan access: ${access}`, { tags: ['area:registration', 'osb:2.13', 'odb:register-broker'], needs: ['errand:register-broker'], register: false }, async (s) => {
    const org = s.cc.org('restricted-org');
    const r = await s.errand('register-broker', registration(s, access, access === 'org-restricted' ? org.name : undefined));
    expect(r.exitCode).toBe(0);
    expect(s.cc.model.all('brokers').map((b) => [b.name, b.url])).toEqual([[BROKER_NAME, s.broker.url]]);
    const plans = plansOf(s);
    const visible = (guid: string) => s.cc.model.visibilitiesOf(guid).map((v) => v.org_guid);
    if (access === 'enable') expect(plans.map((p) => [p.public, visible(p.guid)])).toEqual(plans.map(() => [true, []]));
    if (access === 'disable' || access === 'manual') expect(plans.map((p) => [p.public, visible(p.guid)])).toEqual(plans.map(() => [false, []]));
    if (access === 'org-restricted') expect(plans.map((p) => [p.public, visible(p.guid)])).toEqual(plans.map(() => [false, [org.guid]]));
  });
}

scenario('register-broker again updates the existing broker (CC fetches the catalog again)', { tags: ['area:registration', 'osb:2.13', 'odb:register-broker'], needs: ['errand:register-broker'] }, async (s) => {
  const catalogs = s.journal.query({ service: 'cc->broker', path: '/v2/catalog' }).length;
  const r = await s.errand('register-broker', registration(s, 'enable'));
  expect(r.exitCode).toBe(0);
  expect(s.cc.model.all('brokers')).toHaveLength(1);
  expect(s.journal.query({ service: 'cc', method: 'PUT', path: '/v2/service_brokers/*' })).toHaveLength(1);
  expect(s.journal.query({ service: 'cc->broker', path: '/v2/catalog' }).length).toBe(catalogs + 1);
});

scenario('deregister-broker removes the broker; a broker that is not there is not an error', { tags: ['area:registration', 'osb:2.13', 'odb:deregister-broker'], needs: ['errand:deregister-broker'] }, async (s) => {
  const r = await s.errand('deregister-broker', { broker_name: BROKER_NAME, cf: s.config.cf });
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain('FINISHED DEREGISTER BROKER');
  expect(s.cc.model.all('brokers')).toEqual([]);
  expect((await s.errand('deregister-broker', { broker_name: BROKER_NAME, cf: s.config.cf })).exitCode).toBe(0);
});

scenario('delete-all-service-instances deletes bindings, keys and instances through CC', { tags: ['area:registration', 'osb:2.13', 'odb:delete-all'], needs: ['errand:delete-all-service-instances'] }, async (s) => {
  const a = await s.provision(s.plan(0));
  const b = await s.provision(s.plan(0));
  await s.bind(a.guid);
  await s.createKey(b.guid, 'k');
  const r = await s.errand('delete-all-service-instances', { service_catalog: { id: s.catalog.serviceId }, cf: s.config.cf, polling_interval: 5, polling_initial_offset: 1 });
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain('FINISHED DELETES');
  expect(s.cc.model.all('instances')).toEqual([]);
  expect(s.cc.model.all('bindings')).toEqual([]);
  expect(s.deployment(a.guid)).toBeUndefined();
  expect(s.deployment(b.guid)).toBeUndefined();
});

scenario('orphan-deployments exits 10 and prints the orphans as JSON; 0 and [] when there are none', { tags: ['area:orphans', 'osb:2.13', 'odb:orphan-deployments'], needs: ['errand:orphan-deployments'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  const clean = await s.errand('orphan-deployments', { broker_api: s.brokerApi() });
  expect(clean.exitCode).toBe(0);
  expect(JSON.parse(clean.stdout)).toEqual([]);
  s.cc.purgeInstance(si.guid);
  const r = await s.errand('orphan-deployments', { broker_api: s.brokerApi() });
  expect(r.exitCode).toBe(10);
  expect(JSON.parse(r.stdout)).toEqual([{ deployment_name: s.deploymentName(si.guid) }]);
  expect(r.stderr).toContain('Orphan BOSH deployments detected with no corresponding service instance in the platform.');
});

scenario('upgrade-all upgrades every instance, canaries first, max_in_flight at a time', { tags: ['area:upgrade', 'osb:2.13', 'odb:upgrade-all'], needs: ['errand:upgrade-all-service-instances'] }, async (s) => {
  const instances = [];
  for (let i = 0; i < 4; i++) instances.push(await s.provision(s.plan(0)));
  const before = s.tasks().length;
  const r = await s.errand('upgrade-all-service-instances', iterator(s, { canaries: 1, max_in_flight: 2 }));
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain('STARTING CANARIES: 1 canaries');
  expect(r.stdout).toContain('FINISHED CANARIES');
  expect(r.stdout).toContain('STARTING OPERATION with 2 concurrent workers');
  expect(r.stdout).toMatch(/FINISHED PROCESSING Status: SUCCESS; Summary: Number of successful operations: 4; Number of skipped operations: 0/);
  const upgrades = s.tasks().slice(before).filter((t) => t.type === 'update_deployment');
  expect(new Set(upgrades.map((t) => t.deployment))).toEqual(new Set(instances.map((i) => s.deploymentName(i.guid))));
  // The canary ran alone: no other upgrade started before it finished.
  const canary = upgrades[0];
  expect(upgrades.slice(1).every((t) => (t.started_at ?? t.created_at) >= (canary.timestamp ?? 0))).toBe(true);
});

scenario('upgrade-all with a failing instance reports FAILED and exits 1', { tags: ['area:upgrade', 'osb:2.13', 'odb:upgrade-all'], needs: ['errand:upgrade-all-service-instances'] }, async (s) => {
  const good = await s.provision(s.plan(0));
  const bad = await s.provision(s.plan(0));
  s.bosh.control.addTaskRule({ type: 'update_deployment', deployment: s.deploymentName(bad.guid), fail_at_stage: 'Updating instance' });
  const r = await s.errand('upgrade-all-service-instances', iterator(s));
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toMatch(/FINISHED PROCESSING Status: FAILED; Summary: Number of successful operations: 1;/);
  expect(r.stdout).toContain(`Number of service instances that failed to process: 1 [${bad.guid}]`);
  expect(s.tasks(good.guid).at(-1)).toMatchObject({ type: 'update_deployment', state: 'done' });
});

scenario('upgrade-all through CC: outdated instances get the new maintenance_info version', { tags: ['area:upgrade', 'osb:2.15', 'odb:upgrade-all', 'odb:maintenance-info'], needs: ['errand:upgrade-all-service-instances', 'restart'] }, async (s) => {
  const catalog = s.config.service_catalog as { maintenance_info?: { version: string } };
  if (!catalog.maintenance_info) s.notApplicable('the service has no maintenance_info');
  const a = await s.provision(s.plan(0));
  catalog.maintenance_info = { ...catalog.maintenance_info, version: '99.0.0' };
  await s.broker.restart!();
  await s.register();
  const r = await s.errand('upgrade-all-service-instances', iterator(s, { cf: s.config.cf, maintenance_info_present: true }));
  expect(r.exitCode).toBe(0);
  expect(s.cc.instance(a.guid).maintenance_info).toMatchObject({ version: '99.0.0' });
  expect(s.journal.query({ service: 'cc', method: 'PUT', path: `/v2/service_instances/${a.guid}` }).length).toBeGreaterThan(0);
});

scenario('recreate-all recreates every instance’s VMs', { tags: ['area:upgrade', 'osb:2.13', 'odb:recreate-all'], needs: ['errand:recreate-all-service-instances'] }, async (s) => {
  const a = await s.provision(s.plan(0));
  const b = await s.provision(s.plan(0));
  const r = await s.errand('recreate-all-service-instances', iterator(s));
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toMatch(/FINISHED PROCESSING Status: SUCCESS; Summary: Number of successful operations: 2;/);
  for (const si of [a, b]) expect(s.journal.query({ service: 'bosh', method: 'PUT', path: `/deployments/${s.deploymentName(si.guid)}/jobs/*` }).length).toBe(1);
});
