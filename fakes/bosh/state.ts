/** The director's state: plain JSON, so snapshots are a structuredClone. */

export interface ReleaseJob {
  name: string;
  version: string;
  fingerprint: string;
  sha1: string;
  blobstore_id: string;
  /** From the job's `job.MF` (spec): what the director keeps for planning and links. */
  properties: Record<string, unknown>;
  provides: { name: string; type: string; properties?: string[] }[];
  consumes: { name: string; type: string; optional?: boolean }[];
  packages: string[];
  /** Has a `bin/run` template, so it can run as an errand. */
  errand: boolean;
}

export interface ReleasePackage {
  name: string;
  version: string;
  fingerprint: string;
  sha1: string;
  blobstore_id: string;
  dependencies: string[];
}

export interface ReleaseVersion {
  version: string;
  commit_hash: string;
  uncommitted_changes: boolean;
  jobs: ReleaseJob[];
  packages: ReleasePackage[];
}

export interface ReleaseRecord {
  name: string;
  versions: ReleaseVersion[];
}

export interface StemcellRecord {
  id: number;
  name: string;
  operating_system: string;
  version: string;
  cid: string;
  cpi: string;
  api_version: number | null;
  sha1: string;
}

export interface ConfigRecord {
  id: number;
  type: string;
  name: string;
  content: string;
  team: string | null;
  created_at: number;
  deleted: boolean;
}

export interface InstanceRecord {
  id: string;
  group: string;
  index: number;
  az: string | null;
  lifecycle: 'service' | 'errand';
  /** Networks with the IPs allocated on each. */
  networks: { name: string; ip: string }[];
  vm_type: string | null;
  stemcell: { name: string; version: string; api_version: number | null };
  jobs: string[];
  bootstrap: boolean;
  /** Desired state: started, stopped, detached. */
  state: string;
  /** What the agent reports: running, failing, stopped. */
  job_state: string;
  agent_id: string | null;
  vm_cid: string | null;
  vm_created_at: string | null;
  disk_cid: string | null;
  ignore: boolean;
}

export interface LinkProviderRecord {
  id: number;
  name: string;
  original_name: string;
  type: string;
  shared: boolean;
  job: string;
  instance_group: string;
  network: string;
}

export interface DeploymentRecord {
  name: string;
  teams: string[];
  /** The last successfully deployed manifest, exactly as posted; null if never deployed. */
  manifest_text: string | null;
  cloud_config_ids: number[];
  runtime_config_ids: number[];
  releases: { name: string; version: string }[];
  stemcells: { name: string; version: string }[];
  instances: InstanceRecord[];
  variables: { id: string; name: string }[];
  link_providers: LinkProviderRecord[];
  /**
   * What `GET /deployments/:d/errands` lists, in the director's order: the `lifecycle: errand`
   * instance groups, then every job that can run as an errand (`bin/run`), in any group.
   */
  errands: { name: string; groups: string[] }[];
  /** The manifest's instance groups (in order) with their lifecycle and jobs: what errand runs look jobs up in. */
  instance_groups?: { name: string; lifecycle: 'service' | 'errand'; jobs: string[] }[];
  /** `features.use_short_dns_addresses` of the deployed manifest (links to it resolve to short DNS names). */
  use_short_dns_addresses?: boolean;
  /** Manifest text at each errand's last successful run (for `when-changed`). */
  errand_runs: Record<string, string>;
  created_at: number;
}

export type TaskState = 'queued' | 'processing' | 'cancelling' | 'done' | 'error' | 'cancelled' | 'timeout';

export interface TaskRecord {
  id: number;
  type: string;
  description: string;
  state: TaskState;
  deployment: string | null;
  teams: string[];
  user: string;
  context_id: string;
  created_at: number;
  started_at: number | null;
  /** Unix seconds: creation, then start, then finish (as the director overwrites it). */
  timestamp: number;
  result: string | null;
  event_output: string;
  result_output: string;
  debug_output: string;
  /** What the task was asked to do (manifest text, query flags, errand body, ...). */
  payload: Record<string, unknown>;
  /** Filled in when the task has prepared: what it will do. */
  plan: unknown;
  /** Runner position: -1 before the first step. */
  step: number;
  /** Clock ms at which the next step is due (so a restored task resumes). */
  next_at: number | null;
  /** Set while waiting for a lock. */
  lock_wait_since: number | null;
  hang: boolean;
  fail_at: { stage: string; message: string; code: number } | null;
  /** The event recorded when the task started; the end event points at it as its parent. */
  event_id: number | null;
}

export interface LockRecord {
  type: string;
  resource: string[];
  task_id: number;
  expires_at: number;
  uid: string;
}

export interface EventRecord {
  id: number;
  parent_id?: number;
  timestamp: number;
  user: string;
  action: string;
  object_type: string;
  object_name?: string;
  task?: string;
  deployment?: string;
  instance?: string;
  context?: Record<string, unknown>;
  error?: string;
}

export interface ErrandScript {
  /** null: any deployment. */
  deployment: string | null;
  errand: string;
  exit_code: number;
  stdout: string;
  stderr: string;
  /** How many runs this script still applies to; null = every run. */
  remaining: number | null;
}

export interface TaskRule {
  id: number;
  type?: string;
  deployment?: string;
  /** Fail at the first step of this stage (e.g. "Updating instance" or "Preparing deployment") with this error. */
  fail_at_stage?: string;
  message?: string;
  code?: number;
  /** Never finish until told (`completeTask`/`failTask`) or cancelled. */
  hang?: boolean;
  remaining: number | null;
}

export interface ExternalLink {
  id: number;
  name: string;
  link_provider_id: number;
  link_consumer_id: number;
  deployment: string;
  consumer_name: string;
  created_at: number;
  /** Copied from the provider's deployment when the link is made (the link's content). */
  use_short_dns_addresses?: boolean;
}

/**
 * One IP address held on a network (the director's `ip_addresses` table): recorded when a deploy
 * plans, so concurrent deploys never hand out the same address. `task_id` is set while the deploy
 * that made it runs; it is cleared when that deploy commits and dropped if it does not.
 */
export interface IpReservation {
  network: string;
  ip: string;
  deployment: string;
  instance: string;
  task_id: number | null;
}

export interface BoshState {
  ids: Record<string, number>;
  releases: ReleaseRecord[];
  stemcells: StemcellRecord[];
  configs: ConfigRecord[];
  deployments: Record<string, DeploymentRecord>;
  /** tasks[id - 1]: ids are sequential and tasks are never removed. */
  tasks: TaskRecord[];
  locks: LockRecord[];
  events: EventRecord[];
  errand_scripts: ErrandScript[];
  task_rules: TaskRule[];
  links: ExternalLink[];
  ip_reservations: IpReservation[];
  /** Local DNS encodings (`local_dns_encoded_*`): a network's or instance group's number is its index + 1. */
  dns: { networks: string[]; groups: { deployment: string; group: string }[] };
}
