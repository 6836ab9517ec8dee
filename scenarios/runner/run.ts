import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVitest } from 'vitest/node';
import { defaultKeys } from '../../fakes/core/keys.js';
import { generateSigningKey } from '../../fakes/uaa/keys.js';
import { isGreen, type RunResult } from '../../report/model.js';
import type { ReportFormat } from '../../report/write.js';
import { cellName, DEFAULT_ENVIRONMENT, NO_FAULTS, type ScenarioEnvironment, type ServiceProfile } from '../harness/environment.js';
import type { TargetSpec } from '../targets/types.js';
import { ScenarioReporter } from './reporter.js';
import { tagDefinitions } from './tags.js';

/** The catalogue shipped with fakefoundry. */
export const CATALOGUE_DIR = fileURLToPath(new URL('../catalogue/', import.meta.url));

export interface RunOptions {
  /** File filters, as vitest takes them (parts of paths). */
  filters?: string[];
  /** Only scenarios whose name matches (vitest `-t`). */
  testNamePattern?: string;
  /** A vitest tags expression (`area:quotas && !osb:2.17`). */
  tags?: string;
  /** One target (ignored with `cells`). Default: embedded. */
  target?: TargetSpec;
  /** Matrix cells (from `expandMatrix`/`loadMatrix`). */
  cells?: ScenarioEnvironment[];
  service?: ServiceProfile;
  /** `i/n`: run only this shard of the (cell × scenario file) list. */
  shard?: string;
  reporters?: ReportFormat[];
  /** Where report files go (default `reports`). */
  outDir?: string;
  /** Also write vitest's blob report into `outDir/blob` (for `mergeReports`; default: when sharded). */
  blob?: boolean;
  /** Merge the blob reports in this directory instead of running. */
  mergeReports?: string;
  /** Where scenario files are (default: the catalogue). */
  dir?: string;
  /** Glob of scenario files under `dir` (default `**\/*.scenario.{ts,js,mjs}`). */
  include?: string[];
  seed?: string;
  /** Run scenario files one at a time (default: in parallel workers, except for url targets). */
  serial?: boolean;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  title?: string;
}

export interface RunOutcome {
  exitCode: number;
  run?: RunResult;
  files: string[];
}

/**
 * Runs scenarios through vitest's Node API with the scenario config: one vitest project per matrix
 * cell (each gets its cell through `provide`), fakefoundry's reporter, and vitest's blob reporter
 * for sharded runs. The exit code is 0 only when nothing failed.
 */
export async function runScenarios(o: RunOptions = {}): Promise<RunOutcome> {
  const dir = path.resolve(o.dir ?? CATALOGUE_DIR);
  const outDir = path.resolve(o.outDir ?? 'reports');
  const formats = o.reporters ?? ['pretty'];
  const signing = generateSigningKey('scenarios', 0, defaultKeys());
  const signingKey = { private_pem: signing.privatePem, public_pem: signing.publicPem };
  const cells = (o.cells?.length ? o.cells : [single(o)]).map((c) => ({ ...c, service: c.service ?? o.service, seed: o.seed ?? c.seed, signingKey }));
  let result: RunResult | undefined;
  let files: string[] = [];
  const reporter = new ScenarioReporter({
    formats,
    outDir,
    root: dir,
    title: o.title,
    stream: o.stream,
    meta: {
      ...(cells.length === 1 ? { cell: cells[0].cell } : { cells: String(cells.length) }),
      ...(o.shard ? { shard: o.shard } : {}),
    },
    onRun: (run, written) => {
      result = run;
      files = written;
    },
  });
  const blob = o.blob ?? Boolean(o.shard);
  const reporters: unknown[] = [reporter];
  if (blob && !o.mergeReports) {
    await mkdir(path.join(outDir, 'blob'), { recursive: true });
    const [i, n] = (o.shard ?? '1/1').split('/');
    reporters.push(['blob', { outputFile: path.join(outDir, 'blob', `blob-${i}-${n}.json`) }]);
  }
  const serial = o.serial ?? cells.some((c) => c.target.kind === 'url');
  const provideOf = (c: ScenarioEnvironment) => ({ fakefoundry: c });
  // Every project (one per matrix cell) gets these itself: `extends: true` extends a config file,
  // and the run has none, so inline options would not reach the projects.
  const perProject = {
    root: dir,
    // Sources (*.scenario.ts), or compiled scenarios in the published package (dist/: *.scenario.js).
    include: o.include ?? ['**/*.scenario.{ts,js,mjs}'],
    pool: 'forks' as const,
    // Scenario files share their worker's module cache (the harness, the fakes, the broker):
    // loading them again for every file cost more than most scenarios. Each scenario still
    // builds its own foundation and broker, and nothing in them is module-level state.
    isolate: false,
    // No results cache: it would be written under the catalogue (in an installed package, inside
    // node_modules/fakefoundry), and scenario files are ordered by the catalogue, not by duration.
    cache: false as const,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    strictTags: false,
    tags: tagDefinitions(o.tags ? [o.tags] : []),
  };
  const vitest = await startVitest(
    'test',
    o.filters ?? [],
    {
      config: false,
      run: true,
      watch: false,
      shard: o.shard,
      mergeReports: o.mergeReports ? path.resolve(o.mergeReports) : undefined,
      testNamePattern: o.testNamePattern,
      tagsFilter: o.tags ? [o.tags] : undefined,
      passWithNoTests: false,
    },
    {
      root: dir,
      logLevel: 'error',
      test: {
        ...perProject,
        fileParallelism: !serial,
        reporters: reporters as never,
        ...(cells.length === 1
          ? { provide: provideOf(cells[0]) }
          : { projects: cells.map((c) => ({ test: { ...perProject, name: c.cell, provide: provideOf(c) } })) }),
      },
    },
  );
  await vitest.close();
  const exitCode = result ? (isGreen(result) && result.cases.length > 0 ? 0 : 1) : 1;
  return { exitCode, run: result, files };
}

function single(o: RunOptions): ScenarioEnvironment {
  const env = { ...DEFAULT_ENVIRONMENT, target: o.target ?? DEFAULT_ENVIRONMENT.target, faults: NO_FAULTS };
  return { ...env, cell: cellName(env) };
}
