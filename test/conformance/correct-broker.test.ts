import { describe, expect, it } from 'vitest';
import { CHECKLIST } from '../../conformance/checklist.js';
import { runConformance } from '../../conformance/runner.js';
import { cases, only, problems, runAgainst } from './harness.js';

describe('conformance suite against the correct in-test broker', () => {
  it('passes cleanly: no failure, no warning, nothing left un-run, on every plan (sync, async, async bindings)', async () => {
    const { result } = await runAgainst();
    expect(problems(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.summary.failed + result.summary.warned + result.summary.notRun).toBe(0);
    const scopes = new Set(result.cases.map((c) => c.scope));
    expect([...scopes]).toEqual(expect.arrayContaining(['conformance-db/small', 'conformance-db/large', 'conformance-queue/standard']));
    // The asynchronous paths really ran: polling, concurrency probes, async bindings.
    const provisionPoll = result.cases.find((c) => c.id === 'LO-01' && c.scope === 'conformance-db/large' && c.title.includes('provision'));
    expect(provisionPoll).toMatchObject({ outcome: 'passed', message: expect.stringMatching(/^succeeded after 2 poll\(s\), Retry-After honoured 1×/) });
    expect(only(result, 'DEP-07', 'conformance-db/large').outcome).toBe('passed');
    expect(cases(result, 'BLO-01', 'conformance-queue/standard').some((c) => c.title.includes('reaches') && c.outcome === 'passed')).toBe(true);
    expect(only(result, 'UNB-06', 'conformance-queue/standard').outcome).toBe('passed');
    expect(only(result, 'BIND-13', 'conformance-queue/standard').outcome).toBe('passed');
    expect(only(result, 'FI-04', 'conformance-db/large').outcome).toBe('passed');
    expect(only(result, 'UPD-04', 'conformance-db/small').outcome).toBe('passed');
    expect(only(result, 'CAT-11')).toMatchObject({ outcome: 'passed', message: 'conditional fetch answered 304' });
    expect(cases(result, 'PROV-06', 'conformance-db/large').map((c) => c.outcome)).toEqual(['passed', 'passed']);
  });

  it('turns every line of the checklist into at least one case', async () => {
    const { result } = await runAgainst();
    const covered = new Set(result.cases.flatMap((c) => c.covers));
    expect(Object.keys(CHECKLIST).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('docs/conformance.md lists every check the suite runs', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/conformance.md', import.meta.url), 'utf8');
    const { result } = await runAgainst();
    const ids = new Set(result.cases.map((c) => c.id).filter((id) => !['CLEANUP', 'CONFIG', 'RUN'].includes(id)));
    expect([...ids].filter((id) => !doc.includes(`| ${id} |`))).toEqual([]);
  });

  it('acts as a Kubernetes platform when the profile says so', async () => {
    const { result } = await runAgainst([], { plans: [{ service: 'conformance-db', plan: 'small' }], profile: { platform: 'kubernetes', namespace: 'ns1' } });
    expect(problems(result)).toEqual([]);
    const x = only(result, 'PROV-01', 'conformance-db/small').journal[0];
    expect(JSON.parse(x.requestBody!).context).toMatchObject({ platform: 'kubernetes', namespace: 'ns1', instance_name: 'conformance-small' });
    const [platform, value] = x.requestHeaders['x-broker-api-originating-identity'].split(' ');
    expect(platform).toBe('kubernetes');
    expect(Object.keys(JSON.parse(Buffer.from(value, 'base64').toString()))).toEqual(['username', 'uid', 'groups', 'extra']);
  });

  it('records each exchange as a journal entry the shared sequence renderer can draw, with credentials masked', async () => {
    const { result } = await runAgainst([], { plans: [{ service: 'conformance-db', plan: 'small' }] });
    const prov = only(result, 'PROV-01', 'conformance-db/small');
    expect(prov.journal).toHaveLength(1);
    const x = prov.journal[0];
    expect(x).toMatchObject({ service: 'platform->broker', direction: 'outbound', method: 'PUT', status: 201, query: { accepts_incomplete: 'true' }, tags: ['PROV-01'] });
    expect(x.requestHeaders.authorization).toBe('Basic ***');
    expect(x.requestHeaders['x-broker-api-version']).toBe('2.17');
    const body = JSON.parse(x.requestBody!);
    expect(body.context).toMatchObject({ platform: 'cloudfoundry', organization_name: 'conformance-org', space_name: 'conformance-space', instance_name: 'conformance-small', 'x-conformance-extra': true });
    const [platform, value] = x.requestHeaders['x-broker-api-originating-identity'].split(' ');
    expect(platform).toBe('cloudfoundry');
    expect(Object.keys(JSON.parse(Buffer.from(value, 'base64').toString()))).toEqual(['user_id']);
  });

  it('masks credentials in the recorded exchanges (reports are shared), while the checks saw them', async () => {
    const { result } = await runAgainst([], { plans: [{ service: 'conformance-db', plan: 'small' }] });
    const bind = only(result, 'BIND-01', 'conformance-db/small');
    expect(bind.outcome).toBe('passed');
    expect(JSON.parse(bind.journal[0].responseBody!)).toMatchObject({ credentials: '***' });
    expect(result.cases.flatMap((c) => c.journal).some((x) => /"password":"pw"/.test(x.responseBody ?? ''))).toBe(false);
  });

  it('leaves the broker as it found it (cleanup deletes everything the suite created)', async () => {
    const { result, broker } = await runAgainst();
    expect(broker.instances.size).toBe(0);
    expect(only(result, 'CLEANUP').outcome).toBe('passed');
  });

  it('polls on the virtual clock, honouring Retry-After: minutes of broker time, no real waiting', async () => {
    const started = Date.now();
    const { virtualMs } = await runAgainst([], { plans: [{ service: 'conformance-db', plan: 'large' }] });
    expect(virtualMs).toBeGreaterThanOrEqual(30_000);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('for OSBAPI 2.13 sends what 2.13 defines and marks later checks not applicable', async () => {
    const { result } = await runAgainst([], { plans: [{ service: 'conformance-db', plan: 'small' }] }, { osbVersion: '2.13' });
    expect(problems(result)).toEqual([]);
    for (const id of ['PROV-08', 'UPD-05', 'HDR-03', 'CAT-08', 'MI-01']) expect(cases(result, id).every((c) => c.outcome === 'not-applicable'), id).toBe(true);
    const all = result.cases.flatMap((c) => c.journal);
    expect(all.some((x) => 'x-broker-api-request-identity' in x.requestHeaders)).toBe(false);
    const prov = only(result, 'PROV-01', 'conformance-db/small').journal[0];
    expect(JSON.parse(prov.requestBody!).context).not.toHaveProperty('organization_name');
    expect(JSON.parse(prov.requestBody!)).not.toHaveProperty('maintenance_info');
  });

  it('follows the config: only the named plans, skips with their reason', async () => {
    const { result } = await runAgainst([], {
      plans: [{ service: 'conformance-db', plan: 'small', provisionParameters: { size: '10GB' } }],
      skip: [{ feature: 'bind', reason: 'bindings are tested elsewhere' }, { check: 'PROV-10', reason: 'no schema yet' }],
    });
    expect(new Set(result.cases.map((c) => c.scope).filter((s) => s?.includes('/')))).toEqual(new Set(['conformance-db/small']));
    expect(only(result, 'BIND-01', 'conformance-db/small')).toMatchObject({ outcome: 'skipped', message: 'bindings are tested elsewhere' });
    expect(only(result, 'PROV-10', 'conformance-db/small')).toMatchObject({ outcome: 'skipped', message: 'no schema yet' });
    const prov = only(result, 'PROV-01', 'conformance-db/small').journal[0];
    expect(JSON.parse(prov.requestBody!).parameters).toEqual({ size: '10GB' });
    expect(result.ok).toBe(true);
  });

  it('skipping the polling checks still lets each operation end before the lifecycle goes on', async () => {
    const { result } = await runAgainst([], { plans: [{ service: 'conformance-db', plan: 'large' }], skip: [{ check: 'LO-01', reason: 'polled elsewhere' }] });
    expect(cases(result, 'LO-01', 'conformance-db/large').every((c) => c.outcome === 'skipped' && c.message === 'polled elsewhere')).toBe(true);
    expect(only(result, 'UPD-01', 'conformance-db/large').outcome).toBe('passed');
    expect(only(result, 'DEP-01', 'conformance-db/large').outcome).toBe('passed');
    expect(result.summary.failed + result.summary.notRun).toBe(0);
  });

  it('reports a plan the config names but the catalog lacks as not run, never as passed', async () => {
    const { result } = await runAgainst([], { plans: [{ service: 'conformance-db', plan: 'huge' }] });
    expect(only(result, 'CONFIG')).toMatchObject({ outcome: 'not-run', message: 'config names plan "huge" of "conformance-db", which the catalog does not have' });
    expect(only(result, 'PROV-01').outcome).toBe('not-run');
  });

  it('a broker that wants credentials the run was not given says so', async () => {
    const { result } = await runAgainst([], {}, { username: undefined, password: undefined });
    expect(only(result, 'CAT-01').message).toBe('GET /v2/catalog answered 401 {"description":"unauthorized"}; expected 200 with the catalog (the broker wants credentials: give --username and --password)');
    expect(only(result, 'AUTH-01', 'no credentials').outcome).toBe('not-applicable');
  });

  it('an unreachable broker is one not-run case and a failed run, not a page of failures', async () => {
    const result = await runConformance({
      brokerUrl: 'http://broker.invalid',
      fetch: () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })),
      config: { seed: 'x' },
    });
    expect(result.ok).toBe(false);
    expect(only(result, 'RUN')).toMatchObject({ outcome: 'not-run', message: 'the broker could not be reached at http://broker.invalid (fetch failed (ECONNREFUSED)); no other check ran' });
    expect(result.summary.passed).toBe(0);
  });
});
