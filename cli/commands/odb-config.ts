import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('odb-config')
    .description("print the bosh: and cf: sections of an On-Demand Service Broker config that point it at a running `fakefoundry up`")
    .option('--dir <dir>', 'the --dir it was started with', '.fakefoundry')
    .action(async (opts: { dir: string }) => {
      const [{ readRunning }, { odbConfigYaml }] = await Promise.all([import('../daemon.js'), import('../odb-config.js')]);
      process.stdout.write(odbConfigYaml(readRunning(opts.dir)));
    });
}
