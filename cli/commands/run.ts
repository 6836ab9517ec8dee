import { Option, type Command } from 'commander';

interface RunCliOptions {
  testNamePattern?: string;
  tags?: string;
  target?: string;
  errand: string[];
  capability: string[];
  fakesState?: string;
  fakesPorts?: string;
  matrix?: string;
  shard?: string;
  reporter: string;
  out: string;
  mergeReports?: string;
  blob?: boolean;
  dir?: string;
  service?: string;
  serviceFoundation?: string;
  seed?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** `fakefoundry run`: the scenario catalogue (or your scenarios) against a broker, with reports. */
export function register(program: Command): void {
  program
    .command('run')
    .description('run scenarios against a broker (default: the catalogue, on the embedded reference broker) and write reports')
    .argument('[filters...]', 'scenario file filters (parts of file names, e.g. quotas errands)')
    .option('-t, --test-name-pattern <pattern>', 'only scenarios whose name matches this regular expression')
    .option('--tags <expression>', "only scenarios whose tags match, e.g. 'area:quotas || odb:errands'")
    .option('--target <target>', 'embedded | embedded-process | embedded:<module exporting createBroker> | command:<command line with {config}> | url:<https://user:pass@host:port>')
    .option('--errand <name=command>', 'for a command target: how to run an ODB errand ({config} is its config file); repeatable', collect, [])
    .option('--capability <name>', 'for command and url targets: something more the broker supports (e.g. mgmt-api); repeatable', collect, [])
    .option('--fakes-state <file>', 'for a url target: the `fakefoundry up --state` file the broker was configured against')
    .option('--fakes-ports <list>', 'for a url target: the ports it used, e.g. uaa=8443,bosh=25555,cc=9024')
    .option('--matrix <file>', 'a matrix YAML: targets × BOSH auth × adapter input × fault profiles')
    .option('--shard <i/n>', 'run only shard i of n (deterministic; writes a blob report for --merge-reports)')
    .option('--reporter <list>', 'pretty,junit,json,html', 'pretty')
    .option('--out <dir>', 'where junit.xml, report.json, report.html (and blob/) go', 'reports')
    .option('--merge-reports <dir>', "merge the shards' blob reports in this directory into one report (runs nothing)")
    .option('--blob', 'also write a blob report when not sharding')
    .option('--dir <dir>', 'where your *.scenario.ts files are (default: the catalogue)')
    .option('--service <file>', 'the ODB config (without bosh: and cf:) of the service your broker offers')
    .option('--service-foundation <file>', 'a foundation config seeding the director for that service')
    .addOption(new Option('--seed <seed>', 'seed of every scenario foundation'))
    .action(async (filters: string[], opts: RunCliOptions) => {
      const path = await import('node:path');
      const { runScenarios } = await import('../../scenarios/runner/run.js');
      const { parseTarget } = await import('../../scenarios/targets/index.js');
      const { loadMatrix } = await import('../../scenarios/matrix/matrix.js');
      const { parseFormats } = await import('../../report/write.js');
      let target = opts.target ? parseTarget(opts.target, { fakesState: opts.fakesState, fakesPorts: opts.fakesPorts }) : undefined;
      if (target?.kind === 'command') {
        const errands = Object.fromEntries(
          opts.errand.map((e) => {
            const i = e.indexOf('=');
            if (i < 1) throw new Error(`--errand takes name=command (got '${e}')`);
            return [e.slice(0, i), e.slice(i + 1)];
          }),
        );
        target = { ...target, errands, capabilities: opts.capability };
      } else if (target?.kind === 'url') target = { ...target, capabilities: opts.capability };
      const matrix = opts.matrix ? loadMatrix(opts.matrix) : undefined;
      const service = opts.service
        ? { name: path.basename(opts.service), odbConfig: path.resolve(opts.service), foundation: opts.serviceFoundation && path.resolve(opts.serviceFoundation), root: process.cwd() }
        : undefined;
      const outcome = await runScenarios({
        filters: [...filters, ...(matrix?.matrix.scenarios ?? [])],
        testNamePattern: opts.testNamePattern,
        tags: opts.tags ?? matrix?.matrix.tags,
        target,
        cells: matrix?.cells,
        service,
        shard: opts.shard,
        reporters: parseFormats(opts.reporter),
        outDir: opts.out,
        blob: opts.blob,
        mergeReports: opts.mergeReports,
        dir: opts.dir,
        seed: opts.seed,
      });
      process.exitCode = outcome.exitCode;
    });
}
