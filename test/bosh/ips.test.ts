import { afterEach, describe, expect, it } from 'vitest';
import { RELEASE, STEMCELL, groupsManifest, instanceGroup, manifest } from './helpers.js';
import { inProcess } from './inprocess.js';

type Env = Awaited<ReturnType<typeof inProcess>>;

const KAFKA = (kafka: number) => groupsManifest('kafka', RELEASE, [instanceGroup('kafka_server', ['redis-server'], { instances: kafka }), instanceGroup('zookeeper_server', ['redis-server'])]);

/** IP reservations as `ip_repo.rb` makes them: at planning time, against every deployment's reservations. */
describe('IP reservations', () => {
  let env: Env;
  const setup = async () => {
    env = await inProcess('ips');
    env.bosh.control.seedRelease(RELEASE);
    env.bosh.control.seedStemcell(STEMCELL);
  };
  afterEach(async () => env.f.close());
  const ipsOf = (name: string) => Object.fromEntries(env.bosh.control.deployment(name)!.instances.filter((i) => i.lifecycle === 'service').map((i) => [`${i.group}/${i.index}`, i.networks[0].ip]));

  it('concurrent deploys (as ODB starts them) never share an address', async () => {
    await setup();
    const names = ['si-a', 'si-b', 'si-c', 'si-d', 'si-e', 'si-f'];
    const ids: number[] = [];
    for (const n of names) ids.push(env.taskId(await env.yaml('/deployments', manifest(n, { instances: 2, azs: ['z1', 'z2'] }))));
    // All six are running at once: each plans while the others have not finished.
    await env.f.clock.advance(1500);
    expect(ids.map((id) => env.bosh.control.task(id).state)).toEqual(names.map(() => 'processing'));
    for (const id of ids) expect((await env.runTask(id)).state).toBe('done');
    const all = names.flatMap((n) => Object.values(ipsOf(n)));
    expect(all).toHaveLength(12);
    expect(new Set(all).size).toBe(12);
    // The lowest free addresses of the range, in the order the deploys planned.
    expect(ipsOf('si-a')).toEqual({ 'redis-server/0': '10.244.0.8', 'redis-server/1': '10.244.0.9' });
    expect(ipsOf('si-f')).toEqual({ 'redis-server/0': '10.244.0.18', 'redis-server/1': '10.244.0.19' });
  });

  it('existing instances keep their addresses on a scale-up; new ones take addresses no one holds', async () => {
    await setup();
    expect((await env.runTask(env.taskId(await env.yaml('/deployments', KAFKA(1))))).state).toBe('done');
    expect(ipsOf('kafka')).toEqual({ 'kafka_server/0': '10.244.0.8', 'zookeeper_server/0': '10.244.0.9' });
    expect((await env.runTask(env.taskId(await env.yaml('/deployments', KAFKA(3))))).state).toBe('done');
    expect(ipsOf('kafka')).toEqual({
      'kafka_server/0': '10.244.0.8',
      'kafka_server/1': '10.244.0.10',
      'kafka_server/2': '10.244.0.11',
      'zookeeper_server/0': '10.244.0.9',
    });
    // A plain redeploy moves nothing.
    expect((await env.runTask(env.taskId(await env.yaml('/deployments', KAFKA(3))))).state).toBe('done');
    expect(ipsOf('kafka')['zookeeper_server/0']).toBe('10.244.0.9');
  });

  it('a deploy that fails, or a dry run, gives back what it reserved', async () => {
    await setup();
    env.bosh.control.addTaskRule({ type: 'update_deployment', fail_at_stage: 'Updating instance', message: 'boom', times: 1 });
    const failed = await env.runTask(env.taskId(await env.yaml('/deployments', manifest('first', { instances: 2, azs: ['z1'] }))));
    expect(failed.state).toBe('error');
    const dry = await env.runTask(env.taskId(await env.yaml('/deployments?dry_run=true', manifest('second', { instances: 2, azs: ['z1'] }))));
    expect(dry.state).toBe('done');
    expect(env.bosh.model.state.ip_reservations).toEqual([]);
    expect((await env.runTask(env.taskId(await env.yaml('/deployments', manifest('third', { instances: 1, azs: ['z1'] }))))).state).toBe('done');
    expect(ipsOf('third')).toEqual({ 'redis-server/0': '10.244.0.8' });
    // Deleting a deployment frees its addresses; scaling down frees the removed instance's.
    expect((await env.runTask(env.taskId(await env.yaml('/deployments', manifest('fourth', { instances: 2, azs: ['z1'] }))))).state).toBe('done');
    expect(ipsOf('fourth')).toEqual({ 'redis-server/0': '10.244.0.9', 'redis-server/1': '10.244.0.10' });
    expect((await env.runTask(env.taskId(await env.yaml('/deployments', manifest('fourth', { instances: 1, azs: ['z1'] }))))).state).toBe('done');
    await env.runTask(env.taskId(await env.call('DELETE', '/deployments/third')));
    expect(env.bosh.model.state.ip_reservations.map((r) => [r.deployment, r.ip, r.task_id])).toEqual([['fourth', '10.244.0.9', null]]);
  });
});
