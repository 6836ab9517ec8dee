/**
 * Catalog plans as the adapter and BOSH see them.
 * @module
 */
import type { Plan, ServiceDeployment } from '../adapter/types.js';
import type { BrokerConfig, PlanConfig } from '../config/types.js';

/** ODB's deployment name for an instance. */
export const INSTANCE_PREFIX = 'service-instance_';
export const deploymentName = (instanceId: string) => `${INSTANCE_PREFIX}${instanceId}`;

export function findPlan(config: BrokerConfig, planId: string | undefined): PlanConfig | undefined {
  return config.service_catalog.plans.find((p) => p.plan_id === planId);
}

/** ODB's `AdapterPlan`: global properties overlaid by the plan's. */
export function adapterPlan(config: BrokerConfig, plan: PlanConfig): Plan {
  return {
    properties: { ...(config.service_catalog.global_properties ?? {}), ...(plan.properties ?? {}) },
    lifecycle_errands: plan.lifecycle_errands ?? {},
    instance_groups: plan.instance_groups ?? [],
    ...(plan.update ? { update: plan.update } : {}),
  };
}

export function serviceDeployment(config: BrokerConfig, instanceId: string): ServiceDeployment {
  return {
    deployment_name: deploymentName(instanceId),
    releases: config.service_deployment.releases,
    stemcells: config.service_deployment.stemcells.map((s) => ({ stemcell_os: s.os, stemcell_version: s.version })),
  };
}

export interface ErrandRef {
  Name: string;
  Instances: string[] | null;
}

const errands = (list: { name?: string; instances?: string[] }[] | undefined): ErrandRef[] =>
  (list ?? []).map((e) => ({ Name: e.name ?? '', Instances: e.instances?.length ? e.instances : null }));

export const postDeployErrands = (plan: PlanConfig | undefined) => errands(plan?.lifecycle_errands?.post_deploy);
export const preDeleteErrands = (plan: PlanConfig | undefined) => errands(plan?.lifecycle_errands?.pre_delete);
