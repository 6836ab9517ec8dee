#!/usr/bin/env node
// `npm run mutate -- <file or folder>... [stryker options]`: mutation-tests the code under the
// paths with the tests of their area only (fakes/uaa/routes → test/uaa/**).
// `--tests <glob>` picks other test files; other options go to `stryker run` as they are
// (e.g. `--concurrency 2`, `--incremental`).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
// The paths come first; options (and their values) after.
const firstOption = args.findIndex((a) => a.startsWith('-'));
const targets = firstOption < 0 ? args : args.slice(0, firstOption);
const rest = firstOption < 0 ? [] : args.slice(firstOption);
if (targets.length === 0) {
  console.error('usage: npm run mutate -- <file or folder>... [--tests <glob,...>] [stryker options]');
  process.exit(2);
}
let tests;
const i = rest.indexOf('--tests');
if (i >= 0) {
  tests = rest[i + 1];
  rest.splice(i, 2);
}

const mutate = [];
const areaTests = new Set();
for (const target of targets) {
  const rel = path.relative(process.cwd(), path.resolve(target)).split(path.sep).join('/');
  if (!existsSync(rel)) {
    console.error(`no such file or folder: ${target}`);
    process.exit(2);
  }
  mutate.push(statSync(rel).isDirectory() ? `${rel}/**/*.ts` : rel);
  // The area: fakes/<area>/... → test/<area>; anything else: test/<first folder>.
  const parts = rel.split('/');
  const area = parts[0] === 'fakes' ? parts[1] : parts[0];
  if (existsSync(`test/${area}`)) areaTests.add(`test/${area}/**/*.test.ts`);
}
if (!tests && areaTests.size > 0) tests = [...areaTests].join(',');

const stryker = path.join(path.dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')), 'bin/stryker.js');
const cmd = [stryker, 'run', '--mutate', mutate.join(','), ...(tests ? ['--testFiles', tests] : []), ...rest];
console.error(`stryker ${cmd.slice(1).join(' ')}`);
const run = spawnSync(process.execPath, cmd, { stdio: 'inherit' });
process.exit(run.status ?? 1);
