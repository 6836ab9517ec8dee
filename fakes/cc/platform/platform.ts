import type { TimerHandle } from '../../core/clock.js';
import type { Kernel } from '../../core/kernel.js';
import type {
  BrokerEndpoint,
  CatalogResult,
  CcErrorInfo,
  CcPlatformApi,
  ExistingBrokerCatalog,
  FetchBindingRequest,
  FetchedBinding,
  FetchedInstance,
  FetchInstanceRequest,
  FetchResult,
  OperationObserver,
  OperationResult,
  PlatformOperation,
  PlatformOptions,
} from './api.js';
import { validateCatalog } from './catalog-validation.js';
import { boundedWait } from './timer-work.js';
import {
  BINDING_NOT_RETRIEVABLE,
  ccErrors,
  operationVerb,
  pollTimeoutDescription,
  publicError,
  type BrokerError,
} from './errors.js';
import { OrphanMitigator, DEFAULT_OM_ATTEMPTS, shouldMitigate } from './orphan-mitigation.js';
import { defaultApiInfoLocation, OsbTransport, seg, type BrokerRequest } from './osb-client.js';
import { DEFAULT_POLL_SETTINGS, maxPollingMs, nextPollDelaySeconds, type PollSettings } from './polling.js';
import {
  parseBind,
  parseCatalog,
  parseDeprovision,
  parseFetchBinding,
  parseFetchInstance,
  parseLastOperation,
  parseProvision,
  parseUnbind,
  parseUpdate,
  retryAfterSeconds,
  type Json,
  type Parsed,
  type ParsedOk,
} from './response-parser.js';

/** CC's `X-Broker-API-Version` (config/osbapi_version). */
export const CC_OSBAPI_VERSION = '2.15';

interface PollTask {
  key: string;
  op: PlatformOperation;
  brokerOperation?: string;
  deadline: number;
  polls: number;
  timer?: TimerHandle;
  observer?: OperationObserver;
  last: OperationResult;
  done: boolean;
}

interface Waiter {
  result?: OperationResult;
  resolve: (r: OperationResult) => void;
  promise: Promise<OperationResult>;
}

function opKey(op: PlatformOperation): string {
  return op.resource === 'service_instance' ? `si:${op.instanceGuid}` : `${op.resource}:${op.instanceGuid}:${op.bindingGuid ?? ''}`;
}

function isBinding(op: PlatformOperation): boolean {
  return op.resource !== 'service_instance';
}

function instancePath(op: { instanceGuid: string }): string {
  return `/v2/service_instances/${seg(op.instanceGuid)}`;
}

function resourcePath(op: PlatformOperation): string {
  return isBinding(op) ? `${instancePath(op)}/service_bindings/${seg(op.bindingGuid ?? '')}` : instancePath(op);
}

/** The plan CC names when polling: the instance's plan before an update lands. */
function pollPlanId(op: PlatformOperation): string {
  const prev = (op.body?.previous_values as Json | undefined)?.plan_id;
  return op.type === 'update' && typeof prev === 'string' ? prev : op.planId;
}

/** The broker's ConcurrencyError on an unbind, as V3::ServiceBindingDelete words it. */
const BROKER_UNBIND_CONCURRENCY = 'The service broker rejected the request due to an operation being in progress for the service binding.';

/**
 * The v3 job error when the broker reports `failed` while CC polls: a failed create reads "create
 * managed could not be completed" (ServiceInstanceCreateManaged), a delete "delete ..."; bind and
 * unbind jobs raise LastOperationFailedState without a message, so its class name is all they say.
 */
function pollFailure(op: PlatformOperation, description: string): CcErrorInfo {
  if (isBinding(op)) return ccErrors.unableToPerform(op.type === 'delete' ? 'unbind' : 'create', LAST_OPERATION_FAILED_STATE);
  if (op.type === 'create') return ccErrors.unableToPerform('create managed', description);
  return ccErrors.unableToPerform(op.type === 'delete' ? 'delete' : 'update', description);
}

const LAST_OPERATION_FAILED_STATE = 'VCAP::CloudController::V3::LastOperationFailedState';

