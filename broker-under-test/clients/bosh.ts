/**
 * The BOSH director client, speaking only the director's public HTTP API as ODB does (through
 * bosh-cli's `director` package): HTTPS always (the configured scheme is ignored, port 25555 by
 * default), basic or UAA client-credentials auth with the UAA URL from `/info`, the
 * `302 Location: /tasks/N` task protocol followed by hand, `X-Bosh-Context-Id` on operations.
 * @module
 */
import type { BoshVMs } from '../adapter/types.js';
import type { BoshSection } from '../config/types.js';
import type { BrokerClock, FetchLike } from '../runtime.js';
import { TokenSource } from './uaa-token.js';

/** The director could not be reached (ODB's `boshdirector.RequestError`): "Currently unable to ..." to users. */
export class BoshRequestError extends Error {
  override name = 'BoshRequestError';
}

/** The director answered with a status bosh-cli does not accept. */
export class BoshStatusError extends Error {
  override name = 'BoshStatusError';
  constructor(readonly status: number, readonly body: string) {
    super(`Director responded with non-successful status code '${status}' response '${body}'`);
  }
}

export interface BoshInfo {
  name?: string;
  uuid?: string;
  version: string;
  user?: string | null;
  user_authentication?: { type?: string; options?: { url?: string } };
}

export interface BoshTask {
  id: number;
  state: string;
  description: string;
  result: string;
  context_id?: string;
  deployment?: string;
}

export interface TaskOutput {
  exit_code: number;
  stdout: string;
  stderr: string;
}

export interface BoshConfigRecord {
  id: string;
  name: string;
  type: string;
  content: string;
}

/** Task states, classed as ODB does (`boshdirector/task.go`). */
export function taskStateType(state: string): 'complete' | 'incomplete' | 'failed' | 'unknown' {
  if (state === 'done') return 'complete';
  if (state === 'queued' || state === 'processing' || state === 'cancelling') return 'incomplete';
  if (state === 'error' || state === 'timeout' || state === 'cancelled') return 'failed';
  return 'unknown';
}

/** `https://host:port` from `bosh.url`, whatever scheme it gives. */
export function directorBaseUrl(url: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `https://${url}`;
  const u = new URL(withScheme);
  return `https://${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:${u.port || '25555'}`;
}

/** bosh-cli's UAA URL rule: https always, port 443 by default, path kept. */
function forceHttps(url: string): string {
  const u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`);
  const path = u.pathname.replace(/\/$/, '');
  return `https://${u.hostname}:${u.port || '443'}${path}`;
}

interface RequestOpts {
  body?: string;
  contentType?: string;
  contextId?: string;
  headers?: Record<string, string>;
  auth?: boolean;
}

const RETRIES = 5;
const RETRY_DELAY_MS = 500;
const POLL_MS = 500;

export class BoshClient {
  readonly base: string;
  readonly #auth?: TokenSource;
  #uaaUrl?: Promise<string>;

