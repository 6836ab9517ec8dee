import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleAdapters } from '../../broker-under-test/example-adapters/index.js';

const dir = path.dirname(exampleAdapters.redis.adapterPath).replace(/redis$/, '');
const mjsFiles = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? mjsFiles(path.join(d, e.name)) : e.name.endsWith('.mjs') ? [path.join(d, e.name)] : []));

describe('example adapters ship as plain executables', () => {
  it('each is executable with a node shebang', () => {
    for (const ex of Object.values(exampleAdapters)) {
      accessSync(ex.adapterPath, constants.X_OK);
      expect(readFileSync(ex.adapterPath, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    }
  });

  it('they import only node built-ins, yaml (a runtime dependency) and each other', () => {
    const files = mjsFiles(dir);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const specifiers = [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
      for (const s of specifiers) expect(s, `${path.basename(file)} imports ${s}`).toMatch(/^(node:|yaml$|\.\.?\/)/);
    }
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toContain('yaml');
  });

  it('the TypeScript side imports nothing from fakes/', () => {
    const src = readFileSync(new URL('../../broker-under-test/example-adapters/index.ts', import.meta.url), 'utf8');
    expect(src).not.toMatch(/from '[^']*fakes\//);
  });
});
