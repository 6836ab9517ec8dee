import { isJsonObject } from '../../../core/json.js';
import type { Context, Hono } from 'hono';
import { principal, requestId } from '../../auth.js';
import { access, type CcDeps } from '../../deps.js';
import { ccError, notFound3, unprocessable } from '../../errors.js';
import { bindingParameters } from '../fetch-parameters.js';
import { baseUrl, isStr, json, readBody, relGuid } from '../../http.js';
import type { Binding } from '../../model/state.js';
import { filter, parseV3, type V3Query } from '../../pagination.js';
import { Included } from './included.js';
import { accepted } from './accepted.js';
import { inSet, listV3 } from './list.js';
import { Problems } from './message.js';
import { instanceInProgress, keyNameTaken, notBindable } from '../../ops/rules.js';
import { refuse } from '../../refusals.js';
import { app3, binding3, instance3 } from './present.js';

/** `/v3/service_credential_bindings`: app bindings and service keys, with `details` and `parameters`. */
export function bindingRoutes(app: Hono, d: CcDeps): void {
  const m = d.model;
  const upsi = (b: Binding) => m.get('instances', b.instance_guid)?.type === 'user-provided';

  /** `include=app,service_instance` on one binding or a page of them. */
  const includeFor = (q: V3Query) => (page: Binding[], inc: Included, base: string) => {
    for (const b of page) {
      const appRec = m.get('apps', b.app_guid);
      if (q.include.includes('app') && appRec) inc.add('apps', appRec.guid, app3(appRec, base));
      const inst = m.get('instances', b.instance_guid);
      if (q.include.includes('service_instance') && inst) inc.add('service_instances', inst.guid, instance3(m, inst, base));
    }
  };

  const visible = (c: Context, guid: string | undefined): Binding => {
    const b = m.get('bindings', guid);
    const inst = b ? m.get('instances', b.instance_guid) : undefined;
    if (!b || !inst || !access(d, c).seesSpace(inst.space_guid)) throw notFound3('Service credential binding');
    return b;
  };

  app.get('/v3/service_credential_bindings', (c) => {
    const q = parseV3(c, {
      filters: [
        'names', 'guids', 'type', 'service_instance_guids', 'service_instance_names', 'app_guids', 'app_names',
        'service_plan_guids', 'service_plan_names', 'service_offering_guids', 'service_offering_names',
      ],
      include: ['app', 'service_instance'],
      orderBy: ['created_at', 'updated_at', 'name'],
    });
    const a = access(d, c);
    const f = (k: string) => filter(q, k);
    const items = m.all('bindings').filter((b) => {
      const inst = m.get('instances', b.instance_guid);
      if (!inst || !a.seesSpace(inst.space_guid)) return false;
      const plan = m.get('plans', inst.plan_guid);
      const offering = m.offeringOf(plan);
      const appRec = m.get('apps', b.app_guid);
      const checks: [string, string | undefined | null][] = [
        ['names', b.name],
        ['guids', b.guid],
        ['type', b.type],
        ['service_instance_guids', inst.guid],
        ['service_instance_names', inst.name],
        ['app_guids', b.app_guid],
        ['app_names', appRec?.name],
        ['service_plan_guids', plan?.guid],
        ['service_plan_names', plan?.name],
        ['service_offering_guids', offering?.guid],
        ['service_offering_names', offering?.name],
      ];
      return checks.every(([k, v]) => inSet(f(k), () => v)(b));
    });
    return listV3(c, d, items, q, (x: Binding, base: string) => binding3(x, base, upsi(x)), includeFor(q), () => new Included());
  });

  // Route services are not modelled; the list exists (empty) because the cf CLI asks for it.
  app.get('/v3/service_route_bindings', (c) => {
    const q = parseV3(c, {
      filters: ['route_guids', 'service_instance_guids', 'service_instance_names', 'guids'],
      include: ['route', 'service_instance'],
    });
    return listV3(c, d, [] as Binding[], q, binding3);
  });
  app.get('/v3/service_route_bindings/:guid', (c) => { throw notFound3('Service route binding'); });

  app.get('/v3/service_credential_bindings/:guid', (c) => {
    const q = parseV3(c, { filters: [], include: ['app', 'service_instance'] });
    const b = visible(c, c.req.param('guid'));
    const base = baseUrl(c, d.kernel);
    const body: Record<string, unknown> = binding3(b, base, upsi(b));
    const inc = new Included();
    includeFor(q)([b], inc, base);
    if (!inc.empty) body.included = inc.toJSON();
    return json(body);
  });

  app.get('/v3/service_credential_bindings/:guid/details', (c) => {
    const b = visible(c, c.req.param('guid'));
    const inst = m.get('instances', b.instance_guid)!;
    if (!access(d, c).developsIn(inst.space_guid) && !principal(c).adminReadOnly) throw ccError('NotAuthorized');
    const lo = b.last_operation;
    if (lo && lo.type === 'create' && lo.state !== 'succeeded') {
      throw notFound3(lo.state === 'failed' ? 'Service credential binding' : 'Creation of service credential binding in progress, so');
    }
    const details: Record<string, unknown> = { credentials: b.credentials };
    if (b.syslog_drain_url) details.syslog_drain_url = b.syslog_drain_url;
    if (b.volume_mounts.length) details.volume_mounts = b.volume_mounts;
    return json(details);
  });

  app.get('/v3/service_credential_bindings/:guid/parameters', async (c) => {
    const b = visible(c, c.req.param('guid'));
    const inst = m.get('instances', b.instance_guid)!;
    if (inst.type !== 'managed') throw ccError('ServiceFetchBindingParametersNotSupported');
    return bindingParameters(d, c, inst, b);
  });

  app.post('/v3/service_credential_bindings', async (c) => {
    const body = await readBody(c);
    new Problems()
      .unknownKeys(body, ['type', 'name', 'relationships', 'parameters', 'metadata', 'strategy'])
      .add(body.type !== 'app' && body.type !== 'key' && "Type must be 'app' or 'key'")
      .add(body.name !== undefined && body.name !== null && !isStr(body.name) && 'Name must be a string')
      .add(body.parameters !== undefined && !isJsonObject(body.parameters) && 'Parameters must be an object')
      .relationships(body.relationships, body.type === 'key' ? ['service_instance'] : ['service_instance', 'app'])
      .metadata(body.metadata)
      .check();
    const a = access(d, c);
    const instGuid = relGuid(body, 'service_instance');
    const inst = m.get('instances', instGuid);
    if (!inst || !a.seesSpace(inst.space_guid)) throw unprocessable(`The service instance could not be found: ${instGuid ?? ''}`);
    if (!a.developsIn(inst.space_guid)) throw ccError('NotAuthorized');
    const name = isStr(body.name) ? body.name : null;
    let appRec;
    if (body.type === 'key') {
      if (!name) throw unprocessable("Name can't be blank");
      refuse(keyNameTaken(m, inst, name));
      if (inst.type === 'user-provided') throw unprocessable('Service credential bindings of type key are not supported for user-provided service instances.');
    } else {
      const appGuid = relGuid(body, 'app');
      appRec = m.get('apps', appGuid);
      if (!appRec || !a.seesSpace(appRec.space_guid)) throw unprocessable(`The app could not be found: ${appGuid ?? ''}`);
      if (appRec.space_guid !== inst.space_guid) throw unprocessable('The service instance and the app are in different spaces');
      if (name && m.bindingsOf(inst.guid).some((b) => b.type === 'app' && b.name === name && b.app_guid !== appRec!.guid)) {
        throw unprocessable(`The binding name is invalid. App binding names must be unique. The app already has a binding with name '${name}'.`);
      }
    }
    if (inst.type === 'user-provided') {
      if (m.bindingsOf(inst.guid).some((b) => b.app_guid === appRec!.guid)) throw unprocessable('The app is already bound to the service instance');
      const b = m.addBinding({
        type: 'app',
        name,
        instance_guid: inst.guid,
        app_guid: appRec!.guid,
        credentials: inst.credentials ?? {},
        syslog_drain_url: inst.syslog_drain_url ?? null,
        volume_mounts: [],
        last_operation: m.lastOperation('create', 'succeeded'),
      });
      m.applyMetadata(b.metadata, body.metadata);
      return json(binding3(b, baseUrl(c, d.kernel), true), 201);
    }
    const { plan, offering } = d.ops.resolvePlan(inst);
    refuse(notBindable(plan, offering, 'binding'));
    const lo = inst.last_operation;
    refuse(instanceInProgress(inst));
    if (lo?.type === 'create' && lo.state === 'failed') throw unprocessable('Service instance not found');
    const { job } = await d.ops.createBinding({
      type: body.type as 'app' | 'key',
      inst,
      app: appRec,
      name,
      parameters: body.parameters as Record<string, unknown> | undefined,
      userGuid: principal(c).userGuid, vcapRequestId: requestId(c),
      via: 'v3',
      metadata: body.metadata,
    });
    return accepted(c, d, job!.guid);
  });

  app.delete('/v3/service_credential_bindings/:guid', async (c) => {
    const b = visible(c, c.req.param('guid'));
    const inst = m.get('instances', b.instance_guid)!;
    if (!access(d, c).developsIn(inst.space_guid)) throw ccError('NotAuthorized');
    if (inst.type === 'user-provided') {
      m.remove('bindings', b.guid);
      return new Response(null, { status: 204 });
    }
    if (b.last_operation?.state === 'in progress') throw unprocessable('There is an operation in progress for the service binding.');
    refuse(instanceInProgress(inst));
    const { job } = await d.ops.deleteBinding({ binding: b, userGuid: principal(c).userGuid, vcapRequestId: requestId(c), via: 'v3' });
    return accepted(c, d, job!.guid);
  });
}
