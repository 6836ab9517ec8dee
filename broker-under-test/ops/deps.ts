/**
 * What every broker operation works with. Built once by `createBroker`; operations hold no state of
 * their own (everything they know comes from BOSH, CC and the operation data they hand out).
 * @module
 */
import type { ServiceAdapter } from '../adapter/types.js';
import type { BoshClient } from '../clients/bosh.js';
import type { CcClient } from '../clients/cc.js';
import type { UaaClients } from '../clients/uaa-clients.js';
import type { BrokerConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { BrokerClock, FetchLike } from '../runtime.js';

export interface Deps {
  config: BrokerConfig;
  bosh: BoshClient;
  /** Absent with `disable_cf_startup_checks` (ODB's no-op CF client: no counts, no instances). */
  cc?: CcClient;
  uaaClients?: UaaClients;
  /** The fetch for `service_instances_api`, when it is configured. */
  siApiFetch?: FetchLike;
  adapter: ServiceAdapter;
  logger: Logger;
  clock: BrokerClock;
  newId: () => string;
  /** One operation at a time per instance within this process (BOSH's task list covers the rest). */
  locks: Map<string, Promise<unknown>>;
}

/** Runs `fn` after any other locked work on the same key. */
export async function withLock<T>(deps: Deps, key: string, fn: () => Promise<T>): Promise<T> {
  const previous = deps.locks.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const chained = previous.then(() => mine);
  deps.locks.set(key, chained);
  await previous.catch(() => undefined);
  try {
    return await fn();
  } finally {
    release();
    if (deps.locks.get(key) === chained) deps.locks.delete(key);
  }
}
