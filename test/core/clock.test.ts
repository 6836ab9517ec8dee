import { describe, expect, it } from 'vitest';
import { Clock, DEFAULT_START } from '../../fakes/core/clock.js';

describe('Clock', () => {
  it('starts at a fixed instant and only moves when told (virtual mode)', async () => {
    const clock = new Clock();
    expect(clock.now()).toBe(DEFAULT_START);
    await Promise.resolve();
    expect(clock.now()).toBe(DEFAULT_START);
    await clock.advance(1500);
    expect(clock.now()).toBe(DEFAULT_START + 1500);
    expect(clock.nowSeconds()).toBe(Math.floor((DEFAULT_START + 1500) / 1000));
  });

  it('fires timers in due order as the clock passes them, with now() at each due time', async () => {
    const clock = new Clock();
    const seen: [string, number][] = [];
    clock.after(300, () => void seen.push(['c', clock.now() - DEFAULT_START]));
    clock.after(100, () => void seen.push(['a', clock.now() - DEFAULT_START]));
    clock.after(200, () => void seen.push(['b', clock.now() - DEFAULT_START]));
    await clock.advance(250);
    expect(seen).toEqual([
      ['a', 100],
      ['b', 200],
    ]);
    await clock.advance(50);
    expect(seen.map((s) => s[0])).toEqual(['a', 'b', 'c']);
  });

  it('fires timers scheduled by timers within the same advance', async () => {
    const clock = new Clock();
    const fired: number[] = [];
    clock.after(10, () => {
      fired.push(clock.now() - DEFAULT_START);
      clock.after(10, () => void fired.push(clock.now() - DEFAULT_START));
    });
    await clock.advance(25);
    expect(fired).toEqual([10, 20]);
  });

  it('lets async work started by a timer finish before the next timer fires', async () => {
    const clock = new Clock();
    const log: string[] = [];
    clock.after(10, async () => {
      await Promise.resolve();
      await new Promise((r) => setImmediate(r));
      log.push('first done');
    });
    clock.after(20, () => void log.push('second'));
    await clock.advance(20);
    expect(log).toEqual(['first done', 'second']);
  });

  it('cancels timers and refuses to go backwards', async () => {
    const clock = new Clock();
    let fired = false;
    const t = clock.after(10, () => void (fired = true));
    t.cancel();
    await clock.advance(100);
    expect(fired).toBe(false);
    await expect(clock.advance(-1)).rejects.toThrow(/backwards/);
  });

  it('sleep() resolves when virtual time passes, not before', async () => {
    const clock = new Clock();
    let done = false;
    const p = clock.sleep(60_000).then(() => (done = true));
    await clock.advance(59_999);
    expect(done).toBe(false);
    await clock.advance(1);
    await p;
    expect(done).toBe(true);
  });

  it('runAll() drains every pending timer and reports how many fired', async () => {
    const clock = new Clock();
    for (let i = 1; i <= 5; i++) clock.after(i * 1000, () => undefined);
    expect(clock.pending()).toBe(5);
    expect(await clock.runAll()).toBe(5);
    expect(clock.now()).toBe(DEFAULT_START + 5000);
    expect(clock.pending()).toBe(0);
  });

  it('instant mode fires pending timers without anyone advancing the clock', async () => {
    const clock = new Clock({ mode: 'instant' });
    const at = await new Promise<number>((resolve) => clock.after(3_600_000, () => resolve(clock.now())));
    expect(at).toBe(DEFAULT_START + 3_600_000);
  });

  it('real mode follows the wall clock from its start instant', async () => {
    const clock = new Clock({ mode: 'real', start: 1_000_000 });
    const before = clock.now();
    expect(before).toBeGreaterThanOrEqual(1_000_000);
    expect(before).toBeLessThan(1_000_000 + 5_000);
    await clock.advance(10_000);
    expect(clock.now()).toBeGreaterThanOrEqual(before + 10_000);
    clock.close();
  });

  it('real mode starts at the wall-clock time unless given a start; the other modes at the fixed default', () => {
    const wallBefore = Date.now();
    const real = new Clock({ mode: 'real' });
    const at = real.now();
    expect(at).toBeGreaterThanOrEqual(wallBefore);
    expect(at).toBeLessThanOrEqual(Date.now());
    real.close();
    expect(new Clock({ mode: 'virtual' }).now()).toBe(DEFAULT_START);
    expect(new Clock({ mode: 'instant' }).now()).toBe(DEFAULT_START);
  });

  it('snapshots and restores the current instant', async () => {
    const a = new Clock();
    await a.advance(12_345);
    const b = new Clock();
    b.restore(a.snapshot());
    expect(b.now()).toBe(a.now());
  });
});

describe('Clock with callbacks that wait on the clock itself', () => {
  it('does not deadlock when a firing timer sleeps on the same clock', async () => {
    const clock = new Clock();
    const log: number[] = [];
    clock.after(10, async () => {
      await clock.sleep(100);
      log.push(clock.now() - DEFAULT_START);
    });
    await clock.advance(200);
    expect(log).toEqual([110]);
  });

  it('keeps due order for many timers inserted out of order, ties in creation order', async () => {
    const clock = new Clock();
    const fired: string[] = [];
    const dues = [50, 10, 30, 10, 40, 20, 30];
    dues.forEach((d, i) => clock.after(d, () => void fired.push(`${d}:${i}`)));
    await clock.runAll();
    expect(fired).toEqual(['10:1', '10:3', '20:5', '30:2', '30:6', '40:4', '50:0']);
  });
});
