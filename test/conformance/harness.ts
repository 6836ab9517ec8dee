import { Clock } from '../../fakes/core/clock.js';
import { runConformance, type ConformanceOptions } from '../../conformance/runner.js';
import { clockTiming } from '../../conformance/timing.js';
import type { ConformanceCase, ConformanceResult } from '../../conformance/model.js';
import type { ConformanceConfigInput } from '../../conformance/config.js';
import { createTestBroker, type Fault } from './test-broker.js';

/** Runs the suite in-process against the in-test broker, on an instant clock (no real waiting). */
export async function runAgainst(faults: Fault[] = [], config: ConformanceConfigInput = {}, extra: Partial<ConformanceOptions> = {}) {
  const clock = new Clock({ mode: 'instant' });
  const broker = createTestBroker({ clock, faults });
  const started = clock.now();
  try {
    const result = await runConformance({
      fetch: (r) => broker.app.fetch(r),
      username: 'broker',
      password: 'secret',
      timing: clockTiming(clock),
      config: { seed: 'conformance-test', ...config },
      ...extra,
    });
    return { result, broker, virtualMs: clock.now() - started };
  } finally {
    clock.close();
  }
}

/** The cases covering a checklist id (optionally for one scope). */
export function cases(result: ConformanceResult, id: string, scope?: string): ConformanceCase[] {
  return result.cases.filter((c) => c.covers.includes(id) && (scope === undefined || c.scope === scope));
}

export function only(result: ConformanceResult, id: string, scope?: string): ConformanceCase {
  const found = result.cases.filter((c) => c.id === id && (scope === undefined || c.scope === scope));
  if (found.length !== 1) throw new Error(`expected one ${id} case${scope ? ` for ${scope}` : ''}, found ${found.length}`);
  return found[0];
}

/** One line per case that is not a clean pass, for failure messages. */
export function problems(result: ConformanceResult): string[] {
  return result.cases.filter((c) => c.outcome === 'failed' || c.outcome === 'warned' || c.outcome === 'not-run').map((c) => `${c.outcome} ${c.id} ${c.scope ?? ''}: ${c.message}`);
}
