/**
 * Findings in an adapter author's words: which subcommand, with which input, what it printed, what
 * was expected and why, and the command line (and stdin) that repeats the call by hand.
 * @module
 */
import type { AdapterCall } from '../broker-under-test/adapter/index.js';
import type { CaseResult, Outcome, TraceStep } from '../report/index.js';

/** Quotes a word for a POSIX shell. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command line (and stdin, as a here-document) that repeats an adapter call. */
export function reproduction(adapterPath: string, call: AdapterCall): string {
  const line = [adapterPath, call.subcommand, ...call.args].map(shellQuote).join(' ');
  if (call.stdin === undefined) return line;
  return `${line} <<'STDIN'\n${call.stdin.replace(/\n$/, '')}\nSTDIN`;
}

/** Output as it reads in a terminal: indented lines, long output cut. */
function block(text: string, maxLines = 30): string {
  if (text === '') return '(empty)';
  const lines = text.replace(/\n$/, '').split('\n').map((l) => (l.length > 400 ? `${l.slice(0, 400)}… (${l.length - 400} more characters)` : l));
  const shown = lines.length > maxLines ? [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`] : lines;
  return shown.length === 1 ? shown[0] : `\n  ${shown.join('\n  ')}`;
}

const indent = (s: string) => s.replace(/\n/g, '\n            ');

/** What a call printed, for a finding: exit code, stdout and stderr apart. */
export function printed(call: AdapterCall | undefined, mask: (s: string) => string = (s) => s): string {
  if (!call) return 'nothing (the call was not made)';
  const exit = call.timedOut ? `no exit: killed after ${call.durationMs} ms` : call.exitCode === null ? 'no exit: it could not be started' : `exit ${call.exitCode}`;
  const field = (name: string, text: string) => {
    const b = block(mask(text));
    return `${name}:${b.startsWith('\n') ? '' : ' '}${b}`;
  };
  return [exit, field('stdout', call.stdout), field('stderr', call.stderr)].join('\n');
}

export interface Finding {
  /** One line, the case message. */
  message: string;
  /** What the adapter was given, in words (`provision of plan 'small', no previous manifest`). */
  input: string;
  /** What adapter-check expected instead. */
  expected: string;
  /** Why: the SDK or ODB rule, and what breaks for users or operators. */
  why: string;
  /** The call to show and reproduce (the last one of the case when omitted). */
  call?: AdapterCall;
  /** Extra lines (a director error, a manifest diff). */
  more?: string;
}

/** The details block of a finding. */
export function findingDetails(adapterPath: string, f: Finding, mask?: (s: string) => string): { details: string; reproduction?: string } {
  const lines = [
    `subcommand: ${f.call ? `${f.call.subcommand} (${f.call.mode} mode)` : '(none)'}`,
    `input:      ${indent(f.input)}`,
    `printed:    ${indent(printed(f.call, mask))}`,
    `expected:   ${indent(f.expected)}`,
    `why:        ${indent(f.why)}`,
  ];
  if (f.more) lines.push('', f.more);
  const repro = f.call ? `# secrets are masked as ***\n${reproduction(adapterPath, f.call)}` : undefined;
  return { details: lines.join('\n'), ...(repro ? { reproduction: repro } : {}) };
}

/** Collects one case: its adapter calls (as trace steps), journal range and outcome. */
export class CaseRecorder {
  readonly calls: AdapterCall[] = [];
  readonly steps: TraceStep[] = [];
  private readonly started = performance.now();

  constructor(
    readonly id: string,
    readonly title: string,
    readonly suite: string,
    readonly tags: string[],
    readonly journalMark: number,
  ) {}

  /** Called by the adapter runner after each invocation. */
  record(call: AdapterCall): void {
    this.calls.push(call);
    const ok = call.exitCode === 0;
    this.steps.push({
      kind: 'adapter',
      from: 'broker',
      to: 'adapter',
      label: call.subcommand,
      reply: call.timedOut ? 'killed (timeout)' : call.exitCode === null ? 'could not run' : `exit ${call.exitCode}`,
      ok,
      wallTime: Date.now() - call.durationMs,
      wallDurationMs: call.durationMs,
      details: { mode: call.mode, ...(call.args.length ? { args: call.args } : {}), ...(call.stdin ? { stdin: call.stdin } : {}), stdout: call.stdout, stderr: call.stderr },
    });
  }

  get lastCall(): AdapterCall | undefined {
    return this.calls.at(-1);
  }

  finish(outcome: Outcome, extra: Partial<CaseResult> = {}): CaseResult {
    return {
      id: this.id,
      title: this.title,
      suite: this.suite,
      outcome,
      duration: Math.round(performance.now() - this.started),
      tags: this.tags,
      ...(this.steps.length ? { steps: this.steps } : {}),
      ...extra,
    };
  }
}
