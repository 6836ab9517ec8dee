// Example service adapter: a single-node cache (redis-like), one VM per service instance.
//
// Plans give instance groups `redis-server` (exactly 1 instance) and optionally the errands
// `health-check` (post-deploy) and `cleanup-data` (pre-delete); plan properties `maxmemory`,
// `persistence`, `maxclients`, `dashboard_url_prefix`. Users may pass `maxmemory_policy` and
// `timeout` when creating or updating an instance; the choice survives later updates through the
// previous manifest, as does the generated password.
import { randomBytes } from 'node:crypto';
import {
  AdapterError, arbitraryParams, checkLifecycleErrands, choose, configErrorToUser, ConfigError, instanceGroupFromPlan, isObj, jobProperties,
  onlyStemcell, releaseForJob, serviceManifest, stderrLogger, updateBlock,
} from '../cli-contract.mjs';

const log = stderrLogger('[redis-adapter] ');

const SERVER = 'redis-server';
const PORT = 6379;
/** Plan instance group → the release jobs it runs. */
const GROUP_JOBS = { [SERVER]: [SERVER], 'health-check': ['health-check'], 'cleanup-data': ['cleanup-data'] };
const POLICIES = ['noeviction', 'allkeys-lru', 'volatile-lru', 'allkeys-lfu', 'volatile-lfu', 'allkeys-random', 'volatile-random', 'volatile-ttl'];
const DEFAULT_UPDATE = { canaries: 1, canary_watch_time: '30000-240000', update_watch_time: '30000-240000', max_in_flight: 1, serial: false };

function instanceParams(params) {
  const unknown = Object.keys(params).filter((k) => k !== 'maxmemory_policy' && k !== 'timeout').sort();
  if (unknown.length) throw new AdapterError(`unsupported parameter(s) for this service: ${unknown.join(', ')}`);
  if (params.maxmemory_policy !== undefined && !POLICIES.includes(params.maxmemory_policy)) {
    throw new AdapterError(`invalid maxmemory_policy '${String(params.maxmemory_policy)}': expected one of ${POLICIES.join(', ')}`);
  }
  if (params.timeout !== undefined && !(Number.isInteger(params.timeout) && params.timeout >= 0)) {
    throw new AdapterError('invalid timeout: expected a whole number of seconds, 0 or more');
  }
  return params;
}

const planDefaults = (p) => ({ maxmemory_policy: 'allkeys-lru', timeout: 0, ...p?.properties });

function generateManifest({ serviceDeployment, plan, requestParams, previousManifest, previousPlan }) {
  try {
    const params = instanceParams(arbitraryParams(requestParams));
    const server = plan.instance_groups.find((ig) => ig.name === SERVER);
    if (!server) throw new ConfigError(`Invalid instance group configuration: expected to find: '${SERVER}' in list: '${plan.instance_groups.map((ig) => ig.name).join(', ')}'`);
    if (server.instances !== 1) throw new ConfigError(`${SERVER} is a single-node cache: the plan must give it 1 instance, not ${server.instances}`);
    checkLifecycleErrands(plan);

    const stemcell = onlyStemcell(serviceDeployment);
    const props = plan.properties ?? {};
    const previous = jobProperties(previousManifest, SERVER, SERVER)?.redis ?? {};
    const pick = choose(params, previous, planDefaults(plan), previousPlan ? planDefaults(previousPlan) : undefined);
    const redis = {
      // Generated once; an update must keep it, or every existing binding stops working.
      password: typeof previous.password === 'string' && previous.password ? previous.password : randomBytes(24).toString('base64url'),
      port: PORT,
      maxmemory: typeof props.maxmemory === 'string' ? props.maxmemory : '128mb',
      maxmemory_policy: pick('maxmemory_policy'),
      maxclients: Number.isInteger(props.maxclients) ? props.maxclients : 10000,
      timeout: pick('timeout'),
      persistence: props.persistence !== false,
    };

    const instanceGroups = plan.instance_groups.map((ig) => {
      const jobNames = GROUP_JOBS[ig.name];
      if (!jobNames) throw new ConfigError(`unknown instance group '${ig.name}': this adapter knows ${Object.keys(GROUP_JOBS).join(', ')}`);
      const jobs = jobNames.map((name) => {
        const job = { name, release: releaseForJob(name, serviceDeployment).name };
        if (name === SERVER) {
          job.provides = { redis: { as: 'redis', shared: true } };
          job.properties = { redis };
        } else {
          job.consumes = { redis: { from: 'redis' } };
        }
        return job;
      });
      return instanceGroupFromPlan(ig, stemcell.alias, jobs);
    });

    const manifest = serviceManifest({ serviceDeployment, stemcell, instanceGroups, update: updateBlock(plan, DEFAULT_UPDATE), tags: { product: 'redis' } });
    return { manifest, secrets: {}, configs: {} };
  } catch (err) {
    throw configErrorToUser(log, err);
  }
}

