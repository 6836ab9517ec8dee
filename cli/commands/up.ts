import { Option, type Command } from 'commander';
import type { LaunchOptions } from '../launch.js';

/** The options `up` and `start` share. */
export function addUpOptions(cmd: Command): Command {
  return cmd
    .option('--seed <seed>', 'seed for every id, name and secret (same seed, same values)')
    .option('--config <file>', 'foundation config file (YAML or JSON)')
    .option('--state <file>', 'load state from this file at start (if it exists) and save it there on stop: same CA, keys and records next time')
    .option('--dir <dir>', 'where ca.pem, up.json, up.pid, up.log and the key pool (key-pool.json) go', '.fakefoundry')
    .option('--json', 'print URLs, credentials and CA as JSON (runs detached unless --foreground)')
    .option('--env', "print `export NAME='value'` lines for eval (runs detached unless --foreground)")
    .option('--foreground', 'with --env/--json: stay in the foreground instead of detaching')
    .option('--http', 'serve plain HTTP instead of HTTPS (the bosh CLI and Go brokers need HTTPS)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--clock <mode>', 'clock mode').choices(['real', 'instant', 'virtual']));
}

export function register(program: Command): void {
  addUpOptions(
    program
      .command('up')
      .description('start the fakes as servers; stop with Ctrl-C (or `fakefoundry down` when detached)'),
  ).action(async (opts: LaunchOptions) => {
    const { launch } = await import('../launch.js');
    await launch(opts);
  });
}
