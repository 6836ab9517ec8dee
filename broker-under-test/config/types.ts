/**
 * ODB's broker config file (`config.Config`), as TypeScript types. A config written for ODB runs here
 * unchanged; keys the broker does not use (credhub, telemetry, ...) are accepted and ignored.
 * @module
 */
import type { InstanceGroup, LifecycleErrands, UpdateBlock } from '../adapter/types.js';

export interface UserCredentials {
  username?: string;
  password?: string;
}

export interface ClientCredentials {
  client_id?: string;
  client_secret?: string;
}

/** `bosh.authentication`: exactly one of `basic` or `uaa`. */
export interface BoshAuthentication {
  basic?: UserCredentials;
  uaa?: { url?: string; client_credentials?: ClientCredentials; user_credentials?: UserCredentials };
}

export interface BoshSection {
  /** Scheme ignored: always HTTPS; port 25555 when absent. */
  url: string;
  /** The only trust root for the director and its UAA when set. */
  root_ca_cert?: string;
  authentication: BoshAuthentication;
}

/** `cf.uaa.client_definition`: a per-instance UAA client is created when set. */
export interface ClientDefinition {
  authorities?: string;
  authorized_grant_types?: string;
  resource_ids?: string;
  scopes?: string;
  name?: string;
  allowpublic?: boolean;
}

export interface CfSection {
  url: string;
  root_ca_cert?: string;
  disable_ssl_cert_verification?: boolean;
  uaa: {
    url: string;
    client_definition?: ClientDefinition;
    authentication: { client_credentials?: ClientCredentials; user_credentials?: UserCredentials };
  };
}

export interface BrokerSection {
  port: number;
  username: string;
  password: string;
  disable_ssl_cert_verification?: boolean;
  disable_bosh_configs?: boolean;
  startup_banner?: boolean;
  shutdown_timeout_in_seconds?: number;
  disable_cf_startup_checks?: boolean;
  expose_operational_errors?: boolean;
  enable_plan_schemas?: boolean;
  use_stdin?: boolean;
  enable_secure_manifests?: boolean;
  enable_telemetry?: boolean;
  enable_optimised_upgrades?: boolean;
  support_backup_agent_binding?: boolean;
  skip_check_for_pending_changes?: boolean;
  tls?: { cert_file?: string; key_file?: string };
}

export interface MaintenanceInfoConfig {
  public?: Record<string, string>;
  private?: Record<string, string>;
  version?: string;
  description?: string;
}

export interface ResourceQuota {
  limit?: number;
  cost?: number;
}

export interface Quotas {
  service_instance_limit?: number;
  resources?: Record<string, ResourceQuota>;
}

export interface BindingDNS {
  name: string;
  link_provider: string;
  instance_group: string;
  properties?: { azs?: string[]; status?: string };
}

export interface PlanConfig {
  plan_id: string;
  name: string;
  free?: boolean;
  bindable?: boolean;
  plan_updatable?: boolean;
  description?: string;
  metadata?: {
    display_name?: string;
    bullets?: string[];
    costs?: { amount: Record<string, number>; unit: string }[];
    [extra: string]: unknown;
  };
  quotas?: Quotas;
  properties?: Record<string, unknown>;
  instance_groups?: InstanceGroup[];
  update?: UpdateBlock;
  lifecycle_errands?: LifecycleErrands;
  binding_with_dns?: BindingDNS[];
  maintenance_info?: MaintenanceInfoConfig;
  /** Used by the register-broker errand config, accepted here too. */
  cf_service_access?: string;
}

export interface ServiceCatalogConfig {
  id: string;
  service_name: string;
  service_description?: string;
  bindable?: boolean;
  plan_updatable?: boolean;
  instances_retrievable?: boolean;
  bindings_retrievable?: boolean;
  requires?: string[];
  tags?: string[];
  metadata?: {
    display_name?: string;
    image_url?: string;
    long_description?: string;
    provider_display_name?: string;
    documentation_url?: string;
    support_url?: string;
    shareable?: boolean;
    [extra: string]: unknown;
  };
  dashboard_client?: { id: string; secret: string; redirect_uri?: string };
  global_properties?: Record<string, unknown>;
  global_quotas?: Quotas;
  maintenance_info?: MaintenanceInfoConfig;
  plans: PlanConfig[];
}

export interface ServiceDeploymentConfig {
  releases: { name: string; version: string; jobs: string[] }[];
  stemcells: { os: string; version: string }[];
}

/** `service_instances_api`: where instances are listed instead of CC when set. */
export interface ServiceInstancesApiSection {
  url: string;
  root_ca_cert?: string;
  authentication?: { basic?: UserCredentials };
  disable_ssl_cert_verification?: boolean;
}

/** The whole broker config file. */
export interface BrokerConfig {
  broker: BrokerSection;
  bosh: BoshSection;
  cf?: CfSection;
  service_instances_api?: ServiceInstancesApiSection;
  service_adapter: { path?: string };
  service_deployment: ServiceDeploymentConfig;
  service_catalog: ServiceCatalogConfig;
  [other: string]: unknown;
}
