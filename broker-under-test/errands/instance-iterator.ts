/**
 * upgrade-all-service-instances and recreate-all-service-instances (ODB's `instanceiterator`): list
 * the instances through the broker, run canaries first, then the rest with at most `max_in_flight`
 * operations at a time, polling each; busy instances are retried for `attempt_limit` attempts.
 * Upgrades go first through CF when it can (osbapi_version ≥ 2.15 and `maintenance_info_present`),
 * then through the broker's management API. The log lines are ODB's.
 * @module
 */
import type { CcClient } from '../clients/cc.js';
import type { CfSection } from '../config/types.js';
import { BrokerApi, statusText, type BrokerApiConfig, type MgmtInstance } from './broker-api.js';
import { errandCc } from './cf.js';
import type { ErrandRun } from './env.js';

export interface InstanceIteratorConfig {
  broker_api: BrokerApiConfig;
  polling_interval?: number;
  attempt_interval?: number;
  attempt_limit?: number;
  request_timeout?: number;
  max_in_flight?: number;
  canaries?: number;
  canary_selection_params?: { org?: string; space?: string };
  cf?: CfSection;
  maintenance_info_present?: boolean;
}

type State = 'not-started' | 'accepted' | 'succeeded' | 'skipped' | 'failed' | 'busy' | 'instance-not-found' | 'orphan-deployment';

interface Triggered {
  state: State;
  data?: string;
  taskId?: number;
  description?: string;
}

interface Triggerer {
  trigger(instance: MgmtInstance): Promise<Triggered>;
  check(guid: string, data: string | undefined): Promise<Triggered>;
}

const RESULT_TEXT: Partial<Record<State, string>> = {
  accepted: 'operation accepted',
  'instance-not-found': 'already deleted from platform',
  'orphan-deployment': 'orphan service instance detected - no corresponding bosh deployment',
  busy: 'operation in progress',
  skipped: 'instance already up to date - operation skipped',
};

function brokerTriggerer(api: BrokerApi, operationType: 'upgrade' | 'recreate'): Triggerer {
  return {
    async trigger(instance) {
      const r = await api.call('PATCH', `/mgmt/service_instances/${instance.service_instance_id}?operation_type=${operationType}`, {
        plan_id: instance.plan_id,
        context: { space_guid: instance.space_guid },
      });
      switch (r.status) {
        case 202: {
          const taskId = Number((JSON.parse(r.text) as { BoshTaskID?: number }).BoshTaskID ?? 0);
          return { state: 'accepted', data: r.text, taskId };
        }
        case 204:
          return { state: 'skipped' };
        case 404:
          return { state: 'instance-not-found' };
        case 410:
          return { state: 'orphan-deployment' };
        case 409:
          return { state: 'busy' };
        default:
          throw new Error(`unexpected status code: ${r.status}. description: ${descriptionOf(r.text)}`);
      }
    },
    async check(guid, data) {
      const r = await api.call('GET', `/v2/service_instances/${guid}/last_operation?operation=${encodeURIComponent(data ?? '')}`);
      if (r.status !== 200) throw new Error(`HTTP response status: ${r.status} ${statusText(r.status)}. ${r.text}`);
      const lo = JSON.parse(r.text) as { state: string; description?: string };
      const taskId = Number((JSON.parse(data ?? '{}') as { BoshTaskID?: number }).BoshTaskID ?? 0);
      if (lo.state === 'succeeded') return { state: 'succeeded', data, taskId };
      if (lo.state === 'failed') return { state: 'failed', data, taskId, description: lo.description };
      return { state: 'accepted', data, taskId };
    },
  };
}

