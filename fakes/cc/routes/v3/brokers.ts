import { isJsonObject } from '../../../core/json.js';
import type { Context, Hono } from 'hono';
import { principal } from '../../auth.js';
import { access, type CcDeps } from '../../deps.js';
import { ccError, notFound3, unprocessable } from '../../errors.js';
import { baseUrl, isStr, json, readBody, relGuid } from '../../http.js';
import { brokerNameTaken, brokerUrlInvalid, orgsNotFound } from '../../ops/rules.js';
import { refuse } from '../../refusals.js';
import type { Broker, CcState, Offering, Plan } from '../../model/state.js';
import { filter, parseV3 } from '../../pagination.js';
import { accepted } from './accepted.js';
import { Included, pick } from './included.js';
import { inSet, listV3 } from './list.js';
import { Problems } from './message.js';
import { broker3, offering3, org3, plan3, space3 } from './present.js';

/** `authentication: {type: basic, credentials: {username, password}}` → the pair (checked by `brokerMessage`). */
function credentials(body: Record<string, unknown>): { username: string; password: string } | undefined {
  const a = body.authentication;
  if (!isJsonObject(a) || !isJsonObject(a.credentials)) return undefined;
  return { username: a.credentials.username as string, password: a.credentials.password as string };
}

/** ServiceBrokerCreateMessage / ServiceBrokerUpdateMessage: everything wrong with the body, in one 422. */
function brokerMessage(body: Record<string, unknown>, allowed: string[], create: boolean): void {
  const p = new Problems().unknownKeys(body, allowed);
  if (create || body.name !== undefined) p.add((!isStr(body.name) || body.name === '') && (isStr(body.name) || body.name === undefined ? "Name can't be blank" : 'Name must be a string'));
  if (create || body.url !== undefined) p.add(brokerUrlInvalid(body.url) && 'Url must be a valid url');
  if (create || body.authentication !== undefined) {
    const a = body.authentication;
    const ok = isJsonObject(a) && a.type === 'basic' && isJsonObject(a.credentials) && isStr(a.credentials.username) && isStr(a.credentials.password);
    p.add(!ok && 'Authentication credentials must be present');
  }
  if (create) p.relationships(body.relationships, ['space']);
  p.metadata(body.metadata).check();
}

