import type { Kernel } from '../../core/kernel.js';
import type { Random } from '../../core/random.js';
import { DEFAULT_CLOUD_CONFIG, type BoshConfig } from '../config.js';
import type { DeployPlan } from '../manifest/plan.js';
import type {
  BoshState,
  ConfigRecord,
  DeploymentRecord,
  ErrandScript,
  EventRecord,
  LockRecord,
  ReleaseJob,
  ReleaseRecord,
  ReleaseVersion,
  StemcellRecord,
  TaskRecord,
} from '../state.js';
import { buildCloud, type CloudModel } from './cloud.js';
import { BoshError, E } from '../errors.js';
import { IpBook } from './ip-book.js';
import { Links } from './links.js';
import { canonical } from './names.js';

/** Task types `GET /tasks` lists at the default `verbose=1`. */
export const VERBOSE_1_TYPES = new Set([
  'attach_disk',
  'create_snapshot',
  'delete_deployment',
  'delete_release',
  'delete_snapshot',
  'delete_stemcell',
  'run_errand',
  'snapshot_deployment',
  'update_instance',
  'update_deployment',
  'update_release',
  'update_stemcell',
  'export_release',
]);

/**
 * The director's records and the rules over them. Knows nothing of HTTP or of tasks' timing.
 * Derived indexes (IPs in use, the merged cloud config) are rebuilt from the state, never stored.
 */
export class BoshModel {
  state!: BoshState;
  readonly random: Random;
  readonly uuid: string;
  /** Every deployment's IP reservations, made as deploys plan. */
  readonly ips = new IpBook(
    () => this.state.ip_reservations,
    (l) => (this.state.ip_reservations = l),
  );
  /** External links (`POST /links`). */
  readonly links = new Links(
    () => this.state,
    (k) => this.nextId(k),
    () => this.kernel.clock.now(),
  );
  #cloudCache: { key: string; cloud: CloudModel } | null = null;
  #lockIndex: Map<string, LockRecord> | null = null;
  #canonicalIndex: Map<string, string> | null = null;
  /** Latest configs per type ('' = all types); dropped whenever a config changes. */
  #latest = new Map<string, ConfigRecord[]>();
  #initial!: string;

  constructor(
    readonly kernel: Kernel,
    readonly config: BoshConfig,
  ) {
    this.random = kernel.random.fork('bosh');
    this.uuid = config.uuid ?? this.random.uuid();
    this.state = this.#seed();
    this.#initial = JSON.stringify(this.state);
  }

  get now(): number {
    return this.kernel.clock.nowSeconds();
  }