function cfTriggerer(cc: CcClient): Triggerer {
  const lastOp = (json: unknown) => (json as { entity?: { last_operation?: { state?: string; description?: string } } })?.entity?.last_operation;
  return {
    async trigger(instance) {
      const plans = await cc.get<{ resources: { entity: { maintenance_info?: { version?: string } } }[] }>(
        `/v2/service_plans?q=service_instance_guid:${instance.service_instance_id}`,
      );
      const plan = plans.resources?.[0];
      if (!plan) return { state: 'instance-not-found' };
      const version = plan.entity.maintenance_info?.version;
      const si = await cc.request('GET', `/v2/service_instances/${instance.service_instance_id}`);
      if (si.status === 404) return { state: 'instance-not-found' };
      const current = (si.json as { entity?: { maintenance_info?: { version?: string } } })?.entity?.maintenance_info?.version;
      if (!version || current === version) return { state: 'skipped' };
      const res = await cc.request('PUT', `/v2/service_instances/${instance.service_instance_id}?accepts_incomplete=true`, { maintenance_info: { version } });
      if (res.status === 404) return { state: 'instance-not-found' };
      if (res.status === 409) return { state: 'busy' };
      if (res.status !== 202 && res.status !== 201) throw new Error(`unexpected status code: ${res.status}. description: ${descriptionOf(res.text)}`);
      const op = lastOp(res.json);
      if (op?.state === 'succeeded') return { state: 'succeeded' };
      if (op?.state === 'failed') return { state: 'failed', description: op.description };
      return { state: 'accepted' };
    },
    async check(guid) {
      const r = await cc.request('GET', `/v2/service_instances/${guid}`);
      if (r.status === 404) return { state: 'instance-not-found' };
      const op = lastOp(r.json);
      if (op?.state === 'succeeded') return { state: 'succeeded' };
      if (op?.state === 'failed') return { state: 'failed', description: op.description };
      return { state: 'accepted' };
    },
  };
}

function descriptionOf(text: string): string {
  try {
    return String((JSON.parse(text) as { description?: string }).description ?? text);
  } catch {
    return text;
  }
}

interface Tracked {
  instance: MgmtInstance;
  state: State;
  op?: Triggered;
}

