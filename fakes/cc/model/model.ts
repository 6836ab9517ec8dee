import { isJsonObject } from '../../core/json.js';
import type { Kernel } from '../../core/kernel.js';
import type { Random } from '../../core/random.js';
import type { CcConfig } from '../config.js';
import {
  emptyMetadata,
  emptyState,
  type App,
  type Binding,
  type Broker,
  type CcState,
  type Instance,
  type Job,
  type JobState,
  type LastOperation,
  type Metadata,
  type Offering,
  type Org,
  type Plan,
  type Role,
  type RoleType,
  type Space,
  type User,
  type Visibility,
} from './state.js';

type Collection = keyof CcState;

/**
 * The Cloud Controller's state and the rules over it that do not involve a broker. Routes and the
 * operations module call into this; nothing here knows about HTTP.
 */
export class CcModel {
  state: CcState;
  readonly random: Random;
  #initial: string;

  constructor(
    readonly kernel: Kernel,
    readonly config: CcConfig,
  ) {
    this.random = kernel.random.fork('cc');
    this.state = emptyState();
    this.#seed();
    this.#initial = JSON.stringify(this.state);
  }

  reset(): void {
    this.state = JSON.parse(this.#initial);
  }

  now(): number {
    return this.kernel.clock.now();
  }

  guid(): string {
    return this.random.uuid();
  }

  #stamp(): { guid: string; created_at: number; updated_at: number } {
    const now = this.now();
    return { guid: this.guid(), created_at: now, updated_at: now };
  }

  touch(rec: { updated_at: number }): void {
    rec.updated_at = this.now();
  }

  /** `metadata: {labels, annotations}` from a request: set, and a `null` value removes the key (CC's rule). */
  applyMetadata(target: Metadata, md: unknown): void {
    if (!isJsonObject(md)) return;
    for (const k of ['labels', 'annotations'] as const) {
      const src = md[k];
      if (!isJsonObject(src)) continue;
      for (const [key, v] of Object.entries(src)) {
        if (v === null) delete target[k][key];
        else if (typeof v === 'string') target[k][key] = v;
      }
    }
  }

  get<C extends Collection>(coll: C, guid: string | undefined): CcState[C][string] | undefined {
    if (!guid) return undefined;
    const m = this.state[coll] as Record<string, CcState[C][string]>;
    return Object.hasOwn(m, guid) ? m[guid] : undefined;
  }

  /**
   * Every record of a collection, in insertion order. The array is cached until the collection
   * changes (lists over 10,000 instances page after page); callers must not mutate it.
   */
  all<C extends Collection>(coll: C): readonly CcState[C][string][] {
    const obj = this.state[coll];
    const hit = this.#cache.get(coll);
    if (hit && hit.obj === obj) return hit.arr as CcState[C][string][];
    const arr = Object.values(obj) as CcState[C][string][];
    this.#cache.set(coll, { obj, arr });
    return arr;
  }

  #cache = new Map<Collection, { obj: object; arr: unknown[] }>();
  #derived = new Map<string, { base: unknown[]; arr: unknown[] }>();

  /** A filtered view of a collection, cached as long as the collection is unchanged. */
  view<C extends Collection>(coll: C, name: string, keep: (r: CcState[C][string]) => boolean): readonly CcState[C][string][] {
    const base = this.all(coll) as CcState[C][string][];
    const key = `${coll}:${name}`;
    const hit = this.#derived.get(key);
    if (hit && hit.base === base) return hit.arr as CcState[C][string][];
    const arr = base.filter(keep);
    this.#derived.set(key, { base, arr });
    return arr;
  }

