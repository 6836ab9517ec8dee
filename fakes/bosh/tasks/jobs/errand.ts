import { BoshError, E } from '../../errors.js';
import type { InstanceRecord } from '../../state.js';
import type { JobSpec } from '../engine.js';
import { stage } from '../events.js';
import { slug } from './deploy.js';

export interface ErrandPayload {
  errand: string;
  keep_alive: boolean;
  when_changed: boolean;
  instances: { group: string; id?: string }[];
}

interface ErrandPlan {
  skipped: boolean;
  lifecycle: boolean;
  instances: { id: string; group: string; slug: string }[];
  run: { exit_code: number; stdout: string; stderr: string };
}

const matches = (i: InstanceRecord, f: { group: string; id?: string }) =>
  i.group === f.group && (f.id === undefined || f.id === '' || f.id === i.id || f.id === String(i.index));

/** `run_errand`: one result line per instance; the task is `done` whatever the exit codes. */
export const errandJob: JobSpec = {
  lock: true,
  event: ({ task }) => ({ action: 'run', object_type: 'errand', object_name: String(task.payload.errand) }),
  first: () => ({ stage: 'Preparing deployment', task: 'Preparing deployment', tags: [], total: 1, index: 1 }),
  prepare({ model, task }): ErrandPlan {
    const p = task.payload as unknown as ErrandPayload;
    const d = model.deployment(task.deployment!);
    if (!d) throw E.deploymentNotFound(task.deployment!);
    const errand = d.errands.find((e) => e.name === p.errand);
    if (!errand) throw E.errandNotFound(p.errand);
    const lifecycle = errand.groups.length === 1 && errand.groups[0] === errand.name && d.instances.some((i) => i.group === errand.name && i.lifecycle === 'errand');
    let pool = d.instances.filter((i) => errand.groups.includes(i.group) && (lifecycle ? i.lifecycle === 'errand' : i.jobs.includes(p.errand)));
    if (p.instances.length) {
      pool = d.instances.filter((i) => p.instances.some((f) => matches(i, f)) && errand.groups.includes(i.group));
      if (pool.length === 0) {
        const wanted = p.instances.map((f) => (f.id ? `${f.group}/${f.id}` : f.group)).join(', ');
        throw new BoshError(400, 510000, `No instances match selection criteria: [${wanted}]`);
      }
    }
    const stopped = pool.find((i) => !lifecycle && i.state !== 'started');
    if (stopped) throw new BoshError(400, 510000, `Instance '${stopped.group}/${stopped.id}' is not running. Errands cannot be run on stopped instances.`);
    const skipped = p.when_changed && d.errand_runs[p.errand] !== undefined && d.errand_runs[p.errand] === d.manifest_text;
    const script = model.state.errand_scripts.find((s) => s.deployment === d.name && s.errand === p.errand && s.remaining !== 0);
    if (script && script.remaining !== null) script.remaining--;
    model.state.errand_scripts = model.state.errand_scripts.filter((s) => s.remaining !== 0);
    return {
      skipped,
      lifecycle,
      instances: pool.map((i) => ({ id: i.id, group: i.group, slug: slug(i) })),
      run: script ? { exit_code: script.exit_code, stdout: script.stdout, stderr: script.stderr } : { exit_code: 0, stdout: '', stderr: '' },
    };
  },
  steps(ctx, raw) {
    const plan = raw as ErrandPlan;
    if (plan.skipped) return [];
    const p = ctx.task.payload as unknown as ErrandPayload;
    const names = plan.instances.map((i) => i.slug);
    return [
      ...(plan.lifecycle ? stage('Creating missing vms', names) : []),
      ...stage('Running errand', names),
      ...stage('Fetching logs', names),
      ...(plan.lifecycle && !p.keep_alive ? stage('Deleting errand instances', names) : []),
    ];
  },
  finish(ctx, raw) {
    const { model, task } = ctx;
    const plan = raw as ErrandPlan;
    if (plan.skipped) return { result: 'skipped - no changes detected' };
    const p = task.payload as unknown as ErrandPayload;
    const code = plan.run.exit_code;
    const lines = plan.instances.map(
      (i) =>
        `${JSON.stringify({
          instance: { group: i.group, id: i.id },
          errand_name: p.errand,
          exit_code: code,
          stdout: plan.run.stdout,
          stderr: plan.run.stderr,
          logs: { blobstore_id: model.random.uuid(), sha1: model.random.hex(40) },
        })}\n`,
    );
    const n = plan.instances.length;
    const ok = code === 0 ? n : 0;
    const errored = code > 0 && code <= 128 ? n : 0;
    const canceled = code > 128 ? n : 0;
    const d = model.deployment(task.deployment!);
    if (d && code === 0 && d.manifest_text !== null) d.errand_runs[p.errand] = d.manifest_text;
    // A lifecycle errand's VM goes away after the run unless `keep-alive` asked to keep it.
    if (d && plan.lifecycle) {
      for (const i of d.instances.filter((x) => plan.instances.some((r) => r.id === x.id))) {
        if (p.keep_alive) {
          i.vm_cid ??= model.random.uuid();
          i.agent_id ??= model.random.uuid();
          i.vm_created_at ??= ctx.kernel.clock.iso();
          i.job_state = 'stopped';
        } else {
          i.vm_cid = i.agent_id = i.vm_created_at = null;
        }
      }
    }
    return { result: `${ok} succeeded, ${errored} errored, ${canceled} canceled`, output: lines.join('') };
  },
};