  constructor(
    private readonly config: BoshSection,
    private readonly http: FetchLike,
    private readonly clock: BrokerClock,
  ) {
    this.base = directorBaseUrl(config.url);
    const cc = config.authentication.uaa?.client_credentials;
    if (!config.authentication.basic?.username && cc?.client_id) {
      this.#auth = new TokenSource(
        http,
        clock,
        () => this.uaaUrl(),
        { type: 'client_credentials', clientId: cc.client_id, clientSecret: cc.client_secret ?? '' },
        'properties.<broker-job>.bosh.authentication.uaa',
      );
    }
  }

  /** The director's UAA, from the unauthenticated `/info` (ODB never uses `bosh.authentication.uaa.url`). */
  uaaUrl(): Promise<string> {
    this.#uaaUrl ??= this.info(false).then((info) => {
      const url = info.user_authentication?.type === 'uaa' ? info.user_authentication.options?.url : undefined;
      if (!url) throw new Error('Cannot retrieve UAA URL from info endpoint');
      return forceHttps(url);
    });
    this.#uaaUrl.catch(() => (this.#uaaUrl = undefined));
    return this.#uaaUrl;
  }

  async #authHeader(): Promise<string | undefined> {
    const basic = this.config.authentication.basic;
    if (basic?.username) return `Basic ${Buffer.from(`${basic.username}:${basic.password ?? ''}`).toString('base64')}`;
    return this.#auth?.header();
  }

  /** One request with bosh-cli's transport rules (retries on network errors; GETs also on 502/503/504; one 401 retry). */
  async request(method: string, path: string, opts: RequestOpts = {}): Promise<Response> {
    let unauthorizedRetried = false;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.contentType) headers['content-type'] = opts.contentType;
      if (opts.contextId) headers['x-bosh-context-id'] = opts.contextId;
      if (opts.auth !== false) {
        const h = await this.#authHeader();
        if (h) headers.authorization = h;
      }
      let res: Response;
      try {
        res = await this.http(`${this.base}${path}`, { method, headers, body: opts.body, redirect: 'manual' });
      } catch (err) {
        if (attempt < RETRIES) {
          await this.clock.sleep(RETRY_DELAY_MS);
          continue;
        }
        throw new BoshRequestError(`error connecting to BOSH director at ${this.base}: ${(err as Error).message}`);
      }
      if (res.status === 401 && opts.auth !== false && this.#auth && !unauthorizedRetried) {
        unauthorizedRetried = true;
        this.#auth.invalidate();
        await res.body?.cancel();
        continue;
      }
      if (method === 'GET' && [502, 503, 504].includes(res.status) && attempt < RETRIES) {
        await res.body?.cancel();
        await this.clock.sleep(RETRY_DELAY_MS);
        continue;
      }
      return res;
    }
  }

  async #json<T>(method: string, path: string, opts: RequestOpts = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    const text = await res.text();
    if (![200, 201, 204, 206].includes(res.status)) throw new BoshStatusError(res.status, text);
    return (text ? JSON.parse(text) : null) as T;
  }

  /** A task-producing request: follows `302 Location: /tasks/N` by hand and returns the task's `id`. */
  async #task(method: string, path: string, opts: RequestOpts = {}): Promise<number> {
    const res = await this.request(method, path, opts);
    const text = await res.text();
    if (res.status === 302) {
      const location = res.headers.get('location') ?? '';
      const taskPath = new URL(location, this.base).pathname;
      // The redirect hop carries only Authorization (Go drops the other headers).
      const task = await this.#json<BoshTask>('GET', taskPath);
      return task.id;
    }
    if (res.status === 200 || res.status === 201) return (JSON.parse(text) as BoshTask).id;
    throw new BoshStatusError(res.status, text);
  }

  info(authenticated = true): Promise<BoshInfo> {
    return this.#json<BoshInfo>('GET', '/info', { auth: authenticated });
  }

  /** ODB's `VerifyAuth`: the authenticated `/info` must name a user. */
  async verifyAuth(): Promise<void> {
    const info = await this.info(true);
    if (!info.user) throw new Error('not authenticated');
  }

  async deploymentNames(): Promise<string[]> {
    const list = await this.#json<{ name: string }[]>('GET', '/deployments');
    return (list ?? []).map((d) => d.name);
  }

  /** The deployed manifest, or `undefined` when there is no such deployment. */
  async getDeployment(name: string): Promise<string | undefined> {
    const list = await this.#json<{ name: string }[]>('GET', '/deployments?exclude_configs=true');
    if (!(list ?? []).some((d) => d.name === name)) return undefined;
    const dep = await this.#json<{ manifest?: string }>('GET', `/deployments/${encodeURIComponent(name)}`);
    return dep?.manifest ?? '';
  }

  deploy(manifest: string, contextId?: string): Promise<number> {
    return this.#task('POST', '/deployments?', { body: manifest, contentType: 'text/yaml', contextId });
  }

  /** Deletes a deployment; 0 when it does not exist (no call made, as bosh-cli). */
  async deleteDeployment(name: string, contextId: string | undefined, force: boolean): Promise<number> {
    if ((await this.getDeployment(name)) === undefined) return 0;
    return this.#task('DELETE', `/deployments/${encodeURIComponent(name)}?${force ? 'force=true' : ''}`, { contextId });
  }

  runErrand(deployment: string, errand: string, instances: string[], contextId?: string): Promise<number> {
    const slugs = instances.map((s) => {
      const [group, id] = s.split('/', 2);
      return id === undefined ? { group } : { group, id };
    });
    const body = JSON.stringify({ instances: slugs, 'keep-alive': false, 'when-changed': false });
    return this.#task('POST', `/deployments/${encodeURIComponent(deployment)}/errands/${encodeURIComponent(errand)}/runs`, {
      body,
      contentType: 'application/json',
      contextId,
    });
  }

  recreate(deployment: string, contextId?: string): Promise<number> {
    return this.#task('PUT', `/deployments/${encodeURIComponent(deployment)}/jobs/*?fix=true&state=recreate`, {
      body: '',
      contentType: 'text/yaml',
      contextId,
    });
  }

  async tasksInProgress(deployment: string): Promise<BoshTask[]> {
    return (
      (await this.#json<BoshTask[]>('GET', `/tasks?deployment=${encodeURIComponent(deployment)}&state=processing%2Ccancelling%2Cqueued&verbose=1`)) ?? []
    );
  }

  task(id: number): Promise<BoshTask> {
    return this.#json<BoshTask>('GET', `/tasks/${id}`);
  }

  /** The errand-style result (`{exit_code, stdout, stderr}`); a result that is not one JSON object counts as exit 0, as in ODB. */
  async taskOutput(id: number): Promise<TaskOutput> {
    const res = await this.request('GET', `/tasks/${id}/output?type=result`, { headers: { range: 'bytes=0-' } });
    const text = await res.text();
    if (![200, 206, 416].includes(res.status)) throw new BoshStatusError(res.status, text);
    try {
      const parsed = JSON.parse(text) as Partial<TaskOutput>;
      return { exit_code: Number(parsed.exit_code ?? 0), stdout: String(parsed.stdout ?? ''), stderr: String(parsed.stderr ?? '') };
    } catch {
      return { exit_code: 0, stdout: '', stderr: '' };
    }
  }

  /** ODB's `GetNormalisedTasksByContext`: newest first, done tasks with a non-zero errand exit become `error`. */
  async tasksByContext(deployment: string, contextId: string): Promise<BoshTask[]> {
    const all = (await this.#json<BoshTask[]>('GET', `/tasks?context_id=${encodeURIComponent(contextId)}`)) ?? [];
    const mine = all.filter((t) => t.deployment === deployment);
    for (const t of mine) {
      if (t.state !== 'done') continue;
      const out = await this.taskOutput(t.id);
      if (out.exit_code !== 0) t.state = 'error';
    }
    return mine;
  }

  /** `GET /deployments/:d/vms?format=full` (a task), as `{job_name: [ips]}`. */
  async vms(deployment: string): Promise<BoshVMs> {
    const id = await this.#task('GET', `/deployments/${encodeURIComponent(deployment)}/vms?format=full`);
    let task = await this.task(id);
    while (taskStateType(task.state) === 'incomplete') {
      await this.clock.sleep(POLL_MS);
      task = await this.task(id);
    }
    if (task.state !== 'done') throw new Error(`Expected task '${id}' to succeed but state is '${task.state}'`);
    const res = await this.request('GET', `/tasks/${id}/output?type=result`);
    const text = await res.text();
    if (![200, 206].includes(res.status)) throw new BoshStatusError(res.status, text);
    const vms: BoshVMs = {};
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const vm = JSON.parse(line) as { job_name?: string; ips?: string[] };
      const job = vm.job_name ?? '';
      (vms[job] ??= []).push(...(vm.ips ?? []));
    }
    return vms;
  }

  async variables(deployment: string): Promise<{ id: string; name: string }[]> {
    return (await this.#json<{ id: string; name: string }[]>('GET', `/deployments/${encodeURIComponent(deployment)}/variables`)) ?? [];
  }

  /**
   * ODB's `binding_with_dns`: for each entry, a temporary external link to the named shared
   * provider, its DNS address, then the link removed again.
   */
  async dnsAddresses(
    deployment: string,
    entries: { name: string; link_provider: string; instance_group: string; properties?: { azs?: string[]; status?: string } }[],
  ): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    if (!entries.length) return out;
    const providers =
      (await this.#json<{ id: string; name: string; shared: boolean; owner_object?: { info?: { instance_group?: string } } }[]>(
        'GET',
        `/link_providers?deployment=${encodeURIComponent(deployment)}`,
      )) ?? [];
    for (const e of entries) {
      const provider = providers.find((p) => p.shared && p.name === e.link_provider && p.owner_object?.info?.instance_group === e.instance_group);
      if (!provider) throw new Error(`could not find link provider matching ${e.link_provider} in instance group ${e.instance_group}`);
      const link = await this.#json<{ id: string }>('POST', '/links', {
        body: JSON.stringify({ link_provider_id: provider.id, link_consumer: { owner_object: { name: 'external_consumer_id', type: 'external' } } }),
        contentType: 'application/json',
      });
      try {
        const query = [`link_id=${encodeURIComponent(link.id)}`];
        for (const az of e.properties?.azs ?? []) query.push(`azs[]=${encodeURIComponent(az)}`);
        if (e.properties?.status) query.push(`status=${encodeURIComponent(e.properties.status)}`);
        out[e.name] = (await this.#json<{ address: string }>('GET', `/link_address?${query.join('&')}`)).address;
      } finally {
        await this.request('DELETE', `/links/${encodeURIComponent(link.id)}`).then((r) => r.body?.cancel()).catch(() => undefined);
      }
    }
    return out;
  }

  async getConfigs(name: string): Promise<BoshConfigRecord[]> {
    return (await this.#json<BoshConfigRecord[]>('GET', `/configs?latest=true&limit=1&name=${encodeURIComponent(name)}`)) ?? [];
  }

  async updateConfig(type: string, name: string, content: string): Promise<void> {
    const res = await this.request('POST', '/configs', { body: JSON.stringify({ type, name, content }), contentType: 'application/json' });
    const text = await res.text();
    if (res.status === 412) throw new Error(`Config update rejected: ${text}`);
    if (res.status < 200 || res.status > 299) throw new BoshStatusError(res.status, text);
  }

  async deleteConfig(type: string, name: string): Promise<boolean> {
    const res = await this.request('DELETE', `/configs?name=${encodeURIComponent(name)}&type=${encodeURIComponent(type)}`);
    const text = await res.text();
    if (res.status === 404) return false;
    if (res.status < 200 || res.status > 299) throw new BoshStatusError(res.status, text);
    return true;
  }

  async deleteConfigs(name: string): Promise<void> {
    for (const c of await this.getConfigs(name)) await this.deleteConfig(c.type, c.name);
  }
}

/**
 * bosh-cli's version reading: the first token split on dots; 2 or 3 parts is a semver, 4 parts a
 * stemcell-style version (parts 1..3 kept).
 */
export function parseDirectorVersion(raw: string): { type: 'semver' | 'stemcell'; major: number; minor: number; patch: number } {
  const token = raw.trim().split(/\s+/)[0] ?? '';
  const parts = token.split('.');
  let nums: string[];
  let type: 'semver' | 'stemcell';
  if (parts.length === 2 || parts.length === 3) {
    type = 'semver';
    nums = parts;
  } else if (parts.length === 4) {
    type = 'stemcell';
    nums = parts.slice(1);
  } else {
    throw new Error(`unrecognised BOSH Director version: "${raw}"`);
  }
  const [major, minor, patch] = [0, 1, 2].map((i) => Number.parseInt(nums[i] ?? '0', 10));
  if ([major, minor, patch].some((n) => Number.isNaN(n))) throw new Error(`unrecognised BOSH Director version: "${raw}"`);
  return { type, major, minor, patch };
}
