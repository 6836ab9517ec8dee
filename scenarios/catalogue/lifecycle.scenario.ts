import { expect } from 'vitest';
import { currentEnvironment } from '../harness/environment.js';
import { catalogOf, loadService } from '../harness/profile.js';
import { scenario } from '../harness/scenario.js';
import { body, ODB, replies } from './support.js';

const plans = catalogOf(loadService(currentEnvironment().service).odbConfig).plans;

for (const plan of plans) {
  scenario(`provision, bind, unbind and deprovision a ${plan.name} instance`, { tags: ['area:lifecycle', 'osb:2.13', 'odb:provision', 'odb:bind'] }, async (s) => {
    const si = await s.provision(plan.name);
    expect(si.last_operation).toMatchObject({ type: 'create', state: 'succeeded', description: 'Instance provisioning completed' });
    const dep = s.deployment(si.guid)!;
    expect(dep).toBeDefined();
    const groups = (plan.raw.instance_groups as { name: string; instances: number; lifecycle?: string }[]).filter((g) => g.lifecycle !== 'errand');
    for (const g of groups) expect(dep.instances.filter((i) => i.group === g.name && i.lifecycle === "service")).toHaveLength(g.instances);
    // CC got 202 with ODB's operation data, and polled until the task was done.
    const put = replies(s, 'PUT', '/v2/service_instances/')[0];
    expect(put.status).toBe(202);
    expect(JSON.parse(body(put).operation)).toMatchObject({ OperationType: 'create', BoshTaskID: expect.any(Number) });
    const binding = await s.bind(si.guid);
    expect(binding.last_operation).toMatchObject({ state: 'succeeded' });
    expect(body(replies(s, 'PUT', `/v2/service_instances/${si.guid}/service_bindings/`)[0]).credentials).toBeTypeOf('object');
    expect(await s.unbind(binding.guid)).toBeUndefined();
    expect(replies(s, 'DELETE', `/v2/service_instances/${si.guid}/service_bindings/`)[0].status).toBe(200);
    expect(await s.deprovision(si.guid)).toBeUndefined();
    expect(s.deployment(si.guid)).toBeUndefined();
    expect(s.tasks(si.guid).every((t) => t.state === 'done')).toBe(true);
  });
}

scenario('binding credentials come from the adapter, with the VM addresses BOSH reports', { tags: ['area:lifecycle', 'osb:2.13', 'odb:bind'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  await s.bind(si.guid);
  const creds = body(replies(s, 'PUT', `/v2/service_instances/${si.guid}/service_bindings/`)[0]).credentials as Record<string, unknown>;
  const ips = s.deployment(si.guid)!.instances.flatMap((i) => i.networks.map((n) => n.ip));
  expect(JSON.stringify(creds)).toContain(ips[0]);
  // ODB looked the VMs up through the director's vms task.
  expect(s.journal.query({ service: 'bosh', path: `/deployments/${s.deploymentName(si.guid)}/vms` }).length).toBeGreaterThan(0);
});

scenario('a service key is created and deleted like a binding, without an app', { tags: ['area:lifecycle', 'osb:2.13', 'odb:bind'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  const key = await s.createKey(si.guid, 'key-1');
  expect(key.last_operation).toMatchObject({ state: 'succeeded' });
  const put = replies(s, 'PUT', `/v2/service_instances/${si.guid}/service_bindings/`)[0];
  expect(put.status).toBe(201);
  expect(JSON.parse(put.requestBody!).bind_resource?.app_guid).toBeUndefined();
  expect(await s.deleteKey(key.guid)).toBeUndefined();
});

scenario('the dashboard URL from the adapter reaches CC', { tags: ['area:lifecycle', 'osb:2.13', 'odb:dashboard-url'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  const dashboard = body(replies(s, 'PUT', '/v2/service_instances/')[0]).dashboard_url;
  expect(dashboard).toMatch(/^https:\/\//);
  expect(si.dashboard_url).toBe(dashboard);
});

scenario('the catalog lists every configured plan with its id', { tags: ['area:lifecycle', 'osb:2.13', 'odb:catalog'] }, async (s) => {
  const res = await s.osb('GET', '/v2/catalog');
  expect(res.status).toBe(200);
  const svc = res.body.services[0];
  expect(svc).toMatchObject({ id: s.catalog.serviceId, name: s.catalog.serviceName, bindable: true });
  expect(svc.plans.map((p: { id: string; name: string }) => [p.name, p.id])).toEqual(s.catalog.plans.map((p) => [p.name, p.id]));
});

scenario('provision without accepts_incomplete is refused with 422 AsyncRequired', { tags: ['area:lifecycle', 'osb:2.13', 'odb:provision'] }, async (s) => {
  const plan = s.catalog.plans[0];
  const res = await s.osb('PUT', '/v2/service_instances/7c6f0d0e-0000-4000-8000-00000000a001', {
    service_id: s.catalog.serviceId,
    plan_id: plan.id,
    organization_guid: 'org',
    space_guid: 'space',
  });
  expect(res).toEqual({ status: 422, body: { error: 'AsyncRequired', description: ODB.asyncRequired } });
  expect(s.bosh.model.state.deployments).toEqual({});
});

scenario('a second provision with the same instance id gets 409 and deploys nothing more', { tags: ['area:lifecycle', 'osb:2.13', 'odb:provision'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  const plan = s.catalog.plans[0];
  const tasksBefore = s.tasks().length;
  const res = await s.osb('PUT', `/v2/service_instances/${si.guid}?accepts_incomplete=true`, { service_id: s.catalog.serviceId, plan_id: plan.id, organization_guid: 'o', space_guid: s.space.guid });
  expect(res.status).toBe(409);
  expect(s.tasks().length).toBe(tasksBefore);
});

scenario('deprovisioning an instance whose deployment is gone answers 410, and CC forgets the instance', { tags: ['area:lifecycle', 'osb:2.13', 'odb:deprovision'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  s.bosh.model.removeDeployment(s.deploymentName(si.guid));
  expect(await s.deprovision(si.guid)).toBeUndefined();
  expect(replies(s, 'DELETE', `/v2/service_instances/${si.guid}`).at(-1)!.status).toBe(410);
});
