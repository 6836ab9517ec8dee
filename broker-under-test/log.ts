/**
 * Log lines in ODB's layout: `[on-demand-service-broker] [<request id>] 2016/09/05 16:43:26.123456 msg`
 * (Go's `log.Ldate|Ltime|Lmicroseconds|LUTC` with a name prefix; lines of one OSB request carry its id).
 * @module
 */
import type { BrokerClock } from './runtime.js';

/** Where finished lines go (default: stdout). */
export type LogSink = (line: string) => void;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's log timestamp in UTC with microseconds. */
export function goLogTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds() * 1000, 6)}`
  );
}

export class Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly clock: BrokerClock,
    readonly name = 'on-demand-service-broker',
    readonly requestId?: string,
  ) {}

  /** A logger whose lines carry a request id. */
  forRequest(requestId: string): Logger {
    return new Logger(this.sink, this.clock, this.name, requestId);
  }

  log(message: string): void {
    const id = this.requestId ? ` [${this.requestId}]` : '';
    for (const line of message.replace(/\n+$/, '').split('\n')) this.sink(`[${this.name}]${id} ${goLogTime(this.clock.now())} ${line}`);
  }
}
