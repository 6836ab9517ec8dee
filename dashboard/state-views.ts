/**
 * What the dashboard shows of each fake's state: read-only projections built from the models, with
 * secrets left out (client secrets, passwords, private keys, credentials, broker passwords) and
 * secret values in manifests and configs masked as the journal masks request bodies.
 */
import type { BoshSimulator } from '../fakes/bosh/index.js';
import type { TaskRecord } from '../fakes/bosh/state.js';
import type { CcSimulator } from '../fakes/cc/index.js';
import type { Plan } from '../fakes/cc/model/state.js';
import { upgradeAvailable } from '../fakes/cc/routes/v3/present.js';
import { maskBody } from '../fakes/core/mask.js';
import type { Simulator } from '../fakes/core/simulator.js';
import type { UaaSimulator } from '../fakes/uaa/index.js';

/** The part of a foundation the dashboard reads (kept narrow: no import of the Foundation class). */
export interface DashboardTarget {
  readonly services: ReadonlyMap<string, Simulator>;
}

/** The director keeps Unix seconds; the page gets epoch ms everywhere. */
const seconds = (s: number | null) => (s === null ? null : s * 1000);

const maskYaml = (text: string | null) => maskBody(text, 'text/yaml');

/** How many tasks the task list shows, newest first. */
const TASK_LIMIT = 200;

function taskSummary(task: TaskRecord) {
  return {
    id: task.id,
    state: task.state,
    description: task.description,
    deployment: task.deployment,
    user: task.user,
    result: task.result,
    started_at: seconds(task.started_at),
    timestamp: task.timestamp * 1000,
    context_id: task.context_id,
  };
}

export function boshView(t: DashboardTarget) {
  const bosh = t.services.get('bosh') as BoshSimulator | undefined;
  if (!bosh) return null;
  const s = bosh.model.state;
  const deployments = Object.values(s.deployments).map((d) => {
    const groups = new Map<string, typeof d.instances>();
    for (const g of d.instance_groups ?? []) groups.set(g.name, []);
    for (const i of d.instances) {
      if (!groups.has(i.group)) groups.set(i.group, []);
      groups.get(i.group)!.push(i);
    }
    return {
      name: d.name,
      teams: d.teams,
      releases: d.releases,
      stemcells: d.stemcells,
      created_at: d.created_at * 1000,
      deployed: d.manifest_text !== null,
      instance_groups: [...groups].map(([name, instances]) => ({
        name,
        lifecycle: d.instance_groups?.find((g) => g.name === name)?.lifecycle ?? instances[0]?.lifecycle ?? 'service',
        instances: instances.map((i) => ({
          id: i.id,
          index: i.index,
          az: i.az,
          ips: i.networks.map((n) => n.ip),
          networks: i.networks,
          vm_type: i.vm_type,
          vm_cid: i.vm_cid,
          agent_id: i.agent_id,
          disk_cid: i.disk_cid,
          state: i.state,
          job_state: i.job_state,
          bootstrap: i.bootstrap,
          ignore: i.ignore,
        })),
      })),
      errands: d.errands,
      manifest: maskYaml(d.manifest_text),
    };
  });
  const tasks = s.tasks
    .slice(-TASK_LIMIT)
    .reverse()
    .map(taskSummary);
  return {
    deployments,
    tasks,
    task_count: s.tasks.length,
    releases: s.releases.map((r) => ({ name: r.name, versions: r.versions.map((v) => ({ version: v.version, commit_hash: v.commit_hash, jobs: v.jobs.map((j) => j.name) })) })),
    stemcells: s.stemcells.map((st) => ({ name: st.name, version: st.version, operating_system: st.operating_system, cid: st.cid, api_version: st.api_version })),
    configs: s.configs.filter((c) => !c.deleted).map((c) => ({ id: c.id, type: c.type, name: c.name, team: c.team, created_at: c.created_at, content: maskYaml(c.content) })),
    locks: s.locks.map((l) => ({ type: l.type, resource: l.resource, task_id: l.task_id })),
  };
}

/** One task with its event log (the JSON lines the director writes, parsed) and its result output. */
export function boshTaskView(t: DashboardTarget, id: number) {
  const bosh = t.services.get('bosh') as BoshSimulator | undefined;
  const task = bosh?.model.task(id);
  if (!task) return undefined;
  const events = task.event_output
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { raw: line };
      }
    });
  return {
    ...taskSummary(task),
    events,
    result_output: maskBody(task.result_output, 'application/json'),
  };
}

