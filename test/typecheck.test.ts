import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

// The project's typecheck (`npm run typecheck`), run beside the other tests instead of before
// them, so that its few seconds overlap the suite's waits.
describe('the project', () => {
  it('type-checks: tsc --noEmit over tsconfig.json (sources, tests, benches, examples)', async () => {
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', ROOT], { cwd: ROOT, maxBuffer: 64 << 20 }).then(
      () => ({ exitCode: 0, errors: '' }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ exitCode: err.code, errors: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
    );
    expect(result.errors).toBe('');
    expect(result.exitCode).toBe(0);
  }, 300_000);
});
