import type { Context, Hono } from 'hono';
import { scimError } from '../errors.js';
import { bearerClaims, handle, json, jsonBody, pick, requireAnyScope, param } from '../http.js';
import type { UaaModel } from '../model.js';
import { presentGroup } from '../presenters.js';
import type { UaaGroupMember } from '../state.js';
import type { TokenService } from '../tokens.js';
import { deleteVersioned, ifMatchVersion, scimBodyError, scimList } from './users.js';

const READ = ['scim.read', 'uaa.admin'];
const WRITE = ['scim.write', 'groups.update', 'uaa.admin'];

const invalidResource = (message: string) => scimError(400, 'invalid_scim_resource', message);

function members(raw: unknown): UaaGroupMember[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw invalidResource('members must be an array');
  return raw.map((m) => member(m));
}

function member(m: unknown): UaaGroupMember {
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw invalidResource('a member must be an object');
  const p = pick(m as Record<string, unknown>, invalidResource);
  return { value: p.str('value') ?? '', type: (p.str('type') ?? 'USER') as UaaGroupMember['type'], origin: p.str('origin') ?? 'uaa' };
}

function groupInput(body: Record<string, unknown>) {
  const p = pick(body, invalidResource);
  return { displayName: p.str('displayName'), description: p.str('description'), members: members(p.raw('members')) };
}

/** `/Groups` (SCIM 1.0) and their members; membership is what gives users their token scopes. */
export function groupRoutes(app: Hono, model: UaaModel, tokens: TokenService): void {
  const guard = async (c: Context, scopes: string[]) => requireAnyScope(await bearerClaims(c, tokens), scopes);
  const etag = (version: number) => ({ etag: `"${version}"` });

  app.get(
    '/Groups',
    handle(async (c) => {
      await guard(c, READ);
      return json(scimList(c, Object.values(model.state.groups).map(presentGroup)));
    }),
  );

  app.post(
    '/Groups',
    handle(async (c) => {
      await guard(c, WRITE);
      const g = model.createGroup(groupInput(await jsonBody(c, scimBodyError)));
      return json(presentGroup(g), 201, etag(g.version));
    }),
  );

  app.get(
    '/Groups/:id',
    handle(async (c) => {
      await guard(c, READ);
      const g = model.requireGroup(param(c, 'id'));
      return json(presentGroup(g), 200, etag(g.version));
    }),
  );

  const update = (patch: boolean) =>
    handle(async (c) => {
      await guard(c, WRITE);
      const id = param(c, 'id');
      const body = await jsonBody(c, scimBodyError);
      const ifMatch = c.req.header('if-match');
      if (ifMatch === undefined) throw scimError(400, 'scim', `Missing If-Match for ${patch ? 'PATCH' : 'PUT'}`);
      const existing = model.requireGroup(id);
      const version = ifMatchVersion(ifMatch, () => existing.version);
      const input = groupInput(body);
      if (patch) {
        // SCIM 1.1 PATCH adds members; `meta.attributes` would remove, which this fake does not model.
        const added = input.members ?? [];
        input.members = [...existing.members, ...added.filter((m) => !existing.members.some((e) => e.value === m.value))];
        input.displayName ??= existing.displayName;
        input.description ??= existing.description;
      }
      const g = model.updateGroup(id, input, version);
      return json(presentGroup(g), 200, etag(g.version));
    });
  app.put('/Groups/:id', update(false));
  app.patch('/Groups/:id', update(true));

  app.delete(
    '/Groups/:id',
    handle(async (c) => {
      await guard(c, WRITE);
      const id = param(c, 'id');
      return deleteVersioned(c, model.requireGroup(id), presentGroup, (version) => model.deleteGroup(id, version));
    }),
  );

  app.get(
    '/Groups/:id/members',
    handle(async (c) => {
      await guard(c, READ);
      const g = model.requireGroup(param(c, 'id'));
      return json(g.members.map((m) => ({ origin: m.origin, type: m.type, value: m.value })));
    }),
  );

  app.post(
    '/Groups/:id/members',
    handle(async (c) => {
      await guard(c, WRITE);
      const m = model.addGroupMember(param(c, 'id'), member(await jsonBody(c, scimBodyError)));
      return json({ origin: m.origin, type: m.type, value: m.value }, 201);
    }),
  );

  app.get(
    '/Groups/:id/members/:memberId',
    handle(async (c) => {
      await guard(c, READ);
      const g = model.requireGroup(param(c, 'id'));
      const m = g.members.find((x) => x.value === param(c, 'memberId'));
      if (!m) throw scimError(404, 'member_not_found', `Member ${param(c, 'memberId')} does not exist in group ${g.id}`);
      return json({ origin: m.origin, type: m.type, value: m.value });
    }),
  );

  app.delete(
    '/Groups/:id/members/:memberId',
    handle(async (c) => {
      await guard(c, WRITE);
      const m = model.removeGroupMember(param(c, 'id'), param(c, 'memberId'));
      return json({ origin: m.origin, type: m.type, value: m.value });
    }),
  );
}
