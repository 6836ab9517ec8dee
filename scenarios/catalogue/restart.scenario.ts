import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';

scenario('the broker restarted mid-provision: CC’s polling carries on and the provision completes', { tags: ['area:restart', 'osb:2.13', 'odb:last-operation'], needs: ['restart'] }, async (s) => {
  const si = await s.provision(s.plan(0), { wait: false });
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
  const si = await s.provision(s.plan(0), { wait: false });
  await s.broker.stop();
  await s.clock.advance(10 * 60_000);
  await s.drive(s.cc.settle());
  expect(s.cc.instance(si.guid).last_operation).toMatchObject({ state: 'in progress' });
  await s.broker.restart!();
  expect((await s.drive(s.cc.waitForLastOperation(si.guid)))?.last_operation).toMatchObject({ state: 'succeeded' });
});