  reset(): void {
    this.replace(JSON.parse(this.#initial) as BoshState);
  }

  replace(state: BoshState): void {
    this.state = state;
    this.ips.invalidate();
    // A state saved before reservations were kept: every instance holds the address it has.
    if (!state.ip_reservations) {
      state.ip_reservations = [];
      for (const d of Object.values(state.deployments)) this.ips.commit(d);
    }
    state.dns ??= { networks: [], groups: [] };
    this.#cloudCache = null;
    this.#latest.clear();
    this.#lockIndex = null;
    this.#canonicalIndex = null;
  }

  nextId(kind: string): number {
    const n = (this.state.ids[kind] ?? 0) + 1;
    this.state.ids[kind] = n;
    return n;
  }

  #seed(): BoshState {
    this.state = {
      ids: {},
      releases: [],
      stemcells: [],
      configs: [],
      deployments: {},
      tasks: [],
      locks: [],
      events: [],
      errand_scripts: [],
      task_rules: [],
      links: [],
      ip_reservations: [],
      dns: { networks: [], groups: [] },
    };
    const cc = this.config.cloud_config === undefined ? DEFAULT_CLOUD_CONFIG : this.config.cloud_config;
    if (cc !== null) this.createConfig({ type: 'cloud', name: 'default', content: cc, team: null });
    for (const r of this.config.releases) {
      this.addReleaseVersion(r.name, {
        version: r.version,
        commit_hash: this.random.hex(8),
        uncommitted_changes: false,
        packages: [],
        jobs: r.jobs.map((j) => this.makeJob(typeof j === 'string' ? { name: j } : j)),
      });
    }
    for (const s of this.config.stemcells) this.addStemcell(s);
    return this.state;
  }

  // ---- releases and stemcells ----

  makeJob(j: Partial<ReleaseJob> & { name: string }): ReleaseJob {
    return {
      name: j.name,
      version: j.version ?? this.random.hex(40),
      fingerprint: j.fingerprint ?? this.random.hex(40),
      sha1: j.sha1 ?? this.random.hex(40),
      blobstore_id: j.blobstore_id ?? this.random.uuid(),
      properties: j.properties ?? {},
      provides: j.provides ?? [],
      consumes: j.consumes ?? [],
      packages: j.packages ?? [],
      errand: j.errand ?? false,
    };
  }

  release(name: string): ReleaseRecord | undefined {
    return this.state.releases.find((r) => r.name === name);
  }

  addReleaseVersion(name: string, rv: ReleaseVersion): void {
    let rel = this.release(name);
    if (!rel) {
      rel = { name, versions: [] };
      this.state.releases.push(rel);
      this.state.releases.sort((a, b) => a.name.localeCompare(b.name));
    }
    rel.versions = rel.versions.filter((v) => v.version !== rv.version);
    rel.versions.push(rv);
  }

  addStemcell(s: { name: string; version: string; operating_system?: string; api_version?: number | null; sha1?: string }): StemcellRecord {
    const existing = this.state.stemcells.find((x) => x.name === s.name && x.version === s.version);
    if (existing) return existing;
    const rec: StemcellRecord = {
      id: this.nextId('stemcell'),
      name: s.name,
      version: s.version,
      operating_system: s.operating_system ?? (/ubuntu-[a-z]+/.exec(s.name)?.[0] ?? this.config.stemcell_os),
      cid: this.random.uuid(),
      cpi: '',
      api_version: s.api_version ?? 3,
      sha1: s.sha1 ?? this.random.hex(40),
    };
    this.state.stemcells.push(rec);
    return rec;
  }

  releaseInUse(name: string, version?: string): string[] {
    return Object.values(this.state.deployments)
      .filter((d) => d.releases.some((r) => r.name === name && (version === undefined || r.version === version)))
      .map((d) => d.name);
  }

  stemcellUsers(name: string, version: string): string[] {
    return Object.values(this.state.deployments)
      .filter((d) => d.stemcells.some((s) => s.name === name && s.version === version))
      .map((d) => d.name);
  }

  // ---- configs ----

  createConfig(c: { type: string; name: string; content: string; team: string | null }): ConfigRecord {
    const rec: ConfigRecord = { id: this.nextId('config'), ...c, created_at: this.kernel.clock.now(), deleted: false };
    this.state.configs.push(rec);
    this.#cloudCache = null;
    this.#latest.clear();
    return rec;
  }

  configById(id: number): ConfigRecord | undefined {
    return this.state.configs.find((c) => c.id === id);
  }

  /** The latest non-deleted config of each (type, name): deleting the latest by id makes the one before it current again. */
  latestConfigs(type?: string): ConfigRecord[] {
    const cached = this.#latest.get(type ?? '');
    if (cached) return [...cached];
    const latest = new Map<string, ConfigRecord>();
    for (const c of this.state.configs) {
      if (c.deleted || (type !== undefined && c.type !== type)) continue;
      const key = `${c.type}\u0000${c.name}`;
      const prev = latest.get(key);
      if (!prev || c.id > prev.id) latest.set(key, c);
    }
    const out = [...latest.values()];
    this.#latest.set(type ?? '', out);
    return [...out];
  }

  deleteConfigs(type: string, name: string): number {
    let n = 0;
    for (const c of this.state.configs) {
      if (c.type === type && c.name === name && !c.deleted) {
        c.deleted = true;
        n++;
      }
    }
    this.#cloudCache = null;
    this.#latest.clear();
    return n;
  }

  deleteConfig(cfg: ConfigRecord): void {
    cfg.deleted = true;
    this.#cloudCache = null;
    this.#latest.clear();
  }

  /** The latest configs of a type a deployment of these teams uses: global ones plus its teams' (`latest_set_for_teams`). */
  configsForTeams(type: string, teams: string[]): ConfigRecord[] {
    return this.latestConfigs(type).filter((c) => c.team === null || teams.includes(c.team));
  }

  cloud(teams: string[] = []): CloudModel {
    const cfgs = this.configsForTeams('cloud', teams).sort((a, b) => a.name.localeCompare(b.name));
    const key = cfgs.map((c) => c.id).join(',');
    if (this.#cloudCache?.key !== key) this.#cloudCache = { key, cloud: buildCloud(cfgs.map((c) => c.content)) };
    return this.#cloudCache.cloud;
  }

  // ---- deployments ----

  deployment(name: string): DeploymentRecord | undefined {
    return Object.hasOwn(this.state.deployments, name) ? this.state.deployments[name] : undefined;
  }

  /** The row `POST /deployments` creates at once: teams fixed from the creator, bound to the latest configs. */
  ensureDeployment(name: string, teams: string[]): DeploymentRecord {
    const existing = this.deployment(name);
    if (existing) return existing;
    const rec: DeploymentRecord = {
      name,
      teams: [...new Set(teams)].sort(),
      manifest_text: null,
      cloud_config_ids: this.configsForTeams('cloud', teams).map((c) => c.id),
      runtime_config_ids: this.configsForTeams('runtime', teams).map((c) => c.id),
      releases: [],
      stemcells: [],
      instances: [],
      variables: [],
      link_providers: [],
      errands: [],
      errand_runs: {},
      created_at: this.now,
    };
    this.state.deployments[name] = rec;
    this.#canonicalIndex?.set(canonical(name), name);
    return rec;
  }

  removeDeployment(name: string): void {
    const d = this.deployment(name);
    if (!d) return;
    this.ips.releaseDeployment(name);
    delete this.state.deployments[name];
    if (this.#canonicalIndex?.get(canonical(name)) === name) this.#canonicalIndex.delete(canonical(name));
    this.state.links = this.state.links.filter((l) => l.deployment !== name);
  }

  /** The existing deployment whose canonical name is the same as this one's (190009 when it is another). */
  canonicalOwner(name: string): string | undefined {
    if (!this.#canonicalIndex) this.#canonicalIndex = new Map(Object.keys(this.state.deployments).map((n) => [canonical(n), n]));
    return this.#canonicalIndex.get(canonical(name));
  }

  /** Swaps a deployment's instances; its IP reservations become exactly theirs. */
  setInstances(d: DeploymentRecord, instances: DeploymentRecord['instances']): void {
    d.instances = instances;
    this.ips.commit(d);
  }

  /** A deploy succeeded: the deployment becomes what was planned (its variables keep their ids). */
  commitPlan(d: DeploymentRecord, plan: DeployPlan, manifestText: string, variableNames: string[]): void {
    this.setInstances(d, plan.instances);
    d.manifest_text = manifestText;
    d.errands = plan.errands;
    d.instance_groups = plan.instance_groups;
    d.link_providers = plan.link_providers;
    d.use_short_dns_addresses = plan.use_short_dns_addresses;
    const prevVars = new Map(d.variables.map((v) => [v.name, v.id]));
    d.variables = variableNames.map((n) => {
      const full = n.startsWith('/') ? n : `/${this.config.name}/${d.name}/${n}`;
      return { id: prevVars.get(full) ?? String(this.nextId('variable')), name: full };
    });
    this.encodeDns(d.name, plan.networks, plan.instance_groups.map((g) => g.name));
  }

  /** Numbers the networks and instance groups a deploy uses, as local DNS encodes them (`q-n<net>`, `q-g<group>`). */
  encodeDns(deployment: string, networks: string[], groups: string[]): void {
    const dns = this.state.dns;
    for (const n of networks) if (!dns.networks.includes(n)) dns.networks.push(n);
    for (const g of groups) if (!dns.groups.some((x) => x.deployment === deployment && x.group === g)) dns.groups.push({ deployment, group: g });
  }

  dnsNetworkId(network: string): number {
    return this.state.dns.networks.indexOf(network) + 1;
  }

  dnsGroupId(deployment: string, group: string): number {
    return this.state.dns.groups.findIndex((x) => x.deployment === deployment && x.group === group) + 1;
  }

  /** `PUT .../instance_groups/:ig/:id/ignore`: the instance (by id) and a boolean, or nothing changes. */
  setIgnore(d: DeploymentRecord, group: string, id: string, ignore: unknown): void {
    const inst = d.instances.find((i) => i.group === group && i.id === id);
    if (!inst) throw E.instanceNotFound(`${d.name}/${group}/${id}`);
    if (typeof ignore !== 'boolean') throw new BoshError(400, 40000, "Property 'ignore' value did not match the required type 'Boolean'");
    inst.ignore = ignore;
  }

  cloudConfigStatus(d: DeploymentRecord): 'none' | 'latest' | 'outdated' {
    if (d.cloud_config_ids.length === 0) return 'none';
    const latest = this.configsForTeams('cloud', d.teams).map((c) => c.id).sort();
    const mine = [...d.cloud_config_ids].sort();
    return latest.length === mine.length && latest.every((x, i) => x === mine[i]) ? 'latest' : 'outdated';
  }

  // ---- errand results ----

  addErrandScript(s: ErrandScript): void {
    this.state.errand_scripts.push(s);
  }

  /**
   * What an errand run reports: the first script for this deployment, then the first for any
   * deployment (each counts the run), then the config's default for that name, else exit 0.
   */
  takeErrandRun(deployment: string, errand: string): { exit_code: number; stdout: string; stderr: string } {
    const live = this.state.errand_scripts.filter((s) => s.errand === errand && s.remaining !== 0);
    const script = live.find((s) => s.deployment === deployment) ?? live.find((s) => s.deployment === null);
    if (script) {
      if (script.remaining !== null) script.remaining--;
      this.state.errand_scripts = this.state.errand_scripts.filter((s) => s.remaining !== 0);
      return { exit_code: script.exit_code, stdout: script.stdout, stderr: script.stderr };
    }
    const preset = this.config.errands.find((e) => e.name === errand);
    return preset ? { exit_code: preset.exit_code, stdout: preset.stdout, stderr: preset.stderr } : { exit_code: 0, stdout: '', stderr: '' };
  }

  // ---- tasks, locks, events ----

  task(id: number): TaskRecord | undefined {
    return Number.isInteger(id) && id > 0 ? this.state.tasks[id - 1] : undefined;
  }

  lockFor(deployment: string): LockRecord | undefined {
    if (!this.#lockIndex) this.#lockIndex = new Map(this.state.locks.filter((l) => l.type === 'deployment').map((l) => [l.resource[0], l]));
    return this.#lockIndex.get(deployment);
  }

  addLock(lock: LockRecord): void {
    this.state.locks.push(lock);
    if (lock.type === 'deployment') this.#lockIndex?.set(lock.resource[0], lock);
  }

  releaseLocks(taskId: number): void {
    const i = this.state.locks.findIndex((l) => l.task_id === taskId);
    if (i < 0) return;
    const [lock] = this.state.locks.splice(i, 1);
    if (lock.type === 'deployment' && this.#lockIndex?.get(lock.resource[0]) === lock) this.#lockIndex.delete(lock.resource[0]);
  }

  addEvent(e: Omit<EventRecord, 'id' | 'timestamp'>): EventRecord {
    const rec: EventRecord = { id: this.nextId('event'), timestamp: this.now, ...e };
    this.state.events.push(rec);
    return rec;
  }
}
