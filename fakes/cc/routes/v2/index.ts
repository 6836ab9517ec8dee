import type { Hono } from 'hono';
import type { CcDeps } from '../../deps.js';
import { brokerRoutes2 } from './brokers.js';
import { instanceRoutes2 } from './instances.js';
import { orgRoutes2 } from './orgs.js';
import { roleRoutes2 } from './roles.js';

/** The v2 API (`temporary_enable_v2`): what ODB and its errands call. */
export function v2Routes(app: Hono, d: CcDeps): void {
  orgRoutes2(app, d);
  roleRoutes2(app, d);
  brokerRoutes2(app, d);
  instanceRoutes2(app, d);
}
