import type { BrokerEndpoint, CcPlatformApi, OperationObserver, OperationResult, PlatformOperation, ResourceKind } from '../platform/api.js';
import { ccErrors, operationVerb } from '../platform/errors.js';
import { ccError, fromInfo, unprocessable, type CcError } from '../errors.js';
import type { CcModel } from '../model/model.js';
import type { App, Binding, Broker, Instance, Job, OperationType, Plan } from '../model/state.js';
import { bindBody, provisionBody, updateBody } from './bodies.js';
import { Refused, refuse } from '../refusals.js';
import { instanceInProgress, instanceNameTaken, isRefusal, planChange } from './rules.js';

export type Via = 'v2' | 'v3';

/** What a started operation gives the route: the record, the v3 job, and (awaited for v2) the first broker result. */
export interface Started<R> {
  record: R;
  job?: Job;
  first?: OperationResult;
  /** v3 deletes: settles with the final result (after unbinding and polling). */
  done?: Promise<OperationResult>;
}

export function endpoint(b: Broker): BrokerEndpoint {
  return { guid: b.guid, name: b.name, url: b.url, username: b.username, password: b.password };
}

const JOB_OPERATION: Record<ResourceKind, string> = {
  service_instance: 'service_instance',
  service_binding: 'service_bindings',
  service_key: 'service_keys',
  route_binding: 'service_route_bindings',
};

/**
 * The CC side of every broker operation: creates and updates the records, starts the platform
 * module's operation, and maps what it reports onto `last_operation`, the record and the v3 job.
 * v2 routes await the first broker response (CC v2 answers 201/202 or the broker's error); v3
 * routes return the job at once and the work goes on in the background.
 */