/** `/v3/service_brokers`, `/v3/service_offerings`, `/v3/service_plans` and plan visibility. */
export function brokerRoutes(app: Hono, d: CcDeps): void {
  const m = d.model;
  const adminOnly = (c: Context) => {
    if (!principal(c).admin) throw ccError('NotAuthorized');
  };

  const brokerVisible = (c: Context, b: Broker) => {
    const a = access(d, c);
    return a.all || (b.space_guid ? a.developsIn(b.space_guid) : false);
  };

  app.get('/v3/service_brokers', (c) => {
    const q = parseV3(c, { filters: ['names', 'space_guids', 'guids'], orderBy: ['created_at', 'updated_at', 'name'] });
    const items = m
      .all('brokers')
      .filter((b) => brokerVisible(c, b))
      .filter(inSet(filter(q, 'names'), (b) => b.name))
      .filter(inSet(filter(q, 'guids'), (b) => b.guid))
      .filter(inSet(filter(q, 'space_guids'), (b) => b.space_guid));
    return listV3(c, d, items, q, broker3);
  });

  app.get('/v3/service_brokers/:guid', (c) => {
    const b = m.get('brokers', c.req.param('guid'));
    if (!b || !brokerVisible(c, b)) throw notFound3('Service broker');
    return json(broker3(b, baseUrl(c, d.kernel)));
  });

  app.post('/v3/service_brokers', async (c) => {
    const body = await readBody(c);
    brokerMessage(body, ['name', 'url', 'authentication', 'relationships', 'metadata'], true);
    const spaceGuid = relGuid(body, 'space');
    if (spaceGuid) {
      if (!m.get('spaces', spaceGuid) || !access(d, c).developsIn(spaceGuid)) throw unprocessable('Space does not exist');
    } else adminOnly(c);
    refuse(brokerNameTaken(m, body.name as string));
    const { job } = await d.brokers.register(
      { name: body.name as string, url: body.url as string, ...credentials(body)!, spaceGuid, metadata: body.metadata },
      'v3',
      principal(c).userGuid,
    );
    return accepted(c, d, job!.guid);
  });

  app.patch('/v3/service_brokers/:guid', async (c) => {
    const broker = m.get('brokers', c.req.param('guid'));
    if (!broker || !brokerVisible(c, broker)) throw notFound3('Service broker');
    if (!broker.space_guid) adminOnly(c);
    const body = await readBody(c);
    brokerMessage(body, ['name', 'url', 'authentication', 'metadata'], false);
    if (isStr(body.name)) refuse(brokerNameTaken(m, body.name, broker));
    const metadataOnly = body.name === undefined && body.url === undefined && body.authentication === undefined;
    if (!metadataOnly && broker.state === 'SYNCHRONIZING') throw unprocessable('Cannot update a broker when other operation is already in progress');
    const { job } = await d.brokers.update(
      broker,
      { name: body.name as string | undefined, url: body.url as string | undefined, ...credentials(body), metadata: body.metadata },
      'v3',
      principal(c).userGuid,
    );
    return job ? accepted(c, d, job.guid) : json(broker3(broker, baseUrl(c, d.kernel)));
  });

  app.delete('/v3/service_brokers/:guid', (c) => {
    const broker = m.get('brokers', c.req.param('guid'));
    if (!broker || !brokerVisible(c, broker)) throw notFound3('Service broker');
    if (!broker.space_guid) adminOnly(c);
    if (d.brokers.hasInstances(broker)) throw ccError('ServiceBrokerNotRemovable', broker.name);
    const job = m.addJob('service_broker.delete', { type: 'service_brokers', guid: broker.guid });
    d.brokers.removeBroker(broker);
    m.setJob(job, 'COMPLETE');
    return accepted(c, d, job.guid);
  });

  // ---- offerings

  const visibleOfferings = (c: Context): readonly Offering[] => {
    const a = access(d, c);
    if (a.all) return m.all('offerings');
    const ok = new Set(m.all('plans').filter((p) => a.seesPlan(p)).map((p) => p.offering_guid));
    return m.all('offerings').filter((o) => ok.has(o.guid));
  };

  const offeringFilters = (q: ReturnType<typeof parseV3>) => {
    const brokerNames = filter(q, 'service_broker_names');
    const spaceGuids = filter(q, 'space_guids');
    const orgGuids = filter(q, 'organization_guids');
    const avail = filter(q, 'available');
    return (o: Offering) => {
      if (!inSet(filter(q, 'names'), (x: Offering) => x.name)(o)) return false;
      if (!inSet(filter(q, 'guids'), (x: Offering) => x.guid)(o)) return false;
      if (!inSet(filter(q, 'broker_catalog_ids'), (x: Offering) => x.catalog_id)(o)) return false;
      if (!inSet(filter(q, 'service_broker_guids'), (x: Offering) => x.broker_guid)(o)) return false;
      if (brokerNames && !brokerNames.includes(m.get('brokers', o.broker_guid)?.name ?? '')) return false;
      if (avail && !avail.includes(String(o.active))) return false;
      if (spaceGuids || orgGuids) {
        const plans = m.plansOf(o.guid);
        if (!plans.some((p) => planVisibleIn(p, spaceGuids, orgGuids))) return false;
      }
      return true;
    };
  };

  /** `space_guids` / `organization_guids` on plans and offerings: visible in those spaces/orgs. */
  const planVisibleIn = (p: Plan, spaceGuids?: string[], orgGuids?: string[]) => {
    const orgs = new Set(orgGuids ?? []);
    for (const s of spaceGuids ?? []) {
      const sp = m.get('spaces', s);
      if (sp) orgs.add(sp.org_guid);
    }
    if (p.public) return true;
    if (p.space_guid) return (spaceGuids ?? []).includes(p.space_guid);
    return m.visibilitiesOf(p.guid).some((v) => orgs.has(v.org_guid));
  };

  app.get('/v3/service_offerings', (c) => {
    const q = parseV3(c, {
      filters: ['names', 'guids', 'available', 'broker_catalog_ids', 'service_broker_guids', 'service_broker_names', 'space_guids', 'organization_guids'],
      fields: ['service_broker'],
      orderBy: ['created_at', 'updated_at', 'name'],
    });
    const items = visibleOfferings(c).filter(offeringFilters(q));
    return listV3(c, d, items, q, offering3, (page: Offering[], inc, b) => {
      const f = q.fields.get('service_broker');
      if (!f) return;
      for (const o of page) inc.add('service_brokers', o.broker_guid, pick(broker3(m.get('brokers', o.broker_guid)!, b), f));
    }, () => new Included());
  });

  app.get('/v3/service_offerings/:guid', (c) => {
    const o = visibleOfferings(c).find((x) => x.guid === c.req.param('guid'));
    if (!o) throw notFound3('Service offering');
    return json(offering3(o, baseUrl(c, d.kernel)));
  });

  // Metadata is all a client may change on offerings and plans (the broker owns the rest).
  const patchMetadata = <K extends 'offerings' | 'plans'>(coll: K, resource: string, present: (r: CcState[K][string], base: string) => unknown) =>
    async (c: Context) => {
      adminOnly(c);
      const r = m.get(coll, c.req.param('guid'));
      if (!r) throw notFound3(resource);
      const body = await readBody(c);
      new Problems().unknownKeys(body, ['metadata']).metadata(body.metadata).check();
      m.applyMetadata(r.metadata, body.metadata);
      m.touch(r);
      return json(present(r, baseUrl(c, d.kernel)));
    };
  app.patch('/v3/service_offerings/:guid', patchMetadata('offerings', 'Service offering', offering3));
  app.patch('/v3/service_plans/:guid', patchMetadata('plans', 'Service plan', (p, b) => plan3(m, p, b)));

  app.delete('/v3/service_offerings/:guid', (c) => {
    adminOnly(c);
    const o = m.get('offerings', c.req.param('guid'));
    if (!o) throw notFound3('Service offering');
    const plans = m.plansOf(o.guid);
    const instances = m.all('instances').filter((i) => plans.some((p) => p.guid === i.plan_guid));
    if (c.req.query('purge') !== 'true' && instances.length) throw unprocessable('Please delete the service_instances associations for your services.');
    for (const i of instances) d.ops.purgeInstance(i);
    for (const p of plans) {
      for (const v of m.visibilitiesOf(p.guid)) m.remove('visibilities', v.guid);
      m.remove('plans', p.guid);
    }
    m.remove('offerings', o.guid);
    return new Response(null, { status: 204 });
  });

  // ---- plans

  const visiblePlans = (c: Context): Plan[] => {
    const a = access(d, c);
    return m.all('plans').filter((p) => a.seesPlan(p));
  };

  app.get('/v3/service_plans', (c) => {
    const q = parseV3(c, {
      filters: [
        'names', 'guids', 'available', 'broker_catalog_ids', 'space_guids', 'organization_guids', 'service_broker_guids',
        'service_broker_names', 'service_offering_guids', 'service_offering_names', 'service_instance_guids',
      ],
      include: ['space.organization', 'service_offering'],
      fields: ['service_offering.service_broker'],
      orderBy: ['created_at', 'updated_at', 'name'],
    });
    const brokerNames = filter(q, 'service_broker_names');
    const brokerGuids = filter(q, 'service_broker_guids');
    const offeringNames = filter(q, 'service_offering_names');
    const instanceGuids = filter(q, 'service_instance_guids');
    const spaceGuids = filter(q, 'space_guids');
    const orgGuids = filter(q, 'organization_guids');
    const avail = filter(q, 'available');
    const items = visiblePlans(c)
      .filter(inSet(filter(q, 'names'), (p) => p.name))
      .filter(inSet(filter(q, 'guids'), (p) => p.guid))
      .filter(inSet(filter(q, 'broker_catalog_ids'), (p) => p.catalog_id))
      .filter(inSet(filter(q, 'service_offering_guids'), (p) => p.offering_guid))
      .filter((p) => {
        const o = m.offeringOf(p);
        if (avail && !avail.includes(String(p.active && (o?.active ?? false)))) return false;
        if (offeringNames && !offeringNames.includes(o?.name ?? '')) return false;
        if (brokerGuids && !brokerGuids.includes(o?.broker_guid ?? '')) return false;
        if (brokerNames && !brokerNames.includes(m.brokerOf(o)?.name ?? '')) return false;
        if (instanceGuids && !m.all('instances').some((i) => i.plan_guid === p.guid && instanceGuids.includes(i.guid))) return false;
        if ((spaceGuids || orgGuids) && !planVisibleIn(p, spaceGuids, orgGuids)) return false;
        return true;
      });
    return listV3(c, d, items, q, (p, b) => plan3(m, p, b), (page: Plan[], inc, b) => {
      const brokerFields = q.fields.get('service_offering.service_broker');
      for (const p of page) {
        const o = m.offeringOf(p);
        if (q.include.includes('service_offering') && o) inc.add('service_offerings', o.guid, offering3(o, b));
        if (brokerFields && o) inc.add('service_brokers', o.broker_guid, pick(broker3(m.get('brokers', o.broker_guid)!, b), brokerFields));
        if (q.include.includes('space.organization') && p.space_guid) {
          const s = m.get('spaces', p.space_guid);
          if (s) {
            inc.add('spaces', s.guid, space3(s, b));
            inc.add('organizations', s.org_guid, org3(m.get('orgs', s.org_guid)!, b));
          }
        }
      }
    }, () => new Included());
  });

  app.get('/v3/service_plans/:guid', (c) => {
    const p = visiblePlans(c).find((x) => x.guid === c.req.param('guid'));
    if (!p) throw notFound3('Service plan');
    return json(plan3(m, p, baseUrl(c, d.kernel)));
  });

  app.delete('/v3/service_plans/:guid', (c) => {
    adminOnly(c);
    const p = m.get('plans', c.req.param('guid'));
    if (!p) throw notFound3('Service plan');
    if (m.all('instances').some((i) => i.plan_guid === p.guid)) throw unprocessable('Please delete the service_instances associations for your service_plans.');
    for (const v of m.visibilitiesOf(p.guid)) m.remove('visibilities', v.guid);
    m.remove('plans', p.guid);
    return new Response(null, { status: 204 });
  });

  // ---- visibility

  const visibilityBody = (p: Plan) => {
    const type = m.visibilityType(p);
    if (type === 'organization') {
      return {
        type,
        organizations: m.visibilitiesOf(p.guid).map((v) => ({ guid: v.org_guid, name: m.get('orgs', v.org_guid)?.name ?? '' })),
      };
    }
    if (type === 'space') {
      const s = m.get('spaces', p.space_guid);
      return { type, space: { guid: p.space_guid, name: s?.name ?? '' } };
    }
    return { type };
  };

  app.get('/v3/service_plans/:guid/visibility', (c) => {
    const p = visiblePlans(c).find((x) => x.guid === c.req.param('guid'));
    if (!p) throw notFound3('Service plan');
    return json(visibilityBody(p));
  });

  const changeVisibility = (append: boolean) => async (c: Context) => {
    const p = m.get('plans', c.req.param('guid'));
    if (!p || !access(d, c).seesPlan(p)) throw notFound3('Service plan');
    adminOnly(c);
    const body = await readBody(c);
    new Problems().unknownKeys(body, ['type', 'organizations']).check();
    const type = body.type;
    if (type !== 'public' && type !== 'admin' && type !== 'organization' && type !== 'space') {
      throw unprocessable("Type must be one of 'public', 'admin', 'organization'");
    }
    if (type === 'space' || p.space_guid) throw unprocessable('cannot update plans with visibility type \'space\'');
    let orgs: string[] = [];
    if (type === 'organization') {
      if (!Array.isArray(body.organizations) || body.organizations.length === 0) throw unprocessable("Organizations can't be blank when type is 'organization'");
      orgs = body.organizations.map((o) => (isJsonObject(o) && isStr(o.guid) ? o.guid : ''));
      refuse(orgsNotFound(m, orgs));
    } else if (body.organizations !== undefined) throw unprocessable("Organizations can only be specified when type is 'organization'");
    m.setVisibility(p, type, orgs, append);
    return json(append && type === 'organization' ? { type: 'organization' } : visibilityBody(p));
  };
  app.patch('/v3/service_plans/:guid/visibility', changeVisibility(false));
  app.post('/v3/service_plans/:guid/visibility', changeVisibility(true));

  app.delete('/v3/service_plans/:guid/visibility/:org', (c) => {
    const p = m.get('plans', c.req.param('guid'));
    if (!p || !access(d, c).seesPlan(p)) throw notFound3('Service plan');
    adminOnly(c);
    if (m.visibilityType(p) !== 'organization') throw unprocessable('Cannot delete organization from a plan that is not organization-restricted');
    const v = m.visibilitiesOf(p.guid).find((x) => x.org_guid === c.req.param('org'));
    if (!v) throw notFound3('Organization');
    m.remove('visibilities', v.guid);
    return new Response(null, { status: 204 });
  });
}
