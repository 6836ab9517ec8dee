/**
 * register-broker: create the broker in CF, or update it when one of that name exists (CC fetches the
 * catalog again), then set each configured plan's access: enable, disable, manual or org-restricted.
 * @module
 */
import type { CcClient } from '../clients/cc.js';
import type { CfSection } from '../config/types.js';
import { ccWrite, errandCc } from './cf.js';
import type { ErrandRun } from './env.js';

export interface RegisterBrokerConfig {
  broker_name: string;
  broker_username: string;
  broker_password: string;
  broker_url: string;
  service_offering_id: string;
  plans?: { name: string; cf_service_access?: 'enable' | 'disable' | 'manual' | 'org-restricted'; service_access_org?: string }[];
  cf: CfSection;
}

async function removeVisibilities(cc: CcClient, planGuid: string): Promise<void> {
  for (const v of await cc.list(`/v2/service_plan_visibilities?q=service_plan_guid:${planGuid}&results-per-page=100`)) {
    await ccWrite(cc, 'DELETE', `/v2/service_plan_visibilities/${v.metadata.guid}`, undefined, [204, 202, 404]);
  }
}

export async function registerBroker(run: ErrandRun, config: RegisterBrokerConfig): Promise<number> {
  const cc = errandCc(run, config.cf);
  const brokers = await cc.list<{ name: string }>('/v2/service_brokers');
  const existing = brokers.find((b) => b.entity.name === config.broker_name);
  const body = { name: config.broker_name, broker_url: config.broker_url, auth_username: config.broker_username, auth_password: config.broker_password };
  if (existing) {
    run.log.log(`Updating broker ${config.broker_name} with URL ${config.broker_url}`);
    await ccWrite(cc, 'PUT', `/v2/service_brokers/${existing.metadata.guid}`, body, [200]);
  } else {
    run.log.log(`Registering broker ${config.broker_name} with URL ${config.broker_url}`);
    await ccWrite(cc, 'POST', '/v2/service_brokers', body, [201]);
  }
  const plans = await cc.plansOf(config.service_offering_id);
  for (const p of config.plans ?? []) {
    const access = p.cf_service_access ?? 'enable';
    if (access === 'manual') continue;
    const plan = plans.find((x) => x.name === p.name);
    if (!plan) throw new Error(`planID "${p.name}" not found while updating plan access`);
    if (access === 'enable') {
      run.log.log(`Enabling access for plan ${p.name}`);
      await ccWrite(cc, 'PUT', `/v2/service_plans/${plan.guid}`, { public: true }, [201]);
      await removeVisibilities(cc, plan.guid);
    } else if (access === 'disable') {
      run.log.log(`Disabling access for plan ${p.name}`);
      await ccWrite(cc, 'PUT', `/v2/service_plans/${plan.guid}`, { public: false }, [201]);
      await removeVisibilities(cc, plan.guid);
    } else {
      const orgs = await cc.get<{ resources: { metadata: { guid: string } }[] }>(`/v2/organizations?q=name:${p.service_access_org ?? ''}`);
      const org = orgs.resources?.[0];
      if (!org) throw new Error(`failed to find org with name "${p.service_access_org ?? ''}"`);
      run.log.log(`Restricting access for plan ${p.name} to org ${p.service_access_org}`);
      await ccWrite(cc, 'PUT', `/v2/service_plans/${plan.guid}`, { public: false }, [201]);
      const current = await cc.list<{ organization_guid: string }>(`/v2/service_plan_visibilities?q=service_plan_guid:${plan.guid}&results-per-page=100`);
      if (!current.some((v) => v.entity.organization_guid === org.metadata.guid)) {
        await ccWrite(cc, 'POST', '/v2/service_plan_visibilities', { service_plan_guid: plan.guid, organization_guid: org.metadata.guid }, [201]);
      }
    }
  }
  return 0;
}
