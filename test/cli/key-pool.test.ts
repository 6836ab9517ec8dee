import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { afterStart, claimKeyPool, KEYS_PER_START, pooledKeys, refillKeyPool, TLS_KEYS } from '../../cli/key-pool.js';
import type { KeySource, RsaKeyPair } from '../../fakes/core/keys.js';

// Stand-ins: the pool only moves key pairs around, it never looks inside them.
const pair = (n: number): RsaKeyPair => ({ privatePem: `private ${n}`, publicPem: `public ${n}` });
const counting = (base = 100): KeySource & { made: number } => {
  const source = {
    made: 0,
    rsa: () => pair(base + source.made++),
    rsaAsync: async () => pair(base + source.made++),
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

  it('after a start: one pair waits for the UAA\'s signing key, and the next pool holds none a running instance has or may use', async () => {
    const fallback = counting();
    // A start that found one pair in the pool and made the other its TLS needs.
    const keys = pooledKeys([pair(1), pair(2)], fallback);
    const tls = [await keys.rsaAsync(), await keys.rsaAsync()];
    expect(tls).toHaveLength(TLS_KEYS);
    await afterStart(dir, keys, () => false, counting(200));
    const uaa = keys.rsa();
    expect(uaa).toEqual(pair(100));
    const pool = claimKeyPool(dir);
    expect(pool).toHaveLength(KEYS_PER_START);
    for (const used of [...tls, uaa]) expect(pool).not.toContainEqual(used);
    // A start whose pool had a spare (its UAA key came from a --state file): the spare moves on.
    const spare = pooledKeys([pair(1), pair(2), pair(3), pair(4)], counting());
    await spare.rsaAsync();
    await spare.rsaAsync();
    await afterStart(dir, spare, () => false, counting(200));
    expect(spare.rsa()).toEqual(pair(3));
    expect(claimKeyPool(dir)).toEqual([pair(4), pair(200), pair(201)]);
  });

  it('stocks pairs one at a time until enough wait, and stops when cancelled', async () => {
    const fallback = counting();
    const keys = pooledKeys([pair(1)], fallback);
    await keys.stock(3, () => false);
    expect(keys.unused()).toEqual([pair(1), pair(100), pair(101)]);
    await keys.stock(2, () => false);
    expect(fallback.made).toBe(2);
    let n = 0;
    await keys.stock(10, () => ++n > 2);
    expect(keys.unused()).toHaveLength(5);
  });

  it('is not written once the instance is stopping, nor into a directory that is gone', async () => {
    await refillKeyPool(dir, [pair(1), pair(2), pair(3)], () => true);
    expect(existsSync(poolFile())).toBe(false);
    rmSync(dir, { recursive: true });
    await expect(refillKeyPool(dir, [pair(1), pair(2), pair(3)], () => false)).resolves.toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });
});
