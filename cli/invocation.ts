import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from './connection-format.js';

// cli/ in the sources, dist/cli/ in the package: the package root is the nearest folder with a package.json.
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/**
 * How to run this CLI from another shell: `fakefoundry` when that name on the PATH is this very
 * package (a global install), else `npx fakefoundry`. The `node_modules/.bin` folders that npm and
 * npx put on the PATH while they run us do not count: another shell does not have them.
 */
export function cliCommand(env: NodeJS.ProcessEnv = process.env): string {
  const root = realpathSync(packageRoot());
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir || dir.split(path.sep).includes('node_modules')) continue;
    const candidate = path.join(dir, 'fakefoundry');
    try {
      if (realpathSync(candidate).startsWith(root + path.sep)) return 'fakefoundry';
      return 'npx fakefoundry'; // another fakefoundry comes first on the PATH
    } catch {
      /* not in this folder */
    }
  }
  return 'npx fakefoundry';
}

/** ` --dir X` when X is not the default, so a printed command acts on the same instance. */
export function dirFlag(dir: string, defaultDir = '.fakefoundry'): string {
  if (path.resolve(dir) === path.resolve(defaultDir)) return '';
  return ` --dir ${/^[\w@%+=:,./-]+$/.test(dir) ? dir : shellQuote(dir)}`;
}
