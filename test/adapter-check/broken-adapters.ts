import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { exampleAdapters } from '../../broker-under-test/example-adapters/index.js';

/**
 * Adapters that each break one rule, written as executables in a temporary directory. Most wrap
 * the redis example's service logic and change one thing; the rest print by hand.
 */

const contract = pathToFileURL(path.join(path.dirname(exampleAdapters.redis.adapterPath), '..', 'cli-contract.mjs')).href;
const handlersOf = (name: 'redis' | 'kafka') => pathToFileURL(path.join(path.dirname(exampleAdapters[name].adapterPath), 'handlers.mjs')).href;

/**
 * A variant of an example: `body` may replace entries of `h` (its handlers) before the run. Like
 * the examples, it runs as an executable and exports `invoke` for in-process calls.
 */
const variant = (body: string, of: 'redis' | 'kafka' = 'redis') => `#!/usr/bin/env node
import { AdapterError, bindingNotFound, invokeServiceAdapter, isMainModule, runServiceAdapter } from '${contract}';
import { handlers } from '${handlersOf(of)}';
const h = { ...handlers };
${body}
export const invoke = (argv, stdin) => invokeServiceAdapter(h, argv, stdin);
if (isMainModule(import.meta.url)) await runServiceAdapter(h);
`;

/** The real redis adapter, with its stdout rewritten by \`rewrite(subcommand, stdout)\`. */
const rewriting = (rewrite: string) => `#!/usr/bin/env node
import { isMainModule } from '${contract}';
import { invoke as redis } from '${pathToFileURL(exampleAdapters.redis.adapterPath).href}';
const rewrite = ${rewrite};
export async function invoke(argv, stdin) {
  const r = await redis(argv, stdin);
  return { ...r, stdout: rewrite(argv[2], r.stdout) };
}
if (isMainModule(import.meta.url)) {
  const input = await new Promise((resolve) => { let d = ''; process.stdin.setEncoding('utf8').on('data', (c) => (d += c)).on('end', () => resolve(d)); });
  const r = await invoke(process.argv, input);
  process.stderr.write(r.stderr);
  process.stdout.write(r.stdout);
  process.exitCode = r.exitCode;
}
`;

function odbSecrets(keep: boolean): string {
  return `
const gen = h.generateManifest;
h.generateManifest = (p) => {
  let prev = p.previousManifest;
  if (prev) {
    prev = structuredClone(prev);
    const r = prev.instance_groups[0].jobs[0].properties.redis;
    r.password = ${keep ? 'p.previousSecrets[r.password]' : 'undefined'};
  }
  const out = gen({ ...p, previousManifest: prev });
  const redis = out.manifest.instance_groups[0].jobs[0].properties.redis;
  out.secrets = { redis_password: redis.password };
  redis.password = '((odb_secret:redis_password))';
  return out;
};`;
}

export const BROKEN = {
  /** Logs a progress line on stdout before its JSON. */
  'bad-json': variant(`
const gen = h.generateManifest;
h.generateManifest = (p) => { process.stdout.write('Generating manifest for ' + p.serviceDeployment.deployment_name + '\\n'); return gen(p); };`),

  /** delete-binding answers 41 ("binding not found") for a binding that exists. */
  'wrong-exit-code': variant(`
h.deleteBinding = (p) => { throw bindingNotFound(p.bindingId); };`),

  /** generate-manifest (stdin mode) names its fields wrongly: "manifest_yaml", secrets as a list. */
  'missing-fields': rewriting(`(sub, out) => {
  if (sub !== 'generate-manifest' || !out.startsWith('{')) return out;
  const doc = JSON.parse(out);
  return JSON.stringify({ manifest_yaml: doc.manifest, secrets: [], configs: doc.configs });
}`),

  /** Asks for a VM type no plan gives it. */
  'director-refuses': variant(`
const gen = h.generateManifest;
h.generateManifest = (p) => { const out = gen(p); out.manifest.instance_groups[0].vm_type = 'gpu-xlarge'; return out; };`),

  /** Never reads previous_manifest: a new password on every call. */
  'ignores-previous-manifest': variant(`
const gen = h.generateManifest;
h.generateManifest = (p) => gen({ ...p, previousManifest: null });`),

  /** On a failed bind, tells the user everything, password included. */
  'leaks-secret': variant(`
const bind = h.createBinding;
h.createBinding = (p) => {
  if (!Object.keys(p.boshVms).length) {
    const pw = p.manifest.instance_groups[0].jobs[0].properties.redis.password;
    throw new AdapterError('cannot bind: no VMs for redis-server (password ' + pw + ')');
  }
  return bind(p);
};`),

  /** kafka whose brokers' link is not shared, though the plan's binding_with_dns needs it. */
  'unshared-link': variant(`
const gen = h.generateManifest;
h.generateManifest = (p) => { const out = gen(p); out.manifest.instance_groups[1].jobs[0].provides.kafka.shared = false; return out; };`, 'kafka'),

  /**
   * The redis password as an ODB-managed secret (`((odb_secret:redis_password))` and the value in
   * "secrets"), kept across updates through previous_secrets: correct with secure manifests.
   */
  'odb-secrets': variant(odbSecrets(true)),

  /** The same, but a new password on every call: previous_secrets ignored. */
  'odb-secrets-rotating': variant(odbSecrets(false)),

  /** Refuses every plan without saying what it lacks: nothing to learn a default config from. */
  'refuses-any-plan': variant(`
h.generateManifest = () => { throw new AdapterError('this plan is not supported'); };`),

  /** dashboard-url never returns. */
  hangs: variant(`
h.dashboardUrl = () => new Promise(() => setInterval(() => undefined, 1000));`),
} as const;

export type BrokenName = keyof typeof BROKEN;

/** Writes the broken adapters into a fresh directory; returns their paths and a cleanup. */
export function writeBrokenAdapters(): { path: (name: BrokenName) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'fakefoundry-broken-adapters-'));
  for (const [name, text] of Object.entries(BROKEN)) {
    const file = path.join(dir, `${name}.mjs`);
    writeFileSync(file, text);
    chmodSync(file, 0o755);
  }
  return { path: (name) => path.join(dir, `${name}.mjs`), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
