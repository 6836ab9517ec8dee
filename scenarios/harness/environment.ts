import { inject } from 'vitest';
import type { FaultRuleInput } from '../../fakes/core/faults.js';
import { targetName, type TargetSpec } from '../targets/types.js';
import type { AdapterInput, BoshAuth } from './odb-config.js';

/** A named set of fault rules applied once the broker is registered (`slow-director`, ...). */
export interface FaultProfile {
  name: string;
  rules: FaultRuleInput[];
}

/** The service a broker offers: its ODB config (catalog, deployment, adapter) and the fakes it needs. */
export interface ServiceProfile {
  name: string;
  /** An ODB config file without `bosh:` and `cf:` (YAML). */
  odbConfig: string;
  /** A foundation config file seeding the director with the releases and stemcells it names. */
  foundation?: string;
  /** Where a relative `service_adapter.path` is resolved from (default: the current directory). */
  root?: string;
  /**
   * A JavaScript module exporting `invoke(argv, stdin)` that runs the same adapter as
   * `service_adapter.path` without a process (the example adapters' executables do): the embedded
   * target then calls it in-process. Without it, the adapter runs as a process per call.
   */
  adapterModule?: string;
}

/**
 * One matrix cell, as the runner hands it to the scenario workers (plain data). Scenario files read
 * it with {@link currentEnvironment}; run directly by vitest, they get the defaults.
 */
export interface ScenarioEnvironment {
  /** The cell's name, e.g. `embedded · uaa · stdin · no-faults`. */
  cell: string;
  target: TargetSpec;
  boshAuth: BoshAuth;
  adapterInput: AdapterInput;
  faults: FaultProfile;
  service?: ServiceProfile;
  /** The seed every scenario's foundation starts from. */
  seed: string;
  /** A signing key for every foundation's UAA (saves an RSA key generation per scenario). */
  signingKey?: { private_pem: string; public_pem: string };
}

declare module 'vitest' {
  interface ProvidedContext {
    fakefoundry: ScenarioEnvironment;
  }
}

export const NO_FAULTS: FaultProfile = { name: 'no-faults', rules: [] };

export function cellName(e: Pick<ScenarioEnvironment, 'target' | 'boshAuth' | 'adapterInput' | 'faults'>): string {
  return [targetName(e.target), e.boshAuth, e.adapterInput, e.faults.name].join(' · ');
}

export const DEFAULT_ENVIRONMENT: ScenarioEnvironment = {
  cell: 'embedded · uaa · stdin · no-faults',
  target: { kind: 'embedded' },
  boshAuth: 'uaa',
  adapterInput: 'stdin',
  faults: NO_FAULTS,
  seed: 'scenarios',
};

/** The environment the runner provided, or the defaults (embedded broker, UAA, stdin, no faults). */
export function currentEnvironment(): ScenarioEnvironment {
  let provided: ScenarioEnvironment | undefined;
  try {
    provided = inject('fakefoundry');
  } catch {
    provided = undefined;
  }
  return provided ?? DEFAULT_ENVIRONMENT;
}
