import type { Hono } from 'hono';
import type { Kernel } from '../core/kernel.js';
import { createServiceApp } from '../core/service-app.js';
import type { Simulator, SimulatorFactory } from '../core/simulator.js';
import { uaaConfigSchema, type UaaConfigInput } from './config.js';
import { uaaControlRoutes } from './control.js';
import { UaaError, formatUaaError, uaaErrorResponse } from './errors.js';
import type { SigningKey } from './keys.js';
import { UaaModel } from './model.js';
import { clientRoutes } from './routes/clients.js';
import { discoveryRoutes } from './routes/discovery.js';
import { groupRoutes } from './routes/groups.js';
import { keyRoutes } from './routes/keys.js';
import { revocationRoutes } from './routes/revocation.js';
import { tokenRoutes } from './routes/token.js';
import { userRoutes } from './routes/users.js';
import { validationRoutes } from './routes/validation.js';
import type { UaaState } from './state.js';
import { TokenService } from './tokens.js';

export class UaaSimulator implements Simulator<UaaState> {
  readonly name = 'uaa';
  readonly app: Hono;
  readonly model: UaaModel;
  readonly tokens: TokenService;
  readonly controlRoutes: Hono;

  constructor(kernel: Kernel, config: UaaConfigInput = {}) {
    this.model = new UaaModel(kernel, uaaConfigSchema.parse(config));
    const given = this.model.config.signing_key;
    if (given) this.model.adoptKey(given.private_pem, given.public_pem);
    else this.model.rotateKey();
    this.tokens = new TokenService(this.model);
    this.app = createServiceApp(kernel, 'uaa', formatUaaError);
    tokenRoutes(this.app, this.model, this.tokens);
    keyRoutes(this.app, this.model);
    discoveryRoutes(this.app, this.model);
    validationRoutes(this.app, this.model, this.tokens);
    revocationRoutes(this.app, this.model, this.tokens);
    clientRoutes(this.app, this.model, this.tokens);
    userRoutes(this.app, this.model, this.tokens);
    groupRoutes(this.app, this.model, this.tokens);
    this.app.notFound((c) => uaaErrorResponse(new UaaError(404, 'not_found', `No resource found for ${c.req.path}`)));
    this.controlRoutes = uaaControlRoutes(this.model);
  }

  /** A new active signing key (older keys stay in `/token_keys`, so tokens they signed still verify). */
  rotateKey(kid?: string): SigningKey {
    return this.model.rotateKey(kid);
  }

  /** Stops listing a retired key; false if it is unknown or still active. */
  removeKey(kid: string): boolean {
    return this.model.removeKey(kid);
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
