import { describe, expect, it } from 'vitest';
import { ScimFilterError, matchesFilter, parseScimFilter } from '../../fakes/uaa/scim-filter.js';

const alice = {
  id: 'a1',
  userName: 'Alice',
  active: true,
  meta: { version: 3, created: '2026-01-01T00:00:00.000Z' },
  emails: [{ value: 'alice@example.org' }, { value: 'al@work.example' }],
  scope: ['openid', 'cloud_controller.read'],
};
const match = (f: string) => matchesFilter(parseScimFilter(f), alice);

describe('SCIM filter', () => {
  it('eq is case-insensitive on attribute names and string values', () => {
    expect(match('userName eq "alice"')).toBe(true);
    expect(match('USERNAME EQ "ALICE"')).toBe(true);
    expect(match('userName eq "bob"')).toBe(false);
  });

  it('co, sw, pr, comparisons, booleans and numbers', () => {
    expect(match('userName co "lic"')).toBe(true);
    expect(match('userName sw "Al"')).toBe(true);
    expect(match('userName sw "li"')).toBe(false);
    expect(match('id pr')).toBe(true);
    expect(match('externalId pr')).toBe(false);
    expect(match('active eq true')).toBe(true);
    expect(match('active eq false')).toBe(false);
    expect(match('meta.version gt 2')).toBe(true);
    expect(match('meta.version le 2')).toBe(false);
    expect(match('meta.created ge "2025-12-31T00:00:00.000Z"')).toBe(true);
  });

  it('multi-valued attributes match when any value does', () => {
    expect(match('emails.value eq "al@work.example"')).toBe(true);
    expect(match('scope eq "openid"')).toBe(true);
    expect(match('scope co "controller"')).toBe(true);
  });

  it('and binds tighter than or; parentheses override', () => {
    expect(match('userName eq "bob" and id eq "a1" or active eq true')).toBe(true);
    expect(match('userName eq "bob" and (id eq "a1" or active eq true)')).toBe(false);
    expect(match('((userName eq "alice"))')).toBe(true);
  });

  it('quoted values may hold spaces, parentheses, keywords and escaped quotes', () => {
    expect(matchesFilter(parseScimFilter('name eq "a (b) and \\"c\\""'), { name: 'a (b) and "c"' })).toBe(true);
  });

  it.each([
    '',
    'userName',
    'userName eq',
    'userName eq alice',
    'userName eqq "a"',
    '(userName eq "a"',
    'userName eq "a")',
    'userName eq "a" and',
    'userName eq "unterminated',
    'userName co 3',
    'and eq "x" or',
    '"x" eq "y"',
  ])('rejects %j', (f) => {
    expect(() => parseScimFilter(f)).toThrow(ScimFilterError);
  });
});
