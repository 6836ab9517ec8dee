import { describe, expect, it } from 'vitest';
import { toRunResult } from '../../conformance/output/to-report.js';
import { toHtml } from '../../report/writers/html.js';
import { toJunitXml } from '../../report/writers/junit.js';
import { traceToText } from '../../report/sequence.js';
import { runAgainst } from './harness.js';

describe('conformance results in the shared report model', () => {
  it('maps each case: unique ids, suite per plan, citation with its address, findings, a curl to reproduce', async () => {
    const { result } = await runAgainst(['status-500'], { plans: [{ service: 'conformance-db', plan: 'small' }] });
    const run = toRunResult(result);
    expect(run.tool).toBe('conformance');
    expect(new Set(run.cases.map((c) => c.id)).size).toBe(run.cases.length);
    const prov = run.cases.find((c) => c.id === 'conformance-db/small:PROV-01')!;
    expect(prov).toMatchObject({
      suite: 'conformance-db/small',
      outcome: 'failed',
      spec: { section: 'spec.md Provisioning (#provisioning)', level: 'MUST', url: 'https://github.com/openservicebrokerapi/servicebroker/blob/v2.17/spec.md#provisioning' },
      meta: { checklist: 'PROV-01, PROV-02, PROV-09, PROV-11, PROV-12, EXT-01, CTX-01', since: 'OSBAPI 2.13' },
    });
    expect(prov.message).toMatch(/answered 500 \{"description":"internal error"\}: a broker error for a valid request \(expected 201 or 202\)/);
    expect(prov.details).toMatch(/^\[MUST\] spec\.md Provisioning \(#provisioning\), MUST: /);
    expect(prov.details).toMatch(/sent PUT \/v2\/service_instances\/[0-9a-f-]+\?accepts_incomplete=true → 500/);
    expect(prov.reproduction).toMatch(/^curl -X PUT 'http:\/\/broker\.in-process\/v2\/service_instances\/[0-9a-f-]+\?accepts_incomplete=true' -u "\$BROKER_USER:\$BROKER_PASSWORD" -H 'x-broker-api-version: 2\.17'/);
    expect(prov.journal).toHaveLength(1);
  });

  it('renders through the shared JUnit and HTML writers, the HTML with a sequence diagram of the failed exchange', async () => {
    const { result } = await runAgainst(['status-500'], { plans: [{ service: 'conformance-db', plan: 'small' }] });
    const run = toRunResult(result);
    const xml = toJunitXml(run);
    expect(xml).toMatch(/<testsuite name="conformance-db\/small"/);
    expect(xml).toMatch(/<failure message="PUT of a new instance/);
    // The suite is drawn as the platform, left of the broker it calls.
    const text = traceToText(run.cases.find((c) => c.id === 'conformance-db/small:PROV-01')!, { ascii: true, color: false }) ?? '';
    expect(text.indexOf('Platform (conformance)')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('Platform (conformance)')).toBeLessThan(text.indexOf('Broker'));
    const html = toHtml(run);
    expect(html).toContain('PROV-01 provision answers 201 Created');
    expect(html).toMatch(/<svg/);
  });
});
