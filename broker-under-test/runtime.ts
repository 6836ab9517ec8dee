/**
 * What the broker takes from its surroundings: HTTP, time, a log sink and ids. Every piece can be
 * swapped, so a harness can run the broker in-process on a virtual clock; the defaults are the real
 * ones (TLS-capable fetch, wall clock, stdout).
 * @module
 */
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

/** The fetch the broker uses for BOSH, UAA and Cloud Controller. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Time: `now()` in ms since the epoch, and a sleep a harness may drive virtually. */
export interface BrokerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The wall clock. */
export const realClock: BrokerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** TLS settings of one peer. */
export interface TlsOptions {
  /** PEM roots. With `onlyRoots`, they replace the system roots (ODB's `bosh.root_ca_cert`). */
  ca?: string;
  onlyRoots?: boolean;
  insecure?: boolean;
}

/**
 * A fetch over undici with its own trust roots: BOSH trusts only `root_ca_cert` when set, CC and UAA
 * trust the system roots plus `cf.root_ca_cert`, and verification can be disabled where ODB allows it.
 */
export function tlsFetch(tls: TlsOptions): { fetch: FetchLike; close(): Promise<void> } {
  const ca = tls.ca ? (tls.onlyRoots ? [tls.ca] : [...rootCertificates, tls.ca]) : undefined;
  const agent = new Agent({ connect: { ...(ca ? { ca } : {}), rejectUnauthorized: !tls.insecure } });
  const fetch: FetchLike = (input, init) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as object), dispatcher: agent } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
  return { fetch, close: () => agent.close() };
}
