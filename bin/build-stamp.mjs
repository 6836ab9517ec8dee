// Whether `npm run build` has anything to do: the newest modification time among its inputs
// (files, and folders themselves, so a deleted or renamed file counts) against a stamp that the
// last finished build left, dated when that build started.
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The newest modification time (ms) of `paths` under `root`, folders walked (node_modules left out); 0 when none exists. */
export function newestInput(root, paths) {
  let newest = 0;
  const visit = (p) => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    newest = Math.max(newest, st.mtimeMs);
    // A node_modules folder among the inputs holds caches (vitest's, under a scenario catalogue), not sources.
    if (st.isDirectory()) for (const entry of readdirSync(p)) if (entry !== 'node_modules') visit(path.join(p, entry));
  };
  for (const p of paths) visit(path.join(root, p));
  return newest;
}

/** Whether the stamp is newer than every input. */
export function upToDate(stamp, root, paths) {
  const built = statSync(stamp, { throwIfNoEntry: false });
  return Boolean(built) && newestInput(root, paths) < built.mtimeMs;
}

/** Stamps a build that started at `started` (ms): an input saved while it ran is newer, so the next build runs. */
export function writeStamp(stamp, started) {
  mkdirSync(path.dirname(stamp), { recursive: true });
  writeFileSync(stamp, '');
  utimesSync(stamp, new Date(started), new Date(started));
}
