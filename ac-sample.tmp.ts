import { checkAdapter } from './adapter-check/index.js';
import { toPretty } from './report/index.js';
import { writeBrokenAdapters } from './test/adapter-check/broken-adapters.js';
const b = writeBrokenAdapters();
const run = await checkAdapter({ adapter: b.path('ignores-previous-manifest'), config: 'broker-under-test/example-adapters/redis/odb-config.yml', plans: ['cache-small'], inputModes: ['legacy'] });
process.stdout.write(toPretty(run, { color: false, diagrams: true }));
b.cleanup();
