import type { CcPlatformApi, CcErrorInfo, ExistingBrokerCatalog, OsbCatalog } from '../platform/api.js';
import type { CcModel } from '../model/model.js';
import type { Broker, Job, Plan } from '../model/state.js';
import { endpoint } from './service-ops.js';
import { fromInfo } from '../errors.js';

export type SyncResult = { ok: true; warnings: string[] } | { ok: false; error: CcErrorInfo };

/**
 * Registering and updating a broker: fetch and validate its catalog through the platform module,
 * then turn it into offerings and plans (new plans admin-only, vanished ones deleted or, when
 * they still have instances, deactivated with a warning).
 */
export class BrokerSync {
  constructor(
    private readonly model: CcModel,
    private readonly platform: () => CcPlatformApi,
    /** Keeps background work where `settle()` finds it (ServiceOps.track). */
    private readonly track: <T>(p: Promise<T>) => Promise<T> = (p) => p,
  ) {}

  existing(broker: Broker): ExistingBrokerCatalog {
    const m = this.model;
    const offerings = m.offeringsOf(broker.guid);
    const withInstances = new Set(m.all('instances').map((i) => m.get('plans', i.plan_guid)?.offering_guid));
    return {
      services: offerings.map((o) => ({ id: o.catalog_id, name: o.name, hasInstances: withInstances.has(o.guid) })),
      plans: offerings.flatMap((o) => m.plansOf(o.guid).map((p) => ({ id: p.catalog_id, serviceId: o.catalog_id }))),
    };
  }

  /** Fetches the catalog for `target` (the broker as it will be) and applies it to `broker`'s offerings. */
  async sync(broker: Broker, target: { url: string; username: string; password: string } = broker, userGuid?: string): Promise<SyncResult> {
    const res = await this.platform().fetchCatalog(endpoint({ ...broker, ...target }), this.existing(broker), { userGuid });
    if (!res.ok) return { ok: false, error: res.error };
    return { ok: true, warnings: this.apply(broker, res.catalog) };
  }

  apply(broker: Broker, catalog: OsbCatalog): string[] {
    const m = this.model;
    const now = m.now();
    const seenOfferings = new Set<string>();
    const seenPlans = new Set<string>();
    for (const s of catalog.services) {
      const md = (s.metadata ?? null) as Record<string, unknown> | null;
      const fields = {
        name: s.name,
        description: s.description,
        bindable: s.bindable,
        plan_updateable: s.plan_updateable ?? false,
        instances_retrievable: s.instances_retrievable ?? false,
        bindings_retrievable: s.bindings_retrievable ?? false,
        allow_context_updates: s.allow_context_updates ?? false,
        tags: s.tags ?? [],
        requires: s.requires ?? [],
        catalog_metadata: md,
        shareable: md?.shareable === true,
        documentation_url: typeof md?.documentationUrl === 'string' ? (md.documentationUrl as string) : null,
        active: true,
      };
      let offering = m.offeringsOf(broker.guid).find((o) => o.catalog_id === s.id);
      if (offering) Object.assign(offering, fields, { updated_at: now });
      else offering = m.addOffering({ broker_guid: broker.guid, catalog_id: s.id, ...fields });
      seenOfferings.add(offering.guid);
      for (const p of s.plans) {
        const planFields: Omit<Plan, 'guid' | 'created_at' | 'updated_at' | 'metadata' | 'offering_guid' | 'catalog_id' | 'public'> = {
          name: p.name,
          description: p.description,
          free: p.free ?? true,
          bindable: p.bindable ?? null,
          plan_updateable: p.plan_updateable ?? null,
          catalog_metadata: (p.metadata ?? null) as Record<string, unknown> | null,
          maximum_polling_duration: p.maximum_polling_duration ?? null,
          schemas: schemasOf(p.schemas),
          maintenance_info: p.maintenance_info ? { ...p.maintenance_info } : null,
          active: true,
        };
        let plan = m.plansOf(offering.guid).find((x) => x.catalog_id === p.id);
        if (plan) Object.assign(plan, planFields, { updated_at: now });
        else plan = m.addPlan({ offering_guid: offering.guid, catalog_id: p.id, public: false, ...planFields, ...(broker.space_guid ? { space_guid: broker.space_guid } : {}) });
        seenPlans.add(plan.guid);
      }
    }
    // What vanished from the catalog: deleted, or deactivated while instances remain.
    const inUse = new Set(m.all('instances').map((i) => i.plan_guid));
    const deactivated: string[] = [];
    for (const o of m.offeringsOf(broker.guid)) {
      const gonePlans: string[] = [];
      for (const p of m.plansOf(o.guid)) {
        if (seenPlans.has(p.guid)) continue;
        if (inUse.has(p.guid)) {
          p.active = false;
          gonePlans.push(p.name);
        } else {
          for (const v of m.visibilitiesOf(p.guid)) m.remove('visibilities', v.guid);
          m.remove('plans', p.guid);
        }
      }
      if (gonePlans.length) deactivated.push(`${o.name}\n${gonePlans.map((n) => `  ${n}`).join('\n')}`);
      if (!seenOfferings.has(o.guid)) {
        if (m.plansOf(o.guid).length === 0) m.remove('offerings', o.guid);
        else o.active = false;
      }
    }
    if (!deactivated.length) return [];
    return [
      `Warning: Service plans are missing from the broker's catalog (${broker.url.replace(/\/$/, '')}/v2/catalog) but can not be removed from Cloud Foundry while instances exist. The plans have been deactivated to prevent users from attempting to provision new instances of these plans. The broker should continue to support bindings, unbindings, and deprovisioning of these instances.\n${deactivated.join('\n')}`,
    ];
  }

