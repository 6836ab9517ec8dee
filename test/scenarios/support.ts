import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioEnvironment, ServiceProfile } from '../../scenarios/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The tiny service of the harness tests. */
export const TINY: ServiceProfile = { name: 'tiny', odbConfig: path.join(here, 'fixtures/odb-config.yml'), foundation: path.join(here, 'fixtures/foundation.yml') };

export function env(over: Partial<ScenarioEnvironment> = {}): ScenarioEnvironment {
  return { cell: 'test', target: { kind: 'embedded' }, boshAuth: 'uaa', adapterInput: 'stdin', faults: { name: 'no-faults', rules: [] }, seed: 'harness', service: TINY, ...over };
}
