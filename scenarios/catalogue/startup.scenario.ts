import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';

scenario('the broker refuses to start when CC’s API version is older than 2.57.0', { tags: ['area:startup', 'osb:2.13', 'odb:startup-checks'], needs: ['startup-checks'], start: false }, async (s) => {
  s.faults.add({ match: { service: 'cc', method: 'GET', path: '/v2/info' }, action: { type: 'status', status: 200, body: JSON.stringify({ api_version: '2.56.0' }) } });
  await expect(s.startBroker()).rejects.toThrow(/CF API error: ODB requires minimum Cloud Foundry API version '2\.57\.0', got '2\.56\.0'/);
});

scenario('the broker refuses to start with wrong BOSH credentials', { tags: ['area:startup', 'area:auth', 'osb:2.13', 'odb:startup-checks'], needs: ['startup-checks'], start: false }, async (s) => {
  const auth = (s.config.bosh as { authentication: Record<string, any> }).authentication;
  if (auth.basic) auth.basic.password = 'wrong';
  else auth.uaa.client_credentials.client_secret = 'wrong';
  await expect(s.startBroker()).rejects.toThrow(/startup checks failed|BOSH|UAA|401|credentials/i);
});

scenario('the broker starts without contacting CC when disable_cf_startup_checks is set', { tags: ['area:startup', 'osb:2.13', 'odb:startup-checks'], needs: ['startup-checks'], start: false }, async (s) => {
  (s.config.broker as Record<string, unknown>).disable_cf_startup_checks = true;
  s.faults.add({ match: { service: 'cc' }, action: { type: 'status', status: 503 } });
  await s.startBroker();
  expect((await s.osb('GET', '/v2/catalog')).status).toBe(200);
  expect(s.journal.query({ service: 'cc' })).toEqual([]);
});

scenario('the broker refuses to start when CC has instances of a plan no longer in the catalog', { tags: ['area:startup', 'osb:2.13', 'odb:startup-checks'], needs: ['startup-checks'] }, async (s) => {
  await s.provision(s.plan(1));
  await s.broker.stop();
  const plans = (s.config.service_catalog as { plans: unknown[] }).plans;
  plans.splice(1, 1);
  await expect(s.broker.restart!()).rejects.toThrow(/was expected but is now missing/);
});
