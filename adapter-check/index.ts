/**
 * adapter-check: test an On-Demand Services SDK service adapter with no BOSH and no Cloud Foundry.
 * It runs the adapter through the SDK's command-line contract in both input modes, and through a
 * real lifecycle on the fake BOSH director (provision, bind, update, upgrade, unbind, delete, with
 * the calls ODB makes), and reports findings in the adapter author's words with a command line to
 * repeat each failing call.
 *
 * @example
 * ```ts
 * import { checkAdapter } from 'fakefoundry/adapter-check';
 * import { isGreen, writeReports } from 'fakefoundry/report';
 *
 * const run = await checkAdapter({ adapter: './bin/service-adapter', config: './odb-config.yml', inputModes: ['stdin'] });
 * await writeReports(run, { dir: 'reports', formats: ['pretty', 'junit'] });
 * if (!isGreen(run)) process.exitCode = 1;
 * ```
 * @module
 */
export { checkAdapter, configProblems, resolveConfig, DEFAULT_CONFIG_NAMES, type AdapterCheckOptions } from './check.js';
export type { InputMode } from './context.js';
export { cloudConfigForPlans } from './director.js';
export { reproduction, shellQuote } from './findings.js';
export { bindRequest, deploymentName, findPlan, planInput, provisionRequest, serviceDeploymentInput, updateRequest } from './odb-inputs.js';
