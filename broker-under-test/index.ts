/**
 * `fakefoundry/broker`: a reference on-demand service broker compatible with the On-Demand Service
 * Broker (ODB). One BOSH deployment per service instance, through a service adapter; ODB's config
 * file, startup checks, OSB behaviour, management API and logs.
 *
 * ```ts
 * import { createBroker, loadConfigFile } from 'fakefoundry/broker';
 * const broker = await createBroker(loadConfigFile('broker.yml'));
 * await broker.listen();                       // on broker.port
 * ```
 * @module
 */
export { createBroker, type Broker, type CreateBrokerOptions } from './broker.js';
export { ConfigError, parseConfig, validateConfig } from './config/validate.js';
export { loadConfigFile } from './config/load.js';
export type * from './config/types.js';
export { StartupError } from './startup.js';
export type { BrokerClock, FetchLike } from './runtime.js';
export type { LogSink } from './log.js';
export * from './adapter/index.js';
export { ERRAND_NAMES, runErrand, runErrandFromFile, type ErrandName, type ErrandEnv, type ErrandResult } from './errands/index.js';
