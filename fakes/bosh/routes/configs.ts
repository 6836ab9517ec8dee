import { parse as parseYaml } from 'yaml';
import { isJsonObject } from '../../core/json.js';
import { consumes, principal, type BoshApp, type BoshContext, type Director } from '../director.js';
import { BoshError, E, endpointNotFound, text } from '../errors.js';
import { validateManifestYml } from '../manifest/parse.js';
import { rubyToI } from '../ruby.js';
import { manifestDiff } from '../manifest/diff.js';
import type { ConfigRecord } from '../state.js';

export const rubyTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');

function configJson(d: Director, c: ConfigRecord): Record<string, unknown> {
  const latest = d.model.latestConfigs(c.type).find((x) => x.name === c.name);
  return { id: String(c.id), type: c.type, name: c.name, content: c.content, team: c.team, created_at: rubyTime(c.created_at), current: latest?.id === c.id };
}

/** `validate_config_content`: YAML that parses to a mapping (an empty document is not one). */
function validYaml(content: string): void {
  let v: unknown;
  try {
    v = parseYaml(content) as unknown;
  } catch (err) {
    throw new BoshError(400, 440011, `Config must be valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isJsonObject(v)) throw new BoshError(400, 440011, 'YAML hash expected');
}

/** `/configs` bodies: bad JSON is 710001, JSON that is not an object is 440010. */
async function configRequest(c: BoshContext): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw E.invalidJson((err as Error).message);
  }
  if (!isJsonObject(v)) throw E.badConfigRequest('JSON object expected');
  return v;
}

export function configRoutes(app: BoshApp, d: Director): void {
  const readable = (c: BoshContext, cfg: ConfigRecord) => d.auth.owned(principal(c), 'read', cfg.team ? [cfg.team] : []) || (!cfg.team && d.auth.director(principal(c), 'list_configs'));

  const teamsOf = (cfg: ConfigRecord) => (cfg.team ? [cfg.team] : []);
  const configEvent = (user: string, type: unknown, name: unknown, error?: string) =>
    d.model.addEvent({
      user,
      action: 'create',
      object_type: `config/${typeof type === 'string' ? type : ''}`,
      ...(typeof name === 'string' ? { object_name: name } : {}),
      ...(error !== undefined ? { error } : {}),
      context: {},
    });

  app.get('/configs', (c) => {
    d.auth.requireDirector(principal(c), 'list_configs');
    const q = c.req.query();
    if (q.limit !== undefined) {
      if (q.limit !== String(rubyToI(q.limit))) throw E.badConfigRequest("'limit' must be a number");
      if (Number(q.limit) < 1) throw E.badConfigRequest("'limit' must be larger than zero");
    }
    if (q.latest !== undefined && q.latest !== 'true' && q.latest !== 'false') throw E.badConfigRequest("'latest' must be 'true' or 'false'");
    // `limit` applies per (type, name): the latest one of each by default, all of them with latest=false.
    const perGroup = q.limit !== undefined ? Number(q.limit) : q.latest === 'false' ? Infinity : 1;
    const groups = new Map<string, ConfigRecord[]>();
    for (const x of d.model.state.configs) {
      if (x.deleted || (q.type !== undefined && x.type !== q.type) || (q.name !== undefined && x.name !== q.name)) continue;
      const key = `${x.type}\u0000${x.name}`;
      const g = groups.get(key);
      if (g) g.push(x);
      else groups.set(key, [x]);
    }
    // Ordered by type, then the `default` name first, then name; newest first within a group.
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const ordered = [...groups.values()].sort(
      (ga, gb) => cmp(ga[0].type, gb[0].type) || Number(ga[0].name !== 'default') - Number(gb[0].name !== 'default') || cmp(ga[0].name, gb[0].name),
    );
    const list = ordered.flatMap((g) => [...g].sort((a, b) => b.id - a.id).slice(0, perGroup)).filter((x) => readable(c, x));
    return c.json(list.map((x) => configJson(d, x)));
  });

  app.get('/configs/:id', (c) => {
    d.auth.requireDirector(principal(c), 'read');
    const raw = c.req.param('id');
    const cfg = d.model.configById(Number(raw));
    if (!cfg || cfg.deleted) throw E.configNotFound(raw);
    return c.json(configJson(d, cfg));
  });

  app.post('/configs', async (c) => {
    const miss = consumes(c, 'application/json');
    if (miss) return miss;
    const p = principal(c);
    d.auth.requireDirector(p, 'update_configs');
    let body: Record<string, unknown> | undefined;
    try {
      body = await configRequest(c);
      for (const k of ['type', 'name']) {
        if (body[k] === undefined || body[k] === null || body[k] === '') throw E.badConfigRequest(`'${k}' is required`);
        if (typeof body[k] !== 'string') throw E.badConfigRequest(`'${k}' must be a string`);
      }
      if (typeof body.content !== 'string') throw new BoshError(400, 440011, 'Config must be valid YAML: no implicit conversion into String');
      validYaml(body.content);
    } catch (err) {
      // A config the director cannot parse is recorded as a failed create event.
      configEvent(p.name, body?.type, body?.name, (err as BoshError).description ?? String(err));
      throw err;
    }
    const { type, name, content } = body as { type: string; name: string; content: string };
    const latest = d.model.latestConfigs(type).find((x) => x.name === name);
    const latestId = latest ? String(latest.id) : '0';
    if (body.expected_latest_id !== undefined && body.expected_latest_id !== null && String(body.expected_latest_id) !== latestId) {
      const expected = String(body.expected_latest_id);
      return c.json({ latest_id: latestId, expected_latest_id: expected, description: `Latest Id: '${latestId}' does not match expected latest id` }, 412);
    }
    if (latest) d.auth.requireOwned(p, 'admin', teamsOf(latest), 'config');
    if (latest && latest.content === content) return c.json(configJson(d, latest), 201);
    // Owned by the first team of the creator's team-admin scopes (admins with none make a global one).
    const cfg = d.model.createConfig({ type, name, content, team: d.auth.adminTeams(p)[0] ?? null });
    configEvent(p.name, type, name);
    return c.json(configJson(d, cfg), 201);
  });

  app.post('/configs/diff', async (c) => {
    const miss = consumes(c, 'application/json');
    if (miss) return miss;
    const p = principal(c);
    d.auth.requireDirector(p, 'list_configs');
    const body = await configRequest(c);
    const sideKind = (x: unknown) => (isJsonObject(x) && typeof x.id === 'string' && /\d/.test(x.id) ? 'id' : isJsonObject(x) && typeof x.content === 'string' ? 'content' : null);
    const fromKind = sideKind(body.from);
    const toKind = sideKind(body.to);
    const current = typeof body.type === 'string' && body.type !== '' && typeof body.name === 'string' && body.name !== '' && typeof body.content === 'string';
    if (!(fromKind && toKind) && !current) {
      throw E.badConfigRequest(
        'The following request formats are allowed:\n1. {"from":<config>,"to":<config>} where <config> is either {"id":"<id>"} or {"content":"<content>"}\n2. {"type":"<type>","name":"<name>","content":"<content>"}',
      );
    }
    const contentOf = (side: Record<string, unknown>, kind: 'id' | 'content'): string => {
      if (kind === 'content') return side.content as string;
      const cfg = d.model.configById(Number(side.id));
      if (!cfg || cfg.deleted) throw E.configNotFound(String(side.id));
      d.auth.requireOwned(p, 'admin', teamsOf(cfg), 'config');
      return cfg.content;
    };
    try {
      if (fromKind && toKind) {
        const from = contentOf(body.from as Record<string, unknown>, fromKind);
        const to = contentOf(body.to as Record<string, unknown>, toKind);
        for (const [k, x] of [[fromKind, from], [toKind, to]] as const) if (k === 'content') validYaml(x);
        return c.json({ diff: manifestDiff(from, to, false) });
      }
      validYaml(body.content as string);
      const latest = d.model.latestConfigs(body.type as string).find((x) => x.name === body.name);
      if (latest) d.auth.requireOwned(p, 'admin', teamsOf(latest), 'config');
      return c.json({ ...(latest ? { from: { id: String(latest.id) } } : {}), diff: manifestDiff(latest?.content ?? null, body.content as string, false) });
    } catch (err) {
      if (!(err instanceof BoshError) || err.code !== 440011) throw err;
      return c.json({ diff: [], error: `Unable to diff config content: #<Bosh::Director::BadConfig: ${err.description}>` }, 400);
    }
  });

  app.delete('/configs', (c) => {
    const p = principal(c);
    d.auth.requireDirector(p, 'update_configs');
    const { type, name } = c.req.query();
    if (!type) throw E.badConfigRequest("'type' is required");
    if (!name) throw E.badConfigRequest("'name' is required");
    const latest = d.model.latestConfigs(type).find((x) => x.name === name);
    // A bare `status(404)`: Sinatra's not_found handler then writes its "Endpoint not found" text.
    if (!latest) return endpointNotFound(c.req.path);
    d.auth.requireOwned(p, 'admin', teamsOf(latest), 'config');
    d.model.deleteConfigs(type, name);
    return c.body(null, 204);
  });

  app.delete('/configs/:id', (c) => {
    const p = principal(c);
    d.auth.requireDirector(p, 'update_configs');
    const cfg = d.model.configById(Number(c.req.param('id')));
    if (!cfg || cfg.deleted) throw E.configNotFound(c.req.param('id'));
    d.auth.requireOwned(p, 'admin', teamsOf(cfg), 'config');
    d.model.deleteConfig(cfg);
    return c.body(null, 204);
  });

  // Legacy per-type endpoints (`bosh cloud-config`, `update-cloud-config`, runtime and cpi configs).
  for (const [path, type] of [
    ['cloud_configs', 'cloud'],
    ['runtime_configs', 'runtime'],
    ['cpi_configs', 'cpi'],
  ] as const) {
    const nameOf = (c: BoshContext) => c.req.query('name') || 'default';
    const eventType = `${type}-config`;
    app.get(`/${path}`, (c) => {
      d.auth.requireDirector(principal(c), 'read');
      const raw = c.req.query('limit');
      if (!raw) return text('limit is required', 400);
      // Ruby's Integer(): an optional sign and digits (underscores between digits allowed).
      if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(raw)) return text(`limit is invalid: '${raw}' is not an integer`, 400);
      const limit = Math.max(0, Number(raw.trim().replace(/_/g, '')));
      const name = nameOf(c);
      const list = d.model.state.configs
        .filter((x) => x.type === type && !x.deleted && (type === 'cpi' || x.name === name))
        .sort((a, b) => b.id - a.id)
        .slice(0, limit);
      return c.json(list.map((x) => ({ properties: x.content, created_at: rubyTime(x.created_at) })));
    });
    app.post(`/${path}`, async (c) => {
      const miss = consumes(c, 'text/yaml');
      if (miss) return miss;
      const p = principal(c);
      d.auth.requireDirector(p, 'admin');
      const content = await c.req.text();
      const name = nameOf(c);
      try {
        validateManifestYml(content);
      } catch (err) {
        // The director records the failed update as an event carrying the error.
        d.model.addEvent({ user: p.name, action: 'update', object_type: eventType, object_name: name, error: (err as BoshError).description, context: {} });
        throw err;
      }
      const latest = d.model.latestConfigs(type).find((x) => x.name === name);
      if (!latest || latest.content !== content) {
        d.model.createConfig({ type, name, content, team: null });
        d.model.addEvent({ user: p.name, action: 'update', object_type: eventType, object_name: name, context: {} });
      }
      return c.body(null, 201);
    });
    app.post(`/${path}/diff`, async (c) => {
      const miss = consumes(c, 'text/yaml');
      if (miss) return miss;
      d.auth.requireDirector(principal(c), 'admin');
      const content = await c.req.text();
      validateManifestYml(content);
      const latest = d.model.latestConfigs(type).find((x) => x.name === nameOf(c));
      // The runtime-config diff redacts unless told not to; the cloud-config diff never does.
      const redact = type === 'runtime' && c.req.query('redact') !== 'false';
      return c.json({ diff: manifestDiff(latest?.content ?? null, content, redact) });
    });
  }
}
