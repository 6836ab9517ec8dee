import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';
import { replies } from './support.js';

scenario('the broker fetches a new BOSH token when its token expires between operations', { tags: ['area:auth', 'osb:2.13', 'odb:bosh-uaa'] }, async (s) => {
  if (s.env.boshAuth !== 'uaa') s.notApplicable('the director uses basic auth in this cell');
  const si = await s.provision(s.plan(0));
  const tokens = s.journal.query({ service: 'uaa', method: 'POST', path: '/oauth/token' }).length;
  await s.clock.advance(13 * 3600_000); // past the token's 12-hour validity
  const binding = await s.bind(si.guid);
  expect(binding.last_operation).toMatchObject({ state: 'succeeded' });
  expect(s.journal.query({ service: 'uaa', method: 'POST', path: '/oauth/token' }).length).toBeGreaterThan(tokens);
  expect(s.journal.query({ service: 'bosh', status: 401 })).toEqual([]);
});

scenario('UAA refusing the broker’s BOSH client (bad credentials) fails the provision and deploys nothing', { tags: ['area:auth', 'osb:2.13', 'odb:bosh-uaa'] }, async (s) => {
  if (s.env.boshAuth !== 'uaa') s.notApplicable('the director uses basic auth in this cell');
  // The operator rotates the client secret in UAA; the broker still has the old one.
  s.uaa.model.client('bosh_admin')!.client_secret = 'rotated-elsewhere';
  await s.clock.advance(13 * 3600_000);
  const si = await s.provision(s.plan(0));
  expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
  expect(replies(s, 'PUT', '/v2/service_instances/')[0].status).toBe(500);
  expect(s.journal.query({ service: 'uaa', method: 'POST', path: '/oauth/token', status: 401 }).length).toBeGreaterThan(0);
  expect(s.deployment(si.guid)).toBeUndefined();
});

scenario('the director refusing the broker’s basic-auth user fails the provision', { tags: ['area:auth', 'osb:2.13', 'odb:bosh-basic'] }, async (s) => {
  if (s.env.boshAuth !== 'basic') s.notApplicable('the director uses UAA in this cell');
  s.faults.add({ match: { service: 'bosh', method: 'POST', path: '/deployments' }, action: { type: 'status', status: 401 }, times: 1 });
  const si = await s.provision(s.plan(0));
  expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
  expect(s.deployment(si.guid)).toBeUndefined();
});
