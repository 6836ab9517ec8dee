/** What a client needs to reach a running foundation: URLs, credentials, CA. */
export interface ConnectionInfo {
  foundation: string;
  pid: number;
  urls: Record<string, string>;
  ca?: { path: string; pem: string };
  control: Record<string, string>;
  /** The dashboard page (served by every fake at `/_fakefoundry/ui/`; this is the CC's). */
  dashboard?: string;
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

/** How the printed hints invoke the CLI (`npx fakefoundry`, `fakefoundry`) and the `--dir` it runs from. */
export interface HintOptions {
  cli: string;
  /** ` --dir X` for a non-default `--dir`, else empty. */
  dirFlag: string;
}

export function humanSummary(info: ConnectionInfo, hints: HintOptions = { cli: 'npx fakefoundry', dirFlag: '' }): string {
  const lines: string[] = [];
  lines.push(`fakefoundry is up (foundation '${info.foundation}', pid ${info.pid}).`, '');
  for (const [name, url] of Object.entries(info.urls)) lines.push(`  ${name.padEnd(5)} ${url}`);
  if (info.dashboard) lines.push('', `  Dashboard: ${info.dashboard}${info.ca ? '   (the browser needs the CA below, or --http)' : ''}`);
  if (info.ca) lines.push('', `  CA certificate: ${info.ca.path}`);
  const c = info.credentials;
  lines.push('', 'Credentials:');
  if (c.uaa_admin) lines.push(`  UAA admin client   ${c.uaa_admin.client_id} / ${c.uaa_admin.client_secret}`);
  if (c.bosh) lines.push(`  BOSH client        ${c.bosh.client_id} / ${c.bosh.client_secret}`);
  if (c.cf_admin_client) lines.push(`  CF admin client    ${c.cf_admin_client.client_id} / ${c.cf_admin_client.client_secret}`);
  if (c.odb_client) lines.push(`  ODB client         ${c.odb_client.client_id} / ${c.odb_client.client_secret}   (${hints.cli} odb-config${hints.dirFlag})`);
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
  lines.push('', `For another shell: eval "$(${hints.cli} env${hints.dirFlag})"   Stop with Ctrl-C.`);
  return lines.join('\n');
}
