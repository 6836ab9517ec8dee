import { describe, expect, it } from 'vitest';
import { BoshError } from '../../fakes/bosh/errors.js';
import { manifestDiff } from '../../fakes/bosh/manifest/diff.js';
import { parseManifestSync, validateManifestYml, variableNames } from '../../fakes/bosh/manifest/parse.js';

/** The manifest text helpers called directly: the checks before a task exists, variable names, diffs. */

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof BoshError) return [err.status, err.code, err.description];
    throw err;
  }
  throw new Error('did not throw');
};

describe('manifest checks before a task exists', () => {
  it('refuses an empty body, YAML that does not parse, and a document that is not a mapping (440001)', () => {
    expect(refusal(() => validateManifestYml(''))).toEqual([400, 440001, 'Manifest should not be empty']);
    expect(refusal(() => validateManifestYml(' \n'))).toEqual([400, 440001, 'Manifest should be a hash']);
    expect(refusal(() => validateManifestYml('- a\n'))).toEqual([400, 440001, 'Manifest should be a hash']);
    expect(refusal(() => validateManifestYml('7'))).toEqual([400, 440001, 'Manifest should be a hash']);
    const [, code, message] = refusal(() => validateManifestYml('a: [\n'));
    expect([code, String(message).startsWith('Incorrect YAML structure of the uploaded manifest: #<Psych::SyntaxError: (<unknown>): ')]).toEqual([440001, true]);
    expect(String(message)).not.toContain('\n');
    // Repeated keys are allowed (the last wins), as Psych allows them.
    expect(validateManifestYml('a: 1\na: 2\n')).toEqual({ a: 2 });
  });

  it('needs a name: missing, null or false is 40001; another type is 40000', () => {
    expect(refusal(() => parseManifestSync('a: 1\n'))).toEqual([400, 40001, "Deployment manifest must have a 'name' key"]);
    expect(refusal(() => parseManifestSync('name: ~\n'))).toEqual([400, 40001, "Deployment manifest must have a 'name' key"]);
    expect(refusal(() => parseManifestSync('name: false\n'))).toEqual([400, 40001, "Deployment manifest must have a 'name' key"]);
    expect(refusal(() => parseManifestSync('name: 5\n'))).toEqual([400, 40000, "Property 'name' value (5) did not match the required type 'String'"]);
    expect(refusal(() => parseManifestSync('name: [a]\n'))).toEqual([400, 40000, `Property 'name' value (["a"]) did not match the required type 'String'`]);
    expect(parseManifestSync('name: d\n').name).toBe('d');
  });

  it('names the variables: `variables:` entries first, then each placeholder once, by its first segment', () => {
    const text = 'name: d\nvariables: [{name: pw}, {name: 5}, x]\nproperties: {a: ((pw)), b: (( cert.private_key )), c: ((!literal)), d: ((/abs/path)), e: ((cert.ca))}\n';
    expect(variableNames(text, validateManifestYml(text))).toEqual(['pw', 'cert', 'literal', '/abs/path']);
    expect(variableNames('name: d\n', { name: 'd', variables: 'nope' })).toEqual([]);
    expect(variableNames('name: d\n', { name: 'd', variables: [{ name: 'declared' }, null, { type: 'password' }] })).toEqual(['declared']);
  });
});

describe('manifest diffs', () => {
  const before = 'name: d\ninstance_groups:\n- name: g\n  instances: 1\nproperties: {password: secret, nested: {key: value}}\n';

  it('shows every line as added for a new deployment, and nothing for an unchanged one', () => {
    expect(manifestDiff(null, 'name: d\na: 1\n', true)).toEqual([
      ['name: d', 'added'],
      ['a: 1', 'added'],
    ]);
    expect(manifestDiff(before, before, true)).toEqual([]);
    // Re-serialised, so formatting alone is no change.
    expect(manifestDiff('name: d\nlist: [1, 2]\n', 'name:   d\nlist:\n- 1\n- 2\n', false)).toEqual([]);
  });

  it('redacts property and env values (nested too) unless asked not to', () => {
    const after = before.replace('instances: 1', 'instances: 2');
    expect(manifestDiff(before, after, true)).toEqual([
      ['name: d', null],
      ['instance_groups:', null],
      ['  - name: g', null],
      ['    instances: 2', 'added'],
      ['    instances: 1', 'removed'],
      ['properties:', null],
      ['  password: <redacted>', null],
      ['  nested:', null],
      ['    key: <redacted>', null],
    ]);
    const env = manifestDiff(null, 'env: {bosh: {password: x}}\nname: d\n', true);
    expect(env.map(([l]) => l)).toEqual(['env:', '  bosh:', '    password: <redacted>', 'name: d']);
    expect(manifestDiff(before, after, false).map(([l]) => l)).toContain('  password: secret');
  });

  it('keeps every line of both sides, in order, with the longest run of unchanged lines', () => {
    const list = (items: string[]) => (items.length ? items.map((x) => `- ${x}\n`).join('') : '[]\n');
    const cases: [string[], string[], number][] = [
      [['a', 'b', 'c'], ['x', 'b', 'c', 'd'], 2],
      [['a', 'b', 'c', 'd'], ['b', 'd', 'a'], 2],
      [['a'], ['a', 'a', 'a'], 1],
      [['q', 'a', 'b'], ['a', 'b', 'q'], 2],
      [['a', 'b'], ['c'], 0],
    ];
    for (const [a, b, common] of cases) {
      const out = manifestDiff(list(a), list(b), false);
      expect(out.filter(([, s]) => s !== 'added').map(([l]) => l)).toEqual(a.map((x) => `- ${x}`));
      expect(out.filter(([, s]) => s !== 'removed').map(([l]) => l)).toEqual(b.map((x) => `- ${x}`));
      expect(out.filter(([, s]) => s === null)).toHaveLength(common);
    }
    // Long values stay on one line.
    const long = 'x'.repeat(120);
    expect(manifestDiff(null, `name: ${long} ${long}\n`, false)).toEqual([[`name: ${long} ${long}`, 'added']]);
  });

  it('diffs raw lines when a side does not parse', () => {
    expect(manifestDiff('a: [', 'a: 1\n', true)).toEqual([
      ['a: 1', 'added'],
      ['a: [', 'removed'],
    ]);
  });
});
