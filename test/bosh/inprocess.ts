import { Foundation } from '../../fakes/foundation.js';
import type { BoshSimulator } from '../../fakes/bosh/index.js';

/** A foundation mounted in-process (msw): plain fetch reaches `https://bosh.<id>.fakefoundry.test:25555`. */
export async function inProcess(seed: string, config: Record<string, unknown> = {}) {
  const f = await Foundation.create({ seed, config });
  const urls = f.mountInProcess();
  const bosh = f.service<BoshSimulator>('bosh');
  const token = async (client: string, secret: string, form = 'grant_type=client_credentials') => {
    const r = await fetch(`${urls.uaa}/oauth/token`, {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`${client}:${secret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    if (r.status !== 200) throw new Error(`token ${r.status}: ${await r.text()}`);
    return (await r.json()) as { access_token: string; refresh_token?: string; token_type: string };
  };
  const admin = `bearer ${(await token('bosh_admin', f.uaa.model.client('bosh_admin')!.client_secret)).access_token}`;
  /** One director call, redirects not followed. */
  const call = (method: string, path: string, auth: string | null = admin, init: { headers?: Record<string, string>; body?: string } = {}) =>
    fetch(`${urls.bosh}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(auth ? { authorization: auth } : {}), ...(init.headers ?? {}) },
      body: init.body,
    });
  const yaml = (path: string, body: string, auth: string | null = admin, headers: Record<string, string> = {}) =>
    call('POST', path, auth, { headers: { 'content-type': 'text/yaml', ...headers }, body });
  const taskId = (res: Response) => Number(res.headers.get('location')!.split('/').pop());
  const runTask = async (id: number) => {
    for (let i = 0; i < 200 && ['queued', 'processing', 'cancelling'].includes(bosh.control.task(id).state); i++) await f.clock.advance(500);
    return bosh.control.task(id);
  };
  const lastEvent = (id: number) => JSON.parse(bosh.control.task(id).event_output.trim().split('\n').at(-1)!);
  return { f, urls, bosh, token, admin, call, yaml, taskId, runTask, lastEvent };
}
