import { isJsonObject } from '../../../core/json.js';
import type { Context, Hono } from 'hono';
import { principal, requestId } from '../../auth.js';
import { access, type CcDeps } from '../../deps.js';
import { ccError, notFound3, unprocessable } from '../../errors.js';
import { instanceParameters } from '../fetch-parameters.js';
import { baseUrl, isStr, json, readBody, relGuid, stringArray } from '../../http.js';
import { instanceInProgress, instanceNameTaken } from '../../ops/rules.js';
import { refuse } from '../../refusals.js';
import type { Instance } from '../../model/state.js';
import { filter, parseV3, type V3Query } from '../../pagination.js';
import { accepted } from './accepted.js';
import { Included, pick } from './included.js';
import { inSet, listV3 } from './list.js';
import { nameProblem, Problems } from './message.js';
import { broker3, instance3, offering3, org3, plan3, space3 } from './present.js';


const MANAGED_CREATE_KEYS = ['type', 'name', 'relationships', 'parameters', 'tags', 'metadata'];
const UPSI_CREATE_KEYS = ['type', 'name', 'relationships', 'credentials', 'syslog_drain_url', 'route_service_url', 'tags', 'metadata'];
const MANAGED_UPDATE_KEYS = ['name', 'relationships', 'parameters', 'tags', 'metadata', 'maintenance_info'];
const UPSI_UPDATE_KEYS = ['name', 'credentials', 'syslog_drain_url', 'route_service_url', 'tags', 'metadata'];

const INSTANCE_FIELDS = ['space', 'space.organization', 'service_plan', 'service_plan.service_offering', 'service_plan.service_offering.service_broker'];

/** The `included` block the cf CLI asks for with `fields[...]` on service instances. */
function includeFor(d: CcDeps, q: V3Query) {
  const m = d.model;
  return (page: Instance[], inc: Included, b: string) => {
    for (const i of page) {
      const space = m.get('spaces', i.space_guid);
      const f = (k: string) => q.fields.get(k);
      if (space && f('space')) inc.add('spaces', space.guid, pick(space3(space, b), f('space')!));
      if (space && f('space.organization')) inc.add('organizations', space.org_guid, pick(org3(m.get('orgs', space.org_guid)!, b), f('space.organization')!));
      const plan = m.get('plans', i.plan_guid);
      if (!plan) continue;
      if (f('service_plan')) inc.add('service_plans', plan.guid, pick(plan3(m, plan, b), f('service_plan')!));
      const o = m.offeringOf(plan);
      if (o && f('service_plan.service_offering')) inc.add('service_offerings', o.guid, pick(offering3(o, b), f('service_plan.service_offering')!));
      const br = m.brokerOf(o);
      if (br && f('service_plan.service_offering.service_broker')) inc.add('service_brokers', br.guid, pick(broker3(br, b), f('service_plan.service_offering.service_broker')!));
    }
  };
}

