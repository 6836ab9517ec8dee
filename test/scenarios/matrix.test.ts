import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandMatrix, loadMatrix } from '../../scenarios/matrix/matrix.js';

describe('matrix expansion', () => {
  it('is the product of targets × BOSH auth × adapter input × fault profiles, in a stable order', () => {
    const cells = expandMatrix({
      targets: ['embedded', { name: 'odb', command: 'odb -configFilePath {config}' }],
      bosh_auth: ['uaa', 'basic'],
      adapter_input: ['stdin', 'legacy'],
      fault_profiles: ['none', 'slow-director'],
    });
    expect(cells).toHaveLength(16);
    expect(cells.slice(0, 5).map((c) => c.cell)).toEqual([
      'embedded · uaa · stdin · no-faults',
      'embedded · uaa · stdin · slow-director',
      'embedded · uaa · legacy · no-faults',
      'embedded · uaa · legacy · slow-director',
      'embedded · basic · stdin · no-faults',
    ]);
    expect(cells[15]).toMatchObject({ cell: 'odb · basic · legacy · slow-director', target: { kind: 'command', name: 'odb' }, boshAuth: 'basic', adapterInput: 'legacy' });
    expect(cells[1].faults.rules).toEqual([{ match: { service: 'bosh' }, action: { type: 'latency', ms: 2000 } }]);
    expect(new Set(cells.map((c) => c.cell)).size).toBe(16);
  });

  it('honours exclude, custom fault profiles, and keeps a url target to one auth and input', () => {
    const cells = expandMatrix({
      targets: ['embedded', { name: 'running', url: 'https://b:8443', username: 'u', password: 'p', fakes: { state: 'up.json', ports: { uaa: 1 } } }],
      bosh_auth: ['uaa', 'basic'],
      fault_profiles: [{ name: 'flaky-cc', rules: [{ match: { service: 'cc' }, action: { type: 'status', status: 503 }, times: 1 }] }],
      exclude: [{ target: 'embedded', bosh_auth: 'basic' }],
    }, { base: '/ci' });
    expect(cells.map((c) => c.cell)).toEqual(['embedded · uaa · stdin · flaky-cc', 'running · uaa · stdin · flaky-cc']);
    expect(cells[1].target).toMatchObject({ kind: 'url', fakes: { state: '/ci/up.json' } });
  });

  it('names the embedded target with adapters as processes embedded-process, so both modes fit in one matrix', () => {
    const cells = expandMatrix({ targets: ['embedded', { kind: 'embedded', adapters: 'process' }], service: { name: 's', odb_config: 'odb.yml', adapter_module: 'adapter.mjs' } }, { base: '/ci' });
    expect(cells.map((c) => [c.cell, c.target])).toEqual([
      ['embedded · uaa · stdin · no-faults', { kind: 'embedded', name: undefined, adapters: undefined }],
      ['embedded-process · uaa · stdin · no-faults', { kind: 'embedded', name: undefined, adapters: 'process' }],
    ]);
    expect(cells[0].service).toMatchObject({ odbConfig: '/ci/odb.yml', adapterModule: '/ci/adapter.mjs' });
  });

  it('refuses unknown fault profiles, duplicate cells and bad values', () => {
    expect(() => expandMatrix({ fault_profiles: ['earthquake'] })).toThrow(/unknown fault profile 'earthquake'/);
    expect(() => expandMatrix({ targets: ['embedded', 'embedded'] })).toThrow(/two matrix cells are both named 'embedded · uaa · stdin · no-faults'/);
    expect(() => expandMatrix({ bosh_auth: ['kerberos' as 'uaa'] })).toThrow();
  });

  it('reads a YAML file, paths relative to it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ff-matrix-'));
    const file = path.join(dir, 'matrix.yml');
    await writeFile(file, 'tags: "area:lifecycle"\nservice: {name: mine, odb_config: svc/odb.yml}\nadapter_input: [stdin, legacy]\n');
    const { matrix, cells } = loadMatrix(file);
    expect(matrix.tags).toBe('area:lifecycle');
    expect(cells.map((c) => c.adapterInput)).toEqual(['stdin', 'legacy']);
    expect(cells[0].service).toEqual({ name: 'mine', odbConfig: path.join(dir, 'svc/odb.yml'), foundation: undefined, root: dir });
  });
});

describe('examples/ci', () => {
  it('the example matrix expands to 8 cells, and both CI files shard it and merge the blobs with commands fakefoundry run takes', async () => {
    const { cells } = loadMatrix('examples/ci/matrix.yml');
    expect(cells.map((c) => c.cell)).toHaveLength(8);
    const { parse } = await import('yaml');
    const { readFileSync } = await import('node:fs');
    const gh = parse(readFileSync('examples/ci/github-actions.yml', 'utf8'));
    const ghRuns: string[] = [...gh.jobs.shard.steps, ...gh.jobs.report.steps].map((s: { run?: string }) => s.run).filter((r): r is string => typeof r === "string");
    expect(ghRuns).toContain('npx fakefoundry run --matrix examples/ci/matrix.yml --shard ${{ matrix.shard }}/4 --reporter pretty,junit --out reports');
    expect(ghRuns).toContain('npx fakefoundry run --merge-reports reports/blob --reporter pretty,junit,json,html --out reports/merged');
    expect(gh.jobs.report.needs).toBe('shard');
    const gl = parse(readFileSync('examples/ci/gitlab-ci.yml', 'utf8'));
    expect(gl.scenarios.parallel).toBe(4);
    expect(gl.scenarios.script[0]).toContain('--shard "${CI_NODE_INDEX}/${CI_NODE_TOTAL}"');
    expect(gl.report.script[0]).toContain('--merge-reports reports/blob');
  });
});
