import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FoundationSnapshot } from '../fakes/foundation.js';

/** Reads a `--state` file; a missing file is a fresh start, a broken one is an error worth stopping for. */
export function readStateFile(file: string): FoundationSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`--state file ${file} is not JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || (parsed as { version?: unknown }).version !== 1) {
    throw new Error(`--state file ${file} is not a fakefoundry snapshot`);
  }
  return parsed as FoundationSnapshot;
}

/** Written to a temporary name then renamed, so a crash mid-write never leaves half a state file. */
export function writeStateFile(file: string, snap: FoundationSnapshot): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snap), { mode: 0o600 });
  renameSync(tmp, file);
}
