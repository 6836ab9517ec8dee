import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';
import { replies } from './support.js';

const orphanManifest = (name: string) => `name: ${name}
releases: []
stemcells: [{alias: default, os: ubuntu-jammy, version: latest}]
instance_groups: []
update: {canaries: 1, max_in_flight: 1, canary_watch_time: 1000, update_watch_time: 1000}
`;

scenario('a deployment with no CC instance is an orphan deployment', { tags: ['area:orphans', 'osb:2.13', 'odb:mgmt-api'], needs: ['mgmt-api'] }, async (s) => {
  await s.provision(s.plan(0));
  const orphan = s.deploymentName('0e7d6e64-0000-4000-8000-0000000000aa');
  s.bosh.control.createDeployment(orphanManifest(orphan));
  s.bosh.control.createDeployment(orphanManifest('not-a-service-instance'));
  const res = await s.osb('GET', '/mgmt/orphan_deployments');
  expect(res).toEqual({ status: 200, body: [{ deployment_name: orphan }] });
});

scenario('an instance purged from CC leaves its deployment behind as an orphan', { tags: ['area:orphans', 'osb:2.13', 'odb:mgmt-api'], needs: ['mgmt-api'] }, async (s) => {
  const kept = await s.provision(s.plan(0));
  const purged = await s.provision(s.plan(0));
  s.cc.purgeInstance(purged.guid);
  expect(s.deployment(purged.guid)).toBeDefined();
  const res = await s.osb('GET', '/mgmt/orphan_deployments');
  expect(res.body).toEqual([{ deployment_name: s.deploymentName(purged.guid) }]);
  expect(res.body).not.toContainEqual({ deployment_name: s.deploymentName(kept.guid) });
});

scenario('no orphans: the list is empty', { tags: ['area:orphans', 'osb:2.13', 'odb:mgmt-api'], needs: ['mgmt-api'] }, async (s) => {
  await s.provision(s.plan(0));
  expect(await s.osb('GET', '/mgmt/orphan_deployments')).toEqual({ status: 200, body: [] });
});

scenario('orphan mitigation after a provision timeout: CC gives up on the broker and deletes what it may have created', { tags: ['area:orphans', 'osb:2.13', 'odb:provision'] }, async (s) => {
  // The broker's answer to the provision never reaches CC in time.
  s.faults.add({ match: { service: 'cc->broker', method: 'PUT' }, action: { type: 'hang' }, times: 1 });
  const si = await s.provision(s.plan(0), { wait: false });
  await s.clock.advance(5 * 60_000);
  await s.drive(s.cc.waitForLastOperation(si.guid)).catch(() => undefined);
  const mitigation = s.journal.query({ service: 'cc->broker', method: 'DELETE', tag: 'orphan-mitigation' });
  expect(mitigation.length).toBeGreaterThanOrEqual(1);
  expect(s.cc.model.get('instances', si.guid)?.last_operation ?? { state: 'failed' }).toMatchObject({ state: 'failed' });
  expect(replies(s, 'PUT', '/v2/service_instances/')[0].error).toMatch(/timed out/);
});

scenario('orphan mitigation after a provision 5xx: the broker answers CC’s cleanup DELETE', { tags: ['area:orphans', 'osb:2.13', 'odb:deprovision'] }, async (s) => {
  s.faults.add({ match: { service: 'bosh', method: 'POST', path: '/deployments' }, action: { type: 'status', status: 503 }, times: 1 });
  const si = await s.provision(s.plan(0));
  expect(si.last_operation).toMatchObject({ state: 'failed' });
  await s.eventually(() => s.journal.query({ service: 'cc->broker', method: 'DELETE', tag: 'orphan-mitigation' }).some((e) => e.status > 0));
  const [cleanup] = s.journal.query({ service: 'cc->broker', method: 'DELETE', tag: 'orphan-mitigation' });
  expect(cleanup.path).toBe(`/v2/service_instances/${si.guid}`);
  expect([200, 202, 410]).toContain(cleanup.status);
  expect(s.deployment(si.guid)).toBeUndefined();
});
