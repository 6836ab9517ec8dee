import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';
import { replies } from './support.js';

scenario('the broker restarted mid-provision: CC’s polling carries on and the provision completes', { tags: ['area:restart', 'osb:2.13', 'odb:last-operation'], needs: ['restart'] }, async (s) => {
  const si = await s.provision(s.plan(0), { wait: false });
  // The broker has accepted the provision (202) before anything happens to it.
  await s.eventually(() => replies(s, 'PUT', `/v2/service_instances/${si.guid}`).length > 0);
  expect(s.cc.instance(si.guid).last_operation).toMatchObject({ state: 'in progress' });
  await s.broker.restart!();
  expect((await s.drive(s.cc.waitForLastOperation(si.guid)))?.last_operation).toMatchObject({ type: 'create', state: 'succeeded' });
  expect(s.tasks(si.guid)).toHaveLength(1);
});

scenario('the broker restarted mid-deprovision: the delete completes', { tags: ['area:restart', 'osb:2.13', 'odb:deprovision'], needs: ['restart'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  await s.deprovision(si.guid, { wait: false });
  await s.broker.restart!();
  expect(await s.drive(s.cc.waitForLastOperation(si.guid))).toBeUndefined();
  expect(s.deployment(si.guid)).toBeUndefined();
});

scenario('the broker down while CC polls: the operation stays in progress, then completes once it is back', { tags: ['area:restart', 'osb:2.13', 'odb:last-operation'], needs: ['restart'] }, async (s) => {
  // The deploy holds until the broker is back, whatever the cell's latencies.
  s.bosh.control.addTaskRule({ type: 'update_deployment', hang: true, times: 1 });
  const si = await s.provision(s.plan(0), { wait: false });
  // The broker has accepted the provision (202) before anything happens to it.
  await s.eventually(() => replies(s, 'PUT', `/v2/service_instances/${si.guid}`).length > 0);
  await s.broker.stop();
  await s.clock.advance(10 * 60_000);
  await s.drive(s.cc.settle());
  expect(s.cc.instance(si.guid).last_operation).toMatchObject({ state: 'in progress' });
  await s.broker.restart!();
  await s.bosh.control.completeTask(s.tasks(si.guid)[0].id);
  expect((await s.drive(s.cc.waitForLastOperation(si.guid)))?.last_operation).toMatchObject({ state: 'succeeded' });
});