  /** Removes the broker and everything derived from it (callers check for instances first). */
  removeBroker(broker: Broker): void {
    const m = this.model;
    for (const o of m.offeringsOf(broker.guid)) {
      for (const p of m.plansOf(o.guid)) {
        for (const v of m.visibilitiesOf(p.guid)) m.remove('visibilities', v.guid);
        m.remove('plans', p.guid);
      }
      m.remove('offerings', o.guid);
    }
    m.remove('brokers', broker.guid);
  }

  hasInstances(broker: Broker): boolean {
    const m = this.model;
    const plans = new Set(m.offeringsOf(broker.guid).flatMap((o) => m.plansOf(o.guid).map((p) => p.guid)));
    return m.all('instances').some((i) => i.plan_guid && plans.has(i.plan_guid));
  }

  /**
   * Registers a broker. v2 fetches the catalog in the request (and keeps no broker when that
   * fails); v3 answers with a `service_broker.catalog.synchronize` job that does it.
   */
  async register(
    a: { name: string; url: string; username: string; password: string; spaceGuid?: string; metadata?: unknown },
    via: 'v2' | 'v3',
    userGuid?: string,
  ): Promise<{ broker: Broker; job?: Job }> {
    const m = this.model;
    const broker = m.addBroker({ name: a.name, url: a.url, username: a.username, password: a.password, space_guid: a.spaceGuid });
    m.applyMetadata(broker.metadata, a.metadata);
    if (via === 'v2') {
      const r = await this.sync(broker, broker, userGuid);
      if (!r.ok) {
        this.removeBroker(broker);
        throw fromInfo(r.error);
      }
      broker.state = 'AVAILABLE';
      return { broker };
    }
    const job = m.addJob('service_broker.catalog.synchronize', { type: 'service_brokers', guid: broker.guid });
    const settled = (ok: boolean) => {
      if (m.get('brokers', broker.guid)) broker.state = ok ? 'AVAILABLE' : 'SYNCHRONIZATION_FAILED';
    };
    this.#runJob(job, () => this.sync(broker, broker, userGuid), settled);
    return { broker, job };
  }

  /**
   * Updates a broker: name, URL and credentials take effect only once the catalog fetched with them
   * is valid. v2 does it in the request; v3 in a `service_broker.update` job (a metadata-only
   * change needs none and answers at once).
   */
  async update(
    broker: Broker,
    change: { name?: string; url?: string; username?: string; password?: string; metadata?: unknown },
    via: 'v2' | 'v3',
    userGuid?: string,
  ): Promise<{ job?: Job }> {
    const m = this.model;
    const target = { url: change.url ?? broker.url, username: change.username ?? broker.username, password: change.password ?? broker.password };
    const name = change.name ?? broker.name;
    if (via === 'v2') {
      const r = await this.sync(broker, target, userGuid);
      if (!r.ok) throw fromInfo(r.error);
      Object.assign(broker, target, { name, state: 'AVAILABLE', updated_at: m.now() });
      return {};
    }
    m.applyMetadata(broker.metadata, change.metadata);
    if (change.name === undefined && change.url === undefined && change.username === undefined) {
      m.touch(broker);
      return {};
    }
    const job = m.addJob('service_broker.update', { type: 'service_brokers', guid: broker.guid });
    const previous = broker.state;
    broker.state = 'SYNCHRONIZING';
    this.#runJob(job, () => this.sync(broker, target, userGuid), (ok) => {
      if (ok) Object.assign(broker, target, { name, state: 'AVAILABLE', updated_at: m.now() });
      else broker.state = previous;
    });
    return { job };
  }

  /** The job runs the sync in the background and ends COMPLETE (with warnings) or FAILED. */
  #runJob(job: Job, work: () => Promise<SyncResult>, settled: (ok: boolean) => void): void {
    const m = this.model;
    this.track(
      work().then(
        (r) => {
          settled(r.ok);
          if (r.ok) {
            job.warnings = r.warnings.map((detail) => ({ detail }));
            m.setJob(job, 'COMPLETE');
          } else m.setJob(job, 'FAILED', { code: r.error.code, title: r.error.title, detail: r.error.description });
        },
        (err: unknown) => {
          settled(false);
          m.setJob(job, 'FAILED', { code: 10001, title: 'UnknownError', detail: (err as Error)?.message ?? 'An unknown error occurred.' });
        },
      ),
    );
  }
}

/** CC always presents the full `schemas` tree, with `{}` where the broker gave nothing. */
export function schemasOf(s: unknown): Record<string, unknown> {
  const o = (s ?? {}) as { service_instance?: { create?: { parameters?: unknown }; update?: { parameters?: unknown } }; service_binding?: { create?: { parameters?: unknown } } };
  return {
    service_instance: {
      create: { parameters: o.service_instance?.create?.parameters ?? {} },
      update: { parameters: o.service_instance?.update?.parameters ?? {} },
    },
    service_binding: { create: { parameters: o.service_binding?.create?.parameters ?? {} } },
  };
}
