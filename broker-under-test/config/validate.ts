/**
 * Parses and validates the broker config with ODB's rules and messages (`config.Parse` →
 * `Config.Validate`), in ODB's order: broker, BOSH, CF, adapter path, service deployment, catalog.
 * @module
 */
import { statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { BrokerConfig, ClientCredentials, UserCredentials } from './types.js';

/** A config ODB would refuse; `message` is ODB's text (the CLI prints `error parsing config: <message>`). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

const isSetUser = (c: UserCredentials | undefined) => !!(c && (str(c.username) || str(c.password)));
const isSetClient = (c: ClientCredentials | undefined) => !!(c && (str(c.client_id) || str(c.client_secret)));

function validateUser(c: UserCredentials): string | undefined {
  if (!str(c.username)) return 'username can\'t be empty';
  if (!str(c.password)) return 'password can\'t be empty';
  return undefined;
}

function validateClient(c: ClientCredentials): string | undefined {
  if (!str(c.client_id)) return 'client_id can\'t be empty';
  if (!str(c.client_secret)) return 'client_secret can\'t be empty';
  return undefined;
}

/** ODB's `validateAuthenticationFields`. */
function validateUaaFields(urlRequired: boolean, url: string, client: ClientCredentials | undefined, user: UserCredentials | undefined): string | undefined {
  const clientSet = isSetClient(client);
  const userSet = isSetUser(user);
  if (!url && !clientSet && !userSet) return 'must specify UAA authentication';
  if (!url && urlRequired) return 'uaa url can\'t be empty';
  if (!clientSet && !userSet) return 'authentication should contain either user_credentials or client_credentials';
  if (clientSet && userSet) return 'contains both client and user credentials';
  if (clientSet) {
    const e = validateClient(client!);
    return e && `client_credentials.${e}`;
  }
  const e = validateUser(user!);
  return e && `user_credentials.${e}`;
}

function validateBosh(c: BrokerConfig): string | undefined {
  const bosh = obj(c.bosh);
  if (!str(bosh.url)) return 'must specify bosh url';
  const auth = obj(bosh.authentication);
  const uaa = obj(auth.uaa);
  const basic = obj(auth.basic) as UserCredentials;
  const uaaSet = !!(str(uaa.url) || isSetClient(obj(uaa.client_credentials)) || isSetUser(obj(uaa.user_credentials)));
  const basicSet = isSetUser(basic);
  if (!uaaSet && !basicSet) return 'must specify an authentication type';
  if (uaaSet && basicSet) return 'cannot specify both basic and UAA authentication';
  if (uaaSet) {
    const e = validateUaaFields(false, str(uaa.url), obj(uaa.client_credentials), obj(uaa.user_credentials));
    return e && `authentication.uaa.${e}`;
  }
  const e = validateUser(basic);
  return e && `authentication.basic.${e}`;
}

function validateCf(c: BrokerConfig): string | undefined {
  const cf = obj(c.cf);
  if (!str(cf.url)) return 'must specify CF url';
  const uaa = obj(cf.uaa);
  const auth = obj(uaa.authentication);
  return validateUaaFields(true, str(uaa.url), obj(auth.client_credentials), obj(auth.user_credentials));
}

/** ODB's `checkIsExecutableFile` (Go's stat error text when the file is missing). */
function checkIsExecutableFile(path: string): string | undefined {
  if (!path) return 'path is empty';
  let st;
  try {
    st = statSync(path);
  } catch {
    return `stat ${path}: no such file or directory`;
  }
  if (st.isDirectory()) return `'${path}' is a directory`;
  if ((st.mode & 0o500) !== 0o500) return `'${path}' is not executable`;
  return undefined;
}

const VERSION_MESSAGE =
  "You must configure the exact release and stemcell versions in broker.service_deployment. ODB requires exact versions to detect pending changes as part of the 'cf update-service' workflow. For example, latest and 3112.latest are not supported.";

function validateErrandInstances(instances: unknown): string | undefined {
  for (const name of Array.isArray(instances) ? instances : []) {
    const pieces = str(name).split('/');
    if ((pieces.length !== 1 && pieces.length !== 2) || !pieces[0] || (pieces.length === 2 && !pieces[1])) {
      return `Must specify pool or instance '${str(name)}' in format 'name' or 'name/id-or-index'`;
    }
  }
  return undefined;
}

/** Options of {@link validateConfig}. */
export interface ValidateOptions {
  /** Skip the adapter path check (an in-process adapter is given instead). */
  inProcessAdapter?: boolean;
}

/** Validates a parsed config as ODB does; throws {@link ConfigError} with ODB's first message. */
export function validateConfig(raw: unknown, opts: ValidateOptions = {}): BrokerConfig {
  const c = obj(raw) as unknown as BrokerConfig;
  const broker = obj(c.broker);
  const port = Number(broker.port ?? 0);
  if (!port) throw new ConfigError("broker.port can't be empty");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`yaml: unmarshal errors: cannot unmarshal ${JSON.stringify(broker.port)} into int`);
  if (!str(broker.username)) throw new ConfigError("broker.username can't be empty");
  if (!str(broker.password)) throw new ConfigError("broker.password can't be empty");

  const boshErr = validateBosh(c);
  if (boshErr) throw new ConfigError(`BOSH configuration error: ${boshErr}`);
  if (!broker.disable_cf_startup_checks) {
    const cfErr = validateCf(c);
    if (cfErr) throw new ConfigError(`CF configuration error: ${cfErr}`);
  }
  if (!opts.inProcessAdapter) {
    const adapterErr = checkIsExecutableFile(str(obj(c.service_adapter).path));
    if (adapterErr) throw new ConfigError(`checking for executable service adapter file: ${adapterErr}`);
  }
  const deployment = obj(c.service_deployment);
  for (const r of Array.isArray(deployment.releases) ? deployment.releases : []) {
    if (str(obj(r).version).endsWith('latest')) throw new ConfigError(VERSION_MESSAGE);
  }
  for (const s of Array.isArray(deployment.stemcells) ? deployment.stemcells : []) {
    if (str(obj(s).version).endsWith('latest')) throw new ConfigError(VERSION_MESSAGE);
  }
  const catalog = obj(c.service_catalog);
  for (const p of Array.isArray(catalog.plans) ? catalog.plans : []) {
    const errands = obj(obj(p).lifecycle_errands);
    for (const list of [errands.post_deploy, errands.pre_delete]) {
      for (const e of Array.isArray(list) ? list : []) {
        const err = validateErrandInstances(obj(e).instances);
        if (err) throw new ConfigError(err);
      }
    }
  }
  return normalise(c);
}

