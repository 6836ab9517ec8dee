// The command-line half of the On-Demand Services SDK contract, for service adapters written in
// JavaScript: how the broker invokes an adapter (subcommand + stdin JSON, or legacy positional
// arguments), what goes to stdout (results, and the message shown to the Cloud Foundry user on
// failure) and to stderr (logs), and the exit codes. Each example adapter supplies only its
// service logic to `runServiceAdapter`; `invokeServiceAdapter` runs the same contract without a
// process (a harness calling the adapter in its own process, output and exit code captured).
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { AsyncLocalStorage } from 'node:async_hooks';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXIT = Object.freeze({
  ok: 0,
  error: 1,
  notImplemented: 10,
  bindingNotFound: 41,
  appGuidNotProvided: 42,
  bindingAlreadyExists: 49,
});

/**
 * A failure the adapter wants the user to see: the message goes to stdout (the broker shows it to
 * the Cloud Foundry user on exit 1; never put a secret in it) and the process exits with `exitCode`.
 */
export class AdapterError extends Error {
  constructor(message, exitCode = EXIT.error) {
    super(message);
    this.exitCode = exitCode;
  }
}
export const bindingAlreadyExists = (why) => new AdapterError(`binding already exists: ${why}`, EXIT.bindingAlreadyExists);
export const appGuidNotProvided = (why) => new AdapterError(`app GUID not provided: ${why}`, EXIT.appGuidNotProvided);
export const bindingNotFound = (why) => new AdapterError(`binding not found: ${why}`, EXIT.bindingNotFound);

/** A contract-level failure (bad input, missing arguments): logged on stderr with the SDK's prefix. */
class CliError extends Error {
  constructor(message, exitCode = EXIT.error) {
    super(message);
    this.exitCode = exitCode;
  }
}

const SUBCOMMANDS = {
  'generate-manifest': { handler: 'generateManifest', section: 'generate_manifest' },
  'create-binding': { handler: 'createBinding', section: 'create_binding' },
  'delete-binding': { handler: 'deleteBinding', section: 'delete_binding' },
  'dashboard-url': { handler: 'dashboardUrl', section: 'dashboard_url' },
  'generate-plan-schemas': { handler: 'generatePlanSchemas', section: 'generate_plan_schemas' },
};

const LEGACY_USAGE = {
  'generate-manifest': ['<service-deployment-JSON> <plan-JSON> <request-params-JSON> <previous-manifest-YAML> <previous-plan-JSON>', 5],
  'create-binding': ['<binding-ID> <bosh-VMs-JSON> <manifest-YAML> <request-params-JSON>', 4],
  'delete-binding': ['<binding-ID> <bosh-VMs-JSON> <manifest-YAML> <request-params-JSON>', 4],
  'dashboard-url': ['<instance-ID> <plan-JSON> <manifest-YAML>', 3],
};

// The stderr of the invocation in progress, when it runs in-process (each call its own buffer).
const captured = new AsyncLocalStorage();

function writeStderr(text) {
  const io = captured.getStore();
  if (io) io.stderr += text;
  else process.stderr.write(text);
}

/** A stderr logger with a prefix, as the Go adapters use (the broker copies stderr to its log). */
export function stderrLogger(prefix) {
  return (message) => writeStderr(`${prefix}${message}\n`);
}

/**
 * Runs one adapter invocation and exits. `handlers` may leave any of generateManifest,
 * createBinding, deleteBinding, dashboardUrl, generatePlanSchemas undefined: that subcommand then
 * exits 10 ("not implemented"), as the SDK does.
 */
export async function runServiceAdapter(handlers, argv = process.argv) {
  const r = await invoke(handlers, argv, readProcessStdin, (text) => process.stdout.write(text), (text) => process.stderr.write(text));
  // Let stdout drain before exiting: it may be a pipe the broker reads.
  process.exitCode = r.exitCode;
}

/**
 * The same invocation without a process: `argv` as `process.argv` would be (`[node, script,
 * subcommand, ...args]`), `stdin` the text the broker would write. Resolves to what the process
 * would have printed and its exit code; never touches the process's own streams or exit code.
 */
