import { BoshError, E } from '../../errors.js';
import type { DeploymentRecord, InstanceRecord } from '../../state.js';
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
  /** `lifecycle`: an errand instance group's VM, created for the run (and deleted after it unless kept alive). */
  instances: { id: string; group: string; slug: string; lifecycle: boolean }[];
  run: { exit_code: number; stdout: string; stderr: string };
}

type Filter = ErrandPayload['instances'][number];
type Group = NonNullable<DeploymentRecord['instance_groups']>[number];

/** `InstanceFilter#matches?`: a group, one of its instances by id or index, or `first` (the lowest id). */
function matches(i: InstanceRecord, f: Filter, all: InstanceRecord[]): boolean {
  if (i.group !== f.group) return false;
  if (f.id === undefined || f.id === '') return true;
  if (f.id === 'first') return all.filter((x) => x.group === f.group).map((x) => x.id).sort()[0] === i.id;
  return f.id === i.id || f.id === String(i.index);
}

/** The deployment's instance groups; a deployment recorded before they were kept derives them from its instances. */
function groupsOf(d: DeploymentRecord): Group[] {
  if (d.instance_groups) return d.instance_groups;
  const out = new Map<string, Group>();
  for (const i of d.instances) if (!out.has(i.group)) out.set(i.group, { name: i.group, lifecycle: i.lifecycle, jobs: i.jobs });
  return [...out.values()];
}

const membersOf = (d: DeploymentRecord, group: string) => d.instances.filter((i) => i.group === group).sort((a, b) => a.index - b.index);

/**
 * What a run targets (`errand_provider.rb`): the instances of every group holding a job of that
 * name (an errand group runs its first instance, a service group every matching one); only when no
 * job has the name, the `lifecycle: errand` group of that name, which takes no instance filter.
 */
function targetsOf(d: DeploymentRecord, p: ErrandPayload, warn: (m: string) => void): ErrandPlan['instances'] {
  const groups = groupsOf(d);
  const byJob = groups.filter((g) => g.jobs.includes(p.errand));
  const target = (i: InstanceRecord, lifecycle: boolean) => ({ id: i.id, group: i.group, slug: slug(i), lifecycle });
  if (byJob.length === 0) {
    const g = groups.find((x) => x.name === p.errand);
    if (!g) throw E.errandNotFound(p.errand);
    if (g.lifecycle !== 'errand') {
      throw new BoshError(400, 510000, `Instance group '${g.name}' is not an errand. To mark an instance group as an errand set its lifecycle to 'errand' in the deployment manifest.`);
    }
    const first = membersOf(d, g.name)[0];
    if (!first) throw new BoshError(404, 70001, `Instance '${d.name}/${p.errand}/0' doesn't exist`);
    if (p.instances.length) throw new BoshError(400, 510000, 'Filtering by instances is not supported when running errand by instance group name');
    return [target(first, true)];
  }
  if (groups.some((g) => g.name === p.errand)) {
    warn(
      `Ambiguous request: the requested errand name '${p.errand}' matches both a job name and an errand instance group name. ` +
        `Executing errand on all relevant instances with job '${p.errand}'.`,
    );
  }
  return byJob.flatMap((g) => {
    const members = membersOf(d, g.name);
    const matching = p.instances.length ? members.filter((i) => p.instances.some((f) => matches(i, f, d.instances))) : members;
    if (matching.length > 1) warn('Executing errand on multiple instances in parallel. Use the `--instance` flag to run the errand on a single instance.');
    if (g.lifecycle === 'errand') return members[0] && matching.includes(members[0]) ? [target(members[0], true)] : [];
    return matching.flatMap((i) => {
      if (i.vm_cid !== null) return [target(i, false)];
      warn(`Skipping instance: ${slug(i)} no matching VM reference was found`);
      return [];
    });
  });
}

/** `run_errand`: one result line per instance; the task is `done` whatever the exit codes. */
export const errandJob: JobSpec = {
  lock: true,
  event: ({ task }) => ({ action: 'run', object_type: 'errand', object_name: String(task.payload.errand) }),
  first: () => ({ stage: 'Preparing deployment', task: 'Preparing deployment', tags: [], total: 1, index: 1 }),
  prepare({ model, task, warn }): ErrandPlan {
    const p = task.payload as unknown as ErrandPayload;
    const d = model.deployment(task.deployment!);
    if (!d) throw E.deploymentNotFound(task.deployment!);
    const instances = targetsOf(d, p, warn);
    const unmatched = p.instances.filter((f) => !d.instances.some((i) => matches(i, f, d.instances)));
    if (unmatched.length) {
      throw new BoshError(400, 510000, `No instances match selection criteria: [${unmatched.map((f) => (f.id ? `${f.group}/${f.id}` : f.group)).join(', ')}]`);
    }
    const stopped = instances.find((t) => !t.lifecycle && d.instances.find((i) => i.id === t.id)!.state !== 'started');
    if (stopped) throw new BoshError(400, 510000, `Instance '${stopped.group}/${stopped.id}' is not running. Errands cannot be run on stopped instances.`);
    const skipped = p.when_changed && d.errand_runs[p.errand] !== undefined && d.errand_runs[p.errand] === d.manifest_text;
    return { skipped, instances, run: model.takeErrandRun(d.name, p.errand) };
  },
  steps(ctx, raw) {
    const plan = raw as ErrandPlan;
    if (plan.skipped) return [];
    const p = ctx.task.payload as unknown as ErrandPayload;
    const names = plan.instances.map((i) => i.slug);
    const lifecycle = plan.instances.filter((i) => i.lifecycle).map((i) => i.slug);
    return [
      ...(lifecycle.length ? stage('Creating missing vms', lifecycle) : []),
      ...stage('Running errand', names),
      ...stage('Fetching logs', names),
      ...(lifecycle.length && !p.keep_alive ? stage('Deleting errand instances', lifecycle) : []),
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
    for (const i of d?.instances.filter((x) => plan.instances.some((r) => r.lifecycle && r.id === x.id)) ?? []) {
      if (p.keep_alive) {
        i.vm_cid ??= model.random.uuid();
        i.agent_id ??= model.random.uuid();
        i.vm_created_at ??= ctx.kernel.clock.iso();
        i.job_state = 'stopped';
      } else {
        i.vm_cid = i.agent_id = i.vm_created_at = null;
      }
    }
    return { result: `${ok} succeeded, ${errored} errored, ${canceled} canceled`, output: lines.join('') };
  },
};
