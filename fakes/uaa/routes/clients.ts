import type { Context, Hono } from 'hono';
import type { UaaClientConfig } from '../config.js';
import { EmptyResponse, UaaError } from '../errors.js';
import { bearerClaims, handle, json, jsonBody, paging, pick, requireAnyScope, scopesOf, searchResults, param } from '../http.js';
import { clientSecretMatches, type UaaModel } from '../model.js';
import { CLIENT_SCHEMAS, presentClient, selectAttributes } from '../presenters.js';
import { ScimFilterError, matchesFilter, parseScimFilter } from '../scim-filter.js';
import type { TokenService } from '../tokens.js';

const READ = ['clients.read', 'clients.admin', 'uaa.admin', 'zones.uaa.admin'];
const WRITE = ['clients.write', 'clients.admin', 'uaa.admin', 'zones.uaa.admin'];
const SECRET = ['clients.secret', 'clients.admin', 'uaa.admin', 'zones.uaa.admin'];

/** ClientAdminEndpoints answers bad input with InvalidClientDetailsException: 400 `invalid_client`. */
const badClient = (message: string) => new UaaError(400, 'invalid_client', message);
const bodyError = (status: number, message: string) =>
  status === 415 ? new UaaError(415, 'invalid_request', message) : new UaaError(status, 'invalid_client', message);

function clientInput(body: Record<string, unknown>): UaaClientConfig {
  const p = pick(body, badClient);
  const autoapprove = p.raw('autoapprove');
  let auto: string[] | boolean | undefined;
  if (autoapprove === undefined || autoapprove === null) auto = undefined;
  else if (typeof autoapprove === 'boolean') auto = autoapprove;
  else if (autoapprove === 'true' || (Array.isArray(autoapprove) && autoapprove.length === 1 && autoapprove[0] === 'true')) auto = true;
  else auto = p.strings('autoapprove');
  const validity = (name: string) => {
    const v = p.int(name);
    if (v !== undefined && v < 0) throw badClient(`${name} must not be negative`);
    return v === 0 ? undefined : v;
  };
  return {
    client_id: p.str('client_id') ?? '',
    client_secret: p.str('client_secret'),
    name: p.str('name'),
    scope: p.strings('scope'),
    authorized_grant_types: p.strings('authorized_grant_types'),
    authorities: p.strings('authorities'),
    resource_ids: p.strings('resource_ids'),
    redirect_uri: p.strings('redirect_uri'),
    autoapprove: auto,
    allowpublic: p.bool('allowpublic'),
    access_token_validity: validity('access_token_validity'),
    refresh_token_validity: validity('refresh_token_validity'),
    required_user_groups: p.strings('required_user_groups'),
  };
}