function copyResultFields(out: OperationResult, body: Json): void {
  if ('dashboard_url' in body) out.dashboardUrl = body.dashboard_url as string | null;
  if (body.credentials && typeof body.credentials === 'object') out.credentials = body.credentials as Record<string, unknown>;
  if (typeof body.syslog_drain_url === 'string') out.syslogDrainUrl = body.syslog_drain_url;
  if (typeof body.route_service_url === 'string') out.routeServiceUrl = body.route_service_url;
  if (Array.isArray(body.volume_mounts)) out.volumeMounts = body.volume_mounts;
  if (Array.isArray(body.endpoints)) out.endpoints = body.endpoints;
  if ('parameters' in body) out.parameters = body.parameters;
  if ('metadata' in body) out.metadata = body.metadata;
}

export class CcPlatform implements CcPlatformApi {
  readonly settings: PollSettings;
  readonly brokerTimeoutMs: number;
  readonly apiVersion: string;
  #kernel: Kernel;
  #transport: OsbTransport;
  #om: OrphanMitigator;
  #tasks = new Map<string, PollTask>();
  #waiters = new Map<string, Waiter>();
  #inflight = new Set<Promise<unknown>>();
  #closed = false;
  #features: { routeServicesEnabled?: boolean; volumeServicesEnabled?: boolean };

