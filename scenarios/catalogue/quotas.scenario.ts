import { expect } from 'vitest';
import type { Instance } from '../../fakes/cc/model/state.js';
import type { Scenario } from '../harness/scenario.js';
import { scenario } from '../harness/scenario.js';
import { body, globalQuota, ODB, planQuota, replies } from './support.js';

/**
 * Provisions until the broker refuses one (at most `limit + 1` tries): ODB counts the plan's
 * instances through CC, and whether CC already counts the instance being created depends on the
 * API version it was created through, so the exact boundary is not pinned here.
 */
async function fill(s: Scenario, plan: string, limit: number): Promise<{ created: Instance[]; refused: Instance }> {
  const created: Instance[] = [];
  for (let i = 0; i <= limit; i++) {
    const si = await s.provision(plan);
    if (si.last_operation?.state === 'failed') return { created, refused: si };
    created.push(si);
  }
  throw new Error(`the broker took ${limit + 1} instances of ${plan} with a limit of ${limit}`);
}

scenario('a plan quota: the broker refuses instances past the limit, and deleting one frees a place', { tags: ['area:quotas', 'osb:2.13', 'odb:quotas'], configure: planQuota(0, 2) }, async (s) => {
  const { created, refused } = await fill(s, s.plan(0), 2);
  expect(created.length).toBeGreaterThanOrEqual(1);
  const put = replies(s, 'PUT', `/v2/service_instances/${refused.guid}`)[0];
  expect(put.status).toBe(500);
  expect(body(put).description).toBe(ODB.planQuota);
  expect(s.deployment(refused.guid)).toBeUndefined();
  // Other plans are not limited by this plan's quota.
  expect((await s.provision(s.plan(1))).last_operation).toMatchObject({ state: 'succeeded' });
  s.cc.purgeInstance(refused.guid);
  await s.deprovision(created[0].guid);
  expect((await s.provision(s.plan(0))).last_operation).toMatchObject({ state: 'succeeded' });
});

scenario('the global quota counts every plan', { tags: ['area:quotas', 'osb:2.13', 'odb:quotas'], configure: globalQuota(2) }, async (s) => {
  const first = await s.provision(s.plan(0));
  expect(first.last_operation).toMatchObject({ state: 'succeeded' });
  const { refused } = await fill(s, s.plan(1), 2);
  expect(body(replies(s, 'PUT', `/v2/service_instances/${refused.guid}`)[0]).description).toBe(ODB.serviceQuota);
});

scenario('a plan change into a plan that is full is refused, and the instance keeps its plan', { tags: ['area:quotas', 'area:update', 'osb:2.13', 'odb:quotas', 'odb:plan-change'], configure: planQuota(1, 2) }, async (s) => {
  await fill(s, s.plan(1), 2);
  const small = await s.provision(s.plan(0));
  const after = await s.update(small.guid, { plan: s.plan(1) });
  expect(after?.last_operation).toMatchObject({ type: 'update', state: 'failed' });
  expect(body(replies(s, 'PATCH', `/v2/service_instances/${small.guid}`).at(-1)).description).toBe(ODB.planQuota);
  expect(s.cc.model.get('plans', after!.plan_guid!)?.name).toBe(s.plan(0));
});

scenario('arbitrary parameters can still be changed when the plan is at its quota', { tags: ['area:quotas', 'area:update', 'osb:2.13', 'odb:quotas', 'odb:arbitrary-params'], configure: planQuota(0, 2) }, async (s) => {
  const { created } = await fill(s, s.plan(0), 2);
  const after = await s.update(created[0].guid, { parameters: { maxmemory_policy: 'volatile-ttl' } });
  expect(after?.last_operation).toMatchObject({ type: 'update', state: 'succeeded' });
});
