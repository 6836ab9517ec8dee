import { connectionInfo } from '../../cli/connection-info.js';
import { odbConfigSections } from '../../cli/odb-config.js';
import type { Foundation } from '../../fakes/foundation.js';

/** How the broker authenticates to BOSH: a UAA client (the default) or a basic-auth user. */
export type BoshAuth = 'uaa' | 'basic';
/** How the broker hands input to its service adapter: one JSON document on stdin, or positional arguments. */
export type AdapterInput = 'stdin' | 'legacy';

export interface BrokerCredentials {
  username: string;
  password: string;
}

/**
 * A whole ODB-format broker config for one scenario: the service profile's own sections (catalog,
 * service deployment, adapter), `bosh:` and `cf:` pointing at this foundation (its URLs, CA and
 * credentials), and `broker:` with the port, credentials and adapter input mode the harness chose.
 */
export async function brokerConfigFor(
  f: Foundation,
  base: Record<string, unknown>,
  opts: { port: number; credentials: BrokerCredentials; adapterInput: AdapterInput; caPem?: string },
): Promise<Record<string, unknown>> {
  const caPem = opts.caPem ?? (await f.ca()).certPem;
  const sections = odbConfigSections(connectionInfo(f, { caPem, caPath: 'in-memory' }));
  const broker = {
    ...((base.broker as Record<string, unknown> | undefined) ?? {}),
    port: opts.port,
    username: opts.credentials.username,
    password: opts.credentials.password,
    use_stdin: opts.adapterInput === 'stdin',
  };
  return { ...structuredClone(base), broker, ...sections };
}
