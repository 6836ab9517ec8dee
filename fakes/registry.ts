import type { SimulatorFactory } from './core/simulator.js';
import { uaaFactory } from './uaa/index.js';
import { boshFactory } from './bosh/index.js';
import { ccFactory } from './cc/index.js';

/**
 * Every fake a foundation can build, in start order (later fakes may look up earlier ones, e.g.
 * BOSH and CC find the UAA whose keys they trust). A new fake plugs in by adding its factory here.
 */
export const FACTORIES: SimulatorFactory<any>[] = [uaaFactory, boshFactory, ccFactory];
