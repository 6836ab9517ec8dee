/** Writing a result through the shared report writers (pretty, JUnit XML, JSON, HTML with sequence diagrams). */
import { writeReports as writeShared, REPORT_FORMATS, type ReportFormat } from '../../report/write.js';
import type { ConformanceResult } from '../model.js';
import { toRunResult } from './to-report.js';

export const REPORTERS = REPORT_FORMATS;
export type ReporterName = ReportFormat;

export interface WriteOptions {
  /** Directory for the file reports (default `conformance-report`). */
  outDir?: string;
  color?: boolean;
  /** Where the pretty report goes (default stdout). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Writes each reporter's output (files named `conformance.*`); returns the files written. */
export async function writeReports(result: ConformanceResult, reporters: readonly ReporterName[], opts: WriteOptions = {}): Promise<string[]> {
  return writeShared(toRunResult(result), {
    dir: opts.outDir ?? 'conformance-report',
    formats: reporters,
    name: 'conformance',
    stream: opts.stream,
    pretty: { color: opts.color },
  });
}

export { toRunResult };
