import { describe, expect, it } from 'vitest';
import { rubyInspect, rubyTruthy } from '../../../fakes/cc/platform/ruby-inspect.js';

/** CC quotes bad catalog values with Ruby's `#inspect` (Ruby 3.3, before 3.4 spaced `=>`). */
describe('rubyInspect', () => {
  it('nil, strings, numbers and booleans as Ruby prints them', () => {
    expect([null, undefined, 'a "b"', 123, 1.5, true, false].map(rubyInspect)).toEqual(['nil', 'nil', '"a \\"b\\""', '123', '1.5', 'true', 'false']);
  });

  it('arrays and hashes, nested, with ", " between items and => between key and value', () => {
    expect(rubyInspect([1, 'x', null, [false]])).toBe('[1, "x", nil, [false]]');
    expect(rubyInspect({ a: 1, b: { c: [true, null] } })).toBe('{"a"=>1, "b"=>{"c"=>[true, nil]}}');
    expect(rubyInspect({})).toBe('{}');
    expect(rubyInspect([])).toBe('[]');
  });
});

describe('rubyTruthy', () => {
  it('only nil and false are false: 0, "" and empty collections are true', () => {
    expect([null, undefined, false].map(rubyTruthy)).toEqual([false, false, false]);
    expect([0, '', [], {}, true, 'false'].map(rubyTruthy)).toEqual([true, true, true, true, true, true]);
  });
});
