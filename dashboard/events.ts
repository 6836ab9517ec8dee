import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Kernel } from '../fakes/core/kernel.js';

/** Bursts of requests become one `change` event per this many ms of wall time. */
const COALESCE_MS = 100;
/** On a real clock, tasks and polls move on their own: the page hears of it this often. */
const REAL_CLOCK_TICK_MS = 1000;
/** A comment line now and then keeps proxies and idle-connection timers from closing the stream. */
const KEEP_ALIVE_MS = 15_000;

/**
 * `GET /_fakefoundry/ui/api/events`: server-sent events telling the page that something changed
 * (a request was journaled, the clock moved, a fault rule was added or removed), with the journal's
 * last sequence number and the clock, so the page fetches what its open view shows. These waits
 * are on the wall clock on purpose: they pace a browser, not the foundation.
 */
export function changeEvents(c: Context, kernel: Kernel): Response {
  return streamSSE(c, async (stream) => {
    let dirty = true;
    let wake: (() => void) | undefined;
    const poke = () => {
      dirty = true;
      wake?.();
    };
    const offs = [kernel.journal.onEntry(poke), kernel.clock.onTick(poke), kernel.faults.onChange(poke)];
    let over = false;
    const end = () => {
      over = true;
      wake?.();
    };
    stream.onAbort(end);
    void kernel.closed.then(end);
    try {
      let idle = 0;
      while (!over && !stream.aborted) {
        if (dirty) {
          dirty = false;
          idle = 0;
          const clock = kernel.clock;
          await stream.writeSSE({ event: 'change', data: JSON.stringify({ seq: kernel.journal.lastSeq, now: clock.now(), mode: clock.mode, pending: clock.pending() }) });
        } else if (idle >= KEEP_ALIVE_MS) {
          idle = 0;
          await stream.write(': keep-alive\n\n');
        }
        const wait = kernel.clock.mode === 'real' ? REAL_CLOCK_TICK_MS : KEEP_ALIVE_MS;
        const timedOut = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), wait);
          wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        wake = undefined;
        if (timedOut) {
          idle += wait;
          if (kernel.clock.mode === 'real') dirty = true;
        } else if (!over) await stream.sleep(COALESCE_MS);
      }
    } catch {
      // The page went away mid-write.
    } finally {
      for (const off of offs) off();
    }
  });
}
