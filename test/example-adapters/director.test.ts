import { afterEach, describe, expect, it, vi } from 'vitest';
import { exampleAdapters, exampleDirectorSeed, loadExampleOdbConfig, seedExampleDirector, type ExampleAdapterName } from '../../broker-under-test/example-adapters/index.js';
import { loadConfigFile } from '../../fakes/core/config.js';
import { catalogPlans, planInput, serviceDeploymentInput } from '../../adapter-check/odb-inputs.js';
import { CheckDirector } from '../../adapter-check/director.js';
import { DEPLOYMENT, INSTANCE, manifestOf, run, stdinFor } from './helpers.js';

/**
 * The example adapters' manifests, for every plan of their ODB configs, deployed on the fake
 * director (whose own validation judges them), then bound with the VMs the director reports,
 * updated to another plan, upgraded to a new release version and deleted.
 */

// The adapters run as processes: seconds of wall time on a loaded machine.
vi.setConfig({ testTimeout: 90_000 });

let env: CheckDirector | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function instanceIds(d: CheckDirector): Promise<string[]> {
  const body = (await (await d.request('GET', `/deployments/${DEPLOYMENT}/instances`)).json()) as { job: string; id: string }[];
  return body.map((i) => `${i.job}/${i.id}`).sort();
}

async function setUp(name: ExampleAdapterName) {
  env = await CheckDirector.start(`example-${name}`);
  seedExampleDirector(name, env.control);
  return env;
}

function generate(name: ExampleAdapterName, planName: string, previous?: { manifest: string; plan: string }, config = loadExampleOdbConfig(name)) {
  const plan = catalogPlans(config).find((p) => p.name === planName)!;
  const planJson = JSON.stringify(planInput(config, plan));
  return run((config.service_adapter as { path: string }).path, ['generate-manifest'], stdinFor('generate_manifest', {
    service_deployment: JSON.stringify(serviceDeploymentInput(config, INSTANCE)),
    plan: planJson,
    request_parameters: JSON.stringify({ plan_id: plan.plan_id, parameters: {} }),
    previous_manifest: previous?.manifest ?? '',
    previous_plan: previous?.plan ?? 'null',
    previous_secrets: '{}',
    previous_configs: '{}',
  })).then((r) => {
    expect(r.code, r.stderr).toBe(0);
    return { manifest: JSON.parse(r.stdout).manifest as string, plan: planJson };
  });
}

