import { existsSync } from 'node:fs';
import { prefetchedKeys } from '../fakes/core/keys.js';
import type { ConnectionInfo } from './connection-format.js';
import type { UpOptions } from './up.js';

type UpModule = typeof import('./up.js');

/**
 * The `up` implementation. In the package it is one pre-built bundle (dist/cli/up.bundle.js, made
 * by `npm run build`), which loads several times faster than the few hundred modules it holds;
 * from the TypeScript sources, or when the bundle is missing, it is the module itself.
 */
async function loadUp(): Promise<UpModule> {
  const bundle = new URL('./up.bundle.js', import.meta.url);
  if (import.meta.url.endsWith('.js') && existsSync(bundle)) return (await import(bundle.href)) as UpModule;
  return import('./up.js');
}

/**
 * Runs the fakes until SIGINT/SIGTERM. The RSA keys (the UAA's signing key, the CA's, the server
 * certificate's) are made on libuv's threads while the fakes load, instead of one after the other.
 */
export async function serve(opts: UpOptions, onReady?: (info: ConnectionInfo) => void): Promise<void> {
  const keys = prefetchedKeys(3);
  keys.catch(() => undefined); // awaited below; a failure surfaces there
  const { upForeground } = await loadUp();
  await upForeground(opts, { keys: await keys, onReady });
}
