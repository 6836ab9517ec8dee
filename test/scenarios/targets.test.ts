import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandLine, parseTarget, setUpScenario, targetFor, type Scenario } from '../../scenarios/index.js';
import { scriptedAdapter } from '../../scenarios/catalogue/support.js';
import { DEFAULT_SERVICE } from '../../scenarios/harness/profile.js';
import { env } from './support.js';

const standInCommand = `node ${path.resolve('bin/run-ts.mjs')} ${path.resolve('test/scenarios/fixtures/stand-in-main.ts')} {config}`;

describe('targets', () => {
  // The reference broker with the example redis adapter; a scripted create-binding exit 49 (the
  // wrapper script the catalogue's adapter scenarios use, or its in-process twin).
  async function provisionAndBind(adapters: 'in-process' | 'process'): Promise<{ s: Scenario; ranInProcess: unknown[]; bindStatus: number }> {
    const s = await setUpScenario(env({ target: { kind: 'embedded', adapters }, service: DEFAULT_SERVICE }), { configure: scriptedAdapter({ 'create-binding': { exit: 49 } }) }, targetFor({ kind: 'embedded', adapters }));
    const si = await s.provision(s.plan(0));
    expect(si.last_operation).toMatchObject({ state: 'succeeded' });
    await s.bind(si.guid).catch(() => undefined);
    const bindStatus = s.journal.query({ service: 'cc->broker', method: 'PUT', path: `/v2/service_instances/${si.guid}/service_bindings/*` })[0].status;
    return { s, bindStatus, ranInProcess: s.steps.filter((x) => x.kind === 'adapter').map((x) => (x.details as { ranInProcess?: true }).ranInProcess) };
  }

  it('embedded: runs the example adapter in-process by default, and as a process per call with adapters: process', async () => {
    const a = await provisionAndBind('in-process');
    try {
      expect(a.s.target.name).toBe('embedded');
      expect(a.ranInProcess.length).toBeGreaterThan(2);
      expect(a.ranInProcess.every((x) => x === true)).toBe(true);
      expect(a.bindStatus).toBe(409);
    } finally {
      await a.s.close();
    }
    const b = await provisionAndBind('process');
    try {
      expect(b.s.target.name).toBe('embedded-process');
      expect(b.ranInProcess).toHaveLength(a.ranInProcess.length);
      expect(b.ranInProcess.every((x) => x === undefined)).toBe(true);
      expect(b.bindStatus).toBe(409);
    } finally {
      await b.s.close();
    }
  }, 60_000);

  it('command: starts the broker from a command line with a generated ODB config pointing at the fakes over HTTPS', async () => {
    const s = await setUpScenario(env({ target: { kind: 'command', command: standInCommand } }));
    try {
      expect(s.target.capabilities.has('restart')).toBe(true);
      expect(s.broker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(s.config).toMatchObject({ bosh: { url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), root_ca_cert: expect.stringContaining('BEGIN CERTIFICATE') } });
      const si = await s.provision('small');
      expect(si.last_operation).toMatchObject({ type: 'create', state: 'succeeded' });
      expect(s.deployment(si.guid)).toBeDefined();
      // The broker reached BOSH and UAA over the network: the journal has its calls.
      expect(s.journal.query({ service: 'bosh', method: 'POST', path: '/deployments' })).toHaveLength(1);
      await s.broker.restart!();
      expect((await s.osb('GET', '/v2/catalog')).status).toBe(200);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('command: a broker that exits at start fails the set-up with its output', async () => {
    await expect(setUpScenario(env({ target: { kind: 'command', command: 'echo "error parsing config {config}" >&2; exit 1' } }))).rejects.toThrow(/exited with 1 before answering:\nerror parsing config .*broker\.yml/);
  });

  it('parses target specs from the command line, and quotes {config}', () => {
    expect(parseTarget('embedded')).toEqual({ kind: 'embedded' });
    expect(parseTarget('embedded-process')).toEqual({ kind: 'embedded', adapters: 'process' });
    expect(parseTarget('embedded:x/broker.ts')).toEqual({ kind: 'embedded', module: path.resolve('x/broker.ts') });
    expect(parseTarget('command:odb -configFilePath {config}')).toEqual({ kind: 'command', command: 'odb -configFilePath {config}' });
    expect(parseTarget('url:https://broker:p%40ss@127.0.0.1:8443/', { fakesState: 's.json', fakesPorts: 'uaa=1,bosh=2,cc=3' })).toEqual({
      kind: 'url',
      url: 'https://127.0.0.1:8443',
      username: 'broker',
      password: 'p@ss',
      fakes: { state: 's.json', ports: { uaa: 1, bosh: 2, cc: 3 } },
    });
    expect(() => parseTarget('url:https://x')).toThrow(/--fakes-state/);
    expect(() => parseTarget('docker:x')).toThrow(/unknown target 'docker:x'/);
    expect(commandLine("odb -c {config} --also={config}", "/tmp/it's.yml")).toBe(`odb -c '/tmp/it'\\''s.yml' --also='/tmp/it'\\''s.yml'`);
    expect([...targetFor({ kind: 'command', command: 'x', errands: { 'orphan-deployments': 'y' }, capabilities: ['mgmt-api'] }).capabilities]).toEqual(['configurable', 'restart', 'startup-checks', 'errand:orphan-deployments', 'mgmt-api']);
    expect([...targetFor({ kind: 'url', url: 'u', username: 'a', password: 'b', fakes: { state: 's', ports: {} } }).capabilities]).toEqual([]);
  });
});