describe.each([
  ['redis', ['cache-small', 'cache-large'], 'health-check'],
  ['kafka', ['cluster-small', 'cluster-ha'], 'smoke-tests'],
] as const)('%s example on the fake director', (name, plans, postDeploy) => {
  it.each(plans)('plan %s: the director deploys the manifest; errands run; create-binding uses the VMs it reports', async (planName) => {
    const d = await setUp(name);
    const { manifest } = await generate(name, planName);
    const task = await d.deploy(DEPLOYMENT, manifest, INSTANCE);
    expect(task.state, await d.taskEvents(task.id)).toBe('done');
    expect(task.result).toBe(`/deployments/${DEPLOYMENT}`);

    const doc = manifestOf(manifest);
    const errands = doc.instance_groups.filter((g) => g.lifecycle === 'errand').map((g) => g.name);
    const listed = (await (await d.request('GET', `/deployments/${DEPLOYMENT}/errands`)).json()) as { name: string }[];
    expect(listed.map((e) => e.name).sort()).toEqual([...errands].sort());
    if (errands.includes(postDeploy)) {
      const { task: errandTask, exitCode } = await d.runErrand(DEPLOYMENT, postDeploy, [], INSTANCE);
      expect([errandTask.state, exitCode]).toEqual(['done', 0]);
    }

    const vms = await d.boshVms(DEPLOYMENT);
    const services = doc.instance_groups.filter((g) => g.lifecycle !== 'errand');
    expect(Object.keys(vms).sort()).toEqual(services.map((g) => g.name).sort());
    for (const g of services) expect(vms[g.name]).toHaveLength(g.instances);
    const bind = await run((loadExampleOdbConfig(name).service_adapter as { path: string }).path, ['create-binding'], stdinFor('create_binding', {
      binding_id: 'binding-1', bosh_vms: JSON.stringify(vms), manifest, request_parameters: JSON.stringify({ bind_resource: { app_guid: 'app-1' } }), secrets: '{}', dns_addresses: '{}',
    }));
    expect(bind.code, bind.stderr).toBe(0);
    const credentials = JSON.parse(bind.stdout).credentials;
    if (name === 'redis') expect(credentials.host).toBe(vms['redis-server'][0]);
    else expect(credentials.bootstrap_servers).toEqual(vms.kafka.map((ip) => `${ip}:9092`));
  });

  it('update to the bigger plan keeps instances and secrets; upgrade to a new release version; delete', async () => {
    const d = await setUp(name);
    const first = await generate(name, plans[0]);
    expect((await d.deploy(DEPLOYMENT, first.manifest, INSTANCE)).state).toBe('done');
    const before = await instanceIds(d);
    const bigger = await generate(name, plans[1], first);
    const updated = await d.deploy(DEPLOYMENT, bigger.manifest, INSTANCE);
    expect(updated.state, await d.taskEvents(updated.id)).toBe('done');
    const after = await instanceIds(d);
    // Every VM of the small plan is still there (same ids); the big plan adds to them.
    expect(after.filter((id) => before.includes(id))).toEqual(before);
    if (name === 'redis') {
      const pw = (m: string) => manifestOf(m).instance_groups[0].jobs[0].properties.redis.password;
      expect(pw(bigger.manifest)).toBe(pw(first.manifest));
    }

    // Upgrade: the operator names a new release version; the director has it; the manifest follows.
    const config = loadExampleOdbConfig(name);
    const releases = (config.service_deployment as { releases: { name: string; version: string }[] }).releases;
    const seed = exampleDirectorSeed(name);
    for (const r of releases) {
      const next = r.version.replace(/(\d+)$/, (n) => String(Number(n) + 1));
      d.control.seedRelease({ ...seed.releases.find((s) => s.name === r.name)!, version: next });
      r.version = next;
    }
    const upgraded = await generate(name, plans[1], bigger, config);
    expect(manifestOf(upgraded.manifest).releases).toEqual(releases.map((r) => ({ name: r.name, version: r.version })));
    const upgradeTask = await d.deploy(DEPLOYMENT, upgraded.manifest, INSTANCE);
    expect(upgradeTask.state, await d.taskEvents(upgradeTask.id)).toBe('done');
    expect(await instanceIds(d)).toEqual(after);

    expect((await d.deleteDeployment(DEPLOYMENT, `delete-${INSTANCE}`)).state).toBe('done');
    expect((await d.request('GET', `/deployments/${DEPLOYMENT}`)).status).toBe(404);
  });
});

it('a manifest the director refuses fails its task with the director error (the check adapter-check relies on)', async () => {
  const d = await setUp('redis');
  const { manifest } = await generate('redis', 'cache-small');
  const task = await d.deploy(DEPLOYMENT, manifest.replace('vm_type: small', 'vm_type: huge'), INSTANCE);
  expect(task.state).toBe('error');
  expect(task.result).toContain("Instance group 'redis-server' references an unknown vm type 'huge'");
});

it.each(['redis', 'kafka'] as const)('%s: foundation.yml (for `fakefoundry up --config`) gives the director the releases and stemcell of the ODB config', async (name) => {
  env = await CheckDirector.start(`up-${name}`, loadConfigFile(exampleAdapters[name].foundationConfigPath));
  const sd = loadExampleOdbConfig(name).service_deployment as { releases: { name: string; version: string; jobs: string[] }[]; stemcells: { os: string; version: string }[] };
  const releases = (await (await env.request('GET', '/releases')).json()) as { name: string; release_versions: { version: string; job_names: string[] }[] }[];
  for (const r of sd.releases) {
    const rel = releases.find((x) => x.name === r.name)!;
    expect(rel.release_versions.map((v) => v.version)).toEqual([r.version]);
    expect(rel.release_versions[0].job_names).toEqual(expect.arrayContaining(r.jobs));
  }
  const stemcells = (await (await env.request('GET', '/stemcells')).json()) as { operating_system: string; version: string }[];
  expect(stemcells.map((s) => [s.operating_system, s.version])).toEqual(sd.stemcells.map((s) => [s.os, s.version]));
});
