// Mutation testing (StrykerJS), for targeted runs: `npm run mutate -- <file or folder>` (see
// docs/testing.md). Not part of `npm test` or CI. `test/support/mutate.mjs` narrows `mutate` and
// `testFiles` to the path given; this file holds what every run shares.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts', related: true },
  // Each mutant runs only the tests that reached its code in the first (dry) run.
  coverageAnalysis: 'perTest',
  // Mutants that only run while a module loads would need a fresh process per mutant.
  ignoreStatic: true,
  mutate: ['fakes/**/*.ts', 'cli/**/*.ts', '!**/*.d.ts'],
  ignorePatterns: ['.fakefoundry', 'reports', 'dist', 'coverage', '.scratch'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incrementalFile: 'reports/mutation/incremental.json',
  // Virtual-clock tests are fast; a mutant that loops is caught by this margin.
  timeoutMS: 10_000,
  // The first run (all selected tests, with coverage) can take long on a loaded machine.
  dryRunTimeoutMinutes: 30,
  cleanTempDir: true,
  tempDirName: '.stryker-tmp',
};
