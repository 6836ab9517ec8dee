import type { Context } from 'hono';
import type { Kernel } from '../core/kernel.js';
import type { UaaSimulator } from '../uaa/index.js';
import { principal } from './auth.js';
import type { CcConfig } from './config.js';
import type { CcModel } from './model/model.js';
import type { BrokerSync } from './ops/brokers.js';
import type { ServiceOps } from './ops/service-ops.js';
import { Access } from './permissions.js';
import type { CcPlatformApi } from './platform/api.js';

/** What every route module gets: the model, the operations, the platform, the kernel. */
export interface CcDeps {
  kernel: Kernel;
  config: CcConfig;
  model: CcModel;
  ops: ServiceOps;
  brokers: BrokerSync;
  platform: () => CcPlatformApi;
  uaa: () => UaaSimulator | undefined;
}

export function access(d: CcDeps, c: Context): Access {
  return new Access(d.model, principal(c));
}
