import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

export interface CachedScript<T> {
  exports: T;
  /** Writes V8's compiled code for the next process, unless this one started from it. Never throws. */
  saveCache(): void;
}

/**
 * Loads a CommonJS bundle with V8's code cache: parsing and compiling a bundle of a few MB is most of
 * the CPU a start costs, and Node 20 has no compile cache of its own (`module.enableCompileCache`
 * came with Node 22). The cache sits beside the bundle, one per Node version and architecture; it is
 * written once the process has run what a start runs (so those functions come compiled too), and
 * used only when newer than the bundle. V8 refuses a cache made by another V8 or with other flags,
 * and the bundle is then compiled from its source as usual. Where the directory is not writable
 * (a global install), nothing is cached.
 */
export function loadCachedScript<T>(file: string): CachedScript<T> {
  const cacheFile = `${file}.${process.version}-${process.arch}.v8cache`;
  let cachedData: Buffer | undefined;
  try {
    if (statSync(cacheFile).mtimeMs >= statSync(file).mtimeMs) cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet.
  }
  // Node's wrapper for CommonJS modules, so the bundle runs as if require()d; and an import() for the
  // modules that stay outside it (the diagram renderer), since Node 20 gives a script compiled from a
  // code cache none (the build rewrites the bundle's import(x) to __ffImport(x)).
  const source = `(function (exports, require, module, __filename, __dirname, __ffImport) { ${readFileSync(file, 'utf8')}\n})`;
  const script = new vm.Script(source, { filename: file, cachedData });
  const module = { exports: {} as T };
  const load = script.runInThisContext() as (...args: unknown[]) => void;
  load(module.exports, createRequire(file), module, file, path.dirname(file), (specifier: string) => import(specifier));
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  return {
    exports: module.exports,
    saveCache() {
      if (fromCache || !existsSync(file)) return;
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // Not writable: the next start compiles the bundle again.
      }
    },
  };
}
