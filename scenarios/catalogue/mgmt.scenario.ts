import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';

/** Polls last_operation as an errand does, moving the clock between polls (at most 200 polls). */
async function waitOperation(s: Parameters<Parameters<typeof scenario>[2]>[0], guid: string, operation: string) {
  for (let i = 0; i < 200; i++) {
    const r = await s.osb('GET', `/v2/service_instances/${guid}/last_operation?operation=${encodeURIComponent(operation)}`);
    if (r.body?.state !== 'in progress') return r;
    const next = s.clock.nextDueAt();
    await s.clock.advanceTo(Math.max(next ?? s.clock.now() + 10_000, s.clock.now()));
  }
  throw new Error(`the operation on ${guid} was still in progress after 200 polls`);
}

scenario('the management API lists the instances CC knows for the service', { tags: ['area:upgrade', 'osb:2.13', 'odb:mgmt-api'], needs: ['mgmt-api'] }, async (s) => {
  const a = await s.provision(s.plan(0));
  const b = await s.provision(s.plan(1));
  const res = await s.osb('GET', '/mgmt/service_instances');
  expect(res.status).toBe(200);
  expect(new Set(res.body.map((i: { service_instance_id: string }) => i.service_instance_id))).toEqual(new Set([a.guid, b.guid]));
  expect(res.body[0]).toMatchObject({ plan_id: expect.any(String), space_guid: s.space.guid });
});

scenario('upgrade one instance through the management API (what upgrade-all does per instance)', { tags: ['area:upgrade', 'osb:2.13', 'odb:mgmt-api', 'odb:upgrade'], needs: ['mgmt-api'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  const plan = s.catalog.plans[0];
  const res = await s.osb('PATCH', `/mgmt/service_instances/${si.guid}?operation_type=upgrade`, { plan_id: plan.id, context: { space_guid: s.space.guid } });
  expect(res.status).toBe(202);
  expect(JSON.parse(res.body.operation ?? JSON.stringify(res.body))).toMatchObject({ OperationType: 'upgrade' });
  const done = await waitOperation(s, si.guid, res.body.operation ?? JSON.stringify(res.body));
  expect(done.body).toMatchObject({ state: 'succeeded', description: 'Instance upgrade completed' });
});

scenario('recreate one instance through the management API (what recreate-all does per instance)', { tags: ['area:upgrade', 'osb:2.13', 'odb:mgmt-api', 'odb:recreate'], needs: ['mgmt-api'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  const res = await s.osb('PATCH', `/mgmt/service_instances/${si.guid}?operation_type=recreate`, { plan_id: s.catalog.plans[0].id, context: { space_guid: s.space.guid } });
  expect(res.status).toBe(202);
  const done = await waitOperation(s, si.guid, res.body.operation ?? JSON.stringify(res.body));
  expect(done.body).toMatchObject({ state: 'succeeded', description: 'Instance recreate completed' });
  expect(s.journal.query({ service: 'bosh', method: 'PUT', path: `/deployments/${s.deploymentName(si.guid)}/jobs/*` }).map((e) => e.query)).toEqual([{ fix: 'true', state: 'recreate' }]);
});

scenario('a management upgrade of an instance whose deployment is gone answers 410 (orphan)', { tags: ['area:upgrade', 'osb:2.13', 'odb:mgmt-api', 'odb:upgrade'], needs: ['mgmt-api'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  s.bosh.model.removeDeployment(s.deploymentName(si.guid));
  const res = await s.osb('PATCH', `/mgmt/service_instances/${si.guid}?operation_type=upgrade`, { plan_id: s.catalog.plans[0].id, context: { space_guid: s.space.guid } });
  expect(res.status).toBe(410);
});

scenario('a management upgrade while a task runs on the instance answers 409 (busy)', { tags: ['area:upgrade', 'area:concurrency', 'osb:2.13', 'odb:mgmt-api', 'odb:upgrade'], needs: ['mgmt-api'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  s.bosh.control.addTaskRule({ type: 'update_deployment', hang: true, times: 1 });
  await s.update(si.guid, { parameters: { maxmemory_policy: 'allkeys-lru' }, wait: false });
  const res = await s.osb('PATCH', `/mgmt/service_instances/${si.guid}?operation_type=upgrade`, { plan_id: s.catalog.plans[0].id, context: { space_guid: s.space.guid } });
  expect(res.status).toBe(409);
});

scenario('an unknown operation_type answers 400', { tags: ['area:upgrade', 'osb:2.13', 'odb:mgmt-api'], needs: ['mgmt-api'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  const res = await s.osb('PATCH', `/mgmt/service_instances/${si.guid}?operation_type=defragment`, { plan_id: s.catalog.plans[0].id, context: { space_guid: s.space.guid } });
  expect(res.status).toBe(400);
});

scenario('cf update-service --upgrade: a new maintenance_info version reaches the instance through CC', { tags: ['area:upgrade', 'osb:2.15', 'odb:maintenance-info'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  const catalog = s.config.service_catalog as { maintenance_info?: { version: string; description?: string } };
  if (!catalog.maintenance_info) s.notApplicable('the service has no maintenance_info');
  const old = si.maintenance_info?.version;
  catalog.maintenance_info = { ...catalog.maintenance_info, version: '99.0.0' };
  await s.broker.restart!();
  await s.register(); // CC fetches the catalog again and sees the new version
  await s.drive(s.cc.upgradeInstance(si.guid));
  const after = await s.drive(s.cc.waitForLastOperation(si.guid));
  expect(old).not.toBe('99.0.0');
  expect(after).toMatchObject({ maintenance_info: { version: '99.0.0' }, last_operation: { type: 'update', state: 'succeeded' } });
});
