import type { Command } from 'commander';

/** The config path from `--config FILE`, or ODB's own `-configFilePath FILE` / `-configFilePath=FILE`. */
function configPath(opts: { config?: string }, args: string[]): string | undefined {
  if (opts.config) return opts.config;
  for (let i = 0; i < args.length; i++) {
    const m = /^--?configFilePath(?:=(.*))?$/.exec(args[i]);
    if (m) return m[1] ?? args[i + 1];
  }
  return undefined;
}

export function register(program: Command): void {
  program
    .command('broker')
    .description('run broker-under-test, an ODB-compatible on-demand broker, from an ODB config file (listens on broker.port)')
    .option('--config <file>', 'the broker config file (ODB format); ODB\'s -configFilePath FILE works too')
    .option('--adapter-timeout <seconds>', 'kill a service-adapter call after this long', '300')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (opts: { config?: string; adapterTimeout: string }, cmd: Command) => {
      const { runStandalone } = await import('../../broker-under-test/standalone.js');
      process.exitCode = await runStandalone({ configPath: configPath(opts, cmd.args), adapterTimeoutMs: Number(opts.adapterTimeout) * 1000 });
    });
}
