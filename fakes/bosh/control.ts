import { planDeployment } from './manifest/plan.js';
import { parseManifestSync, variableNames } from './manifest/parse.js';
import type { Director } from './director.js';
import type { DeploymentRecord, ReleaseJob, TaskRecord, TaskRule } from './state.js';
import { BoshError } from './errors.js';

export interface SeedRelease {
  name: string;
  version: string;
  jobs?: (string | (Partial<ReleaseJob> & { name: string }))[];
}

export interface ErrandScriptInput {
  /** Absent: runs of this errand in any deployment (a script naming the deployment wins). */
  deployment?: string;
  errand: string;
  exit_code?: number;
  stdout?: string;
  stderr?: string;
  /** Applies to the next N runs only (default: every run). */
  times?: number;
}

/** A task rule (`fail_at_stage`, `hang`, ...) as `addTaskRule` takes it; `times` limits it to the next N matching tasks. */
export type TaskRuleInput = Omit<TaskRule, 'id' | 'remaining'> & { times?: number };

const UNREACHABLE_RULE = 'bosh-unreachable';

/** The TypeScript test API of the fake director (and, below, its HTTP twin under `/_fakefoundry/bosh/`). */
export class BoshControl {
  constructor(private readonly d: Director) {}

  seedRelease(r: SeedRelease): void {
    const m = this.d.model;
    m.addReleaseVersion(r.name, {
      version: r.version,
      commit_hash: m.random.hex(8),
      uncommitted_changes: false,
      packages: [],
      jobs: (r.jobs ?? []).map((j) => m.makeJob(typeof j === 'string' ? { name: j } : j)),
    });
  }

  seedStemcell(s: { name: string; version: string; operating_system?: string; api_version?: number }): void {
    this.d.model.addStemcell(s);
  }

  setCloudConfig(content: string, name = 'default'): number {
    return this.d.model.createConfig({ type: 'cloud', name, content, team: null }).id;
  }

  /** A deployment made without a task (an orphan, or a starting point); the manifest is planned at once. */
  createDeployment(manifestText: string, opts: { teams?: string[] } = {}): DeploymentRecord {
    const m = this.d.model;
    const manifest = parseManifestSync(manifestText);
    const dep = m.ensureDeployment(manifest.name, opts.teams ?? []);
    let plan;
    try {
      plan = planDeployment({
        manifest,
        releases: m.state.releases,
        stemcells: m.state.stemcells,
        cloud: m.cloud(dep.teams),
        existing: dep,
        ips: m.ips,
        taskId: 0,
        random: m.random,
        nextProviderId: () => m.nextId('link_provider'),
      });
      const iso = this.d.kernel.clock.iso();
      for (const i of plan.instances) if (i.vm_cid && !i.vm_created_at) i.vm_created_at = iso;
      dep.releases = plan.releases;
      dep.stemcells = plan.stemcells;
      m.commitPlan(dep, plan, manifestText, variableNames(manifestText, manifest));
    } finally {
      // Task 0 stands for this call: what a failed plan reserved goes back.
      m.ips.releaseTask(0);
    }
    return dep;
  }

  deployment(name: string): DeploymentRecord | undefined {
    return this.d.model.deployment(name);
  }

  tasks(filter: { deployment?: string; type?: string; state?: string } = {}): TaskRecord[] {
    return this.d.model.state.tasks.filter(
      (t) => (!filter.deployment || t.deployment === filter.deployment) && (!filter.type || t.type === filter.type) && (!filter.state || t.state === filter.state),
    );
  }

  task(id: number): TaskRecord {
    const t = this.d.model.task(id);
    if (!t) throw new BoshError(404, 10000, `Task ${id} not found`);
    return t;
  }

  scriptErrand(s: ErrandScriptInput): void {
    this.d.model.addErrandScript({
      deployment: s.deployment ?? null,
      errand: s.errand,
      exit_code: s.exit_code ?? 0,
      stdout: s.stdout ?? '',
      stderr: s.stderr ?? '',
      remaining: s.times ?? null,
    });
  }

  addTaskRule(r: TaskRuleInput): number {
    const id = this.d.model.nextId('task_rule');
    this.d.model.state.task_rules.push({ id, ...r, remaining: r.times ?? null });
    return id;
  }

  /** Synchronous for a task that has prepared (e.g. a hung one); otherwise await it. */
  completeTask(id: number): void | Promise<void> {
    return this.d.engine.complete(this.task(id));
  }
  failTask(id: number, message = 'Task failed (scripted)', code = 100): void {
    this.d.engine.fail(this.task(id), message, code);
  }
  hangTask(id: number, on = true): void {
    this.d.engine.hang(this.task(id), on);
  }
  timeoutTask(id: number): void {
    this.d.engine.timeout(this.task(id));
  }

  /** Sets what the agent reports for an instance (`failing` makes the next deploy fail on it). */
  setInstanceState(deployment: string, slug: string, jobState: 'running' | 'failing' | 'stopped' | 'unresponsive agent'): void {
    const dep = this.d.model.deployment(deployment);
    const [group, idx] = slug.split('/');
    const inst = dep?.instances.find((i) => i.group === group && (idx === undefined || String(i.index) === idx || i.id === idx));
    if (!inst) throw new BoshError(404, 70001, `'${deployment}/${slug}' doesn't exist`);
    inst.job_state = jobState;
  }

  setUnreachable(on: boolean): void {
    const faults = this.d.kernel.faults;
    if (on && !faults.has(UNREACHABLE_RULE)) faults.add({ id: UNREACHABLE_RULE, match: { service: 'bosh' }, action: { type: 'reset' } });
    if (!on) faults.remove(UNREACHABLE_RULE);
  }
}
