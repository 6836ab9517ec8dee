import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newestInput, upToDate, writeStamp } from '../../bin/build-stamp.mjs';

const root = mkdtempSync(path.join(tmpdir(), 'ff-stamp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const at = (p: string, seconds: number) => utimesSync(path.join(root, p), seconds, seconds);

describe('npm run build: whether anything changed since the last build', () => {
  it('takes the newest file or folder among the inputs; missing inputs count for nothing', () => {
    mkdirSync(path.join(root, 'src/deep'), { recursive: true });
    writeFileSync(path.join(root, 'src/deep/a.ts'), '');
    writeFileSync(path.join(root, 'package.json'), '{}');
    for (const [p, s] of [['src/deep/a.ts', 3000], ['src/deep', 1000], ['src', 1000], ['package.json', 2000]] as const) at(p, s);
    expect(newestInput(root, ['src', 'package.json', 'missing.json'])).toBe(3_000_000);
    expect(newestInput(root, ['missing.json'])).toBe(0);
    // A tool's cache under a source folder is not an input.
    mkdirSync(path.join(root, 'src/node_modules/.vite'), { recursive: true });
    writeFileSync(path.join(root, 'src/node_modules/.vite/results.json'), '{}');
    at('src/node_modules/.vite/results.json', 9000);
    at('src/node_modules/.vite', 9000);
    at('src/node_modules', 9000);
    at('src', 1000);
    expect(newestInput(root, ['src'])).toBe(3_000_000);
  });

  it('is up to date after a stamp dated after every input, and not once a file changes, goes or is added', () => {
    const stamp = path.join(root, 'cache/build.stamp');
    expect(upToDate(stamp, root, ['src'])).toBe(false);
    writeStamp(stamp, 4_000_000);
    expect(upToDate(stamp, root, ['src', 'package.json'])).toBe(true);
    at('src/deep/a.ts', 5000);
    expect(upToDate(stamp, root, ['src'])).toBe(false);
    writeStamp(stamp, 6_000_000);
    expect(upToDate(stamp, root, ['src'])).toBe(true);
    // Renaming or deleting a file changes its folder, not any file.
    renameSync(path.join(root, 'src/deep/a.ts'), path.join(root, 'src/deep/b.ts'));
    at('src/deep/b.ts', 1000);
    expect(upToDate(stamp, root, ['src'])).toBe(false);
  });
});
