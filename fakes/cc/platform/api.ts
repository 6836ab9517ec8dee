/**
 * The Cloud Controller's role as an OSBAPI client: the public contract of `fakes/cc/platform/`.
 *
 * The rest of the fake CC (state, v2/v3 routes, jobs) calls brokers only through `CcPlatform`.
 * Every broker call goes through `kernel.fetch('cc->broker', ...)`, so it is journaled (direction
 * `outbound`) and faultable (fault rules with `service: 'cc->broker'`). Journal tags: `catalog`,
 * `provision`, `update`, `deprovision`, `bind`, `unbind`, `last-operation`, `fetch-instance`,
 * `fetch-binding`, `orphan-mitigation` (with `deprovision`/`unbind`), `redirect` (a followed hop).
 * Time comes only from the kernel clock: polls and orphan-mitigation retries are clock timers.
 *
 * Reference: ../shared/reference/uaa-cc-osbapi.md §C.1–C.6.
 */
import type { Kernel } from '../../core/kernel.js';

/** A registered broker, as CC stores it. */
export interface BrokerEndpoint {
  guid: string;
  name: string;
  /** Base URL; paths like `/v2/catalog` are appended (a trailing `/` is tolerated). */
  url: string;
  username: string;
  password: string;
}

/**
 * An error as CC reports it. `code`/`errorCode`/`httpStatus` come from CC's `errors/v2.yml`
 * (broker client errors are code 10001 with `errorCode` `CF-<ErrorClass>`).
 * V2 body: `{description, error_code: errorCode, code, http?}`; V3: `{code, title, detail: description}`.
 */
export interface CcErrorInfo {
  httpStatus: number;
  code: number;
  /** `CF-ServiceBrokerBadResponse`, ... */
  errorCode: string;
  /** V3 `title` (same text as `errorCode`). */
  title: string;
  description: string;
  /** On errors that came from a broker response: what CC adds as `http` in V2 bodies. */
  http?: { uri: string; method: string; status: number };
  /** The broker's `error` field (e.g. `AsyncRequired`), when it sent one. */
  brokerError?: string;
}

export type OperationType = 'create' | 'update' | 'delete';
export type ResourceKind = 'service_instance' | 'service_binding' | 'service_key' | 'route_binding';

/** One user action that makes CC call a broker (C.2). */
export interface PlatformOperation {
  type: OperationType;
  resource: ResourceKind;
  broker: BrokerEndpoint;
  instanceGuid: string;
  /** Required for bindings, keys and route bindings. */
  bindingGuid?: string;
  /** The broker's catalog ids (for update: the NEW plan; the old one goes in body.previous_values). */
  serviceId: string;
  planId: string;
  /**
   * The rest of the request body, as C.2 lists it: `context`, `parameters`, `previous_values`,
   * `maintenance_info`, `bind_resource`, `app_guid`, `organization_guid`, `space_guid`.
   * `service_id`/`plan_id` are added from the fields above. Ignored for deletes (CC sends no body).
   * The CC model builds them as CC does (`../ops/bodies.ts`).
   */
  body?: Record<string, unknown>;
  /** The acting user's guid: sent as `X-Broker-API-Originating-Identity`. Absent = no header. */
  userGuid?: string;
  /** Sends `accepts_incomplete=true` (default true: CC v3 jobs always do). */
  acceptsIncomplete?: boolean;
  /** Informational: CC's API refuses binds to non-bindable plans before calling the broker (not enforced here). */
  planBindable?: boolean;
  /** CC refuses an async bind (202) unless the offering has `bindings_retrievable` (C.2). */
  bindingsRetrievable?: boolean;
  /** After an async create/update succeeds CC fetches the instance when true (refreshes dashboard_url). */
  instancesRetrievable?: boolean;
  /** The offering's `requires` (bind responses: syslog_drain_url / volume_mounts are checked against it). */
  serviceRequires?: string[];
  /** The plan's `maximum_polling_duration` in seconds; the smaller of it and CC's maximum applies. */
  maximumPollingDurationSeconds?: number;
  /**
   * Which CC API the user called; only matters for V2 service keys (create_service_key): OM on any
   * malformed body (even 200) but not on syslog/volume-mount errors, and the cleanup DELETE goes
   * without accepts_incomplete.
   */
  via?: 'v2' | 'v3';
  /**
   * The instance name, for CC's own messages: deprovision failures read "Service instance <name>: ...",
   * 409 AsyncServiceInstanceOperationInProgress / AsyncServiceBindingOperationInProgress name it.
   */
  instanceName?: string;
  /** The bound app's name (unbind ConcurrencyError on an app binding -> 409 AsyncServiceBindingOperationInProgress). */
  appName?: string;
  /** `X-VCAP-Request-ID` (the user request that started this). Generated when absent. */
  vcapRequestId?: string;
}

export type OrphanMitigationState = 'none' | 'scheduled' | 'performed' | 'failed';

