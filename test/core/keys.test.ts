import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultKeys, reusedKeys, type RsaKeyPair } from '../../fakes/core/keys.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ff-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Stand-ins where only the handing out is under test: the shelf never looks inside a pair.
const pair = (n: number): RsaKeyPair => ({ privatePem: `private ${n}`, publicPem: `public ${n}` });

describe('key sources', () => {
  it('reused keys repeat by position in every foundation of a process', () => {
    const [a, b] = [reusedKeys(undefined), reusedKeys(undefined)];
    const a0 = a.rsa();
    expect(a0.privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(b.rsa()).toBe(a0);
    expect(a.rsa()).not.toEqual(a0);
  });

  it('reused keys shared through a file: taken from it in order, the missing ones made and added', () => {
    const file = path.join(dir, 'shared.json');
    writeFileSync(file, JSON.stringify([pair(1), pair(2)]));
    const keys = reusedKeys(file);
    expect(keys.rsa()).toEqual(pair(1));
    expect(keys.rsa()).toEqual(pair(2));
    const made = keys.rsa();
    expect(made.publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([pair(1), pair(2), made]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Another foundation of this process starts again from the first.
    expect(reusedKeys(file).rsa()).toEqual(pair(1));
  });

  it('a shared file that is missing or not a list of pairs is replaced by made keys, in a directory made for it', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([pair(1), { privatePem: 2 }]));
    const first = reusedKeys(bad).rsa();
    expect(first).not.toEqual(pair(1));
    expect(JSON.parse(readFileSync(bad, 'utf8'))).toEqual([first]);
    const missing = path.join(dir, 'not', 'yet', 'keys.json');
    const made = reusedKeys(missing).rsa();
    expect(JSON.parse(readFileSync(missing, 'utf8'))).toEqual([made]);
    expect(existsSync(`${missing}.${process.pid}.tmp`)).toBe(false);
  });

  it('FAKEFOUNDRY_KEYS=reuse picks reused keys; anything else fresh ones', async () => {
    const reused = defaultKeys({ FAKEFOUNDRY_KEYS: 'reuse' });
    const again = defaultKeys({ FAKEFOUNDRY_KEYS: 'reuse' });
    expect(await reused.rsaAsync()).toBe(await again.rsaAsync());
    // Fresh keys (key isolation across foundations is tested with them: foundation-isolation.test.ts).
    expect(defaultKeys({}).rsa().publicPem).not.toBe((await reused.rsaAsync()).publicPem);
  });
});
