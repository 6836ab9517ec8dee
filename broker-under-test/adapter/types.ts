/**
 * The service-adapter contract of the On-Demand Services SDK, as TypeScript types.
 *
 * Field names and JSON shapes are the SDK's (`serviceadapter/domain.go`): these are exactly what an
 * adapter executable reads from stdin or its positional arguments, and what it writes to stdout.
 * @module
 */

/** A BOSH release the service deploys (`service_deployment.releases[]`). */
export interface ServiceRelease {
  name: string;
  /** An exact version: ODB refuses manifests whose versions end in `latest`. */
  version: string;
  jobs: string[];
}

/** A stemcell the service deploys on. */
export interface Stemcell {
  stemcell_os: string;
  stemcell_version: string;
}

/** What ODB hands the adapter about the deployment to generate. */
export interface ServiceDeployment {
  /** Always `service-instance_<instance guid>`. */
  deployment_name: string;
  releases: ServiceRelease[];
  stemcells: Stemcell[];
}

/** A lifecycle errand: a name and optional instance slugs (`group` or `group/index-or-id`). */
export interface Errand {
  name?: string;
  instances?: string[];
}

export interface LifecycleErrands {
  post_deploy?: Errand[];
  pre_delete?: Errand[];
}

export interface Migration {
  name: string;
}

/** One instance group of a plan (SDK `InstanceGroup`; instances ≥ 1, networks and at least one AZ). */
export interface InstanceGroup {
  name: string;
  vm_type: string;
  vm_extensions?: string[];
  persistent_disk_type?: string;
  instances: number;
  networks: string[];
  azs: string[];
  lifecycle?: string;
  migrated_from?: Migration[];
}

/** A BOSH update block (SDK `Update`). `max_in_flight` is a number or a percentage string. */
export interface UpdateBlock {
  canaries: number;
  canary_watch_time: string;
  update_watch_time: string;
  max_in_flight: number | string;
  serial?: boolean;
  initial_deploy_az_update_strategy?: string;
}

/** The plan as the adapter sees it: merged global and plan properties, instance groups, update, errands. */
export interface Plan {
  properties: Record<string, unknown>;
  lifecycle_errands?: LifecycleErrands;
  instance_groups: InstanceGroup[];
  update?: UpdateBlock;
}

/**
 * The OSB request as a map (`plan_id`, `service_id`, `context`, `parameters`, `maintenance_info`,
 * `previous_values`, `bind_resource`, ...). Arbitrary parameters are under `parameters`.
 */
export type RequestParameters = Record<string, unknown>;

/** `{"<instance group>": ["ip", ...]}`: what `GET /deployments/:d/vms?format=full` gives, by job. */
export type BoshVMs = Record<string, string[]>;

/** `{"<credhub path>": "value"}`, resolved secrets of the deployment. */
export type ManifestSecrets = Record<string, string>;

/** `{"<binding_with_dns name>": "<address>"}`. */
export type DNSAddresses = Record<string, string>;

/** `{"<bosh config type>": "<content>"}`. */
export type BoshConfigs = Record<string, string>;

/** The per-instance UAA client ODB creates when `cf.uaa.client_definition` is set. */
export type UaaClient = Record<string, string>;

/** Inputs of `generate-manifest`. */
export interface GenerateManifestParams {
  serviceDeployment: ServiceDeployment;
  plan: Plan;
  requestParameters: RequestParameters;
  /** The manifest currently deployed, as raw YAML; `''` on provision. */
  previousManifest: string;
  /** The plan the instance is on now; `null` on provision. */
  previousPlan: Plan | null;
  previousSecrets: ManifestSecrets | null;
  previousConfigs: BoshConfigs | null;
  uaaClient: UaaClient | null;
}

/** Output of `generate-manifest` (stdin mode: JSON; legacy mode: only the manifest YAML). */
export interface GenerateManifestOutput {
  /** The BOSH manifest as YAML text. Its `name` must equal `deployment_name`. */
  manifest: string;
  /** Values of `((odb_secret:...))` references, for CredHub when secure manifests are on. */
  secrets: Record<string, unknown>;
  /** BOSH configs to upload (`POST /configs`) before deploying. */
  configs: BoshConfigs;
  /** Labels (newer SDKs). */
  labels?: Record<string, string>;
}

