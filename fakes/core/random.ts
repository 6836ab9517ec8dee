import { Faker, en, type Randomizer } from '@faker-js/faker';

/**
 * Seeded, snapshotable randomness. Each service draws from its own stream (`fork('bosh')`), so a
 * call added to one fake does not shift the ids another fake hands out for the same seed.
 * Not for key material: keys come from the platform CSPRNG and persist through `--state`.
 */

/** sfc32: a small, fast PRNG whose whole state is four 32-bit words, so snapshots are trivial. */
class Sfc32 {
  constructor(public s: [number, number, number, number]) {}
  next(): number {
    let [a, b, c, d] = this.s;
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    this.s = [a, b, c, d];
    return t / 4294967296;
  }
}

/** FNV-1a over a string, then splitmix-style spreading into four words. */
function seedWords(seed: string): [number, number, number, number] {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const out: number[] = [];
  let x = h;
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    out.push(z || 1);
  }
  return out as [number, number, number, number];
}

export type RandomState = Record<string, [number, number, number, number]>;

export class Random {
  readonly seed: string;
  readonly stream: string;
  readonly faker: Faker;
  #rng: Sfc32;
  #forks: Map<string, Random>;

  constructor(seed: string | number = 'fakefoundry', stream = 'root', forks?: Map<string, Random>) {
    this.seed = String(seed);
    this.stream = stream;
    this.#rng = new Sfc32(seedWords(`${this.seed}\u0000${stream}`));
    // Warm up: the first outputs of sfc32 from similar seeds are correlated.
    for (let i = 0; i < 12; i++) this.#rng.next();
    const rng = this.#rng;
    const randomizer: Randomizer = {
      next: () => rng.next(),
      seed: () => {
        /* streams are seeded once, from the foundation seed */
      },
    };
    this.faker = new Faker({ locale: [en], randomizer });
    this.#forks = forks ?? new Map();
    this.#forks.set(stream, this);
  }

  /** The named stream of the same seed; the same name always returns the same stream object. */
  fork(stream: string): Random {
    const existing = this.#forks.get(stream);
    if (existing) return existing;
    return new Random(this.seed, stream, this.#forks);
  }

  next(): number {
    return this.#rng.next();
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  bool(probability = 0.5): boolean {
    return this.next() < probability;
  }

  hex(length: number): string {
    let s = '';
    while (s.length < length) s += Math.floor(this.next() * 0x10000).toString(16).padStart(4, '0');
    return s.slice(0, length);
  }

  /** An RFC 4122 version-4 UUID from this stream. */
  uuid(): string {
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  /** Lowercase letters and digits, as UAA and BOSH generate secrets. */
  secret(length = 20): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  snapshot(): RandomState {
    const out: RandomState = {};
    for (const [name, r] of this.#forks) out[name] = [...r.#rng.s];
    return out;
  }

  restore(state: RandomState): void {
    for (const [name, words] of Object.entries(state)) this.fork(name).#rng.s = [...words];
  }
}
