/**
 * What the suite sends as a platform: the request bodies, the `context` object and the
 * originating identity of the configured profile (Cloud Foundry by default), field by field as
 * the profile adds them from version to version.
 */
import type { PlanTarget } from './catalog-types.js';
import type { ConformanceConfig } from './config.js';
import { versionAtLeast } from './engine.js';
import type { IdSource } from './ids.js';

/** Unknown fields the suite adds to prove the broker ignores them (Vendor Extension Fields). */
export const EXTENSION_FIELD = 'x-conformance-extra';

export class Platform {
  readonly orgGuid: string;
  readonly spaceGuid: string;
  readonly userId: string;
  readonly appGuid: string;
  readonly profile: ConformanceConfig['profile'];
  readonly version: string;
  readonly ids: IdSource;

  constructor(config: ConformanceConfig, version: string, ids: IdSource) {
    this.profile = config.profile;
    this.version = version;
    this.ids = ids;
    const p = config.profile;
    this.orgGuid = (p.platform === 'cloudfoundry' ? p.organizationGuid : p.clusterId) ?? ids.uuid();
    this.spaceGuid = (p.platform === 'cloudfoundry' ? p.spaceGuid : undefined) ?? ids.uuid();
    this.userId = (p.platform === 'cloudfoundry' ? p.userId : undefined) ?? ids.uuid();
    this.appGuid = ids.uuid();
  }

  get platformName(): string {
    return this.profile.platform;
  }

  /** X-Broker-API-Originating-Identity for a user's action (from 2.13), or undefined. */
  identity(): string | undefined {
    if (!this.profile.originatingIdentity || !versionAtLeast(this.version, '2.13')) return undefined;
    const value =
      this.profile.platform === 'cloudfoundry'
        ? { user_id: this.userId }
        : { username: this.profile.username, uid: this.userId, groups: ['system:authenticated'], extra: {} };
    return `${this.profile.platform} ${Buffer.from(JSON.stringify(value)).toString('base64')}`;
  }

  context(kind: 'instance' | 'binding', instanceName?: string, spaceGuid = this.spaceGuid): Record<string, unknown> {
    const p = this.profile;
    if (p.platform === 'kubernetes') {
      return {
        platform: 'kubernetes',
        namespace: p.namespace,
        clusterid: this.orgGuid,
        ...(kind === 'instance' && instanceName ? { instance_name: instanceName } : {}),
      };
    }
    const v15 = versionAtLeast(this.version, '2.15');
    const v16 = versionAtLeast(this.version, '2.16');
    return {
      platform: 'cloudfoundry',
      organization_guid: this.orgGuid,
      space_guid: spaceGuid,
      ...(v15 ? { organization_name: p.organizationName, space_name: p.spaceName } : {}),
      ...(v16 ? { organization_annotations: {}, space_annotations: {} } : {}),
      ...(v15 && kind === 'instance' && instanceName ? { instance_name: instanceName } : {}),
      ...(v16 && kind === 'instance' ? { instance_annotations: {} } : {}),
    };
  }

  maintenanceInfo(t: PlanTarget): { version: string } | undefined {
    const mi = t.plan.maintenance_info;
    return versionAtLeast(this.version, '2.15') && mi && typeof mi.version === 'string' ? { version: mi.version } : undefined;
  }

  provisionBody(t: PlanTarget, opts: { instanceName: string; spaceGuid?: string; extensions?: boolean; planId?: string }): Record<string, unknown> {
    const space = opts.spaceGuid ?? this.spaceGuid;
    const context = this.context('instance', opts.instanceName, space);
    const mi = this.maintenanceInfo(t);
    return {
      service_id: t.service.id,
      plan_id: opts.planId ?? t.plan.id,
      organization_guid: this.orgGuid,
      space_guid: space,
      context: opts.extensions ? { ...context, [EXTENSION_FIELD]: true } : context,
      ...(t.provisionParameters ? { parameters: t.provisionParameters } : {}),
      ...(mi ? { maintenance_info: mi } : {}),
      ...(opts.extensions ? { [EXTENSION_FIELD]: true } : {}),
    };
  }

  updateBody(
    t: PlanTarget,
    current: { planId: string; maintenanceInfo?: { version: string } },
    change: { planId?: string; parameters?: Record<string, unknown>; maintenanceInfo?: { version: string }; instanceName: string; omitPlan?: boolean },
  ): Record<string, unknown> {
    return {
      service_id: t.service.id,
      ...(change.omitPlan ? {} : { plan_id: change.planId ?? current.planId }),
      context: this.context('instance', change.instanceName),
      ...(change.parameters ? { parameters: change.parameters } : {}),
      previous_values: {
        service_id: t.service.id,
        plan_id: current.planId,
        organization_id: this.orgGuid,
        space_id: this.spaceGuid,
        ...(current.maintenanceInfo ? { maintenance_info: current.maintenanceInfo } : {}),
      },
      ...(change.maintenanceInfo ? { maintenance_info: change.maintenanceInfo } : {}),
    };
  }

  bindBody(t: PlanTarget, opts: { planId: string; appGuid?: string | null; predecessor?: string }): Record<string, unknown> {
    const app = opts.appGuid === undefined ? this.appGuid : opts.appGuid;
    const bindResource: Record<string, unknown> =
      app === null ? {} : this.profile.platform === 'cloudfoundry' ? { app_guid: app, space_guid: this.spaceGuid } : { app_guid: app };
    if (app !== null && this.profile.platform === 'cloudfoundry' && versionAtLeast(this.version, '2.16')) bindResource.app_annotations = {};
    return {
      service_id: t.service.id,
      plan_id: opts.planId,
      ...(app !== null ? { app_guid: app } : {}),
      bind_resource: bindResource,
      context: this.context('binding'),
      ...(t.bindParameters ? { parameters: t.bindParameters } : {}),
      ...(opts.predecessor ? { predecessor_binding_id: opts.predecessor } : {}),
    };
  }
}
