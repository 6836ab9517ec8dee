import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../conformance/model.js';
import { cases, runAgainst } from './harness.js';
import type { Fault } from './test-broker.js';

const SMALL = [{ service: 'conformance-db', plan: 'small' }];
const LARGE = [{ service: 'conformance-db', plan: 'large' }];

interface Expectation {
  fault: Fault;
  plans?: { service: string; plan: string }[];
  id: string;
  scope?: string;
  outcome: Outcome;
  /** The anchor of the section the finding must cite, and its level. */
  anchor: string;
  level: 'MUST' | 'SHOULD' | 'MAY';
  message: RegExp;
}

const TABLE: Expectation[] = [
  { fault: 'timeout', plans: SMALL, id: 'PROV-01', scope: 'conformance-db/small', outcome: 'failed', anchor: '#provisioning', level: 'MUST', message: /timeout \(the broker answered 201 after 600 s\); expected 201 or 202/ },
  { fault: 'timeout', plans: SMALL, id: 'PROV-01', scope: 'conformance-db/small', outcome: 'failed', anchor: '#synchronous-and-asynchronous-operations', level: 'SHOULD', message: /respond promptly|answer promptly/ },
  { fault: 'status-500', plans: SMALL, id: 'PROV-01', scope: 'conformance-db/small', outcome: 'failed', anchor: '#provisioning', level: 'MUST', message: /answered 500 .*a broker error for a valid request/ },
  { fault: 'status-400', plans: SMALL, id: 'PROV-01', scope: 'conformance-db/small', outcome: 'failed', anchor: '#provisioning', level: 'MUST', message: /answered 400 .*expected 201 or 202/ },
  { fault: '404-on-delete', plans: SMALL, id: 'DEP-03', scope: 'unknown instance', outcome: 'failed', anchor: '#deprovisioning', level: 'MUST', message: /answered 404 .*expected 410 Gone/ },
  { fault: '410-while-provisioning', plans: LARGE, id: 'LO-01', scope: 'conformance-db/large', outcome: 'failed', anchor: '#polling-last-operation-for-service-instances', level: 'MUST', message: /410 Gone while polling a provision/ },
  { fault: '422-on-bind', plans: SMALL, id: 'BIND-01', scope: 'conformance-db/small', outcome: 'failed', anchor: '#error-codes', level: 'MUST', message: /422 without an error code/ },
  { fault: 'concurrency-error', plans: SMALL, id: 'BIND-01', scope: 'conformance-db/small', outcome: 'failed', anchor: '#blocking-operations', level: 'MUST', message: /ConcurrencyError although the suite had no other operation in progress/ },
  { fault: 'maintenance-info-conflict', plans: SMALL, id: 'PROV-01', scope: 'conformance-db/small', outcome: 'failed', anchor: '#provisioning', level: 'MUST', message: /MaintenanceInfoConflict although the request's maintenance_info.version is the catalog's/ },
  { fault: 'invalid-json-200', plans: SMALL, id: 'UPD-01', scope: 'conformance-db/small', outcome: 'failed', anchor: '#updating-a-service-instance', level: 'MUST', message: /update answered 200 with a body that is not a JSON object/ },
  { fault: 'invalid-json-201', plans: SMALL, id: 'PROV-01', scope: 'conformance-db/small', outcome: 'failed', anchor: '#provisioning', level: 'MUST', message: /provision answered 201 with a body that is not a JSON object/ },
  { fault: 'status-204', plans: SMALL, id: 'PROV-01', scope: 'conformance-db/small', outcome: 'failed', anchor: '#provisioning', level: 'MUST', message: /answered 204, which the spec does not allow/ },
  { fault: 'async-fails', plans: LARGE, id: 'LO-01', scope: 'conformance-db/large', outcome: 'failed', anchor: '#provisioning', level: 'MUST', message: /the asynchronous provision failed: "the database could not be created"/ },
  { fault: 'async-never-finishes', plans: LARGE, id: 'LO-09', scope: 'conformance-db/large', outcome: 'failed', anchor: '#polling-interval-and-duration', level: 'MUST', message: /still not finished after 600 s .*the plan's maximum_polling_duration/ },
  { fault: 'catalog-duplicate-ids', plans: SMALL, id: 'CAT-04', outcome: 'failed', anchor: '#service-plan-object', level: 'MUST', message: /plan id "[^"]+" is used by service "conformance-db" plan "small" and service "conformance-db" plan "large"/ },
  { fault: 'catalog-missing-ids', plans: SMALL, id: 'CAT-02', outcome: 'failed', anchor: '#service-offering-object', level: 'MUST', message: /service "conformance-queue": `id` must be a non-empty string/ },
  { fault: 'catalog-missing-ids', plans: SMALL, id: 'CAT-04', outcome: 'failed', anchor: '#service-plan-object', level: 'MUST', message: /plan "large": `id` must be a non-empty string/ },
  { fault: 'no-version-check', plans: SMALL, id: 'HDR-02', outcome: 'warned', anchor: '#api-version-header', level: 'MAY', message: /without X-Broker-API-Version answered 200/ },
  { fault: 'no-credentials', plans: SMALL, id: 'BIND-01', scope: 'conformance-db/small', outcome: 'failed', anchor: '#binding', level: 'MUST', message: /the 201 binding has no `credentials` object/ },
  { fault: 'no-credentials', plans: SMALL, id: 'BIND-11', scope: 'conformance-db/small', outcome: 'failed', anchor: '#binding', level: 'MUST', message: /never received the binding's credentials/ },
];

describe('conformance suite against a broker switched into each fault', () => {
  it.each(TABLE.map((e) => [`${e.fault}: ${e.id} ${e.outcome}, ${e.anchor} ${e.level}`, e] as const))('%s', async (_name, e) => {
    const { result, broker } = await runAgainst([e.fault], { plans: e.plans });
    const matching = cases(result, e.id, e.scope);
    const finding = matching.flatMap((c) => c.findings.map((f) => ({ c, f }))).find(({ f }) => e.message.test(f.message));
    expect(finding, `no ${e.id} finding matches ${e.message}; findings: ${matching.flatMap((c) => c.findings.map((f) => f.message)).join(' | ')}`).toBeDefined();
    expect(finding!.c.outcome).toBe(e.outcome);
    expect(finding!.f.citation.anchor).toBe(e.anchor);
    expect(finding!.f.level).toBe(e.level);
    // The finding names the exchange that shows it, and the exchange is in the case's journal.
    if (finding!.f.exchange !== undefined) expect(finding!.c.journal.map((x) => x.seq)).toContain(finding!.f.exchange);
    expect(result.ok).toBe(e.outcome !== 'failed');
    // Cleanup ran whatever went wrong: nothing the suite created is left behind.
    expect(broker.instances.size).toBe(0);
  });

  it('a delete refused while provisioning (500, as ODB answers) is reported, and the probe still leaves nothing behind', async () => {
    const { result, broker } = await runAgainst(['busy-500'], { plans: LARGE });
    const dep07 = cases(result, 'DEP-07', 'conformance-db/large')[0];
    expect(dep07.outcome).toBe('failed');
    expect(dep07.findings[0].message).toMatch(/^DELETE of an instance being provisioned answered 500 .*An operation is in progress/);
    expect(cases(result, 'CLEANUP')[0].outcome).toBe('passed');
    expect(broker.instances.size).toBe(0);
  });

  it('cleanup retries a delete refused while an operation is in progress, and says what it had to leave behind', async () => {
    const { result, broker } = await runAgainst(['busy-500', 'async-never-finishes'], { plans: LARGE, polling: { intervalSeconds: 5, maxDurationSeconds: 60 } });
    const cleanup = cases(result, 'CLEANUP')[0];
    expect(cleanup.outcome).toBe('failed');
    // The lifecycle's instance and the delete-during-provision probe's: neither provision ever ends.
    const left = /^instance [0-9a-f-]+ could not be deleted: the last DELETE answered 500 .*; it may be left behind$/;
    expect(cleanup.findings.map((f) => f.message)).toEqual([expect.stringMatching(left), expect.stringMatching(left)]);
    // Three attempts each, each after waiting for the provision in progress.
    const deletes = cleanup.journal.filter((x) => x.method === 'DELETE');
    expect(deletes.map((x) => x.status)).toEqual([500, 500, 500, 500, 500, 500]);
    expect(cleanup.journal.filter((x) => x.path.endsWith('/last_operation')).length).toBeGreaterThan(6);
    expect(broker.instances.size).toBe(2);
  });

  it('an answer later than the platform\'s 60 s (on the virtual clock) is a timeout, and the run goes on', async () => {
    const { result } = await runAgainst(['timeout'], { plans: SMALL });
    const prov = cases(result, 'PROV-01', 'conformance-db/small')[0];
    expect(prov.durationMs).toBeGreaterThanOrEqual(60_000);
    expect(prov.journal[0]).toMatchObject({ status: 0, error: 'timeout (the broker answered 201 after 600 s)', responseBody: null });
    expect(cases(result, 'FI-01', 'conformance-db/small')[0]).toMatchObject({ outcome: 'not-run', message: 'no provisioned instance of conformance-db/small (see PROV-01)' });
  });
});
