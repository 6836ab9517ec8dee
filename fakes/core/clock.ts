/**
 * The one source of time for a foundation. Token expiry, task progress and broker polling all read
 * `now()` and schedule through `at()`/`after()`, so tests move time explicitly and never sleep.
 *
 * Modes:
 * - `virtual`: time moves only when `advance()`/`advanceTo()`/`runAll()` is called.
 * - `instant`: pending timers fire as soon as the event loop has nothing else runnable
 *   (checked with setImmediate), jumping virtual time to each timer's due time.
 * - `real`: time follows the wall clock (from the start instant, by default the wall-clock time);
 *   timers use real setTimeout.
 */
export type ClockMode = 'virtual' | 'instant' | 'real';

export interface TimerHandle {
  readonly id: number;
  readonly dueAt: number;
  cancel(): void;
}

interface Timer {
  id: number;
  dueAt: number;
  fn: () => void | Promise<void>;
  cancelled: boolean;
  realHandle?: ReturnType<typeof setTimeout>;
  /** A deadline: fires when the clock passes it, but never draws the clock forward itself. */
  weak?: boolean;
}

export interface ClockState {
  now: number;
  mode: ClockMode;
}

/** How many event-loop turns a firing timer's async callback may hold the clock. */
const MAX_TURNS_PER_TIMER = 50;

/** 2026-01-01T00:00:00Z: a fixed default start so the same seed gives the same timestamps. */
export const DEFAULT_START = Date.UTC(2026, 0, 1, 0, 0, 0);

export class Clock {
  #mode: ClockMode;
  #virtualNow: number;
  /** In real mode: virtual time = #realBase + (Date.now() - #wallBase). */
  #wallBase = 0;
  #realBase = 0;
  #timers: Timer[] = [];
  #nextId = 1;
  #instantScheduled = false;
  #closed = false;
  #listeners = new Set<(now: number) => void>();

