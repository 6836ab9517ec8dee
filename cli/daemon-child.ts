/** The detached `fakefoundry up` (see daemon.ts). Its one argument: its UpOptions as JSON. */
import { serve } from './load-up.js';

try {
  await serve(JSON.parse(process.argv[2] ?? '{}'), (info) => process.send?.(info, () => process.disconnect()));
  process.exit(0);
} catch (err) {
  console.error(`fakefoundry: ${(err as Error).message}`);
  process.exit(1);
}
