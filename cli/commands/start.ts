import type { Command } from 'commander';

/**
 * `fakefoundry start` (what `npm start` runs): the whole scenario catalogue on the embedded
 * reference broker, the pretty report in the terminal and JUnit, JSON and HTML in `reports/`;
 * exits non-zero when a scenario fails.
 */
export function register(program: Command): void {
  program
    .command('start')
    .description('the main job (npm start): run the scenario catalogue on the reference broker; reports in reports/')
    .option('--out <dir>', 'where junit.xml, report.json and report.html go', 'reports')
    .action(async (opts: { out: string }) => {
      const { runScenarios } = await import('../../scenarios/runner/run.js');
      const outcome = await runScenarios({ reporters: ['pretty', 'junit', 'json', 'html'], outDir: opts.out });
      process.exitCode = outcome.exitCode;
    });
}
