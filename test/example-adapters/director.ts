import type { FoundationConfigInput } from '../../fakes/core/config.js';
import { Foundation } from '../../fakes/foundation.js';

/** A fake director in-process, driven as ODB drives one: deploy, wait on the task, vms, errands, delete. */
export async function fakeDirector(seed: string, config?: FoundationConfigInput) {
  const f = await Foundation.create({ seed, config });
  const urls = f.mountInProcess();
  const admin = f.uaa.model.client('bosh_admin')!;
  const tokenRes = await fetch(`${urls.uaa}/oauth/token`, {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from(`${admin.client_id}:${admin.client_secret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const auth = `bearer ${((await tokenRes.json()) as { access_token: string }).access_token}`;
  const call = (method: string, path: string, init: { type?: string; body?: string } = {}) =>
    fetch(`${urls.bosh}${path}`, {
      method,
      redirect: 'manual',
      headers: { authorization: auth, ...(init.type ? { 'content-type': init.type } : {}) },
      body: init.body,
    });

  interface Task { id: number; state: string; result: string; description: string }
  async function waitTask(res: Response): Promise<Task> {
    if (res.status !== 302) throw new Error(`expected a task redirect, got ${res.status}: ${await res.text()}`);
    const id = res.headers.get('location')!.split('/').pop();
    for (;;) {
      const task = (await (await call('GET', `/tasks/${id}`)).json()) as Task;
      if (!['queued', 'processing', 'cancelling'].includes(task.state)) return task;
      await f.clock.advance(500);
    }
  }
  const resultOf = async (task: Task) => (await call('GET', `/tasks/${task.id}/output?type=result`)).text();
  const eventsOf = async (task: Task) => (await call('GET', `/tasks/${task.id}/output?type=event`)).text();

  return {
    f,
    call,
    waitTask,
    eventsOf,
    async deploy(manifestYaml: string) {
      return waitTask(await call('POST', '/deployments', { type: 'text/yaml', body: manifestYaml }));
    },
    /** `bosh_vms` as ODB builds it from `vms?format=full`: instance group → IPs. */
    async boshVms(deployment: string): Promise<Record<string, string[]>> {
      const task = await waitTask(await call('GET', `/deployments/${deployment}/vms?format=full`));
      const out: Record<string, string[]> = {};
      for (const line of (await resultOf(task)).trim().split('\n').filter(Boolean)) {
        const vm = JSON.parse(line) as { job_name: string; ips: string[] };
        (out[vm.job_name] ??= []).push(...vm.ips);
      }
      return out;
    },
    async runErrand(deployment: string, errand: string) {
      const task = await waitTask(await call('POST', `/deployments/${deployment}/errands/${errand}/runs`, {
        type: 'application/json', body: JSON.stringify({ 'keep-alive': false, 'when-changed': false, instances: [] }),
      }));
      return { task, result: JSON.parse(await resultOf(task)) as { exit_code: number } };
    },
    async instanceIds(deployment: string) {
      const body = (await (await call('GET', `/deployments/${deployment}/instances`)).json()) as { job: string; id: string }[];
      return body.map((i) => `${i.job}/${i.id}`).sort();
    },
    async remove(deployment: string) {
      return waitTask(await call('DELETE', `/deployments/${deployment}`));
    },
  };
}
