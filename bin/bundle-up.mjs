// The `up` command's code as one CommonJS file (see cli/load-up.ts, cli/code-cache.ts): made by
// `npm run build` for dist/, and by the tests' CLI build (test/support/built-cli.ts) from the sources.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Bundles `<root>/cli/up.ts` into `outfile`, written only when it changed (so its code cache stays
 * valid). `ownFile(source)` names the file each bundled module of the repository takes as its own
 * import.meta.url (so files it locates beside itself are found from the bundle too).
 */
export async function bundleUp(esbuild, { root, outfile, ownFile }) {
  const ownUrls = {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const rel = path.relative(root, args.path);
        if (rel.startsWith('..') || rel.startsWith('node_modules')) return undefined;
        const target = path.relative(path.dirname(outfile), ownFile(args.path)).split(path.sep).join('/');
        const url = `new URL(${JSON.stringify(target)}, __ffBundleUrl).href`;
        const contents = readFileSync(args.path, 'utf8')
          .replaceAll('import.meta.url', url)
          .replaceAll('import.meta.dirname', `__ffDirname(__ffFileURLToPath(${url}))`)
          .replaceAll('import.meta.filename', `__ffFileURLToPath(${url})`)
          // A script compiled from a code cache has no import() of its own (Node 20): the loader lends one.
          .replace(/(?<![\w.$])import\((?=\s*[^\s'"`)])/g, '__ffImport(');
        return { contents, loader: 'ts' };
      });
    },
  };
  const { outputFiles } = await esbuild.build({
    entryPoints: [path.join(root, 'cli/up.ts')],
    outfile,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: {
      js: [
        "const { dirname: __ffDirname } = require('node:path');",
        "const { fileURLToPath: __ffFileURLToPath, pathToFileURL: __ffPathToFileURL } = require('node:url');",
        'const __ffBundleUrl = __ffPathToFileURL(__filename).href;',
      ].join('\n'),
    },
    sourcemap: true,
    sourcesContent: false,
    plugins: [ownUrls],
    logLevel: 'warning',
  });
  for (const out of outputFiles) {
    if (!existsSync(out.path) || !readFileSync(out.path).equals(out.contents)) writeFileSync(out.path, out.contents);
  }
}
