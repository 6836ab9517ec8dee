// Example service adapter: a multi-instance-group cluster (kafka-like).
//
// Plans give instance groups `zookeeper` and `kafka` (joined by a BOSH link: kafka consumes the
// zookeeper ensemble's `conn` link) and usually the errand `smoke-tests` (post-deploy; it consumes
// the brokers' link). Plan properties: `default_replication_factor`, `auto_create_topics`,
// `log_retention_hours`, `dashboard_url_prefix`. Users may pass `auto_create_topics`,
// `default_replication_factor` and `log_retention_hours`; their choices survive later updates
// through the previous manifest. Shrinking a cluster (a plan with fewer VMs) is refused.
import {
  AdapterError, arbitraryParams, checkLifecycleErrands, choose, configErrorToUser, ConfigError, instanceGroupFromPlan, jobProperties,
  onlyStemcell, releaseForJob, serviceManifest, stderrLogger, updateBlock,
} from '../cli-contract.mjs';

const log = stderrLogger('[kafka-adapter] ');

const ZOOKEEPER = 'zookeeper';
const KAFKA = 'kafka';
const SMOKE = 'smoke-tests';
const KAFKA_PORT = 9092;
const ZOOKEEPER_PORT = 2181;
const DEFAULT_UPDATE = { canaries: 1, canary_watch_time: '30000-240000', update_watch_time: '30000-240000', max_in_flight: 1, serial: true };
const PARAMS = {
  auto_create_topics: (v) => typeof v === 'boolean' || 'expected true or false',
  default_replication_factor: (v) => (Number.isInteger(v) && v >= 1) || 'expected a whole number, 1 or more',
  log_retention_hours: (v) => (Number.isInteger(v) && v >= 1) || 'expected a whole number of hours, 1 or more',
};

function checkParams(params) {
  const unknown = Object.keys(params).filter((k) => !(k in PARAMS)).sort();
  if (unknown.length) throw new AdapterError(`unsupported parameter(s) for this service: ${unknown.join(', ')}`);
  for (const [k, check] of Object.entries(PARAMS)) {
    if (params[k] === undefined) continue;
    const ok = check(params[k]);
    if (ok !== true) throw new AdapterError(`invalid ${k}: ${ok}`);
  }
  return params;
}

const countOf = (plan, name) => plan?.instance_groups?.find((ig) => ig.name === name)?.instances ?? 0;

function generateManifest({ serviceDeployment, plan, requestParams, previousManifest, previousPlan }) {
  try {
    const params = checkParams(arbitraryParams(requestParams));
    const names = plan.instance_groups.map((ig) => ig.name);
    const missing = [ZOOKEEPER, KAFKA].filter((n) => !names.includes(n));
    if (missing.length) throw new ConfigError(`Invalid instance group configuration: expected to find: '${missing.join(', ')}' in list: '${names.join(', ')}'`);
    if (previousPlan && (countOf(previousPlan, KAFKA) > countOf(plan, KAFKA) || countOf(previousPlan, ZOOKEEPER) > countOf(plan, ZOOKEEPER))) {
      log('cannot migrate to a smaller plan');
      throw new AdapterError('cannot migrate to a smaller plan: choose a plan with at least as many kafka and zookeeper instances');
    }
    checkLifecycleErrands(plan);
    const brokers = countOf(plan, KAFKA);
    const previous = jobProperties(previousManifest, KAFKA, KAFKA)?.kafka ?? {};
    const defaults = (p) => ({ auto_create_topics: true, default_replication_factor: Math.min(3, countOf(p, KAFKA)), log_retention_hours: 168, ...p?.properties });
    const pick = choose(params, previous, defaults(plan), previousPlan ? defaults(previousPlan) : undefined);
    const replication = pick('default_replication_factor');
    if (replication > brokers) {
      throw new AdapterError(`default_replication_factor ${replication} is more than the ${brokers} kafka broker(s) of this plan`);
    }
    const stemcell = onlyStemcell(serviceDeployment, 'only-stemcell');
    const kafkaGroup = plan.instance_groups.find((ig) => ig.name === KAFKA);

    const jobsFor = {
      [ZOOKEEPER]: () => [{
        name: ZOOKEEPER,
        release: releaseForJob(ZOOKEEPER, serviceDeployment).name,
        provides: { conn: { as: 'zookeeper-conn' } },
        properties: { zookeeper: { client_port: ZOOKEEPER_PORT, tick_time: 2000, init_limit: 10, sync_limit: 5 } },
      }],
      [KAFKA]: () => [{
        name: KAFKA,
        release: releaseForJob(KAFKA, serviceDeployment).name,
        consumes: { zookeeper: { from: 'zookeeper-conn' } },
        provides: { kafka: { as: 'kafka-brokers', shared: true } },
        properties: {
          kafka: {
            port: KAFKA_PORT,
            network: kafkaGroup.networks[0],
            auto_create_topics: pick('auto_create_topics'),
            default_replication_factor: replication,
            log_retention_hours: pick('log_retention_hours'),
          },
        },
      }],
      [SMOKE]: () => [{ name: SMOKE, release: releaseForJob(SMOKE, serviceDeployment).name, consumes: { kafka: { from: 'kafka-brokers' } } }],
    };
    const instanceGroups = plan.instance_groups.map((ig) => {
      const jobs = jobsFor[ig.name];
      if (!jobs) throw new ConfigError(`unknown instance group '${ig.name}': this adapter knows ${Object.keys(jobsFor).join(', ')}`);
      if (ig.name === SMOKE && ig.lifecycle !== 'errand') throw new ConfigError(`instance group '${SMOKE}' must have lifecycle: errand`);
      return instanceGroupFromPlan(ig, stemcell.alias, jobs());
    });

    const manifest = serviceManifest({ serviceDeployment, stemcell, instanceGroups, update: updateBlock(plan, DEFAULT_UPDATE), tags: { product: 'kafka' } });
    return { manifest, secrets: {}, configs: {} };
  } catch (err) {
    throw configErrorToUser(log, err);
  }
}

