import type { Context, Hono } from 'hono';
import { principal } from '../../auth.js';
import { access, type CcDeps } from '../../deps.js';
import { ccError } from '../../errors.js';
import { isStr, json, pg, readBody } from '../../http.js';
import { brokerNameTaken, brokerUrlInvalid, orgsNotFound } from '../../ops/rules.js';
import { refuse } from '../../refusals.js';
import { decodeV2 } from './decode.js';
import type { Broker, Instance, Offering, Plan, Visibility } from '../../model/state.js';
import { listV2, type V2Fields } from './list.js';
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
  const brokerFieldsV2 = { name: 'string', broker_url: 'string', auth_username: 'string', auth_password: 'string', space_guid: 'string' } as const;

  app.post('/v2/service_brokers', async (c) => {
    const body = await readBody(c);
    decodeV2(body, brokerFieldsV2, ['name', 'broker_url', 'auth_username', 'auth_password']);
    const spaceGuid = body.space_guid as string | undefined;
    if (spaceGuid) {
      if (!m.get('spaces', spaceGuid)) throw ccError('SpaceNotFound', spaceGuid);
      if (!access(d, c).developsIn(spaceGuid)) throw ccError('NotAuthorized');
    } else admin(c);
    if (body.name === '') throw ccError('ServiceBrokerInvalid', 'name presence');
    refuse(brokerUrlInvalid(body.broker_url));
    refuse(brokerNameTaken(m, body.name as string));
    const { broker } = await d.brokers.register(
      { name: body.name as string, url: body.broker_url as string, username: body.auth_username as string, password: body.auth_password as string, spaceGuid },
      'v2',
      principal(c).userGuid,
    );
    return json(broker2(broker), 201, { location: `/v2/service_brokers/${broker.guid}` });
  });
  app.put('/v2/service_brokers/:guid', async (c) => {
    const broker = m.get('brokers', pg(c));
    if (!broker) throw ccError('ServiceBrokerNotFound', pg(c));
    if (!broker.space_guid) admin(c);
    else if (!access(d, c).developsIn(broker.space_guid)) throw ccError('NotAuthorized');
    const body = await readBody(c);
    decodeV2(body, brokerFieldsV2);
    if (body.name === '') throw ccError('ServiceBrokerInvalid', 'name presence');
    if (isStr(body.name)) refuse(brokerNameTaken(m, body.name, broker));
    if (isStr(body.broker_url)) refuse(brokerUrlInvalid(body.broker_url));
    await d.brokers.update(
      broker,
      { name: body.name as string | undefined, url: body.broker_url as string | undefined, username: body.auth_username as string | undefined, password: body.auth_password as string | undefined },
      'v2',
      principal(c).userGuid,
    );
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
    decodeV2(body, { public: 'boolean' });
    m.setPublic(p, body.public as boolean | undefined);
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
    decodeV2(body, { service_plan_guid: 'string', organization_guid: 'string' }, ['service_plan_guid', 'organization_guid']);
    if (!isStr(body.service_plan_guid) || !isStr(body.organization_guid)) throw ccError('InvalidRequest');
    if (!m.get('plans', body.service_plan_guid)) throw ccError('ServicePlanVisibilityInvalid', 'service_plan is invalid');
    refuse(orgsNotFound(m, [body.organization_guid]));
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
    m.moveVisibility(v, plan, org);
    return json(visibility2(v), 201);
  });
  app.delete('/v2/service_plan_visibilities/:guid', (c) => {
    admin(c);
    if (!m.remove('visibilities', pg(c))) throw ccError('ServicePlanVisibilityNotFound', pg(c));
    return new Response(null, { status: 204 });
  });
}