/** What CC made of a broker response, or of the whole async operation. */
export interface OperationResult {
  state: 'in progress' | 'succeeded' | 'failed';
  /** last_operation `description` as CC stores it (broker text, or CC's own failure text). */
  description?: string;
  /** The broker's `operation` token, sent back verbatim (URL-encoded) as `?operation=` when polling. */
  brokerOperation?: string;
  /** True when the broker answered 202 (polling follows). */
  async?: boolean;
  dashboardUrl?: string | null;
  credentials?: Record<string, unknown>;
  syslogDrainUrl?: string;
  routeServiceUrl?: string;
  volumeMounts?: unknown[];
  endpoints?: unknown[];
  /** From a fetch (GET instance/binding) after an async success. */
  parameters?: unknown;
  /** Broker-provided `metadata` (`labels`/`attributes` for instances; `expires_at`/... for bindings). */
  metadata?: unknown;
  /**
   * On failure, the error CC reports: the broker client error as V2 returns it (e.g. 502
   * `CF-ServiceBrokerBadResponse`), or CC's own (`CF-ServiceBindingInvalid`, `CF-JobTimeout`, ...).
   */
  error?: CcErrorInfo;
  /**
   * The same failure as a V3 job shows it in `errors[0]`: broker client errors wrapped as
   * `CF-UnableToPerform` (10009) "<provision|update|deprovision|bind|unbind> could not be completed: <message>",
   * CC's own errors as they are.
   */
  jobError?: CcErrorInfo;
  /** Whether this failure made CC send a cleanup DELETE (C.5); `scheduled` = retries still pending. */
  orphanMitigation?: OrphanMitigationState;
  /** A delete finished (200, 410 "already gone", or async success / last_operation 410): the record goes. */
  gone?: boolean;
  /** The polling gave up at the maximum polling duration (job error `CF-JobTimeout`). */
  timedOut?: boolean;
  /** The record's `last_operation` stays as it was (an unbind the broker refused with ConcurrencyError). */
  keepLastOperation?: boolean;
}

export interface OperationObserver {
  /** Called on every change of the operation's state, the final one included. */
  onUpdate(result: OperationResult): void;
}

export interface PlatformOptions {
  /** `broker_client_timeout_seconds` (60). */
  brokerTimeoutSeconds?: number;
  /** `broker_client_default_async_poll_interval_seconds` (60); also the floor of `Retry-After`. */
  defaultPollIntervalSeconds?: number;
  /** `broker_client_max_async_poll_interval_seconds` (86400). */
  maxPollIntervalSeconds?: number;
  /** `broker_client_async_poll_exponential_backoff_rate` (1.0). */
  pollBackoffRate?: number;
  /** `broker_client_max_async_poll_duration_minutes` (10080 = 7 days). */
  maxPollingDurationMinutes?: number;
  /** `X-Broker-API-Version` (CC sends `2.15`). */
  apiVersion?: string;
  /** Orphan-mitigation DELETE attempts before giving up (11), retried after 2^attempt minutes. */
  orphanMitigationAttempts?: number;
  /** `route_services_enabled` (true): when false a catalog with a route service is incompatible. */
  routeServicesEnabled?: boolean;
  /** `volume_services_enabled` (true here, as cf-deployment sets it): when false volume services are incompatible. */
  volumeServicesEnabled?: boolean;
  /** `X-Api-Info-Location` host part; default read from `kernel.urls.cc` at request time. */
  apiInfoLocation?: () => string;
}

/** A typed OSBAPI catalog as CC accepts it after validation (C.6). Unknown fields are kept. */
export interface OsbSchemaParameters {
  parameters?: Record<string, unknown>;
}
export interface OsbPlanSchemas {
  service_instance?: { create?: OsbSchemaParameters; update?: OsbSchemaParameters };
  service_binding?: { create?: OsbSchemaParameters };
}
export interface OsbMaintenanceInfo {
  version: string;
  description?: string;
}
export interface OsbPlan {
  id: string;
  name: string;
  description: string;
  metadata?: Record<string, unknown>;
  free?: boolean;
  bindable?: boolean;
  plan_updateable?: boolean;
  binding_rotatable?: boolean;
  maximum_polling_duration?: number;
  maintenance_info?: OsbMaintenanceInfo;
  schemas?: OsbPlanSchemas;
  [extra: string]: unknown;
}
export interface OsbDashboardClient {
  id: string;
  secret: string;
  redirect_uri: string;
}
export interface OsbService {
  id: string;
  name: string;
  description: string;
  bindable: boolean;
  tags?: string[];
  requires?: string[];
  metadata?: Record<string, unknown>;
  instances_retrievable?: boolean;
  bindings_retrievable?: boolean;
  allow_context_updates?: boolean;
  plan_updateable?: boolean;
  dashboard_client?: OsbDashboardClient;
  plans: OsbPlan[];
  [extra: string]: unknown;
}
export interface OsbCatalog {
  services: OsbService[];
}

/** What CC already knows about this broker's offerings (the cross-checks of C.6). */
export interface ExistingBrokerCatalog {
  /** Services of this broker already in CC: catalog id, name, whether any instance exists. */
  services?: { id: string; name: string; hasInstances: boolean }[];
  /** Plans of this broker already in CC: catalog plan id and the catalog id of its service. */
  plans?: { id: string; serviceId: string }[];
}

