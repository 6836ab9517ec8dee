/**
 * The fake director adapter-check deploys on, with a cloud config and releases made from the ODB
 * config, driven through the reference broker's BOSH client (odb-broker.md §1.15).
 * @module
 */
import { stringify } from 'yaml';
import { BoshClient, taskStateType, type BoshTask } from '../broker-under-test/clients/bosh.js';
import type { BrokerClock } from '../broker-under-test/runtime.js';
import type { BoshSimulator } from '../fakes/bosh/index.js';
import type { FoundationConfigInput } from '../fakes/core/config.js';
import { Foundation } from '../fakes/foundation.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** A director cloud config that offers exactly what the ODB config's plans name. */
export function cloudConfigForPlans(plans: Obj[]): string {
  const names = (key: string) => [...new Set(plans.flatMap((p) => arr(p.instance_groups).filter(isObj).flatMap((ig) => arr(ig[key]).concat(key === 'vm_type' || key === 'persistent_disk_type' ? [ig[key]] : []))).filter((x): x is string => typeof x === 'string' && x !== ''))];
  const azs = names('azs');
  const zones = azs.length ? azs : ['z1'];
  const networks = names('networks');
  return stringify({
    azs: zones.map((name) => ({ name, cloud_properties: {} })),
    vm_types: (names('vm_type').length ? names('vm_type') : ['default']).map((name) => ({ name, cloud_properties: {} })),
    vm_extensions: names('vm_extensions').map((name) => ({ name, cloud_properties: {} })),
    disk_types: names('persistent_disk_type').map((name) => ({ name, disk_size: 10240, cloud_properties: {} })),
    networks: (networks.length ? networks : ['default']).map((name, i) => ({
      name,
      type: 'manual',
      subnets: [{
        azs: zones,
        range: `10.${(i + 1) % 256}.0.0/20`,
        gateway: `10.${(i + 1) % 256}.0.1`,
        reserved: [`10.${(i + 1) % 256}.0.2-10.${(i + 1) % 256}.0.9`],
        dns: ['8.8.8.8'],
        cloud_properties: {},
      }],
    })),
    compilation: { workers: 2, az: zones[0], reuse_compilation_vms: true, vm_type: names('vm_type')[0] ?? 'default', network: networks[0] ?? 'default' },
  });
}

export interface ReleaseSpec {
  name: string;
  version: string;
  jobs: { name: string; errand?: boolean; provides?: { name: string; type: string }[]; consumes?: { name: string; type: string; optional?: boolean }[] }[];
}

/**
 * The release jobs a manifest uses, with the links it wires (`provides`/`consumes` by name), so
 * the fake director can plan the deployment as it would with the real releases uploaded.
 */
export function jobSpecsFromManifest(manifest: Obj): Map<string, ReleaseSpec['jobs'][number]> {
  const out = new Map<string, ReleaseSpec['jobs'][number]>();
  for (const ig of arr(manifest.instance_groups).filter(isObj)) {
    for (const job of arr(ig.jobs).filter(isObj)) {
      const name = String(job.name ?? '');
      const spec = out.get(name) ?? { name, provides: [], consumes: [] };
      if (ig.lifecycle === 'errand') spec.errand = true;
      for (const l of Object.keys(isObj(job.provides) ? job.provides : {})) if (!spec.provides!.some((p) => p.name === l)) spec.provides!.push({ name: l, type: l });
      for (const l of Object.keys(isObj(job.consumes) ? job.consumes : {})) if (!spec.consumes!.some((p) => p.name === l)) spec.consumes!.push({ name: l, type: l, optional: true });
      out.set(name, spec);
    }
  }
  return out;
}

/**
 * An in-process foundation and its director, driven through the reference broker's own BOSH client
 * (so with the calls ODB makes). The client's waits move the foundation's virtual clock.
 */
export class CheckDirector {
  private constructor(
    readonly f: Foundation,
    private readonly client: BoshClient,
  ) {}

  static async start(seed: string, config?: FoundationConfigInput): Promise<CheckDirector> {
    const f = await Foundation.create({ seed, clockMode: 'virtual', ...(config ? { config } : {}) });
    const urls = f.mountInProcess();
    const admin = f.uaa.model.client('bosh_admin')!;
    const clock: BrokerClock = { now: () => f.clock.now(), sleep: (ms) => f.clock.advance(ms) };
    const client = new BoshClient(
      { url: urls.bosh, authentication: { uaa: { client_credentials: { client_id: admin.client_id, client_secret: admin.client_secret } } } },
      (input, init) => fetch(input, init),
      clock,
    );
    return new CheckDirector(f, client);
  }

  get control() {
    return this.f.service<BoshSimulator>('bosh').control;
  }

