import type { Reporter, SerializedError, TestCase, TestModule, TestRunEndReason, TestSpecification } from 'vitest/node';
import type { RunResult } from '../../report/model.js';
import { writeReports, type ReportFormat } from '../../report/write.js';
import { formatCaseLine, wantsColor } from '../../report/writers/pretty.js';
import { toPrettyEnd } from './pretty-end.js';
import { caseFromTest, casesFromModules } from './results.js';

export interface ScenarioReporterOptions {
  /** Report formats: `pretty` to the terminal, the others as files in `outDir`. */
  formats: ReportFormat[];
  outDir: string;
  root: string;
  title?: string;
  meta?: Record<string, string>;
  /** Where the terminal output goes (default stdout). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Called with the whole run once it is written. */
  onRun?: (run: RunResult, files: string[]) => void;
}

/**
 * A vitest reporter that turns scenario results into fakefoundry reports: a line per scenario as it
 * finishes (and a counter on a TTY), then the failures with their sequence diagrams as text and
 * the summary table, and the report files.
 */
export class ScenarioReporter implements Reporter {
  #started = Date.now();
  #total = 0;
  #done = 0;
  #stream: NodeJS.WritableStream & { isTTY?: boolean };
  #color: boolean;

  constructor(private readonly opts: ScenarioReporterOptions) {
    this.#stream = opts.stream ?? process.stdout;
    this.#color = wantsColor(this.#stream);
  }

  onTestRunStart(specs: ReadonlyArray<TestSpecification>): void {
    this.#started = Date.now();
    this.#total = 0;
    this.#done = 0;
    void specs;
  }

  onTestModuleCollected(m: TestModule): void {
    this.#total += [...m.children.allTests()].length;
  }

  onTestCaseResult(tc: TestCase): void {
    this.#done++;
    if (!this.opts.formats.includes('pretty')) return;
    const line = formatCaseLine(caseFromTest(tc, this.opts.root), { color: this.#color });
    if (this.#stream.isTTY) this.#stream.write(`\r\x1b[K${line}\n\x1b[2m  ${this.#done}/${this.#total}\x1b[0m`);
    else this.#stream.write(`${line}\n`);
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): Promise<void> {
    if (this.#stream.isTTY && this.opts.formats.includes('pretty')) this.#stream.write('\r\x1b[K');
    const cases = casesFromModules(modules, this.opts.root);
    for (const [i, e] of errors.entries()) {
      cases.push({ id: `(run) error ${i + 1}`, title: 'unhandled error during the run', suite: '(run)', outcome: 'failed', duration: 0, tags: [], message: e.message, details: e.stack });
    }
    const run: RunResult = {
      tool: 'scenarios',
      title: this.opts.title ?? 'fakefoundry scenarios',
      started: new Date(this.#started).toISOString(),
      duration: Date.now() - this.#started,
      meta: { ...(this.opts.meta ?? {}), ...(reason !== 'passed' ? { end: reason } : {}) },
      cases,
    };
    const formats = this.opts.formats;
    const files = await writeReports(run, {
      dir: this.opts.outDir,
      // Case lines were printed as they finished: the terminal gets failures and the summary.
      formats: formats.filter((f) => f !== 'pretty'),
    });
    if (formats.includes('pretty')) {
      this.#stream.write(toPrettyEnd(run, { color: this.#color }));
      if (files.length) this.#stream.write(`reports: ${files.join(', ')}\n`);
    }
    this.opts.onRun?.(run, files);
  }
}
