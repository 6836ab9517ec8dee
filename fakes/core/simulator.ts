import type { Hono } from 'hono';
import type { Kernel } from './kernel.js';

/**
 * What every fake (UAA, BOSH, CC) is to the foundation: one Hono app over a state model that can
 * be dumped, snapshotted, restored and reset. State must be plain JSON so snapshots round-trip.
 */
export interface Simulator<S = unknown> {
  readonly name: string;
  readonly app: Hono;
  snapshot(): S;
  restore(state: S): void;
  /** Back to the state the fake had when the foundation was created (same seed, same config). */
  reset(): void;
  /** A readable dump of the state (defaults to the snapshot). */
  dump?(): unknown;
  /** Service-specific control routes, mounted at `/_fakefoundry/<name>/`. */
  readonly controlRoutes?: Hono;
  close?(): void | Promise<void>;
}

/** How the foundation builds a fake; BOSH and CC plug in by adding theirs to `fakes/registry.ts`. */
export interface SimulatorFactory<C = unknown> {
  readonly name: string;
  /** The host label used in in-process URLs, e.g. `api` gives `https://api.<id>.fakefoundry.test`. */
  readonly hostLabel: string;
  /** The port used in in-process URLs (BOSH clients expect 25555); 443 when absent. */
  readonly inProcessPort?: number;
  create(kernel: Kernel, config: C | undefined, peers: ReadonlyMap<string, Simulator>): Simulator | Promise<Simulator>;
}
