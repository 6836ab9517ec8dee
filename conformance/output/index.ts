/**
 * Writing a result: the one place that knows the reporters, so moving them onto the shared report
 * writers is a change to this file alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConformanceResult } from '../model.js';
import { renderJson } from './json.js';
import { renderPretty } from './pretty.js';

export const REPORTERS = ['pretty', 'json', 'junit', 'html'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export interface WriteOptions {
  outDir?: string;
  color?: boolean;
  verbose?: boolean;
  /** Where the pretty report goes (default stdout). */
  write?: (text: string) => void;
}

/** Writes each reporter's output; returns the files written. */
export async function writeReports(result: ConformanceResult, reporters: ReporterName[], opts: WriteOptions = {}): Promise<string[]> {
  const files: string[] = [];
  const out = opts.write ?? ((s: string) => process.stdout.write(s));
  const save = (name: string, text: string) => {
    const dir = opts.outDir ?? '.';
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    writeFileSync(file, text);
    files.push(file);
  };
  for (const r of reporters) {
    if (r === 'pretty') out(renderPretty(result, { color: opts.color, verbose: opts.verbose }));
    else if (r === 'json') save('conformance.json', renderJson(result));
    else throw new Error(`the ${r} reporter is not available in this build (pretty and json are)`);
  }
  return files;
}
