import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { ServerCertificate } from './tls.js';

/** One fake served over HTTP or HTTPS on a given or free port. */
export interface NetworkServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  host?: string;
  port?: number;
  /** Serve HTTPS with this certificate chain; plain HTTP without. */
  tls?: ServerCertificate;
  /** The host name put in the URL (defaults to `host`, or 127.0.0.1 for a wildcard host). */
  publicHost?: string;
}

export async function listen(app: Hono, opts: ListenOptions = {}): Promise<NetworkServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = opts.tls
    ? createAdaptorServer({
        fetch: app.fetch,
        // Keep the platform's Request/Response: msw (in-process mounts) must see real error responses.
        overrideGlobalObjects: false,
        createServer: https.createServer,
        serverOptions: { key: opts.tls.keyPem, cert: opts.tls.chainPem, minVersion: 'TLSv1.2' },
      })
    : createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false, createServer: http.createServer });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = opts.publicHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const hostPart = shownHost.includes(':') ? `[${shownHost}]` : shownHost;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${hostPart}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
