/**
 * The inputs ODB hands a service adapter, built from an ODB broker config the way ODB builds them:
 * the service deployment (`service_deployment` + the instance's deployment name), the plan (the
 * config plan with global and plan properties merged, plan winning), and the OSB request maps.
 */

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

export interface ServiceDeploymentInput {
  deployment_name: string;
  releases: { name: string; version: string; jobs: string[] }[];
  stemcells: { stemcell_os: string; stemcell_version: string }[];
}

export interface PlanInput {
  properties: Obj;
  instance_groups: Obj[];
  update?: Obj;
  lifecycle_errands: { post_deploy?: { name: string; instances?: string[] }[]; pre_delete?: { name: string; instances?: string[] }[] };
}

/** ODB's deployment name for a service instance. */
export const deploymentName = (instanceId: string) => `service-instance_${instanceId}`;

export function serviceDeploymentInput(config: Obj, instanceId: string): ServiceDeploymentInput {
  const sd = isObj(config.service_deployment) ? config.service_deployment : {};
  return {
    deployment_name: deploymentName(instanceId),
    releases: arr(sd.releases).filter(isObj).map((r) => ({ name: String(r.name ?? ''), version: String(r.version ?? ''), jobs: arr(r.jobs).map(String) })),
    stemcells: arr(sd.stemcells).filter(isObj).map((s) => ({ stemcell_os: String(s.os ?? ''), stemcell_version: String(s.version ?? '') })),
  };
}

export function catalogPlans(config: Obj): Obj[] {
  const catalog = isObj(config.service_catalog) ? config.service_catalog : {};
  return arr(catalog.plans).filter(isObj);
}

export function findPlan(config: Obj, name: string): Obj | undefined {
  return catalogPlans(config).find((p) => p.name === name);
}

/** The plan JSON ODB gives the adapter for one catalog plan. */
export function planInput(config: Obj, plan: Obj): PlanInput {
  const catalog = isObj(config.service_catalog) ? config.service_catalog : {};
  const global = isObj(catalog.global_properties) ? catalog.global_properties : {};
  const own = isObj(plan.properties) ? plan.properties : {};
  const out: PlanInput = {
    properties: { ...global, ...own },
    instance_groups: arr(plan.instance_groups).filter(isObj).map(instanceGroup),
    lifecycle_errands: {},
  };
  if (isObj(plan.update)) out.update = { ...plan.update };
  const errands = isObj(plan.lifecycle_errands) ? plan.lifecycle_errands : {};
  for (const kind of ['post_deploy', 'pre_delete'] as const) {
    const list = arr(errands[kind]).filter(isObj).map((e) => ({ name: String(e.name ?? ''), ...(Array.isArray(e.instances) && e.instances.length ? { instances: e.instances.map(String) } : {}) }));
    if (list.length) out.lifecycle_errands[kind] = list;
  }
  return out;
}

function instanceGroup(ig: Obj): Obj {
  // Field order and omissions as the SDK's InstanceGroup marshals.
  const out: Obj = { name: ig.name, vm_type: ig.vm_type };
  if (Array.isArray(ig.vm_extensions) && ig.vm_extensions.length) out.vm_extensions = ig.vm_extensions;
  if (ig.persistent_disk_type) out.persistent_disk_type = ig.persistent_disk_type;
  out.instances = ig.instances;
  out.networks = ig.networks;
  out.azs = ig.azs;
  if (ig.lifecycle) out.lifecycle = ig.lifecycle;
  if (Array.isArray(ig.migrated_from) && ig.migrated_from.length) out.migrated_from = ig.migrated_from;
  return out;
}

export interface CfIdentity {
  organizationGuid: string;
  spaceGuid: string;
  instanceName?: string;
}

function cfContext(ids: CfIdentity, extra: Obj = {}): Obj {
  return {
    platform: 'cloudfoundry',
    organization_guid: ids.organizationGuid,
    space_guid: ids.spaceGuid,
    ...(ids.instanceName ? { instance_name: ids.instanceName } : {}),
    ...extra,
  };
}

/** The provision request ODB passes as `request_parameters` (the OSB body as a map). */
export function provisionRequest(config: Obj, plan: Obj, ids: CfIdentity, parameters: Obj = {}): Obj {
  const catalog = isObj(config.service_catalog) ? config.service_catalog : {};
  return {
    service_id: catalog.id,
    plan_id: plan.plan_id,
    organization_guid: ids.organizationGuid,
    space_guid: ids.spaceGuid,
    parameters,
    context: cfContext(ids),
  };
}

/** The update request: new plan, arbitrary parameters, previous values, maintenance info. */
export function updateRequest(config: Obj, plan: Obj, previousPlan: Obj, ids: CfIdentity, parameters: Obj = {}, maintenanceInfo?: Obj): Obj {
  const catalog = isObj(config.service_catalog) ? config.service_catalog : {};
  const out: Obj = {
    service_id: catalog.id,
    plan_id: plan.plan_id,
    parameters,
    previous_values: { plan_id: previousPlan.plan_id, service_id: catalog.id, organization_id: ids.organizationGuid, space_id: ids.spaceGuid },
    context: cfContext(ids),
  };
  if (maintenanceInfo) out.maintenance_info = maintenanceInfo;
  return out;
}

/** The bind request ODB passes to create-binding (and, without parameters, to delete-binding). */
export function bindRequest(config: Obj, plan: Obj, ids: CfIdentity, appGuid: string | undefined, parameters: Obj = {}): Obj {
  const catalog = isObj(config.service_catalog) ? config.service_catalog : {};
  return {
    service_id: catalog.id,
    plan_id: plan.plan_id,
    ...(appGuid ? { app_guid: appGuid, bind_resource: { app_guid: appGuid } } : { bind_resource: {} }),
    parameters,
    context: cfContext(ids),
  };
}

export function unbindRequest(config: Obj, plan: Obj): Obj {
  const catalog = isObj(config.service_catalog) ? config.service_catalog : {};
  return { service_id: catalog.id, plan_id: plan.plan_id };
}
