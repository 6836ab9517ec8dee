import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/fakefoundry.mjs');
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'ff-cli-'));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const d of dirs) {
    await run(process.execPath, [BIN, 'down', '--dir', d]).catch(() => undefined);
    rmSync(d, { recursive: true, force: true });
  }
});

async function bash(script: string): Promise<string> {
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, timeout: 60_000 });
  return stdout;
}

async function upJson(args: string[]): Promise<any> {
  const { stdout } = await run(process.execPath, [BIN, 'up', '--json', ...args], { cwd: ROOT, timeout: 60_000 });
  return JSON.parse(stdout);
}

describe('fakefoundry up', () => {
  it('after eval "$(fakefoundry up --env)", plain curl gets client-credentials and password tokens', async () => {
    const d = tempDir();
    const out = await bash(`
      eval "$(node ${BIN} up --env --dir ${d} --seed cli-1)"
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
      node ${BIN} env --dir ${d} > ${d}/env-again
      node ${BIN} down --dir ${d} >/dev/null
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
    const a = await upJson(['--dir', tempDir(), '--seed', 'same-seed']);
    const b = await upJson(['--dir', tempDir(), '--seed', 'same-seed']);
    const c = await upJson(['--dir', tempDir(), '--seed', 'other-seed']);
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
    await expect(upJson(['--dir', d])).rejects.toThrow(/already running/);
    await run(process.execPath, [BIN, 'down', '--dir', d]);
    const second = await upJson(['--dir', d, '--state', state]);
    expect(readFileSync(second.ca.path, 'utf8')).toEqual(firstCa);
    expect(await keys(second)).toEqual(firstKeys);
    expect(second.credentials).toEqual(first.credentials);
    await run(process.execPath, [BIN, 'down', '--dir', d]);
  });
});
