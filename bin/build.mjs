#!/usr/bin/env node
// `npm run build` (and `prepare`): tsc to dist/; the non-TypeScript files that sit beside the
// modules (an example adapter, an HTML asset) copied to the same place under dist/; and the
// `up` command's code bundled into one file, which the CLI loads several times faster.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { upToDate, writeStamp } from './build-stamp.mjs';
import { bundleUp } from './bundle-up.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');
const config = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));

// Nothing to do when no input changed since the last build finished (what `prepare` just made,
// say): the compiled folders, the package and TypeScript configs, the lockfile and these scripts.
// `--force` builds anyway.
const stamp = path.join(root, 'node_modules/.cache/fakefoundry/build.stamp');
const inputs = [...config.include, 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'bin/build.mjs', 'bin/build-stamp.mjs', 'bin/bundle-up.mjs'];
const started = Date.now();
if (!process.argv.includes('--force') && existsSync(path.join(dist, 'index.js')) && existsSync(path.join(dist, 'cli/up.bundle.cjs')) && upToDate(stamp, root, inputs)) {
  console.log('dist/ is up to date');
  process.exit(0);
}

// tsc builds incrementally; its build info lives outside dist/ (so it is not published) and is
// dropped whenever dist/ is not there, since tsc would otherwise trust it and emit nothing.
const buildInfo = path.join(root, config.compilerOptions.tsBuildInfoFile);
if (!existsSync(path.join(dist, 'index.js'))) rmSync(buildInfo, { force: true });
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// What a deleted or moved source left behind in dist/ goes, so it is never published. The bundle
// and its code caches (cli/code-cache.ts, not published) are not made from a source of their own.
const BUILT = /\.(d\.ts|d\.ts\.map|js|js\.map)$/;
function prune(rel) {
  for (const entry of readdirSync(path.join(dist, rel), { withFileTypes: true })) {
    const child = path.join(rel, entry.name);
    if (entry.isDirectory()) {
      prune(child);
      if (readdirSync(path.join(dist, child)).length === 0) rmSync(path.join(dist, child), { recursive: true });
    } else if (!existsSync(path.join(root, child)) && !(BUILT.test(child) && existsSync(path.join(root, child.replace(BUILT, '.ts')))) && !/^up\.bundle\.cjs(\.map|\..*\.v8cache)?$/.test(path.relative('cli', child))) {
      rmSync(path.join(dist, child));
    }
  }
}
prune('');

// TypeScript compiles these; docs and tests stay in the repository.
const skip = (name) => /\.(ts|tsx|mts|cts)$/.test(name) || name.endsWith('.md') || name.startsWith('.');
let copied = 0;
function copyAssets(rel) {
  const from = path.join(root, rel);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const child = path.join(rel, entry.name);
    // A node_modules folder under a source folder holds a tool's cache, never something to publish.
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') copyAssets(child);
    } else if (!skip(entry.name)) {
      // Only what changed is written: tests run the CLI from dist/ while the packaging test builds,
      // and a file rewritten in place is briefly empty.
      const target = path.join(dist, child);
      const content = readFileSync(path.join(root, child));
      if (!existsSync(target) || !readFileSync(target).equals(content)) {
        cpSync(path.join(root, child), target, { preserveTimestamps: true });
        copied++;
      }
    }
  }
}
for (const dir of config.include) {
  if (existsSync(path.join(root, dir)) && !dir.endsWith('.ts')) copyAssets(dir);
}

// Each bundled module still sees its own dist/ file as import.meta.url, so files it locates beside
// itself (copied above) are found from the bundle too. The bundle is CommonJS, so that the CLI can
// load it with V8's code cache (cli/code-cache.ts).
const bundle = path.join(dist, 'cli/up.bundle.cjs');
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('esbuild is not installed: the CLI will load dist/cli/up.js module by module (slower to start)');
}
if (esbuild) {
  await bundleUp(esbuild, { root, outfile: bundle, ownFile: (source) => path.join(dist, path.relative(root, source).replace(/\.ts$/, '.js')) });
}
writeStamp(stamp, started);
console.log(`built dist/ (${copied} changed asset${copied === 1 ? '' : 's'} copied${esbuild ? ', cli/up.bundle.cjs' : ''})`);
