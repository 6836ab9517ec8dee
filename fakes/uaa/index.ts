import type { Hono } from 'hono';
import type { Kernel } from '../core/kernel.js';
import { createServiceApp } from '../core/service-app.js';
import type { Simulator, SimulatorFactory } from '../core/simulator.js';
import { uaaConfigSchema, type UaaConfigInput } from './config.js';
import { UaaError, formatUaaError, uaaErrorResponse } from './errors.js';
import { UaaModel } from './model.js';
import { discoveryRoutes } from './routes/discovery.js';
import { keyRoutes } from './routes/keys.js';
import { tokenRoutes } from './routes/token.js';
import type { UaaState } from './state.js';
import { TokenService } from './tokens.js';

export class UaaSimulator implements Simulator<UaaState> {
  readonly name = 'uaa';
  readonly app: Hono;
  readonly model: UaaModel;
  readonly tokens: TokenService;

  constructor(kernel: Kernel, config: UaaConfigInput = {}) {
    this.model = new UaaModel(kernel, uaaConfigSchema.parse(config));
    this.model.rotateKey();
    this.tokens = new TokenService(this.model);
    this.app = createServiceApp(kernel, 'uaa', formatUaaError);
    tokenRoutes(this.app, this.model, this.tokens);
    keyRoutes(this.app, this.model);
    discoveryRoutes(this.app, this.model);
    this.app.notFound((c) => uaaErrorResponse(new UaaError(404, 'not_found', `No resource found for ${c.req.path}`)));
  }

  snapshot(): UaaState {
    return structuredClone(this.model.state);
  }

  restore(state: UaaState): void {
    this.model.state = structuredClone(state);
  }

  reset(): void {
    this.model.reset();
  }
}

export const uaaFactory: SimulatorFactory<UaaConfigInput> = {
  name: 'uaa',
  hostLabel: 'uaa',
  create: (kernel, config) => new UaaSimulator(kernel, config),
};

export { UaaModel, TokenService };
