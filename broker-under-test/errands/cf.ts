/**
 * The Cloud Controller client an errand builds from its `cf:` block.
 * @module
 */
import { CcClient } from '../clients/cc.js';
import type { CfSection } from '../config/types.js';
import type { ErrandRun } from './env.js';

export function errandCc(run: ErrandRun, cf: CfSection | undefined): CcClient {
  if (!cf?.url) throw new Error('cf.url is required');
  const fetch = run.fetchFor({ ca: cf.root_ca_cert || undefined, insecure: !!cf.disable_ssl_cert_verification });
  return new CcClient(cf, fetch, run.clock);
}

/** A CC write that must answer `expected`; otherwise CC's v2 description. */
export async function ccWrite(cc: CcClient, method: string, path: string, body: unknown, expected: number[]): Promise<unknown> {
  const r = await cc.request(method, path, body);
  if (!expected.includes(r.status)) {
    const description = (r.json as { description?: string } | undefined)?.description ?? r.text;
    throw new Error(`Unexpected reponse status ${r.status}, "${description}"`);
  }
  return r.json;
}
