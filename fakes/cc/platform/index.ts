/** CC's role as an OSBAPI client. See api.ts for the contract. */
export * from './api.js';
export { CcPlatform, CC_OSBAPI_VERSION } from './platform.js';
export { validateCatalog } from './catalog-validation.js';
export { ccErrors, operationVerb, pollTimeoutDescription, v2ErrorBody, v3ErrorEntry, BINDING_NOT_RETRIEVABLE } from './errors.js';
export { shouldMitigate, ORPHAN_TAG } from './orphan-mitigation.js';
export { BROKER_SERVICE, originatingIdentity, toQuery } from './osb-client.js';
export { nextPollDelaySeconds, maxPollingMs } from './polling.js';
