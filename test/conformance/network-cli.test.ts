import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../fakes/core/clock.js';
import { runConformance } from '../../conformance/runner.js';
import { parseJsonReport } from '../../report/writers/json.js';
import { createTestBroker, type Fault } from './test-broker.js';
import { only } from './harness.js';
import { createCa, issueServerCertificate } from '../../fakes/core/tls.js';
import { listen as listenNetwork } from '../../fakes/core/mount-network.js';
import { tlsFetch } from '../../conformance/tls-fetch.js';
import { buildCli } from '../support/built-cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// The CLI compiled from the current sources, started as the published one is.
let CLI = '';

// Over the network the broker's time is real, so these runs stay on the synchronous plan.
const CONFIG = {
  plans: [{ service: 'conformance-db', plan: 'small' }],
  skip: [{ check: 'UPD-04', reason: 'the plan change goes to an asynchronous plan (real time over the network)' }],
};

const servers: ServerType[] = [];
const clocks: Clock[] = [];
const closers: (() => Promise<void>)[] = [];
let dir: string;

async function listen(faults: Fault[] = []): Promise<string> {
  const clock = new Clock({ mode: 'real' });
  clocks.push(clock);
  const broker = createTestBroker({ clock, faults });
  return new Promise((resolve) => {
    const server = serve({ fetch: broker.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
    servers.push(server);
  });
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'conformance', ...args], { cwd: ROOT, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  CLI = await buildCli();
  dir = mkdtempSync(path.join(tmpdir(), 'ff-conformance-'));
  writeFileSync(path.join(dir, 'config.yaml'), `plans:\n  - service: conformance-db\n    plan: small\n    provisionParameters: { size: "10GB" }\nskip:\n  - check: UPD-04\n    reason: the plan change goes to an asynchronous plan\n`);
});

afterAll(async () => {
  for (const close of closers) await close();
  for (const s of servers) s.close();
  for (const c of clocks) c.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('conformance over the network', () => {
  it('runs against a broker URL with the global fetch, as against a broker in any language', async () => {
    const url = await listen();
    const result = await runConformance({ brokerUrl: url, username: 'broker', password: 'secret', config: CONFIG });
    expect(result.cases.filter((c) => c.outcome === 'failed' || c.outcome === 'warned' || c.outcome === 'not-run').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('reaches an HTTPS broker whose certificate a private CA signed (--ca-cert), and refuses it without', async () => {
    const ca = await createCa('conformance test CA');
    const cert = await issueServerCertificate(ca, ['127.0.0.1']);
    const clock = new Clock({ mode: 'real' });
    clocks.push(clock);
    const server = await listenNetwork(createTestBroker({ clock }).app, { tls: cert });
    closers.push(server.close);
    const trusted = await runConformance({ brokerUrl: server.url, fetch: tlsFetch({ ca: ca.certPem }), username: 'broker', password: 'secret', config: CONFIG });
    expect(server.url).toMatch(/^https:/);
    expect(trusted.ok).toBe(true);
    const untrusted = await runConformance({ brokerUrl: server.url, username: 'broker', password: 'secret', config: CONFIG });
    expect(only(untrusted, 'RUN').message).toMatch(/^the broker could not be reached at https:\/\/127\.0\.0\.1:\d+ \(fetch failed.*\); its certificate is not trusted: give the CA that signed it \(--ca-cert\); no other check ran$/);
  });

  it('fakefoundry conformance exits 0 on a clean pass and writes the JSON report', async () => {
    const url = await listen();
    const out = path.join(dir, 'clean');
    const r = await cli(['--broker-url', url, '--username', 'broker', '--password', 'secret', '--config', path.join(dir, 'config.yaml'), '--reporter', 'pretty,json', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OSBAPI 2\.17 conformance: \d+ cases in /m);
    expect(r.stdout).toMatch(/^ {2}skipped +1$/m);
    expect(r.stdout).not.toMatch(/^ {2}(failed|warned|not run) /m);
    expect(r.stdout).toMatch(/^conformance: no MUST failed$/m);
    const report = parseJsonReport(readFileSync(path.join(out, 'conformance.json'), 'utf8'));
    expect(report.tool).toBe('conformance');
    expect(report.cases.find((c) => c.id === 'conformance-db/small:PROV-01')?.spec).toEqual({
      section: 'spec.md Provisioning (#provisioning)',
      level: 'MUST',
      url: 'https://github.com/openservicebrokerapi/servicebroker/blob/v2.17/spec.md#provisioning',
    });
  });

  it('exits 1 when a MUST fails, and says which, with the citation', async () => {
    const url = await listen(['status-500']);
    const r = await cli(['--broker-url', url, '--username', 'broker', '--password', 'secret', '--config', path.join(dir, 'config.yaml'), '--osb-version', '2.14']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✗ conformance-db\/small › PROV-01 provision answers 201 Created/m);
    expect(r.stdout).toMatch(/^FAILED {2}conformance-db\/small › PROV-01 /m);
    expect(r.stdout).toContain('[MUST] spec.md Provisioning (#provisioning), MUST: a valid provision request gets 201 or 202');
    expect(r.stdout).toMatch(/^conformance: \d+ checks failed a MUST/m);
    expect(r.stdout).toMatch(/^OSBAPI 2\.14 conformance/m);
  });
});
