import type { Context, Hono } from 'hono';
import { principal } from '../../auth.js';
import { access, type CcDeps } from '../../deps.js';
import { ccError, fromInfo } from '../../errors.js';
import { isStr, json, readBody } from '../../http.js';
import type { Broker, Instance, Offering, Plan, Visibility } from '../../model/state.js';
import { listV2, type V2Fields } from './list.js';
import { missingField, pg } from './orgs.js';
import { broker2, instance2, plan2, service2, visibility2 } from './present.js';

/** v2 brokers (catalog fetched synchronously), services, plans (`PUT {public}` answers 201) and visibilities. */
export function brokerRoutes2(app: Hono, d: CcDeps): void {
  const m = d.model;
  const admin = (c: Context) => {
    if (!principal(c).admin) throw ccError('NotAuthorized');
  };

  const brokerFields: V2Fields<Broker> = { name: (b) => b.name, space_guid: (b) => b.space_guid };
  const serviceFields: V2Fields<Offering> = {
    active: (o) => o.active,
    label: (o) => o.name,
    provider: () => '',
    service_broker_guid: (o) => o.broker_guid,
    unique_id: (o) => o.catalog_id,
  };
  const planFields: V2Fields<Plan> = {
    active: (p) => p.active,
    service_guid: (p) => p.offering_guid,
    service_instance_guid: (p) => m.all('instances').filter((i) => i.plan_guid === p.guid).map((i) => i.guid),
    service_broker_guid: (p) => m.offeringOf(p)?.broker_guid,
    unique_id: (p) => p.catalog_id,
    name: (p) => p.name,
  };
  const visibilityFields: V2Fields<Visibility> = { organization_guid: (v) => v.org_guid, service_plan_guid: (v) => v.plan_guid };
  const instanceFields: V2Fields<Instance> = {
    name: (i) => i.name,
    space_guid: (i) => i.space_guid,
    service_plan_guid: (i) => i.plan_guid,
    organization_guid: (i) => m.get('spaces', i.space_guid)?.org_guid,
    service_binding_guid: (i) => m.bindingsOf(i.guid).filter((b) => b.type === 'app').map((b) => b.guid),
    service_key_guid: (i) => m.bindingsOf(i.guid).filter((b) => b.type === 'key').map((b) => b.guid),
    gateway_name: () => '',
  };

  const validUrl = (u: string) => {
    try {
      const p = new URL(u);
      return p.protocol === 'http:' || p.protocol === 'https:';
    } catch {
      return false;
    }
  };

  // ---- brokers

  app.get('/v2/service_brokers', (c) => {
    const a = access(d, c);
    return listV2(c, m.all('brokers').filter((b) => a.all || (b.space_guid && a.developsIn(b.space_guid))), brokerFields, broker2, ['id', 'name']);
  });
  app.get('/v2/service_brokers/:guid', (c) => {
    const b = m.get('brokers', pg(c));
    const a = access(d, c);
    if (!b) throw ccError('ServiceBrokerNotFound', pg(c));
    // v2 `find_guid_and_validate_access`: an existing record the caller may not read is a 403
    if (!(a.all || (b.space_guid && a.developsIn(b.space_guid)))) throw ccError('NotAuthorized');
    return json(broker2(b));
  });
  app.post('/v2/service_brokers', async (c) => {
    const body = await readBody(c);
    for (const f of ['name', 'broker_url', 'auth_username', 'auth_password']) if (!isStr(body[f])) throw missingField(f);
    const spaceGuid = isStr(body.space_guid) ? body.space_guid : undefined;
    if (spaceGuid) {
      if (!m.get('spaces', spaceGuid)) throw ccError('SpaceNotFound', spaceGuid);
      if (!access(d, c).developsIn(spaceGuid)) throw ccError('NotAuthorized');
    } else admin(c);
    const url = body.broker_url as string;
    if (!validUrl(url)) throw ccError('ServiceBrokerUrlInvalid', url);
    if (m.all('brokers').some((b) => b.name === body.name)) throw ccError('ServiceBrokerNameTaken');
    const broker = m.addBroker({ name: body.name as string, url, username: body.auth_username as string, password: body.auth_password as string, space_guid: spaceGuid });
    const r = await d.ops.track(d.brokers.sync(broker, broker, principal(c).userGuid));
    if (!r.ok) {
      d.brokers.removeBroker(broker);
      throw fromInfo(r.error);
    }
    broker.state = 'AVAILABLE';
    return json(broker2(broker), 201, { location: `/v2/service_brokers/${broker.guid}` });
  });
  app.put('/v2/service_brokers/:guid', async (c) => {
    const broker = m.get('brokers', pg(c));
    if (!broker) throw ccError('ServiceBrokerNotFound', pg(c));
    if (!broker.space_guid) admin(c);
    else if (!access(d, c).developsIn(broker.space_guid)) throw ccError('NotAuthorized');
    const body = await readBody(c);
    if (isStr(body.name) && m.all('brokers').some((b) => b.name === body.name && b.guid !== broker.guid)) throw ccError('ServiceBrokerNameTaken');
    if (isStr(body.broker_url) && !validUrl(body.broker_url)) throw ccError('ServiceBrokerUrlInvalid', body.broker_url);
    const target = {
      url: isStr(body.broker_url) ? body.broker_url : broker.url,
      username: isStr(body.auth_username) ? body.auth_username : broker.username,
      password: isStr(body.auth_password) ? body.auth_password : broker.password,
    };
    const r = await d.ops.track(d.brokers.sync(broker, target, principal(c).userGuid));
    if (!r.ok) throw fromInfo(r.error);
    Object.assign(broker, target, { name: isStr(body.name) ? body.name : broker.name, state: 'AVAILABLE', updated_at: m.now() });
    return json(broker2(broker), 200);
  });
  app.delete('/v2/service_brokers/:guid', (c) => {
    const broker = m.get('brokers', pg(c));
    if (!broker) throw ccError('ServiceBrokerNotFound', pg(c));
    if (!broker.space_guid) admin(c);
    else if (!access(d, c).developsIn(broker.space_guid)) throw ccError('NotAuthorized');
    if (d.brokers.hasInstances(broker)) throw ccError('ServiceBrokerNotRemovable', broker.name);
    d.brokers.removeBroker(broker);
    return new Response(null, { status: 204 });
  });

  // ---- services and plans (non-admins see what their plans' visibility allows)

  const visiblePlans = (c: Context) => {
    const a = access(d, c);
    return m.all('plans').filter((p) => a.seesPlan(p));
  };
  const visibleServices = (c: Context) => {
    const a = access(d, c);
    if (a.all) return m.all('offerings');
    const ok = new Set(visiblePlans(c).map((p) => p.offering_guid));
    return m.all('offerings').filter((o) => ok.has(o.guid));
  };

  app.get('/v2/services', (c) => listV2(c, visibleServices(c), serviceFields, (o) => service2(m, o), ['id', 'label', 'active']));
  app.get('/v2/services/:guid', (c) => {
    const o = visibleServices(c).find((x) => x.guid === pg(c));
    if (!o) throw ccError('ServiceNotFound', pg(c));
    return json(service2(m, o));
  });
  app.get('/v2/services/:guid/service_plans', (c) => {
    const o = visibleServices(c).find((x) => x.guid === pg(c));
    if (!o) throw ccError('ServiceNotFound', pg(c));
    return listV2(c, visiblePlans(c).filter((p) => p.offering_guid === o.guid), planFields, (p) => plan2(m, p), ['id', 'name']);
  });

  app.get('/v2/service_plans', (c) => listV2(c, visiblePlans(c), planFields, (p) => plan2(m, p), ['id', 'name']));
  app.get('/v2/service_plans/:guid', (c) => {
    const p = visiblePlans(c).find((x) => x.guid === pg(c));
    if (!p) throw ccError('ServicePlanNotFound', pg(c));
    return json(plan2(m, p));
  });
  app.put('/v2/service_plans/:guid', async (c) => {
    const p = m.get('plans', pg(c));
    if (!p) throw ccError('ServicePlanNotFound', pg(c));
    admin(c);
    const body = await readBody(c);
    if (body.public !== undefined) {
      if (typeof body.public !== 'boolean') throw ccError('MessageParseError', 'Field: public, Error: Expected instance of TrueClass/FalseClass');
      p.public = body.public;
    }
    m.touch(p);
    return json(plan2(m, p), 201);
  });
  app.get('/v2/service_plans/:guid/service_instances', (c) => {
    const p = visiblePlans(c).find((x) => x.guid === pg(c));
    if (!p) throw ccError('ServicePlanNotFound', pg(c));
    const a = access(d, c);
    const ofPlan = m.view('instances', `plan:${p.guid}`, (i) => i.plan_guid === p.guid);
    return listV2(c, a.all ? ofPlan : ofPlan.filter((i) => a.seesSpace(i.space_guid)), instanceFields, (i) => instance2(m, i), ['id', 'name']);
  });

  // ---- visibilities

  app.get('/v2/service_plan_visibilities', (c) => {
    admin(c);
    return listV2(c, m.all('visibilities'), visibilityFields, visibility2);
  });
  app.get('/v2/service_plan_visibilities/:guid', (c) => {
    admin(c);
    const v = m.get('visibilities', pg(c));
    if (!v) throw ccError('ServicePlanVisibilityNotFound', pg(c));
    return json(visibility2(v));
  });
  const checkPair = (body: Record<string, unknown>, exceptGuid?: string) => {
    if (!isStr(body.service_plan_guid)) throw missingField('service_plan_guid');
    if (!isStr(body.organization_guid)) throw missingField('organization_guid');
    if (!m.get('plans', body.service_plan_guid)) throw ccError('ServicePlanVisibilityInvalid', 'service_plan is invalid');
    if (!m.get('orgs', body.organization_guid)) throw ccError('ServicePlanVisibilityInvalid', 'organization is invalid');
    if (m.all('visibilities').some((v) => v.guid !== exceptGuid && v.plan_guid === body.service_plan_guid && v.org_guid === body.organization_guid)) {
      throw ccError('ServicePlanVisibilityAlreadyExists', 'organization_id and service_plan_id unique');
    }
    return { plan: body.service_plan_guid, org: body.organization_guid };
  };
  app.post('/v2/service_plan_visibilities', async (c) => {
    admin(c);
    const { plan, org } = checkPair(await readBody(c));
    const v = m.addVisibility(plan, org);
    return json(visibility2(v), 201, { location: `/v2/service_plan_visibilities/${v.guid}` });
  });
  app.put('/v2/service_plan_visibilities/:guid', async (c) => {
    admin(c);
    const v = m.get('visibilities', pg(c));
    if (!v) throw ccError('ServicePlanVisibilityNotFound', pg(c));
    const body = await readBody(c);
    const { plan, org } = checkPair({ service_plan_guid: v.plan_guid, organization_guid: v.org_guid, ...body }, v.guid);
    Object.assign(v, { plan_guid: plan, org_guid: org, updated_at: m.now() });
    return json(visibility2(v), 201);
  });
  app.delete('/v2/service_plan_visibilities/:guid', (c) => {
    admin(c);
    if (!m.remove('visibilities', pg(c))) throw ccError('ServicePlanVisibilityNotFound', pg(c));
    return new Response(null, { status: 204 });
  });
}