export async function invokeServiceAdapter(handlers, argv, stdin = '') {
  routeProcessStreams();
  const io = { stdout: '', stderr: '' };
  return captured.run(io, async () => {
    const r = await invoke(handlers, argv, async () => stdin, (text) => (io.stdout += text), (text) => (io.stderr += text));
    return { stdout: io.stdout, stderr: io.stderr, exitCode: r.exitCode };
  });
}

// In-process, what a handler writes to process.stdout or process.stderr itself (a console.log, a
// progress line) is its invocation's output, as it would be in a process of its own.
let routed = false;
function routeProcessStreams() {
  if (routed) return;
  routed = true;
  for (const name of ['stdout', 'stderr']) {
    const stream = process[name];
    const write = stream.write;
    stream.write = function (chunk, encoding, callback) {
      const io = captured.getStore();
      if (!io) return write.apply(this, arguments);
      io[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') queueMicrotask(() => done());
      return true;
    };
  }
}

/** Whether the module at `moduleUrl` is the script node was started with (not imported). */
export function isMainModule(moduleUrl) {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

async function invoke(handlers, argv, readStdin, out, err) {
  let exitCode = EXIT.ok;
  try {
    await dispatch(handlers, argv, readStdin, out);
  } catch (e) {
    if (e instanceof AdapterError) {
      out(e.message);
      exitCode = e.exitCode;
    } else if (e instanceof CliError) {
      err(`[odb-sdk] ${e.message}\n`);
      exitCode = e.exitCode;
    } else {
      err(`[odb-sdk] ${e instanceof Error ? e.message : String(e)}\n`);
      exitCode = EXIT.error;
    }
  }
  return { exitCode };
}

function supported(handlers) {
  const out = [];
  if (handlers.generateManifest) out.push('generate-manifest');
  if (handlers.createBinding || handlers.deleteBinding) out.push('create-binding, delete-binding');
  if (handlers.dashboardUrl) out.push('dashboard-url');
  if (handlers.generatePlanSchemas) out.push('generate-plan-schemas');
  return out.join(', ');
}

async function dispatch(handlers, argv, readStdin, out) {
  const [, script = 'service-adapter', subcommand, ...args] = argv;
  if (subcommand === undefined) throw new CliError(`the following commands are supported: ${supported(handlers)}`);
  writeStderr(`[odb-sdk] handling ${subcommand}\n`);
  const spec = SUBCOMMANDS[subcommand];
  if (!spec) throw new CliError(`unknown subcommand: ${subcommand}. The following commands are supported: ${supported(handlers)}`);
  const handler = handlers[spec.handler];
  if (!handler) throw new CliError(`${subcommand} not implemented`, EXIT.notImplemented);

  const legacy = args.length > 0;
  const raw = legacy ? legacyInput(subcommand, args, path.basename(script)) : stdinInput(spec.section, await readStdin());
  const result = await ACTIONS[subcommand](handler, raw, legacy);
  if (result !== undefined) out(result);
}

function legacyInput(subcommand, args, script) {
  if (subcommand === 'generate-plan-schemas') {
    // Go's flag package: -plan-json X, --plan-json X, -plan-json=X, --plan-json=X.
    for (let i = 0; i < args.length; i++) {
      const m = /^--?plan-json(?:=(.*))?$/s.exec(args[i]);
      if (!m) continue;
      const value = m[1] ?? args[i + 1];
      if (value) return { plan: value };
    }
    throw new CliError('Incorrect arguments for generate-plan-schemas');
  }
  const [usage, count] = LEGACY_USAGE[subcommand];
  if (args.length < count) throw new CliError(`Missing arguments for ${subcommand}. Usage: ${script} ${subcommand} ${usage}`);
  switch (subcommand) {
    case 'generate-manifest':
      return { service_deployment: args[0], plan: args[1], request_parameters: args[2], previous_manifest: args[3], previous_plan: args[4] };
    case 'create-binding':
    case 'delete-binding':
      return { binding_id: args[0], bosh_vms: args[1], manifest: args[2], request_parameters: args[3] };
    default:
      return { instance_id: args[0], plan: args[1], manifest: args[2] };
  }
}

async function readProcessStdin() {
  let data = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) data += chunk;
  return data;
}

function stdinInput(section, data) {
  if (data.length === 0) throw new CliError('expecting parameters to be passed via stdin');
  let params;
  try {
    params = JSON.parse(data);
  } catch (err) {
    throw new CliError(`error unmarshalling input params JSON, error: ${err.message}`);
  }
  const inner = params && typeof params === 'object' ? params[section] : undefined;
  return inner && typeof inner === 'object' ? inner : {};
}

// ---- decoding the JSON-in-a-string inputs, with the SDK's error wording ----

function json(text, what, { emptyOk = false, fallback = null } = {}) {
  if ((text === undefined || text === '') && emptyOk) return fallback;
  try {
    return JSON.parse(text ?? '');
  } catch (err) {
    throw new CliError(`${what}: ${err.message}`);
  }
}

function yamlDoc(text, what) {
  if (text === undefined || text === '') return null;
  try {
    return parseYaml(text) ?? null;
  } catch (err) {
    throw new CliError(`${what}: ${err.message.split('\n')[0]}`);
  }
}

const isObj = (x) => !!x && typeof x === 'object' && !Array.isArray(x);
const nonEmpty = (s) => typeof s === 'string' && s.length > 0;

function fieldError(path, field, tag) {
  return `Key: '${path}' Error:Field validation for '${field}' failed on the '${tag}' tag`;
}

function validateServiceDeployment(sd) {
  if (!isObj(sd)) return 'service deployment is not an object';
  if (!nonEmpty(sd.deployment_name)) return fieldError('ServiceDeployment.DeploymentName', 'DeploymentName', 'required');
  if (!Array.isArray(sd.releases)) return fieldError('ServiceDeployment.Releases', 'Releases', 'required');
  if (sd.releases.length < 1) return 'no releases specified';
  for (const [i, r] of sd.releases.entries()) {
    if (!nonEmpty(r?.name)) return fieldError(`ServiceRelease.Name`, 'Name', 'required') + ` (releases[${i}])`;
    if (!nonEmpty(r?.version)) return fieldError(`ServiceRelease.Version`, 'Version', 'required') + ` (releases[${i}])`;
    if (!Array.isArray(r?.jobs) || r.jobs.length < 1) return fieldError(`ServiceRelease.Jobs`, 'Jobs', 'min') + ` (releases[${i}])`;
  }
  if (!Array.isArray(sd.stemcells)) return fieldError('ServiceDeployment.Stemcells', 'Stemcells', 'required');
  return null;
}

function validatePlan(plan) {
  if (!isObj(plan)) return 'plan is not an object';
  if (!Array.isArray(plan.instance_groups)) return fieldError('Plan.InstanceGroups', 'InstanceGroups', 'required');
  for (const [i, ig] of plan.instance_groups.entries()) {
    const at = `Plan.InstanceGroups[${i}]`;
    if (!nonEmpty(ig?.name)) return fieldError(`${at}.Name`, 'Name', 'required');
    if (!nonEmpty(ig.vm_type)) return fieldError(`${at}.VMType`, 'VMType', 'required');
    if (!Number.isInteger(ig.instances) || ig.instances < 1) return fieldError(`${at}.Instances`, 'Instances', 'min');
    if (!Array.isArray(ig.networks) || ig.networks.length === 0) return fieldError(`${at}.Networks`, 'Networks', 'required');
    if (!Array.isArray(ig.azs)) return fieldError(`${at}.AZs`, 'AZs', 'required');
    if (ig.azs.length < 1) return fieldError(`${at}.AZs`, 'AZs', 'min');
  }
  return null;
}

function plan(text, what) {
  const p = json(text, `unmarshalling ${what}`);
  const bad = validatePlan(p);
  if (bad) throw new CliError(`validating ${what}: ${bad}`);
  return p;
}

function manifest(text) {
  const m = yamlDoc(text, 'unmarshalling manifest');
  return isObj(m) ? m : {};
}

function stringMap(text, what) {
  const m = json(text, what, { emptyOk: true, fallback: {} });
  return isObj(m) ? m : {};
}

const ACTIONS = {
  async 'generate-manifest'(handler, raw, legacy) {
    const serviceDeployment = json(raw.service_deployment, 'unmarshalling service deployment');
    const badSd = validateServiceDeployment(serviceDeployment);
    if (badSd) throw new CliError(`validating service deployment: ${badSd}`);
    const thePlan = plan(raw.plan, 'service plan');
    const requestParams = json(raw.request_parameters, 'unmarshalling requestParams') ?? {};
    const previousManifest = yamlDoc(raw.previous_manifest, 'unmarshalling previous manifest');
    const previousPlan = json(raw.previous_plan, 'unmarshalling previous service plan');
    if (previousPlan !== null) {
      const bad = validatePlan(previousPlan);
      if (bad) throw new CliError(`validating previous service plan: ${bad}`);
    }
    const out = await handler({
      serviceDeployment,
      plan: thePlan,
      requestParams: isObj(requestParams) ? requestParams : {},
      previousManifest: isObj(previousManifest) ? previousManifest : null,
      previousPlan,
      previousSecrets: stringMap(raw.previous_secrets, 'unmarshalling previous secrets'),
      previousConfigs: stringMap(raw.previous_configs, 'unmarshalling previous configs'),
      uaaClient: json(raw.uaa_client, 'unmarshalling service instance client', { emptyOk: true }),
      legacy,
    });
    const manifestYaml = toYaml(out.manifest, { lineWidth: 0 });
    if (legacy) return manifestYaml;
    return JSON.stringify({ manifest: manifestYaml, secrets: out.secrets ?? {}, configs: out.configs ?? {} });
  },

  async 'create-binding'(handler, raw, legacy) {
    const binding = await handler(bindingParams(raw, legacy));
    return JSON.stringify(binding) + '\n';
  },

  async 'delete-binding'(handler, raw, legacy) {
    await handler(bindingParams(raw, legacy));
    return undefined;
  },

  async 'dashboard-url'(handler, raw) {
    const thePlan = plan(raw.plan, 'service plan');
    const url = await handler({ instanceId: raw.instance_id ?? '', plan: thePlan, manifest: manifest(raw.manifest) });
    return JSON.stringify({ dashboard_url: url }) + '\n';
  },

  async 'generate-plan-schemas'(handler, raw) {
    const thePlan = json(raw.plan, 'error unmarshalling plan JSON');
    const schemas = await handler({ plan: isObj(thePlan) ? thePlan : {} });
    return JSON.stringify(schemas) + '\n';
  },
};

function bindingParams(raw, legacy) {
  const vms = json(raw.bosh_vms, 'error unmarshalling BOSH VMs');
  const requestParams = json(raw.request_parameters, 'error unmarshalling request binding parameters');
  return {
    bindingId: raw.binding_id ?? '',
    boshVms: isObj(vms) ? vms : {},
    manifest: manifest(raw.manifest),
    requestParams: isObj(requestParams) ? requestParams : {},
    secrets: legacy ? {} : stringMap(raw.secrets, 'error unmarshalling secrets'),
    dnsAddresses: legacy ? {} : stringMap(raw.dns_addresses, 'error unmarshalling DNS addresses'),
  };
}

// ---- helpers both example adapters use to build manifests ----

/** The release in the service deployment that ships `job`, or an operator-facing error. */
export function releaseForJob(job, serviceDeployment) {
  const found = serviceDeployment.releases.filter((r) => r.jobs.includes(job));
  if (found.length === 1) return found[0];
  if (found.length === 0) throw new ConfigError(`job '${job}' is not in any release of the service deployment`);
  throw new ConfigError(`job '${job}' is in more than one release of the service deployment`);
}

/**
 * An operator's configuration problem: the details go to the broker log (stderr), the CF user gets
 * the SDK examples' generic "contact your operator" message on stdout.
 */
export class ConfigError extends Error {}

export function configErrorToUser(log, err) {
  if (err instanceof ConfigError) {
    log(err.message);
    return new AdapterError('Contact your operator, service configuration issue occurred');
  }
  return err;
}

/** The one stemcell ODB supports per service deployment, under a fixed alias. */
export function onlyStemcell(serviceDeployment, alias = 'default') {
  const s = serviceDeployment.stemcells[0];
  if (!s) throw new ConfigError('the service deployment names no stemcell');
  return { alias, os: s.stemcell_os, version: s.stemcell_version };
}

/** The manifest instance group for one plan instance group (resources only; the adapter adds jobs). */
export function instanceGroupFromPlan(ig, stemcellAlias, jobs) {
  const out = { name: ig.name, instances: ig.instances, jobs, vm_type: ig.vm_type };
  if (Array.isArray(ig.vm_extensions) && ig.vm_extensions.length) out.vm_extensions = ig.vm_extensions;
  if (ig.persistent_disk_type) out.persistent_disk_type = ig.persistent_disk_type;
  out.stemcell = stemcellAlias;
  out.azs = ig.azs;
  out.networks = ig.networks.map((name) => ({ name }));
  if (ig.lifecycle) out.lifecycle = ig.lifecycle;
  if (Array.isArray(ig.migrated_from) && ig.migrated_from.length) out.migrated_from = ig.migrated_from;
  return out;
}

/** Every lifecycle errand the plan names must be one of its `lifecycle: errand` instance groups. */
export function checkLifecycleErrands(plan) {
  for (const errand of [...(plan.lifecycle_errands?.post_deploy ?? []), ...(plan.lifecycle_errands?.pre_delete ?? [])]) {
    if (!plan.instance_groups.some((ig) => ig.name === errand.name && ig.lifecycle === 'errand')) {
      throw new ConfigError(`lifecycle errand '${errand.name}' has no instance group with lifecycle: errand in the plan`);
    }
  }
}

/** A service instance's manifest: every release of the service deployment, its one stemcell. */
export function serviceManifest({ serviceDeployment, stemcell, instanceGroups, update, tags }) {
  return {
    name: serviceDeployment.deployment_name,
    releases: serviceDeployment.releases.map((r) => ({ name: r.name, version: r.version })),
    stemcells: [stemcell],
    instance_groups: instanceGroups,
    update,
    tags,
  };
}

/** The plan's update block, or the adapter's default. */
export function updateBlock(plan, fallback) {
  const u = plan.update;
  if (!isObj(u)) return fallback;
  const out = { canaries: u.canaries, canary_watch_time: u.canary_watch_time, update_watch_time: u.update_watch_time, max_in_flight: u.max_in_flight };
  if (typeof u.serial === 'boolean') out.serial = u.serial;
  return out;
}

/** The OSB arbitrary parameters of a request (`parameters`), as the SDK's ArbitraryParams. */
export function arbitraryParams(requestParams) {
  return isObj(requestParams.parameters) ? requestParams.parameters : {};
}

/**
 * Where a setting comes from on create and update: the user's parameter now; else what the
 * previous manifest has, when it differs from what the previous plan gave (so the user chose it
 * earlier); else the plan (or the adapter's default). A plan change thus reaches settings the user
 * never chose, and never undoes one they did.
 */
export function choose(params, previous, planValues, previousPlanValues) {
  return (key) => {
    if (params[key] !== undefined) return params[key];
    const earlier = previous[key];
    if (earlier !== undefined && (previousPlanValues === undefined || earlier !== previousPlanValues[key])) return earlier;
    return planValues[key];
  };
}

/** A job's properties in a manifest (for reading back what a previous deploy chose). */
export function jobProperties(manifestDoc, groupName, jobName) {
  const groups = Array.isArray(manifestDoc?.instance_groups) ? manifestDoc.instance_groups : [];
  const group = groups.find((g) => g?.name === groupName);
  const job = (Array.isArray(group?.jobs) ? group.jobs : []).find((j) => j?.name === jobName);
  return isObj(job?.properties) ? job.properties : undefined;
}

export { isObj };
