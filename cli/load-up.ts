import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freshKeys, reusedKeys } from '../fakes/core/keys.js';
import type { ConnectionInfo } from './connection-format.js';
import { loadCachedScript } from './code-cache.js';
import { afterStart, claimKeyPool, pooledKeys, TLS_KEYS } from './key-pool.js';
import type { UpOptions } from './up.js';

type UpModule = typeof import('./up.js');

/**
 * The `up` implementation. In the package it is one pre-built CommonJS bundle (dist/cli/up.bundle.cjs,
 * made by `npm run build`), which loads several times faster than the few hundred modules it holds,
 * and faster again from V8's code cache; from the TypeScript sources, or when the bundle is
 * missing, it is the module itself.
 */
async function loadUp(): Promise<{ up: UpModule; loaded(): void }> {
  const bundle = new URL('./up.bundle.cjs', import.meta.url);
  if (import.meta.url.endsWith('.js') && existsSync(bundle)) {
    const script = loadCachedScript<UpModule>(fileURLToPath(bundle));
    return { up: script.exports, loaded: () => script.saveCache() };
  }
  return { up: await import('./up.js'), loaded: () => undefined };
}

/**
 * Runs the fakes until SIGINT/SIGTERM. The RSA keys (the CA's, the server certificate's, the UAA's
 * signing key) come from the key pool in --dir. Without one, the two TLS needs are made on libuv's
 * threads while the fakes load, and the UAA's once ready: it reads its key on the first token
 * (making one then, should that come first). Once ready, it also makes the next start's pool.
 */
export async function serve(opts: UpOptions, onReady?: (info: ConnectionInfo) => void): Promise<void> {
  // A test suite that says FAKEFOUNDRY_KEYS=reuse (see fakes/core/keys.ts) gets its reused keys
  // here too: no pool taken, none made for the next start.
  if (process.env.FAKEFOUNDRY_KEYS === 'reuse') {
    const { up, loaded } = await loadUp();
    await up.upForeground(opts, { keys: reusedKeys(), onReady, afterReady: () => loaded() });
    return;
  }
  const pooled = claimKeyPool(opts.dir);
  const made = Promise.all(Array.from({ length: Math.max(0, TLS_KEYS - pooled.length) }, () => freshKeys().rsaAsync()));
  made.catch(() => undefined); // awaited below; a failure surfaces there
  const { up, loaded } = await loadUp();
  const keys = pooledKeys([...pooled, ...(await made)]);
  await up.upForeground(opts, {
    keys,
    onReady,
    afterReady: (stopping) => {
      loaded();
      void afterStart(opts.dir, keys, () => stopping.aborted);
    },
  });
}
