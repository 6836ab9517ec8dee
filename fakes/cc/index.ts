import type { Hono } from 'hono';
import type { Kernel } from '../core/kernel.js';
import { createServiceApp } from '../core/service-app.js';
import type { Simulator, SimulatorFactory } from '../core/simulator.js';
import type { UaaSimulator } from '../uaa/index.js';
import { authMiddleware, requestIdMiddleware, withRequestId } from './auth.js';
import { ccConfigSchema, type CcConfig, type CcConfigInput } from './config.js';
import { controlRoutes } from './control.js';
import type { CcDeps } from './deps.js';
import { CcDriver } from './driver.js';
import { ccError, errorResponse, formatCcError, isV3Path } from './errors.js';
import { CcModel } from './model/model.js';
import type { CcState } from './model/state.js';
import { BrokerSync } from './ops/brokers.js';
import { ServiceOps } from './ops/service-ops.js';
import type { CcPlatformApi } from './platform/api.js';
import { defaultApiInfoLocation } from './platform/osb-client.js';
import { CcPlatform } from './platform/platform.js';
import { rootRoutes } from './routes/root.js';
import { v2Routes } from './routes/v2/index.js';
import { appJobRoutes } from './routes/v3/apps-jobs.js';
import { bindingRoutes } from './routes/v3/bindings.js';
import { brokerRoutes } from './routes/v3/brokers.js';
import { instanceRoutes } from './routes/v3/instances.js';
import { orgRoutes } from './routes/v3/orgs.js';

/**
 * The fake Cloud Controller: v2 (for ODB and its errands) and v3 (for the cf CLI) over one state
 * model, UAA-verified bearer tokens, and the platform module that plays CC's part towards brokers.
 */
export class CcSimulator implements Simulator<CcState> {
  readonly name = 'cc';
  readonly app: Hono;
  readonly model: CcModel;
  readonly ops: ServiceOps;
  readonly brokers: BrokerSync;
  readonly driver: CcDriver;
  readonly controlRoutes: Hono;
  readonly config: CcConfig;
  #platform: CcPlatformApi;

  constructor(
    readonly kernel: Kernel,
    config: CcConfigInput = {},
    peers: ReadonlyMap<string, Simulator> = new Map(),
  ) {
    this.config = ccConfigSchema.parse(config);
    this.model = new CcModel(kernel, this.config);
    this.#platform = this.#newPlatform();
    const platform = () => this.#platform;
    this.ops = new ServiceOps(this.model, platform);
    this.brokers = new BrokerSync(this.model, platform, (p) => this.ops.track(p));
    const uaa = () => peers.get('uaa') as UaaSimulator | undefined;
    const deps: CcDeps = { kernel, config: this.config, model: this.model, ops: this.ops, brokers: this.brokers, platform, uaa };
    const requestIds = kernel.random.fork('cc-request-ids');
    this.app = createServiceApp(kernel, 'cc', async (c, status, message) => withRequestId(c, await formatCcError(c, status, message), requestIds), {
      finishFault: (c, res) => withRequestId(c, res, requestIds),
    });
    this.app.use('*', requestIdMiddleware(requestIds));
    this.app.use('*', authMiddleware(uaa, kernel.clock, this.model));
    rootRoutes(this.app, deps);
    orgRoutes(this.app, deps);
    brokerRoutes(this.app, deps);
    instanceRoutes(this.app, deps);
    bindingRoutes(this.app, deps);
    appJobRoutes(this.app, deps);
    if (this.config.enable_v2) v2Routes(this.app, deps);
    this.app.notFound((c) => errorResponse(ccError('NotFound'), isV3Path(c.req.path)));
    this.driver = new CcDriver(this, deps);
    this.controlRoutes = controlRoutes(this, deps);
  }

  #newPlatform(): CcPlatformApi {
    return new CcPlatform(this.kernel, {
      brokerTimeoutSeconds: this.config.broker_client_timeout_seconds,
      defaultPollIntervalSeconds: this.config.broker_client_default_async_poll_interval_seconds,
      maxPollingDurationMinutes: this.config.broker_client_max_async_poll_duration_minutes,
      maxPollIntervalSeconds: this.config.broker_client_max_async_poll_interval_seconds,
      pollBackoffRate: this.config.broker_client_async_poll_exponential_backoff_rate,
      apiInfoLocation: apiInfoLocation(this.kernel, this.config.enable_v2),
    });
  }

  get platform(): CcPlatformApi {
    return this.#platform;
  }

  /** The lines `fakefoundry up --env` prints for the CC. */
  envLines(): [string, string][] {
    return [['CF_API', this.kernel.urls.cc]];
  }

  snapshot(): CcState {
    return structuredClone(this.model.state);
  }

  restore(state: CcState): void {
    this.#platform.reset();
    this.model.state = structuredClone(state);
    this.ops.resumeAll();
  }

  reset(): void {
    this.#platform.reset();
    this.model.reset();
  }

  close(): void {
    this.#platform.close();
  }
}

/** `X-Api-Info-Location`: `<external domain>/v2/info`, or `<external domain>/` when v2 is off (`v2/http_client.rb`). */
function apiInfoLocation(kernel: Kernel, v2: boolean): () => string {
  const withV2 = defaultApiInfoLocation(kernel);
  return v2 ? withV2 : () => withV2().replace(/\/v2\/info$/, '/');
}

export const ccFactory: SimulatorFactory<CcConfigInput> = {
  name: 'cc',
  hostLabel: 'api',
  create: (kernel, config, peers) => new CcSimulator(kernel, config, peers),
};

export { CcModel, CcDriver };
