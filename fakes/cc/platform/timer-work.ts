/**
 * What a clock timer callback hands back when it starts broker work. The clock awaits its timer
 * callbacks, so awaiting a broker call that itself waits on the clock (a latency or hang fault)
 * would stall `advance()`/`runAll()` for good. The callback therefore waits for the work only a
 * few event-loop turns (enough for in-process brokers to answer, so polls land at exact virtual
 * times) and then lets the clock go on; the work stays tracked (`settle()`).
 */
const TURNS = 50;

export function boundedWait(work: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    let turns = 0;
    let done = false;
    work.then(
      () => {
        done = true;
        resolve();
      },
      () => {
        done = true;
        resolve();
      },
    );
    const tick = () => {
      if (done) return;
      if (++turns >= TURNS) return resolve();
      setImmediate(tick);
    };
    setImmediate(tick);
  });
}