export class ServiceOps {
  /** Background work not yet finished (the driver waits for it). */
  readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly model: CcModel,
    private readonly platform: () => CcPlatformApi,
  ) {}

  track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    void p.finally(() => this.running.delete(p)).catch(() => undefined);
    return p;
  }

  resolvePlan(inst: Instance) {
    const plan = this.model.get('plans', inst.plan_guid);
    const offering = this.model.offeringOf(plan);
    const broker = this.model.brokerOf(offering);
    return { plan, offering, broker };
  }

  #op(inst: Instance, plan: Plan, type: OperationType, resource: ResourceKind, extra: Partial<PlatformOperation>): PlatformOperation {
    const offering = this.model.offeringOf(plan)!;
    const broker = this.model.brokerOf(offering)!;
    return {
      type,
      resource,
      broker: endpoint(broker),
      instanceGuid: inst.guid,
      serviceId: offering.catalog_id,
      planId: plan.catalog_id,
      acceptsIncomplete: true,
      planBindable: plan.bindable ?? offering.bindable,
      bindingsRetrievable: offering.bindings_retrievable,
      instancesRetrievable: offering.instances_retrievable,
      serviceRequires: offering.requires,
      maximumPollingDurationSeconds: plan.maximum_polling_duration ?? undefined,
      instanceName: inst.name,
      ...extra,
    };
  }

  /** The v3 job error for a failed operation. */
  #jobError(r: OperationResult, type: OperationType, resource: ResourceKind) {
    if (r.jobError) return toEntry(r.jobError);
    if (r.timedOut) return toEntry(ccErrors.jobTimeout());
    const message = r.error?.description ?? r.description ?? 'unknown error';
    return toEntry(ccErrors.unableToPerform(operationVerb(type, resource), message));
  }

  /**
   * Runs one operation and keeps `rec.last_operation` and the job in step with every result. The
   * returned promise is the first broker response; `done` settles with the final one.
   */
  #run<R extends Instance | Binding>(
    rec: R,
    coll: 'instances' | 'bindings',
    op: PlatformOperation,
    job: Job | undefined,
    onSuccess: (r: OperationResult) => void,
    /** How the operation reaches the broker: a first request (default), or more polls after a restore. */
    begin: (observer: OperationObserver) => Promise<OperationResult> = (observer) => this.platform().start(op, observer),
  ): { first: Promise<OperationResult>; done: Promise<OperationResult> } {
    const m = this.model;
    let final: OperationResult | undefined;
    let resolveDone!: (r: OperationResult) => void;
    const done = new Promise<OperationResult>((r) => (resolveDone = r));
    const apply = (r: OperationResult) => {
      if (final) return;
      const live = m.get(coll, rec.guid) === rec;
      if (r.state === 'in progress') {
        if (live) {
          m.setLastOperation(rec, { type: op.type, state: 'in progress', description: r.description ?? rec.last_operation?.description ?? '' });
          if (r.brokerOperation !== undefined) rec.broker_operation = r.brokerOperation;
          if (r.dashboardUrl !== undefined && coll === 'instances') (rec as Instance).dashboard_url = r.dashboardUrl;
        }
        if (job && r.async && job.state === 'PROCESSING') m.setJob(job, 'POLLING');
        return;
      }
      final = r;
      if (r.state === 'succeeded' || r.gone) {
        if (op.type === 'delete') m.remove(coll, rec.guid);
        else if (live) {
          m.setLastOperation(rec, { type: op.type, state: 'succeeded', description: r.description ?? '' });
          delete rec.broker_operation;
          onSuccess(r);
        }
        if (job) {
          if (job.state !== 'COMPLETE') m.setJob(job, 'COMPLETE');
          if (op.type === 'delete') delete job.resource_guid;
        }
      } else {
        if (live && !r.keepLastOperation) {
          m.setLastOperation(rec, { type: op.type, state: 'failed', description: r.description ?? r.error?.description ?? '' });
          delete rec.broker_operation;
        }
        if (job) m.setJob(job, 'FAILED', this.#jobError(r, op.type, op.resource));
      }
      resolveDone(r);
    };
    const first = this.track(
      begin({ onUpdate: apply }).then(
          (r) => {
            apply(r);
            return r;
          },
          // The platform itself failed (e.g. closed by a reset mid-call): the operation fails, the job with it.
          (err: unknown) => {
            const r: OperationResult = {
              state: 'failed',
              description: (err as Error)?.message ?? 'An unknown error occurred.',
              error: { httpStatus: 500, code: 10001, errorCode: 'UnknownError', title: 'UnknownError', description: 'An unknown error occurred.' },
            };
            apply(r);
            return r;
          },
        ),
    );
    void first.catch(() => undefined);
    return { first, done };
  }

  // ------------------------------------------------------------------ instances

  /** The name is free, or held by an instance whose create failed: CC replaces it and cleans up at the broker. */
  #claimName(spaceGuid: string, name: string): void {
    const existing = this.model.all('instances').find((i) => i.space_guid === spaceGuid && i.name === name);
    if (!existing) return;
    const lo = existing.last_operation;
    if (existing.type === 'managed' && lo?.type === 'create' && lo.state === 'failed') {
      const { plan } = this.resolvePlan(existing);
      if (plan && this.model.brokerOf(this.model.offeringOf(plan))) {
        this.platform().mitigateOrphan(this.#op(existing, plan, 'delete', 'service_instance', {}));
      }
      for (const b of this.model.bindingsOf(existing.guid)) this.model.remove('bindings', b.guid);
      this.model.remove('instances', existing.guid);
      return;
    }
    refuse(instanceNameTaken(this.model, spaceGuid, name));
  }

  async createInstance(a: {
    name: string;
    spaceGuid: string;
    plan: Plan;
    parameters?: Record<string, unknown>;
    tags?: string[];
    userGuid?: string;
    vcapRequestId?: string;
    via: Via;
    acceptsIncomplete?: boolean;
    guid?: string;
    /** v3 `metadata`, saved with the new record before the broker is asked (as CC saves it first). */
    metadata?: unknown;
  }): Promise<Started<Instance>> {
    this.#claimName(a.spaceGuid, a.name);
    const m = this.model;
    const inst = m.addInstance({
      guid: a.guid,
      name: a.name,
      type: 'managed',
      space_guid: a.spaceGuid,
      plan_guid: a.plan.guid,
      tags: a.tags ?? [],
      dashboard_url: null,
      // CC saves the plan's maintenance_info with the new record, before it asks the broker
      maintenance_info: a.plan.maintenance_info ? { ...a.plan.maintenance_info } : null,
      last_operation: m.lastOperation('create', a.via === 'v3' ? 'initial' : 'in progress'),
    });
    m.applyMetadata(inst.metadata, a.metadata);
    const job = a.via === 'v3' ? m.addJob('service_instance.create', { type: 'service_instances', guid: inst.guid }) : undefined;
    const op = this.#op(inst, a.plan, 'create', 'service_instance', {
      body: provisionBody(m, a.spaceGuid, a.name, a.plan, a.parameters, inst.metadata.annotations),
      userGuid: a.userGuid,
      vcapRequestId: a.vcapRequestId,
      via: a.via,
      acceptsIncomplete: a.acceptsIncomplete ?? true,
    });
    if (job) m.setLastOperation(inst, { type: 'create', state: 'in progress' });
    const { first } = this.#run(inst, 'instances', op, job, (r) => created(inst, a.plan, r));
    if (a.via === 'v3') return { record: inst, job };
    return this.#v2Created(inst, 'instances', await first);
  }

  /** A user-provided instance: a record only, no broker. */
  createUserProvided(a: {
    name: string;
    spaceGuid: string;
    tags?: string[];
    credentials?: Record<string, unknown>;
    syslogDrainUrl: string | null;
    routeServiceUrl: string | null;
    metadata?: unknown;
  }): Instance {
    const m = this.model;
    const inst = m.addInstance({
      name: a.name,
      type: 'user-provided',
      space_guid: a.spaceGuid,
      tags: a.tags ?? [],
      dashboard_url: null,
      maintenance_info: null,
      last_operation: m.lastOperation('create', 'succeeded', 'Operation succeeded'),
      credentials: a.credentials ?? {},
      syslog_drain_url: a.syslogDrainUrl,
      route_service_url: a.routeServiceUrl,
    });
    m.applyMetadata(inst.metadata, a.metadata);
    return inst;
  }

  updateUserProvided(
    inst: Instance,
    a: { name?: string; tags?: string[]; credentials?: Record<string, unknown>; syslogDrainUrl?: string; routeServiceUrl?: string; metadata?: unknown },
  ): void {
    const m = this.model;
    m.applyMetadata(inst.metadata, a.metadata);
    if (a.name !== undefined) inst.name = a.name;
    if (a.tags) inst.tags = [...a.tags];
    if (a.credentials) inst.credentials = a.credentials;
    if (a.syslogDrainUrl !== undefined) inst.syslog_drain_url = a.syslogDrainUrl;
    if (a.routeServiceUrl !== undefined) inst.route_service_url = a.routeServiceUrl;
    m.setLastOperation(inst, { type: 'update', state: 'succeeded', description: 'Operation succeeded' });
  }

  /** CC v2 rolls the new row (instance, binding or key) back when the broker refuses it outright. */
  #v2Created<R extends Instance | Binding>(rec: R, coll: 'instances' | 'bindings', r: OperationResult): Started<R> {
    if (r.state === 'failed') {
      this.model.remove(coll, rec.guid);
      throw v2BrokerError(r);
    }
    return { record: rec, first: r };
  }

  /**
   * An update (v3 `PATCH`, v2 `PUT`): every rule is checked before anything changes. What CC keeps
   * to itself (name, tags, v3 metadata) is applied at once when no broker call is needed; v2 applies
   * it once the broker has accepted, v3 before the job starts. A v2 update without a broker call
   * still records `update`/`succeeded` (CC's updater lock).
   */
  async updateInstance(a: {
    inst: Instance;
    newPlan?: Plan;
    name?: string;
    tags?: string[];
    metadata?: unknown;
    parameters?: Record<string, unknown>;
    maintenanceInfo?: { version: string };
    userGuid?: string;
    vcapRequestId?: string;
    via: Via;
    acceptsIncomplete?: boolean;
  }): Promise<Started<Instance>> {
    const m = this.model;
    const inst = a.inst;
    refuse(instanceInProgress(inst));
    const newName = a.name !== undefined && a.name !== inst.name ? a.name : undefined;
    if (newName !== undefined) refuse(instanceNameTaken(m, inst.space_guid, newName, inst));
    const { plan, offering, broker } = this.resolvePlan(inst);
    const contextUpdates = !!offering?.allow_context_updates;
    const changesPlan = !!a.newPlan && a.newPlan.guid !== inst.plan_guid;
    // update_broker_needed?: v2 sends any name when the offering takes context updates; v3 a changed one.
    const renameViaBroker = contextUpdates && (a.via === 'v2' ? a.name !== undefined : newName !== undefined);
    const needsBroker =
      a.via === 'v2'
        ? a.parameters !== undefined || renameViaBroker || (!!a.maintenanceInfo && a.maintenanceInfo.version !== inst.maintenance_info?.version) || changesPlan
        : a.parameters !== undefined || !!a.newPlan || renameViaBroker || (!!a.maintenanceInfo && a.maintenanceInfo.version !== inst.maintenance_info?.version);
    const keepToCc = (withName: boolean) => {
      if (a.metadata !== undefined) m.applyMetadata(inst.metadata, a.metadata);
      if (a.tags) inst.tags = [...a.tags];
      if (withName && a.name !== undefined) inst.name = a.name;
      m.touch(inst);
    };
    if (!needsBroker) {
      keepToCc(true);
      if (a.via === 'v2') m.setLastOperation(inst, { type: 'update', state: 'succeeded', description: '' });
      return { record: inst };
    }
    if (!plan || !offering || !broker) refuse({ rule: 'instance-without-plan', planGuid: inst.plan_guid ?? '' });
    const pc = planChange(m, inst, { plan: plan!, offering: offering! }, a.newPlan, a.maintenanceInfo);
    if (isRefusal(pc)) throw new Refused(pc);
    const contextName = a.name ?? inst.name;
    if (a.via === 'v3') keepToCc(!renameViaBroker);
    const job = a.via === 'v3' ? m.addJob('service_instance.update', { type: 'service_instances', guid: inst.guid }) : undefined;
    const op = this.#op(inst, pc.target, 'update', 'service_instance', {
      body: updateBody(m, inst, pc.plan, { name: contextName, parameters: a.parameters, maintenanceInfo: pc.maintenanceInfo, via: a.via }),
      userGuid: a.userGuid,
      vcapRequestId: a.vcapRequestId,
      via: a.via,
      acceptsIncomplete: a.acceptsIncomplete ?? true,
    });
    m.setLastOperation(inst, { type: 'update', state: 'in progress', description: '' });
    const { first } = this.#run(inst, 'instances', op, job, (r) => {
      inst.plan_guid = pc.target.guid;
      if (renameViaBroker) inst.name = contextName;
      if (pc.maintenanceInfo) inst.maintenance_info = { ...pc.maintenanceInfo };
      else if (pc.changingPlan) inst.maintenance_info = null;
      if (r.dashboardUrl) inst.dashboard_url = r.dashboardUrl;
      setBrokerMetadata(inst, r.metadata);
    });
    if (a.via === 'v3') return { record: inst, job };
    const r = await first;
    if (r.state === 'failed') throw v2BrokerError(r);
    keepToCc(true);
    return { record: inst, first: r };
  }

  /** Deprovision; bindings and keys are unbound first (v3 always, v2 with `recursive=true`). */
  async deleteInstance(a: { inst: Instance; userGuid?: string; vcapRequestId?: string; via: Via; acceptsIncomplete?: boolean; withJob?: boolean }): Promise<Started<Instance>> {
    const m = this.model;
    const inst = a.inst;
    const { plan, offering, broker } = this.resolvePlan(inst);
    const job = a.via === 'v3' && a.withJob !== false ? m.addJob('service_instance.delete', { type: 'service_instances', guid: inst.guid }) : undefined;
    m.setLastOperation(inst, { type: 'delete', state: 'in progress', description: '' });
    if (!plan || !offering || !broker) {
      // No broker to ask (a record made without one): CC can only drop it.
      m.remove('instances', inst.guid);
      if (job) m.setJob(job, 'COMPLETE');
      return { record: inst, job, first: { state: 'succeeded' }, done: Promise.resolve({ state: 'succeeded' }) };
    }
    const unbindAll = async (): Promise<(OperationResult & { failedBinding: Binding }) | undefined> => {
      for (const b of m.bindingsOf(inst.guid)) {
        const { first, done } = this.#startUnbind(b, inst, plan, a.userGuid, a.via, undefined, true, a.vcapRequestId);
        const r = await first;
        const fin = r.state === 'in progress' ? await done : r;
        if (fin.state === 'failed' && !fin.gone) return { ...fin, failedBinding: b };
      }
      return undefined;
    };
    const deprovision = () => {
      const op = this.#op(inst, plan, 'delete', 'service_instance', { userGuid: a.userGuid, vcapRequestId: a.vcapRequestId, via: a.via, acceptsIncomplete: a.acceptsIncomplete ?? true });
      return this.#run(inst, 'instances', op, job, () => undefined);
    };
    if (a.via === 'v3') {
      const done = (async (): Promise<OperationResult> => {
        const failed = await unbindAll();
        if (failed) {
          // ServiceInstanceDelete raises the first unbinding error; the job wraps it as a failed delete.
          const message = failed.keepLastOperation
            ? unbindingInProgress(failed.failedBinding, inst.name, m.get('apps', failed.failedBinding.app_guid)?.name)
            : (failed.description ?? '');
          m.setLastOperation(inst, { type: 'delete', state: 'failed', description: message });
          const e = ccErrors.unableToPerform('delete', message);
          if (job) m.setJob(job, 'FAILED', toEntry(e));
          return { state: 'failed', description: message, error: { ...e, description: message }, jobError: e };
        }
        return deprovision().done;
      })();
      return { record: inst, job, done };
    }
    const failed = await unbindAll();
    if (failed) {
      m.setLastOperation(inst, { type: 'delete', state: 'failed', description: failed.error?.description ?? '' });
      throw ccError('ServiceInstanceRecursiveDeleteFailed', inst.name, failed.error?.description ?? failed.description ?? '');
    }
    const r = await deprovision().first;
    if (r.state === 'failed' && !r.gone) throw v2BrokerError(r);
    return { record: inst, first: r };
  }

  /** Purge: the records go, the broker hears nothing. */
  purgeInstance(inst: Instance): void {
    for (const b of this.model.bindingsOf(inst.guid)) this.model.remove('bindings', b.guid);
    this.model.remove('instances', inst.guid);
  }

  // ------------------------------------------------------------------ bindings and keys

  async createBinding(a: {
    type: 'app' | 'key';
    inst: Instance;
    app?: App;
    name?: string | null;
    parameters?: Record<string, unknown>;
    userGuid?: string;
    vcapRequestId?: string;
    via: Via;
    acceptsIncomplete?: boolean;
    /** v3 `metadata`, saved with the new record before the broker is asked. */
    metadata?: unknown;
  }): Promise<Started<Binding>> {
    const m = this.model;
    const { plan } = this.resolvePlan(a.inst);
    if (!plan) throw unprocessable('The service instance has no service plan.');
    // Re-binding an app whose earlier bind failed replaces that binding (C.5).
    if (a.type === 'app' && a.app) {
      const prev = m.bindingsOf(a.inst.guid).find((b) => b.type === 'app' && b.app_guid === a.app!.guid);
      if (prev) {
        if (prev.last_operation?.type === 'create' && prev.last_operation.state === 'failed') {
          this.platform().mitigateOrphan(this.#bindOp(prev, a.inst, plan, 'delete', {}));
          m.remove('bindings', prev.guid);
        } else if (a.via === 'v3') {
          // ServiceCredentialBindingAppCreate#validate_binding!
          const deleting = prev.last_operation?.type === 'delete' && prev.last_operation.state !== 'succeeded';
          throw unprocessable(deleting ? 'The binding is getting deleted or its deletion failed' : 'The app is already bound to the service instance');
        } else throw ccError('ServiceBindingAppServiceTaken', `${a.app.guid} ${a.inst.guid}`);
      }
    }
    const binding = m.addBinding({
      type: a.type,
      name: a.name ?? null,
      instance_guid: a.inst.guid,
      app_guid: a.app?.guid,
      credentials: {},
      syslog_drain_url: null,
      volume_mounts: [],
      last_operation: m.lastOperation('create', 'in progress'),
    });
    if (binding.app_guid === undefined) delete binding.app_guid;
    m.applyMetadata(binding.metadata, a.metadata);
    const resource: ResourceKind = a.type === 'app' ? 'service_binding' : 'service_key';
    const job = a.via === 'v3' ? m.addJob(`${JOB_OPERATION[resource]}.create`, { type: 'service_credential_bindings', guid: binding.guid }) : undefined;
    const op = this.#bindOp(binding, a.inst, plan, 'create', {
      body: bindBody(m, a.inst, a.app, a.parameters),
      userGuid: a.userGuid,
      vcapRequestId: a.vcapRequestId,
      via: a.via,
      acceptsIncomplete: a.acceptsIncomplete ?? true,
    });
    const { first } = this.#run(binding, 'bindings', op, job, (r) => bound(binding, r));
    if (a.via === 'v3') return { record: binding, job };
    return this.#v2Created(binding, 'bindings', await first);
  }

  #bindOp(b: Binding, inst: Instance, plan: Plan, type: OperationType, extra: Partial<PlatformOperation>): PlatformOperation {
    const resource: ResourceKind = b.type === 'app' ? 'service_binding' : 'service_key';
    const appName = this.model.get('apps', b.app_guid)?.name;
    return this.#op(inst, plan, type, resource, { bindingGuid: b.guid, ...(appName !== undefined ? { appName } : {}), ...extra });
  }

  /** v3 (ServiceBindingDelete) touches the binding only once the broker has answered; v2 marks it first. */
  #startUnbind(b: Binding, inst: Instance, plan: Plan, userGuid: string | undefined, via: Via, job?: Job, acceptsIncomplete = true, vcapRequestId?: string) {
    if (via === 'v2') this.model.setLastOperation(b, { type: 'delete', state: 'in progress', description: '' });
    const op = this.#bindOp(b, inst, plan, 'delete', { userGuid, via, acceptsIncomplete, vcapRequestId });
    return this.#run(b, 'bindings', op, job, () => undefined);
  }

  async deleteBinding(a: { binding: Binding; userGuid?: string; vcapRequestId?: string; via: Via; acceptsIncomplete?: boolean }): Promise<Started<Binding>> {
    const m = this.model;
    const inst = m.get('instances', a.binding.instance_guid);
    const plan = inst ? this.resolvePlan(inst).plan : undefined;
    const resource: ResourceKind = a.binding.type === 'app' ? 'service_binding' : 'service_key';
    const job =
      a.via === 'v3' ? m.addJob(`${JOB_OPERATION[resource]}.delete`, { type: 'service_credential_bindings', guid: a.binding.guid }) : undefined;
    if (!inst || !plan || !this.model.brokerOf(this.model.offeringOf(plan))) {
      m.remove('bindings', a.binding.guid);
      if (job) m.setJob(job, 'COMPLETE');
      return { record: a.binding, job, first: { state: 'succeeded' } };
    }
    const { first } = this.#startUnbind(a.binding, inst, plan, a.userGuid, a.via, job, a.acceptsIncomplete ?? true, a.vcapRequestId);
    if (a.via === 'v3') return { record: a.binding, job };
    const r = await first;
    if (r.state === 'failed' && !r.gone) throw v2BrokerError(r);
    return { record: a.binding, first: r };
  }

  // ------------------------------------------------------------------ after a restore

  /**
   * Polls again every operation a restored snapshot left in progress, through the same `#run` as
   * a new one; the job that was waiting on it when the snapshot was taken ends with it.
   */
  resumeAll(): void {
    const m = this.model;
    const waitingJob = (guid: string) => m.all('jobs').findLast((j) => j.resource_guid === guid && (j.state === 'POLLING' || j.state === 'PROCESSING'));
    const resume = (op: PlatformOperation, brokerOperation: string | undefined) => (observer: OperationObserver) => {
      this.platform().resume(op, brokerOperation, observer);
      return this.platform().wait(op);
    };
    for (const inst of m.all('instances')) {
      const lo = inst.last_operation;
      if (inst.type !== 'managed' || lo?.state !== 'in progress') continue;
      const { plan } = this.resolvePlan(inst);
      if (!plan || !m.brokerOf(m.offeringOf(plan))) continue;
      const op = this.#op(inst, plan, lo.type, 'service_instance', {});
      const onSuccess = (r: OperationResult) => (lo.type === 'create' ? created(inst, plan, r) : refreshed(inst, r));
      this.#run(inst, 'instances', op, waitingJob(inst.guid), onSuccess, resume(op, inst.broker_operation));
    }
    for (const b of m.all('bindings')) {
      const lo = b.last_operation;
      const inst = m.get('instances', b.instance_guid);
      if (!inst || lo?.state !== 'in progress' || lo.type === 'update') continue;
      const { plan } = this.resolvePlan(inst);
      if (!plan || !m.brokerOf(m.offeringOf(plan))) continue;
      const op = this.#bindOp(b, inst, plan, lo.type, {});
      this.#run(b, 'bindings', op, waitingJob(b.guid), (r) => bound(b, r), resume(op, b.broker_operation));
    }
  }
}