/** Fills the defaults the broker relies on (empty lists, `bindable` etc. as Go's zero values). */
function normalise(c: BrokerConfig): BrokerConfig {
  const catalog = obj(c.service_catalog) as unknown as BrokerConfig['service_catalog'];
  const deployment = obj(c.service_deployment) as unknown as BrokerConfig['service_deployment'];
  return {
    ...c,
    broker: { ...c.broker, port: Number(c.broker.port) },
    service_adapter: obj(c.service_adapter),
    service_deployment: {
      releases: (deployment.releases ?? []).map((r) => ({ name: str(r.name), version: str(r.version), jobs: (r.jobs ?? []).map(str) })),
      stemcells: (deployment.stemcells ?? []).map((s) => ({ os: str(s.os), version: str(s.version) })),
    },
    service_catalog: { ...catalog, id: str(catalog.id), service_name: str(catalog.service_name), plans: Array.isArray(catalog.plans) ? catalog.plans : [] },
  };
}

/** Parses YAML config text (Go's yaml.v2 errors start with `yaml: `). */
export function parseConfig(text: string, opts: ValidateOptions = {}): BrokerConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`yaml: ${(err as Error).message.split('\n')[0]}`);
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(`yaml: unmarshal errors:\n  line 1: cannot unmarshal !!${Array.isArray(raw) ? 'seq' : 'str'} into config.Config`);
  }
  return validateConfig(raw ?? {}, opts);
}
