import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as a user gets it: built (`npm run build`, what `prepare` runs), packed, installed
 * from the tarball into an empty project (dependencies from npm's cache: no network when it is
 * warm), then used there from plain Node, TypeScript, the CLI and vitest. Installing is most of
 * this file's work, so the project is kept and used again while the tarball is byte for byte the
 * same (npm packs with fixed timestamps); only what the tests write into it is removed first. It
 * lives in the temporary directory, outside this repository, so that nothing there resolves a
 * module from the repository's own node_modules.
 */
const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json');
const specifier = (sub: string) => (sub === '.' ? 'fakefoundry' : `fakefoundry/${sub.slice(2)}`);
const CACHE = path.join(tmpdir(), `fakefoundry-package-test-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`);

let work = '';
let app = '';
let packed: string[] = [];
const running: string[] = [];

// A nested vitest or npm must not think it is part of this run.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|npm_)/i.test(k) && k !== 'NODE_OPTIONS'));
const inApp = (file: string, args: string[], timeout = 120_000) => exec(file, args, { cwd: app, env, timeout, maxBuffer: 16 << 20 });

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'ff-pack-'));
  await exec(process.execPath, [path.join(ROOT, 'bin/build.mjs')], { cwd: ROOT, timeout: 300_000 });
  const { stdout } = await exec('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, env, timeout: 120_000 });
  const [info] = JSON.parse(stdout);
  packed = info.files.map((f: { path: string }) => f.path);
  const tarball = path.join(work, info.filename);
  const key = createHash('sha256').update(readFileSync(tarball)).update(process.version).digest('hex').slice(0, 16);
  app = path.join(CACHE, `installed-${key}`);
  if (existsSync(path.join(app, 'node_modules/fakefoundry/package.json'))) {
    for (const entry of readdirSync(app)) {
      if (!['node_modules', 'package.json', 'package-lock.json', info.filename].includes(entry)) rmSync(path.join(app, entry), { recursive: true, force: true });
    }
    return;
  }
  mkdirSync(CACHE, { recursive: true });
  for (const entry of readdirSync(CACHE)) if (entry.startsWith('installed-')) rmSync(path.join(CACHE, entry), { recursive: true, force: true });
  // Installed beside, then moved into place: an interrupted install is never taken for a finished one.
  const installing = mkdtempSync(path.join(CACHE, 'installing-'));
  writeFileSync(path.join(installing, 'package.json'), JSON.stringify({ name: 'app', private: true, version: '1.0.0' }));
  // Installed from a copy beside it, so the project's `file:` dependency stays valid after the move.
  copyFileSync(tarball, path.join(installing, info.filename));
  await exec('npm', ['install', `./${info.filename}`, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: installing, env, timeout: 300_000, maxBuffer: 16 << 20 });
  renameSync(installing, app);
}, 600_000);

