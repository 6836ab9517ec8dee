import { Command, Option } from 'commander';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { envLines, type ConnectionInfo } from './connection-info.js';
import { runningPid, startDetached, stopDetached } from './daemon.js';
import { odbConfigYaml } from './odb-config.js';
import { register as registerRun } from './commands/run.js';
import { upForeground, type UpOptions } from './up.js';
import { register as registerBroker } from './commands/broker.js';
import { register as registerAdapterCheck } from './commands/adapter-check.js';
import { register as registerConformance } from './commands/conformance.js';

const program = new Command();
program
  .name('fakefoundry')
  .description('A fake Cloud Foundry control plane (BOSH director, UAA, Cloud Controller) for testing service brokers.')
  .showHelpAfterError();

function upCommand(name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--seed <seed>', 'seed for every id, name and secret (same seed, same values)')
    .option('--config <file>', 'foundation config file (YAML or JSON)')
    .option('--state <file>', 'load state from this file at start (if it exists) and save it there on stop: same CA, keys and records next time')
    .option('--dir <dir>', 'where ca.pem, up.json, up.pid and up.log go', '.fakefoundry')
    .option('--json', 'print URLs, credentials and CA as JSON (runs detached unless --foreground)')
    .option('--env', "print `export NAME='value'` lines for eval (runs detached unless --foreground)")
    .option('--foreground', 'with --env/--json: stay in the foreground instead of detaching')
    .option('--http', 'serve plain HTTP instead of HTTPS (the bosh CLI and Go brokers need HTTPS)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--clock <mode>', 'clock mode').choices(['real', 'instant', 'virtual']))
    .addOption(new Option('--ready-file <file>').hideHelp());
}

async function runUp(opts: UpOptions & { foreground?: boolean }, argv: string[]): Promise<void> {
  const dir = path.resolve(opts.dir);
  const running = opts.readyFile ? undefined : runningPid(dir);
  if (running !== undefined) {
    // Its up.json and up.pid would be overwritten, and `down` could no longer stop it.
    throw new Error(`already running from ${opts.dir} (pid ${running}): \`fakefoundry down --dir ${opts.dir}\` first, or use another --dir`);
  }
  if ((opts.env || opts.json) && !opts.foreground && !opts.readyFile) {
    // Pass the user's flags on to the detached child, minus the output ones it does not need.
    const passOn = argv.filter((a) => a !== '--env' && a !== '--json');
    const info = await startDetached(passOn, dir);
    console.log(opts.json ? JSON.stringify(info, null, 2) : envLines(info).join('\n'));
    return;
  }
  await upForeground({ ...opts, dir });
  rmSync(path.resolve(dir, 'up.pid'), { force: true });
  rmSync(path.resolve(dir, 'up.json'), { force: true });
}

upCommand('up', 'start the fakes as servers; stop with SIGINT/SIGTERM (or `fakefoundry down` when detached)').action(async (opts, cmd: Command) => {
  await runUp(opts, cmd.args.length ? cmd.args : rawArgsAfter('up'));
});

upCommand('start', 'the main job (npm start): for now, start the fakes and print how to use them').action(async (opts) => {
  await runUp(opts, rawArgsAfter('start'));
});

program
  .command('down')
  .description('stop a detached `fakefoundry up`')
  .option('--dir <dir>', 'the --dir it was started with', '.fakefoundry')
  .action(async (opts: { dir: string }) => {
    const stopped = await stopDetached(path.resolve(opts.dir));
    console.log(stopped ? 'stopped' : 'nothing running');
  });

program
  .command('env')
  .description('print the export lines of a running `fakefoundry up` again (for another shell: eval "$(fakefoundry env)")')
  .option('--dir <dir>', 'the --dir it was started with', '.fakefoundry')
  .option('--json', 'print its connection info as JSON instead')
  .action((opts: { dir: string; json?: boolean }) => {
    const file = path.resolve(opts.dir, 'up.json');
    if (!existsSync(file)) throw new Error(`nothing running from ${opts.dir} (no up.json)`);
    const info = JSON.parse(readFileSync(file, 'utf8')) as ConnectionInfo;
    console.log(opts.json ? JSON.stringify(info, null, 2) : envLines(info).join('\n'));
  });

program
  .command('odb-config')
  .description("print the bosh: and cf: sections of an On-Demand Service Broker config that point it at a running `fakefoundry up`")
  .option('--dir <dir>', 'the --dir it was started with', '.fakefoundry')
  .action((opts: { dir: string }) => {
    const file = path.resolve(opts.dir, 'up.json');
    if (!existsSync(file)) throw new Error(`nothing running from ${opts.dir} (no up.json)`);
    process.stdout.write(odbConfigYaml(JSON.parse(readFileSync(file, 'utf8')) as ConnectionInfo));
  });

registerBroker(program);
registerAdapterCheck(program);
registerRun(program);
registerConformance(program);

function rawArgsAfter(command: string): string[] {
  const i = process.argv.indexOf(command);
  return i >= 0 ? process.argv.slice(i + 1) : [];
}

program.parseAsync(process.argv).catch((err: Error) => {
  console.error(`fakefoundry: ${err.message}`);
  process.exit(1);
});
