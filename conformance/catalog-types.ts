/** The catalog as the suite reads it (loosely typed: the catalog checks report what is wrong). */
export interface CatalogPlan {
  id: string;
  name: string;
  description?: string;
  bindable?: boolean;
  plan_updateable?: boolean;
  binding_rotatable?: boolean;
  free?: boolean;
  maximum_polling_duration?: number;
  maintenance_info?: { version: string; description?: string };
  schemas?: {
    service_instance?: { create?: { parameters?: unknown }; update?: { parameters?: unknown } };
    service_binding?: { create?: { parameters?: unknown } };
  };
  metadata?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface CatalogService {
  id: string;
  name: string;
  description?: string;
  bindable?: boolean;
  plan_updateable?: boolean;
  instances_retrievable?: boolean;
  bindings_retrievable?: boolean;
  allow_context_updates?: boolean;
  requires?: string[];
  tags?: string[];
  plans: CatalogPlan[];
  [k: string]: unknown;
}

export interface Catalog {
  services: CatalogService[];
}

/** One plan the suite exercises, with what the catalog says about it. */
export interface PlanTarget {
  service: CatalogService;
  plan: CatalogPlan;
  /** `service-name/plan-name` */
  scope: string;
  bindable: boolean;
  planUpdateable: boolean;
  instancesRetrievable: boolean;
  bindingsRetrievable: boolean;
  provisionParameters?: Record<string, unknown>;
  updateParameters?: Record<string, unknown>;
  bindParameters?: Record<string, unknown>;
  /** Whether bindings are expected to carry credentials. */
  expectCredentials: boolean;
}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
