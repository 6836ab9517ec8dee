#!/usr/bin/env node
// `npm run mutate -- <file or folder> [stryker options]`: mutation-tests the code under the path
// with the tests of its area only (fakes/uaa/routes → test/uaa/**), so one folder takes minutes.
// `--tests <glob>` picks other test files; other options go to `stryker run` as they are
// (e.g. `--concurrency 2`, `--incremental`).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
const target = args.find((a) => !a.startsWith('-'));
if (!target) {
  console.error('usage: npm run mutate -- <file or folder> [--tests <glob>] [stryker options]');
  process.exit(2);
}
const rest = args.filter((a) => a !== target);
let tests;
const i = rest.indexOf('--tests');
if (i >= 0) {
  tests = rest[i + 1];
  rest.splice(i, 2);
}

const rel = path.relative(process.cwd(), path.resolve(target)).split(path.sep).join('/');
if (!existsSync(rel)) {
  console.error(`no such file or folder: ${target}`);
  process.exit(2);
}
const mutate = statSync(rel).isDirectory() ? `${rel}/**/*.ts` : rel;

if (!tests) {
  // The area: fakes/<area>/... → test/<area>; anything else: test/<first folder>.
  const parts = rel.split('/');
  const area = parts[0] === 'fakes' ? parts[1] : parts[0];
  tests = existsSync(`test/${area}`) ? `test/${area}/**/*.test.ts` : undefined;
}

const stryker = path.join(path.dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')), 'bin/stryker.js');
const cmd = [stryker, 'run', '--mutate', mutate, ...(tests ? ['--testFiles', tests] : []), ...rest];
console.error(`stryker ${cmd.slice(1).join(' ')}`);
const run = spawnSync(process.execPath, cmd, { stdio: 'inherit' });
process.exit(run.status ?? 1);
