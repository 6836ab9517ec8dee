import type { BoshSimulator } from '../fakes/bosh/index.js';
import type { Foundation } from '../fakes/foundation.js';
import { DEFAULT_ADMIN_USER, DEFAULT_CLIENTS } from '../fakes/uaa/config.js';

/** What a client needs to reach a running foundation: URLs, credentials, CA. */
export interface ConnectionInfo {
  foundation: string;
  pid: number;
  urls: Record<string, string>;
  ca?: { path: string; pem: string };
  control: Record<string, string>;
  credentials: {
    uaa_admin?: { client_id: string; client_secret: string };
    bosh?: { client_id: string; client_secret: string; auth: 'uaa' | 'basic' };
    cf_admin_client?: { client_id: string; client_secret: string };
    /** The CF UAA client made for the On-Demand Service Broker and its errands (`odb-config` uses it). */
    odb_client?: { client_id: string; client_secret: string };
    cf_user?: { username: string; password: string };
  };
  state_file?: string;
}

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
  return {
    foundation: f.id,
    pid: process.pid,
    urls,
    ca: opts.caPath && opts.caPem ? { path: opts.caPath, pem: opts.caPem } : undefined,
    control,
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

/** POSIX single-quoting, so `eval` gets the value back byte for byte (PEMs have newlines). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The variables the bosh and cf CLIs read; a fake that does not exist yet contributes none. */
export function envLines(info: ConnectionInfo): string[] {
  const vars: [string, string | undefined][] = [
    ['FAKEFOUNDRY_CA_CERT', info.ca?.path],
    ['UAA_URL', info.urls.uaa],
  ];
  if (info.urls.bosh) {
    vars.push(
      ['BOSH_ENVIRONMENT', info.urls.bosh],
      ['BOSH_CA_CERT', info.ca?.pem],
      ['BOSH_CLIENT', info.credentials.bosh?.client_id],
      ['BOSH_CLIENT_SECRET', info.credentials.bosh?.client_secret],
    );
  }
  // The CF credentials live in the UAA, so they are printed even before a CC exists.
  {
    vars.push(
      ['CF_API', info.urls.cc],
      ['CF_ADMIN_CLIENT', info.credentials.cf_admin_client?.client_id],
      ['CF_ADMIN_CLIENT_SECRET', info.credentials.cf_admin_client?.client_secret],
      ['CF_USERNAME', info.credentials.cf_user?.username],
      ['CF_PASSWORD', info.credentials.cf_user?.password],
    );
  }
  return vars.filter(([, v]) => v !== undefined).map(([k, v]) => `export ${k}=${shellQuote(v!)}`);
}

export function humanSummary(info: ConnectionInfo): string {
  const lines: string[] = [];
  lines.push(`fakefoundry is up (foundation '${info.foundation}', pid ${info.pid}).`, '');
  for (const [name, url] of Object.entries(info.urls)) lines.push(`  ${name.padEnd(5)} ${url}`);
  if (info.ca) lines.push('', `  CA certificate: ${info.ca.path}`);
  const c = info.credentials;
  lines.push('', 'Credentials:');
  if (c.uaa_admin) lines.push(`  UAA admin client   ${c.uaa_admin.client_id} / ${c.uaa_admin.client_secret}`);
  if (c.bosh) lines.push(`  BOSH client        ${c.bosh.client_id} / ${c.bosh.client_secret}`);
  if (c.cf_admin_client) lines.push(`  CF admin client    ${c.cf_admin_client.client_id} / ${c.cf_admin_client.client_secret}`);
  if (c.odb_client) lines.push(`  ODB client         ${c.odb_client.client_id} / ${c.odb_client.client_secret}   (fakefoundry odb-config)`);
  if (c.cf_user) lines.push(`  CF user            ${c.cf_user.username} / ${c.cf_user.password}`);
  lines.push('', 'Try:');
  const ca = info.ca ? ` --cacert ${shellQuote(info.ca.path)}` : '';
  if (c.uaa_admin) {
    lines.push(
      `  curl${ca} -u ${c.uaa_admin.client_id}:${c.uaa_admin.client_secret} -d grant_type=client_credentials ${info.urls.uaa}/oauth/token`,
    );
  }
  lines.push(`  curl${ca} ${info.control.uaa ?? Object.values(info.control)[0]}/journal`);
  if (info.urls.bosh) lines.push(`  bosh -e ${info.urls.bosh} --ca-cert ${info.ca?.path ?? '<ca>'} env`);
  if (info.urls.cc) {
    // Go reads extra roots from SSL_CERT_FILE on Linux, so the cf CLI can trust our CA without --skip-ssl-validation.
    const trust = info.ca ? `SSL_CERT_FILE=${shellQuote(info.ca.path)} ` : '';
    lines.push(`  ${trust ? `export ${trust.trim()}; ` : ''}cf api ${info.urls.cc} && cf auth ${c.cf_user?.username ?? 'admin'} ${shellQuote(c.cf_user?.password ?? '')}`);
  }
  lines.push('', 'For another shell: eval "$(fakefoundry up --env)"   Stop with Ctrl-C.');
  return lines.join('\n');
}