afterAll(async () => {
  for (const dir of running) await inApp('npx', ['fakefoundry', 'down', '--dir', dir]).catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

// Each test runs whole processes (node, npx, tsc, vitest): seconds on a quiet machine, far more on a busy one.
describe('the published package', { timeout: 180_000 }, () => {
  it('holds the compiled code, its declarations and source maps, the bin, README and LICENSE; no sources or tests', () => {
    expect(packed).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'bin/fakefoundry.mjs', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/cli/up.bundle.cjs', 'dist/cli/up.bundle.cjs.map']));
    const unexpected = packed.filter((f) => !/^(package\.json|README\.md|LICENSE|bin\/fakefoundry\.mjs|dist\/.+)$/.test(f));
    expect(unexpected).toEqual([]);
    expect(packed.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(packed.filter((f) => f.includes('tsbuildinfo'))).toEqual([]);
    // Nor a tool's cache that sat under a source folder (vitest's results under a catalogue, say).
    expect(packed.filter((f) => f.includes('node_modules/'))).toEqual([]);
    // Files that sit beside modules (example adapters) are shipped beside their compiled modules.
    expect(packed).toContain('dist/broker-under-test/example-adapters/redis/service-adapter.mjs');
    expect(packed).toEqual(expect.arrayContaining(['dist/dashboard/assets/index.html', 'dist/dashboard/assets/app.js', 'dist/dashboard/assets/views/bosh.js']));
    // Every public subpath points at files the package holds.
    for (const sub of subpaths) {
      for (const target of Object.values(pkg.exports[sub] as Record<string, string>)) expect(packed).toContain(target.replace(/^\.\//, ''));
    }
    // No TypeScript loader at run time in a user's install.
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    expect(existsSync(path.join(app, 'node_modules/tsx'))).toBe(false);
  });

  it('imports from plain Node, as ESM and through require(), every subpath but ./vitest (which needs vitest running it)', async () => {
    const plain = subpaths.filter((s) => s !== './vitest');
    const esm = plain.map((s) => `Object.keys(await import('${specifier(s)}')).length`).join(', ');
    const cjs = plain.map((s) => `Object.keys(require('${specifier(s)}')).length`).join(', ');
    // The require() process also runs a foundation, as a CommonJS user would.
    const script = `
      const counts = [${cjs}];
      const { Foundation } = require('fakefoundry');
      (async () => {
        const f = await Foundation.create({ seed: 'pkg' });
        const urls = f.mountInProcess();
        const info = await fetch(urls.cc + '/v2/info').then((r) => r.json());
        console.log(JSON.stringify(counts));
        console.log(info.token_endpoint === urls.uaa ? 'ok' : 'wrong: ' + JSON.stringify(info));
        await f.close();
      })();`;
    const [viaImport, viaRequire] = await Promise.all([
      inApp(process.execPath, ['--input-type=module', '-e', `console.log(JSON.stringify([${esm}]))`]),
      inApp(process.execPath, ['-e', script]),
    ]);
    const [requireCounts, foundation] = viaRequire.stdout.trim().split('\n');
    expect(JSON.parse(viaImport.stdout)).toEqual(JSON.parse(requireCounts));
    expect(JSON.parse(viaImport.stdout).every((n: number) => n > 0)).toBe(true);
    expect(foundation).toBe('ok');
  });

  it('gives TypeScript (NodeNext) the declarations of every subpath, matchers included', async () => {
    const lines = subpaths.map((s, i) => `import * as m${i} from '${specifier(s)}';\nvoid m${i};`);
    writeFileSync(
      path.join(app, 'check.mts'),
      `${lines.join('\n')}
import { Foundation } from 'fakefoundry';
import { test, expect } from 'fakefoundry/vitest';
const f: Foundation = await Foundation.create({ seed: 'types' });
test('typed', ({ foundation }) => {
  expect(foundation).toHaveServiceInstance('db', { state: 'succeeded' });
  expect(foundation).toHaveJournalEntry({ service: 'cc->broker', method: 'PUT' });
  expect(foundation).toHaveDeployment('d', ['g']);
});
await f.close();
`,
    );
    await inApp(process.execPath, [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--skipLibCheck', '--typeRoots', path.join(ROOT, 'node_modules/@types'), '--types', 'node', 'check.mts',
    ]);
  });

  it('`npx fakefoundry up --env` serves the fakes until `npx fakefoundry down` closes their ports', async () => {
    const dir = path.join(app, 'detached');
    running.push(dir);
    const { stdout } = await inApp('bash', ['-euo', 'pipefail', '-c', `
      eval "$(npx fakefoundry up --env --dir ${dir})"
      curl -sS --fail --cacert "$FAKEFOUNDRY_CA_CERT" -u "$CF_ADMIN_CLIENT:$CF_ADMIN_CLIENT_SECRET" -d grant_type=client_credentials "$UAA_URL/oauth/token" >/dev/null
      # The dashboard's files ship beside the bundled up command, which finds them.
      curl -sS --fail --cacert "$FAKEFOUNDRY_CA_CERT" "$CF_API/_fakefoundry/ui/views/bosh.js" | grep 'export function mount' >/dev/null
      # Its diagram renderer is loaded from dist/report/ at run time, not bundled: the token request drawn.
      curl -sS --fail --cacert "$FAKEFOUNDRY_CA_CERT" "$CF_API/_fakefoundry/ui/api/sequence" | grep '"svg":"<svg' >/dev/null
      echo "$UAA_URL"
      npx fakefoundry down --dir ${dir}
    `]);
    const [uaa, stopped] = stdout.trim().split('\n');
    expect(stopped).toBe('stopped');
    expect(await portOpen(Number(new URL(uaa).port))).toBe(false);
  });

  it('every hint `npx fakefoundry up` prints works there (bosh and cf need their CLIs and are left out)', async () => {
    const dir = path.join(app, 'fg');
    running.push(dir);
    const up = spawn('npx', ['fakefoundry', 'up', '--dir', dir], { cwd: app, env });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      up.stdout.on('data', (d) => {
        out += d;
        if (out.includes('Stop with Ctrl-C')) resolve();
      });
      up.once('exit', (code) => reject(new Error(`up exited ${code}: ${out}`)));
    });
    const curls = out.split('\n').filter((l) => l.trim().startsWith('curl'));
    expect(curls).toHaveLength(2);
    for (const line of curls) {
      const { stdout } = await inApp('bash', ['-euo', 'pipefail', '-c', line.trim().replace(/^curl/, 'curl -sS --fail')]);
      expect(() => JSON.parse(stdout)).not.toThrow();
    }
    const odbConfig = /ODB client .*\((.*)\)$/m.exec(out)?.[1];
    expect(odbConfig).toBe(`npx fakefoundry odb-config --dir ${dir}`);
    expect((await inApp('bash', ['-euo', 'pipefail', '-c', odbConfig!])).stdout).toMatch(/^bosh:\n[\s\S]*^cf:\n/m);
    const another = /For another shell: (.*?) {3}Stop with Ctrl-C/.exec(out)?.[1];
    expect(another).toBe(`eval "$(npx fakefoundry env --dir ${dir})"`);
    const { stdout } = await inApp('bash', ['-euo', 'pipefail', '-c', `${another}; curl -sS --fail --cacert "$FAKEFOUNDRY_CA_CERT" "$UAA_URL/token_keys"`]);
    expect(JSON.parse(stdout).keys).toHaveLength(1);
    const exited = new Promise((resolve) => up.once('exit', resolve));
    process.kill(Number(readFileSync(path.join(dir, 'up.pid'), 'utf8')), 'SIGINT');
    await exited;
    expect(existsSync(path.join(dir, 'up.pid'))).toBe(false);
  });

  it('runs a scenario of the catalogue (the main job) from the compiled package', async () => {
    const out = path.join(app, 'reports');
    await inApp('npx', ['fakefoundry', 'run', 'startup', '-t', 'disable_cf_startup_checks', '--reporter', 'json', '--out', out]);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    const ran = report.run.cases.filter((c: { outcome: string }) => c.outcome !== 'skipped');
    expect(ran.map((c: { title: string; outcome: string }) => [c.title, c.outcome])).toEqual([
      ['the broker starts without contacting CC when disable_cf_startup_checks is set', 'passed'],
    ]);
  });

  it("runs vitest tests that use fakefoundry/vitest, the README's example among them", async () => {
    mkdirSync(path.join(app, 'test'), { recursive: true });
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const example = /### With vitest: `fakefoundry\/vitest`[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toContain("from 'fakefoundry/vitest'");
    writeFileSync(path.join(app, 'test/readme.test.ts'), example!);
    writeFileSync(
      path.join(app, 'test/uses-fakefoundry.test.mjs'),
      `import { test, expect } from 'fakefoundry/vitest';

test('a foundation per test, in-process', async ({ foundation: f }) => {
  const info = await fetch(f.urls.cc + '/v2/info').then((r) => r.json());
  expect(info.token_endpoint).toBe(f.urls.uaa);
  expect(f).toHaveJournalEntry({ service: 'cc', method: 'GET', path: '/v2/info', status: 200 });
  expect(f).not.toHaveServiceInstance('db');
});
`,
    );
    const { stdout } = await inApp('npx', ['vitest', 'run', '--root', app, '--reporter', 'json']);
    const result = JSON.parse(stdout.slice(stdout.indexOf('{')));
    expect(result.numFailedTests).toBe(0);
    expect(result.numPassedTests).toBe(3);
  });
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
