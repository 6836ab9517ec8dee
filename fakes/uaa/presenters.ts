import type { UaaModel } from './model.js';
import type { UaaClient, UaaGroup, UaaUser } from './state.js';

/** The JSON shapes UAA writes for clients, SCIM users and groups (field names, order and types). */

export const SCIM_SCHEMAS = ['urn:scim:schemas:core:1.0'];
export const CLIENT_SCHEMAS = ['http://cloudfoundry.org/schema/scim/oauth-clients-1.0'];

/** UAA's SCIM dates: `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`. */
const scimDate = (ms: number) => new Date(ms).toISOString();

/** A client as `/oauth/clients` returns it: never the secret. `autoapprove: true` is written as `["true"]`. */
export function presentClient(c: UaaClient): Record<string, unknown> {
  const out: Record<string, unknown> = {
    scope: [...c.scope],
    client_id: c.client_id,
    resource_ids: [...c.resource_ids],
    authorized_grant_types: [...c.authorized_grant_types],
  };
  if (c.redirect_uri.length > 0) out.redirect_uri = [...c.redirect_uri];
  out.autoapprove = c.autoapprove === true ? ['true'] : c.autoapprove === false ? [] : [...c.autoapprove];
  out.authorities = [...c.authorities];
  if (c.access_token_validity !== undefined) out.access_token_validity = c.access_token_validity;
  if (c.refresh_token_validity !== undefined) out.refresh_token_validity = c.refresh_token_validity;
  if (c.tokenSalt) out.token_salt = c.tokenSalt;
  if (c.allowpublic) out.allowpublic = true;
  if (c.name !== undefined) out.name = c.name;
  out.lastModified = c.lastModified;
  out.required_user_groups = [...(c.required_user_groups ?? [])];
  return out;
}

/** Direct groups, then groups reached through nested groups (`INDIRECT`), as syncGroups builds them. */
function userGroups(model: UaaModel, userId: string): { value: string; display: string; type: 'DIRECT' | 'INDIRECT' }[] {
  const groups = Object.values(model.state.groups);
  const direct = groups.filter((g) => g.members.some((m) => m.value === userId));
  const out: { value: string; display: string; type: 'DIRECT' | 'INDIRECT' }[] = direct.map((g) => ({ value: g.id, display: g.displayName, type: 'DIRECT' }));
  const seen = new Set(direct.map((g) => g.id));
  const queue = [...direct];
  while (queue.length > 0) {
    const g = queue.shift()!;
    for (const parent of groups) {
      if (seen.has(parent.id) || !parent.members.some((m) => m.value === g.id)) continue;
      seen.add(parent.id);
      queue.push(parent);
      out.push({ value: parent.id, display: parent.displayName, type: 'INDIRECT' });
    }
  }
  return out;
}

export function presentUser(model: UaaModel, u: UaaUser): Record<string, unknown> {
  const out: Record<string, unknown> = { id: u.id };
  if (u.externalId !== undefined) out.externalId = u.externalId;
  out.meta = { version: u.version, created: scimDate(u.created), lastModified: scimDate(u.lastModified) };
  out.userName = u.userName;
  out.name = { familyName: u.familyName, givenName: u.givenName };
  out.emails = [{ value: u.email, primary: false }];
  out.groups = userGroups(model, u.id);
  out.approvals = [];
  if (u.phoneNumbers && u.phoneNumbers.length > 0) out.phoneNumbers = u.phoneNumbers.map((p) => ({ value: p.value }));
  out.active = u.active;
  out.verified = u.verified;
  out.origin = u.origin;
  out.zoneId = u.zoneId;
  out.passwordLastModified = scimDate(u.passwordLastModified);
  if (u.previousLogonTime !== undefined) out.previousLogonTime = u.previousLogonTime;
  if (u.lastLogonTime !== undefined) out.lastLogonTime = u.lastLogonTime;
  out.schemas = SCIM_SCHEMAS;
  return out;
}

export function presentGroup(g: UaaGroup): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: g.id,
    meta: { version: g.version, created: scimDate(g.created), lastModified: scimDate(g.lastModified) },
    displayName: g.displayName,
  };
  if (g.description !== undefined) out.description = g.description;
  out.members = g.members.map((m) => ({ origin: m.origin, type: m.type, value: m.value }));
  out.zoneId = g.zoneId;
  out.schemas = SCIM_SCHEMAS;
  return out;
}

/**
 * `attributes=userName,emails.value`: each resource cut down to those attributes, keyed as asked
 * (UAA maps `givenName`/`familyName` into `name`, and `emails.x` over every email).
 */
export function selectAttributes(resource: Record<string, unknown>, attributes: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const aliases: Record<string, string> = { givenname: 'name.givenName', familyname: 'name.familyName' };
  for (const raw of attributes) {
    const attr = raw.trim();
    if (!attr) continue;
    const path = (aliases[attr.toLowerCase()] ?? attr).split('.');
    let current: unknown = resource;
    for (const part of path) {
      if (Array.isArray(current)) {
        current = current.map((item) => lookup(item, part)).filter((v) => v !== undefined);
      } else current = lookup(current, part);
      if (current === undefined) break;
    }
    if (current !== undefined) out[attr] = current;
  }
  return out;
}

function lookup(obj: unknown, key: string): unknown {
  if (!obj || typeof obj !== 'object') return undefined;
  const k = Object.keys(obj).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : (obj as Record<string, unknown>)[k];
}