export type CatalogResult = { ok: true; catalog: OsbCatalog } | { ok: false; error: CcErrorInfo };

/** GET /v2/service_instances/:id (C.2 / D.5). */
export interface FetchedInstance {
  service_id?: string;
  plan_id?: string;
  dashboard_url?: string | null;
  parameters?: Record<string, unknown>;
  maintenance_info?: OsbMaintenanceInfo;
  metadata?: Record<string, unknown>;
}
/** GET /v2/service_instances/:id/service_bindings/:bid (D.9). */
export interface FetchedBinding {
  credentials?: Record<string, unknown>;
  parameters?: Record<string, unknown>;
  syslog_drain_url?: string;
  route_service_url?: string;
  volume_mounts?: unknown[];
  endpoints?: unknown[];
  metadata?: Record<string, unknown>;
}
export type FetchResult<T> = { ok: true; value: T } | { ok: false; error: CcErrorInfo };

/** GET instance / binding. CC sends no query string on these (so `serviceId`/`planId` are not sent). */
export interface FetchInstanceRequest {
  broker: BrokerEndpoint;
  instanceGuid: string;
  serviceId?: string;
  planId?: string;
  userGuid?: string;
}
export interface FetchBindingRequest extends FetchInstanceRequest {
  bindingGuid: string;
}

/** One orphan-mitigation job (DeleteOrphanedInstance / DeleteOrphanedBinding / DeleteOrphanedKey). */
export interface OrphanMitigationRecord {
  key: string;
  op: PlatformOperation;
  /** DELETEs sent so far (at most `orphanMitigationAttempts`). */
  attempts: number;
  state: OrphanMitigationState;
}

/**
 * The public face, implemented by `CcPlatform` (platform.ts):
 *
 * ```ts
 * class CcPlatform {
 *   constructor(kernel: Kernel, opts?: PlatformOptions);
 *   fetchCatalog(broker, existing?, {userGuid}?): Promise<CatalogResult>;  // GET /v2/catalog, validated (C.6)
 *   start(op, observer?): Promise<OperationResult>;                // the first broker response, interpreted
 *   resume(op, brokerOperation, observer?): void;                  // poll an async op again (after a restore)
 *   wait(op): Promise<OperationResult>;                            // final result of the latest op on that resource
 *   mitigateOrphan(op): void;                                      // deferred OM (re-create after a failed async create)
 *   fetchInstance(req) / fetchBinding(req);                        // GET instance / binding (caller checks *_retrievable)
 *   cancel(op): void;                                              // stop polling one resource
 *   pending(): number;                                             // polls + OM retries scheduled
 *   settle(): Promise<void>;                                       // until no broker call is running
 *   close(): void;                                                 // stop all polling and OM retries
 *   reset(): void;                                                 // the same, and stay usable (reset/restore)
 *   orphanMitigations(): OrphanMitigationRecord[];
 * }
 * ```
 *
 * Semantics worth knowing:
 * - `start`: on a 202 the first last_operation poll runs at once (no clock move needed; `settle()`
 *   waits for it); later polls are clock timers. The observer sees the 202 result, every change while
 *   polling, and the final result. Sync results (200/201, or a failure) are final at once.
 * - A failure's `error` is the V2 error (broker client errors are 10001 `CF-<Class>` with CC's text);
 *   `jobError` is what a V3 job shows (`CF-UnableToPerform` wrapping, or CC's own error as is).
 * - Orphan mitigation (C.5) is decided here: the first cleanup DELETE is sent before `start`
 *   resolves (`orphanMitigation: 'performed' | 'scheduled'`); retries report through the observer.
 * - Operations are keyed by resource (instance guid, or binding guid): starting a new one (e.g. a
 *   delete during a create) stops the old one's polling.
 * - An update result without `dashboardUrl` means "keep the old one" (CC keeps it).
 * - On async success CC fetches the instance when `instancesRetrievable` (fetch errors only logged)
 *   and always fetches the binding for an async bind (fetch errors fail the bind).
 */
export interface CcPlatformApi {
  fetchCatalog(broker: BrokerEndpoint, existing?: ExistingBrokerCatalog, opts?: { userGuid?: string }): Promise<CatalogResult>;
  start(op: PlatformOperation, observer?: OperationObserver): Promise<OperationResult>;
  resume(op: PlatformOperation, brokerOperation: string | undefined, observer?: OperationObserver): void;
  wait(op: PlatformOperation): Promise<OperationResult>;
  mitigateOrphan(op: PlatformOperation): void;
  fetchInstance(req: FetchInstanceRequest): Promise<FetchResult<FetchedInstance>>;
  fetchBinding(req: FetchBindingRequest): Promise<FetchResult<FetchedBinding>>;
  cancel(op: PlatformOperation): void;
  pending(): number;
  settle(): Promise<void>;
  close(): void;
  /** Like close() but the platform stays usable: for a foundation reset or restore (then `resume`). */
  reset(): void;
  orphanMitigations(): OrphanMitigationRecord[];
}

export type CcPlatformConstructor = new (kernel: Kernel, opts?: PlatformOptions) => CcPlatformApi;
