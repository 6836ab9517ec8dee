/**
 * ODB's errands, with ODB's config files, flags, output and exit codes: a CI job written for ODB's
 * errand binaries runs these by changing only the command.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { CfSection } from '../config/types.js';
import type { BrokerApiConfig } from './broker-api.js';
import { deleteAllServiceInstances, type DeleteAllConfig } from './delete-all.js';
import { deregisterBroker } from './deregister-broker.js';
import { ErrandRun, type ErrandEnv, type ErrandResult } from './env.js';
import { instanceIteratorErrand, type InstanceIteratorConfig } from './instance-iterator.js';
import { orphanDeployments } from './orphan-deployments.js';
import { registerBroker, type RegisterBrokerConfig } from './register-broker.js';

export type { ErrandEnv, ErrandResult } from './env.js';

import { ERRAND_NAMES, type ErrandName } from './names.js';

export { ERRAND_NAMES, type ErrandName } from './names.js';

/**
 * Runs an errand with an already-parsed config. `brokerName` is deregister-broker's `-brokerName`.
 * Failures are logged as ODB's `log.Fatal` does and give exit 1.
 */
export async function runErrand(name: ErrandName, config: Record<string, unknown>, env: ErrandEnv = {}, opts: { brokerName?: string } = {}): Promise<ErrandResult> {
  const run = new ErrandRun(name, env, name === 'orphan-deployments' ? 'stderr' : 'stdout');
  let code: number;
  try {
    switch (name) {
      case 'register-broker':
        code = await registerBroker(run, config as unknown as RegisterBrokerConfig);
        break;
      case 'deregister-broker':
        code = await deregisterBroker(run, opts.brokerName ?? String(config.broker_name ?? ''), config as { cf: CfSection });
        break;
      case 'upgrade-all-service-instances':
        code = await instanceIteratorErrand(run, 'upgrade-all', config as unknown as InstanceIteratorConfig);
        break;
      case 'recreate-all-service-instances':
        code = await instanceIteratorErrand(run, 'recreate-all', config as unknown as InstanceIteratorConfig);
        break;
      case 'delete-all-service-instances':
        code = await deleteAllServiceInstances(run, config as unknown as DeleteAllConfig);
        break;
      case 'orphan-deployments':
        code = await orphanDeployments(run, config as { broker_api: BrokerApiConfig });
        break;
      default:
        throw new Error(`unknown errand: ${String(name)}`);
    }
  } catch (err) {
    run.log.log((err as Error).message);
    code = 1;
  }
  return run.finish(code);
}

/** Reads an errand config file as ODB does; a missing or bad file is a fatal error (exit 1). */
export async function runErrandFromFile(name: ErrandName, file: string | undefined, env: ErrandEnv = {}, opts: { brokerName?: string; flag?: string } = {}): Promise<ErrandResult> {
  const run = new ErrandRun(name, env, name === 'orphan-deployments' ? 'stderr' : 'stdout');
  const fail = async (msg: string) => {
    run.log.log(msg);
    return run.finish(1);
  };
  if (!file) return fail(`Missing argument -${opts.flag ?? 'configPath'}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return fail(`Error reading config file: open ${file}: no such file or directory`);
  }
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch (err) {
    return fail(`Invalid config file: yaml: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) return fail('Invalid config file: yaml: unmarshal errors');
  await run.finish(0);
  return runErrand(name, config as Record<string, unknown>, env, opts);
}
