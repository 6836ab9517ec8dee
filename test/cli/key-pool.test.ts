import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimKeyPool, KEYS_PER_START, pooledKeys, refillKeyPool } from '../../cli/key-pool.js';
import type { KeySource, RsaKeyPair } from '../../fakes/core/keys.js';

// Stand-ins: the pool only moves key pairs around, it never looks inside them.
const pair = (n: number): RsaKeyPair => ({ privatePem: `private ${n}`, publicPem: `public ${n}` });
const counting = (): KeySource & { made: number } => {
  const source = {
    made: 0,
    rsa: () => pair(100 + source.made++),
    rsaAsync: async () => pair(100 + source.made++),
  };
  return source;
};

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ff-pool-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const poolFile = () => path.join(dir, 'key-pool.json');

describe('the key pool in --dir', () => {
  it('is empty in a new directory, and for a file that is not a pool', () => {
    expect(claimKeyPool(dir)).toEqual([]);
    writeFileSync(poolFile(), '{not json');
    expect(claimKeyPool(dir)).toEqual([]);
    writeFileSync(poolFile(), JSON.stringify({ version: 2, keys: [pair(1)] }));
    expect(claimKeyPool(dir)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is taken whole by the first start: a second claim finds nothing', () => {
    writeFileSync(poolFile(), JSON.stringify({ version: 1, keys: [pair(1), pair(2), { privatePem: 3 }] }));
    expect(claimKeyPool(dir)).toEqual([pair(1), pair(2)]);
    expect(claimKeyPool(dir)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('hands out each pooled pair once, then made ones, and tells which are left', async () => {
    const fallback = counting();
    const keys = pooledKeys([pair(1), pair(2)], fallback);
    expect(keys.rsa()).toEqual(pair(1));
    expect(keys.unused()).toEqual([pair(2)]);
    expect(await keys.rsaAsync()).toEqual(pair(2));
    expect(fallback.made).toBe(0);
    expect(keys.rsa()).toEqual(pair(100));
    expect(await keys.rsaAsync()).toEqual(pair(101));
    expect(keys.unused()).toEqual([]);
  });

  it('is refilled to one start\'s worth, keeping the unused pairs, readable by its owner only', async () => {
    await refillKeyPool(dir, [pair(1)], () => false);
    const { version, keys } = JSON.parse(readFileSync(poolFile(), 'utf8'));
    expect(version).toBe(1);
    expect(keys).toHaveLength(KEYS_PER_START);
    expect(keys[0]).toEqual(pair(1));
    for (const k of keys.slice(1)) {
      expect(k.privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(k.publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    }
    expect(new Set(keys.map((k: RsaKeyPair) => k.privatePem)).size).toBe(KEYS_PER_START);
    expect(statSync(poolFile()).mode & 0o777).toBe(0o600);
    expect(claimKeyPool(dir)).toEqual(keys);
  });

  it('is not written once the instance is stopping, nor into a directory that is gone', async () => {
    await refillKeyPool(dir, [pair(1), pair(2), pair(3)], () => true);
    expect(existsSync(poolFile())).toBe(false);
    rmSync(dir, { recursive: true });
    await expect(refillKeyPool(dir, [pair(1), pair(2), pair(3)], () => false)).resolves.toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });
});