  constructor(kernel: Kernel, opts: PlatformOptions = {}) {
    this.#kernel = kernel;
    this.settings = {
      defaultIntervalSeconds: opts.defaultPollIntervalSeconds ?? DEFAULT_POLL_SETTINGS.defaultIntervalSeconds,
      maxIntervalSeconds: opts.maxPollIntervalSeconds ?? DEFAULT_POLL_SETTINGS.maxIntervalSeconds,
      backoffRate: opts.pollBackoffRate ?? DEFAULT_POLL_SETTINGS.backoffRate,
      maxDurationMinutes: opts.maxPollingDurationMinutes ?? DEFAULT_POLL_SETTINGS.maxDurationMinutes,
    };
    this.brokerTimeoutMs = (opts.brokerTimeoutSeconds ?? 60) * 1000;
    this.apiVersion = opts.apiVersion ?? CC_OSBAPI_VERSION;
    this.#features = { routeServicesEnabled: opts.routeServicesEnabled, volumeServicesEnabled: opts.volumeServicesEnabled };
    this.#transport = new OsbTransport(kernel, kernel.random.fork('cc-platform'), {
      apiVersion: this.apiVersion,
      timeoutMs: this.brokerTimeoutMs,
      apiInfoLocation: opts.apiInfoLocation ?? defaultApiInfoLocation(kernel),
    });
    this.#om = new OrphanMitigator(kernel, this.#transport, opts.orphanMitigationAttempts ?? DEFAULT_OM_ATTEMPTS, (p) =>
      this.#track(p),
    );
  }

  // --- catalog ---

  async fetchCatalog(broker: BrokerEndpoint, existing?: ExistingBrokerCatalog, opts: { userGuid?: string } = {}): Promise<CatalogResult> {
    const res = await this.#track(
      this.#transport.call(broker, { method: 'GET', path: '/v2/catalog', userGuid: opts.userGuid, tags: ['catalog'] }),
    );
    if (res.kind === 'error') return { ok: false, error: publicError(res.error) };
    const parsed = parseCatalog(res.facts);
    if (!parsed.ok) {
      const e = parsed.error;
      if (e.errorClass === 'ServiceBrokerResponseMalformed') return { ok: false, error: ccErrors.catalogRequestMalformed(res.facts.body) };
      if (e.errorClass === 'ServiceBrokerRequestRejected')
        return { ok: false, error: ccErrors.catalogRequestRejected(res.facts.status, res.facts.statusText) };
      return { ok: false, error: publicError(e) };
    }
    return validateCatalog(parsed.body, existing, this.#features);
  }

  // --- operations ---

  async start(op: PlatformOperation, observer?: OperationObserver): Promise<OperationResult> {
    if (this.#closed) throw new Error('the platform is closed');
    const key = opKey(op);
    this.#stopTask(key);
    const waiter = this.#newWaiter(key);
    const res = await this.#track(this.#transport.call(op.broker, this.#firstRequest(op)));
    let parsed: Parsed;
    if (res.kind === 'error') parsed = { ok: false, error: res.error };
    else parsed = this.#parseFirst(op, res.facts);

    if (!parsed.ok) {
      const result = this.#failFirst(op, parsed.error, observer);
      this.#settleWaiter(waiter, result);
      observer?.onUpdate(result);
      return result;
    }

    const result = this.#interpret(op, parsed);
    if (result.state === 'in progress') {
      if (op.type === 'create' && isBinding(op) && !op.bindingsRetrievable) {
        const failed: OperationResult = {
          state: 'failed',
          description: BINDING_NOT_RETRIEVABLE,
          brokerOperation: result.brokerOperation,
          async: true,
          error: ccErrors.bindingNotRetrievable(),
          jobError: ccErrors.bindingNotRetrievable(),
          orphanMitigation: 'none',
        };
        this.#settleWaiter(waiter, failed);
        observer?.onUpdate(failed);
        return failed;
      }
      this.#startPolling(key, op, result, observer);
      observer?.onUpdate(result);
      return { ...result };
    }
    this.#settleWaiter(waiter, result);
    observer?.onUpdate(result);
    return result;
  }

  resume(op: PlatformOperation, brokerOperation: string | undefined, observer?: OperationObserver): void {
    const key = opKey(op);
    this.#stopTask(key);
    this.#newWaiter(key);
    const last: OperationResult = { state: 'in progress', async: true };
    if (brokerOperation !== undefined) last.brokerOperation = brokerOperation;
    this.#startPolling(key, op, last, observer);
  }

  wait(op: PlatformOperation): Promise<OperationResult> {
    const w = this.#waiters.get(opKey(op));
    if (!w) return Promise.reject(new Error(`no operation was started for ${opKey(op)}`));
    return w.promise;
  }

  mitigateOrphan(op: PlatformOperation): void {
    void this.#om.mitigate(op);
  }

  cancel(op: PlatformOperation): void {
    this.#stopTask(opKey(op));
  }

  async fetchInstance(req: FetchInstanceRequest): Promise<FetchResult<FetchedInstance>> {
    const res = await this.#track(
      this.#transport.call(req.broker, {
        method: 'GET',
        // CC's client sends neither service_id nor plan_id on these GETs.
        path: instancePath(req),
        userGuid: req.userGuid,
        tags: ['fetch-instance'],
      }),
    );
    if (res.kind === 'error') return { ok: false, error: publicError(res.error) };
    const parsed = parseFetchInstance(res.facts);
    return parsed.ok ? { ok: true, value: parsed.body as FetchedInstance } : { ok: false, error: publicError(parsed.error) };
  }

  async fetchBinding(req: FetchBindingRequest): Promise<FetchResult<FetchedBinding>> {
    const res = await this.#track(
      this.#transport.call(req.broker, {
        method: 'GET',
        path: `${instancePath(req)}/service_bindings/${seg(req.bindingGuid)}`,
        userGuid: req.userGuid,
        tags: ['fetch-binding'],
      }),
    );
    if (res.kind === 'error') return { ok: false, error: publicError(res.error) };
    const parsed = parseFetchBinding(res.facts);
    return parsed.ok ? { ok: true, value: parsed.body as FetchedBinding } : { ok: false, error: publicError(parsed.error) };
  }

  pending(): number {
    let n = this.#om.pending();
    for (const t of this.#tasks.values()) if (!t.done) n++;
    return n;
  }

  async settle(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  close(): void {
    this.#closed = true;
    this.reset();
  }

  /** Drops every poll and orphan-mitigation retry but stays usable (foundation reset / restore). */
  reset(): void {
    for (const key of [...this.#tasks.keys()]) this.#stopTask(key);
    this.#om.close();
  }

  /** Orphan-mitigation jobs so far (for tests and the control API). */
  orphanMitigations() {
    return this.#om.records();
  }

  // --- internals ---

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inflight.add(p);
    const done = () => this.#inflight.delete(p);
    p.then(done, done);
    return p;
  }

  #newWaiter(key: string): Waiter {
    let resolve!: (r: OperationResult) => void;
    const promise = new Promise<OperationResult>((r) => (resolve = r));
    const w: Waiter = { resolve, promise };
    this.#waiters.set(key, w);
    return w;
  }

  #settleWaiter(w: Waiter, r: OperationResult): void {
    if (w.result) return;
    w.result = r;
    w.resolve({ ...r });
  }

  #firstRequest(op: PlatformOperation): BrokerRequest {
    const acceptsIncomplete = op.acceptsIncomplete ?? true;
    const tags = [operationVerb(op.type, op.resource)];
    const common = { userGuid: op.userGuid, vcapRequestId: op.vcapRequestId, tags };
    if (op.type === 'delete') {
      return {
        method: 'DELETE',
        path: resourcePath(op),
        query: { accepts_incomplete: acceptsIncomplete ? true : undefined, plan_id: op.planId, service_id: op.serviceId },
        ...common,
      };
    }
    const body = { service_id: op.serviceId, plan_id: op.planId, ...(op.body ?? {}) };
    body.service_id = op.serviceId;
    body.plan_id = op.planId;
    return {
      method: op.type === 'update' ? 'PATCH' : 'PUT',
      path: resourcePath(op),
      query: acceptsIncomplete ? { accepts_incomplete: true } : undefined,
      body,
      ...common,
    };
  }

  #parseFirst(op: PlatformOperation, facts: Parameters<typeof parseProvision>[0]): Parsed {
    if (!isBinding(op)) {
      if (op.type === 'create') return parseProvision(facts);
      if (op.type === 'update') return parseUpdate(facts);
      return parseDeprovision(facts);
    }
    if (op.type === 'delete') return parseUnbind(facts);
    return parseBind(facts, { requires: op.serviceRequires ?? (op.resource === 'route_binding' ? ['route_forwarding'] : []) });
  }

  #interpret(op: PlatformOperation, p: ParsedOk): OperationResult {
    const out: OperationResult = { state: p.state === 'in progress' ? 'in progress' : 'succeeded' };
    if (p.description !== undefined) out.description = p.description;
    if (p.state === 'in progress') {
      out.async = true;
      if (p.operation !== undefined) out.brokerOperation = p.operation;
    }
    if (p.gone || (op.type === 'delete' && out.state === 'succeeded')) out.gone = true;
    if (op.type !== 'delete') copyResultFields(out, p.body);
    // An update only replaces dashboard_url with a value; absent or null keeps the old one.
    if (op.type === 'update' && !out.dashboardUrl) delete out.dashboardUrl;
    return out;
  }

  /** What CC makes of a failed first response: the v2 error, the v3 job error, and what `last_operation` keeps. */
  #failFirst(op: PlatformOperation, err: BrokerError, observer?: OperationObserver): OperationResult {
    const name = op.instanceName ?? op.instanceGuid;
    let error: CcErrorInfo = publicError(err);
    let description = error.description;
    let jobError: CcErrorInfo = error.code === 10001 ? ccErrors.unableToPerform(operationVerb(op.type, op.resource), error.description) : error;
    let keepLastOperation = false;
    if (op.type === 'delete' && op.resource === 'service_instance') {
      // client.deprovision: a 422 ConcurrencyError is CC's own error; anything else names the instance.
      if (err.errorClass === 'ConcurrencyError') error = jobError = ccErrors.instanceOperationInProgress(name);
      else {
        error = { ...error, description: `Service instance ${name}: ${error.description}` };
        jobError = ccErrors.unableToPerform('delete', error.description);
      }
      description = error.description;
    } else if (op.type === 'delete' && isBinding(op)) {
      // V3::ServiceBindingDelete: a broker's ConcurrencyError leaves the binding as it was.
      if (err.errorClass === 'ConcurrencyError') {
        if (op.appName) error = ccErrors.bindingOperationInProgress(op.appName, name);
        jobError = ccErrors.unableToPerform('unbind', BROKER_UNBIND_CONCURRENCY);
        keepLastOperation = true;
      } else {
        description = `Service broker failed to delete service binding for instance ${name}: ${error.description}`;
        jobError = ccErrors.unableToPerform('unbind', description);
      }
    }
    const result: OperationResult = { state: 'failed', description, error, jobError, orphanMitigation: 'none' };
    if (keepLastOperation) result.keepLastOperation = true;
    // The cleanup DELETE is a job of its own: the failure is reported at once, not after it.
    if (shouldMitigate(op, err)) result.orphanMitigation = this.#om.mitigate(op, (state) => observer?.onUpdate({ ...result, orphanMitigation: state }));
    return result;
  }

  #startPolling(key: string, op: PlatformOperation, first: OperationResult, observer?: OperationObserver): void {
    const task: PollTask = {
      key,
      op,
      brokerOperation: first.brokerOperation,
      deadline: this.#kernel.clock.now() + maxPollingMs(this.settings, op.maximumPollingDurationSeconds),
      polls: 0,
      observer,
      last: { ...first },
      done: false,
    };
    this.#tasks.set(key, task);
    // The first poll runs at once, in the same job run as the 202 (no clock move needed).
    void this.#track(Promise.resolve().then(() => this.#poll(task)));
  }

  #stopTask(key: string): void {
    const t = this.#tasks.get(key);
    if (!t) return;
    t.done = true;
    t.timer?.cancel();
    this.#tasks.delete(key);
    const w = this.#waiters.get(key);
    if (w && !w.result) this.#settleWaiter(w, t.last);
  }

  #emit(task: PollTask, next: OperationResult): void {
    const prev = task.last;
    task.last = next;
    const changed =
      prev.state !== next.state || prev.description !== next.description || next.state !== 'in progress';
    if (changed) task.observer?.onUpdate({ ...next });
  }

  #finish(task: PollTask, result: OperationResult): void {
    task.done = true;
    task.timer = undefined;
    if (this.#tasks.get(task.key) === task) this.#tasks.delete(task.key);
    this.#emit(task, result);
    const w = this.#waiters.get(task.key);
    if (w) this.#settleWaiter(w, result);
  }

  /** ReoccurringJob#success: the next poll, or expiry now if that poll would fall past the maximum duration. */
  #schedule(task: PollTask, retryAfter: number | undefined): Promise<void> | void {
    const delay = nextPollDelaySeconds(this.settings, task.polls, retryAfter) * 1000;
    if (this.#kernel.clock.now() + delay > task.deadline) return this.#timeout(task);
    task.timer = this.#kernel.clock.after(delay, () => boundedWait(this.#track(this.#poll(task))));
  }

  async #poll(task: PollTask): Promise<void> {
    if (task.done || this.#closed) return;
    task.timer = undefined;
    const op = task.op;
    if (this.#kernel.clock.now() > task.deadline) return this.#timeout(task);

    task.polls++;
    const query: Record<string, string | undefined> = {
      operation: task.brokerOperation,
      plan_id: pollPlanId(op),
      service_id: op.serviceId,
    };
    const res = await this.#transport.call(op.broker, {
      method: 'GET',
      path: `${resourcePath(op)}/last_operation`,
      query,
      userGuid: op.userGuid,
      vcapRequestId: op.vcapRequestId,
      tags: ['last-operation'],
    });
    if (task.done || this.#closed) return;

    // Any error while polling (timeout, unreachable, 4xx but 400, 5xx, bad body) leaves the
    // operation in progress; CC logs it and polls again.
    const parsed: Parsed = res.kind === 'error' ? { ok: false, error: res.error } : parseLastOperation(res.facts);
    if (!parsed.ok) {
      // Instances keep their last description; a binding poll error reads as "in progress" with none.
      if (isBinding(op)) this.#emit(task, { ...this.#base(task), state: 'in progress' });
      return this.#schedule(task, undefined);
    }
    const retryAfter = res.kind === 'response' ? retryAfterSeconds(res.headers.get('retry-after')) : undefined;

    if (parsed.gone) {
      if (op.type === 'delete') return this.#finish(task, { ...this.#base(task), state: 'succeeded', gone: true });
      // 410 while creating or updating reads as "in progress" (with no description): keep polling.
      this.#emit(task, { ...this.#base(task), state: 'in progress' });
      return this.#schedule(task, retryAfter);
    }

    const description = parsed.description;
    if (parsed.state === 'in progress') {
      const next: OperationResult = { ...this.#base(task), state: 'in progress' };
      if (description !== undefined) next.description = description;
      this.#emit(task, next);
      return this.#schedule(task, retryAfter);
    }
    if (parsed.state === 'failed') {
      const e = pollFailure(op, description ?? '');
      const failed: OperationResult = { ...this.#base(task), state: 'failed', error: e, jobError: e, orphanMitigation: 'none' };
      if (description !== undefined) failed.description = description;
      return this.#finish(task, failed);
    }
    return this.#succeeded(task, description);
  }

  #base(task: PollTask): OperationResult {
    const b: OperationResult = { state: task.last.state, async: true };
    if (task.brokerOperation !== undefined) b.brokerOperation = task.brokerOperation;
    for (const k of ['dashboardUrl', 'credentials', 'syslogDrainUrl', 'routeServiceUrl', 'volumeMounts', 'endpoints', 'parameters', 'metadata'] as const) {
      if (task.last[k] !== undefined) (b as unknown as Record<string, unknown>)[k] = task.last[k];
    }
    return b;
  }

  async #succeeded(task: PollTask, description: string | undefined): Promise<void> {
    const op = task.op;
    const out: OperationResult = { ...this.#base(task), state: 'succeeded' };
    if (description !== undefined) out.description = description;
    if (op.type === 'delete') {
      out.gone = true;
      return this.#finish(task, out);
    }
    if (!isBinding(op)) {
      // CC refreshes dashboard_url from a fetch when it can; a failed fetch is only logged.
      if (op.instancesRetrievable) {
        const f = await this.fetchInstance({ broker: op.broker, instanceGuid: op.instanceGuid, serviceId: op.serviceId, planId: op.planId, userGuid: op.userGuid });
        if (f.ok) {
          if (f.value.dashboard_url !== undefined) out.dashboardUrl = f.value.dashboard_url;
          if (f.value.parameters !== undefined) out.parameters = f.value.parameters;
          if (f.value.metadata !== undefined) out.metadata = f.value.metadata;
        }
      }
      return this.#finish(task, out);
    }
    if (op.type === 'update') return this.#finish(task, out);
    // An async bind only completes with the binding fetched (credentials come from there).
    const f = await this.fetchBinding({
      broker: op.broker,
      instanceGuid: op.instanceGuid,
      bindingGuid: op.bindingGuid ?? '',
      serviceId: op.serviceId,
      planId: op.planId,
      userGuid: op.userGuid,
    });
    if (task.done) return;
    if (!f.ok) {
      const e = ccErrors.unableToPerform(operationVerb(op.type, op.resource), f.error.description);
      return this.#finish(task, {
        ...this.#base(task),
        state: 'failed',
        description: f.error.description,
        error: f.error,
        jobError: e,
        orphanMitigation: 'none',
      });
    }
    copyResultFields(out, f.value as Json);
    return this.#finish(task, out);
  }

  #timeout(task: PollTask): void {
    const op = task.op;
    const result: OperationResult = {
      ...this.#base(task),
      state: 'failed',
      description: pollTimeoutDescription(op.type, op.resource),
      error: ccErrors.jobTimeout(),
      jobError: ccErrors.jobTimeout(),
      timedOut: true,
      orphanMitigation: 'none',
    };
    task.done = true;
    if (op.type === 'create') result.orphanMitigation = this.#om.mitigate(op, (state) => task.observer?.onUpdate({ ...result, orphanMitigation: state }));
    this.#finish(task, result);
  }
}
