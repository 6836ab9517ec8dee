import { generateKeyPair, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * RSA 2048 key pairs, for the UAA's token signing keys and for the TLS CA and server certificate.
 * Key material comes from the platform CSPRNG, never the seed. Generating one takes 50-300 ms of
 * CPU, which dominates starting a foundation, so where keys come from is pluggable.
 */
export interface RsaKeyPair {
  /** PKCS#8 PEM. */
  privatePem: string;
  /** SPKI PEM. */
  publicPem: string;
}

export interface KeySource {
  /** A key pair now (the UAA makes its signing keys synchronously). */
  rsa(): RsaKeyPair;
  /** A key pair made off the main thread (TLS certificates). */
  rsaAsync(): Promise<RsaKeyPair>;
}

const RSA = {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
} as const;

function generateSync(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', RSA);
  return { privatePem: privateKey, publicPem: publicKey };
}

function generateAsync(): Promise<RsaKeyPair> {
  return new Promise((resolve, reject) =>
    generateKeyPair('rsa', RSA, (err, publicKey, privateKey) => (err ? reject(err) : resolve({ privatePem: privateKey, publicPem: publicKey }))),
  );
}

/** A new key pair every time (the default). */
export function freshKeys(): KeySource {
  return { rsa: generateSync, rsaAsync: generateAsync };
}

// A cache, not state: key pairs that reusedKeys() hands out again in every foundation of this
// process, by the file they are shared through (if any).
const shelves = new Map<string | undefined, RsaKeyPair[]>();

function readShared(file: string): RsaKeyPair[] {
  try {
    const keys: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!Array.isArray(keys)) return [];
    const valid = keys.filter((k): k is RsaKeyPair => typeof k?.privatePem === 'string' && typeof k?.publicPem === 'string');
    return valid.length === keys.length ? valid : [];
  } catch {
    return [];
  }
}

function writeShared(file: string, keys: RsaKeyPair[]): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(keys), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // Other processes make their own.
  }
}

/**
 * For test suites that build many foundations: the n-th key a foundation asks for is the same
 * key pair in every foundation of this process (made once), so a foundation costs no key
 * generation. Keys still differ within one foundation (rotation works as before), but a token
 * signed by one foundation's UAA verifies at another's: use fresh keys to test isolation.
 * With `file` (default: the environment's `FAKEFOUNDRY_KEYS_FILE`), the pairs are also shared
 * with the other processes of a run (its workers, the CLIs and brokers it starts) through that
 * file, made by whichever needs one first.
 */
export function reusedKeys(file: string | undefined = process.env.FAKEFOUNDRY_KEYS_FILE || undefined): KeySource {
  let next = 0;
  let reusable = shelves.get(file);
  if (!reusable) shelves.set(file, (reusable = file ? readShared(file) : []));
  const at = (i: number): RsaKeyPair => {
    if (!reusable[i]) {
      while (reusable.length <= i) reusable.push(generateSync());
      if (file) writeShared(file, reusable);
    }
    return reusable[i];
  };
  return { rsa: () => at(next++), rsaAsync: async () => at(next++) };
}

/**
 * What a foundation uses when not told: fresh keys, or {@link reusedKeys} when the environment
 * says `FAKEFOUNDRY_KEYS=reuse` (a test suite that builds a foundation per test and does not test
 * key isolation: this repository's own suite does).
 */
export function defaultKeys(env: NodeJS.ProcessEnv = process.env): KeySource {
  return env.FAKEFOUNDRY_KEYS === 'reuse' ? reusedKeys() : freshKeys();
}