class Iteration {
  readonly failures: { guid: string; message: string }[] = [];
  readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly run: ErrandRun,
    private readonly prefix: string,
    private readonly api: BrokerApi,
    private readonly triggerer: Triggerer,
    private readonly cfg: Required<Pick<InstanceIteratorConfig, 'polling_interval' | 'attempt_interval' | 'attempt_limit' | 'max_in_flight'>>,
  ) {}

  log(msg: string): void {
    this.run.log.log(`[${this.prefix}] ${msg}`);
  }

  count(state: State): number {
    return [...this.tracked.values()].filter((t) => t.state === state).length;
  }

  /** One phase (canaries, or everything left) with retries of busy instances. */
  async phase(instances: MgmtInstance[], canaries: number | undefined): Promise<void> {
    const limit = this.cfg.attempt_limit;
    for (let attempt = 1; attempt <= limit; attempt++) {
      const pending = instances.filter((i) => {
        const t = this.tracked.get(i.service_instance_id)!;
        if (t.state === 'busy') t.state = 'not-started';
        return t.state === 'not-started';
      });
      if (canaries !== undefined) {
        const remaining = canaries - instances.filter((i) => ['succeeded', 'skipped'].includes(this.tracked.get(i.service_instance_id)!.state)).length;
        this.log(attempt > 1 ? `Processing ${remaining} remaining canaries. Attempt ${attempt}/${limit}` : `Processing all canaries. Attempt ${attempt}/${limit}`);
      } else {
        this.log(attempt > 1 ? `Processing all remaining instances. Attempt ${attempt}/${limit}` : `Processing all instances. Attempt ${attempt}/${limit}`);
      }
      const inFlight: Tracked[] = [];
      let index = 0;
      const canariesDone = () =>
        canaries !== undefined && instances.filter((i) => ['succeeded', 'skipped'].includes(this.tracked.get(i.service_instance_id)!.state)).length >= canaries;
      while (pending.length > 0 || inFlight.length > 0) {
        if (this.failures.length === 0) {
          let room = this.cfg.max_in_flight - inFlight.length;
          if (canaries !== undefined) room = Math.min(room, canaries - inFlight.length - instances.filter((i) => ['succeeded', 'skipped'].includes(this.tracked.get(i.service_instance_id)!.state)).length);
          // The latest instance info (plan changes, deletions), listed once per round of triggers.
          let fresh: MgmtInstance[] | undefined;
          if (room > 0 && pending.length > 0) fresh = await this.api.instances().catch(() => undefined);
          while (room > 0 && pending.length > 0) {
            const inst = pending.shift()!;
            const t = this.tracked.get(inst.service_instance_id)!;
            index++;
            this.log(`[${inst.service_instance_id}] Starting to process service instance${canaries === undefined ? ` ${index} of ${instances.length}` : ''}`);
            let latest: MgmtInstance | undefined = inst;
            if (fresh) latest = fresh.find((i) => i.service_instance_id === inst.service_instance_id);
            else this.run.log.log(`[${inst.service_instance_id}] Failed to get refreshed list of instances. Continuing with previously fetched info.`);
            let op: Triggered;
            try {
              op = latest ? await this.triggerer.trigger(latest) : { state: 'instance-not-found' };
            } catch (err) {
              t.state = 'failed';
              this.failures.push({ guid: inst.service_instance_id, message: (err as Error).message });
              break;
            }
            t.state = op.state;
            t.op = op;
            this.log(`[${inst.service_instance_id}] Result: ${RESULT_TEXT[op.state] ?? 'unexpected result'}`);
            if (op.state === 'accepted') {
              this.log(op.taskId ? `[${inst.service_instance_id}] Waiting for operation to complete: bosh task id ${op.taskId}` : `[${inst.service_instance_id}] Waiting for operation to complete`);
              inFlight.push(t);
              room--;
            } else if (op.state === 'succeeded') {
              this.log(`[${inst.service_instance_id}] Result: Service Instance operation success`);
            }
          }
        }
        for (const t of [...inFlight]) {
          const guid = t.instance.service_instance_id;
          let r: Triggered;
          try {
            r = await this.triggerer.check(guid, t.op?.data);
          } catch (err) {
            t.state = 'failed';
            this.failures.push({ guid, message: (err as Error).message });
            inFlight.splice(inFlight.indexOf(t), 1);
            continue;
          }
          if (r.state === 'accepted') continue;
          inFlight.splice(inFlight.indexOf(t), 1);
          t.state = r.state;
          if (r.state === 'succeeded') this.log(`[${guid}] Result: Service Instance operation success`);
          if (r.state === 'failed') {
            this.log(`[${guid}] Result: Service Instance operation failure`);
            this.failures.push({ guid, message: `[${guid}] Operation failed: bosh task id ${r.taskId ?? 0}: ${r.description ?? ''}` });
          }
        }
        if (inFlight.length > 0) {
          await this.run.clock.sleep(this.cfg.polling_interval * 1000);
          continue;
        }
        if (this.failures.length > 0) throw this.error(canaries !== undefined);
        if (canariesDone()) return;
      }
      this.log(
        `Progress summary: Sleep interval until next attempt: ${this.cfg.attempt_interval}s; ` +
          `Number of successful operations so far: ${this.count('succeeded')}; Number of skipped operations so far: ${this.count('skipped')}; ` +
          `Number of service instance orphans detected so far: ${this.count('orphan-deployment')}; ` +
          `Number of deleted instances before operation could happen: ${this.count('instance-not-found')}; ` +
          `Number of operations in progress (to retry) so far: ${instances.filter((i) => this.tracked.get(i.service_instance_id)!.state === 'busy').length}`,
      );
      if (!instances.some((i) => this.tracked.get(i.service_instance_id)!.state === 'busy')) return;
      if (attempt < limit) await this.run.clock.sleep(this.cfg.attempt_interval * 1000);
    }
    const busy = instances.filter((i) => this.tracked.get(i.service_instance_id)!.state === 'busy').map((i) => i.service_instance_id);
    if (busy.length) {
      if (canaries !== undefined) {
        throw new Error(`canaries didn't process successfully: attempted to process ${canaries} canaries, but only found ${canaries - busy.length} instances not already in use by another BOSH task.`);
      }
      throw new Error(`The following instances could not be processed: ${busy.join(', ')}`);
    }
  }

  error(canaries: boolean): Error {
    const list = this.failures;
    const base = list.length === 1 ? list[0].message : `${list.length} errors occurred:\n${list.map((f) => `\n* ${f.message}`).join('')}`;
    return new Error(canaries ? `canaries didn't process successfully: ${base}` : base);
  }

  summary(): void {
    const busy = [...this.tracked.values()].filter((t) => t.state === 'busy').map((t) => t.instance.service_instance_id);
    const failed = this.failures.map((f) => f.guid);
    const status = busy.length || failed.length ? 'FAILED' : 'SUCCESS';
    this.log(
      `FINISHED PROCESSING Status: ${status}; Summary: Number of successful operations: ${this.count('succeeded')}; ` +
        `Number of skipped operations: ${this.count('skipped')}; Number of service instance orphans detected: ${this.count('orphan-deployment')}; ` +
        `Number of deleted instances before operation could happen: ${this.count('instance-not-found')}; ` +
        `Number of busy instances which could not be processed: ${busy.length}${busy.length ? ` [${busy.join(', ')}]` : ''}; ` +
        `Number of service instances that failed to process: ${failed.length}${failed.length ? ` [${failed.join(', ')}]` : ''}`,
    );
  }
}

