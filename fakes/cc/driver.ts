import { CcError } from './errors.js';
import type { CcDeps } from './deps.js';
import type { CcSimulator } from './index.js';
import type { App, Binding, Broker, Instance, Job, Org, Plan, RoleType, Space } from './model/state.js';

export interface BrokerInput {
  name: string;
  url: string;
  username: string;
  password: string;
  spaceGuid?: string;
}

/** A plan by guid, or by offering and plan name. */
export type PlanRef = string | { offering: string; plan: string };

/**
 * The platform driver for tests and scenarios: what the cf CLI does, from TypeScript, through the
 * same code paths as the v3 API (jobs included), plus `waitForLastOperation`, which moves the
 * virtual clock until a broker operation settles.
 */
export class CcDriver {
  constructor(
    private readonly sim: CcSimulator,
    private readonly d: CcDeps,
  ) {}

  get model() {
    return this.d.model;
  }

  // ---------------------------------------------------------------- seeding

  org(name: string): Org {
    return this.model.orgByName(name) ?? this.model.addOrg(name);
  }

  space(org: string, name: string): Space {
    const o = this.model.get('orgs', org) ?? this.org(org);
    return this.model.spaceByName(o.guid, name) ?? this.model.addSpace(o.guid, name);
  }

  app(spaceGuid: string, name: string, state: App['state'] = 'STARTED'): App {
    return this.model.all('apps').find((a) => a.space_guid === spaceGuid && a.name === name) ?? this.model.addApp(spaceGuid, name, state);
  }

  /** A CC user (a UAA user's id, or any guid) with roles in spaces or orgs. */
  user(guidOrUsername: string, roles: { type: RoleType; space?: string; org?: string }[] = []) {
    const uaaUser = this.d.uaa()?.model.userByName(guidOrUsername) ?? this.d.uaa()?.model.user(guidOrUsername);
    const user = this.model.ensureUser(uaaUser?.id ?? guidOrUsername, uaaUser?.userName, uaaUser?.origin);
    for (const r of roles) {
      if (r.space) {
        const s = this.model.get('spaces', r.space)!;
        this.model.addRole('organization_user', user.guid, { org_guid: s.org_guid });
        this.model.addRole(r.type, user.guid, { space_guid: r.space });
      } else if (r.org) this.model.addRole(r.type, user.guid, { org_guid: r.org });
    }
    return user;
  }

  // ---------------------------------------------------------------- brokers

  /** Registers (or updates, when the name exists) a broker; throws with CC's error when the catalog is refused. */
  async registerBroker(b: BrokerInput): Promise<Broker> {
    const existing = this.model.all('brokers').find((x) => x.name === b.name);
    const creds = { url: b.url, username: b.username, password: b.password };
    try {
      if (existing) {
        await this.d.brokers.update(existing, creds, 'v2');
        return existing;
      }
      return (await this.d.brokers.register({ name: b.name, ...creds, spaceGuid: b.spaceGuid }, 'v2')).broker;
    } catch (e) {
      if (!(e instanceof CcError) || !e.info) throw e;
      throw Object.assign(new Error(`${e.info.errorCode}: ${e.info.description}`), { ccError: e.info });
    }
  }

  /** `cf enable-service-access`: every plan of the offering (or one plan), public or for one org. */
  enableAccess(offering: string, opts: { plan?: string; org?: string; broker?: string } = {}): Plan[] {
    const m = this.model;
    const plans = this.#plans(offering, opts.broker).filter((p) => !opts.plan || p.name === opts.plan);
    if (!plans.length) throw new Error(`no plans for offering '${offering}'`);
    for (const p of plans) {
      if (opts.org) {
        const org = m.orgByName(opts.org) ?? m.get('orgs', opts.org);
        if (!org) throw new Error(`no org '${opts.org}'`);
        if (!p.public && !m.visibilitiesOf(p.guid).some((v) => v.org_guid === org.guid)) m.addVisibility(p.guid, org.guid);
      } else {
        p.public = true;
        for (const v of m.visibilitiesOf(p.guid)) m.remove('visibilities', v.guid);
      }
    }
    return plans;
  }

