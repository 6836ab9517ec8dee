import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';
import { body, planQuota, replies } from './support.js';

scenario('CC down while the broker checks quotas: the provision fails and nothing is deployed', { tags: ['area:cc', 'osb:2.13', 'odb:quotas'], configure: planQuota(0, 5) }, async (s) => {
  s.faults.add({ match: { service: 'cc' }, action: { type: 'status', status: 503 } });
  const si = await s.provision(s.plan(0));
  expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
  const put = replies(s, 'PUT', '/v2/service_instances/')[0];
  expect(put.status).toBe(500);
  expect(s.journal.query({ service: 'cc', status: 503 }).length).toBeGreaterThan(0);
  expect(s.deployment(si.guid)).toBeUndefined();
  expect(body(put).description).toBeTypeOf('string');
});

scenario('binding needs only BOSH: it works while CC’s API is down', { tags: ['area:cc', 'osb:2.13', 'odb:bind'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  s.faults.add({ match: { service: 'cc' }, action: { type: 'status', status: 503 } });
  const binding = await s.bind(si.guid);
  expect(binding.last_operation).toMatchObject({ state: 'succeeded' });
  expect(s.journal.query({ service: 'cc', status: 503 })).toEqual([]);
});

scenario('CC unreachable (connection reset) during provision fails it cleanly', { tags: ['area:cc', 'osb:2.13', 'odb:quotas'], configure: planQuota(0, 5) }, async (s) => {
  s.faults.add({ match: { service: 'cc' }, action: { type: 'reset' } });
  const si = await s.provision(s.plan(0));
  expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
  expect(replies(s, 'PUT', '/v2/service_instances/')[0].status).toBe(500);
  expect(s.deployment(si.guid)).toBeUndefined();
});