/** Inputs of `create-binding` and `delete-binding`. */
export interface BindingParams {
  bindingId: string;
  boshVms: BoshVMs;
  /** The deployed manifest, raw YAML. */
  manifest: string;
  requestParameters: RequestParameters;
  secrets: ManifestSecrets | null;
  dnsAddresses: DNSAddresses | null;
}

/** Output of `create-binding`. */
export interface Binding {
  credentials: Record<string, unknown>;
  syslog_drain_url?: string;
  route_service_url?: string;
  backup_agent_url?: string;
}

/** Inputs of `dashboard-url`. */
export interface DashboardUrlParams {
  instanceId: string;
  plan: Plan;
  manifest: string;
}

/** Output of `dashboard-url`. */
export interface DashboardUrl {
  dashboard_url: string;
}

/** A JSON schema wrapper as OSB puts it in the catalog (`{"parameters": {...}}`). */
export interface JSONSchemas {
  parameters: Record<string, unknown>;
}

/** Output of `generate-plan-schemas`: the plan's `schemas` catalog block. */
export interface PlanSchema {
  service_instance: { create: JSONSchemas; update: JSONSchemas };
  service_binding: { create: JSONSchemas };
}

/** The adapter subcommands ODB runs. */
export type AdapterSubcommand =
  | 'generate-manifest'
  | 'create-binding'
  | 'delete-binding'
  | 'dashboard-url'
  | 'generate-plan-schemas';

/**
 * What the broker needs from a service adapter, whatever runs it: an executable
 * ({@link executableAdapter}) or TypeScript in the same process ({@link inProcessAdapter}).
 *
 * Every method rejects with an {@link AdapterError} subclass: {@link UnknownFailureError} (exit 1 or
 * any unknown code; its `userMessage` is what CF users see), {@link NotImplementedError} (exit 10),
 * {@link BindingNotFoundError} (41), {@link AppGuidNotProvidedError} (42),
 * {@link BindingAlreadyExistsError} (49), {@link AdapterOutputError} (unreadable output, wrong
 * deployment name, a `latest` version) or {@link AdapterRunError} (could not run, timed out).
 */
export interface ServiceAdapter {
  generateManifest(params: GenerateManifestParams, ctx?: AdapterCallContext): Promise<GenerateManifestOutput>;
  createBinding(params: BindingParams, ctx?: AdapterCallContext): Promise<Binding>;
  deleteBinding(params: BindingParams, ctx?: AdapterCallContext): Promise<void>;
  dashboardUrl(params: DashboardUrlParams, ctx?: AdapterCallContext): Promise<DashboardUrl>;
  generatePlanSchemas(params: { plan: Plan }, ctx?: AdapterCallContext): Promise<PlanSchema>;
}

/** Per-call context: where the adapter's stderr and failure lines go (the broker's request logger). */
export interface AdapterCallContext {
  log?: (line: string) => void;
}

/**
 * One adapter invocation, reported to observers (reports draw these). Secrets in `args`, `stdin`,
 * `stdout` are masked.
 */
export interface AdapterCall {
  subcommand: AdapterSubcommand;
  /** `stdin` and `legacy` are the executable's input modes; `in-process` for TypeScript adapters. */
  mode: 'stdin' | 'legacy' | 'in-process';
  /** Positional arguments after the subcommand (legacy mode; `--plan-json` for plan schemas). */
  args: string[];
  /** The JSON written to stdin (stdin mode). */
  stdin?: string;
  /** The exit code; `null` when the process could not start or was killed. */
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** Set when the executable's JavaScript module ran in the broker's process (`moduleRunner`), not as a process. */
  ranInProcess?: true;
}

/** Receives each {@link AdapterCall} once the invocation ends. */
export type AdapterCallListener = (call: AdapterCall) => void;