function serverProperties(manifest) {
  const redis = jobProperties(manifest, SERVER, SERVER)?.redis;
  if (!isObj(redis)) {
    log(`the manifest has no ${SERVER} job properties`);
    throw new AdapterError('');
  }
  return redis;
}

/** A `((credhub-ref))` password is resolved from the secrets ODB passes when secure manifests are on. */
function resolve(value, secrets) {
  const ref = typeof value === 'string' ? /^\(\((.+)\)\)$/.exec(value) : null;
  if (!ref) return value;
  const resolved = secrets[value];
  if (typeof resolved !== 'string' || resolved === '') {
    log(`manifest wasn't correctly interpolated: missing value for '${value}'`);
    throw new AdapterError('');
  }
  return resolved;
}

function createBinding({ boshVms, manifest, requestParams, secrets }) {
  const unknown = Object.keys(arbitraryParams(requestParams)).sort();
  if (unknown.length) throw new AdapterError(`unsupported parameter(s) for this service: ${unknown.join(', ')}`);
  const hosts = boshVms[SERVER];
  if (!Array.isArray(hosts) || hosts.length !== 1) {
    log(`expected ${SERVER} instance group to have only 1 instance, got ${Array.isArray(hosts) ? hosts.length : 0}`);
    throw new AdapterError('');
  }
  const redis = serverProperties(manifest);
  const password = resolve(redis.password, secrets);
  const port = Number.isInteger(redis.port) ? redis.port : PORT;
  return {
    credentials: {
      host: hosts[0],
      port,
      password,
      uri: `redis://:${encodeURIComponent(password)}@${hosts[0]}:${port}`,
    },
  };
}

function deleteBinding({ manifest }) {
  // Credentials are the instance's password; nothing to revoke per binding.
  serverProperties(manifest);
}

function dashboardUrl({ instanceId, plan }) {
  const prefix = typeof plan.properties?.dashboard_url_prefix === 'string' ? plan.properties.dashboard_url_prefix : 'https://redis-dashboard.example.com';
  return `${prefix.replace(/\/+$/, '')}/instances/${instanceId}`;
}

function generatePlanSchemas() {
  const instance = {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    properties: {
      maxmemory_policy: { type: 'string', enum: POLICIES, description: 'what Redis evicts when maxmemory is reached' },
      timeout: { type: 'integer', minimum: 0, description: 'close a client connection after it has been idle this many seconds (0: never)' },
    },
    additionalProperties: false,
  };
  return {
    service_instance: { create: { parameters: instance }, update: { parameters: instance } },
    service_binding: { create: { parameters: { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: {}, additionalProperties: false } } },
  };
}

/** The adapter's service logic, for `runServiceAdapter` (tests reuse it to build broken variants). */
export const handlers = { generateManifest, createBinding, deleteBinding, dashboardUrl, generatePlanSchemas };
