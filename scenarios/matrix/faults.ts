import type { FaultProfile } from '../harness/environment.js';

/**
 * Fault profiles every matrix can name. Each is something a broker should ride out: slower peers,
 * not failures (scenarios that expect failures set their own faults).
 */
export const BUILTIN_FAULT_PROFILES: Record<string, FaultProfile> = {
  'no-faults': { name: 'no-faults', rules: [] },
  'slow-director': { name: 'slow-director', rules: [{ match: { service: 'bosh' }, action: { type: 'latency', ms: 2000 } }] },
  'slow-uaa': { name: 'slow-uaa', rules: [{ match: { service: 'uaa' }, action: { type: 'latency', ms: 1500 } }] },
  'slow-cc': { name: 'slow-cc', rules: [{ match: { service: 'cc' }, action: { type: 'latency', ms: 1500 } }] },
  'slow-broker-link': { name: 'slow-broker-link', rules: [{ match: { service: 'cc->broker' }, action: { type: 'latency', ms: 3000 } }] },
};
