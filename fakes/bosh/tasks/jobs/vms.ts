import { E } from '../../errors.js';
import { vmInfo } from '../../model/vminfo.js';
import type { JobSpec } from '../engine.js';

/** `vms` ("retrieve vm-stats"): the result is one JSON object per line. */
export const vmsJob: JobSpec = {
  prepare: () => null,
  steps: () => [],
  finish({ model, task }) {
    const d = model.deployment(task.deployment!);
    if (!d) throw E.deploymentNotFound(task.deployment!);
    const all = task.payload.instances === true;
    const lines = d.instances.filter((i) => all || i.vm_cid !== null).map((i) => `${JSON.stringify(vmInfo(i, model.now))}\n`);
    return { result: '', output: lines.join('') };
  },
};