  #put<C extends Collection>(coll: C, rec: CcState[C][string]): void {
    (this.state[coll] as Record<string, unknown>)[rec.guid] = rec;
    this.#cache.delete(coll);
  }

  remove(coll: Collection, guid: string): boolean {
    const m = this.state[coll] as Record<string, unknown>;
    if (!Object.hasOwn(m, guid)) return false;
    delete m[guid];
    this.#cache.delete(coll);
    return true;
  }

  // ---- orgs, spaces, users, roles

  addOrg(name: string, guid?: string): Org {
    const org: Org = { ...this.#stamp(), name, suspended: false, metadata: emptyMetadata() };
    if (guid) org.guid = guid;
    this.#put('orgs', org);
    return org;
  }

  orgByName(name: string): Org | undefined {
    return this.all('orgs').find((o) => o.name === name);
  }

  addSpace(orgGuid: string, name: string, guid?: string): Space {
    const space: Space = { ...this.#stamp(), name, org_guid: orgGuid, metadata: emptyMetadata() };
    if (guid) space.guid = guid;
    this.#put('spaces', space);
    return space;
  }

  spaceByName(orgGuid: string, name: string): Space | undefined {
    return this.all('spaces').find((s) => s.org_guid === orgGuid && s.name === name);
  }

  /** CC creates its user row the first time a token's user shows up. */
  ensureUser(guid: string, username?: string, origin?: string): User {
    const existing = this.get('users', guid);
    if (existing) {
      if (username && !existing.username) {
        existing.username = username;
        existing.origin = origin;
        existing.presentation_name = username;
      }
      return existing;
    }
    const now = this.now();
    const user: User = { guid, created_at: now, updated_at: now, username, origin, presentation_name: username ?? guid };
    this.#put('users', user);
    return user;
  }

  addRole(type: RoleType, userGuid: string, target: { org_guid?: string; space_guid?: string }): Role {
    const existing = this.all('roles').find(
      (r) => r.type === type && r.user_guid === userGuid && r.org_guid === target.org_guid && r.space_guid === target.space_guid,
    );
    if (existing) return existing;
    const role: Role = { ...this.#stamp(), type, user_guid: userGuid, ...target };
    this.#put('roles', role);
    return role;
  }

  rolesOf(userGuid: string): Role[] {
    return this.all('roles').filter((r) => r.user_guid === userGuid);
  }

  // ---- apps

  addApp(spaceGuid: string, name: string, state: App['state'] = 'STOPPED', guid?: string): App {
    const app: App = { ...this.#stamp(), name, space_guid: spaceGuid, state, metadata: emptyMetadata() };
    if (guid) app.guid = guid;
    this.#put('apps', app);
    return app;
  }

  setAppState(app: App, state: App['state']): void {
    app.state = state;
    this.touch(app);
  }

  // ---- brokers, offerings, plans, visibilities

  addBroker(b: Pick<Broker, 'name' | 'url' | 'username' | 'password' | 'space_guid'> & { state?: Broker['state'] }): Broker {
    const broker: Broker = { ...this.#stamp(), state: 'SYNCHRONIZING', metadata: emptyMetadata(), ...b } as Broker;
    if (broker.space_guid === undefined) delete broker.space_guid;
    this.#put('brokers', broker);
    return broker;
  }

  offeringsOf(brokerGuid: string): Offering[] {
    return this.all('offerings').filter((o) => o.broker_guid === brokerGuid);
  }

  plansOf(offeringGuid: string): Plan[] {
    return this.all('plans').filter((p) => p.offering_guid === offeringGuid);
  }

  addOffering(o: Omit<Offering, 'guid' | 'created_at' | 'updated_at' | 'metadata'>): Offering {
    const offering: Offering = { ...this.#stamp(), metadata: emptyMetadata(), ...o };
    this.#put('offerings', offering);
    return offering;
  }

  addPlan(p: Omit<Plan, 'guid' | 'created_at' | 'updated_at' | 'metadata'>): Plan {
    const plan: Plan = { ...this.#stamp(), metadata: emptyMetadata(), ...p };
    this.#put('plans', plan);
    return plan;
  }

  addVisibility(planGuid: string, orgGuid: string): Visibility {
    const v: Visibility = { ...this.#stamp(), plan_guid: planGuid, org_guid: orgGuid };
    this.#put('visibilities', v);
    return v;
  }

  visibilitiesOf(planGuid: string): Visibility[] {
    return this.all('visibilities').filter((v) => v.plan_guid === planGuid);
  }

  /**
   * A plan's visibility: public, admin only, or these organizations (added to the ones it has
   * when `append`, else replacing them).
   */
  setVisibility(plan: Plan, type: 'public' | 'admin' | 'organization', orgGuids: string[], append: boolean): void {
    if (!append || type !== 'organization') for (const v of this.visibilitiesOf(plan.guid)) this.remove('visibilities', v.guid);
    plan.public = type === 'public';
    for (const g of orgGuids) if (!this.visibilitiesOf(plan.guid).some((v) => v.org_guid === g)) this.addVisibility(plan.guid, g);
    this.touch(plan);
  }

  /** v2 `PUT /v2/service_plans/:guid {public}` (absent: nothing changes but the timestamp). */
  setPublic(plan: Plan, pub: boolean | undefined): void {
    if (pub !== undefined) plan.public = pub;
    this.touch(plan);
  }

  moveVisibility(v: Visibility, planGuid: string, orgGuid: string): void {
    Object.assign(v, { plan_guid: planGuid, org_guid: orgGuid, updated_at: this.now() });
  }

  /** v3 `visibility_type` derived from the records, as CC derives it. */
  visibilityType(plan: Plan): 'public' | 'admin' | 'organization' | 'space' {
    if (plan.space_guid) return 'space';
    if (plan.public) return 'public';
    return this.visibilitiesOf(plan.guid).length > 0 ? 'organization' : 'admin';
  }

  offeringOf(plan: Plan | undefined): Offering | undefined {
    return plan ? this.get('offerings', plan.offering_guid) : undefined;
  }

  brokerOf(offering: Offering | undefined): Broker | undefined {
    return offering ? this.get('brokers', offering.broker_guid) : undefined;
  }

  // ---- instances, bindings

  addInstance(i: Omit<Instance, 'guid' | 'created_at' | 'updated_at' | 'metadata' | 'broker_provided_metadata'> & { guid?: string }): Instance {
    const { guid, ...rest } = i;
    const inst: Instance = {
      ...this.#stamp(),
      metadata: emptyMetadata(),
      broker_provided_metadata: { labels: {}, attributes: {} },
      ...rest,
    } as Instance;
    if (guid) inst.guid = guid;
    this.#put('instances', inst);
    return inst;
  }

  bindingsOf(instanceGuid: string): Binding[] {
    return this.all('bindings').filter((b) => b.instance_guid === instanceGuid);
  }

  addBinding(b: Omit<Binding, 'guid' | 'created_at' | 'updated_at' | 'metadata'> & { guid?: string }): Binding {
    const { guid, ...rest } = b;
    const binding: Binding = { ...this.#stamp(), metadata: emptyMetadata(), ...rest } as Binding;
    if (guid) binding.guid = guid;
    this.#put('bindings', binding);
    return binding;
  }

  lastOperation(type: LastOperation['type'], state: LastOperation['state'], description = ''): LastOperation {
    const now = this.now();
    return { type, state, description, created_at: now, updated_at: now };
  }

  setLastOperation(rec: { last_operation: LastOperation | null; updated_at: number }, patch: Partial<LastOperation>): void {
    const now = this.now();
    const lo = rec.last_operation;
    if (lo && (patch.type === undefined || patch.type === lo.type)) Object.assign(lo, patch, { updated_at: now });
    else rec.last_operation = { type: patch.type ?? 'create', state: patch.state ?? 'initial', description: patch.description ?? '', created_at: now, updated_at: now };
    rec.updated_at = now;
  }

  // ---- jobs

  addJob(operation: string, resource?: { type: string; guid: string }, state: JobState = 'PROCESSING'): Job {
    const job: Job = { ...this.#stamp(), operation, state, errors: [], warnings: [], resource_type: resource?.type, resource_guid: resource?.guid };
    this.#put('jobs', job);
    return job;
  }

  setJob(job: Job, state: JobState, error?: Job['errors'][number]): void {
    job.state = state;
    if (error) job.errors = [error];
    this.touch(job);
  }

  // ---- seeding

  #seed(): void {
    if (this.config.defaults) {
      const org = this.addOrg('system');
      this.addSpace(org.guid, 'dev');
    }
    for (const o of this.config.orgs) {
      const org = this.orgByName(o.name) ?? this.addOrg(o.name, o.guid);
      for (const s of o.spaces) if (!this.spaceByName(org.guid, s.name)) this.addSpace(org.guid, s.name, s.guid);
    }
  }
}