/** A create that succeeded: the plan's maintenance_info, the broker's dashboard_url and metadata. */
function created(inst: Instance, plan: Plan, r: OperationResult): void {
  inst.maintenance_info = plan.maintenance_info ? { ...plan.maintenance_info } : null;
  if (r.dashboardUrl !== undefined) inst.dashboard_url = r.dashboardUrl;
  setBrokerMetadata(inst, r.metadata);
}

/** An update that succeeded after a restore (the new plan went with the lost request). */
function refreshed(inst: Instance, r: OperationResult): void {
  if (r.dashboardUrl !== undefined && r.dashboardUrl !== null) inst.dashboard_url = r.dashboardUrl;
  setBrokerMetadata(inst, r.metadata);
}

/** A bind that succeeded: what the broker gave (or the fetch after an async bind). */
function bound(binding: Binding, r: OperationResult): void {
  if (r.credentials) binding.credentials = r.credentials;
  if (r.syslogDrainUrl !== undefined) binding.syslog_drain_url = r.syslogDrainUrl;
  if (r.volumeMounts) binding.volume_mounts = r.volumeMounts;
}

function setBrokerMetadata(inst: Instance, metadata: unknown): void {
  if (!metadata || typeof metadata !== 'object') return;
  const md = metadata as { labels?: Record<string, unknown>; attributes?: Record<string, unknown> };
  inst.broker_provided_metadata = { labels: md.labels ?? {}, attributes: md.attributes ?? {} };
}

/** ServiceInstanceDelete#unbinding_operation_in_progress! */
function unbindingInProgress(b: Binding, instanceName: string, appName: string | undefined): string {
  return b.type === 'app'
    ? `An operation for the service binding between app ${appName ?? ''} and service instance ${instanceName} is in progress.`
    : `An operation for a service binding of service instance ${instanceName} is in progress.`;
}

function toEntry(e: { code: number; title: string; description: string }) {
  return { code: e.code, title: e.title, detail: e.description };
}

/** The broker's error as CC v2 returns it synchronously. */
export function v2BrokerError(r: OperationResult): CcError {
  if (r.error) return fromInfo(r.error);
  return ccError('ServiceBrokerBadResponse', r.description ?? 'The service broker returned an error');
}
