import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  AdapterOutputError,
  AdapterRunError,
  AppGuidNotProvidedError,
  BindingAlreadyExistsError,
  BindingNotFoundError,
  NotImplementedError,
  UnknownFailureError,
  executableAdapter,
  inProcessAdapter,
  type AdapterCall,
  type GenerateManifestParams,
  type Plan,
} from '../../broker-under-test/adapter/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ff-adapter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a tiny node adapter script: `body` runs with `argv` (after the script) and `stdin` (text). */
let n = 0;
function script(body: string): string {
  const file = path.join(dir, `adapter-${++n}.mjs`);
  writeFileSync(
    file,
    `#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
const argv = process.argv.slice(2);
let stdin = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) stdin += chunk;
${body}
`,
  );
  chmodSync(file, 0o755);
  return file;
}

const plan: Plan = {
  properties: { persistence: true },
  instance_groups: [{ name: 'redis', vm_type: 'small', instances: 1, networks: ['default'], azs: ['z1'] }],
  lifecycle_errands: { post_deploy: [{ name: 'smoke', instances: ['redis/0'] }] },
};
const gm: GenerateManifestParams = {
  serviceDeployment: {
    deployment_name: 'service-instance_abc',
    releases: [{ name: 'redis', version: '1.0.0', jobs: ['redis-server'] }],
    stemcells: [{ stemcell_os: 'ubuntu-jammy', stemcell_version: '1.100' }],
  },
  plan,
  requestParameters: { plan_id: 'p1', parameters: { maxclients: 10 } },
  previousManifest: '',
  previousPlan: null,
  previousSecrets: { '/odb/secret/path': 'hunter2' },
  previousConfigs: null,
  uaaClient: null,
};
const goodManifest = 'name: service-instance_abc\nreleases:\n- name: redis\n  version: 1.0.0\n';

describe('executableAdapter, stdin mode', () => {
  it('writes the SDK InputParams document on stdin with no positional args, and reads the JSON output', async () => {
    const dump = path.join(dir, 'dump-stdin.json');
    const file = script(`
writeFileSync(${JSON.stringify(dump)}, JSON.stringify({ argv, stdin }));
process.stderr.write('[odb-sdk] handling generate-manifest\\n');
process.stdout.write(JSON.stringify({ manifest: ${JSON.stringify(goodManifest)}, secrets: { s: 'v' }, configs: { 'cloud': 'x: 1' } }));
`);
    const calls: AdapterCall[] = [];
    const logs: string[] = [];
    const adapter = executableAdapter({ path: file, inputMode: 'stdin', onCall: (c) => calls.push(c) });
    const out = await adapter.generateManifest(gm, { log: (l) => logs.push(l) });
    expect(out).toEqual({ manifest: goodManifest, secrets: { s: 'v' }, configs: { cloud: 'x: 1' } });

    const seen = JSON.parse(readFileSync(dump, 'utf8')) as { argv: string[]; stdin: string };
    expect(seen.argv).toEqual(['generate-manifest']);
    const doc = JSON.parse(seen.stdin);
    expect(Object.keys(doc)).toEqual(['generate_manifest', 'dashboard_url', 'create_binding', 'delete_binding', 'generate_plan_schemas']);
    expect(doc.dashboard_url).toEqual({ instance_id: '', plan: '', manifest: '' });
    const g = doc.generate_manifest;
    expect(Object.keys(g)).toEqual([
      'service_deployment', 'plan', 'previous_plan', 'previous_manifest', 'request_parameters',
      'previous_secrets', 'previous_configs', 'uaa_client',
    ]);
    expect(JSON.parse(g.service_deployment)).toEqual(gm.serviceDeployment);
    // Go's field order and omitempty: lifecycle_errands always present, update omitted when unset.
    expect(g.plan).toBe(
      '{"properties":{"persistence":true},"lifecycle_errands":{"post_deploy":[{"name":"smoke","instances":["redis/0"]}]},' +
        '"instance_groups":[{"name":"redis","vm_type":"small","instances":1,"networks":["default"],"azs":["z1"]}]}',
    );
    expect(g.previous_plan).toBe('null');
    expect(g.previous_manifest).toBe('');
    expect(g.previous_configs).toBe('null');
    expect(g.uaa_client).toBe('null');
    expect(JSON.parse(g.request_parameters)).toEqual(gm.requestParameters);

    // The report masks secrets; stderr goes to the log.
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ subcommand: 'generate-manifest', mode: 'stdin', args: [], exitCode: 0, timedOut: false });
    expect(calls[0].stdin).not.toContain('hunter2');
    expect(calls[0].stdin).toContain('***');
    expect(logs).toEqual(['service adapter ran generate-manifest successfully, stderr logs: [odb-sdk] handling generate-manifest\n']);
  });

  it('create-binding and dashboard-url and generate-plan-schemas parse their JSON', async () => {
    const file = script(`
const cmd = argv[0];
const doc = JSON.parse(stdin);
if (cmd === 'create-binding') {
  const vms = JSON.parse(doc.create_binding.bosh_vms);
  process.stdout.write(JSON.stringify({ credentials: { host: vms.redis[0], binding: doc.create_binding.binding_id } }));
} else if (cmd === 'dashboard-url') {
  process.stdout.write(JSON.stringify({ dashboard_url: 'https://dash/' + doc.dashboard_url.instance_id }));
} else if (cmd === 'generate-plan-schemas') {
  const p = JSON.parse(doc.generate_plan_schemas.plan);
  const s = { parameters: { type: 'object', title: p.instance_groups[0].name } };
  process.stdout.write(JSON.stringify({ service_instance: { create: s, update: s }, service_binding: { create: s } }));
} else process.exit(1);
`);
    const adapter = executableAdapter({ path: file, inputMode: 'stdin' });
    const bp = { bindingId: 'b1', boshVms: { redis: ['10.0.0.5'] }, manifest: goodManifest, requestParameters: {}, secrets: null, dnsAddresses: null };
    expect(await adapter.createBinding(bp)).toEqual({ credentials: { host: '10.0.0.5', binding: 'b1' } });
    expect(await adapter.dashboardUrl({ instanceId: 'abc', plan, manifest: goodManifest })).toEqual({ dashboard_url: 'https://dash/abc' });
    const schemas = await adapter.generatePlanSchemas({ plan });
    expect(schemas.service_binding.create.parameters).toEqual({ type: 'object', title: 'redis' });
  });
});

