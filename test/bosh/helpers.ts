import https from 'node:https';
import { Foundation } from '../../fakes/foundation.js';
import type { BoshSimulator } from '../../fakes/bosh/index.js';

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** One HTTPS request with node:https (new connection each time, as bosh-cli disables keep-alive). */
export function request(method: string, url: string, opts: { ca?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers: opts.headers, ca: opts.ca, agent: false }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: r.statusCode ?? 0, headers: r.headers, text, json });
      });
      r.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/**
 * A director client that behaves like bosh-cli's Go client: HTTPS with the CA, a fresh UAA token
 * for requests with a body and for redirects, and 302s followed with a GET that keeps only
 * `Authorization` and points at the configured director host.
 */
export class GoLikeClient {
  #token = '';
  tokenRequests = 0;
  constructor(
    readonly director: string,
    readonly ca: string,
    readonly auth: { uaa: string; client: string; secret: string } | { basic: [string, string] },
  ) {}

  async #authHeader(fresh: boolean): Promise<string> {
    if ('basic' in this.auth) return 'Basic ' + Buffer.from(`${this.auth.basic[0]}:${this.auth.basic[1]}`).toString('base64');
    if (fresh || !this.#token) {
      this.tokenRequests++;
      const r = await request('POST', `${this.auth.uaa}/oauth/token`, {
        ca: this.ca,
        headers: {
          authorization: 'Basic ' + Buffer.from(`${this.auth.client}:${this.auth.secret}`).toString('base64'),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      });
      if (r.status !== 200) throw new Error(`token: ${r.status} ${r.text}`);
      this.#token = `${r.json.token_type} ${r.json.access_token}`;
    }
    return this.#token;
  }

  async send(method: string, path: string, opts: { headers?: Record<string, string>; body?: string | Buffer; follow?: boolean } = {}): Promise<Res & { redirectedFrom?: string }> {
    const hasBody = opts.body !== undefined;
    const headers = { ...(opts.headers ?? {}), authorization: await this.#authHeader(hasBody) };
    let res = await request(method, `${this.director}${path}`, { ca: this.ca, headers, body: opts.body });
    if (res.status === 401) {
      headers.authorization = await this.#authHeader(true);
      res = await request(method, `${this.director}${path}`, { ca: this.ca, headers, body: opts.body });
    }
    if (res.status === 302 && opts.follow !== false) {
      const loc = new URL(String(res.headers.location), this.director);
      const target = new URL(loc.pathname + loc.search, this.director);
      const follow = await request('GET', target.href, { ca: this.ca, headers: { authorization: await this.#authHeader(true) } });
      return { ...follow, redirectedFrom: String(res.headers.location) };
    }
    return res;
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.send('GET', path, { headers });
  }
}

export async function networkFoundation(seed: string, config: Record<string, unknown> = {}) {
  const f = await Foundation.create({ seed, config });
  const { urls, caPem } = await f.listen();
  const bosh = f.service<BoshSimulator>('bosh');
  const secret = f.uaa.model.client('bosh_admin')!.client_secret;
  const client = new GoLikeClient(urls.bosh, caPem!, { uaa: urls.uaa, client: 'bosh_admin', secret });
  return { f, urls, caPem: caPem!, bosh, client };
}

export const RELEASE = { name: 'redis', version: '15.0.0', jobs: ['redis-server', { name: 'smoke-tests', errand: true }, { name: 'cleanup', errand: true }] };
export const STEMCELL = { name: 'bosh-warden-boshlite-ubuntu-jammy-go_agent', version: '1.423', operating_system: 'ubuntu-jammy' };

export function manifest(name: string, opts: { instances?: number; vmType?: string; extra?: string; release?: string; releaseVersion?: string; azs?: string[] } = {}): string {
  return `name: ${name}
releases:
- name: ${opts.release ?? 'redis'}
  version: ${opts.releaseVersion ?? '15.0.0'}
stemcells:
- alias: default
  os: ubuntu-jammy
  version: latest
update:
  canaries: 1
  max_in_flight: 1
  canary_watch_time: 1000-30000
  update_watch_time: 1000-30000
instance_groups:
- name: redis-server
  instances: ${opts.instances ?? 1}
  azs: [${(opts.azs ?? ['z1']).join(', ')}]
  vm_type: ${opts.vmType ?? 'default'}
  stemcell: default
  persistent_disk_type: 1GB
  networks:
  - name: default
  jobs:
  - name: redis-server
    release: redis
    properties:
      password: ((redis_password))
  - name: cleanup
    release: redis
- name: smoke-tests
  lifecycle: errand
  instances: 1
  azs: [z1]
  vm_type: default
  stemcell: default
  networks:
  - name: default
  jobs:
  - name: smoke-tests
    release: redis
${opts.extra ?? ''}variables:
- name: redis_password
  type: password
`;
}

/**
 * bosh-cli's wait loop: `GET /tasks/N`, then the event output with `Range: bytes=<seen>-` (416 means
 * nothing new), every 500 ms of clock time; then the result output once the task is `done`.
 */
export async function waitLikeCli(f: Foundation, client: GoLikeClient, id: number, maxLoops = 400) {
  let seen = 0;
  let events = '';
  const statuses: number[] = [];
  let task: any;
  for (let i = 0; i < maxLoops; i++) {
    task = (await client.get(`/tasks/${id}`)).json;
    const out = await client.get(`/tasks/${id}/output?type=event`, { range: `bytes=${seen}-` });
    statuses.push(out.status);
    if (out.status === 206 || out.status === 200) {
      events += out.text;
      seen += Buffer.byteLength(out.text);
    } else if (out.status !== 416) throw new Error(`unexpected ${out.status} ${out.text}`);
    if (!['queued', 'processing', 'cancelling'].includes(task.state)) break;
    await f.clock.advance(500);
  }
  const result = task.state === 'done' ? (await client.get(`/tasks/${id}/output?type=result`)).text : undefined;
  return { task, events, result, statuses, lines: events.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

/** One instance group of a test manifest (default vm type, stemcell and network). */
export function instanceGroup(name: string, jobs: string[], opts: { release?: string; instances?: number; lifecycle?: string; azs?: string[] } = {}): string {
  return `- name: ${name}
${opts.lifecycle ? `  lifecycle: ${opts.lifecycle}\n` : ''}  instances: ${opts.instances ?? 1}
  azs: [${(opts.azs ?? ['z1']).join(', ')}]
  vm_type: default
  stemcell: default
  networks: [{name: default}]
  jobs: [${jobs.map((j) => `{name: ${j}, release: ${opts.release ?? 'redis'}}`).join(', ')}]
`;
}

/** A test manifest of one release and these instance groups. */
export const groupsManifest = (name: string, release: { name: string; version: string }, groups: string[]) => `name: ${name}
releases: [{name: ${release.name}, version: '${release.version}'}]
stemcells: [{alias: default, os: ubuntu-jammy, version: latest}]
update: {canaries: 1, max_in_flight: 1, canary_watch_time: 1000, update_watch_time: 1000}
instance_groups:
${groups.join('')}`;
