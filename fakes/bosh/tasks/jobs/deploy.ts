import { E, boshErr } from '../../errors.js';
import { planDeployment, type DeployPlan } from '../../manifest/plan.js';
import { parseManifestSync, variableNames } from '../../manifest/parse.js';
import type { InstanceRecord } from '../../state.js';
import type { JobContext, JobSpec } from '../engine.js';
import { stage, type Step } from '../events.js';

export interface DeployPayload {
  manifest_text?: string;
  dry_run?: boolean;
  recreate?: boolean;
  /** `PUT /deployments/:d/jobs/...?state=`: the stored manifest with a state change. */
  change?: { state: string; group: string; index_or_id?: string };
}

interface DeployTaskPlan extends DeployPlan {
  text: string;
  dry_run: boolean;
  recreated: string[];
  failing: string[];
  variable_names: string[];
}

export const slug = (i: InstanceRecord) => `${i.group}/${i.id} (${i.index})`;

function targets(i: InstanceRecord, change: NonNullable<DeployPayload['change']>): boolean {
  if (change.group !== '*' && i.group !== change.group) return false;
  if (change.index_or_id === undefined) return true;
  return String(i.index) === change.index_or_id || i.id === change.index_or_id;
}

/** `update_deployment`: deploy, redeploy, and the converging start/stop/restart/recreate. */
export const deployJob: JobSpec = {
  lock: true,
  first: () => ({ stage: 'Preparing deployment', task: 'Preparing deployment', tags: [], total: 1, index: 1 }),
  // `create` until a deploy of this deployment has succeeded, then `update`.
  event: ({ model, task }) => ({
    action: model.deployment(task.deployment!)?.manifest_text ? 'update' : 'create',
    object_type: 'deployment',
    object_name: task.deployment!,
  }),

  prepare({ model, task }: JobContext): DeployTaskPlan {
    const p = task.payload as DeployPayload;
    const d = model.deployment(task.deployment!);
    if (!d) throw E.deploymentNotFound(task.deployment!);
    const text = p.manifest_text ?? d.manifest_text;
    if (text === null || text === undefined) throw boshErr(70000, `Deployment '${d.name}' has no manifest`, 404);
    const manifest = parseManifestSync(text);
    const plan = planDeployment({
      manifest,
      releases: model.state.releases,
      stemcells: model.state.stemcells,
      cloud: model.cloud(d.teams),
      existing: d,
      ips: model.ips,
      taskId: task.id,
      random: model.random,
      nextProviderId: () => model.nextId('link_provider'),
    });
    const recreated: string[] = [];
    for (const i of plan.instances) {
      if (i.lifecycle !== 'service') continue;
      if (p.change && targets(i, p.change)) {
        if (p.change.state === 'recreate') recreated.push(i.id);
        else if (p.change.state === 'started' || p.change.state === 'stopped' || p.change.state === 'detached') i.state = p.change.state;
      } else if (p.recreate && !plan.created.includes(i.id)) recreated.push(i.id);
    }
    if (!p.dry_run) {
      d.releases = plan.releases;
      d.stemcells = plan.stemcells;
    }
    return {
      ...plan,
      text,
      dry_run: !!p.dry_run,
      recreated,
      failing: plan.instances.filter((i) => i.job_state === 'failing').map((i) => i.id),
      variable_names: variableNames(text, manifest),
    };
  },

  steps(_ctx, raw): Step[] {
    const plan = raw as DeployTaskPlan;
    if (plan.dry_run) return [];
    const byId = new Map(plan.instances.map((i) => [i.id, i]));
    const steps: Step[] = [...stage('Preparing package compilation', ['Finding packages to compile'])];
    const created = plan.created.map((id) => byId.get(id)!).filter(Boolean);
    if (created.length) steps.push(...stage('Creating missing vms', created.map(slug)));
    if (plan.deleted.length) steps.push(...stage('Deleting unneeded instances', plan.deleted.map(slug)));
    const groups = [...new Set(plan.instances.filter((i) => i.lifecycle === 'service').map((i) => i.group))];
    for (const g of groups) {
      const members = plan.instances.filter((i) => i.group === g && i.lifecycle === 'service');
      const s = stage('Updating instance', members.map((i, n) => `${slug(i)}${n === 0 ? ' (canary)' : ''}`), [g]);
      members.forEach((i, n) => {
        if (plan.failing.includes(i.id) && i.state === 'started') {
          s[n].failure = { code: 400007, message: `'${slug(i)}' is not running after update.` };
        }
      });
      steps.push(...s);
    }
    return steps;
  },

  finish({ model, task, kernel }, raw) {
    const plan = raw as DeployTaskPlan;
    const d = model.deployment(task.deployment!);
    if (!d) throw E.deploymentNotFound(task.deployment!);
    const result = `/deployments/${d.name}`;
    if (plan.dry_run) return { result };
    const nowIso = kernel.clock.iso();
    for (const i of plan.instances) {
      if (i.lifecycle !== 'service') continue;
      if (plan.created.includes(i.id)) i.vm_created_at = nowIso;
      if (plan.recreated.includes(i.id)) {
        i.vm_cid = model.random.uuid();
        i.agent_id = model.random.uuid();
        i.vm_created_at = nowIso;
      }
      i.job_state = i.state === 'started' ? 'running' : 'stopped';
      if (i.state === 'detached') {
        i.vm_cid = null;
        i.agent_id = null;
        i.vm_created_at = null;
      }
    }
    model.commitPlan(d, plan, plan.text, plan.variable_names);
    d.cloud_config_ids = model.configsForTeams('cloud', d.teams).map((c) => c.id);
    d.runtime_config_ids = model.configsForTeams('runtime', d.teams).map((c) => c.id);
    return { result };
  },
};
