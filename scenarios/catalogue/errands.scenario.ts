import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';
import { body, planWithErrands, replies } from './support.js';

function errandPlan(s: Parameters<Parameters<typeof scenario>[2]>[0], kind: 'post_deploy' | 'pre_delete') {
  const p = planWithErrands(s.config, kind);
  if (!p) s.notApplicable(`the service has no plan with ${kind.replace('_', '-')} errands`);
  return { plan: p.name as string, errand: p.lifecycle_errands[kind][0].name as string };
}

scenario('a post-deploy errand runs after the deploy, and success is reported only after it', { tags: ['area:errands', 'osb:2.13', 'odb:post-deploy-errand'] }, async (s) => {
  const { plan, errand } = errandPlan(s, 'post_deploy');
  const si = await s.provision(plan);
  expect(si.last_operation).toMatchObject({ type: 'create', state: 'succeeded' });
  const tasks = s.tasks(si.guid);
  expect(tasks.map((t) => t.type)).toEqual(['update_deployment', 'run_errand']);
  expect(tasks[1]).toMatchObject({ state: 'done', context_id: tasks[0].context_id });
  expect(tasks[1].description).toContain(errand);
  // The deploy and the errand share ODB's context id, carried in the operation data.
  expect(JSON.parse(body(replies(s, 'PUT', '/v2/service_instances/')[0]).operation).BoshContextID).toBe(tasks[0].context_id);
});

// ODB reads the errand task it has just submitted as it is; only later polls see a failed errand
// as failed. A real errand runs far longer than the director takes to answer: so does this one,
// even under a slow-director fault profile.
scenario('a failing post-deploy errand fails the provision', { tags: ['area:errands', 'osb:2.13', 'odb:post-deploy-errand'], foundation: { bosh: { tasks: { durations: { run_errand: 60_000 } } } } }, async (s) => {
  const { plan, errand } = errandPlan(s, 'post_deploy');
  s.bosh.control.scriptErrand({ errand, exit_code: 1, stderr: 'health check failed' });
  const si = await s.provision(plan);
  expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
  expect(si.last_operation!.description).toMatch(/^Instance provisioning failed: There was a problem completing your request/);
  expect(s.deployment(si.guid)).toBeDefined();
});

scenario('a post-deploy errand also runs after an update', { tags: ['area:errands', 'area:update', 'osb:2.13', 'odb:post-deploy-errand'] }, async (s) => {
  const { plan } = errandPlan(s, 'post_deploy');
  const si = await s.provision(plan);
  const after = await s.update(si.guid, { parameters: { maxmemory_policy: 'allkeys-lru' } });
  expect(after?.last_operation).toMatchObject({ type: 'update', state: 'succeeded' });
  expect(s.tasks(si.guid).map((t) => t.type)).toEqual(['update_deployment', 'run_errand', 'update_deployment', 'run_errand']);
});

scenario('a pre-delete errand runs before the deployment is deleted', { tags: ['area:errands', 'osb:2.13', 'odb:pre-delete-errand'] }, async (s) => {
  const { plan, errand } = errandPlan(s, 'pre_delete');
  const si = await s.provision(plan);
  const before = s.tasks(si.guid).length;
  expect(await s.deprovision(si.guid)).toBeUndefined();
  const deleting = s.tasks(si.guid).slice(before);
  expect(deleting.map((t) => [t.type, t.state])).toEqual([
    ['run_errand', 'done'],
    ['delete_deployment', 'done'],
  ]);
  expect(deleting[0].description).toContain(errand);
  expect(s.deployment(si.guid)).toBeUndefined();
});

scenario('a failing pre-delete errand fails the delete and keeps the deployment', { tags: ['area:errands', 'osb:2.13', 'odb:pre-delete-errand'] }, async (s) => {
  const { plan, errand } = errandPlan(s, 'pre_delete');
  const si = await s.provision(plan);
  s.bosh.control.scriptErrand({ errand, exit_code: 1, stderr: 'could not clean up' });
  const after = await s.deprovision(si.guid);
  expect(after?.last_operation).toMatchObject({ type: 'delete', state: 'failed' });
  expect(after!.last_operation!.description).toMatch(/^Instance deletion failed: There was a problem completing your request/);
  expect(s.deployment(si.guid)).toBeDefined();
  expect(s.tasks(si.guid).some((t) => t.type === 'delete_deployment')).toBe(false);
});
