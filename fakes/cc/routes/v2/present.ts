import { iso } from '../../http.js';
import type { CcModel } from '../../model/model.js';
import type { App, Binding, Broker, Instance, LastOperation, Offering, Org, Plan, Space, Visibility } from '../../model/state.js';
import { planFeatures } from '../v3/present.js';

/** v2 resources: `{metadata:{guid,url,created_at,updated_at}, entity:{…}}` with relative `*_url`s. */

export interface V2Resource {
  metadata: { guid: string; url: string; created_at: string; updated_at: string };
  entity: Record<string, unknown>;
}

function meta(coll: string, r: { guid: string; created_at: number; updated_at: number }) {
  return { guid: r.guid, url: `/v2/${coll}/${r.guid}`, created_at: iso(r.created_at), updated_at: iso(r.updated_at) };
}

export function lastOp2(lo: LastOperation | null) {
  if (!lo) return null;
  return { type: lo.type, state: lo.state, description: lo.description, updated_at: iso(lo.updated_at), created_at: iso(lo.created_at) };
}

export function org2(o: Org): V2Resource {
  const u = `/v2/organizations/${o.guid}`;
  return {
    metadata: meta('organizations', o),
    entity: {
      name: o.name,
      billing_enabled: false,
      quota_definition_guid: 'b7887f5c-34bb-40c5-9778-577572e4fb2d',
      status: o.suspended ? 'suspended' : 'active',
      default_isolation_segment_guid: null,
      quota_definition_url: '/v2/quota_definitions/b7887f5c-34bb-40c5-9778-577572e4fb2d',
      spaces_url: `${u}/spaces`,
      domains_url: `${u}/domains`,
      private_domains_url: `${u}/private_domains`,
      users_url: `${u}/users`,
      managers_url: `${u}/managers`,
      billing_managers_url: `${u}/billing_managers`,
      auditors_url: `${u}/auditors`,
      app_events_url: `${u}/app_events`,
      space_quota_definitions_url: `${u}/space_quota_definitions`,
    },
  };
}

export function space2(s: Space): V2Resource {
  const u = `/v2/spaces/${s.guid}`;
  return {
    metadata: meta('spaces', s),
    entity: {
      name: s.name,
      organization_guid: s.org_guid,
      space_quota_definition_guid: null,
      isolation_segment_guid: null,
      allow_ssh: true,
      organization_url: `/v2/organizations/${s.org_guid}`,
      developers_url: `${u}/developers`,
      managers_url: `${u}/managers`,
      auditors_url: `${u}/auditors`,
      apps_url: `${u}/apps`,
      routes_url: `${u}/routes`,
      domains_url: `${u}/domains`,
      service_instances_url: `${u}/service_instances`,
      app_events_url: `${u}/app_events`,
      events_url: `${u}/events`,
      security_groups_url: `${u}/security_groups`,
      staging_security_groups_url: `${u}/staging_security_groups`,
    },
  };
}

export function app2(a: App): V2Resource {
  return {
    metadata: meta('apps', a),
    entity: {
      name: a.name,
      production: false,
      space_guid: a.space_guid,
      stack_guid: null,
      buildpack: null,
      detected_buildpack: null,
      environment_json: {},
      memory: 1024,
      instances: 1,
      disk_quota: 1024,
      state: a.state,
      version: a.guid,
      command: null,
      console: false,
      debug: null,
      staging_task_id: null,
      package_state: 'PENDING',
      health_check_type: 'port',
      health_check_timeout: null,
      health_check_http_endpoint: null,
      staging_failed_reason: null,
      staging_failed_description: null,
      diego: true,
      docker_image: null,
      docker_credentials: { username: null, password: null },
      package_updated_at: iso(a.created_at),
      detected_start_command: '',
      enable_ssh: true,
      ports: [8080],
      space_url: `/v2/spaces/${a.space_guid}`,
      routes_url: `/v2/apps/${a.guid}/routes`,
      events_url: `/v2/apps/${a.guid}/events`,
      service_bindings_url: `/v2/apps/${a.guid}/service_bindings`,
      route_mappings_url: `/v2/apps/${a.guid}/route_mappings`,
    },
  };
}

export function broker2(b: Broker): V2Resource {
  // v2 entities carry every exported attribute, null included
  return { metadata: meta('service_brokers', b), entity: { name: b.name, broker_url: b.url, auth_username: b.username, space_guid: b.space_guid ?? null } };
}