describe('executableAdapter, legacy mode', () => {
  it('passes positional arguments in ODB order and takes stdout as the manifest', async () => {
    const dump = path.join(dir, 'dump-legacy.json');
    const file = script(`
writeFileSync(${JSON.stringify(dump)}, JSON.stringify({ argv, stdin }));
process.stdout.write(${JSON.stringify(goodManifest)});
`);
    const adapter = executableAdapter({ path: file, inputMode: 'legacy' });
    const out = await adapter.generateManifest({ ...gm, previousManifest: 'name: old\n', previousPlan: plan });
    expect(out).toEqual({ manifest: goodManifest, secrets: {}, configs: {} });
    const seen = JSON.parse(readFileSync(dump, 'utf8')) as { argv: string[]; stdin: string };
    expect(seen.stdin).toBe('');
    expect(seen.argv).toHaveLength(6);
    expect(seen.argv[0]).toBe('generate-manifest');
    expect(JSON.parse(seen.argv[1])).toEqual(gm.serviceDeployment);
    expect(JSON.parse(seen.argv[2]).instance_groups[0].name).toBe('redis');
    expect(JSON.parse(seen.argv[3])).toEqual(gm.requestParameters);
    expect(seen.argv[4]).toBe('name: old\n');
    expect(JSON.parse(seen.argv[5]).properties).toEqual({ persistence: true });
  });

  it('binding and dashboard and plan-schema arguments', async () => {
    const dump = path.join(dir, 'dump-legacy-args.jsonl');
    const file = script(`
import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(dump)}, JSON.stringify(argv) + '\\n');
if (argv[0] === 'create-binding') process.stdout.write('{"credentials":{}}');
if (argv[0] === 'dashboard-url') process.stdout.write('{"dashboard_url":"https://d"}');
if (argv[0] === 'generate-plan-schemas') process.stdout.write('{}');
`);
    const adapter = executableAdapter({ path: file, inputMode: 'legacy' });
    const bp = { bindingId: 'b1', boshVms: { redis: ['10.0.0.5'] }, manifest: goodManifest, requestParameters: { app_guid: 'a' }, secrets: null, dnsAddresses: null };
    await adapter.createBinding(bp);
    await adapter.deleteBinding(bp);
    await adapter.dashboardUrl({ instanceId: 'abc', plan, manifest: goodManifest });
    await adapter.generatePlanSchemas({ plan });
    const lines = readFileSync(dump, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(lines[0]).toEqual(['create-binding', 'b1', '{"redis":["10.0.0.5"]}', goodManifest, '{"app_guid":"a"}']);
    expect(lines[1][0]).toBe('delete-binding');
    expect(lines[2].slice(0, 2)).toEqual(['dashboard-url', 'abc']);
    expect(lines[2][3]).toBe(goodManifest);
    expect(lines[3][0]).toBe('generate-plan-schemas');
    expect(lines[3][1]).toBe('--plan-json');
  });
});

describe('exit codes', () => {
  const bp = { bindingId: 'b1', boshVms: {}, manifest: goodManifest, requestParameters: {}, secrets: null, dnsAddresses: null };
  const exiting = (code: number, stdout = '', stderr = '') =>
    executableAdapter({
      path: script(`process.stdout.write(${JSON.stringify(stdout)}); process.stderr.write(${JSON.stringify(stderr)}); process.exit(${code});`),
      inputMode: 'stdin',
    });

  it('1: UnknownFailureError whose userMessage is stdout; stderr only to the log', async () => {
    const logs: string[] = [];
    const err = await exiting(1, 'plan too small for 3 nodes', 'stack trace here').generateManifest(gm, { log: (l) => logs.push(l) }).catch((e) => e);
    expect(err).toBeInstanceOf(UnknownFailureError);
    expect(err.userMessage).toBe('plan too small for 3 nodes');
    expect(err.exitCode).toBe(1);
    expect(err.userMessage).not.toContain('stack trace');
    expect(logs[0]).toMatch(/^external service adapter exited with 1 at .*: stdout: 'plan too small for 3 nodes', stderr: 'stack trace here'$/);
  });

  it('an unknown code is an UnknownFailureError too; empty stdout gives an empty userMessage', async () => {
    const err = await exiting(3).createBinding(bp).catch((e) => e);
    expect(err).toBeInstanceOf(UnknownFailureError);
    expect(err.exitCode).toBe(3);
    expect(err.userMessage).toBe('');
  });

  it.each([
    [10, NotImplementedError, 'command not implemented by service adapter'],
    [41, BindingNotFoundError, 'binding not found'],
    [42, AppGuidNotProvidedError, 'app GUID not provided'],
    [49, BindingAlreadyExistsError, 'binding already exists'],
  ])('%i: %o', async (code, type, message) => {
    const err = await exiting(code, 'ignored').createBinding(bp).catch((e) => e);
    expect(err).toBeInstanceOf(type);
    expect(err.message).toBe(message);
    expect(err.exitCode).toBe(code);
  });
});

describe('output ODB refuses', () => {
  it('a manifest named otherwise, with ODB text', async () => {
    const file = script(`process.stdout.write(JSON.stringify({ manifest: 'name: other\\n' }));`);
    const err = await executableAdapter({ path: file, inputMode: 'stdin' }).generateManifest(gm).catch((e) => e);
    expect(err).toBeInstanceOf(AdapterOutputError);
    expect(err.message).toBe(
      `external service adapter generated manifest with an incorrect deployment name at ${file}. expected name: 'service-instance_abc', returned name: 'other', stderr: ''`,
    );
  });

  it('a release version ending in latest', async () => {
    const file = script(`process.stdout.write('name: service-instance_abc\\nreleases:\\n- {name: r, version: latest}\\n');`);
    const err = await executableAdapter({ path: file, inputMode: 'legacy' }).generateManifest(gm).catch((e) => e);
    expect(err).toBeInstanceOf(AdapterOutputError);
    expect(err.message).toContain("expected exact version but returned version: 'latest'");
  });

  it('invalid YAML and invalid JSON', async () => {
    const yamlBad = script(`process.stdout.write('name: [unclosed');`);
    const e1 = await executableAdapter({ path: yamlBad, inputMode: 'legacy' }).generateManifest(gm).catch((e) => e);
    expect(e1.message).toBe(`external service adapter generated manifest that is not valid YAML at ${yamlBad}. stderr: ''`);
    const jsonBad = script(`process.stdout.write('not json');`);
    const bp = { bindingId: 'b1', boshVms: {}, manifest: goodManifest, requestParameters: {}, secrets: null, dnsAddresses: null };
    const e2 = await executableAdapter({ path: jsonBad, inputMode: 'stdin' }).createBinding(bp).catch((e) => e);
    expect(e2).toBeInstanceOf(AdapterOutputError);
    expect(e2.message).toMatch(/^external service adapter returned invalid JSON at .*: stdout: 'not json', stderr: '', JSON error: '/);
  });
});

describe('running', () => {
  it('a timeout kills the adapter and what it started', async () => {
    const pidFile = path.join(dir, 'grandchild.pid');
    // A shell adapter: it starts (and starts its child) in milliseconds, well inside a 1 s timeout
    // even on a busy machine, where a node one needs most of a second to start.
    const file = path.join(dir, 'hangs.sh');
    writeFileSync(file, `#!/bin/sh\nsleep 30 &\necho $! > '${pidFile}'\nwait\n`);
    chmodSync(file, 0o755);
    const calls: AdapterCall[] = [];
    const err = await executableAdapter({ path: file, inputMode: 'stdin', timeoutMs: 1000, onCall: (c) => calls.push(c) })
      .generateManifest(gm)
      .catch((e) => e);
    expect(err).toBeInstanceOf(AdapterRunError);
    expect(err.timedOut).toBe(true);
    expect(err.message).toContain('timed out after 1000ms and was killed');
    expect(calls[0]).toMatchObject({ exitCode: null, timedOut: true });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // The OS delivers the group SIGKILL asynchronously: poll the process table briefly.
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      try {
        process.kill(pid, 0);
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        alive = !/^\d+ \([^)]*\) Z/.test(stat);
      } catch {
        alive = false;
      }
      if (alive) await new Promise((r) => setTimeout(r, 10));
    }
    expect(alive).toBe(false);
  });

  it('a missing executable is an AdapterRunError', async () => {
    const err = await executableAdapter({ path: path.join(dir, 'nope'), inputMode: 'stdin' }).generateManifest(gm).catch((e) => e);
    expect(err).toBeInstanceOf(AdapterRunError);
    expect(err.timedOut).toBe(false);
    expect(err.message).toContain('ENOENT');
  });

  it('env is passed over the inherited environment', async () => {
    const file = script(`process.stdout.write(JSON.stringify({ manifest: 'name: ' + process.env.DEPLOYMENT + '\\n' }));`);
    const out = await executableAdapter({ path: file, inputMode: 'stdin', env: { DEPLOYMENT: 'service-instance_abc' } }).generateManifest(gm);
    expect(out.manifest).toBe('name: service-instance_abc\n');
  });
});

