import type { Command } from 'commander';

/** A Go-style flag: `-name value`, `-name=value`, `--name value`, `--name=value`. */
function goFlag(args: string[], names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const m = /^--?([A-Za-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (m && names.includes(m[1])) return m[2] ?? args[i + 1];
  }
  return undefined;
}

export function register(program: Command): void {
  program
    .command('errand')
    .description(
      "run one of ODB's errands against a broker and CF: register-broker, deregister-broker, upgrade-all-service-instances, " +
        'recreate-all-service-instances, delete-all-service-instances, orphan-deployments (ODB flags -configPath, -configFilePath, -brokerName work; so does --config)',
    )
    .argument('<name>', 'the errand')
    .option('--config <file>', 'the errand config file (ODB format)')
    .option('--broker-name <name>', 'deregister-broker: the broker to remove')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (name: string, opts: { config?: string; brokerName?: string }, cmd: Command) => {
      const { ERRAND_NAMES, runErrandFromFile } = await import('../../broker-under-test/errands/index.js');
      if (!(ERRAND_NAMES as readonly string[]).includes(name)) {
        console.error(`fakefoundry errand: unknown errand '${name}' (one of ${ERRAND_NAMES.join(', ')})`);
        process.exitCode = 2;
        return;
      }
      const args = cmd.args.slice(1);
      const file = opts.config ?? goFlag(args, ['configPath', 'configFilePath', 'config']);
      const brokerName = opts.brokerName ?? goFlag(args, ['brokerName']);
      const flag = name === 'deregister-broker' || name === 'delete-all-service-instances' ? 'configFilePath' : 'configPath';
      const result = await runErrandFromFile(name as (typeof ERRAND_NAMES)[number], file, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
      }, { brokerName, flag });
      process.exitCode = result.exitCode;
    });
}
