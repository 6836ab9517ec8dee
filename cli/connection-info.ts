import type { BoshSimulator } from '../fakes/bosh/index.js';
import type { Foundation } from '../fakes/foundation.js';
import { DEFAULT_ADMIN_USER, DEFAULT_CLIENTS } from '../fakes/uaa/config.js';
import type { ConnectionInfo } from './connection-format.js';

export { envLines, humanSummary, shellQuote, type ConnectionInfo } from './connection-format.js';

/** What a client needs to reach this foundation (the formatting is in connection-format.ts, which light commands load alone). */
export function connectionInfo(f: Foundation, opts: { caPath?: string; caPem?: string; stateFile?: string }): ConnectionInfo {
  const uaa = f.services.has('uaa') ? f.uaa.model : undefined;
  const client = (id: string) => {
    const c = uaa?.client(id);
    return c ? { client_id: c.client_id, client_secret: c.client_secret } : undefined;
  };
  const admin = uaa?.userByName(DEFAULT_ADMIN_USER);
  // The director says which credentials it takes (UAA client or basic-auth user).
  const boshVars = f.services.has('bosh')
    ? Object.fromEntries(f.service<BoshSimulator>('bosh').envLines().map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
    : undefined;
  const urls: Record<string, string> = {};
  for (const name of f.services.keys()) urls[name] = f.urls[name];
  const control: Record<string, string> = {};
  for (const [name, url] of Object.entries(urls)) control[name] = `${url}/_fakefoundry`;
  const home = urls.cc ?? Object.values(urls)[0];
  return {
    foundation: f.id,
    pid: process.pid,
    urls,
    ca: opts.caPath && opts.caPem ? { path: opts.caPath, pem: opts.caPem } : undefined,
    control,
    dashboard: home ? `${home}/_fakefoundry/ui/` : undefined,
    credentials: {
      uaa_admin: client(DEFAULT_CLIENTS.uaaAdmin),
      bosh: boshVars?.BOSH_CLIENT
        ? { client_id: boshVars.BOSH_CLIENT, client_secret: boshVars.BOSH_CLIENT_SECRET ?? '', auth: f.service<BoshSimulator>('bosh').auth.mode }
        : undefined,
      cf_admin_client: client(DEFAULT_CLIENTS.ccAdmin),
      odb_client: client(DEFAULT_CLIENTS.odb),
      cf_user: admin ? { username: admin.userName, password: admin.password } : undefined,
    },
    state_file: opts.stateFile,
  };
}

