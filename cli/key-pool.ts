import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freshKeys, type KeySource, type RsaKeyPair } from '../fakes/core/keys.js';

/**
 * RSA key pairs made ahead of time in `--dir` (`key-pool.json`, readable by its owner only), so
 * `fakefoundry up` need not make any while a user waits: making the three a start needs (the CA's,
 * the server certificate's, the UAA's signing key) is most of its CPU. Each pair is used by one
 * start only, as if made then: a running instance takes the pool and, once it is ready, makes the
 * next start's pairs in the background. A start with no pool (a fresh --dir) makes the two its TLS
 * needs, and the UAA's signing key once it is ready (the UAA reads it only on its first token).
 */
export const KEYS_PER_START = 3;
const FILE = 'key-pool.json';

interface PoolFile {
  version: 1;
  keys: RsaKeyPair[];
}

/** Takes every pair in the pool; moved aside first, so a second process can never take the same pairs. */
export function claimKeyPool(dir: string): RsaKeyPair[] {
  const file = path.join(dir, FILE);
  const claimed = `${file}.${process.pid}.claimed`;
  try {
    renameSync(file, claimed);
  } catch {
    return []; // no pool yet
  }
  try {
    const parsed = JSON.parse(readFileSync(claimed, 'utf8')) as Partial<PoolFile>;
    if (parsed.version !== 1 || !Array.isArray(parsed.keys)) return [];
    return parsed.keys.filter((k) => typeof k?.privatePem === 'string' && typeof k?.publicPem === 'string');
  } catch {
    return []; // unreadable: made fresh instead
  } finally {
    rmSync(claimed, { force: true });
  }
}

/** Key pairs a start needs before it is ready: the CA's and the server certificate's. */
export const TLS_KEYS = 2;

export interface PooledKeys extends KeySource {
  /** Pairs not handed out yet. */
  unused(): RsaKeyPair[];
  /** Makes pairs on libuv's threads, one at a time, until `n` wait unused (or `cancelled()`). */
  stock(n: number, cancelled: () => boolean): Promise<void>;
}

/** Hands out the given pairs (each once), then `fallback`'s. */
export function pooledKeys(pairs: RsaKeyPair[], fallback: KeySource = freshKeys()): PooledKeys {
  const left = [...pairs];
  return {
    rsa: () => left.shift() ?? fallback.rsa(),
    rsaAsync: async () => left.shift() ?? fallback.rsaAsync(),
    unused: () => [...left],
    async stock(n, cancelled) {
      while (left.length < n && !cancelled()) left.push(await fallback.rsaAsync());
    },
  };
}

/**
 * Fills the pool up to {@link KEYS_PER_START} pairs: `unused` (claimed but not needed, e.g. when a
 * `--state` file brought its own keys) and new ones, made one at a time on libuv's threads so a
 * core stays free for the fakes. Never throws: without a pool the next start makes its own keys.
 * Writes nothing once `cancelled()` (the instance stopping, its --dir perhaps being removed).
 */
export async function refillKeyPool(dir: string, unused: RsaKeyPair[], cancelled: () => boolean, fresh: KeySource = freshKeys()): Promise<void> {
  const keys = [...unused];
  try {
    while (keys.length < KEYS_PER_START && !cancelled()) keys.push(await fresh.rsaAsync());
    if (cancelled()) return;
    const file = path.join(dir, FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, keys } satisfies PoolFile), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // The next start makes its own keys.
  }
}

/**
 * What a start does with keys once it is ready: have a pair waiting for its UAA's signing key
 * (kept, whether or not the UAA still asks: it may be reading it right now), then fill the pool
 * for the next start with the other unused pairs and new ones.
 */
export async function afterStart(dir: string, keys: PooledKeys, cancelled: () => boolean, fresh: KeySource = freshKeys()): Promise<void> {
  await keys.stock(1, cancelled).catch(() => undefined);
  await refillKeyPool(dir, keys.unused().slice(1), cancelled, fresh);
}
