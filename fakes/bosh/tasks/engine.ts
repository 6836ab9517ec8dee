import type { TimerHandle } from '../../core/clock.js';
import type { Kernel } from '../../core/kernel.js';
import { DEFAULT_TASK_DURATIONS, type BoshConfig } from '../config.js';
import { BoshError } from '../errors.js';
import type { BoshModel } from '../model/model.js';
import type { TaskRecord } from '../state.js';
import { errorLine, stepLine, truncate, warningLine, type Step } from './events.js';

export interface JobContext {
  model: BoshModel;
  kernel: Kernel;
  config: BoshConfig;
  task: TaskRecord;
  /** Writes a warning line to the task's event log now (`event_log.warn`). */
  warn: (message: string) => void;
}

/** What a task type does: an optional first step, a (possibly async) prepare, then steps and a finish. */
export interface JobSpec {
  /** Takes `lock:deployment:<name>` for its run. */
  lock?: boolean;
  first?: (ctx: JobContext) => Step | null;
  prepare(ctx: JobContext): unknown;
  steps(ctx: JobContext, plan: unknown): Step[];
  finish(ctx: JobContext, plan: unknown): { result: string; output?: string };
  /** The event the director records when this task starts, and again (with any error) when it ends. */
  event?: (ctx: JobContext) => { action: string; object_type: string; object_name: string; context?: Record<string, unknown> };
}

export interface NewTask {
  type: string;
  description: string;
  deployment: string | null;
  teams?: string[];
  user: string;
  context_id?: string;
  payload?: Record<string, unknown>;
}

const RUNNING = new Set(['queued', 'processing', 'cancelling']);

/** The worker's process id in debug log lines (any stable number will do). */
const DEBUG_PID = 2725;

/**
 * Runs tasks as state machines on the foundation clock: queued, processing (step by step, each
 * step an event-log line), then done, error, cancelled or timeout. Every position is kept in the
 * task record, so a restored snapshot resumes its running tasks.
 */
export class TaskEngine {
  #timers = new Map<number, TimerHandle>();

  constructor(
    private readonly model: BoshModel,
    private readonly kernel: Kernel,
    private readonly config: BoshConfig,
    private readonly jobs: Record<string, JobSpec>,
  ) {}

  #ctx(task: TaskRecord): JobContext {
    return { model: this.model, kernel: this.kernel, config: this.config, task, warn: (m) => this.#emit(task, warningLine(this.model.now, m)) };
  }

  duration(type: string): number {
    const d = this.config.tasks.durations;
    return d[type] ?? d.default ?? DEFAULT_TASK_DURATIONS[type] ?? DEFAULT_TASK_DURATIONS.default;
  }

  create(t: NewTask): TaskRecord {
    const m = this.model;
    const task: TaskRecord = {
      id: m.state.tasks.length + 1,
      type: t.type,
      description: t.description,
      state: 'queued',
      deployment: t.deployment,
      teams: t.teams ?? [],
      user: t.user || 'admin',
      context_id: t.context_id ?? '',
      created_at: m.now,
      started_at: null,
      // The director stores a timestamp at creation and overwrites it at start and at finish.
      timestamp: m.now,
      result: null,
      event_output: '',
      result_output: '',
      debug_output: '',
      payload: t.payload ?? {},
      plan: undefined,
      step: -1,
      next_at: null,
      lock_wait_since: null,
      hang: false,
      fail_at: null,
      event_id: null,
    };
    m.state.tasks.push(task);
    m.state.ids.task = task.id;
    this.#applyRules(task);
    this.#debug(task, `Director Version: ${this.config.version}`, 'TaskHelper');
    this.#debug(task, `Enqueuing task: ${task.id}`, 'TaskHelper');
    this.#schedule(task, this.kernel.clock.now() + this.config.tasks.queue_ms);
    return task;
  }