  close(): Promise<void> {
    return this.f.close();
  }

  /** The journal's position now: entries after it belong to what comes next. */
  mark(): number {
    return this.f.journal.query().at(-1)?.seq ?? 0;
  }

  journalSince(seq: number) {
    return this.f.journal.query({ since: seq + 1 }).filter((e) => e.seq > seq);
  }

  seedReleases(releases: ReleaseSpec[], stemcells: { os: string; version: string }[]): void {
    for (const r of releases) this.control.seedRelease(r);
    for (const s of stemcells) this.control.seedStemcell({ name: `bosh-warden-boshlite-${s.os}-go_agent`, version: s.version, operating_system: s.os });
  }

  setCloudConfig(yaml: string): void {
    this.control.setCloudConfig(yaml);
  }

  /** Polls a task as ODB does, the virtual clock moving between polls, until it ends. */
  private async wait(id: number): Promise<BoshTask> {
    let task = await this.client.task(id);
    while (taskStateType(task.state) === 'incomplete') {
      await this.f.clock.advance(500);
      task = await this.client.task(id);
    }
    return task;
  }

  /** Any other director call, with the client's auth (tests look at releases, errands, instances). */
  request(method: string, path: string): Promise<Response> {
    return this.client.request(method, path);
  }

  taskEvents(id: number): Promise<string> {
    return this.client.request('GET', `/tasks/${id}/output?type=event`).then((r) => r.text());
  }

  /** What ODB does before generate-manifest on update: the deployed manifest, or null when none. */
  async deployedManifest(deployment: string): Promise<string | null> {
    return (await this.client.getDeployment(deployment)) ?? null;
  }

  /** `GET /configs?latest=true&limit=1&name=...` as the `previous_configs` map (type → content). */
  async configs(deployment: string): Promise<Record<string, string>> {
    return Object.fromEntries((await this.client.getConfigs(deployment)).map((c) => [c.type, c.content]));
  }

  /** `POST /configs`; the director's refusal as a message. */
  async updateConfig(type: string, name: string, content: string): Promise<string | undefined> {
    try {
      await this.client.updateConfig(type, name, content);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  async deploy(deployment: string, manifest: string, contextId: string): Promise<BoshTask> {
    await this.client.tasksInProgress(deployment);
    return this.wait(await this.client.deploy(manifest, contextId));
  }

  /** `bosh_vms` as ODB builds it from `vms?format=full`: `job_name` → IPs. */
  boshVms(deployment: string): Promise<Record<string, string[]>> {
    return this.client.vms(deployment);
  }

  variables(deployment: string): Promise<{ id: string; name: string }[]> {
    return this.client.variables(deployment);
  }

  /** ODB's errand run: instances from the plan's slugs (`group` or `group/id`), no keep-alive. */
  async runErrand(deployment: string, errand: string, instances: string[], contextId: string): Promise<{ task: BoshTask; exitCode: number | null; stdout: string; stderr: string }> {
    const task = await this.wait(await this.client.runErrand(deployment, errand, instances, contextId));
    if (task.state !== 'done') return { task, exitCode: null, stdout: '', stderr: '' };
    const out = await this.client.taskOutput(task.id);
    return { task, exitCode: out.exit_code, stdout: out.stdout, stderr: out.stderr };
  }

  /**
   * ODB's `binding_with_dns` lookup (odb-broker.md §1.13). An entry whose shared link provider the
   * deployment lacks comes back in `missing` (ODB fails the bind on it).
   */
  async dnsAddresses(deployment: string, entries: Obj[]): Promise<{ addresses: Record<string, string>; missing: Obj[] }> {
    const typed = entries.map((e) => ({
      name: String(e.name ?? ''),
      link_provider: String(e.link_provider ?? ''),
      instance_group: String(e.instance_group ?? ''),
      ...(isObj(e.properties) ? { properties: { azs: arr(e.properties.azs).map(String), ...(e.properties.status ? { status: String(e.properties.status) } : {}) } } : {}),
    }));
    try {
      return { addresses: await this.client.dnsAddresses(deployment, typed), missing: [] };
    } catch (err) {
      const m = /could not find link provider matching (.*) in instance group (.*)$/.exec((err as Error).message);
      if (!m) throw err;
      return { addresses: {}, missing: entries.filter((e) => e.link_provider === m[1] && e.instance_group === m[2]) };
    }
  }

  async deleteDeployment(deployment: string, contextId: string): Promise<BoshTask> {
    const id = await this.client.deleteDeployment(deployment, contextId, false);
    const task = await this.wait(id);
    if (task.state === 'done') await this.client.deleteConfigs(deployment);
    return task;
  }
}
