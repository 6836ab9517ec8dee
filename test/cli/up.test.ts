import { execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../../cli/invocation.js';
import { KEYS_PER_START } from '../../cli/key-pool.js';
import { reusedKeys } from '../../fakes/core/keys.js';
import { buildCli } from '../support/built-cli.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
// The CLI compiled from the current sources (test/packaging runs the published one).
let CLI = '';
beforeAll(async () => {
  CLI = await buildCli();
});
// As a user runs it: without the suite's FAKEFOUNDRY_KEYS=reuse, so the key pool is what is tested.
const USER_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FAKEFOUNDRY_KEYS')));
const cli = (args: string[], env: NodeJS.ProcessEnv = USER_ENV) => run(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 60_000, env });
const dirs: string[] = [];

// Key pairs put in a --dir's key pool, so that a start there makes none (most of its CPU).
const POOL = Array.from({ length: KEYS_PER_START }, () => reusedKeys().rsa());

function tempDir({ keyPool = true } = {}): string {
  const d = mkdtempSync(path.join(tmpdir(), 'ff-cli-'));
  dirs.push(d);
  if (keyPool) writeFileSync(path.join(d, 'key-pool.json'), JSON.stringify({ version: 1, keys: POOL }), { mode: 0o600 });
  return d;
}

afterAll(async () => {
  for (const d of dirs) {
    await cli(['down', '--dir', d]).catch(() => undefined);
    rmSync(d, { recursive: true, force: true });
  }
  rmSync(path.dirname(CLI), { recursive: true, force: true });
});

async function bash(script: string): Promise<string> {
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, timeout: 60_000, env: USER_ENV });
  return stdout;
}

async function upJson(args: string[], env?: NodeJS.ProcessEnv): Promise<any> {
  const { stdout } = await cli(['up', '--json', ...args], env);
  return JSON.parse(stdout);
}

