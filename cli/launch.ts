import path from 'node:path';
import { envLines } from './connection-format.js';
import { runningPid, startDetached } from './daemon.js';
import { cliCommand, dirFlag } from './invocation.js';
import type { UpOptions } from './up.js';

export interface LaunchOptions extends UpOptions {
  foreground?: boolean;
}

/** `up` and `start`: run the fakes in this process, or in a detached child for `--env` / `--json`. */
export async function launch(opts: LaunchOptions): Promise<void> {
  const dir = path.resolve(opts.dir);
  const running = runningPid(dir);
  if (running !== undefined) {
    // Its up.json and up.pid would be overwritten, and `down` could no longer stop it.
    const flag = dirFlag(opts.dir);
    throw new Error(
      `already running from ${opts.dir} (pid ${running}): \`${cliCommand()} env${flag}\` prints its variables again; \`${cliCommand()} down${flag}\` stops it (or use another --dir)`,
    );
  }
  const { foreground, env, json, ...upOptions } = opts;
  if ((env || json) && !foreground) {
    const info = await startDetached({ ...upOptions, dir });
    console.log(json ? JSON.stringify(info, null, 2) : envLines(info).join('\n'));
    return;
  }
  const { serve } = await import('./load-up.js');
  await serve({ ...upOptions, env, json, dir });
}
