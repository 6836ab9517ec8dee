/**
 * Time for the suite: polling waits, Retry-After and request deadlines. Against a real broker it is
 * the wall clock; in tests it is a clock the in-test broker shares, so nothing really waits.
 */
export interface Timing {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Calls `fn` after `ms` unless cancelled first (request deadlines). */
  after(ms: number, fn: () => void): { cancel(): void };
}

export function realTiming(): Timing {
  return {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    after: (ms, fn) => {
      const handle = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(handle) };
    },
  };
}

/** The subset of fakefoundry's `Clock` the suite needs (structural, so any clock with these fits). */
export interface ClockLike {
  now(): number;
  sleep(ms: number): Promise<void>;
  after(ms: number, fn: () => void): { cancel(): void };
}

/**
 * Timing from a fakefoundry `Clock`. Use it in `instant` mode: every wait jumps virtual time to the
 * next due timer, so an in-test broker's async work completes, and a hung request times out, at once.
 */
export function clockTiming(clock: ClockLike): Timing {
  return { now: () => clock.now(), sleep: (ms) => clock.sleep(ms), after: (ms, fn) => clock.after(ms, fn) };
}
