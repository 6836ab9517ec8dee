/**
 * The fake director adapter-check deploys on, driven with the calls ODB makes (odb-broker.md §1.15):
 * `POST /configs`, `POST /deployments` with `X-Bosh-Context-Id`, the task protocol, `vms?format=full`
 * as a task, `variables`, errand runs with ODB's body, `DELETE /deployments/:name`.
 * @module
 */
import { stringify } from 'yaml';
import type { BoshSimulator } from '../fakes/bosh/index.js';
import { Foundation } from '../fakes/foundation.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

export interface BoshTask {
  id: number;
  state: string;
  result: string | null;
  description: string;
  context_id?: string;
}

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

/** An in-process foundation with its director, and ODB's calls to it. */
export class CheckDirector {
  private constructor(
    readonly f: Foundation,
    private readonly boshUrl: string,
    private readonly auth: string,
  ) {}

  static async start(seed: string): Promise<CheckDirector> {
    const f = await Foundation.create({ seed, clockMode: 'virtual' });
    const urls = f.mountInProcess();
    const client = f.uaa.model.client('bosh_admin')!;
    const res = await fetch(`${urls.uaa}/oauth/token`, {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    return new CheckDirector(f, urls.bosh, `bearer ${token}`);
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

  private call(method: string, path: string, init: { type?: string; body?: string; headers?: Record<string, string> } = {}) {
    return fetch(`${this.boshUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: { authorization: this.auth, ...(init.type ? { 'content-type': init.type } : {}), ...(init.headers ?? {}) },
      body: init.body,
    });
  }

  private async json<T>(path: string): Promise<T> {
    const res = await this.call('GET', path);
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** Follows a task redirect and moves the virtual clock until the task ends. */
  private async task(res: Response): Promise<BoshTask> {
    if (res.status !== 302) throw new Error(`the director answered ${res.status}: ${await res.text()}`);
    const id = res.headers.get('location')!.split('/').pop();
    for (let i = 0; ; i++) {
      const t = await this.json<BoshTask>(`/tasks/${id}`);
      if (!['queued', 'processing', 'cancelling'].includes(t.state)) return t;
      if (i > 10_000) throw new Error(`task ${id} never finished`);
      await this.f.clock.advance(500);
    }
  }

  taskEvents(id: number): Promise<string> {
    return this.call('GET', `/tasks/${id}/output?type=event`).then((r) => r.text());
  }

  private taskResult(id: number): Promise<string> {
    return this.call('GET', `/tasks/${id}/output?type=result`).then((r) => r.text());
  }

  /** What ODB does before generate-manifest on update: the deployed manifest, or null when none. */
  async deployedManifest(deployment: string): Promise<string | null> {
    const list = await this.json<{ name: string }[]>('/deployments?exclude_configs=true');
    if (!list.some((d) => d.name === deployment)) return null;
    return (await this.json<{ manifest: string }>(`/deployments/${deployment}`)).manifest;
  }

  /** `GET /configs?latest=true&limit=1&name=...` as the `previous_configs` map (type → content). */
  async configs(deployment: string): Promise<Record<string, string>> {
    const list = await this.json<{ type: string; content: string }[]>(`/configs?latest=true&limit=1&name=${encodeURIComponent(deployment)}`);
    return Object.fromEntries(list.map((c) => [c.type, c.content]));
  }

  async updateConfig(type: string, name: string, content: string): Promise<{ status: number; body: string }> {
    const res = await this.call('POST', '/configs', { type: 'application/json', body: JSON.stringify({ type, name, content }) });
    return { status: res.status, body: await res.text() };
  }

  async deploy(deployment: string, manifest: string, contextId: string): Promise<BoshTask> {
    await this.json(`/tasks?deployment=${encodeURIComponent(deployment)}&state=processing%2Ccancelling%2Cqueued&verbose=1`);
    return this.task(await this.call('POST', '/deployments?', { type: 'text/yaml', body: manifest, headers: { 'x-bosh-context-id': contextId } }));
  }

  /** `bosh_vms` as ODB builds it from `vms?format=full`: `job_name` → IPs. */
  async boshVms(deployment: string): Promise<Record<string, string[]>> {
    const t = await this.task(await this.call('GET', `/deployments/${deployment}/vms?format=full`));
    const out: Record<string, string[]> = {};
    for (const line of (await this.taskResult(t.id)).split('\n').filter((l) => l.trim())) {
      const vm = JSON.parse(line) as { job_name: string; ips: string[] };
      (out[vm.job_name] ??= []).push(...vm.ips);
    }
    return out;
  }

  async variables(deployment: string): Promise<{ id: string; name: string }[]> {
    return this.json(`/deployments/${deployment}/variables`);
  }

  /** ODB's errand run: instances from the plan's slugs (`group` or `group/id`), no keep-alive. */
  async runErrand(deployment: string, errand: string, instances: string[], contextId: string): Promise<{ task: BoshTask; exitCode: number | null; stdout: string; stderr: string }> {
    const body = JSON.stringify({
      instances: instances.map((slug) => {
        const [group, id] = slug.split('/');
        return id === undefined ? { group } : { group, id };
      }),
      'keep-alive': false,
      'when-changed': false,
    });
    const t = await this.task(await this.call('POST', `/deployments/${deployment}/errands/${encodeURIComponent(errand)}/runs`, { type: 'application/json', body, headers: { 'x-bosh-context-id': contextId } }));
    if (t.state !== 'done') return { task: t, exitCode: null, stdout: '', stderr: '' };
    const first = (await this.taskResult(t.id)).split('\n').find((l) => l.trim());
    const r = first ? (JSON.parse(first) as { exit_code: number; stdout: string; stderr: string }) : { exit_code: null, stdout: '', stderr: '' };
    return { task: t, exitCode: r.exit_code, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * ODB's `binding_with_dns` lookup (odb-broker.md §1.13): for each entry, the shared link provider
   * of that name on that instance group, an external link to it, its address, then the link
   * deleted again. An entry whose provider is missing is returned in `missing`.
   */
  async dnsAddresses(deployment: string, entries: Obj[]): Promise<{ addresses: Record<string, string>; missing: Obj[] }> {
    const addresses: Record<string, string> = {};
    const missing: Obj[] = [];
    if (!entries.length) return { addresses, missing };
    const providers = await this.json<{ id: string; name: string; shared: boolean; owner_object: { info: { instance_group: string } } }[]>(`/link_providers?deployment=${encodeURIComponent(deployment)}`);
    for (const e of entries) {
      const p = providers.find((x) => x.shared && x.name === e.link_provider && x.owner_object?.info?.instance_group === e.instance_group);
      if (!p) {
        missing.push(e);
        continue;
      }
      const res = await this.call('POST', '/links', { type: 'application/json', body: JSON.stringify({ link_provider_id: p.id, link_consumer: { owner_object: { name: 'external_consumer_id', type: 'external' } } }) });
      const link = (await res.json()) as { id: string };
      const props = isObj(e.properties) ? e.properties : {};
      const query = [`link_id=${encodeURIComponent(link.id)}`, ...arr(props.azs).map((az) => `azs[]=${encodeURIComponent(String(az))}`), ...(props.status ? [`status=${encodeURIComponent(String(props.status))}`] : [])];
      addresses[String(e.name)] = (await this.json<{ address: string }>(`/link_address?${query.join('&')}`)).address;
      await this.call('DELETE', `/links/${encodeURIComponent(link.id)}`);
    }
    return { addresses, missing };
  }

  async deleteDeployment(deployment: string, contextId: string): Promise<BoshTask> {
    const t = await this.task(await this.call('DELETE', `/deployments/${deployment}`, { headers: { 'x-bosh-context-id': contextId } }));
    for (const type of Object.keys(await this.configs(deployment).catch(() => ({})))) {
      await this.call('DELETE', `/configs?name=${encodeURIComponent(deployment)}&type=${encodeURIComponent(type)}`);
    }
    return t;
  }
}
