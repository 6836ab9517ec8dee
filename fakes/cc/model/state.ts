/**
 * The Cloud Controller's records, as plain JSON. Times are epoch ms from the virtual clock; the
 * presenters format them. Maps are keyed by guid and keep insertion order, which is CC's default
 * `id` order.
 */
export type LastOperationState = 'initial' | 'in progress' | 'succeeded' | 'failed';
export type OperationType = 'create' | 'update' | 'delete';

export interface LastOperation {
  type: OperationType;
  state: LastOperationState;
  description: string;
  created_at: number;
  updated_at: number;
}

export interface Metadata {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface Base {
  guid: string;
  created_at: number;
  updated_at: number;
}

export interface Org extends Base {
  name: string;
  suspended: boolean;
  metadata: Metadata;
}

export interface Space extends Base {
  name: string;
  org_guid: string;
  metadata: Metadata;
}

export interface User extends Base {
  username?: string;
  origin?: string;
  /** Client-credentials tokens make a "user" named after the client. */
  presentation_name: string;
}

export type RoleType =
  | 'organization_user'
  | 'organization_auditor'
  | 'organization_manager'
  | 'organization_billing_manager'
  | 'space_auditor'
  | 'space_developer'
  | 'space_manager'
  | 'space_supporter';

export interface Role extends Base {
  type: RoleType;
  user_guid: string;
  org_guid?: string;
  space_guid?: string;
}

export type BrokerState = 'SYNCHRONIZING' | 'SYNCHRONIZATION_FAILED' | 'AVAILABLE' | 'DELETE_IN_PROGRESS' | 'DELETE_FAILED';

export interface Broker extends Base {
  name: string;
  url: string;
  username: string;
  password: string;
  space_guid?: string;
  state: BrokerState;
  metadata: Metadata;
}

export interface Offering extends Base {
  broker_guid: string;
  /** The catalog id (`unique_id` in v2, `broker_catalog.id` in v3). */
  catalog_id: string;
  name: string;
  description: string;
  bindable: boolean;
  plan_updateable: boolean;
  instances_retrievable: boolean;
  bindings_retrievable: boolean;
  allow_context_updates: boolean;
  tags: string[];
  requires: string[];
  catalog_metadata: Record<string, unknown> | null;
  shareable: boolean;
  documentation_url: string | null;
  active: boolean;
  metadata: Metadata;
}

export interface Plan extends Base {
  offering_guid: string;
  catalog_id: string;
  name: string;
  description: string;
  free: boolean;
  bindable: boolean | null;
  plan_updateable: boolean | null;
  catalog_metadata: Record<string, unknown> | null;
  maximum_polling_duration: number | null;
  schemas: Record<string, unknown>;
  maintenance_info: { version: string; description?: string } | null;
  public: boolean;
  active: boolean;
  /** Space-scoped brokers' plans are visible in that space only. */
  space_guid?: string;
  metadata: Metadata;
}

export interface Visibility extends Base {
  plan_guid: string;
  org_guid: string;
}

export interface Instance extends Base {
  name: string;
  type: 'managed' | 'user-provided';
  space_guid: string;
  plan_guid?: string;
  tags: string[];
  dashboard_url: string | null;
  maintenance_info: { version: string; description?: string } | null;
  last_operation: LastOperation | null;
  broker_provided_metadata: { labels: Record<string, unknown>; attributes: Record<string, unknown> };
  /** The broker's `operation` token for the pending async operation. */
  broker_operation?: string;
  /** User-provided only. */
  credentials?: Record<string, unknown>;
  syslog_drain_url?: string | null;
  route_service_url?: string | null;
  metadata: Metadata;
}

export interface Binding extends Base {
  type: 'app' | 'key';
  name: string | null;
  instance_guid: string;
  app_guid?: string;
  credentials: Record<string, unknown>;
  syslog_drain_url: string | null;
  volume_mounts: unknown[];
  last_operation: LastOperation | null;
  broker_operation?: string;
  metadata: Metadata;
}

export interface App extends Base {
  name: string;
  space_guid: string;
  state: 'STARTED' | 'STOPPED';
  metadata: Metadata;
}

export type JobState = 'PROCESSING' | 'POLLING' | 'COMPLETE' | 'FAILED';

export interface Job extends Base {
  operation: string;
  state: JobState;
  errors: { code: number; title: string; detail: string }[];
  warnings: { detail: string }[];
  /** The link the job carries while the resource exists: `service_instances`, `service_brokers`, ... */
  resource_type?: string;
  resource_guid?: string;
}

export interface CcState {
  orgs: Record<string, Org>;
  spaces: Record<string, Space>;
  users: Record<string, User>;
  roles: Record<string, Role>;
  brokers: Record<string, Broker>;
  offerings: Record<string, Offering>;
  plans: Record<string, Plan>;
  visibilities: Record<string, Visibility>;
  instances: Record<string, Instance>;
  bindings: Record<string, Binding>;
  apps: Record<string, App>;
  jobs: Record<string, Job>;
}

export function emptyState(): CcState {
  return {
    orgs: {},
    spaces: {},
    users: {},
    roles: {},
    brokers: {},
    offerings: {},
    plans: {},
    visibilities: {},
    instances: {},
    bindings: {},
    apps: {},
    jobs: {},
  };
}

export const emptyMetadata = (): Metadata => ({ labels: {}, annotations: {} });
