/**
 * orphan-deployments: the broker's `GET /mgmt/orphan_deployments` as JSON on stdout; logs on stderr;
 * exit 10 when there are orphans.
 * @module
 */
import { BrokerApi, statusText, type BrokerApiConfig } from './broker-api.js';
import type { ErrandRun } from './env.js';

export const ORPHANS_FOUND_EXIT_CODE = 10;

export async function orphanDeployments(run: ErrandRun, config: { broker_api: BrokerApiConfig }): Promise<number> {
  const api = new BrokerApi(run, config.broker_api);
  const r = await api.call('GET', '/mgmt/orphan_deployments');
  if (r.status !== 200) throw new Error(`error listing orphan deployments: HTTP response status: ${r.status} ${statusText(r.status)}. ${r.text}`);
  let orphans: unknown[];
  try {
    orphans = JSON.parse(r.text) as unknown[];
  } catch (err) {
    throw new Error(`error decoding orphan deployments response: ${(err as Error).message}`);
  }
  run.out(JSON.stringify(orphans ?? []) + '\n');
  if (Array.isArray(orphans) && orphans.length > 0) {
    run.log.log(
      'Orphan BOSH deployments detected with no corresponding service instance in the platform. ' +
        'Before deleting any deployment it is recommended to verify the service instance no longer exists in the platform and any data is safe to delete.',
    );
    return ORPHANS_FOUND_EXIT_CODE;
  }
  return 0;
}
