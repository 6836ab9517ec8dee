import type { Command } from 'commander';
import type { LaunchOptions } from '../launch.js';
import { addUpOptions } from './up.js';

export function register(program: Command): void {
  addUpOptions(
    program.command('start').description('the main job (npm start): start the fakes and print how to use them'),
  ).action(async (opts: LaunchOptions) => {
    const { launch } = await import('../launch.js');
    await launch(opts);
  });
}
