import type { Context, Hono } from 'hono';
import { principal, requestId } from '../../auth.js';
import { access, type CcDeps } from '../../deps.js';
import { ccError } from '../../errors.js';
import { bindingParameters, instanceParameters } from '../fetch-parameters.js';
import { isStr, json, pg, readBody } from '../../http.js';
import type { Binding, Instance } from '../../model/state.js';
import type { OperationResult } from '../../platform/api.js';
import { listV2, type V2Fields } from './list.js';
import { decodeV2 } from './decode.js';
import { instanceInProgress, keyNameTaken, notBindable } from '../../ops/rules.js';
import { refuse } from '../../refusals.js';
import { binding2, instance2, key2 } from './present.js';

/**
 * v2 service instances, bindings and keys. The broker's first answer is awaited in the request
 * (201 when it finished, 202 while CC polls), and broker errors come back synchronously.
 */
export function instanceRoutes2(app: Hono, d: CcDeps): void {
  const m = d.model;
  const acceptsIncomplete = (c: Context) => c.req.query('accepts_incomplete') === 'true';
  const statusOf = (r: OperationResult | undefined) => (r?.state === 'in progress' ? 202 : 201);

  const instanceFields: V2Fields<Instance> = {
    name: (i) => i.name,
    space_guid: (i) => i.space_guid,
    service_plan_guid: (i) => i.plan_guid,
    service_binding_guid: (i) => m.bindingsOf(i.guid).filter((b) => b.type === 'app').map((b) => b.guid),
    gateway_name: () => '',
    organization_guid: (i) => m.get('spaces', i.space_guid)?.org_guid,
    service_key_guid: (i) => m.bindingsOf(i.guid).filter((b) => b.type === 'key').map((b) => b.guid),
  };
  const bindingFields: V2Fields<Binding> = {
    app_guid: (b) => b.app_guid,
    name: (b) => b.name,
    service_instance_guid: (b) => b.instance_guid,
  };
  const keyFields: V2Fields<Binding> = { name: (b) => b.name, service_instance_guid: (b) => b.instance_guid };

  const visibleInstance = (c: Context, guid: string): Instance => {
    const i = m.get('instances', guid);
    if (!i || i.type !== 'managed') throw ccError('ServiceInstanceNotFound', guid);
    // v2 `find_guid_and_validate_access`: a record that exists but is not the caller's is a 403
    if (!access(d, c).seesSpace(i.space_guid)) throw ccError('NotAuthorized');
    return i;
  };
  /** 201 when the broker finished, 202 (with `Location`) while CC polls. */
  const v2Answer = (inst: Instance, first: OperationResult | undefined) =>
    statusOf(first) === 202 ? json(instance2(m, inst), 202, { location: `/v2/service_instances/${inst.guid}` }) : json(instance2(m, inst), 201);

  // ---- instances

  app.get('/v2/service_instances', (c) => {
    const a = access(d, c);
    const managed = m.view('instances', 'managed', (i) => i.type === 'managed');
    return listV2(c, a.all ? managed : managed.filter((i) => a.seesSpace(i.space_guid)), instanceFields, (i) => instance2(m, i), ['id', 'name']);
  });
  app.get('/v2/service_instances/:guid', (c) => json(instance2(m, visibleInstance(c, pg(c)))));

  const instanceFieldsV2 = { name: 'string', space_guid: 'string', service_plan_guid: 'string', parameters: 'hash', tags: 'string[]', maintenance_info: 'hash' } as const;

  app.post('/v2/service_instances', async (c) => {
    const body = await readBody(c);
    decodeV2(body, instanceFieldsV2, ['name', 'space_guid', 'service_plan_guid']);
    if ((body.name as string).trim() === '') throw ccError('ServiceInstanceInvalid', 'name presence');
    const a = access(d, c);
    const spaceGuid = body.space_guid as string;
    if (!m.get('spaces', spaceGuid) || !a.seesSpace(spaceGuid)) throw ccError('SpaceNotFound', spaceGuid);
    if (!a.developsIn(spaceGuid)) throw ccError('NotAuthorized');
    const plan = m.get('plans', body.service_plan_guid as string);
    if (!plan || !a.seesPlan(plan)) throw ccError('ServicePlanInvalid', 'not a valid service plan');
    if (!plan.active) throw ccError('ServicePlanInvalid', 'service plan is not active');
    if (!a.mayUsePlanIn(plan, spaceGuid)) throw ccError('NotAuthorized');
    const { record, first } = await d.ops.createInstance({
      name: body.name as string,
      spaceGuid,
      plan,
      parameters: body.parameters as Record<string, unknown> | undefined,
      tags: body.tags as string[] | undefined,
      userGuid: principal(c).userGuid,
      vcapRequestId: requestId(c),
      via: 'v2',
      acceptsIncomplete: acceptsIncomplete(c),
    });
    return json(instance2(m, record), statusOf(first), { location: `/v2/service_instances/${record.guid}` });
  });

  // ServiceInstanceUpdate: validated whole, then applied (a refused update changes nothing).
  app.put('/v2/service_instances/:guid', async (c) => {
    const inst = visibleInstance(c, pg(c));
    if (!access(d, c).developsIn(inst.space_guid)) throw ccError('NotAuthorized');
    const body = await readBody(c);
    decodeV2(body, instanceFieldsV2);
    if (body.name === '') throw ccError('ServiceInstanceInvalid', 'name presence');
    const planGuid = body.service_plan_guid as string | undefined;
    const newPlan = planGuid !== undefined && planGuid !== inst.plan_guid ? m.get('plans', planGuid) : undefined;
    if (planGuid !== undefined && planGuid !== inst.plan_guid && !newPlan) throw ccError('ServicePlanInvalid', 'not a valid service plan');
    const { first } = await d.ops.updateInstance({
      inst,
      newPlan,
      name: body.name as string | undefined,
      tags: body.tags as string[] | undefined,
      parameters: body.parameters as Record<string, unknown> | undefined,
      maintenanceInfo: body.maintenance_info as { version: string } | undefined,
      userGuid: principal(c).userGuid,
      vcapRequestId: requestId(c),
      via: 'v2',
      acceptsIncomplete: acceptsIncomplete(c),
    });
    return v2Answer(inst, first);
  });

  app.delete('/v2/service_instances/:guid', async (c) => {
    const inst = visibleInstance(c, pg(c));
    if (c.req.query('purge') === 'true') {
      if (!principal(c).admin) throw ccError('NotAuthorized');
      d.ops.purgeInstance(inst);
      return new Response(null, { status: 204 });
    }
    if (!access(d, c).developsIn(inst.space_guid)) throw ccError('NotAuthorized');
    refuse(instanceInProgress(inst));
    const bindings = m.bindingsOf(inst.guid);
    if (bindings.length && c.req.query('recursive') !== 'true') {
      const kinds = [...new Set(bindings.map((b) => (b.type === 'app' ? 'service_bindings' : 'service_keys')))].join(', ');
      throw ccError('AssociationNotEmpty', kinds, 'service_instances');
    }
    const { first } = await d.ops.deleteInstance({ inst, userGuid: principal(c).userGuid, vcapRequestId: requestId(c), via: 'v2', acceptsIncomplete: acceptsIncomplete(c) });
    if (first?.state === 'in progress' && m.get('instances', inst.guid)) return v2Answer(inst, first);
    return new Response(null, { status: 204 });
  });

  app.get('/v2/service_instances/:guid/service_bindings', (c) => {
    const inst = visibleInstance(c, pg(c));
    return listV2(c, m.bindingsOf(inst.guid).filter((b) => b.type === 'app'), bindingFields, binding2);
  });
  app.get('/v2/service_instances/:guid/service_keys', (c) => {
    const inst = visibleInstance(c, pg(c));
    return listV2(c, m.bindingsOf(inst.guid).filter((b) => b.type === 'key'), keyFields, key2);
  });
  app.get('/v2/service_instances/:guid/parameters', (c) => instanceParameters(d, c, visibleInstance(c, pg(c))));

  // ---- bindings

  const visibleBinding = (c: Context, guid: string, type: 'app' | 'key'): Binding => {
    const b = m.get('bindings', guid);
    const inst = b ? m.get('instances', b.instance_guid) : undefined;
    if (!b || b.type !== type || !inst) {
      throw type === 'app' ? ccError('ServiceBindingNotFound', guid) : ccError('ServiceKeyNotFound', guid);
    }
    if (!access(d, c).seesSpace(inst.space_guid)) throw ccError('NotAuthorized');
    return b;
  };

  app.get('/v2/service_bindings', (c) => {
    const a = access(d, c);
    return listV2(c, m.all('bindings').filter((b) => b.type === 'app' && a.seesSpace(m.get('instances', b.instance_guid)?.space_guid)), bindingFields, binding2);
  });
  app.get('/v2/service_bindings/:guid', (c) => json(binding2(visibleBinding(c, pg(c), 'app'))));

  app.get('/v2/service_bindings/:guid/parameters', (c) => {
    const b = visibleBinding(c, pg(c), 'app');
    return bindingParameters(d, c, m.get('instances', b.instance_guid)!, b);
  });

  app.post('/v2/service_bindings', async (c) => {
    const body = await readBody(c);
    decodeV2(body, { app_guid: 'string', service_instance_guid: 'string', parameters: 'hash', name: 'string' }, ['app_guid', 'service_instance_guid']);
    const inst = visibleInstance(c, body.service_instance_guid as string);
    const appRec = m.get('apps', body.app_guid as string);
    if (!appRec || !access(d, c).seesSpace(appRec.space_guid)) throw ccError('AppNotFound', body.app_guid as string);
    if (!access(d, c).developsIn(inst.space_guid)) throw ccError('NotAuthorized');
    if (appRec.space_guid !== inst.space_guid) throw ccError('ServiceBindingDifferentSpaces', `${appRec.guid} ${inst.guid}`);
    const { plan, offering } = d.ops.resolvePlan(inst);
    refuse(notBindable(plan, offering, 'binding'));
    refuse(instanceInProgress(inst));
    const { record, first } = await d.ops.createBinding({
      type: 'app',
      inst,
      app: appRec,
      name: isStr(body.name) ? body.name : null,
      parameters: body.parameters as Record<string, unknown> | undefined,
      userGuid: principal(c).userGuid, vcapRequestId: requestId(c),
      via: 'v2',
      acceptsIncomplete: acceptsIncomplete(c),
    });
    return json(binding2(record), statusOf(first), { location: `/v2/service_bindings/${record.guid}` });
  });

  const unbind = async (c: Context, b: Binding) => {
    const inst = m.get('instances', b.instance_guid)!;
    if (!access(d, c).developsIn(inst.space_guid)) throw ccError('NotAuthorized');
    if (b.last_operation?.state === 'in progress') throw ccError('AsyncServiceBindingOperationInProgress', b.app_guid ?? '', inst.name);
    const { first } = await d.ops.deleteBinding({ binding: b, userGuid: principal(c).userGuid, vcapRequestId: requestId(c), via: 'v2', acceptsIncomplete: acceptsIncomplete(c) });
    if (first?.state === 'in progress' && m.get('bindings', b.guid)) return json(binding2(b), 202);
    return new Response(null, { status: 204 });
  };
  app.delete('/v2/service_bindings/:guid', (c) => unbind(c, visibleBinding(c, pg(c), 'app')));
  app.delete('/v2/apps/:app/service_bindings/:guid', (c) => {
    const b = visibleBinding(c, pg(c), 'app');
    if (b.app_guid !== c.req.param('app')) throw ccError('ServiceBindingNotFound', pg(c));
    return unbind(c, b);
  });
  app.get('/v2/apps/:app/service_bindings', (c) => {
    const appRec = m.get('apps', c.req.param('app') ?? '');
    if (!appRec || !access(d, c).seesSpace(appRec.space_guid)) throw ccError('AppNotFound', c.req.param('app') ?? '');
    return listV2(c, m.all('bindings').filter((b) => b.app_guid === appRec.guid), bindingFields, binding2);
  });

  // ---- keys (synchronous only in v2)

  app.get('/v2/service_keys', (c) => {
    const a = access(d, c);
    return listV2(c, m.all('bindings').filter((b) => b.type === 'key' && a.seesSpace(m.get('instances', b.instance_guid)?.space_guid)), keyFields, key2);
  });
  app.get('/v2/service_keys/:guid', (c) => json(key2(visibleBinding(c, pg(c), 'key'))));
  app.post('/v2/service_keys', async (c) => {
    const body = await readBody(c);
    decodeV2(body, { name: 'string', service_instance_guid: 'string', parameters: 'hash' }, ['name', 'service_instance_guid']);
    const inst = visibleInstance(c, body.service_instance_guid as string);
    if (!access(d, c).developsIn(inst.space_guid)) throw ccError('NotAuthorized');
    const { plan, offering } = d.ops.resolvePlan(inst);
    refuse(notBindable(plan, offering, 'key'));
    refuse(keyNameTaken(m, inst, body.name as string));
    refuse(instanceInProgress(inst));
    const { record } = await d.ops.createBinding({
      type: 'key',
      inst,
      name: body.name as string,
      parameters: body.parameters as Record<string, unknown> | undefined,
      userGuid: principal(c).userGuid, vcapRequestId: requestId(c),
      via: 'v2',
      acceptsIncomplete: false,
    });
    return json(key2(record), 201, { location: `/v2/service_keys/${record.guid}` });
  });
  app.delete('/v2/service_keys/:guid', async (c) => {
    const b = visibleBinding(c, pg(c), 'key');
    const inst = m.get('instances', b.instance_guid)!;
    if (!access(d, c).developsIn(inst.space_guid)) throw ccError('NotAuthorized');
    await d.ops.deleteBinding({ binding: b, userGuid: principal(c).userGuid, vcapRequestId: requestId(c), via: 'v2', acceptsIncomplete: false });
    return new Response(null, { status: 204 });
  });
}
