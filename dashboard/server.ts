import { Hono } from 'hono';
import { CONTROL_PREFIX } from '../fakes/core/service-app.js';
import type { Kernel } from '../fakes/core/kernel.js';
import { listen, type NetworkServer } from '../fakes/core/mount-network.js';

export interface DashboardServerOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Port (default: a free one). */
  port?: number;
}

/**
 * A plain-HTTP loopback server for the dashboard alone, for a foundation that has no network
 * mount (in-process tests): `/` goes to the page, and `/_fakefoundry/*` is the foundation's
 * control API (the dashboard's data, fault rules and clock), as on every fake's port.
 */
export async function serveDashboard(kernel: Kernel, opts: DashboardServerOptions = {}): Promise<NetworkServer & { dashboardUrl: string }> {
  const app = new Hono();
  app.get('/', (c) => c.redirect(`${CONTROL_PREFIX}/ui/`, 302));
  app.all(`${CONTROL_PREFIX}/*`, (c) => {
    const url = new URL(c.req.url);
    url.pathname = url.pathname.slice(CONTROL_PREFIX.length) || '/';
    return kernel.control.fetch(new Request(url, c.req.raw), c.env);
  });
  const server = await listen(app, { host: opts.host ?? '127.0.0.1', port: opts.port });
  return { ...server, dashboardUrl: `${server.url}${CONTROL_PREFIX}/ui/` };
}
