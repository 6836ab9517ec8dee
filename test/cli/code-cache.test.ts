import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCachedScript } from '../../cli/code-cache.js';

let dir = '';
let file = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ff-codecache-'));
  file = path.join(dir, 'bundle.cjs');
  writeFileSync(
    file,
    `const { basename } = require('node:path');
exports.name = basename(__filename);
exports.dir = __dirname;
exports.twice = (n) => n * 2;
exports.load = (url) => __ffImport(url);
`,
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const caches = () => readdirSync(dir).filter((f) => f.endsWith('.v8cache'));

describe('a CommonJS bundle loaded with V8\'s code cache', () => {
  it('runs as if required, then from the cache it wrote, with the same exports and import()', async () => {
    const first = loadCachedScript<any>(file);
    expect(first.fromCache).toBe(false);
    expect([first.exports.name, first.exports.dir, first.exports.twice(21)]).toEqual(['bundle.cjs', dir, 42]);
    first.saveCache();
    expect(caches()).toEqual([`bundle.cjs.${process.version}-${process.arch}.v8cache`]);

    const second = loadCachedScript<any>(file);
    expect(second.fromCache).toBe(true);
    expect([second.exports.name, second.exports.dir, second.exports.twice(21)]).toEqual(['bundle.cjs', dir, 42]);
    // Node 20 gives a script compiled from a cache no import() of its own: the loader's is used.
    const own = path.join(dir, 'esm.mjs');
    writeFileSync(own, 'export const answer = 42;\n');
    expect((await second.exports.load(new URL(`file://${own}`).href)).answer).toBe(42);
  });

  it('compiles from source when the bundle is newer than its cache', () => {
    loadCachedScript(file).saveCache();
    const later = new Date(Date.now() + 60_000);
    utimesSync(file, later, later);
    const again = loadCachedScript(file);
    expect(again.fromCache).toBe(false);
  });

  it('caches nothing where it cannot write, and still runs', () => {
    // Its temporary file's name taken by a directory: not writable, even for root.
    const cacheFile = path.join(dir, `bundle.cjs.${process.version}-${process.arch}.v8cache`);
    mkdirSync(`${cacheFile}.${process.pid}.tmp`);
    const script = loadCachedScript<any>(file);
    expect(() => script.saveCache()).not.toThrow();
    expect(script.exports.twice(2)).toBe(4);
    expect(caches()).toEqual([]);
  });
});
