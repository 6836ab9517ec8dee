import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceResult } from '../../conformance/model.js';
import { runConformance } from '../../conformance/runner.js';
import { clockTiming } from '../../conformance/timing.js';
import { startHarness, type Harness } from '../broker/harness.js';

/**
 * Where broker-under-test departs from the spec. Each is the On-Demand Service Broker's own
 * behaviour, which the reference broker reproduces on purpose; a new failure outside this list is
 * a regression (of the broker or of the suite).
 */
const ODB_DEPARTURES: Record<string, string> = {
  'LO-03': 'last_operation without operation data answers 500 ("Request missing operation data"), even for an unknown instance, not 404',
  'PROV-04': 'a re-sent provision while it is in progress answers 409, not 202',
  'PROV-07': 'a body that is not JSON answers 422 (brokerapi), not 400; organization_guid and space_guid are not required',
  'UPD-01': 'a re-sent update while it is in progress answers 500 "An operation is in progress", not 202',
  'BIND-04': 'bindings are not remembered: the same binding id for another app gets a new binding, not 409',
  'BIND-05': 'a body that is not JSON answers 422, not 400; unbinding a binding never made answers 200, not 410',
  'UNB-03': 'unbinding a binding that is gone answers 200, not 410',
  'DEP-01': 'a re-sent deprovision while it is in progress answers 500, not 202',
  'DEP-07': 'a deprovision during provisioning answers 500 "An operation is in progress", not 422 ConcurrencyError',
};

let h: Harness;
let result: ConformanceResult;

beforeAll(async () => {
  h = await startHarness({ register: false, seed: 'conformance' });
  result = await runConformance({ brokerUrl: h.brokerUrl, username: 'broker', password: 'broker-secret', timing: clockTiming(h.f.clock), config: { seed: 'broker-under-test' } });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('conformance suite against broker-under-test on the fakes', () => {
  it('runs every plan\'s whole lifecycle (asynchronous provisions through BOSH, bindings, updates, plan changes)', () => {
    expect(result.cases.filter((c) => c.outcome === 'not-run').map((c) => `${c.id} ${c.scope}: ${c.message}`)).toEqual([]);
    for (const plan of ['small', 'large', 'with-errands']) {
      const provisionPoll = result.cases.find((c) => c.id === 'LO-01' && c.scope === `redis-odb/${plan}` && c.title.includes('provision'));
      expect(provisionPoll?.outcome, plan).toBe('passed');
      expect(result.cases.find((c) => c.id === 'BIND-01' && c.scope === `redis-odb/${plan}`)?.outcome, plan).toBe('passed');
    }
  });

  it('fails only where ODB itself departs from the spec', () => {
    const failed = [...new Set(result.cases.filter((c) => c.outcome === 'failed').map((c) => c.id))];
    expect(failed.filter((id) => !(id in ODB_DEPARTURES))).toEqual([]);
  });

  it('leaves no deployment behind', () => {
    const ids = new Set(result.cases.flatMap((c) => c.journal).filter((x) => x.method === 'PUT' && /^\/v2\/service_instances\/[^/]+$/.test(x.path)).map((x) => x.path.split('/')[3]));
    expect(ids.size).toBeGreaterThan(5);
    expect([...ids].filter((id) => h.bosh.control.deployment(`service-instance_${id}`) !== undefined)).toEqual([]);
  });
});
