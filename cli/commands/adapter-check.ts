import { Option, type Command } from 'commander';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `fakefoundry adapter-check`: a service adapter through the SDK contract and a lifecycle on the fake director. */
export function register(program: Command): void {
  program
    .command('adapter-check')
    .description('check a service adapter (On-Demand Services SDK contract) in both input modes and through provision, bind, update, upgrade and delete on the fake BOSH director')
    .requiredOption('--adapter <path>', 'the service adapter executable')
    .option('--config <file>', 'ODB broker config whose service_deployment and service_catalog plans to use (default: odb-config.yml beside the adapter, else adapter-check\'s defaults)')
    .option('--no-config', 'ignore an odb-config.yml beside the adapter: use adapter-check\'s default service deployment and plans')
    .option('--plan <name>', 'check only this plan (repeatable; default: every plan)', collect)
    .addOption(new Option('--input-mode <mode>', 'stdin (broker.use_stdin: true), legacy (positional arguments) or both').choices(['stdin', 'legacy', 'both']).default('both'))
    .option('--reporter <list>', 'report formats: pretty, junit, json, html (comma-separated)', 'pretty')
    .option('--out <dir>', 'directory for the junit, json and html reports', 'adapter-check-report')
    .option('--timeout <seconds>', 'kill an adapter call that runs longer than this', '30')
    .option('--seed <seed>', 'seed of the fake foundation (ids and IPs)', 'adapter-check')
    .option('--concurrency <n>', 'how many plan-and-input-mode lanes run at once (default: the number of CPUs)')
    .option('--in-process', 'call a JavaScript adapter\'s exported invoke(argv, stdin) in this process instead of starting it per call: much faster while you work, but the process itself (its exit status, a timeout kill) goes unchecked')
    .action(async (opts: { adapter: string; config?: string | false; plan?: string[]; inputMode: 'stdin' | 'legacy' | 'both'; reporter: string; out: string; timeout: string; seed: string; concurrency?: string; inProcess?: boolean }) => {
      const { checkAdapter } = await import('../../adapter-check/index.js');
      const { isGreen, parseFormats, writeReports } = await import('../../report/index.js');
      const formats = parseFormats(opts.reporter);
      const timeout = Number(opts.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0) throw new Error(`--timeout must be a number of seconds, not '${opts.timeout}'`);
      const concurrency = opts.concurrency === undefined ? undefined : Number(opts.concurrency);
      if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) throw new Error(`--concurrency must be a whole number, 1 or more, not '${opts.concurrency}'`);
      // On a terminal, one line that says how far the run is (the report comes at the end).
      let done = 0;
      const progress = process.stderr.isTTY
        ? (c: { suite: string; title: string }) => process.stderr.write(`\x1b[2K\radapter-check: ${++done} checked, last: ${c.suite} › ${c.title}`.slice(0, (process.stderr.columns || 100) + 4))
        : undefined;
      const run = await checkAdapter({
        adapter: opts.adapter,
        config: opts.config,
        plans: opts.plan,
        inputModes: opts.inputMode === 'both' ? ['stdin', 'legacy'] : [opts.inputMode],
        timeoutMs: timeout * 1000,
        seed: opts.seed,
        inProcess: opts.inProcess,
        ...(concurrency ? { concurrency } : {}),
        ...(progress ? { onCase: progress } : {}),
      });
      if (progress) process.stderr.write('\x1b[2K\r');
      const files = await writeReports(run, { dir: opts.out, formats, name: 'adapter-check' });
      for (const f of files) process.stderr.write(`wrote ${f}\n`);
      if (!isGreen(run)) process.exitCode = 1;
    });
}
