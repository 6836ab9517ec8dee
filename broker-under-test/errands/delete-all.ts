/**
 * delete-all-service-instances, through Cloud Controller only (ODB's `deleter`): per instance, its
 * bindings and service keys, then the instance (unless a delete is already running), polled until
 * CC answers 404; finally no instance may be left.
 * @module
 */
import type { CfSection } from '../config/types.js';
import { ccWrite, errandCc } from './cf.js';
import type { ErrandRun } from './env.js';

export interface DeleteAllConfig {
  service_catalog: { id: string };
  cf: CfSection;
  polling_interval?: number;
  polling_initial_offset?: number;
}

export async function deleteAllServiceInstances(run: ErrandRun, config: DeleteAllConfig): Promise<number> {
  const cc = errandCc(run, config.cf);
  const intervalMs = (config.polling_interval ?? 60) * 1000;
  const offsetMs = (config.polling_initial_offset ?? 5) * 1000;
  run.log.log(`Deleter Configuration: polling_intial_offset: ${offsetMs / 1000}, polling_interval: ${intervalMs / 1000}.`);
  const instances = await cc.serviceInstances(config.service_catalog.id);
  if (instances.length === 0) {
    run.log.log('No service instances found.');
    run.log.log('FINISHED DELETES');
    return 0;
  }
  for (const { service_instance_id: guid } of instances) {
    for (const b of await listOrEmpty(cc, `/v2/service_instances/${guid}/service_bindings?results-per-page=100`)) {
      run.log.log(`Deleting binding ${b.metadata.guid} of service instance ${guid} to app ${b.entity.app_guid}`);
      await ccWrite(cc, 'DELETE', `/v2/apps/${b.entity.app_guid}/service_bindings/${b.metadata.guid}`, undefined, [204, 202, 404]);
    }
    for (const k of await listOrEmpty(cc, `/v2/service_instances/${guid}/service_keys?results-per-page=100`)) {
      run.log.log(`Deleting service key ${k.metadata.guid} of service instance ${guid}`);
      await ccWrite(cc, 'DELETE', `/v2/service_keys/${k.metadata.guid}`, undefined, [204, 202, 404]);
    }
    const current = await cc.request('GET', `/v2/service_instances/${guid}`);
    const lastOp = (current.json as { entity?: { last_operation?: { type?: string } } } | undefined)?.entity?.last_operation;
    if (current.status !== 404 && lastOp?.type !== 'delete') {
      run.log.log(`Deleting service instance ${guid}`);
      await ccWrite(cc, 'DELETE', `/v2/service_instances/${guid}?accepts_incomplete=true`, undefined, [204, 202, 404]);
    }
    run.log.log(`Waiting for service instance ${guid} to be deleted`);
    await run.clock.sleep(offsetMs);
    for (;;) {
      const r = await cc.request('GET', `/v2/service_instances/${guid}`);
      if (r.status === 404) break;
      if (r.status === 401 || r.status === 403) throw new Error(`error polling service instance ${guid}: status ${r.status}`);
      if (r.status === 200) {
        const op = (r.json as { entity?: { last_operation?: { type?: string; state?: string } } }).entity?.last_operation;
        if (op && (op.type !== 'delete' || op.state === 'failed')) {
          throw new Error(`Result: failed to delete service instance ${guid}. Delete operation failed or an operation was in progress`);
        }
      }
      await run.clock.sleep(intervalMs);
    }
    run.log.log(`Service instance ${guid} deleted`);
  }
  const left = await cc.serviceInstances(config.service_catalog.id);
  if (left.length > 0) throw new Error(`expected to delete all service instances, but found ${left.length} instances`);
  run.log.log('FINISHED DELETES');
  return 0;
}

async function listOrEmpty(cc: ReturnType<typeof errandCc>, path: string) {
  try {
    return await cc.list<{ app_guid: string }>(path);
  } catch (err) {
    if ((err as { status?: number }).status === 404) return [];
    throw err;
  }
}