  #applyRules(task: TaskRecord): void {
    for (const r of this.model.state.task_rules) {
      if (r.remaining === 0) continue;
      if (r.type && r.type !== task.type) continue;
      if (r.deployment && r.deployment !== task.deployment) continue;
      if (r.hang) task.hang = true;
      if (r.fail_at_stage) task.fail_at = { stage: r.fail_at_stage, message: r.message ?? `Scripted failure at '${r.fail_at_stage}'`, code: r.code ?? 100 };
      if (r.remaining !== null) r.remaining--;
    }
    this.model.state.task_rules = this.model.state.task_rules.filter((r) => r.remaining !== 0);
  }

  #schedule(task: TaskRecord, at: number | null): void {
    this.#timers.get(task.id)?.cancel();
    this.#timers.delete(task.id);
    task.next_at = at;
    if (at === null) return;
    this.#timers.set(
      task.id,
      this.kernel.clock.at(at, () => this.#advance(task.id)),
    );
  }

  /** After a restore: drop old timers and pick every running task up where it was. */
  resumeAll(): void {
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
    for (const task of this.model.state.tasks) {
      if (RUNNING.has(task.state) && task.next_at !== null) this.#schedule(task, Math.max(task.next_at, this.kernel.clock.now()));
    }
  }

  clear(): void {
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
  }

  #job(task: TaskRecord): JobSpec {
    return this.jobs[task.type] ?? this.jobs.noop;
  }

  #steps(task: TaskRecord): Step[] {
    const ctx = this.#ctx(task);
    const job = this.#job(task);
    const first = job.first?.(ctx) ?? null;
    return [...(first ? [first] : []), ...(task.plan !== undefined ? job.steps(ctx, task.plan) : [])];
  }

  #stepDuration(task: TaskRecord, steps: Step[], k: number): number {
    const d = this.duration(task.type);
    const hasFirst = !!this.#job(task).first?.(this.#ctx(task));
    if (hasFirst && k === 0) return Math.round(d / 4);
    const rest = steps.length - (hasFirst ? 1 : 0);
    return Math.max(1, Math.round((hasFirst ? (3 * d) / 4 : d) / Math.max(1, rest)));
  }

  async #advance(id: number): Promise<void> {
    const task = this.model.task(id);
    if (!task || !RUNNING.has(task.state)) return;
    this.#timers.delete(id);
    task.next_at = null;
    const now = this.model.now;
    if (task.state === 'cancelling') return this.#cancelled(task);
    const job = this.#job(task);

    if (task.step === -1) {
      // A worker picked it up: `processing` from here, also while it waits for the deployment lock.
      if (task.state === 'queued') {
        task.state = 'processing';
        task.started_at = task.timestamp = now;
        this.#debug(task, `Looking for task with task id ${task.id}`);
        this.#debug(task, `Starting task: ${task.id}`);
        this.#debug(task, `Performing task: ${task.description}`);
      }
      if (job.lock && task.deployment && !this.#takeLock(task)) return;
      task.step = 0;
      const ev = job.event?.(this.#ctx(task));
      if (ev) task.event_id = this.model.addEvent({ user: task.user, ...ev, task: String(task.id), ...(task.deployment ? { deployment: task.deployment } : {}), context: ev.context ?? {} }).id;
      const ctx = this.#ctx(task);
      if (!job.first?.(ctx)) {
        if (!(await this.#prepare(task))) return;
      }
      const steps = this.#steps(task);
      if (steps.length === 0) return this.#schedule(task, this.kernel.clock.now() + this.duration(task.type));
      this.#emit(task, stepLine(now, steps[0], 'started'));
      return this.#schedule(task, this.kernel.clock.now() + this.#stepDuration(task, steps, 0));
    }

    // processing: the current step ends now.
    let steps = this.#steps(task);
    const k = task.step;
    const cur = steps[k];
    if (cur) {
      const scripted = task.fail_at && task.fail_at.stage === cur.stage ? task.fail_at : undefined;
      const failure = cur.failure ?? scripted;
      if (failure) {
        this.#emit(task, stepLine(now, cur, 'failed', failure.message));
        return this.#error(task, new BoshError(400, failure.code, failure.message));
      }
      // The first step is the preparing itself: it fails, or warns and then finishes.
      if (k === 0 && task.plan === undefined) {
        if (!(await this.#prepare(task))) return;
        steps = this.#steps(task);
      }
      this.#emit(task, stepLine(now, cur, 'finished'));
    }
    if (k + 1 < steps.length) {
      task.step = k + 1;
      const next = steps[k + 1];
      this.#emit(task, stepLine(now, next, 'started'));
      return this.#schedule(task, this.kernel.clock.now() + this.#stepDuration(task, steps, k + 1));
    }
    task.step = steps.length;
    if (task.hang) return; // stays processing until told or cancelled
    this.#finish(task);
  }

  async #prepare(task: TaskRecord): Promise<boolean> {
    try {
      task.plan = (await this.#job(task).prepare(this.#ctx(task))) ?? null;
      return true;
    } catch (err) {
      const e = err instanceof BoshError ? err : new BoshError(500, 100, (err as Error).message ?? String(err));
      const first = this.#job(task).first?.(this.#ctx(task));
      if (first) this.#emit(task, stepLine(this.model.now, first, 'failed', e.description));
      this.#error(task, e);
      return false;
    }
  }

  #takeLock(task: TaskRecord): boolean {
    const m = this.model;
    const lock = m.lockFor(task.deployment!);
    const nowMs = this.kernel.clock.now();
    if (!lock || lock.task_id === task.id) {
      if (!lock) {
        m.addLock({
          type: 'deployment',
          resource: [task.deployment!],
          task_id: task.id,
          expires_at: nowMs + 10_000,
          uid: m.random.uuid(),
        });
      }
      task.lock_wait_since = null;
      return true;
    }
    task.lock_wait_since ??= nowMs;
    if (nowMs - task.lock_wait_since >= this.config.tasks.lock_timeout_ms) {
      this.#error(
        task,
        new BoshError(500, 100, `Failed to acquire lock for lock:deployment:${task.deployment} uid: ${m.random.uuid()}. Locking task id is ${lock.task_id}`),
      );
      return false;
    }
    this.#schedule(task, nowMs + 500);
    return false;
  }

  #releaseLock(task: TaskRecord): void {
    this.model.releaseLocks(task.id);
  }

  #emit(task: TaskRecord, line: string): void {
    task.event_output += line;
  }

  /** A line of the task's debug log in the director's logger layout (`I, [time #pid] [thread]  INFO -- Component: msg`). */
  #debug(task: TaskRecord, msg: string, component = 'DirectorJobRunner', level: 'INFO' | 'ERROR' = 'INFO'): void {
    const ts = this.kernel.clock.date().toISOString().replace(/\.(\d{3})Z$/, '.$1000');
    const thread = component === 'TaskHelper' ? '' : `task:${task.id}`;
    task.debug_output += `${level[0]}, [${ts} #${DEBUG_PID}] [${thread}] ${level.padStart(5)} -- ${component}: ${msg}\n`;
  }

  #end(task: TaskRecord, state: TaskRecord['state'], result: string): void {
    task.state = state;
    task.result = truncate(result);
    task.timestamp = this.model.now;
    task.next_at = null;
    this.#timers.get(task.id)?.cancel();
    this.#timers.delete(task.id);
    this.#releaseLock(task);
    // Addresses the task reserved and did not commit (a failed or dry-run deploy) go back.
    this.model.ips.releaseTask(task.id);
    // The end event repeats the start event (same action and object), with the error if any.
    const start = task.event_id !== null ? this.model.state.events.find((e) => e.id === task.event_id) : undefined;
    if (start) {
      const { id: _id, timestamp: _ts, error: _err, ...rest } = start;
      this.model.addEvent({ ...rest, parent_id: start.id, ...(state !== 'done' ? { error: result } : {}) });
    }
    if (state === 'done') this.#debug(task, 'Done');
    else this.#debug(task, state === 'cancelled' ? `Task ${task.id} cancelled` : result, 'DirectorJobRunner', state === 'cancelled' ? 'INFO' : 'ERROR');
    this.#debug(task, `Task took ${Math.max(0, task.timestamp - (task.started_at ?? task.timestamp))} seconds to process.`);
  }

  #finish(task: TaskRecord): void {
    try {
      const out = this.#job(task).finish(this.#ctx(task), task.plan);
      if (out.output) task.result_output += out.output;
      this.#end(task, 'done', out.result);
    } catch (err) {
      this.#error(task, err instanceof BoshError ? err : new BoshError(500, 100, (err as Error).message));
    }
  }

  #error(task: TaskRecord, e: BoshError): void {
    this.#emit(task, errorLine(this.model.now, e.code, e.description));
    this.#end(task, 'error', e.description);
  }

  #cancelled(task: TaskRecord): void {
    this.#emit(task, errorLine(this.model.now, 10001, `Task ${task.id} cancelled`));
    this.#end(task, 'cancelled', 'task cancelled');
  }

  /** `DELETE /task/:id`: running tasks go to `cancelling` and end at their next checkpoint. */
  cancel(task: TaskRecord): boolean {
    if (task.state !== 'queued' && task.state !== 'processing') return false;
    const wasQueued = task.state === 'queued';
    task.state = 'cancelling';
    // A hung task or one waiting in the queue has no checkpoint coming soon: end it at once.
    if (task.hang || wasQueued || task.next_at === null) this.#schedule(task, this.kernel.clock.now());
    return true;
  }

  // ---- control ----

  /** Ends a task as done now; one that has not prepared yet prepares first (which may fail it). */
  complete(task: TaskRecord): void | Promise<void> {
    if (!RUNNING.has(task.state)) return;
    task.hang = false;
    if (task.state === 'queued') {
      task.state = 'processing';
      task.started_at = task.timestamp = this.model.now;
    }
    if (task.plan !== undefined) return this.#finish(task);
    return this.#prepare(task).then((ok) => {
      if (ok) this.#finish(task);
    });
  }

  fail(task: TaskRecord, message: string, code = 100): void {
    if (!RUNNING.has(task.state)) return;
    if (task.state === 'queued') {
      task.state = 'processing';
      task.started_at = task.timestamp = this.model.now;
    }
    this.#error(task, new BoshError(500, code, message));
  }

  timeout(task: TaskRecord): void {
    if (!RUNNING.has(task.state)) return;
    this.#end(task, 'timeout', `Task ${task.id} time out`);
  }

  hang(task: TaskRecord, on = true): void {
    task.hang = on;
    if (!on && task.state === 'processing' && task.next_at === null) this.#schedule(task, this.kernel.clock.now());
  }
}
