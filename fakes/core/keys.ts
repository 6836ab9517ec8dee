import { generateKeyPair, generateKeyPairSync } from 'node:crypto';

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

// A cache, not state: key pairs that reusedKeys() hands out again in every foundation of this process.
const reusable: RsaKeyPair[] = [];

/**
 * For test suites that build many foundations: the n-th key a foundation asks for is the same
 * key pair in every foundation of this process (made once), so a foundation costs no key
 * generation. Keys still differ within one foundation (rotation works as before), but a token
 * signed by one foundation's UAA verifies at another's: use fresh keys to test isolation.
 */
export function reusedKeys(): KeySource {
  let next = 0;
  const at = (i: number) => (reusable[i] ??= generateSync());
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