/** `/oauth/clients`: UAA's client registrations, guarded by clients.* / uaa.admin; the secret is never shown. */
export function clientRoutes(app: Hono, model: UaaModel, tokens: TokenService): void {
  const guard = async (c: Context, scopes: string[]) => {
    const claims = await bearerClaims(c, tokens);
    requireAnyScope(claims, scopes);
    return claims;
  };

  app.get(
    '/oauth/clients',
    handle(async (c) => {
      await guard(c, READ);
      const filter = c.req.query('filter');
      const sortBy = c.req.query('sortBy') ?? 'client_id';
      const descending = (c.req.query('sortOrder') ?? 'ascending').toLowerCase() === 'descending';
      const { startIndex, count } = paging(c, (m) => new UaaError(400, 'unknown_error', m));
      let all = Object.values(model.state.clients).map(presentClient);
      try {
        if (filter) {
          const node = parseScimFilter(filter);
          all = all.filter((r) => matchesFilter(node, r));
        }
      } catch (err) {
        if (!(err instanceof ScimFilterError)) throw err;
        throw new UaaError(400, 'unknown_error', `Invalid filter expression: [${filter}]${sortBy ? ` [${sortBy}]` : ''}`);
      }
      sortResources(all, sortBy, descending);
      const attributes = c.req.query('attributes');
      const results = searchResults(all, startIndex, count, CLIENT_SCHEMAS);
      if (attributes) results.resources = results.resources.map((r) => selectAttributes(r, attributes.split(',')));
      return json(results);
    }),
  );

  app.post(
    '/oauth/clients',
    handle(async (c) => {
      await guard(c, WRITE);
      const body = await jsonBody(c, bodyError);
      const input = clientInput(body);
      // Unlike the seeded defaults, a client registered over the API auto-approves nothing unless asked.
      const client = model.createClient({ ...input, autoapprove: input.autoapprove ?? false });
      return json(presentClient(client), 201);
    }),
  );

  app.get(
    '/oauth/clients/:id',
    handle(async (c) => {
      await guard(c, READ);
      const client = model.client(param(c, 'id'));
      if (!client) throw new EmptyResponse(404);
      return json(presentClient(client));
    }),
  );

  app.put(
    '/oauth/clients/:id',
    handle(async (c) => {
      await guard(c, WRITE);
      const body = await jsonBody(c, bodyError);
      const input = clientInput(body);
      if (!input.client_id) input.client_id = param(c, 'id');
      return json(presentClient(model.updateClient(param(c, 'id'), input)));
    }),
  );

  app.delete(
    '/oauth/clients/:id',
    handle(async (c) => {
      await guard(c, WRITE);
      return json(presentClient(model.deleteClient(param(c, 'id'))));
    }),
  );

  // A client may change its own secret (it must then give the old one); admins need not.
  app.put(
    '/oauth/clients/:id/secret',
    handle(async (c) => {
      const claims = await bearerClaims(c, tokens);
      const id = param(c, 'id');
      const isSelf = claims.cid === id && claims.user_id === undefined;
      const admin = scopesOf(claims).some((s) => s === 'clients.admin' || s === 'uaa.admin' || s === 'zones.uaa.admin');
      if (!admin && !isSelf) requireAnyScope(claims, SECRET);
      const body = await jsonBody(c, bodyError);
      const p = pick(body, badClient);
      const secret = p.str('secret');
      const oldSecret = p.str('oldSecret');
      const mode = p.str('changeMode') ?? 'UPDATE';
      if (mode !== 'UPDATE' && mode !== 'ADD' && mode !== 'DELETE') throw badClient(`Unsupported changeMode: ${mode}`);
      const client = model.client(id);
      if (!client) throw new EmptyResponse(404);
      if (!admin && (oldSecret === undefined || !clientSecretMatches(client, oldSecret))) throw badClient('Previous secret is required and must be valid');
      // UAA keeps at most two secrets: ADD needs one, DELETE (of the first) needs two.
      if (mode === 'DELETE') {
        if (!client.secondSecret) throw badClient('client secret is either empty or client has only one secret.');
        model.deleteClientSecret(id);
        return json({ status: 'ok', message: 'Secret is deleted' });
      }
      if (mode === 'ADD' && client.secondSecret) throw badClient('client secret is either empty or client already has two secrets.');
      if (!secret) throw badClient('New secret is required');
      if (mode === 'ADD') {
        model.addClientSecret(id, secret);
        return json({ status: 'ok', message: 'Secret is added' });
      }
      model.changeClientSecret(id, secret);
      return json({ status: 'ok', message: 'secret updated' });
    }),
  );
}

export function sortResources(items: Record<string, unknown>[], sortBy: string, descending: boolean): void {
  const path = sortBy.split('.');
  const value = (r: Record<string, unknown>): unknown => {
    let cur: unknown = r;
    for (const part of path) {
      if (!cur || typeof cur !== 'object') return undefined;
      const k = Object.keys(cur).find((x) => x.toLowerCase() === part.toLowerCase());
      cur = k === undefined ? undefined : (cur as Record<string, unknown>)[k];
    }
    return cur;
  };
  items.sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    let d = 0;
    if (typeof va === 'number' && typeof vb === 'number') d = va - vb;
    else d = String(va ?? '').toLowerCase().localeCompare(String(vb ?? '').toLowerCase());
    return descending ? -d : d;
  });
}
