/**
 * `fakefoundry/conformance`: the OSB API conformance suite, for any broker.
 *
 * ```ts
 * import { runConformance, clockTiming } from 'fakefoundry/conformance';
 *
 * // A broker in another process or language:
 * const result = await runConformance({ brokerUrl: 'https://broker.example.com', username: 'u', password: 'p' });
 *
 * // An in-process Hono broker, on a virtual clock (no real waiting):
 * const result = await runConformance({ fetch: (req) => app.fetch(req), username: 'u', password: 'p', timing: clockTiming(clock) });
 * expect(result.summary.failed).toBe(0);
 * ```
 *
 * Checks come from the broker's own catalog (every service and plan) and the config (plans to
 * exercise, parameters, skips, polling, platform profile). Each case cites the spec section and
 * the RFC 2119 level it enforces; a MUST finding fails it, SHOULD/MAY findings warn, and a case
 * that could not run says so.
 *
 * @packageDocumentation
 */
export { runConformance, type ConformanceOptions } from './runner.js';
export { parseConfig, loadConfigFile, FEATURES, OSB_VERSIONS, type ConformanceConfig, type ConformanceConfigInput, type OsbVersion, type PlanConfig } from './config.js';
export type { Citation, ConformanceCase, ConformanceResult, ConformanceSummary, Exchange, Finding, Level, Outcome } from './model.js';
export { realTiming, clockTiming, type Timing, type ClockLike } from './timing.js';
export type { FetchLike } from './http.js';
export { formatCitation, citationUrl } from './citations.js';
export { writeReports, toRunResult, REPORTERS, type ReporterName, type WriteOptions } from './output/index.js';
export { CHECKLIST } from './checklist.js';
