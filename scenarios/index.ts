/**
 * Scenarios: vitest tests that each get a fresh fake Cloud Foundry (UAA, BOSH, CC), the broker under
 * test registered with it, and the platform driver, and state expectations on outcomes and state.
 * `fakefoundry run` runs them against a target (`embedded`, `command`, `url`) or a matrix, and
 * writes the reports.
 *
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * import { scenario } from 'fakefoundry/scenarios';
 *
 * scenario('provision and deprovision', { tags: ['area:lifecycle', 'osb:2.13', 'odb:provision'] }, async (s) => {
 *   const si = await s.provision(s.plan(0));
 *   expect(si.last_operation).toMatchObject({ type: 'create', state: 'succeeded' });
 *   expect(await s.deprovision(si.guid)).toBeUndefined();
 *   expect(s.deployment(si.guid)).toBeUndefined();
 * });
 * ```
 * @module
 */
export { scenario, setUpScenario, Scenario, BROKER_NAME, type ScenarioMeta, type ScenarioRecord } from './harness/scenario.js';
export { currentEnvironment, cellName, DEFAULT_ENVIRONMENT, NO_FAULTS, type ScenarioEnvironment, type FaultProfile, type ServiceProfile } from './harness/environment.js';
export { brokerConfigFor, type AdapterInput, type BoshAuth, type BrokerCredentials } from './harness/odb-config.js';
export { loadService, catalogOf, DEFAULT_SERVICE, type LoadedService, type ServiceCatalog } from './harness/profile.js';
export * from './targets/index.js';
