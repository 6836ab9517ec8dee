import { Command } from 'commander';
import * as adapterCheck from './commands/adapter-check.js';
import * as broker from './commands/broker.js';
import * as conformance from './commands/conformance.js';
import * as down from './commands/down.js';
import * as errand from './commands/errand.js';
import * as env from './commands/env.js';
import * as odbConfig from './commands/odb-config.js';
import * as run from './commands/run.js';
import * as start from './commands/start.js';
import * as up from './commands/up.js';

// Each command registers itself and loads its heavy modules only when it runs, so `--help` is quick.
const program = new Command();
program
  .name('fakefoundry')
  .description('A fake Cloud Foundry control plane (BOSH director, UAA, Cloud Controller) for testing service brokers.')
  .showHelpAfterError();

up.register(program);
start.register(program);
down.register(program);
env.register(program);
odbConfig.register(program);
broker.register(program);
errand.register(program);
adapterCheck.register(program);
run.register(program);
conformance.register(program);

program.parseAsync(process.argv).catch((err: Error) => {
  console.error(`fakefoundry: ${err.message}`);
  process.exit(1);
});
