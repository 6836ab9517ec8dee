import { stringify } from 'yaml';
import type { ConnectionInfo } from './connection-info.js';

/**
 * The `bosh:` and `cf:` sections of an On-Demand Service Broker config file that point a real ODB
 * (or our broker-under-test) at a running fakefoundry. The rest of the file (broker, adapter,
 * catalog) is the broker team's own.
 */
export function odbConfigSections(info: ConnectionInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (info.urls.bosh && info.credentials.bosh) {
    const boshAuth = info.credentials.bosh.auth === 'uaa'
      ? { uaa: { client_credentials: { client_id: info.credentials.bosh.client_id, client_secret: info.credentials.bosh.client_secret } } }
      : { basic: { username: info.credentials.bosh.client_id, password: info.credentials.bosh.client_secret } };
    out.bosh = { url: info.urls.bosh, root_ca_cert: info.ca?.pem, authentication: boshAuth };
  }
  // The client made for ODB (CC admin + UAA clients admin); the CC admin client when it is not seeded.
  const cfClient = info.credentials.odb_client ?? info.credentials.cf_admin_client;
  if (info.urls.cc && cfClient) {
    out.cf = {
      url: info.urls.cc,
      root_ca_cert: info.ca?.pem,
      uaa: {
        url: info.urls.uaa,
        authentication: {
          client_credentials: { client_id: cfClient.client_id, client_secret: cfClient.client_secret },
        },
      },
    };
  }
  return out;
}

export function odbConfigYaml(info: ConnectionInfo): string {
  return stringify(odbConfigSections(info), { lineWidth: 0 });
}
