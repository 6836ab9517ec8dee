import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';
import { body, ODB, replies } from './support.js';

scenario('an update with arbitrary parameters and no pending changes redeploys with them', { tags: ['area:update', 'osb:2.13', 'odb:update', 'odb:arbitrary-params'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  const before = s.deployment(si.guid)!.manifest_text;
  const after = await s.update(si.guid, { parameters: { maxmemory_policy: 'volatile-ttl' } });
  expect(after?.last_operation).toMatchObject({ type: 'update', state: 'succeeded', description: 'Instance update completed' });
  const manifest = s.deployment(si.guid)!.manifest_text!;
  expect(manifest).not.toBe(before);
  expect(manifest).toContain('volatile-ttl');
  expect(JSON.parse(body(replies(s, 'PATCH', `/v2/service_instances/${si.guid}`)[0]).operation)).toMatchObject({ OperationType: 'update' });
});

scenario('a plan change redeploys the instance with the new plan', { tags: ['area:update', 'osb:2.13', 'odb:plan-change'] }, async (s) => {
  const [from, to] = [s.plan(0), s.plan(1)];
  const si = await s.provision(from);
  const after = await s.update(si.guid, { plan: to });
  expect(after?.last_operation).toMatchObject({ type: 'update', state: 'succeeded' });
  expect(s.cc.model.get('plans', after!.plan_guid!)?.name).toBe(to);
  const patch = replies(s, 'PATCH', `/v2/service_instances/${si.guid}`)[0];
  expect(JSON.parse(patch.requestBody!)).toMatchObject({ plan_id: s.catalog.plans[1].id, previous_values: { plan_id: s.catalog.plans[0].id } });
  expect(s.tasks(si.guid).filter((t) => t.type === 'update_deployment' && t.state === 'done').length).toBeGreaterThanOrEqual(2);
});

scenario('an update is refused while the instance has pending changes (the broker was updated since it was deployed)', { tags: ['area:update', 'osb:2.13', 'odb:pending-changes'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  // The operator changes the plan's properties and restarts the broker: what it would deploy now differs.
  const plan = (s.config.service_catalog as { plans: Record<string, any>[] }).plans[0];
  plan.properties = { ...(plan.properties ?? {}), maxclients: 1234 };
  await s.broker.restart!();
  const tasks = s.tasks(si.guid).length;
  const after = await s.update(si.guid, { parameters: { maxmemory_policy: 'allkeys-lru' } });
  expect(after?.last_operation).toMatchObject({ type: 'update', state: 'failed' });
  const patch = replies(s, 'PATCH', `/v2/service_instances/${si.guid}`).at(-1)!;
  expect(patch.status).toBe(422);
  expect(body(patch).description).toBe(ODB.pendingChanges);
  expect(s.tasks(si.guid).length).toBe(tasks);
});

scenario('an update with no changes at all is accepted and deploys the same manifest', { tags: ['area:update', 'osb:2.13', 'odb:update'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  const before = s.deployment(si.guid)!.manifest_text;
  const after = await s.update(si.guid, { parameters: {} });
  expect(after?.last_operation).toMatchObject({ type: 'update', state: 'succeeded' });
  expect(s.deployment(si.guid)!.manifest_text).toBe(before);
});

// With `enable_plan_schemas` the broker refuses them against the plan's schema (400) before the
// adapter sees them; without, the adapter refuses them (its stdout is the message).
scenario('parameters the service does not take are refused, and nothing is deployed', { tags: ['area:update', 'osb:2.13', 'odb:arbitrary-params'] }, async (s) => {
  const si = await s.provision(s.plan(0), { parameters: { no_such_setting: true } });
  expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
  const put = replies(s, 'PUT', '/v2/service_instances/')[0];
  expect(put.status).toBeGreaterThanOrEqual(400);
  const description = body(put)?.description as string | undefined;
  if ((s.config.broker as { enable_plan_schemas?: boolean }).enable_plan_schemas) expect(put.status).toBe(400);
  else expect(description).toContain('no_such_setting');
  expect(s.deployment(si.guid)).toBeUndefined();
});

scenario('a second operation while one is in progress is refused: CC refuses it, and the broker answers a direct request with an error', { tags: ['area:concurrency', 'osb:2.13', 'odb:update'] }, async (s) => {
  const si = await s.provision(s.plan(0));
  // The first update's deploy keeps running until the scenario lets it finish (however slow the director).
  s.bosh.control.addTaskRule({ type: 'update_deployment', hang: true, times: 1 });
  await s.update(si.guid, { parameters: { maxmemory_policy: 'allkeys-lru' }, wait: false });
  // CC itself refuses a second operation on the instance while the first is in progress.
  await expect(s.update(si.guid, { parameters: { maxmemory_policy: 'noeviction' }, wait: false })).rejects.toThrow(/in.progress/i);
  // A platform that asks anyway: the broker sees the BOSH task still running and refuses.
  const res = await s.osb('PATCH', `/v2/service_instances/${si.guid}?accepts_incomplete=true`, {
    service_id: s.catalog.serviceId,
    plan_id: s.catalog.plans[0].id,
    parameters: { maxmemory_policy: 'noeviction' },
    previous_values: { plan_id: s.catalog.plans[0].id },
  });
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(JSON.stringify(res.body)).toMatch(/in.progress/i);
  await s.eventually(() => s.tasks(si.guid).length === 2);
  await s.bosh.control.completeTask(s.tasks(si.guid)[1].id);
  expect((await s.drive(s.cc.waitForLastOperation(si.guid)))?.last_operation).toMatchObject({ type: 'update', state: 'succeeded' });
});
