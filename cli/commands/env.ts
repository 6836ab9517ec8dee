import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('env')
    .description('print the export lines of a running `fakefoundry up` again, for another shell: eval "$(fakefoundry env)"')
    .option('--dir <dir>', 'the --dir it was started with', '.fakefoundry')
    .option('--json', 'print its connection info as JSON instead')
    .action(async (opts: { dir: string; json?: boolean }) => {
      const [{ readRunning }, { envLines }] = await Promise.all([import('../daemon.js'), import('../connection-format.js')]);
      const info = readRunning(opts.dir);
      console.log(opts.json ? JSON.stringify(info, null, 2) : envLines(info).join('\n'));
    });
}
