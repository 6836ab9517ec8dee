/** The public TypeScript API of fakefoundry. */
export { Foundation, type FoundationOptions, type FoundationSnapshot } from './fakes/foundation.js';
export { Clock, type ClockMode } from './fakes/core/clock.js';
export { Random } from './fakes/core/random.js';
export { Journal, type JournalEntry, type JournalQuery } from './fakes/core/journal.js';
export { FaultRegistry, type FaultRule, type FaultRuleInput } from './fakes/core/faults.js';
export { loadConfigFile, parseConfigText, type FoundationConfig } from './fakes/core/config.js';
export { UaaSimulator } from './fakes/uaa/index.js';
export { UaaResourceServer } from './fakes/uaa/resource-server.js';
export { BoshSimulator } from './fakes/bosh/index.js';
export { CcSimulator } from './fakes/cc/index.js';
export { CcPlatform } from './fakes/cc/platform/index.js';
