import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { bundleUp } from '../../bin/bundle-up.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The CLI compiled from the current sources, for tests that run it as a process: esbuild makes it
 * in about a second, and each run then starts as the published one does (tsx would compile every
 * module in every process, several times slower), `up` from its bundle. Returns the path of its
 * main script. The output sits inside this repository, so the CLI finds its package.json as an
 * installed one would.
 */
export async function buildCli(): Promise<string> {
  const cache = path.join(ROOT, 'node_modules/.cache/fakefoundry-test');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(path.join(cache, 'cli-'));
  await esbuild.build({
    entryPoints: { main: path.join(ROOT, 'cli/main.ts'), 'daemon-child': path.join(ROOT, 'cli/daemon-child.ts') },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  // The up command as the package has it (one bundle, loaded with a code cache), which starts
  // several times faster than from the modules; its modules keep their sources' URLs.
  await bundleUp(esbuild, { root: ROOT, outfile: path.join(outdir, 'up.bundle.cjs'), ownFile: (source) => source });
  return path.join(outdir, 'main.js');
}