async function iterate(run: ErrandRun, prefix: string, cfg: InstanceIteratorConfig, api: BrokerApi, triggerer: Triggerer): Promise<void> {
  const settings = {
    polling_interval: cfg.polling_interval ?? 60,
    attempt_interval: cfg.attempt_interval ?? 60,
    attempt_limit: cfg.attempt_limit ?? 5,
    max_in_flight: cfg.max_in_flight ?? 1,
  };
  const it = new Iteration(run, prefix, api, triggerer, settings);
  it.log(`STARTING OPERATION with ${settings.max_in_flight} concurrent workers`);
  const all = await api.instances().catch((err: Error) => {
    throw new Error(`error listing service instances: ${err.message}`);
  });
  let canaries = cfg.canaries ?? 0;
  let canaryList: MgmtInstance[] = [];
  const filter = cfg.canary_selection_params ?? {};
  if (filter.org || filter.space) {
    canaryList = await api.instances(filter);
    const criteria = Object.entries(filter).map(([k, v]) => `${k}: ${v}`).join(', ');
    if (canaryList.length === 0 && all.length > 0) {
      throw new Error(
        `Failed to find a match to the canary selection criteria: ${criteria}. Please ensure these selection criteria will match one or more service instances, or remove \`canary_selection_params\` to disable selecting canaries from a specific org and space.`,
      );
    }
    canaries = Math.min(canaries, canaryList.length);
  } else if (canaries > 0) {
    canaryList = all;
    canaries = Math.min(canaries, all.length);
  }
  for (const i of all) it.tracked.set(i.service_instance_id, { instance: i, state: 'not-started' });
  it.log(`Service Instances:${all.map((i) => ` ${i.service_instance_id}`).join('')}`);
  it.log(`Total Service Instances found: ${all.length}`);
  try {
    if (canaries > 0) {
      it.log(`STARTING CANARIES: ${canaries} canaries${filter.org || filter.space ? ` with selection criteria: ${Object.entries(filter).map(([k, v]) => `${k}: ${v}`).join(', ')}` : ''}`);
      await it.phase(canaryList, canaries);
      it.log('FINISHED CANARIES');
    }
    await it.phase(all, undefined);
  } finally {
    it.summary();
  }
}

/** Runs one errand of the iterator family; resolves to its exit code. */
export async function instanceIteratorErrand(run: ErrandRun, kind: 'upgrade-all' | 'recreate-all', cfg: InstanceIteratorConfig): Promise<number> {
  if (!cfg.broker_api?.url) throw new Error('the broker_api.url must be set');
  for (const key of ['polling_interval', 'attempt_interval', 'attempt_limit', 'max_in_flight'] as const) {
    if (cfg[key] !== undefined && !(Number(cfg[key]) > 0)) throw new Error(`the ${key} must be greater than zero`);
  }
  if (cfg.canaries !== undefined && Number(cfg.canaries) < 0) throw new Error('the canaries must be greater than or equal to zero');
  const api = new BrokerApi(run, cfg.broker_api);
  if (kind === 'upgrade-all' && cfg.cf?.url && cfg.maintenance_info_present) {
    const cc = errandCc(run, cfg.cf);
    const info = await cc.apiVersion();
    const [maj, min] = String(info.osbapi_version ?? '0.0').split('.').map(Number);
    if (maj > 2 || (maj === 2 && min >= 15)) {
      run.log.log(`[${kind}] Upgrading all instances via CF`);
      await iterate(run, kind, cfg, api, cfTriggerer(cc));
    }
  }
  if (kind === 'upgrade-all') run.log.log(`[${kind}] Upgrading all instances via BOSH`);
  await iterate(run, kind, cfg, api, brokerTriggerer(api, kind === 'upgrade-all' ? 'upgrade' : 'recreate'));
  return 0;
}