describe('inProcessAdapter', () => {
  it('serialises object manifests, checks them as ODB does and reports calls', async () => {
    const calls: AdapterCall[] = [];
    const adapter = inProcessAdapter(
      { generateManifest: (p) => ({ manifest: { name: p.serviceDeployment.deployment_name, instance_groups: [] } }) },
      { onCall: (c) => calls.push(c) },
    );
    const out = await adapter.generateManifest(gm);
    expect(parseYaml(out.manifest)).toEqual({ name: 'service-instance_abc', instance_groups: [] });
    expect(out.secrets).toEqual({});
    expect(calls[0]).toMatchObject({ subcommand: 'generate-manifest', mode: 'in-process', exitCode: 0 });
    expect(calls[0].args.join(' ')).not.toContain('hunter2');

    const wrong = inProcessAdapter({ generateManifest: () => ({ manifest: 'name: x\n' }) }, { name: 'my-adapter' });
    await expect(wrong.generateManifest(gm)).rejects.toThrow(
      "external service adapter generated manifest with an incorrect deployment name at my-adapter. expected name: 'service-instance_abc', returned name: 'x', stderr: ''",
    );
  });

  it('missing methods are not implemented; thrown errors keep their meaning', async () => {
    const calls: AdapterCall[] = [];
    const bp = { bindingId: 'b1', boshVms: {}, manifest: goodManifest, requestParameters: {}, secrets: null, dnsAddresses: null };
    const adapter = inProcessAdapter(
      {
        generateManifest: () => {
          throw new Error('invalid parameter: maxclients');
        },
        createBinding: () => {
          throw new BindingAlreadyExistsError('binding already exists', 'create-binding', 49);
        },
      },
      { onCall: (c) => calls.push(c) },
    );
    const e1 = await adapter.generateManifest(gm).catch((e) => e);
    expect(e1).toBeInstanceOf(UnknownFailureError);
    expect(e1.userMessage).toBe('invalid parameter: maxclients');
    await expect(adapter.createBinding(bp)).rejects.toBeInstanceOf(BindingAlreadyExistsError);
    await expect(adapter.dashboardUrl({ instanceId: 'i', plan, manifest: '' })).rejects.toBeInstanceOf(NotImplementedError);
    expect(calls.map((c) => c.exitCode)).toEqual([1, 49, 10]);
  });
});
