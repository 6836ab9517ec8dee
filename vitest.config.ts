import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import LongFirstSequencer from './test/support/long-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests move a virtual clock; a test that waits on real time is a bug, so keep the limit tight.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Much of the run waits on child processes (the bosh and cf CLIs, ODB's errands, npm, node) and
    // on sockets, not on this CPU: one worker per core leaves cores idle. Vitest's default is a
    // worker per core but one, which is a single worker on 2 cores; at least 3 keeps them busy.
    maxWorkers: Math.max(3, availableParallelism() - 1),
    sequence: { sequencer: LongFirstSequencer },
    // Test files share their worker's module cache instead of loading every module again (nothing
    // in the fakes is module-level state, and each test builds its own foundation): importing was
    // a quarter of the run.
    isolate: false,
    setupFiles: ['./test/support/platform-globals.ts'],
    env: {
      // A foundation per test, each making three RSA keys, was most of the rest; key isolation is
      // tested with fresh keys explicitly (test/core/foundation-isolation.test.ts).
      FAKEFOUNDRY_KEYS: 'reuse',
      // ... and so do the run's processes (workers, nested scenario runs, CLIs): made once per checkout.
      FAKEFOUNDRY_KEYS_FILE: fileURLToPath(new URL('./node_modules/.cache/fakefoundry/test-keys.json', import.meta.url)),
    },
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
