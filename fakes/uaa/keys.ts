import { createPublicKey, type KeyObject } from 'node:crypto';
import { exportJWK, importPKCS8, type JWK } from 'jose';
import { freshKeys, type KeySource, type RsaKeyPair } from '../core/keys.js';

/**
 * Token signing keys. Key material comes from the platform CSPRNG (never the seed) and lives in
 * the UAA state as PEM, so `--state` and snapshots keep tokens verifiable across restarts.
 */
export interface SigningKey {
  kid: string;
  /** PKCS#8 PEM. */
  privatePem: string;
  /** SPKI PEM: the `value` field of `/token_keys`, which Cloud Controller builds its verifier from. */
  publicPem: string;
  active: boolean;
  /** Kept for verification after rotation; removed keys no longer verify. */
  createdAt: number;
}

/**
 * A new signing key. Its key pair is made when first read (the first token, `/token_keys`, or the
 * state being saved), not here: making an RSA key is most of a fresh `fakefoundry up`'s start, and
 * many foundations never issue a token. Once made, the PEMs are ordinary fields.
 */
export function generateSigningKey(kid: string, createdAt: number, keys: KeySource = freshKeys()): SigningKey {
  const key = { kid, active: true, createdAt } as SigningKey;
  const fields = ['privatePem', 'publicPem'] as const;
  const settle = (): void => {
    const pair: RsaKeyPair = keys.rsa();
    for (const f of fields) Object.defineProperty(key, f, { value: pair[f], writable: true, enumerable: true, configurable: true });
  };
  for (const f of fields) {
    Object.defineProperty(key, f, {
      get: () => (settle(), key[f]),
      set: (v: string) => (settle(), (key[f] = v)),
      enumerable: true,
      configurable: true,
    });
  }
  return key;
}

/** The JWK as UAA's KeyInfo writes it: kty, e, use, kid, alg, value (PEM), n. */
export interface UaaJwk {
  kty: 'RSA';
  e: string;
  use: 'sig';
  kid: string;
  alg: 'RS256';
  value: string;
  n: string;
}

const publicCache = new WeakMap<SigningKey, Promise<UaaJwk>>();
const privateCache = new Map<string, Promise<CryptoKey>>();

export function toJwk(key: SigningKey): Promise<UaaJwk> {
  let cached = publicCache.get(key);
  if (!cached) {
    cached = (async () => {
      const pub: KeyObject = createPublicKey(key.publicPem);
      const jwk: JWK = await exportJWK(pub);
      return { kty: 'RSA', e: jwk.e!, use: 'sig', kid: key.kid, alg: 'RS256', value: key.publicPem.trimEnd(), n: jwk.n! };
    })();
    publicCache.set(key, cached);
  }
  return cached;
}

/** Imported signing keys are cached by PEM: importing is far slower than signing. */
export function signingKeyObject(key: SigningKey): Promise<CryptoKey> {
  let cached = privateCache.get(key.privatePem);
  if (!cached) {
    cached = importPKCS8(key.privatePem, 'RS256') as Promise<CryptoKey>;
    // A cache, not state: bounded so a process that builds many foundations does not grow without end.
    if (privateCache.size >= 256) privateCache.clear();
    privateCache.set(key.privatePem, cached);
  }
  return cached;
}
