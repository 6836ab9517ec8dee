import { describe, expect, it } from 'vitest';
import { Random } from '../../fakes/core/random.js';

describe('Random', () => {
  it('gives the same values for the same seed and the same calls', () => {
    const a = new Random('seed-1');
    const b = new Random('seed-1');
    const draw = (r: Random) => [r.uuid(), r.hex(32), r.secret(20), r.int(1, 6), r.faker.person.fullName(), r.faker.internet.ipv4()];
    expect(draw(a)).toEqual(draw(b));
  });

  it('gives different values for different seeds', () => {
    expect(new Random('x').uuid()).not.toEqual(new Random('y').uuid());
  });

  it('keeps streams independent: drawing from one does not shift another', () => {
    const a = new Random('s');
    const b = new Random('s');
    a.fork('uaa').uuid();
    a.fork('uaa').uuid();
    expect(a.fork('bosh').uuid()).toEqual(b.fork('bosh').uuid());
  });

  it('makes RFC 4122 version 4 UUIDs', () => {
    const r = new Random('u');
    for (let i = 0; i < 50; i++) expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('resumes from a snapshot exactly where it left off', () => {
    const a = new Random('snap');
    a.fork('cc').uuid();
    const snap = a.snapshot();
    const expected = [a.fork('cc').uuid(), a.fork('cc').faker.company.name()];
    const b = new Random('snap');
    b.restore(snap);
    expect([b.fork('cc').uuid(), b.fork('cc').faker.company.name()]).toEqual(expected);
  });
});