  /**
   * `start` defaults to {@link DEFAULT_START} for the virtual and instant modes (same seed, same
   * timestamps), and to the wall-clock time for the real mode, so what the fakes show (task
   * timestamps, `last_operation` updates) reads as today.
   */
  constructor(opts: { mode?: ClockMode; start?: number } = {}) {
    this.#mode = opts.mode ?? 'virtual';
    this.#virtualNow = opts.start ?? (this.#mode === 'real' ? Date.now() : DEFAULT_START);
    if (this.#mode === 'real') this.#enterReal();
  }

  get mode(): ClockMode {
    return this.#mode;
  }

  now(): number {
    if (this.#mode === 'real') return this.#realBase + (Date.now() - this.#wallBase);
    return this.#virtualNow;
  }

  /** Seconds since the epoch, as JWT and BOSH timestamps use. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  date(): Date {
    return new Date(this.now());
  }

  iso(): string {
    return this.date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  setMode(mode: ClockMode): void {
    if (mode === this.#mode) return;
    const now = this.now();
    for (const t of this.#timers) if (t.realHandle) clearTimeout(t.realHandle);
    for (const t of this.#timers) t.realHandle = undefined;
    this.#mode = mode;
    this.#virtualNow = now;
    if (mode === 'real') this.#enterReal();
    else if (mode === 'instant') this.#scheduleInstant();
  }

  /** Runs `fn` when the clock reaches `dueAt` (ms since epoch). */
  at(dueAt: number, fn: () => void | Promise<void>): TimerHandle {
    return this.#add({ id: this.#nextId++, dueAt, fn, cancelled: false });
  }

  /**
   * A deadline for work the clock cannot see, such as a real network call: runs `fn` when the
   * clock passes `now() + ms`, but unlike `after()` it never draws the clock forward itself, so
   * `runAll()`, instant mode and `pending()`/`nextDueAt()` ignore it (a driver that jumps to the
   * next due timer would otherwise time out every call in flight).
   * - `virtual`: fires when `advance()`/`advanceTo()` (or other timers run by `runAll()`) pass it.
   * - `real`: fires when the wall clock reaches it.
   * - `instant`: fires after `ms` of wall time; virtual time races ahead in this mode, so passing
   *   the deadline on the clock would say nothing about how long the work took.
   */
  deadline(ms: number, fn: () => void): TimerHandle {
    if (this.#mode === 'instant') {
      const handle = setTimeout(fn, Math.min(Math.max(0, ms), 2 ** 31 - 1));
      return { id: this.#nextId++, dueAt: this.now() + ms, cancel: () => clearTimeout(handle) };
    }
    return this.#add({ id: this.#nextId++, dueAt: this.now() + Math.max(0, ms), fn, cancelled: false, weak: true });
  }

  #add(timer: Timer): TimerHandle {
    const dueAt = timer.dueAt;
    // Binary insertion keeps due order (ties in creation order) without re-sorting: O(log n) search.
    let lo = 0;
    let hi = this.#timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#timers[mid].dueAt <= dueAt) lo = mid + 1;
      else hi = mid;
    }
    this.#timers.splice(lo, 0, timer);
    if (this.#mode === 'real') this.#armReal(timer);
    else if (this.#mode === 'instant') this.#scheduleInstant();
    return {
      id: timer.id,
      dueAt,
      cancel: () => this.#cancel(timer),
    };
  }

  after(delayMs: number, fn: () => void | Promise<void>): TimerHandle {
    return this.at(this.now() + Math.max(0, delayMs), fn);
  }

  /** A promise that resolves when the clock has moved `delayMs` forward. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }

  /** Timers waiting to fire (deadlines excluded: they do not draw the clock). */
  pending(): number {
    let n = 0;
    for (const t of this.#timers) if (!t.weak) n++;
    return n;
  }

  /** When the next timer falls due (deadlines excluded). */
  nextDueAt(): number | undefined {
    return this.#firstStrong()?.dueAt;
  }

  #firstStrong(): Timer | undefined {
    return this.#timers.find((t) => !t.weak);
  }

  /** Moves virtual time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError('the clock cannot go backwards');
    await this.advanceTo(this.now() + ms);
  }

  async advanceTo(target: number): Promise<void> {
    if (this.#mode === 'real') {
      // In real mode advancing shifts the offset, then fires what fell due.
      this.#realBase += Math.max(0, target - this.now());
      await this.#fireDue(this.now());
      for (const t of this.#timers) if (!t.realHandle) this.#armReal(t);
      return;
    }
    await this.#settle();
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.dueAt > target) break;
      this.#virtualNow = Math.max(this.#virtualNow, next.dueAt);
      await this.#fire(next);
      await this.#settle();
    }
    this.#virtualNow = Math.max(this.#virtualNow, target);
    this.#notify();
  }

  /** Fires every pending timer (and those they schedule) up to `limit` timers; returns how many fired. */
  async runAll(limit = 100_000): Promise<number> {
    let fired = 0;
    await this.#settle();
    // Deadlines fire when a timer that draws the clock passes them, never on their own.
    while (this.#firstStrong() && fired < limit) {
      const next = this.#timers[0];
      if (this.#mode !== 'real') this.#virtualNow = Math.max(this.#virtualNow, next.dueAt);
      else this.#realBase += Math.max(0, next.dueAt - this.now());
      await this.#fire(next);
      await this.#settle();
      fired++;
    }
    this.#notify();
    return fired;
  }

  /** Listen to every move of the clock (used by the control API and reports). */
  onTick(fn: (now: number) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  snapshot(): ClockState {
    return { now: this.now(), mode: this.#mode };
  }

  restore(state: ClockState): void {
    this.#virtualNow = state.now;
    if (this.#mode === 'real') {
      this.#realBase = state.now;
      this.#wallBase = Date.now();
    }
  }

  /** Drops every pending timer; used on reset and close. */
  clear(): void {
    for (const t of this.#timers) {
      t.cancelled = true;
      if (t.realHandle) clearTimeout(t.realHandle);
    }
    this.#timers = [];
  }

  close(): void {
    this.#closed = true;
    this.clear();
  }

  #enterReal(): void {
    this.#realBase = this.#virtualNow;
    this.#wallBase = Date.now();
    for (const t of this.#timers) this.#armReal(t);
  }

  #armReal(timer: Timer): void {
    const delay = Math.max(0, timer.dueAt - this.now());
    // setTimeout caps at 2^31-1 ms; longer timers re-arm when they wake.
    timer.realHandle = setTimeout(() => {
      timer.realHandle = undefined;
      if (timer.cancelled) return;
      if (timer.dueAt > this.now()) return this.#armReal(timer);
      void this.#fire(timer);
    }, Math.min(delay, 2 ** 31 - 1));
    timer.realHandle.unref?.();
  }

  #cancel(timer: Timer): void {
    timer.cancelled = true;
    if (timer.realHandle) clearTimeout(timer.realHandle);
    const i = this.#timers.indexOf(timer);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  async #fire(timer: Timer): Promise<void> {
    const i = this.#timers.indexOf(timer);
    if (i >= 0) this.#timers.splice(i, 1);
    if (timer.cancelled) return;
    timer.cancelled = true;
    let result: void | Promise<void>;
    try {
      result = timer.fn();
    } catch (err) {
      this.#report(err);
      return;
    }
    if (!(result instanceof Promise)) return;
    const settled = result.catch((err) => this.#report(err));
    // Wait for the callback, but not forever: one that waits on this clock itself (a poll behind
    // a latency fault) would otherwise deadlock advance(). A bounded number of turns is enough
    // for in-process work; real network work goes on while the clock moves.
    let turns = 0;
    let done = false;
    void settled.then(() => (done = true));
    while (!done && turns++ < MAX_TURNS_PER_TIMER) await new Promise<void>((r) => setImmediate(r));
  }

  #report(err: unknown): void {
    // A failing timer callback must not stop the clock; surface it for debugging.
    if (process.env.FAKEFOUNDRY_DEBUG) console.error('[fakefoundry] timer failed', err);
  }

  async #fireDue(now: number): Promise<void> {
    while (this.#timers[0] && this.#timers[0].dueAt <= now) await this.#fire(this.#timers[0]);
  }

  /** Lets promise chains started by fired timers run before the next timer is considered. */
  async #settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
  }

  #scheduleInstant(): void {
    if (this.#instantScheduled || this.#closed) return;
    this.#instantScheduled = true;
    setImmediate(() => {
      this.#instantScheduled = false;
      if (this.#mode !== 'instant' || this.#closed) return;
      if (!this.#firstStrong()) return;
      const next = this.#timers[0];
      this.#virtualNow = Math.max(this.#virtualNow, next.dueAt);
      void this.#fire(next).then(() => {
        this.#notify();
        if (this.#firstStrong()) this.#scheduleInstant();
      });
    });
  }

  #notify(): void {
    const now = this.now();
    for (const fn of this.#listeners) fn(now);
  }
}