// These run the CLI as processes (several per test): seconds on a quiet machine, far more on a busy one.
describe('fakefoundry up', { timeout: 120_000 }, () => {
  it('after eval "$(fakefoundry up --env)", plain curl gets client-credentials and password tokens', async () => {
    // A new directory: no key pool, the keys are made while starting.
    const d = tempDir({ keyPool: false });
    const out = await bash(`
      eval "$(node ${CLI} up --env --dir ${d} --seed cli-1)"
      cc=$(curl -sS --fail --cacert "$FAKEFOUNDRY_CA_CERT" -u "$CF_ADMIN_CLIENT:$CF_ADMIN_CLIENT_SECRET" \
           -d grant_type=client_credentials "$UAA_URL/oauth/token")
      pw=$(curl -sS --fail --cacert "$FAKEFOUNDRY_CA_CERT" -u "cf:" --data-urlencode "username=$CF_USERNAME" \
           --data-urlencode "password=$CF_PASSWORD" -d grant_type=password "$UAA_URL/oauth/token")
      printf '%s\\n%s\\n%s\\n' "$cc" "$pw" "$FAKEFOUNDRY_CA_CERT"
      bt=$(curl -sS --fail --cacert "$FAKEFOUNDRY_CA_CERT" -u "$BOSH_CLIENT:$BOSH_CLIENT_SECRET" \
           -d grant_type=client_credentials "$UAA_URL/oauth/token" | node -e 'process.stdin.on("data",d=>console.log(JSON.parse(d).access_token))')
      printf '%s' "$BOSH_CA_CERT" > ${d}/bosh-ca.pem
      curl -sS --fail --cacert ${d}/bosh-ca.pem "$BOSH_ENVIRONMENT/info" > ${d}/bosh-info
      curl -sS --fail --cacert ${d}/bosh-ca.pem -H "Authorization: Bearer $bt" "$BOSH_ENVIRONMENT/deployments" > ${d}/bosh-deployments
      curl -sS --fail --cacert "$FAKEFOUNDRY_CA_CERT" "$CF_API/v2/info" > ${d}/cc-info
      node ${CLI} env --dir ${d} > ${d}/env-again
      node ${CLI} down --dir ${d} >/dev/null
      test ! -e ${d}/up.pid
    `);
    const [cc, pw, rest] = out.split('\n');
    const ccToken = JSON.parse(cc);
    expect(ccToken.token_type).toBe('bearer');
    const claims = JSON.parse(Buffer.from(ccToken.access_token.split('.')[1], 'base64url').toString());
    expect(claims.authorities).toContain('cloud_controller.admin');
    const pwToken = JSON.parse(pw);
    expect(pwToken.refresh_token).toBeTruthy();
    expect(JSON.parse(Buffer.from(pwToken.access_token.split('.')[1], 'base64url').toString()).user_name).toBe('admin');
    expect(rest).toContain(d);
    expect(readFileSync(path.join(d, 'bosh-ca.pem'), 'utf8')).toEqual(readFileSync(path.join(d, 'ca.pem'), 'utf8'));
    const ccInfo = JSON.parse(readFileSync(path.join(d, 'cc-info'), 'utf8'));
    expect(ccInfo.token_endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const info = JSON.parse(readFileSync(path.join(d, 'bosh-info'), 'utf8'));
    expect(info.user_authentication.type).toBe('uaa');
    expect(JSON.parse(readFileSync(path.join(d, 'bosh-deployments'), 'utf8'))).toEqual([]);
    expect(readFileSync(path.join(d, 'env-again'), 'utf8')).toContain(`export FAKEFOUNDRY_CA_CERT='${d}/ca.pem'`);
  });

  it('gives the same ids, names and secrets for the same --seed', async () => {
    const [a, b, c] = await Promise.all([
      upJson(['--dir', tempDir(), '--seed', 'same-seed']),
      upJson(['--dir', tempDir(), '--seed', 'same-seed']),
      upJson(['--dir', tempDir(), '--seed', 'other-seed']),
    ]);
    expect(a.credentials).toEqual(b.credentials);
    expect(a.credentials).not.toEqual(c.credentials);
    const users = async (info: any) => {
      const { stdout } = await run('curl', ['-sS', '--cacert', info.ca.path, `${info.control.uaa}/state/uaa`]);
      return Object.keys(JSON.parse(stdout).users).sort();
    };
    expect(await users(a)).toEqual(await users(b));
    for (const info of [a, b, c]) process.kill(info.pid, 'SIGTERM');
  });

  it('serves the same CA and signing keys when started twice with the same --state file', async () => {
    const d = tempDir();
    const state = path.join(d, 'state.json');
    const keys = async (info: any) =>
      (await run('curl', ['-sS', '--cacert', info.ca.path, `${info.urls.uaa}/token_keys`])).stdout;
    const first = await upJson(['--dir', d, '--state', state]);
    const firstCa = readFileSync(first.ca.path, 'utf8');
    const firstKeys = await keys(first);
    // The first start took its keys from the pool; the second brings its own, from the state file.
    expect(POOL.map((k) => k.publicPem.trim())).toContain(JSON.parse(firstKeys).keys[0].value);
    expect(POOL.map((k) => k.publicPem)).toContain(new X509Certificate(firstCa).publicKey.export({ type: 'spki', format: 'pem' }));
    await expect(upJson(['--dir', d])).rejects.toThrow(/already running/);
    await cli(['down', '--dir', d]);
    const second = await upJson(['--dir', d, '--state', state]);
    expect(readFileSync(second.ca.path, 'utf8')).toEqual(firstCa);
    expect(await keys(second)).toEqual(firstKeys);
    expect(second.credentials).toEqual(first.credentials);
    await cli(['down', '--dir', d]);
  });

  it('with FAKEFOUNDRY_KEYS=reuse (a test suite), serves the reused keys and neither takes nor makes a key pool', async () => {
    const d = tempDir();
    const shared = path.join(d, 'shared-keys.json');
    writeFileSync(shared, JSON.stringify(POOL.slice().reverse()));
    const info = await upJson(['--dir', d], { ...USER_ENV, FAKEFOUNDRY_KEYS: 'reuse', FAKEFOUNDRY_KEYS_FILE: shared });
    const served = new X509Certificate(readFileSync(info.ca.path, 'utf8')).publicKey.export({ type: 'spki', format: 'pem' });
    expect(served).toBe(POOL[POOL.length - 1].publicPem);
    await cli(['down', '--dir', d]);
    // The pool put there for a user's start is still there, untouched.
    expect(JSON.parse(readFileSync(path.join(d, 'key-pool.json'), 'utf8')).keys).toEqual(POOL);
  });
});

describe('the hints fakefoundry prints', { timeout: 120_000 }, () => {
  it('foreground `up` says how to get the variables in another shell, and that command works', async () => {
    const d = tempDir();
    const child = spawn(process.execPath, [CLI, 'up', '--dir', d, '--seed', 'hints'], { cwd: ROOT, env: { ...USER_ENV, PATH: '/usr/bin:/bin' } });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('Stop with Ctrl-C')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`up exited ${code}: ${out}`)));
    });
    expect(out).toMatch(/\n {2}Dashboard: https:\/\/127\.0\.0\.1:\d+\/_fakefoundry\/ui\/ {3}\(the browser needs the CA below, or --http\)\n/);
    const hint = /For another shell: (.*?)   Stop with Ctrl-C/.exec(out)?.[1];
    expect(hint).toBe(`eval "$(npx fakefoundry env --dir ${d})"`);
    const again = await cli(['env', '--dir', d]);
    expect(again.stdout).toContain(`export FAKEFOUNDRY_CA_CERT='${d}/ca.pem'`);
    // Starting a second one from the same --dir refuses, and says what to run instead.
    await expect(cli(['up', '--env', '--dir', d])).rejects.toThrow(
      `already running from ${d} (pid ${child.pid}): \`npx fakefoundry env --dir ${d}\` prints its variables again; \`npx fakefoundry down --dir ${d}\` stops it`,
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(path.join(d, 'up.pid'))).toBe(false);
    // Once it is gone, `env` says how to start one.
    await expect(run(process.execPath, [CLI, 'env', '--dir', d], { env: { ...USER_ENV, PATH: '/usr/bin:/bin' } })).rejects.toThrow(
      `nothing running from ${d} (no up.json); start one with: eval "$(npx fakefoundry up --env --dir ${d})"`,
    );
  });

  it('names the command `fakefoundry` only when that name on the PATH is this package', () => {
    const d = tempDir();
    mkdirSync(path.join(d, 'global/bin'), { recursive: true });
    mkdirSync(path.join(d, 'project/node_modules/.bin'), { recursive: true });
    mkdirSync(path.join(d, 'other/bin'), { recursive: true });
    symlinkSync(path.join(ROOT, 'bin/fakefoundry.mjs'), path.join(d, 'global/bin/fakefoundry'));
    symlinkSync(path.join(ROOT, 'bin/fakefoundry.mjs'), path.join(d, 'project/node_modules/.bin/fakefoundry'));
    writeFileSync(path.join(d, 'other/bin/fakefoundry'), '#!/bin/sh\n');
    const PATH = (...dirs: string[]) => dirs.map((x) => path.join(d, x)).join(path.delimiter);
    expect(cliCommand({ PATH: PATH('global/bin') })).toBe('fakefoundry');
    // npm and npx put node_modules/.bin on the PATH of what they run; another shell has no such thing.
    expect(cliCommand({ PATH: PATH('project/node_modules/.bin') })).toBe('npx fakefoundry');
    expect(cliCommand({ PATH: PATH('other/bin', 'global/bin') })).toBe('npx fakefoundry');
    expect(cliCommand({})).toBe('npx fakefoundry');
  });
});
