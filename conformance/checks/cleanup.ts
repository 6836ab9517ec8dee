/**
 * Deletes whatever the suite created and still exists (bindings first), even after failures, so a
 * broker is left as it was found. Deleting what a failed create may have left is also orphan
 * mitigation: the broker must answer 200, 202 or 410 (OM-B). Like a platform's orphan mitigation,
 * a delete refused because an operation is still in progress is retried once that operation ends.
 */
import { spec } from '../citations.js';
import { CaseContext } from '../engine.js';
import { describeReply, type Reply } from '../http.js';
import { pollLastOperation, type PolledOp } from '../polling.js';
import type { RunContext } from '../run-context.js';
import { operationOf } from '../validate.js';
import { bindingPath } from './binding.js';
import { instancePath } from './instance-state.js';

const ATTEMPTS = 3;

interface Target {
  instanceId: string;
  bindingId?: string;
  serviceId: string;
  planId: string;
}

/** DELETE, then poll a 202; a refusal (409, 422, 5xx, timeout) waits for the operation in progress and tries again. */
async function remove(run: RunContext, t: CaseContext, x: Target): Promise<Reply | 'gone'> {
  const path = x.bindingId ? bindingPath(x.instanceId, x.bindingId) : instancePath(x.instanceId);
  const key = x.bindingId ? `${x.instanceId}/${x.bindingId}` : x.instanceId;
  // What the polls see belongs to the checks that ran before; here only the end matters.
  const scratch = new CaseContext(t.def);
  const poll = (op: PolledOp, operation: string | undefined) =>
    pollLastOperation(run, scratch, { instanceId: x.instanceId, bindingId: x.bindingId, serviceId: x.serviceId, planId: x.planId, operation, op });
  let last: Reply | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const r = await run.http.send('DELETE', path, { query: { service_id: x.serviceId, plan_id: x.planId, accepts_incomplete: 'true' } });
    last = r;
    if (r.status === 200 || r.status === 410) return 'gone';
    if (r.status === 202) {
      const p = await poll(x.bindingId ? 'unbind' : 'deprovision', operationOf(r));
      if (p.end === 'succeeded' || p.end === 'gone') return 'gone';
      continue;
    }
    if (attempt === ATTEMPTS || (r.status >= 400 && r.status < 500 && r.status !== 409 && r.status !== 422)) break;
    // Probably busy: wait for the operation the suite last started on it, then try again.
    await poll(x.bindingId ? 'bind' : 'provision', run.created.operations.get(key));
  }
  return last!;
}

export async function cleanup(run: RunContext): Promise<void> {
  const leftovers = [...run.created.instances.values()];
  await run.engine.run(
    {
      id: 'CLEANUP',
      also: ['OM-B'],
      always: true,
      title: 'cleanup: deleting what the suite created (or may have created) answers 200, 202 or 410',
      since: '2.13',
      tags: ['cleanup', 'orphan-mitigation'],
      citation: spec('orphan-mitigation', 'MUST', 'a DELETE of an instance or binding whose creation failed or never completed succeeds: 200 if something was cleaned up, 410 if nothing exists, 202 if asynchronous.'),
    },
    async (t) => {
      if (leftovers.length === 0) return t.note('nothing left to delete');
      const gone: string[] = [];
      for (const inst of leftovers) {
        for (const [bid, b] of inst.bindings) {
          const r = await remove(run, t, { instanceId: inst.id, bindingId: bid, serviceId: b.serviceId, planId: b.planId });
          if (r !== 'gone') t.fail(`binding ${bid} of instance ${inst.id} could not be deleted: the last DELETE answered ${describeReply(r)}; it may be left behind`, undefined, r.exchange);
          run.created.forgetBinding(inst.id, bid);
        }
        const r = await remove(run, t, { instanceId: inst.id, serviceId: inst.serviceId, planId: inst.planId });
        if (r === 'gone') gone.push(inst.id);
        else t.fail(`instance ${inst.id} could not be deleted: the last DELETE answered ${describeReply(r)}; it may be left behind`, undefined, r.exchange);
        run.created.forgetInstance(inst.id);
      }
      t.note(`${leftovers.length} instance(s) the suite created were still there (or might be); ${gone.length} deleted`);
    },
  );
}
