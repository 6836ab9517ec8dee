import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('down')
    .description('stop a detached `fakefoundry up`')
    .option('--dir <dir>', 'the --dir it was started with', '.fakefoundry')
    .action(async (opts: { dir: string }) => {
      const [{ stopDetached }, path] = await Promise.all([import('../daemon.js'), import('node:path')]);
      const stopped = await stopDetached(path.resolve(opts.dir));
      console.log(stopped ? 'stopped' : 'nothing running');
    });
}
