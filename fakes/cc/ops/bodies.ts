import type { CcModel } from '../model/model.js';
import type { App, Instance, Plan } from '../model/state.js';

/** The OSBAPI request bodies CC sends (reference §C.2), built from CC's records. */

function orgAndSpace(m: CcModel, spaceGuid: string) {
  const space = m.get('spaces', spaceGuid);
  const org = space ? m.get('orgs', space.org_guid) : undefined;
  return { space, org };
}

/**
 * Only "public" annotations travel to brokers: those whose key has a prefix (`example.com/key`),
 * as CC's `hashified_public_annotations` filters them.
 */
export function publicAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => /^[^/]+\/./.test(k)));
}

/** The CF `context`; `instanceAnnotations` given (provision) adds `instance_annotations`. */
export function context(m: CcModel, spaceGuid: string, instanceName?: string, instanceAnnotations?: Record<string, string>): Record<string, unknown> {
  const { space, org } = orgAndSpace(m, spaceGuid);
  const ctx: Record<string, unknown> = {
    platform: 'cloudfoundry',
    organization_guid: org?.guid ?? '',
    space_guid: spaceGuid,
    organization_name: org?.name ?? '',
    space_name: space?.name ?? '',
    organization_annotations: publicAnnotations(org?.metadata.annotations),
    space_annotations: publicAnnotations(space?.metadata.annotations),
  };
  if (instanceName !== undefined) {
    ctx.instance_name = instanceName;
    if (instanceAnnotations) ctx.instance_annotations = publicAnnotations(instanceAnnotations);
  }
  return ctx;
}

const nonEmpty = (p: Record<string, unknown> | undefined) => (p && Object.keys(p).length > 0 ? p : undefined);

export function provisionBody(
  m: CcModel,
  spaceGuid: string,
  name: string,
  plan: Plan,
  parameters?: Record<string, unknown>,
  instanceAnnotations: Record<string, string> = {},
): Record<string, unknown> {
  const { org } = orgAndSpace(m, spaceGuid);
  const body: Record<string, unknown> = { organization_guid: org?.guid ?? '', space_guid: spaceGuid, context: context(m, spaceGuid, name, instanceAnnotations) };
  const p = nonEmpty(parameters);
  if (p) body.parameters = p;
  if (plan.maintenance_info) body.maintenance_info = plan.maintenance_info;
  return body;
}

/**
 * The update body: `previous_values` (with the instance's maintenance_info version, when it has
 * one), the context under the new name, `parameters` (v2 only when the request had them, v3
 * always), and the new maintenance_info (version only).
 */
export function updateBody(
  m: CcModel,
  inst: Instance,
  oldPlan: Plan,
  a: { name: string; parameters: Record<string, unknown> | undefined; maintenanceInfo: { version: string } | undefined; via: 'v2' | 'v3' },
): Record<string, unknown> {
  const { org } = orgAndSpace(m, inst.space_guid);
  const offering = m.offeringOf(oldPlan);
  const previous: Record<string, unknown> = {
    plan_id: oldPlan.catalog_id,
    service_id: offering?.catalog_id ?? '',
    organization_id: org?.guid ?? '',
    space_id: inst.space_guid,
  };
  if (inst.maintenance_info) previous.maintenance_info = { version: inst.maintenance_info.version };
  const body: Record<string, unknown> = { previous_values: previous, context: context(m, inst.space_guid, a.name) };
  if (a.via === 'v3' || a.parameters !== undefined) body.parameters = a.parameters ?? {};
  if (a.maintenanceInfo) body.maintenance_info = { version: a.maintenanceInfo.version };
  return body;
}

export function bindBody(m: CcModel, inst: Instance, app: App | undefined, parameters?: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (app) {
    body.app_guid = app.guid;
    body.bind_resource = { app_guid: app.guid, space_guid: app.space_guid, app_annotations: publicAnnotations(app.metadata.annotations) };
  } else body.bind_resource = {};
  body.context = context(m, inst.space_guid);
  const p = nonEmpty(parameters);
  if (p) body.parameters = p;
  return body;
}
