/**
 * Time for the suite: polling waits, Retry-After and request deadlines. Against a real broker it is
 * the wall clock; in tests it is a clock the in-test broker shares, so nothing really waits.
 */
export interface Timing {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /**
   * Calls `fn` after `ms` unless cancelled first: a request's deadline. It must not move a virtual
   * clock itself (the request's own work does); a request whose answer comes later than `ms` on
   * `now()` is a timeout all the same.
   */
  deadline(ms: number, fn: () => void): { cancel(): void };
}

export function realTiming(): Timing {
  return {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    deadline: (ms, fn) => {
      const handle = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(handle) };
    },
  };
}

/** The subset of fakefoundry's `Clock` the suite needs (structural, so any clock with these fits). */
export interface ClockLike {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** A deadline that does not draw the clock (fakefoundry's `Clock.deadline`). */
  deadline(ms: number, fn: () => void): { cancel(): void };
}

/**
 * Timing from a fakefoundry `Clock`. Use it in `instant` mode: every wait jumps virtual time to the
 * next due timer, so a broker's asynchronous work on the same clock completes at once, and an answer
 * that took longer than the request timeout in virtual time counts as a timeout.
 */
export function clockTiming(clock: ClockLike): Timing {
  return { now: () => clock.now(), sleep: (ms) => clock.sleep(ms), deadline: (ms, fn) => clock.deadline(ms, fn) };
}
