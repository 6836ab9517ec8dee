import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/**
 * The two example service adapters that ship with the reference broker: executables following the
 * On-Demand Services SDK command-line contract, each with an ODB config (everything but `bosh:` and
 * `cf:`) and a fakefoundry config that seeds the director with the releases and stemcell it names.
 */
export type ExampleAdapterName = 'redis' | 'kafka';

export interface ExampleAdapter {
  name: ExampleAdapterName;
  /** What it models, in a few words. */
  description: string;
  /** Absolute path of the executable (`service_adapter.path`). */
  adapterPath: string;
  /** Absolute path of its ODB broker config (without `bosh:` and `cf:`). */
  odbConfigPath: string;
  /** Absolute path of a fakefoundry config whose `bosh:` section seeds its releases and stemcell. */
  foundationConfigPath: string;
}

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

function example(name: ExampleAdapterName, description: string): ExampleAdapter {
  return {
    name,
    description,
    adapterPath: here(`./${name}/service-adapter.mjs`),
    odbConfigPath: here(`./${name}/odb-config.yml`),
    foundationConfigPath: here(`./${name}/foundation.yml`),
  };
}

export const exampleAdapters: Readonly<Record<ExampleAdapterName, ExampleAdapter>> = Object.freeze({
  redis: example('redis', 'a single-node cache: one instance group, a generated password, health-check and cleanup errands'),
  kafka: example('kafka', 'a cluster: zookeeper and kafka instance groups joined by a BOSH link, a post-deploy smoke-test errand'),
});

/**
 * The example's ODB config as an object, with `service_adapter.path` made absolute (the file has
 * it relative to the repository root, for brokers started there).
 */
export function loadExampleOdbConfig(name: ExampleAdapterName): Record<string, unknown> {
  const ex = exampleAdapters[name];
  const config = parseYaml(readFileSync(ex.odbConfigPath, 'utf8')) as Record<string, unknown>;
  config.service_adapter = { ...(config.service_adapter as object), path: ex.adapterPath };
  return config;
}

export interface SeedJob {
  name: string;
  errand?: boolean;
  provides?: { name: string; type: string }[];
  consumes?: { name: string; type: string; optional?: boolean }[];
}
export interface SeedRelease {
  name: string;
  version: string;
  jobs: (string | SeedJob)[];
}
export interface SeedStemcell {
  name: string;
  version: string;
  operating_system?: string;
}

/** What a director needs to deploy the example: its releases (with job link specs) and stemcell. */
export function exampleDirectorSeed(name: ExampleAdapterName): { releases: SeedRelease[]; stemcells: SeedStemcell[] } {
  const doc = parseYaml(readFileSync(exampleAdapters[name].foundationConfigPath, 'utf8')) as {
    bosh: { releases: SeedRelease[]; stemcells: SeedStemcell[] };
  };
  return { releases: doc.bosh.releases, stemcells: doc.bosh.stemcells };
}

/** Anything that can take releases and stemcells by metadata, such as the fake director's test API. */
export interface DirectorSeeder {
  seedRelease(r: SeedRelease): void;
  seedStemcell(s: SeedStemcell): void;
}

/** Seeds a director (e.g. `f.bosh.control`) with what the example's service deployment names. */
export function seedExampleDirector(name: ExampleAdapterName, director: DirectorSeeder): void {
  const seed = exampleDirectorSeed(name);
  for (const r of seed.releases) director.seedRelease(r);
  for (const s of seed.stemcells) director.seedStemcell(s);
}