  #plans(offering: string, broker?: string): Plan[] {
    const m = this.model;
    return m.all('plans').filter((p) => {
      const o = m.offeringOf(p);
      return o?.name === offering && (!broker || m.brokerOf(o)?.name === broker);
    });
  }

  plan(ref: PlanRef): Plan {
    if (typeof ref === 'string') {
      const p = this.model.get('plans', ref);
      if (!p) throw new Error(`no plan '${ref}'`);
      return p;
    }
    const p = this.#plans(ref.offering).find((x) => x.name === ref.plan);
    if (!p) throw new Error(`no plan '${ref.plan}' of offering '${ref.offering}'`);
    return p;
  }

  // ---------------------------------------------------------------- instances

  async createInstance(a: { name: string; space: string; plan: PlanRef; parameters?: Record<string, unknown>; tags?: string[]; userGuid?: string }): Promise<{ instance: Instance; job: Job }> {
    const { record, job } = await this.d.ops.createInstance({
      name: a.name,
      spaceGuid: a.space,
      plan: this.plan(a.plan),
      parameters: a.parameters,
      tags: a.tags,
      userGuid: a.userGuid,
      via: 'v3',
    });
    await this.settle();
    return { instance: record, job: job! };
  }

  async updateInstance(guid: string, a: { plan?: PlanRef; name?: string; parameters?: Record<string, unknown>; maintenanceInfo?: { version: string }; userGuid?: string }): Promise<Job> {
    const { job } = await this.d.ops.updateInstance({
      inst: this.instance(guid),
      newPlan: a.plan ? this.plan(a.plan) : undefined,
      name: a.name,
      parameters: a.parameters,
      maintenanceInfo: a.maintenanceInfo,
      userGuid: a.userGuid,
      via: 'v3',
    });
    await this.settle();
    return job!;
  }

  /** `cf update-service --upgrade`: to the plan's maintenance_info version. */
  upgradeInstance(guid: string, userGuid?: string): Promise<Job> {
    const inst = this.instance(guid);
    const plan = this.plan(inst.plan_guid!);
    if (!plan.maintenance_info) throw new Error(`plan '${plan.name}' has no maintenance_info`);
    return this.updateInstance(guid, { maintenanceInfo: { version: plan.maintenance_info.version }, userGuid });
  }

  async deleteInstance(guid: string, userGuid?: string): Promise<Job> {
    const { job } = await this.d.ops.deleteInstance({ inst: this.instance(guid), userGuid, via: 'v3' });
    await this.settle();
    return job!;
  }

  purgeInstance(guid: string): void {
    this.d.ops.purgeInstance(this.instance(guid));
  }

  async bind(instanceGuid: string, appGuid: string, a: { name?: string; parameters?: Record<string, unknown>; userGuid?: string } = {}): Promise<{ binding: Binding; job: Job }> {
    const app = this.model.get('apps', appGuid);
    if (!app) throw new Error(`no app '${appGuid}'`);
    const { record, job } = await this.d.ops.createBinding({ type: 'app', inst: this.instance(instanceGuid), app, name: a.name, parameters: a.parameters, userGuid: a.userGuid, via: 'v3' });
    await this.settle();
    return { binding: record, job: job! };
  }

  async createKey(instanceGuid: string, name: string, a: { parameters?: Record<string, unknown>; userGuid?: string } = {}): Promise<{ binding: Binding; job: Job }> {
    const { record, job } = await this.d.ops.createBinding({ type: 'key', inst: this.instance(instanceGuid), name, parameters: a.parameters, userGuid: a.userGuid, via: 'v3' });
    await this.settle();
    return { binding: record, job: job! };
  }

  async unbind(bindingGuid: string, userGuid?: string): Promise<Job> {
    const binding = this.model.get('bindings', bindingGuid);
    if (!binding) throw new Error(`no binding '${bindingGuid}'`);
    const { job } = await this.d.ops.deleteBinding({ binding, userGuid, via: 'v3' });
    await this.settle();
    return job!;
  }

  deleteKey(bindingGuid: string, userGuid?: string): Promise<Job> {
    return this.unbind(bindingGuid, userGuid);
  }

  instance(guid: string): Instance {
    const i = this.model.get('instances', guid);
    if (!i) throw new Error(`no service instance '${guid}'`);
    return i;
  }

  // ---------------------------------------------------------------- time

  /**
   * Lets every broker call in flight finish (no clock movement). A call that waits on the virtual
   * clock itself (a hang or latency fault) cannot finish here, so the wait is bounded in
   * event-loop turns (plenty for a broker on loopback) and the caller moves the clock next.
   */
  async settle(): Promise<void> {
    const clock = this.sim.kernel.clock;
    for (let i = 0; i < 1000; i++) {
      const running = [...this.d.ops.running];
      const work = Promise.allSettled([...running, this.d.platform().settle()]);
      if (!(await withinTurns(work, SETTLE_TURNS))) {
        // Still busy. With a timer pending it may be waiting on the clock: the caller moves it.
        // With none, it can only be real I/O (a broker on loopback under load): wait for it.
        if (clock.pending() > 0) return;
        await work;
      }
      await new Promise<void>((r) => setImmediate(r));
      if (this.d.ops.running.size === 0 && running.length === 0) return;
    }
  }

  /**
   * Moves the virtual clock, timer by timer, until the instance's or binding's last operation is
   * no longer `in progress` (or the record is gone); returns the record, or undefined when deleted.
   */
  async waitForLastOperation(guid: string, opts: { maxMs?: number } = {}): Promise<Instance | Binding | undefined> {
    const clock = this.sim.kernel.clock;
    const deadline = clock.now() + (opts.maxMs ?? 8 * 24 * 3600_000);
    for (;;) {
      await this.settle();
      const rec = this.model.get('instances', guid) ?? this.model.get('bindings', guid);
      const lo = rec?.last_operation;
      if (!rec || (lo && lo.state !== 'in progress' && lo.state !== 'initial')) return rec;
      const next = clock.nextDueAt();
      if (next === undefined || next > deadline) throw new Error(`the last operation of '${guid}' did not settle (${lo?.type} ${lo?.state})`);
      await clock.advanceTo(Math.max(next, clock.now()));
    }
  }

  /** Like waitForLastOperation, for a v3 job. */
  async waitForJob(jobGuid: string, opts: { maxMs?: number } = {}): Promise<Job> {
    const clock = this.sim.kernel.clock;
    const deadline = clock.now() + (opts.maxMs ?? 8 * 24 * 3600_000);
    for (;;) {
      await this.settle();
      const job = this.model.get('jobs', jobGuid);
      if (!job) throw new Error(`no job '${jobGuid}'`);
      if (job.state === 'COMPLETE' || job.state === 'FAILED') return job;
      const next = clock.nextDueAt();
      if (next === undefined || next > deadline) throw new Error(`job '${jobGuid}' did not finish (${job.state})`);
      await clock.advanceTo(Math.max(next, clock.now()));
    }
  }
}

export type { Plan };

const SETTLE_TURNS = 1000;

/** Whether `work` settles within `turns` event-loop turns. */
function withinTurns(work: Promise<unknown>, turns: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let done = false;
    let n = 0;
    void work.then(
      () => ((done = true), resolve(true)),
      () => ((done = true), resolve(true)),
    );
    const tick = () => {
      if (done) return;
      if (++n >= turns) return resolve(false);
      setImmediate(tick);
    };
    setImmediate(tick);
  });
}