function visibility(cc: CcSimulator, p: Plan): { public: boolean; space?: string; orgs: string[] } {
  const s = cc.model.state;
  const orgs = Object.values(s.visibilities)
    .filter((v) => v.plan_guid === p.guid)
    .map((v) => s.orgs[v.org_guid]?.name ?? v.org_guid);
  return { public: p.public, ...(p.space_guid ? { space: s.spaces[p.space_guid]?.name ?? p.space_guid } : {}), orgs };
}

export function ccView(t: DashboardTarget) {
  const cc = t.services.get('cc') as CcSimulator | undefined;
  if (!cc) return null;
  const s = cc.model.state;
  const spaceName = (guid: string | undefined) => (guid ? s.spaces[guid]?.name : undefined);
  const orgs = Object.values(s.orgs).map((o) => ({
    guid: o.guid,
    name: o.name,
    suspended: o.suspended,
    spaces: Object.values(s.spaces)
      .filter((sp) => sp.org_guid === o.guid)
      .map((sp) => ({ guid: sp.guid, name: sp.name, apps: Object.values(s.apps).filter((a) => a.space_guid === sp.guid).map((a) => a.name) })),
  }));
  const brokers = Object.values(s.brokers).map((b) => ({
    guid: b.guid,
    name: b.name,
    url: b.url,
    username: b.username,
    state: b.state,
    space: spaceName(b.space_guid),
  }));
  const offerings = Object.values(s.offerings).map((o) => ({
    guid: o.guid,
    name: o.name,
    broker: s.brokers[o.broker_guid]?.name ?? o.broker_guid,
    catalog_id: o.catalog_id,
    description: o.description,
    bindable: o.bindable,
    plan_updateable: o.plan_updateable,
    active: o.active,
    plans: Object.values(s.plans)
      .filter((p) => p.offering_guid === o.guid)
      .map((p) => ({
        guid: p.guid,
        name: p.name,
        catalog_id: p.catalog_id,
        free: p.free,
        active: p.active,
        maintenance_info: p.maintenance_info,
        visibility: visibility(cc, p),
      })),
  }));
  const instances = Object.values(s.instances).map((i) => {
    const plan = i.plan_guid ? s.plans[i.plan_guid] : undefined;
    const offering = plan ? s.offerings[plan.offering_guid] : undefined;
    const space = s.spaces[i.space_guid];
    return {
      guid: i.guid,
      name: i.name,
      type: i.type,
      space: space?.name ?? i.space_guid,
      org: space ? s.orgs[space.org_guid]?.name : undefined,
      offering: offering?.name,
      plan: plan?.name,
      dashboard_url: i.dashboard_url,
      maintenance_info: i.maintenance_info,
      upgrade_available: i.type === 'managed' ? upgradeAvailable(i, plan) : false,
      last_operation: i.last_operation,
    };
  });
  const bindings = Object.values(s.bindings).map((b) => ({
    guid: b.guid,
    name: b.name,
    type: b.type,
    instance: s.instances[b.instance_guid]?.name ?? b.instance_guid,
    app: b.app_guid ? (s.apps[b.app_guid]?.name ?? b.app_guid) : undefined,
    last_operation: b.last_operation,
  }));
  return { orgs, brokers, offerings, instances, bindings };
}

export function uaaView(t: DashboardTarget) {
  const uaa = t.services.get('uaa') as UaaSimulator | undefined;
  if (!uaa) return null;
  const s = uaa.model.state;
  const groupsOf = (userId: string) =>
    Object.values(s.groups)
      .filter((g) => g.members.some((m) => m.value === userId))
      .map((g) => g.displayName);
  return {
    zone: s.zoneId,
    issuer: uaa.model.issuer,
    // Public halves only: the private PEM never leaves the model.
    keys: s.keys.map((k) => ({ kid: k.kid, active: k.active, created_at: k.createdAt, public_pem: k.publicPem })),
    clients: Object.values(s.clients).map((c) => ({
      client_id: c.client_id,
      name: c.name,
      public: c.allowpublic || c.client_secret === '',
      authorized_grant_types: c.authorized_grant_types,
      scope: c.scope,
      authorities: c.authorities,
      access_token_validity: c.access_token_validity,
      refresh_token_validity: c.refresh_token_validity,
    })),
    users: Object.values(s.users).map((u) => ({
      id: u.id,
      userName: u.userName,
      origin: u.origin,
      email: u.email,
      active: u.active,
      verified: u.verified,
      groups: groupsOf(u.id),
      lastLogonTime: u.lastLogonTime,
    })),
    groups: Object.values(s.groups).map((g) => ({ id: g.id, displayName: g.displayName, members: g.members.length })),
  };
}
