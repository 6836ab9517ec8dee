import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';
import { body, globalQuota, ODB, planQuota, replies } from './support.js';

scenario('a plan quota: instances up to the limit, the next is refused, one frees a place', { tags: ['area:quotas', 'osb:2.13', 'odb:quotas'], configure: planQuota(0, 2) }, async (s) => {
  const a = await s.provision(s.plan(0));
  await s.provision(s.plan(0));
  const third = await s.provision(s.plan(0));
  expect(third.last_operation).toMatchObject({ type: 'create', state: 'failed' });
  const refused = replies(s, 'PUT', '/v2/service_instances/').at(-1)!;
  expect(refused.status).toBe(500);
  expect(body(refused).description).toBe(ODB.planQuota);
  expect(s.deployment(third.guid)).toBeUndefined();
  await s.deprovision(a.guid);
  s.cc.purgeInstance(third.guid);
  expect((await s.provision(s.plan(0))).last_operation).toMatchObject({ state: 'succeeded' });
});

scenario('the global quota counts every plan', { tags: ['area:quotas', 'osb:2.13', 'odb:quotas'], configure: globalQuota(2) }, async (s) => {
  await s.provision(s.plan(0));
  await s.provision(s.plan(1));
  const third = await s.provision(s.plan(0));
  expect(third.last_operation).toMatchObject({ state: 'failed' });
  expect(body(replies(s, 'PUT', '/v2/service_instances/').at(-1)).description).toBe(ODB.serviceQuota);
});

scenario('a plan change into a plan that is full is refused, and the instance keeps its plan', { tags: ['area:quotas', 'area:update', 'osb:2.13', 'odb:quotas', 'odb:plan-change'], configure: planQuota(1, 1) }, async (s) => {
  await s.provision(s.plan(1));
  const small = await s.provision(s.plan(0));
  const after = await s.update(small.guid, { plan: s.plan(1) });
  expect(after?.last_operation).toMatchObject({ type: 'update', state: 'failed' });
  expect(body(replies(s, 'PATCH', `/v2/service_instances/${small.guid}`).at(-1)).description).toBe(ODB.planQuota);
  expect(s.cc.model.get('plans', after!.plan_guid!)?.name).toBe(s.plan(0));
});

scenario('arbitrary parameters can still be changed when the plan is at its quota', { tags: ['area:quotas', 'area:update', 'osb:2.13', 'odb:quotas', 'odb:arbitrary-params'], configure: planQuota(0, 1) }, async (s) => {
  const si = await s.provision(s.plan(0));
  const after = await s.update(si.guid, { parameters: { maxmemory_policy: 'allkeys-lru' } });
  expect(after?.last_operation).toMatchObject({ type: 'update', state: 'succeeded' });
});
