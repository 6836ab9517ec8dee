/**
 * Request bodies as CC builds them (C.2), in CC's key order. The caller (the CC state model) knows
 * the org, space, instance and plan; these functions only shape what goes on the wire.
 */
export interface OrgSpace {
  organizationGuid: string;
  organizationName: string;
  spaceGuid: string;
  spaceName: string;
  organizationAnnotations?: Record<string, string>;
  spaceAnnotations?: Record<string, string>;
}

function baseContext(o: OrgSpace): Record<string, unknown> {
  return {
    platform: 'cloudfoundry',
    organization_guid: o.organizationGuid,
    space_guid: o.spaceGuid,
    organization_name: o.organizationName,
    space_name: o.spaceName,
    organization_annotations: o.organizationAnnotations ?? {},
    space_annotations: o.spaceAnnotations ?? {},
  };
}

/** The CF `context` object for provision and update (bindings omit the instance fields). */
export function instanceContext(o: OrgSpace, instanceName: string, instanceAnnotations?: Record<string, string>): Record<string, unknown> {
  const ctx = baseContext(o);
  ctx.instance_name = instanceName;
  if (instanceAnnotations !== undefined) ctx.instance_annotations = instanceAnnotations;
  return ctx;
}

export function bindingContext(o: OrgSpace): Record<string, unknown> {
  return baseContext(o);
}

function nonEmpty(p: Record<string, unknown> | undefined): p is Record<string, unknown> {
  return !!p && Object.keys(p).length > 0;
}

export interface ProvisionBodyInput extends OrgSpace {
  instanceName: string;
  instanceAnnotations?: Record<string, string>;
  parameters?: Record<string, unknown>;
  /** The plan's maintenance_info, when it has one. */
  maintenanceInfo?: Record<string, unknown>;
}

/** PUT /v2/service_instances/:id body, without service_id/plan_id (the platform adds those first). */
export function buildProvisionBody(i: ProvisionBodyInput): Record<string, unknown> {
  const body: Record<string, unknown> = {
    organization_guid: i.organizationGuid,
    space_guid: i.spaceGuid,
    context: instanceContext(i, i.instanceName, i.instanceAnnotations ?? {}),
  };
  if (nonEmpty(i.parameters)) body.parameters = i.parameters;
  if (i.maintenanceInfo && Object.keys(i.maintenanceInfo).length > 0) body.maintenance_info = i.maintenanceInfo;
  return body;
}

export interface UpdateBodyInput extends OrgSpace {
  /** The name after the update (rename changes it). */
  instanceName: string;
  previousPlanId: string;
  previousServiceId: string;
  previousMaintenanceInfo?: Record<string, unknown> | null;
  parameters?: Record<string, unknown>;
  /** `{version}` of the new plan on a plan change, or the user-supplied one on an upgrade. */
  maintenanceInfo?: Record<string, unknown>;
}

/** PATCH /v2/service_instances/:id body, without service_id/plan_id. */
export function buildUpdateBody(i: UpdateBodyInput): Record<string, unknown> {
  const body: Record<string, unknown> = {
    previous_values: {
      plan_id: i.previousPlanId,
      service_id: i.previousServiceId,
      organization_id: i.organizationGuid,
      space_id: i.spaceGuid,
      maintenance_info: i.previousMaintenanceInfo ?? null,
    },
    context: instanceContext(i, i.instanceName),
    parameters: i.parameters ?? {},
  };
  if (i.maintenanceInfo) body.maintenance_info = i.maintenanceInfo;
  return body;
}

export type BindTarget =
  | { kind: 'app'; appGuid: string; appAnnotations?: Record<string, string> }
  | { kind: 'key'; credentialClientId?: string }
  | { kind: 'route'; route: string };

export interface BindBodyInput extends OrgSpace {
  target: BindTarget;
  parameters?: Record<string, unknown>;
}

/** PUT /v2/service_instances/:id/service_bindings/:bid body, without service_id/plan_id. */
export function buildBindBody(i: BindBodyInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const t = i.target;
  if (t.kind === 'app') {
    body.app_guid = t.appGuid;
    body.bind_resource = { app_guid: t.appGuid, space_guid: i.spaceGuid, app_annotations: t.appAnnotations ?? {} };
  } else if (t.kind === 'key') {
    body.bind_resource = t.credentialClientId ? { credential_client_id: t.credentialClientId } : {};
  } else {
    body.bind_resource = { route: t.route };
  }
  body.context = bindingContext(i);
  if (nonEmpty(i.parameters)) body.parameters = i.parameters;
  return body;
}
