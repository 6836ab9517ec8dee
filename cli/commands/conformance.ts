import { Option, type Command } from 'commander';

interface ConformanceCliOptions {
  brokerUrl: string;
  username?: string;
  password?: string;
  osbVersion?: string;
  config?: string;
  reporter: string;
  out: string;
  caCert?: string;
  plan?: string[];
  skipSslValidation?: boolean;
}

/** `fakefoundry conformance`: run the OSB API conformance suite against a broker. */
export function register(program: Command): void {
  program
    .command('conformance')
    .description('check a service broker (any language) against the Open Service Broker API, 2.13 to 2.17; exits 0 when no MUST fails')
    .requiredOption('--broker-url <url>', "the broker's base URL")
    .option('--username <user>', 'broker Basic auth user')
    .option('--password <password>', 'broker Basic auth password')
    .addOption(new Option('--osb-version <version>', 'the OSBAPI version to send and check (default: the config\'s, else 2.17)').choices(['2.13', '2.14', '2.15', '2.16', '2.17']))
    .option('--config <file>', 'conformance config file (YAML or JSON): plans, parameters, skips, polling, platform profile')
    .option('--plan <service/plan...>', "exercise only these plans (names or ids; `service` alone for all its plans); the config's parameters for them still apply")
    .option('--reporter <list>', 'comma-separated: pretty, json, junit, html', 'pretty')
    .option('--out <dir>', 'where file reports go', 'conformance-report')
    .option('--ca-cert <file>', "PEM of the CA that signed the broker's certificate")
    .option('--skip-ssl-validation', "do not verify the broker's certificate")
    .action(async (opts: ConformanceCliOptions) => {
      const { readFileSync } = await import('node:fs');
      const { runConformance, loadConfigFile, writeReports, REPORTERS } = await import('../../conformance/index.js');
      const { tlsFetch } = await import('../../conformance/tls-fetch.js');
      const reporters = opts.reporter.split(',').map((r) => r.trim()).filter(Boolean);
      const unknown = reporters.filter((r) => !(REPORTERS as readonly string[]).includes(r));
      if (unknown.length) throw new Error(`unknown reporter ${unknown.join(', ')} (known: ${REPORTERS.join(', ')})`);
      const { selectPlans } = await import('../../conformance/config.js');
      let config = opts.config ? loadConfigFile(opts.config) : undefined;
      if (opts.plan?.length) config = selectPlans(config, opts.plan);
      const useTls = opts.caCert !== undefined || opts.skipSslValidation;
      const pretty = reporters.includes('pretty');
      const result = await runConformance({
        brokerUrl: opts.brokerUrl,
        username: opts.username,
        password: opts.password,
        osbVersion: opts.osbVersion as '2.17' | undefined,
        config,
        fetch: useTls ? tlsFetch({ ca: opts.caCert ? readFileSync(opts.caCert, 'utf8') : undefined, insecure: opts.skipSslValidation }) : undefined,
        onCase: pretty && process.stderr.isTTY ? (c) => process.stderr.write(`\r\x1b[2K  ${c.id} ${c.scope ?? ''}`) : undefined,
      });
      if (pretty && process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
      const { wantsColor } = await import('../../report/writers/pretty.js');
      const files = await writeReports(result, reporters as never, { outDir: opts.out, color: wantsColor(process.stdout) });
      for (const f of files) console.log(`wrote ${f}`);
      const s = result.summary;
      console.log(result.ok ? `conformance: no MUST failed${s.warned ? ` (${s.warned} warning${s.warned > 1 ? 's' : ''}: SHOULD/MAY not met)` : ''}` : `conformance: ${s.failed} check${s.failed > 1 ? 's' : ''} failed a MUST${s.notRun ? `, ${s.notRun} could not run` : ''}`);
      process.exitCode = result.ok ? 0 : 1;
    });
}