/** `/v3/service_instances`: managed instances through the platform as jobs, user-provided ones directly. */
export function instanceRoutes(app: Hono, d: CcDeps): void {
  const m = d.model;

  const visible = (c: Context, guid: string | undefined): Instance => {
    const i = m.get('instances', guid);
    if (!i || !access(d, c).seesSpace(i.space_guid)) throw notFound3('Service instance');
    return i;
  };

  app.get('/v3/service_instances', (c) => {
    const q = parseV3(c, {
      filters: ['names', 'guids', 'type', 'space_guids', 'organization_guids', 'service_plan_guids', 'service_plan_names'],
      fields: INSTANCE_FIELDS,
      orderBy: ['created_at', 'updated_at', 'name'],
    });
    const a = access(d, c);
    const planNames = filter(q, 'service_plan_names');
    const orgs = filter(q, 'organization_guids');
    const preds: ((i: Instance) => boolean)[] = [];
    if (!a.all) preds.push((i) => a.seesSpace(i.space_guid));
    for (const [key, get] of [
      ['names', (i: Instance) => i.name],
      ['guids', (i: Instance) => i.guid],
      ['type', (i: Instance) => i.type],
      ['space_guids', (i: Instance) => i.space_guid],
      ['service_plan_guids', (i: Instance) => i.plan_guid],
    ] as const) {
      if (filter(q, key)) preds.push(inSet(filter(q, key), get));
    }
    if (planNames) preds.push((i) => planNames.includes(m.get('plans', i.plan_guid)?.name ?? ''));
    if (orgs) preds.push((i) => orgs.includes(m.get('spaces', i.space_guid)?.org_guid ?? ''));
    const all = m.all('instances');
    const items = preds.length ? all.filter((i) => preds.every((p) => p(i))) : all;
    return listV3(c, d, items, q, (i, b) => instance3(m, i, b), includeFor(d, q), () => new Included());
  });

  app.get('/v3/service_instances/:guid', (c) => {
    const q = parseV3(c, { filters: [], fields: INSTANCE_FIELDS });
    const i = visible(c, c.req.param('guid'));
    const b = baseUrl(c, d.kernel);
    const body: Record<string, unknown> = instance3(m, i, b);
    const inc = new Included();
    includeFor(d, q)([i], inc, b);
    if (!inc.empty) body.included = inc.toJSON();
    return json(body);
  });

  app.post('/v3/service_instances', async (c) => {
    const body = await readBody(c);
    const upsi = body.type === 'user-provided';
    const p = new Problems().unknownKeys(body, upsi ? UPSI_CREATE_KEYS : MANAGED_CREATE_KEYS);
    p.add(body.type !== 'managed' && !upsi && "Type must be one of 'managed', 'user-provided'");
    p.add(nameProblem(body.name));
    p.add(body.tags !== undefined && !Array.isArray(body.tags) && 'Tags must be an array');
    p.add(Array.isArray(body.tags) && !stringArray(body.tags) && 'Tags must be a list of strings');
    p.add(body.parameters !== undefined && !isJsonObject(body.parameters) && 'Parameters must be an object');
    p.add(upsi && body.credentials !== undefined && !isJsonObject(body.credentials) && 'Credentials must be an object');
    p.relationships(body.relationships, upsi ? ['space'] : ['space', 'service_plan']).metadata(body.metadata).check();
    const a = access(d, c);
    const spaceGuid = relGuid(body, 'space');
    if (!spaceGuid || !m.get('spaces', spaceGuid) || !a.seesSpace(spaceGuid)) throw unprocessable('Invalid space. Ensure that the space exists and you have access to it.');
    if (!a.developsIn(spaceGuid)) throw ccError('NotAuthorized');
    const name = body.name as string;
    if (upsi) {
      refuse(instanceNameTaken(m, spaceGuid, name));
      const inst = d.ops.createUserProvided({
        name,
        spaceGuid,
        tags: body.tags as string[] | undefined,
        credentials: body.credentials as Record<string, unknown> | undefined,
        syslogDrainUrl: isStr(body.syslog_drain_url) ? body.syslog_drain_url : null,
        routeServiceUrl: isStr(body.route_service_url) ? body.route_service_url : null,
        metadata: body.metadata,
      });
      return json(instance3(m, inst, baseUrl(c, d.kernel)), 201);
    }
    const planGuid = relGuid(body, 'service_plan');
    const plan = m.get('plans', planGuid);
    const invalidPlan = 'Invalid service plan. Ensure that the service plan exists, is available, and you have access to it.';
    if (!plan || !plan.active || !a.seesPlan(plan) || !a.mayUsePlanIn(plan, spaceGuid)) throw unprocessable(invalidPlan);
    const offering = m.offeringOf(plan);
    const broker = m.brokerOf(offering);
    if (!offering?.active || !broker) throw unprocessable(invalidPlan);
    if (broker.state !== 'AVAILABLE') throw unprocessable('The service instance cannot be created because there is an operation in progress for the service broker.');
    const { job } = await d.ops.createInstance({
      name,
      spaceGuid,
      plan,
      parameters: body.parameters as Record<string, unknown> | undefined,
      tags: body.tags as string[] | undefined,
      metadata: body.metadata,
      userGuid: principal(c).userGuid,
      vcapRequestId: requestId(c),
      via: 'v3',
    });
    return accepted(c, d, job!.guid);
  });

  // CC checks the whole update before it changes anything: a refused PATCH leaves the record as it was.
  app.patch('/v3/service_instances/:guid', async (c) => {
    const inst = visible(c, c.req.param('guid'));
    const a = access(d, c);
    if (!a.developsIn(inst.space_guid)) throw ccError('NotAuthorized');
    const body = await readBody(c);
    const upsi = inst.type === 'user-provided';
    const p = new Problems().unknownKeys(body, upsi ? UPSI_UPDATE_KEYS : MANAGED_UPDATE_KEYS);
    p.add(body.name !== undefined && !isStr(body.name) && 'Name must be a string');
    p.add(body.name === '' && "Name can't be blank");
    p.add(body.tags !== undefined && !Array.isArray(body.tags) && 'Tags must be an array');
    p.add(Array.isArray(body.tags) && !stringArray(body.tags) && 'Tags must be a list of strings');
    p.add(body.parameters !== undefined && !isJsonObject(body.parameters) && 'Parameters must be an object');
    p.add(upsi && body.credentials !== undefined && !isJsonObject(body.credentials) && 'Credentials must be an object');
    if (body.maintenance_info !== undefined) {
      const mi = body.maintenance_info;
      p.add(!isJsonObject(mi) && 'Maintenance info must be an object');
      if (isJsonObject(mi)) p.unknownKeys(mi, ['version'], 'Maintenance info ').add(!isStr(mi.version) && 'Maintenance info version must be a string');
    }
    if (!upsi) p.relationships(body.relationships, ['service_plan']);
    p.metadata(body.metadata).check();
    const newName = isStr(body.name) ? body.name : undefined;
    if (upsi) {
      refuse(instanceInProgress(inst));
      if (newName !== undefined && newName !== inst.name) refuse(instanceNameTaken(m, inst.space_guid, newName, inst));
      d.ops.updateUserProvided(inst, {
        name: newName,
        tags: body.tags as string[] | undefined,
        credentials: body.credentials as Record<string, unknown> | undefined,
        syslogDrainUrl: isStr(body.syslog_drain_url) ? body.syslog_drain_url : undefined,
        routeServiceUrl: isStr(body.route_service_url) ? body.route_service_url : undefined,
        metadata: body.metadata,
      });
      return json(instance3(m, inst, baseUrl(c, d.kernel)));
    }
    const newPlanGuid = relGuid(body, 'service_plan');
    const newPlan = newPlanGuid ? m.get('plans', newPlanGuid) : undefined;
    if (newPlanGuid && (!newPlan || !newPlan.active || !a.seesPlan(newPlan) || !a.mayUsePlanIn(newPlan, inst.space_guid))) {
      throw unprocessable('Invalid service plan. Ensure that the service plan exists, is available, and you have access to it.');
    }
    const { job } = await d.ops.updateInstance({
      inst,
      newPlan,
      name: newName,
      tags: body.tags as string[] | undefined,
      metadata: body.metadata,
      parameters: body.parameters as Record<string, unknown> | undefined,
      maintenanceInfo: body.maintenance_info as { version: string } | undefined,
      userGuid: principal(c).userGuid,
      vcapRequestId: requestId(c),
      via: 'v3',
    });
    return job ? accepted(c, d, job.guid) : json(instance3(m, inst, baseUrl(c, d.kernel)));
  });

  app.delete('/v3/service_instances/:guid', async (c) => {
    const inst = visible(c, c.req.param('guid'));
    if (!access(d, c).developsIn(inst.space_guid)) throw ccError('NotAuthorized');
    if (c.req.query('purge') === 'true' || inst.type === 'user-provided') {
      d.ops.purgeInstance(inst);
      return new Response(null, { status: 204 });
    }
    refuse(instanceInProgress(inst));
    const { job } = await d.ops.deleteInstance({ inst, userGuid: principal(c).userGuid, vcapRequestId: requestId(c), via: 'v3' });
    return accepted(c, d, job!.guid);
  });

  app.get('/v3/service_instances/:guid/parameters', async (c) => {
    const inst = visible(c, c.req.param('guid'));
    if (inst.type !== 'managed') throw ccError('ServiceFetchInstanceParametersNotSupported');
    return instanceParameters(d, c, inst, () => {
      refuse(instanceInProgress(inst));
    });
  });

  app.get('/v3/service_instances/:guid/credentials', (c) => {
    const inst = visible(c, c.req.param('guid'));
    if (inst.type !== 'user-provided') throw notFound3('Service instance');
    if (!access(d, c).developsIn(inst.space_guid) && !access(d, c).all) throw ccError('NotAuthorized');
    return json(inst.credentials ?? {});
  });

  app.get('/v3/service_instances/:guid/relationships/shared_spaces', (c) => {
    const inst = visible(c, c.req.param('guid'));
    const b = baseUrl(c, d.kernel);
    return json({ data: [], links: { self: { href: `${b}/v3/service_instances/${inst.guid}/relationships/shared_spaces` } } });
  });

  app.get('/v3/service_instances/:guid/relationships/shared_spaces/usage_summary', (c) => {
    const inst = visible(c, c.req.param('guid'));
    const b = baseUrl(c, d.kernel);
    return json({
      usage_summary: [],
      links: {
        self: { href: `${b}/v3/service_instances/${inst.guid}/relationships/shared_spaces/usage_summary` },
        shared_spaces: { href: `${b}/v3/service_instances/${inst.guid}/relationships/shared_spaces` },
        service_instance: { href: `${b}/v3/service_instances/${inst.guid}` },
      },
    });
  });
}
