import { describe, expect, it } from 'vitest';
import { boundedWait } from '../../../fakes/cc/platform/timer-work.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

/** A clock timer that starts broker work waits for it a few event-loop turns, never for good. */
describe('boundedWait', () => {
  it('settles as soon as the work does (resolved or rejected)', async () => {
    let done = false;
    void boundedWait(Promise.resolve()).then(() => (done = true));
    await turn();
    expect(done).toBe(true);
    let rejected = false;
    void boundedWait(Promise.reject(new Error('x'))).then(() => (rejected = true));
    await turn();
    expect(rejected).toBe(true);
  });

  it('lets go of work that never ends after 50 event-loop turns, not before', async () => {
    let done = false;
    void boundedWait(new Promise(() => undefined)).then(() => (done = true));
    for (let i = 0; i < 48; i++) await turn();
    expect(done).toBe(false);
    for (let i = 0; i < 4; i++) await turn();
    expect(done).toBe(true);
  });
});