export function service2(m: CcModel, o: Offering): V2Resource {
  return {
    metadata: meta('services', o),
    entity: {
      label: o.name,
      provider: null,
      url: null,
      description: o.description,
      long_description: null,
      version: null,
      info_url: null,
      active: o.active,
      bindable: o.bindable,
      unique_id: o.catalog_id,
      extra: o.catalog_metadata ? JSON.stringify(o.catalog_metadata) : null,
      tags: o.tags,
      requires: o.requires,
      documentation_url: o.documentation_url,
      service_broker_guid: o.broker_guid,
      service_broker_name: m.get('brokers', o.broker_guid)?.name ?? null,
      plan_updateable: o.plan_updateable,
      bindings_retrievable: o.bindings_retrievable,
      instances_retrievable: o.instances_retrievable,
      allow_context_updates: o.allow_context_updates,
      service_plans_url: `/v2/services/${o.guid}/service_plans`,
    },
  };
}

export function plan2(m: CcModel, p: Plan): V2Resource {
  const f = planFeatures(p, m.offeringOf(p));
  return {
    metadata: meta('service_plans', p),
    entity: {
      name: p.name,
      free: p.free,
      description: p.description,
      service_guid: p.offering_guid,
      extra: p.catalog_metadata ? JSON.stringify(p.catalog_metadata) : null,
      unique_id: p.catalog_id,
      public: p.public,
      bindable: f.bindable,
      plan_updateable: f.plan_updateable,
      active: p.active,
      maximum_polling_duration: p.maximum_polling_duration,
      maintenance_info: p.maintenance_info ?? {},
      schemas: p.schemas,
      service_url: `/v2/services/${p.offering_guid}`,
      service_instances_url: `/v2/service_plans/${p.guid}/service_instances`,
    },
  };
}

export function visibility2(v: Visibility): V2Resource {
  return {
    metadata: meta('service_plan_visibilities', v),
    entity: {
      service_plan_guid: v.plan_guid,
      organization_guid: v.org_guid,
      service_plan_url: `/v2/service_plans/${v.plan_guid}`,
      organization_url: `/v2/organizations/${v.org_guid}`,
    },
  };
}

export function instance2(m: CcModel, i: Instance): V2Resource {
  const u = `/v2/service_instances/${i.guid}`;
  if (i.type === 'user-provided') {
    return {
      metadata: { ...meta('user_provided_service_instances', i) },
      entity: {
        name: i.name,
        credentials: i.credentials ?? {},
        space_guid: i.space_guid,
        type: 'user_provided_service_instance',
        syslog_drain_url: i.syslog_drain_url ?? '',
        route_service_url: i.route_service_url ?? '',
        tags: i.tags,
        space_url: `/v2/spaces/${i.space_guid}`,
        service_bindings_url: `/v2/user_provided_service_instances/${i.guid}/service_bindings`,
        routes_url: `/v2/user_provided_service_instances/${i.guid}/routes`,
      },
    };
  }
  const plan = m.get('plans', i.plan_guid);
  return {
    metadata: meta('service_instances', i),
    entity: {
      name: i.name,
      credentials: {},
      service_guid: plan?.offering_guid ?? null,
      service_plan_guid: i.plan_guid ?? null,
      space_guid: i.space_guid,
      gateway_data: null,
      dashboard_url: i.dashboard_url,
      type: 'managed_service_instance',
      last_operation: lastOp2(i.last_operation),
      tags: i.tags,
      maintenance_info: i.maintenance_info ?? {},
      space_url: `/v2/spaces/${i.space_guid}`,
      service_url: `/v2/services/${plan?.offering_guid ?? ''}`,
      service_plan_url: `/v2/service_plans/${i.plan_guid}`,
      service_bindings_url: `${u}/service_bindings`,
      service_keys_url: `${u}/service_keys`,
      routes_url: `${u}/routes`,
      shared_from_url: `${u}/shared_from`,
      shared_to_url: `${u}/shared_to`,
      service_instance_parameters_url: `${u}/parameters`,
    },
  };
}

export function binding2(b: Binding): V2Resource {
  return {
    metadata: meta('service_bindings', b),
    entity: {
      app_guid: b.app_guid ?? null,
      service_instance_guid: b.instance_guid,
      credentials: b.credentials,
      binding_options: {},
      gateway_data: null,
      gateway_name: '',
      syslog_drain_url: b.syslog_drain_url,
      volume_mounts: b.volume_mounts,
      name: b.name,
      last_operation: lastOp2(b.last_operation),
      app_url: `/v2/apps/${b.app_guid}`,
      service_instance_url: `/v2/service_instances/${b.instance_guid}`,
      service_binding_parameters_url: `/v2/service_bindings/${b.guid}/parameters`,
    },
  };
}

export function key2(b: Binding): V2Resource {
  return {
    metadata: meta('service_keys', b),
    entity: {
      name: b.name,
      service_instance_guid: b.instance_guid,
      credentials: b.credentials,
      service_instance_url: `/v2/service_instances/${b.instance_guid}`,
      service_key_parameters_url: `/v2/service_keys/${b.guid}/parameters`,
    },
  };
}
