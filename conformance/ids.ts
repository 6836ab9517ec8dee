import { createHash, randomBytes } from 'node:crypto';

/**
 * GUIDs for the instances, bindings, orgs and request identities the suite sends. Seeded, so a run
 * is repeatable in tests; by default the seed is random, so two runs never reuse an instance id.
 */
export class IdSource {
  readonly seed: string;
  #n = 0;

  constructor(seed?: string) {
    this.seed = seed ?? randomBytes(8).toString('hex');
  }

  uuid(): string {
    const h = createHash('sha256').update(`${this.seed}:${++this.#n}`).digest();
    h[6] = (h[6] & 0x0f) | 0x40;
    h[8] = (h[8] & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString('hex');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
  }
}
