/**
 * Deletes whatever the suite created and still exists (bindings first), even after failures, so a
 * broker is left as it was found. Deleting what a failed create may have left is also orphan
 * mitigation: the broker must answer 200, 202 or 410 (OM-B).
 */
import { spec } from '../citations.js';
import { describeReply } from '../http.js';
import { pollLastOperation } from '../polling.js';
import type { RunContext } from '../run-context.js';
import { operationOf } from '../validate.js';
import { bindingPath } from './binding.js';
import { instancePath } from './instance.js';

export async function cleanup(run: RunContext): Promise<void> {
  const leftovers = [...run.created.instances.values()];
  const def = {
    id: 'OM-B',
    title: 'cleanup: deleting what the suite created (or may have created) answers 200, 202 or 410',
    since: '2.13',
    tags: ['cleanup', 'orphan-mitigation'],
    citation: spec('orphan-mitigation', 'MUST', 'a DELETE of an instance or binding whose creation failed or never completed succeeds: 200 if something was cleaned up, 410 if nothing exists, 202 if asynchronous.'),
  };
  // Cleanup is never skipped by config: leaving instances behind is worse than a skipped check.
  const c = await run.engine.run({ ...def, id: 'CLEANUP', also: ['OM-B'], always: true }, async (t) => {
    if (leftovers.length === 0) return t.note('nothing left to delete');
    let deleted = 0;
    for (const inst of leftovers) {
      for (const [bid, b] of inst.bindings) {
        const r = await run.http.send('DELETE', bindingPath(inst.id, bid), { query: { service_id: b.serviceId, plan_id: b.planId, accepts_incomplete: 'true' } });
        if (r.status === 202) {
          const p = await pollLastOperation(run, t, { instanceId: inst.id, bindingId: bid, serviceId: b.serviceId, planId: b.planId, operation: operationOf(r), op: 'unbind' });
          if (p.end !== 'succeeded' && p.end !== 'gone') t.fail(`binding ${bid} of instance ${inst.id}: the unbind ended "${p.end}"; the binding may be left behind`, undefined, p.last?.exchange);
        } else if (r.status !== 200 && r.status !== 410) t.fail(`DELETE of binding ${bid} (instance ${inst.id}) answered ${describeReply(r)}; it may be left behind`, undefined, r.exchange);
        run.created.forgetBinding(inst.id, bid);
      }
      const r = await run.http.send('DELETE', instancePath(inst.id), { query: { service_id: inst.serviceId, plan_id: inst.planId, accepts_incomplete: 'true' } });
      if (r.status === 202) {
        const p = await pollLastOperation(run, t, { instanceId: inst.id, serviceId: inst.serviceId, planId: inst.planId, operation: operationOf(r), op: 'deprovision' });
        if (p.end !== 'succeeded' && p.end !== 'gone') t.fail(`instance ${inst.id}: the deprovision ended "${p.end}"; it may be left behind`, undefined, p.last?.exchange);
        else deleted++;
      } else if (r.status === 200) deleted++;
      else if (r.status !== 410) t.fail(`DELETE of instance ${inst.id} answered ${describeReply(r)}; it may be left behind`, undefined, r.exchange);
      run.created.forgetInstance(inst.id);
    }
    t.note(`${leftovers.length} instance(s) the suite created were still there or unknown; ${deleted} deleted`);
  });
  void c;
}
