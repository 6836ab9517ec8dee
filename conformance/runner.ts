/** One conformance run: catalog, headers, every plan's lifecycle, then cleanup and the observers. */
import { catalogChecks, selectTargets } from './checks/catalog.js';
import { cleanup } from './checks/cleanup.js';
import { deleteDuringProvision, platformRules, unknownResourceChecks } from './checks/global.js';
import { headerChecks } from './checks/headers.js';
import { instanceLifecycle } from './checks/instance.js';
import { observerChecks } from './checks/observers.js';
import { spec } from './citations.js';
import { parseConfig, type ConformanceConfig, type ConformanceConfigInput, type OsbVersion } from './config.js';
import { Engine, versionAtLeast } from './engine.js';
import { OsbHttp, type FetchLike } from './http.js';
import { IdSource } from './ids.js';
import { summarize, type ConformanceCase, type ConformanceResult } from './model.js';
import { Platform } from './platform.js';
import { Created, type RunContext } from './run-context.js';
import { SchemaTools } from './schemas.js';
import { realTiming, type Timing } from './timing.js';

export interface ConformanceOptions {
  /** The broker's base URL (`https://broker.example.com`); any path prefix is kept. */
  brokerUrl?: string;
  /** How to reach it: `app.fetch` of an in-process (Hono) broker, or the global fetch by default. */
  fetch?: FetchLike;
  username?: string;
  password?: string;
  /** The OSBAPI version to send and check against (default: the config's, else 2.17). */
  osbVersion?: OsbVersion;
  /** The config (as parsed from the config file, or an object in the same shape). */
  config?: ConformanceConfigInput;
  /** Time for polling and timeouts: real time by default; a fakefoundry clock in tests (`clockTiming`). */
  timing?: Timing;
  /** A name for the report. */
  name?: string;
  /** Called with each case as it is recorded. */
  onCase?: (c: ConformanceCase) => void;
}

/** Runs the suite against one broker. It never throws for what the broker does; every outcome is a case. */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceResult> {
  const config: ConformanceConfig = parseConfig(options.config ?? {});
  const version = options.osbVersion ?? config.osbVersion ?? '2.17';
  const timing = options.timing ?? realTiming();
  const ids = new IdSource(config.seed);
  const brokerUrl = options.brokerUrl ?? 'http://broker.in-process';
  const http = new OsbHttp({
    baseUrl: brokerUrl,
    fetch: options.fetch ?? ((req) => fetch(req)),
    username: options.username,
    password: options.password,
    timing,
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    version,
    ids,
    requestIdentity: versionAtLeast(version, '2.15'),
  });
  const engine = new Engine({ http, timing, config, version });
  engine.onCase = options.onCase;
  const run: RunContext = { engine, http, platform: new Platform(config, version, ids), timing, config, version, schemas: new SchemaTools(), targets: [], created: new Created() };
  http.observers.push((e) => run.created.observe(e));
  const startedAt = new Date(timing.now()).toISOString();
  const wallStart = Date.now();
  const virtualStart = timing.now();

  let unreachable: string | undefined;
  try {
    const catalog = await catalogChecks(run);
    const first = http.exchanges[0];
    if (first && first.status === 0 && !first.error?.startsWith('timeout')) {
      // Nothing can be checked; saying so beats a page of failures that all mean "connection refused".
      const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(first.error ?? '') ? '; its certificate is not trusted: give the CA that signed it (--ca-cert)' : '';
      unreachable = `the broker could not be reached at ${brokerUrl} (${first.error})${tls}; no other check ran`;
      engine.record({ id: 'RUN', title: 'the broker answers at all', since: '2.13', citation: spec('catalog-management', 'MUST', 'the catalog is the first endpoint a platform calls.') }, 'not-run', unreachable);
      return finish();
    }
    if (catalog) {
      const { targets, problems } = selectTargets(run, catalog);
      run.targets = targets;
      for (const p of problems) engine.record({ id: 'CONFIG', title: 'the config names plans the catalog has', since: '2.13', citation: spec('catalog-management', 'MUST', 'plans are named by the catalog.') }, 'not-run', p);
    }
    await headerChecks(run);
    await unknownResourceChecks(run);
    if (!catalog || run.targets.length === 0) {
      engine.record(
        { id: 'PROV-01', title: 'provision, update, bind and deprovision of every plan', since: '2.13', citation: spec('provisioning', 'MUST', 'a broker provisions instances of the plans it offers.') },
        'not-run',
        catalog ? 'the catalog has no plan to exercise' : 'the catalog could not be read (see CAT-01)',
      );
    }
    let probedConcurrency = false;
    for (const target of run.targets) {
      const s = await instanceLifecycle(run, target);
      if (s.async && !probedConcurrency) {
        probedConcurrency = true;
        await deleteDuringProvision(run, target);
      }
    }
    if (!probedConcurrency) {
      engine.record(
        { id: 'DEP-07', also: ['DEP-06'], title: 'a deprovision while provisioning is in progress halts it (or answers 422 ConcurrencyError)', since: '2.15', tags: ['concurrency'], citation: spec('deprovisioning', 'MUST', 'a delete accepted during provisioning MUST halt the creation.') },
        'not-applicable',
        'no plan provisioned asynchronously: nothing to overlap',
      );
    }
  } finally {
    if (!unreachable) await cleanup(run);
  }
  await observerChecks(run);
  platformRules(run);
  return finish();

  function finish(): ConformanceResult {
    const cases = engine.cases;
    const summary = summarize(cases);
    return {
      name: options.name ?? `OSBAPI ${version} conformance`,
      brokerUrl,
      osbVersion: version,
      startedAt,
      durationMs: Math.max(Date.now() - wallStart, timing.now() - virtualStart),
      cases,
      summary,
      ok: summary.failed === 0 && unreachable === undefined,
    };
  }
}
