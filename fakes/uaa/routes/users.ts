import type { Context, Hono } from 'hono';
import { UaaError, scimError } from '../errors.js';
import { bearerClaims, handle, json, jsonBody, paging, pick, requireAnyScope, scopesOf, searchResults, param } from '../http.js';
import type { ScimUserInput, UaaModel } from '../model.js';
import { SCIM_SCHEMAS, presentUser, selectAttributes } from '../presenters.js';
import { ScimFilterError, filterAttributes, matchesFilter, parseScimFilter, type FilterNode } from '../scim-filter.js';
import type { TokenService } from '../tokens.js';
import { sortResources } from './clients.js';

const READ = ['scim.read', 'uaa.admin'];
const CREATE = ['scim.write', 'scim.create', 'uaa.admin'];
const WRITE = ['scim.write', 'uaa.admin'];

/** SCIM endpoints wrap anything unexpected in a ScimException, whose snake-cased name is `scim`. */
export const scimBodyError = (status: number, message: string) =>
  scimError(status === 415 ? 415 : status, 'scim', message);
const invalidResource = (message: string) => scimError(400, 'invalid_scim_resource', message);

/** UAA's getVersion: strips quotes; `*` is the current version; anything else must be a number. */
export function ifMatchVersion(header: string | undefined, current: () => number): number {
  let v = (header ?? '').trim();
  while (v.startsWith('"')) v = v.slice(1);
  while (v.endsWith('"')) v = v.slice(0, -1);
  if (v === '*') return current();
  if (!/^-?\d+$/.test(v)) throw scimError(400, 'scim', `Invalid version match header (should be a version number): ${header}`);
  return Number(v);
}

/**
 * `DELETE /Users/{id}` and `/Groups/{id}`: an optional If-Match version, then the resource as it
 * was before the delete, with its ETag.
 */
export function deleteVersioned<T extends { version: number }>(c: Context, existing: T, present: (r: T) => unknown, remove: (version: number | undefined) => void): Response {
  const header = c.req.header('if-match');
  const version = header === undefined ? undefined : ifMatchVersion(header, () => existing.version);
  const shown = present(existing);
  remove(version);
  return json(shown, 200, { etag: `"${existing.version}"` });
}

function userInput(body: Record<string, unknown>): ScimUserInput {
  const p = pick(body, invalidResource);
  const name = p.raw('name');
  if (name !== undefined && name !== null && (typeof name !== 'object' || Array.isArray(name))) throw invalidResource('name must be an object');
  const n = pick((name ?? {}) as Record<string, unknown>, invalidResource);
  const emails = p.raw('emails');
  let email: string | undefined;
  if (emails !== undefined && emails !== null) {
    if (!Array.isArray(emails) || emails.some((e) => !e || typeof e !== 'object' || typeof (e as { value?: unknown }).value !== 'string')) {
      throw invalidResource('emails must be an array of {value}');
    }
    const list = emails as { value: string; primary?: boolean }[];
    email = (list.find((e) => e.primary) ?? list[0])?.value;
  }
  const phones = p.raw('phoneNumbers');
  let phoneNumbers: { value: string }[] | undefined;
  if (Array.isArray(phones)) phoneNumbers = phones.filter((x) => x && typeof x.value === 'string').map((x) => ({ value: String(x.value) }));
  return {
    userName: p.str('userName'),
    password: p.str('password'),
    email,
    givenName: n.str('givenName'),
    familyName: n.str('familyName'),
    origin: p.str('origin'),
    active: p.bool('active'),
    verified: p.bool('verified'),
    externalId: p.str('externalId'),
    phoneNumbers,
  };
}

export interface ListQuery {
  filter?: string;
  sortBy: string;
  descending: boolean;
  startIndex: number;
  count: number;
}

export function listQuery(c: Context, defaultSort: string): ListQuery {
  return {
    filter: c.req.query('filter'),
    sortBy: c.req.query('sortBy') ?? defaultSort,
    descending: (c.req.query('sortOrder') ?? 'ascending').toLowerCase() === 'descending',
    ...paging(c, (m) => scimError(400, 'scim', m)),
  };
}

