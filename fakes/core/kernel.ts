import { Hono } from 'hono';
import { Clock, type ClockMode } from './clock.js';
import { FaultRegistry } from './faults.js';
import { Journal } from './journal.js';
import { defaultKeys, type KeySource } from './keys.js';
import { Random } from './random.js';
import { outboundFetch, type OutboundOptions } from './outbound.js';

/** The base URLs of a foundation's fakes, as clients reach them (set when the foundation is mounted). */
export interface ServiceUrls {
  uaa: string;
  bosh: string;
  cc: string;
  [service: string]: string;
}

/**
 * What every simulator of one foundation shares: one clock, one seed, one journal, one set of
 * fault rules. Two kernels never share anything, which is what keeps harness instances isolated.
 */
export interface Kernel {
  readonly id: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly journal: Journal;
  readonly faults: FaultRegistry;
  /** Mutable: the mounts fill it in. Read it at request time, never cache it at construction. */
  readonly urls: ServiceUrls;
  /** The control API (`/_fakefoundry/*`); every service app mounts it. Filled in by the foundation. */
  readonly control: Hono;
  /** A fetch for calls a fake makes itself (CC to a broker, BOSH to a tarball URL): journaled, faultable. */
  fetch(service: string, input: string | URL, init?: RequestInit, opts?: OutboundOptions): Promise<Response>;
  /** Extra CA certificates (PEM) that outbound calls trust besides the system roots. */
  trustedCas: string[];
  /** Where RSA key pairs come from (UAA signing keys, TLS certificates): see `defaultKeys()`. */
  readonly keys: KeySource;
  /** Resolves when the foundation is closed; hanging requests give up then. */
  readonly closed: Promise<void>;
  close(): void;
}

let kernelCounter = 0;

export interface KernelOptions {
  seed?: string | number;
  clockMode?: ClockMode;
  clockStart?: number;
  /** A name for this foundation; it becomes part of its in-process host names. */
  id?: string;
  journalCapacity?: number;
  keys?: KeySource;
}

export function createKernel(opts: KernelOptions = {}): Kernel {
  const id = opts.id ?? `f${++kernelCounter}`;
  const random = new Random(opts.seed ?? 'fakefoundry');
  const clock = new Clock({ mode: opts.clockMode ?? 'virtual', start: opts.clockStart });
  const journal = new Journal(opts.journalCapacity);
  const faults = new FaultRegistry(random.fork('faults'));
  let markClosed!: () => void;
  const closed = new Promise<void>((r) => (markClosed = r));
  const kernel: Kernel = {
    id,
    clock,
    random,
    journal,
    faults,
    urls: { uaa: '', bosh: '', cc: '' },
    control: new Hono(),
    trustedCas: [],
    keys: opts.keys ?? defaultKeys(),
    closed,
    fetch: (service, input, init, o) => outboundFetch(kernel, service, input, init, o),
    close: () => {
      clock.close();
      markClosed();
    },
  };
  return kernel;
}
