/**
 * What an errand runs with: HTTP, time, and its two output streams. ODB's errands log
 * `[<errand>] <UTC date time.micros> message`; all but orphan-deployments log to stdout.
 * @module
 */
import { Logger } from '../log.js';
import { realClock, tlsFetch, type BrokerClock, type FetchLike, type TlsOptions } from '../runtime.js';

export interface ErrandEnv {
  /** One fetch for everything; default: undici with each peer's TLS settings from the config. */
  fetch?: FetchLike;
  clock?: BrokerClock;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

/** An errand's outcome, as a CI job sees it. */
export interface ErrandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Collects output and gives each errand its logger and fetches. */
export class ErrandRun {
  readonly clock: BrokerClock;
  #stdout = '';
  #stderr = '';
  readonly #closers: (() => Promise<void>)[] = [];

  constructor(readonly name: string, private readonly env: ErrandEnv, logTo: 'stdout' | 'stderr' = 'stdout') {
    this.clock = env.clock ?? realClock;
    this.log = new Logger((line) => (logTo === 'stdout' ? this.out(`${line}\n`) : this.err(`${line}\n`)), this.clock, name);
  }

  readonly log: Logger;

  out(text: string): void {
    this.#stdout += text;
    this.env.stdout?.(text);
  }

  err(text: string): void {
    this.#stderr += text;
    this.env.stderr?.(text);
  }

  fetchFor(tls: TlsOptions): FetchLike {
    if (this.env.fetch) return this.env.fetch;
    const t = tlsFetch(tls);
    this.#closers.push(t.close);
    return t.fetch;
  }

  async finish(exitCode: number): Promise<ErrandResult> {
    await Promise.all(this.#closers.map((c) => c()));
    return { exitCode, stdout: this.#stdout, stderr: this.#stderr };
  }
}
