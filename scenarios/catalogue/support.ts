/**
 * Helpers the catalogue's scenarios share: what the broker answered CC, broker-config edits
 * (quotas, a scripted adapter) and ODB's user-facing texts.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JournalEntry } from '../../fakes/core/journal.js';
import type { Scenario } from '../harness/scenario.js';

/** ODB's texts, as users and operators see them. */
export const ODB = {
  genericPrefix: 'There was a problem completing your request. Please contact your operations team providing the following information:',
  planQuota: 'The quota for this service plan has been exceeded. Please contact your Operator for help.',
  serviceQuota: 'The quota for this service has been exceeded. Please contact your Operator for help.',
  pendingChanges: 'The service broker has been updated, and this service instance is out of date. Please contact your operator.',
  inProgress: 'An operation is in progress for your service instance. Please try again later.',
  asyncRequired: 'This service plan requires client support for asynchronous service operations.',
};

/** What the broker answered CC, oldest first: `replies(s, 'PUT', '/v2/service_instances/')`. */
export function replies(s: Scenario, method: string, pathPrefix: string): JournalEntry[] {
  return s.journal.query({ service: 'cc->broker', method, path: `${pathPrefix}*` });
}

/** The parsed JSON body of a journal entry's response. */
export function body(e: JournalEntry | undefined): any {
  if (!e?.responseBody) return undefined;
  try {
    return JSON.parse(e.responseBody);
  } catch {
    return e.responseBody;
  }
}

type Config = Record<string, any>;

/** A plan's ODB config entry, by name or position. */
export function planConfig(config: Config, plan: string | number): Config {
  const plans = config.service_catalog.plans as Config[];
  const p = typeof plan === 'number' ? plans[plan] : plans.find((x) => x.name === plan);
  if (!p) throw new Error(`no plan ${plan} in the broker config`);
  return p;
}

/** The first plan with lifecycle errands of this kind, if any. */
export function planWithErrands(config: Config, kind: 'post_deploy' | 'pre_delete'): Config | undefined {
  return (config.service_catalog.plans as Config[]).find((p) => p.lifecycle_errands?.[kind]?.length);
}

/** Sets a plan's `quotas.service_instance_limit`. */
export const planQuota = (plan: string | number, limit: number) => (config: Config) => {
  planConfig(config, plan).quotas = { ...(planConfig(config, plan).quotas ?? {}), service_instance_limit: limit };
};

/** Sets `service_catalog.global_quotas.service_instance_limit`. */
export const globalQuota = (limit: number) => (config: Config) => {
  config.service_catalog.global_quotas = { ...(config.service_catalog.global_quotas ?? {}), service_instance_limit: limit };
};

export interface AdapterScript {
  exit: number;
  stdout?: string;
  stderr?: string;
}

/**
 * Wraps the service adapter in a script that answers some subcommands itself (exit code, stdout,
 * stderr) and hands every other call to the real adapter: how a scenario makes an adapter fail.
 * When the real adapter runs in-process, so does the wrapper (a module doing what the script does).
 */
export const scriptedAdapter = (scripts: Record<string, AdapterScript>) => (config: Config, adapterModules: Record<string, string>) => {
  const real: string = config.service_adapter.path;
  const dir = mkdtempSync(path.join(tmpdir(), 'fakefoundry-adapter-'));
  const file = path.join(dir, 'service-adapter');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cases = Object.entries(scripts)
    .map(([sub, r]) => `  ${sub}) cat >/dev/null; printf %s ${q(r.stdout ?? '')}; printf %s ${q(r.stderr ?? '')} >&2; exit ${r.exit};;`)
    .join('\n');
  writeFileSync(file, `#!/bin/sh\ncase "$1" in\n${cases}\nesac\nexec ${q(real)} "$@"\n`);
  chmodSync(file, 0o755);
  config.service_adapter = { ...config.service_adapter, path: file };
  const realModule = adapterModules[real];
  if (realModule) {
    const module = path.join(dir, 'service-adapter.mjs');
    writeFileSync(
      module,
      [
        `import { invoke as real } from ${JSON.stringify(pathToFileURL(realModule).href)};`,
        `const scripts = ${JSON.stringify(scripts)};`,
        'export async function invoke(argv, stdin) {',
        '  const s = scripts[argv[2]];',
        "  return s ? { stdout: s.stdout ?? '', stderr: s.stderr ?? '', exitCode: s.exit } : real(argv, stdin);",
        '}',
        '',
      ].join('\n'),
    );
    adapterModules[file] = module;
  }
};

/** Both changes. */
export const all =
  (...fns: ((c: Config) => void)[]) =>
  (config: Config) => {
    for (const fn of fns) fn(config);
  };
