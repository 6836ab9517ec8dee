import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';
import { body, replies } from './support.js';

scenario('a BOSH task failing on create fails the provision with ODB’s generic message', { tags: ['area:bosh-failures', 'osb:2.13', 'odb:provision'] }, async (s) => {
  s.bosh.control.addTaskRule({ type: 'update_deployment', fail_at_stage: 'Updating instance', message: 'Timed out pinging VM', times: 1 });
  const si = await s.provision(s.plan(0));
  expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
  const task = s.tasks(si.guid)[0];
  expect(task.state).toBe('error');
  expect(si.last_operation!.description).toMatch(
    new RegExp(`^Instance provisioning failed: There was a problem completing your request\\. Please contact your operations team providing the following information: service: ${s.catalog.serviceName}, service-instance-guid: ${si.guid}, broker-request-id: [0-9a-f-]{36}, task-id: ${task.id}, operation: create`),
  );
  // Failed asynchronously: CC does not clean up (no orphan-mitigation delete).
  expect(s.journal.query({ service: 'cc->broker', tag: 'orphan-mitigation' })).toEqual([]);
});

scenario('a BOSH task failing on update fails the update and leaves the instance usable', { tags: ['area:bosh-failures', 'area:update', 'osb:2.13', 'odb:update'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  s.bosh.control.addTaskRule({ type: 'update_deployment', fail_at_stage: 'Updating instance', times: 1 });
  const after = await s.update(si.guid, { parameters: { maxmemory_policy: 'allkeys-lru' } });
  expect(after?.last_operation).toMatchObject({ type: 'update', state: 'failed' });
  expect(after!.last_operation!.description).toMatch(/^Instance update failed: There was a problem completing your request/);
  const binding = await s.bind(si.guid);
  expect(binding.last_operation).toMatchObject({ state: 'succeeded' });
});

scenario('a BOSH task failing on delete fails the deprovision and keeps the instance in CC', { tags: ['area:bosh-failures', 'osb:2.13', 'odb:deprovision'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  s.bosh.control.addTaskRule({ type: 'delete_deployment', fail_at_stage: 'Deleting instances', times: 1 });
  const after = await s.deprovision(si.guid);
  expect(after?.last_operation).toMatchObject({ type: 'delete', state: 'failed' });
  expect(after!.last_operation!.description).toMatch(/^Instance deletion failed: There was a problem completing your request/);
  expect(s.deployment(si.guid)).toBeDefined();
  // A second attempt succeeds.
  expect(await s.deprovision(si.guid)).toBeUndefined();
});

scenario('a stuck BOSH task keeps the operation in progress until the task finishes', { tags: ['area:bosh-failures', 'osb:2.13', 'odb:last-operation'] }, async (s) => {
  s.bosh.control.addTaskRule({ type: 'update_deployment', hang: true, times: 1 });
  const si = await s.provision(s.plan(0), { wait: false });
  await s.eventually(() => replies(s, 'PUT', `/v2/service_instances/${si.guid}`).length > 0);
  await s.clock.advance(6 * 3600_000);
  await s.drive(s.cc.settle());
  expect(s.cc.instance(si.guid).last_operation).toMatchObject({ type: 'create', state: 'in progress', description: 'Instance provisioning in progress' });
  const polls = replies(s, 'GET', `/v2/service_instances/${si.guid}/last_operation`);
  expect(polls.length).toBeGreaterThan(3);
  expect(polls.every((p) => body(p).state === 'in progress')).toBe(true);
  await s.bosh.control.completeTask(s.tasks(si.guid)[0].id);
  expect((await s.drive(s.cc.waitForLastOperation(si.guid)))?.last_operation).toMatchObject({ state: 'succeeded' });
});

scenario('the director unreachable at provision: the broker answers 500 and CC cleans up the orphan', { tags: ['area:bosh-failures', 'area:orphans', 'osb:2.13', 'odb:provision'] }, async (s) => {
  s.bosh.control.setUnreachable(true);
  const si = await s.provision(s.plan(0));
  expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
  const put = replies(s, 'PUT', '/v2/service_instances/')[0];
  expect(put.status).toBe(500);
  expect(body(put).description).toMatch(/Currently unable to create service instance, please try again later|There was a problem completing your request/);
  // CC's orphan mitigation: a DELETE for the instance it could not create.
  await s.eventually(() => s.journal.query({ service: 'cc->broker', method: 'DELETE', tag: 'orphan-mitigation' }).length > 0);
  expect(s.journal.query({ service: 'cc->broker', method: 'DELETE', tag: 'orphan-mitigation' })).toHaveLength(1);
  s.bosh.control.setUnreachable(false);
  expect(s.deployment(si.guid)).toBeUndefined();
});

scenario('the director answering 5xx to the deploy fails the provision', { tags: ['area:bosh-failures', 'osb:2.13', 'odb:provision'] }, async (s) => {
  s.faults.add({ match: { service: 'bosh', method: 'POST', path: '/deployments' }, action: { type: 'status', status: 500 }, times: 1 });
  const si = await s.provision(s.plan(0));
  expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
  expect(replies(s, 'PUT', '/v2/service_instances/')[0].status).toBe(500);
  expect(s.deployment(si.guid)).toBeUndefined();
  // The next attempt, with the director healthy again, works.
  expect((await s.provision(s.plan(0))).last_operation).toMatchObject({ state: 'succeeded' });
});
