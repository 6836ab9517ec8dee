/** Event-log lines as the director writes them: one complete JSON object per line, `\n`-terminated. */

export interface Step {
  stage: string;
  task: string;
  tags: string[];
  total: number | null;
  index: number;
  /** The step fails with this error when it ends (a failing instance, a scripted fault). */
  failure?: { code: number; message: string };
}

export function stepLine(time: number, s: Step, state: 'started' | 'finished' | 'failed', error?: string): string {
  const o: Record<string, unknown> = {
    time,
    stage: s.stage,
    tags: s.tags,
    total: s.total,
    task: s.task,
    index: s.index,
    state,
    progress: state === 'started' ? 0 : 100,
  };
  if (error !== undefined) o.data = { error };
  return `${JSON.stringify(o)}\n`;
}

export const errorLine = (time: number, code: number, message: string) => `${JSON.stringify({ time, error: { code, message } })}\n`;

export const warningLine = (time: number, message: string) => `${JSON.stringify({ time, type: 'warning', message })}\n`;

/** A run of steps that share a stage: `total` is their count, `index` counts from 1. */
export function stage(name: string, tasks: string[], tags: string[] = []): Step[] {
  return tasks.map((task, i) => ({ stage: name, task, tags, total: tasks.length, index: i + 1 }));
}

/**
 * The job runner's truncation of a task's result: strip, keep 129 characters, and if that is
 * over 128, drop the last (partial) word before adding `...`.
 */
export function truncate(s: string, max = 128): string {
  const stripped = s.trim().slice(0, max + 1);
  if (stripped.length <= max) return stripped;
  // Ruby's `$` is an end of line, hence the `m` flag.
  return `${stripped.replace(/\s+?(\S+)?$/gm, '')}...`;
}
