import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The files that start processes, browsers, tsc or whole vitest runs. Vitest orders files by the
// durations in its cache, which a fresh checkout (CI) does not have; it then goes by file size, and
// a long file started last is the whole run's tail.
const LONG = [
  'test/packaging/package.test.ts',
  'test/typecheck.test.ts',
  'test/scenarios/runner.test.ts',
  'test/adapter-check/broken.test.ts',
  'test/scenarios/matrix-run.test.ts',
  'test/adapter-check/examples.test.ts',
  'test/cli/up.test.ts',
  'test/dashboard/dashboard-browser.test.ts',
  'test/bosh/cli-flows.test.ts',
  'test/broker/mgmt.test.ts',
];

/** Vitest's own order, but the known long files first. */
export default class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONG.findIndex((l) => f.moduleId.endsWith(l));
      return i < 0 ? LONG.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}