/** Filters and sorts SCIM resources; a bad filter is UAA's 400 `Invalid filter expression: [f] [sortBy]`. */
/** A SCIM list answer (`/Users`, `/Groups`): filter, sort and page, then keep only the asked `attributes`. */
export function scimList(c: Context, presented: Record<string, unknown>[]) {
  const q = listQuery(c, 'created');
  const results = searchResults(queryResources(presented, q), q.startIndex, q.count, SCIM_SCHEMAS);
  const attributes = c.req.query('attributes');
  if (attributes) results.resources = results.resources.map((r) => selectAttributes(r, attributes.split(',')));
  return results;
}

export function queryResources(all: Record<string, unknown>[], q: ListQuery, check?: (node: FilterNode) => void): Record<string, unknown>[] {
  let out = all;
  if (q.filter !== undefined) {
    try {
      const node = parseScimFilter(q.filter);
      check?.(node);
      out = all.filter((r) => matchesFilter(node, withAliases(r)));
    } catch (err) {
      if (!(err instanceof ScimFilterError)) throw err;
      throw scimError(400, 'scim', `Invalid filter expression: [${q.filter}]${q.sortBy ? ` [${q.sortBy}]` : ''}`);
    }
  }
  const sortBy = ['created', 'lastmodified', 'version'].includes(q.sortBy.toLowerCase()) ? `meta.${q.sortBy}` : q.sortBy;
  sortResources(out, sortBy, q.descending);
  return out;
}

/** SCIM attribute names UAA's filter accepts besides the JSON field paths (email, givenName, created, ...). */
function withAliases(r: Record<string, unknown>): Record<string, unknown> {
  const meta = (r.meta ?? {}) as Record<string, unknown>;
  const name = (r.name ?? {}) as Record<string, unknown>;
  const emails = Array.isArray(r.emails) ? (r.emails as { value: string }[]) : [];
  return {
    ...r,
    email: emails.map((e) => e.value),
    givenName: name.givenName,
    familyName: name.familyName,
    created: meta.created,
    lastModified: meta.lastModified,
    version: meta.version,
  };
}