function hostsOf(boshVms, group) {
  const ips = boshVms[group];
  if (!Array.isArray(ips) || ips.length === 0) {
    log(`no VMs for instance group ${group}`);
    throw new AdapterError('');
  }
  return ips;
}

function createBinding({ bindingId, boshVms, requestParams, dnsAddresses }) {
  const params = arbitraryParams(requestParams);
  const unknown = Object.keys(params).filter((k) => k !== 'topic').sort();
  if (unknown.length) throw new AdapterError(`unsupported parameter(s) for this service: ${unknown.join(', ')}`);
  if (params.topic !== undefined && (typeof params.topic !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(params.topic))) {
    throw new AdapterError('invalid topic: use 1 to 249 letters, digits, dots, underscores or dashes');
  }
  const kafka = hostsOf(boshVms, KAFKA);
  const zookeeper = hostsOf(boshVms, ZOOKEEPER);
  const credentials = {
    bootstrap_servers: kafka.map((ip) => `${ip}:${KAFKA_PORT}`),
    zookeeper_connect: zookeeper.map((ip) => `${ip}:${ZOOKEEPER_PORT}`).join(','),
    topic: params.topic ?? bindingId,
  };
  // With `binding_with_dns` in the plan, ODB passes the brokers' BOSH DNS name: clients keep
  // working when broker VMs are recreated with new IPs.
  if (dnsAddresses['kafka-brokers']) credentials.bootstrap_servers_dns = `${dnsAddresses['kafka-brokers']}:${KAFKA_PORT}`;
  return { credentials };
}

function deleteBinding({ boshVms }) {
  // The binding's topic is left in place: deleting data on unbind would surprise users.
  hostsOf(boshVms, KAFKA);
}

function dashboardUrl({ instanceId, plan }) {
  const prefix = typeof plan.properties?.dashboard_url_prefix === 'string' ? plan.properties.dashboard_url_prefix : 'https://kafka-manager.example.com';
  return `${prefix.replace(/\/+$/, '')}/clusters/${instanceId}`;
}

function generatePlanSchemas({ plan }) {
  const brokers = countOf(plan, KAFKA) || undefined;
  const instance = {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    properties: {
      auto_create_topics: { type: 'boolean', description: 'create a topic when a client first uses it' },
      default_replication_factor: { type: 'integer', minimum: 1, ...(brokers ? { maximum: brokers } : {}), description: 'replicas of each new topic' },
      log_retention_hours: { type: 'integer', minimum: 1, description: 'how long messages are kept' },
    },
    additionalProperties: false,
  };
  return {
    service_instance: { create: { parameters: instance }, update: { parameters: instance } },
    service_binding: {
      create: {
        parameters: {
          $schema: 'http://json-schema.org/draft-04/schema#',
          type: 'object',
          properties: { topic: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$', description: 'the topic this binding uses (default: the binding id)' } },
          additionalProperties: false,
        },
      },
    },
  };
}

/** The adapter's service logic, for `runServiceAdapter` (tests reuse it to build broken variants). */
export const handlers = { generateManifest, createBinding, deleteBinding, dashboardUrl, generatePlanSchemas };
