import type { Clock, ClockMode } from './core/clock.js';
import { foundationConfigSchema, parseClockStart, type FoundationConfig, type FoundationConfigInput } from './core/config.js';
import { buildControlApi } from './core/control-api.js';
import type { FaultRegistry } from './core/faults.js';
import type { Journal } from './core/journal.js';
import type { KeySource } from './core/keys.js';
import { createKernel, type Kernel, type ServiceUrls } from './core/kernel.js';
import { IN_PROCESS_DOMAIN, inProcessNetwork, type Unhandled } from './core/mount-in-process.js';
import { listen, type NetworkServer } from './core/mount-network.js';
import type { RandomState } from './core/random.js';
import type { Simulator, SimulatorFactory } from './core/simulator.js';
import { certificateStillValid, createCa, issueServerCertificate, type CertificateAuthority, type ServerCertificate } from './core/tls.js';
import { FACTORIES } from './registry.js';
import type { BoshSimulator } from './bosh/index.js';
import type { CcSimulator } from './cc/index.js';
import type { UaaSimulator } from './uaa/index.js';

/** Everything needed to bring a foundation back: state of every fake, clock, seed streams, and the CA. */
export interface FoundationSnapshot {
  version: 1;
  seed: string;
  clock: { now: number; mode: ClockMode };
  random: RandomState;
  ca?: CertificateAuthority;
  services: Record<string, unknown>;
}

export interface FoundationOptions {
  seed?: string | number;
  clockMode?: ClockMode;
  clockStart?: number | string;
  config?: FoundationConfigInput;
  /** Restore from a snapshot (e.g. the `--state` file): same CA, same signing keys, same records. */
  state?: FoundationSnapshot;
  /** Build only these fakes (default: all registered). */
  services?: string[];
  id?: string;
  factories?: SimulatorFactory[];
  /** Where RSA keys come from (default: fresh ones); see `reusedKeys()` for test suites. */
  keys?: KeySource;
}

export interface InProcessOptions {
  /** What happens to requests for hosts that are not ours: pass through to the network, or fail. */
  unhandled?: Unhandled;
}

export interface NetworkOptions {
  https?: boolean;
  host?: string;
  ports?: Partial<Record<string, number>>;
  hostnames?: string[];
}

/**
 * A whole fake Cloud Foundry: UAA, BOSH and CC built from one config and one seed, sharing one
 * clock and one journal. Mount it in-process (msw, no ports) or on the network (HTTP/HTTPS).
 */
export class Foundation {
  readonly kernel: Kernel;
  readonly config: FoundationConfig;
  readonly services = new Map<string, Simulator>();
  readonly factories = new Map<string, SimulatorFactory>();
  #ca?: CertificateAuthority;
  #serverCert?: ServerCertificate;
  #servers: NetworkServer[] = [];
  #inProcessOwner?: symbol;
  #dashboardUrl?: Promise<string>;
  #closed = false;

  private constructor(kernel: Kernel, config: FoundationConfig) {
    this.kernel = kernel;
    this.config = config;
  }

  static async create(opts: FoundationOptions = {}): Promise<Foundation> {
    const config = foundationConfigSchema.parse(opts.config ?? {});
    const seed = opts.state?.seed ?? opts.seed ?? config.seed ?? 'fakefoundry';
    const kernel = createKernel({
      seed,
      clockMode: opts.clockMode ?? config.clock.mode ?? 'virtual',
      clockStart: parseClockStart(opts.clockStart ?? config.clock.start),
      id: opts.id,
      journalCapacity: config.journal.capacity,
      keys: opts.keys,
    });
    const f = new Foundation(kernel, config);
    const wanted = opts.services ? new Set(opts.services) : undefined;
    for (const factory of opts.factories ?? FACTORIES) {
      if (wanted && !wanted.has(factory.name)) continue;
      f.factories.set(factory.name, factory);
      const sim = await factory.create(kernel, config[factory.name] as never, f.services);
      f.services.set(factory.name, sim);
    }
    buildControlApi(kernel, f);
    f.#mountDashboard();
    if (opts.state) f.restore(opts.state);
    return f;
  }

  get id(): string {
    return this.kernel.id;
  }
  get clock(): Clock {
    return this.kernel.clock;
  }
  get journal(): Journal {
    return this.kernel.journal;
  }
  get faults(): FaultRegistry {
    return this.kernel.faults;
  }
  get urls(): ServiceUrls {
    return this.kernel.urls;
  }
  get uaa(): UaaSimulator {
    return this.service<UaaSimulator>('uaa');
  }

  get bosh(): BoshSimulator {
    return this.service<BoshSimulator>('bosh');
  }
  get cc(): CcSimulator {
    return this.service<CcSimulator>('cc');
  }

  service<T extends Simulator>(name: string): T {
    const s = this.services.get(name);
    if (!s) throw new Error(`this foundation has no '${name}' fake`);
    return s as T;
  }

