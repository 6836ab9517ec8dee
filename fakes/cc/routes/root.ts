import type { Context, Hono } from 'hono';
import { CC_V2_VERSION, CC_V3_VERSION, OSBAPI_VERSION } from '../config.js';
import type { CcDeps } from '../deps.js';
import { baseUrl, json } from '../http.js';

/** `/`, `/v3`, `/v2/info`, `/v3/info`: served without a token; UAA URLs read at request time. */
export function rootRoutes(app: Hono, d: CcDeps): void {
  const uaa = (c: Context) => (d.kernel.urls.uaa || baseUrl(c, d.kernel)).replace(/\/$/, '');

  app.get('/', (c) => {
    const b = baseUrl(c, d.kernel);
    const host = new URL(b).hostname;
    const links: Record<string, unknown> = { self: { href: b } };
    if (d.config.enable_v2) links.cloud_controller_v2 = { href: `${b}/v2`, meta: { version: CC_V2_VERSION } };
    Object.assign(links, {
      cloud_controller_v3: { href: `${b}/v3`, meta: { version: CC_V3_VERSION } },
      network_policy_v0: { href: `${b}/networking/v0/external` },
      network_policy_v1: { href: `${b}/networking/v1/external` },
      login: { href: uaa(c) },
      uaa: { href: uaa(c) },
      credhub: null,
      routing: null,
      logging: null,
      log_cache: null,
      log_stream: null,
      app_ssh: { href: `ssh.${host}:2222`, meta: { host_key_fingerprint: '', oauth_client: 'ssh-proxy' } },
    });
    return json({ links });
  });

  const v3Links = (c: Context) => {
    const b = baseUrl(c, d.kernel);
    const names = [
      'apps', 'feature_flags', 'info', 'jobs', 'organizations', 'roles', 'service_brokers', 'service_credential_bindings', 'service_instances',
      'service_offerings', 'service_plans', 'service_route_bindings', 'spaces', 'users',
    ];
    const links: Record<string, unknown> = { self: { href: `${b}/v3` } };
    for (const n of names) links[n] = { href: `${b}/v3/${n}` };
    return json({ links });
  };
  app.get('/v3', v3Links);
  app.get('/v3/', v3Links);

  app.get('/v2/info', (c) => {
    const b = baseUrl(c, d.kernel);
    const host = new URL(b).hostname;
    return json({
      name: 'fakefoundry',
      build: 'fakefoundry',
      support: d.config.enable_v2 ? '' : 'CF API v2 is disabled',
      version: 0,
      description: 'fakefoundry Cloud Controller',
      authorization_endpoint: uaa(c),
      token_endpoint: uaa(c),
      min_cli_version: null,
      min_recommended_cli_version: null,
      app_ssh_endpoint: `ssh.${host}:2222`,
      app_ssh_host_key_fingerprint: '',
      app_ssh_oauth_client: 'ssh-proxy',
      doppler_logging_endpoint: `wss://doppler.${host}:443`,
      api_version: d.config.enable_v2 ? CC_V2_VERSION : '',
      osbapi_version: OSBAPI_VERSION,
    });
  });

  app.get('/v3/info', (c) => {
    const b = baseUrl(c, d.kernel);
    return json({
      build: 'fakefoundry',
      cli_version: { minimum: '', recommended: '' },
      custom: {},
      description: 'fakefoundry Cloud Controller',
      name: 'fakefoundry',
      version: 0,
      osbapi_version: OSBAPI_VERSION,
      rate_limits: { enabled: false, general_limit: 0, reset_interval_in_minutes: 0 },
      links: { self: { href: `${b}/v3/info` }, support: { href: '' } },
    });
  });
}
