import { Hono } from 'hono';
import type { Kernel } from '../core/kernel.js';
import { createServiceApp } from '../core/service-app.js';
import type { Simulator, SimulatorFactory } from '../core/simulator.js';
import type { UaaSimulator } from '../uaa/index.js';
import { BoshAuth } from './auth.js';
import { boshConfigSchema, type BoshConfig, type BoshConfigInput } from './config.js';
import { BoshControl } from './control.js';
import { controlRoutes } from './control-routes.js';
import type { BoshEnv, Director } from './director.js';
import { BoshError, endpointNotFound, errorResponse, formatBoshError, notAuthorized } from './errors.js';
import { finishDirectorResponse } from './headers.js';
import { BoshModel } from './model/model.js';
import { artifactRoutes } from './routes/artifacts.js';
import { configRoutes } from './routes/configs.js';
import { deploymentRoutes } from './routes/deployments.js';
import { infoRoutes } from './routes/info.js';
import { instanceRoutes } from './routes/instances.js';
import { linkRoutes } from './routes/links.js';
import { miscRoutes } from './routes/misc.js';
import { taskRoutes } from './routes/tasks.js';
import type { BoshState } from './state.js';
import { TaskEngine } from './tasks/engine.js';
import { JOBS } from './tasks/jobs/index.js';

function onError(err: Error): Response {
  if (err instanceof BoshError) return errorResponse(err);
  if (process.env.FAKEFOUNDRY_DEBUG) console.error('[fakefoundry:bosh]', err);
  // The director answers exceptions that are not DirectorErrors with an empty 500.
  return new Response(null, { status: 500 });
}

/** The fake BOSH director: one Hono app over a `BoshModel`, tasks run by a `TaskEngine` on the foundation clock. */
export class BoshSimulator implements Simulator<BoshState> {
  readonly name = 'bosh';
  readonly app: Hono;
  readonly config: BoshConfig;
  readonly model: BoshModel;
  readonly engine: TaskEngine;
  readonly auth: BoshAuth;
  readonly control: BoshControl;
  readonly controlRoutes: Hono;

  constructor(
    readonly kernel: Kernel,
    config: BoshConfigInput = {},
    private readonly peers: ReadonlyMap<string, Simulator> = new Map(),
  ) {
    this.config = boshConfigSchema.parse(config);
    this.model = new BoshModel(kernel, this.config);
    this.engine = new TaskEngine(this.model, kernel, this.config, JOBS);
    this.auth = new BoshAuth(this.config, this.model.uuid, peers, kernel.clock);
    const director: Director = { kernel, config: this.config, model: this.model, engine: this.engine, auth: this.auth };
    this.control = new BoshControl(director);
    this.controlRoutes = controlRoutes(this.control, () => this.envLines());

    const api = new Hono<BoshEnv>();
    api.use('*', async (c, next) => {
      await next();
      c.res = finishDirectorResponse(c.res, c.req.method, c.req.path, kernel.clock);
    });
    api.use('*', async (c, next) => {
      if (c.req.path === '/info') return next();
      const p = await this.auth.authenticate(c.req.header('authorization'));
      if (!p) return notAuthorized(c.req.path);
      c.set('principal', p);
      const ctx = c.req.header('x-bosh-context-id');
      if (ctx && ctx.length > 64) throw new BoshError(400, 70010, 'X-Bosh-Context-Id cannot be more than 64 characters in length');
      await next();
    });
    infoRoutes(api, director);
    deploymentRoutes(api, director);
    instanceRoutes(api, director);
    taskRoutes(api, director);
    configRoutes(api, director);
    artifactRoutes(api, director);
    linkRoutes(api, director);
    miscRoutes(api, director);
    api.onError(onError);
    api.notFound((c) => endpointNotFound(c.req.path));

    this.app = createServiceApp(
      kernel,
      'bosh',
      async (c, status, message) => finishDirectorResponse(await formatBoshError(c, status, message), c.req.method, c.req.path, kernel.clock),
      { finishFault: (c, res) => finishDirectorResponse(res, c.req.method, c.req.path, kernel.clock) },
    );
    this.app.route('/', api);
    this.app.onError(onError);
    this.app.notFound((c) => endpointNotFound(c.req.path));
  }

  /** The `BOSH_*` lines `fakefoundry up --env` prints (BOSH_CA_CERT is the caller's file path). */
  envLines(opts: { caCertPath?: string } = {}): string[] {
    const lines = [`BOSH_ENVIRONMENT=${this.kernel.urls.bosh}`];
    if (opts.caCertPath) lines.push(`BOSH_CA_CERT=${opts.caCertPath}`);
    if (this.auth.mode === 'uaa') {
      const uaa = this.peers.get('uaa') as UaaSimulator | undefined;
      const client = uaa?.model.client('bosh_admin');
      lines.push('BOSH_CLIENT=bosh_admin', `BOSH_CLIENT_SECRET=${client?.client_secret ?? ''}`);
    } else {
      const u = this.config.auth.users[0];
      if (u) lines.push(`BOSH_CLIENT=${u.name}`, `BOSH_CLIENT_SECRET=${u.password}`);
    }
    return lines;
  }

  snapshot(): BoshState {
    return structuredClone(this.model.state);
  }

  restore(state: BoshState): void {
    this.engine.clear();
    this.model.replace(structuredClone(state));
    this.engine.resumeAll();
  }

  reset(): void {
    this.engine.clear();
    this.model.reset();
  }

  close(): void {
    this.engine.clear();
  }
}

export const boshFactory: SimulatorFactory<BoshConfigInput> = {
  name: 'bosh',
  hostLabel: 'bosh',
  inProcessPort: 25555,
  create: (kernel, config, peers) => new BoshSimulator(kernel, config, peers),
};

export { BoshModel, TaskEngine, BoshControl };
