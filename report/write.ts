import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResult } from './model.js';
import { toHtml, type HtmlOptions } from './writers/html.js';
import { toJson } from './writers/json.js';
import { toJunitXml } from './writers/junit.js';
import { toPretty, type PrettyOptions } from './writers/pretty.js';

/** The report formats a run can be written in. */
export type ReportFormat = 'pretty' | 'junit' | 'json' | 'html';

export const REPORT_FORMATS: readonly ReportFormat[] = ['pretty', 'junit', 'json', 'html'];

/** File names the file formats get in the output directory. */
export const REPORT_FILES: Record<Exclude<ReportFormat, 'pretty'>, string> = {
  junit: 'junit.xml',
  json: 'report.json',
  html: 'report.html',
};

export interface WriteOptions {
  /** Directory for the file formats (created if missing). */
  dir: string;
  formats: readonly ReportFormat[];
  /** Where `pretty` goes (default `process.stdout`). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Base name instead of `report` / `junit` (e.g. `conformance` → `conformance.html`). */
  name?: string;
  pretty?: PrettyOptions;
  html?: HtmlOptions;
}

/** Writes a run in each asked format; returns the files written. */
export async function writeReports(run: RunResult, opts: WriteOptions): Promise<string[]> {
  const written: string[] = [];
  const file = (f: keyof typeof REPORT_FILES) => path.join(opts.dir, opts.name ? `${opts.name}${path.extname(REPORT_FILES[f]) === '.xml' ? '.junit.xml' : path.extname(REPORT_FILES[f])}` : REPORT_FILES[f]);
  for (const format of opts.formats) {
    if (format === 'pretty') {
      (opts.stream ?? process.stdout).write(toPretty(run, opts.pretty));
      continue;
    }
    await mkdir(opts.dir, { recursive: true });
    const text = format === 'junit' ? toJunitXml(run) : format === 'json' ? toJson(run) : toHtml(run, opts.html);
    await writeFile(file(format), text);
    written.push(file(format));
  }
  return written;
}

/** Parses `pretty,junit` into formats; throws on an unknown one. */
export function parseFormats(list: string): ReportFormat[] {
  const out = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const f of out) if (!REPORT_FORMATS.includes(f as ReportFormat)) throw new Error(`unknown reporter '${f}' (one of ${REPORT_FORMATS.join(', ')})`);
  return out as ReportFormat[];
}
