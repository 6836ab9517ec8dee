/**
 * deregister-broker: delete the named broker from CF; a broker that is not there is not an error.
 * @module
 */
import type { CfSection } from '../config/types.js';
import { ccWrite, errandCc } from './cf.js';
import type { ErrandRun } from './env.js';

export async function deregisterBroker(run: ErrandRun, brokerName: string, config: { cf: CfSection }): Promise<number> {
  if (!brokerName) throw new Error('Missing argument -brokerName');
  const cc = errandCc(run, config.cf);
  const broker = (await cc.list<{ name: string }>('/v2/service_brokers')).find((b) => b.entity.name === brokerName);
  if (!broker) {
    run.log.log(`No service broker found with name: ${brokerName}`);
  } else {
    await ccWrite(cc, 'DELETE', `/v2/service_brokers/${broker.metadata.guid}`, undefined, [204, 202, 404]);
  }
  run.log.log('FINISHED DEREGISTER BROKER');
  return 0;
}