/** `/Users` (SCIM 1.0), `/Users/{id}/password` and `/ids/Users`. */
export function userRoutes(app: Hono, model: UaaModel, tokens: TokenService): void {
  const guard = async (c: Context, scopes: string[]) => {
    const claims = await bearerClaims(c, tokens);
    requireAnyScope(claims, scopes);
    return claims;
  };
  const etag = (version: number) => ({ etag: `"${version}"` });

  app.get(
    '/Users',
    handle(async (c) => {
      await guard(c, READ);
      return json(scimList(c, Object.values(model.state.users).map((u) => presentUser(model, u))));
    }),
  );

  app.post(
    '/Users',
    handle(async (c) => {
      await guard(c, CREATE);
      const user = model.createUser(userInput(await jsonBody(c, scimBodyError)));
      return json(presentUser(model, user), 201, etag(user.version));
    }),
  );

  app.get(
    '/Users/:id',
    handle(async (c) => {
      const claims = await bearerClaims(c, tokens);
      const id = param(c, 'id');
      const self = claims.user_id === id && scopesOf(claims).includes('scim.me');
      if (!self) requireAnyScope(claims, READ);
      const user = model.requireUser(id);
      return json(presentUser(model, user), 200, etag(user.version));
    }),
  );

  const update = (patch: boolean) =>
    handle(async (c) => {
      await guard(c, WRITE);
      const id = param(c, 'id');
      const body = await jsonBody(c, scimBodyError);
      const ifMatch = c.req.header('if-match');
      if (ifMatch === undefined) throw scimError(400, 'scim', 'Missing If-Match for PUT');
      const existing = model.requireUser(id);
      const version = ifMatchVersion(ifMatch, () => existing.version);
      let input = userInput(body);
      if (patch) {
        // PATCH keeps whatever the body leaves out.
        input = {
          userName: input.userName ?? existing.userName,
          email: input.email ?? existing.email,
          givenName: input.givenName ?? existing.givenName,
          familyName: input.familyName ?? existing.familyName,
          origin: input.origin ?? existing.origin,
          active: input.active,
          verified: input.verified,
          externalId: input.externalId,
          phoneNumbers: input.phoneNumbers,
        };
      }
      const user = model.updateUser(id, input, version);
      return json(presentUser(model, user), 200, etag(user.version));
    });
  app.put('/Users/:id', update(false));
  app.patch('/Users/:id', update(true));

  app.delete(
    '/Users/:id',
    handle(async (c) => {
      await guard(c, WRITE);
      const id = param(c, 'id');
      return deleteVersioned(c, model.requireUser(id), (u) => presentUser(model, u), (version) => model.deleteUser(id, version));
    }),
  );

  // Admins set a password outright; a user changing their own must give the old one.
  app.put(
    '/Users/:id/password',
    handle(async (c) => {
      const claims = await bearerClaims(c, tokens);
      const id = param(c, 'id');
      const scopes = scopesOf(claims);
      const admin = scopes.includes('uaa.admin');
      const self = claims.user_id === id && scopes.includes('password.write');
      if (!admin && !self) requireAnyScope(claims, ['uaa.admin', 'password.write']);
      if (!admin && !self) throw new UaaError(403, 'access_denied', 'Access is denied');
      const body = await jsonBody(c, scimBodyError);
      const p = pick(body, invalidResource);
      const password = p.str('password');
      const oldPassword = p.str('oldPassword');
      const user = model.requireUser(id);
      if (!admin && oldPassword !== user.password) throw scimError(401, 'unauthorized', 'Old password is incorrect');
      if (!password) throw scimError(422, 'invalid_password', 'Password must be at least 1 characters in length.');
      if (password === user.password) throw scimError(422, 'invalid_password', 'Your new password cannot be the same as the old password.');
      model.setPassword(id, password);
      return json({ status: 'ok', message: 'password updated' });
    }),
  );

  // Only two changes are allowed: unlock, and require a password change (UAA refuses the reverse of each).
  app.patch(
    '/Users/:id/status',
    handle(async (c) => {
      await guard(c, WRITE);
      const user = model.requireUser(param(c, 'id'));
      const body = await jsonBody(c, scimBodyError);
      const p = pick(body, (m) => scimError(400, 'scim', m));
      const locked = p.bool('locked');
      const change = p.bool('passwordChangeRequired');
      if (user.origin !== 'uaa') throw scimError(400, 'scim', 'Can only manage users from the internal user store.');
      if (locked === true) {
        throw scimError(400, 'scim', 'Cannot set user account to locked. User accounts only become locked through exceeding the allowed failed login attempts.');
      }
      if (change === false) throw scimError(400, 'scim', 'The requirement that this user change their password cannot be removed via API.');
      if (change === true) model.requirePasswordChange(user.id);
      const out: Record<string, unknown> = {};
      if (locked !== undefined) out.locked = locked;
      if (change !== undefined) out.passwordChangeRequired = change;
      return json(out);
    }),
  );

  // id <-> userName lookup; only id, userName and origin may be filtered on.
  app.get(
    '/ids/Users',
    handle(async (c) => {
      await guard(c, ['scim.userids', 'uaa.admin']);
      const q = listQuery(c, 'userName');
      const all = Object.values(model.state.users).map((u) => ({ id: u.id, userName: u.userName, origin: u.origin }));
      const filtered = queryResources(all, q, (node) => {
        for (const a of filterAttributes(node)) {
          if (!['id', 'username', 'origin'].includes(a.toLowerCase())) throw new ScimFilterError('Invalid filter attribute.');
        }
      });
      return json(searchResults(filtered, q.startIndex, q.count, SCIM_SCHEMAS));
    }),
  );
}