  /** The CA that signs the HTTPS certificates (PEM); generated on first use, kept in snapshots. */
  async ca(): Promise<CertificateAuthority> {
    if (!this.#ca || !certificateStillValid(this.#ca.certPem)) this.#ca = await createCa(`fakefoundry CA ${this.id}`, await this.kernel.keys.rsaAsync());
    return this.#ca;
  }

  /**
   * Serves every fake through msw in this process at `https://<label>.<id>.fakefoundry.test`:
   * fetch, node:http and node:https clients reach them with no port and no TLS handshake.
   */
  mountInProcess(opts: InProcessOptions = {}): ServiceUrls {
    if (this.#inProcessOwner) return this.urls;
    const owner = Symbol(this.id);
    const origins: Record<string, (req: Request) => Response | Promise<Response>> = {};
    for (const [name, sim] of this.services) {
      const factory = this.factories.get(name)!;
      const port = factory.inProcessPort && factory.inProcessPort !== 443 ? `:${factory.inProcessPort}` : '';
      const url = `https://${factory.hostLabel}.${this.id}.${IN_PROCESS_DOMAIN}${port}`;
      origins[url] = (req) => sim.app.fetch(req);
      if (!this.urls[name]) this.urls[name] = url;
    }
    inProcessNetwork.register(owner, origins, opts.unhandled ?? 'bypass');
    this.#inProcessOwner = owner;
    return this.urls;
  }

  /**
   * Serves another app (a broker under test, say) in-process beside the fakes, at
   * `https://<label>.<id>.fakefoundry.test`, so CC's calls to it need no port. Returns its URL;
   * it is unmounted when the foundation closes.
   */
  mountApp(label: string, fetch: (req: Request) => Response | Promise<Response>): string {
    if (!/^[a-z0-9-]+$/.test(label)) throw new Error(`mountApp: label must be lower-case letters, digits and '-' (got '${label}')`);
    this.mountInProcess();
    const url = `https://${label}.${this.id}.${IN_PROCESS_DOMAIN}`;
    inProcessNetwork.register(this.#inProcessOwner!, { [url]: fetch });
    return url;
  }

  /** Serves every fake on its own port, over HTTPS (default) with this foundation's CA, or HTTP. */
  async listen(opts: NetworkOptions = {}): Promise<{ urls: ServiceUrls; caPem?: string }> {
    const net = this.config.network;
    const https = opts.https ?? net.https;
    const host = opts.host ?? net.host;
    const ports = { ...net.ports, ...(opts.ports ?? {}) };
    let tls: ServerCertificate | undefined;
    if (https) {
      // The server's key pair does not depend on the CA: make both at once.
      const serverKeys = this.#serverCert ? undefined : this.kernel.keys.rsaAsync();
      const ca = await this.ca();
      const hostnames = [...net.hostnames, ...(opts.hostnames ?? [])];
      if (host !== '0.0.0.0' && host !== '::') hostnames.push(host);
      this.#serverCert ??= await issueServerCertificate(ca, hostnames, await serverKeys);
      tls = this.#serverCert;
      if (!this.kernel.trustedCas.includes(ca.certPem)) this.kernel.trustedCas.push(ca.certPem);
    }
    for (const [name, sim] of this.services) {
      const server = await listen(sim.app, { host, port: ports[name], tls });
      this.#servers.push(server);
      // A network mount is what outside clients use, so its URL wins over an in-process one.
      this.urls[name] = server.url;
    }
    return { urls: this.urls, caPem: this.#ca?.certPem };
  }

  /**
   * The dashboard (`/_fakefoundry/ui/` of the control API) is loaded on its first request, so a
   * foundation that nobody looks at does not load it.
   */
  #mountDashboard(): void {
    let app: Promise<{ fetch(req: Request, env?: unknown): Response | Promise<Response> }> | undefined;
    const serve = async (c: { req: { raw: Request }; env: unknown }) => {
      app ??= import('../dashboard/app.js').then((m) => m.dashboardApp(this.kernel, this));
      return (await app).fetch(c.req.raw, c.env);
    };
    this.kernel.control.all('/ui', serve);
    this.kernel.control.all('/ui/*', serve);
  }

  /**
   * Serves the dashboard for this foundation on a loopback HTTP port of its own (in-process
   * foundations have no port; a networked one also serves it at `/_fakefoundry/ui/` on every
   * fake's port) and returns its URL, to open in a browser while a test is paused. The server
   * closes with the foundation.
   */
  dashboard(opts: { host?: string; port?: number } = {}): Promise<string> {
    if (this.#closed) return Promise.reject(new Error('dashboard(): this foundation is closed'));
    this.#dashboardUrl ??= import('../dashboard/server.js').then(async ({ serveDashboard }) => {
      const server = await serveDashboard(this.kernel, opts);
      if (this.#closed) {
        await server.close();
        throw new Error('dashboard(): the foundation closed while its dashboard started');
      }
      this.#servers.push(server);
      return server.dashboardUrl;
    });
    return this.#dashboardUrl;
  }

  snapshot(): FoundationSnapshot {
    const services: Record<string, unknown> = {};
    for (const [name, sim] of this.services) services[name] = sim.snapshot();
    return {
      version: 1,
      seed: this.kernel.random.seed,
      clock: this.clock.snapshot(),
      random: this.kernel.random.snapshot(),
      ca: this.#ca,
      services,
    };
  }

  restore(snap: FoundationSnapshot): void {
    if (snap.version !== 1) throw new Error(`unsupported snapshot version ${String(snap.version)}`);
    this.clock.restore(snap.clock);
    this.kernel.random.restore(snap.random);
    if (snap.ca && certificateStillValid(snap.ca.certPem)) this.#ca = snap.ca;
    for (const [name, state] of Object.entries(snap.services)) this.services.get(name)?.restore(state);
  }

  /** Every fake back to its seeded state; the journal and fault rules are cleared. Keys and CA stay. */
  reset(only?: string): void {
    for (const [name, sim] of this.services) if (!only || only === name) sim.reset();
    if (!only) {
      this.journal.clear();
      this.faults.clear();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#inProcessOwner) inProcessNetwork.unregister(this.#inProcessOwner);
    await Promise.all(this.#servers.map((s) => s.close()));
    for (const sim of this.services.values()) await sim.close?.();
    this.kernel.close();
  }
}
