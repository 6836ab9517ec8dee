import { isJsonObject } from '../../../core/json.js';
import type { Context, Hono } from 'hono';
import { principal, requestId } from '../../auth.js';
import { access, type CcDeps } from '../../deps.js';
import { ccError, CcError, notFound3, unprocessable } from '../../errors.js';
import { instanceParameters } from '../fetch-parameters.js';
import { allowKeys, baseUrl, isStr, json, readBody, relGuid, stringArray } from '../../http.js';
import type { Instance } from '../../model/state.js';
import { filter, parseV3, type V3Query } from '../../pagination.js';
import { accepted } from './accepted.js';
import { Included, pick } from './included.js';
import { inSet, listV3 } from './list.js';
import { broker3, instance3, offering3, org3, plan3, space3 } from './present.js';

const IN_PROGRESS = 'There is an operation in progress for the service instance.';

/** Maps CC's v2-named pre-check errors onto the v3 codes (422 UnprocessableEntity unless CC keeps the name). */
function v3ify(e: unknown): unknown {
  if (!(e instanceof CcError)) return e;
  if (e.errorName === 'ServicePlanNotUpdateable' || e.errorName === 'ServicePlanInvalid') return unprocessable(e.detail);
  if (e.errorName === 'ServiceInstanceNameTaken') return unprocessable(`The service instance name is taken: ${e.detail.replace(/^.*: /, '')}.`);
  if (e.errorName.startsWith('MaintenanceInfo')) return new CcError(e.errorName, e.code, 422, e.detail);
  return e;
}

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
    allowKeys(body, body.type === 'user-provided'
      ? ['type', 'name', 'relationships', 'credentials', 'syslog_drain_url', 'route_service_url', 'tags', 'metadata']
      : ['type', 'name', 'relationships', 'parameters', 'tags', 'metadata']);
    if (body.type !== 'managed' && body.type !== 'user-provided') throw unprocessable("Type must be one of 'managed', 'user-provided'");
    if (!isStr(body.name) || body.name === '') throw unprocessable("Name can't be blank");
    if (body.tags !== undefined && !stringArray(body.tags)) throw unprocessable('Tags must be a list of strings');
    if (body.parameters !== undefined && !isJsonObject(body.parameters)) throw unprocessable('Parameters must be an object');
    const a = access(d, c);
    const spaceGuid = relGuid(body, 'space');
    if (!spaceGuid || !m.get('spaces', spaceGuid) || !a.seesSpace(spaceGuid)) throw unprocessable('Invalid space. Ensure that the space exists and you have access to it.');
    if (!a.developsIn(spaceGuid)) throw ccError('NotAuthorized');
    const name = body.name;
    if (body.type === 'user-provided') {
      if (m.all('instances').some((i) => i.space_guid === spaceGuid && i.name === name)) throw unprocessable(`The service instance name is taken: ${name}.`);
      if (body.credentials !== undefined && !isJsonObject(body.credentials)) throw unprocessable('Credentials must be an object');
      const inst = m.addInstance({
        name,
        type: 'user-provided',
        space_guid: spaceGuid,
        tags: (body.tags as string[]) ?? [],
        dashboard_url: null,
        maintenance_info: null,
        last_operation: m.lastOperation('create', 'succeeded', 'Operation succeeded'),
        credentials: (body.credentials as Record<string, unknown>) ?? {},
        syslog_drain_url: isStr(body.syslog_drain_url) ? body.syslog_drain_url : null,
        route_service_url: isStr(body.route_service_url) ? body.route_service_url : null,
      });
      applyMetadata(inst.metadata, body.metadata);
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
      userGuid: principal(c).userGuid, vcapRequestId: requestId(c),
      via: 'v3',
      init: (i) => applyMetadata(i.metadata, body.metadata),
    });
    return accepted(c, d, job!.guid);
  });

  app.patch('/v3/service_instances/:guid', async (c) => {
    // CC validates the whole update before it changes anything: a refused PATCH leaves the record as it was.
    let undo: (() => void) | undefined;
    try {
      const inst = visible(c, c.req.param('guid'));
      const before = { name: inst.name, tags: [...inst.tags], metadata: structuredClone(inst.metadata), updated_at: inst.updated_at };
      undo = () => Object.assign(inst, before);
      const a = access(d, c);
      if (!a.developsIn(inst.space_guid)) throw ccError('NotAuthorized');
      const body = await readBody(c);
      allowKeys(body, inst.type === 'user-provided'
        ? ['name', 'credentials', 'syslog_drain_url', 'route_service_url', 'tags', 'metadata']
        : ['name', 'relationships', 'parameters', 'tags', 'metadata', 'maintenance_info']);
      if (body.name !== undefined && (!isStr(body.name) || body.name === '')) throw unprocessable("Name can't be blank");
      if (body.tags !== undefined && !stringArray(body.tags)) throw unprocessable('Tags must be a list of strings');
      if (body.parameters !== undefined && !isJsonObject(body.parameters)) throw unprocessable('Parameters must be an object');
      if (body.maintenance_info !== undefined && !(isJsonObject(body.maintenance_info) && isStr(body.maintenance_info.version))) {
        throw unprocessable('Maintenance info version must be a string');
      }
      if (inst.last_operation?.state === 'in progress') throw unprocessable(IN_PROGRESS);
      const newName = isStr(body.name) ? body.name : undefined;
      if (newName && newName !== inst.name && m.all('instances').some((i) => i.space_guid === inst.space_guid && i.name === newName)) {
        throw unprocessable(`The service instance name is taken: ${newName}.`);
      }
      applyMetadata(inst.metadata, body.metadata);
      if (inst.type === 'user-provided') {
        if (newName) inst.name = newName;
        if (body.tags) inst.tags = body.tags as string[];
        if (isJsonObject(body.credentials)) inst.credentials = body.credentials;
        if (isStr(body.syslog_drain_url)) inst.syslog_drain_url = body.syslog_drain_url;
        if (isStr(body.route_service_url)) inst.route_service_url = body.route_service_url;
        m.setLastOperation(inst, { type: 'update', state: 'succeeded', description: 'Operation succeeded' });
        return json(instance3(m, inst, baseUrl(c, d.kernel)));
      }
      const newPlanGuid = relGuid(body, 'service_plan');
      const newPlan = newPlanGuid ? m.get('plans', newPlanGuid) : undefined;
      if (newPlanGuid && (!newPlan || !newPlan.active || !a.seesPlan(newPlan) || !a.mayUsePlanIn(newPlan, inst.space_guid))) {
        throw unprocessable('Invalid service plan. Ensure that the service plan exists, is available, and you have access to it.');
      }
      const offering = m.offeringOf(m.get('plans', inst.plan_guid));
      const renameNeedsBroker = !!newName && newName !== inst.name && !!offering?.allow_context_updates;
      const needsBroker = body.parameters !== undefined || !!newPlanGuid || body.maintenance_info !== undefined || renameNeedsBroker;
      if (body.tags) inst.tags = body.tags as string[];
      if (!needsBroker) {
        if (newName) inst.name = newName;
        m.touch(inst);
        return json(instance3(m, inst, baseUrl(c, d.kernel)));
      }
      const mi = body.maintenance_info as { version: string } | undefined;
      // An upgrade to the version the instance already has is a no-op (CC answers 200).
      if (mi && !newPlanGuid && body.parameters === undefined && !renameNeedsBroker && mi.version === inst.maintenance_info?.version) {
        if (newName) inst.name = newName;
        return json(instance3(m, inst, baseUrl(c, d.kernel)));
      }
      if (newName && !renameNeedsBroker) inst.name = newName;
      const { job } = await d.ops
        .updateInstance({
          inst,
          newPlan,
          name: renameNeedsBroker ? newName : undefined,
          parameters: body.parameters as Record<string, unknown> | undefined,
          maintenanceInfo: mi,
          userGuid: principal(c).userGuid, vcapRequestId: requestId(c),
          via: 'v3',
        })
        .catch((e) => {
          throw v3ify(e);
        });
      undo = undefined;
      return accepted(c, d, job!.guid);
    } catch (e) {
      undo?.();
      throw e;
    }
  });

  app.delete('/v3/service_instances/:guid', async (c) => {
    const inst = visible(c, c.req.param('guid'));
    if (!access(d, c).developsIn(inst.space_guid)) throw ccError('NotAuthorized');
    if (c.req.query('purge') === 'true' || inst.type === 'user-provided') {
      d.ops.purgeInstance(inst);
      return new Response(null, { status: 204 });
    }
    if (inst.last_operation?.state === 'in progress') throw unprocessable(IN_PROGRESS);
    const { job } = await d.ops.deleteInstance({ inst, userGuid: principal(c).userGuid, vcapRequestId: requestId(c), via: 'v3' });
    return accepted(c, d, job!.guid);
  });

  app.get('/v3/service_instances/:guid/parameters', async (c) => {
    const inst = visible(c, c.req.param('guid'));
    if (inst.type !== 'managed') throw ccError('ServiceFetchInstanceParametersNotSupported');
    return instanceParameters(d, c, inst, () => {
      if (inst.last_operation?.state === 'in progress') throw unprocessable(IN_PROGRESS);
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

/** `metadata: {labels, annotations}` in a request: set, and a `null` value removes the key (CC's rule). */
export function applyMetadata(target: { labels: Record<string, string>; annotations: Record<string, string> }, md: unknown): void {
  if (!isJsonObject(md)) return;
  for (const k of ['labels', 'annotations'] as const) {
    const src = md[k];
    if (!isJsonObject(src)) continue;
    for (const [key, v] of Object.entries(src)) {
      if (v === null) delete target[k][key];
      else if (typeof v === 'string') target[k][key] = v;
    }
  }
}
