import { parse as parseYaml } from 'yaml';
import { consumes, jsonBody, principal, type BoshApp, type BoshContext, type Director } from '../director.js';
import { BoshError, E } from '../errors.js';
import { manifestDiff } from '../manifest/diff.js';
import type { ConfigRecord } from '../state.js';

export const rubyTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');

function configJson(d: Director, c: ConfigRecord): Record<string, unknown> {
  const latest = d.model.latestConfigs(c.type).find((x) => x.name === c.name);
  return { id: String(c.id), type: c.type, name: c.name, content: c.content, team: c.team, created_at: rubyTime(c.created_at), current: latest?.id === c.id };
}

function validYaml(content: string): void {
  try {
    const v = parseYaml(content) as unknown;
    if (v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v))) throw new Error('YAML must be a hash');
  } catch (err) {
    throw new BoshError(400, 440011, `Config must be valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

export function configRoutes(app: BoshApp, d: Director): void {
  const readable = (c: BoshContext, cfg: ConfigRecord) => d.auth.owned(principal(c), 'read', cfg.team ? [cfg.team] : []) || (!cfg.team && d.auth.director(principal(c), 'list_configs'));

  app.get('/configs', (c) => {
    d.auth.requireDirector(principal(c), 'list_configs');
    const q = c.req.query();
    let limit: number | undefined;
    if (q.limit !== undefined) {
      limit = Number(q.limit);
      if (!Number.isInteger(limit)) throw E.badConfigRequest("'limit' must be a number");
    }
    const latest = q.latest === undefined ? true : q.latest === 'true';
    let list = latest ? d.model.latestConfigs() : d.model.state.configs.filter((x) => !x.deleted);
    list = list.filter((x) => (q.type === undefined || x.type === q.type) && (q.name === undefined || x.name === q.name) && readable(c, x));
    list = [...list].sort((a, b) => b.id - a.id);
    if (limit !== undefined) list = list.slice(0, Math.max(0, limit));
    return c.json(list.map((x) => configJson(d, x)));
  });

  app.get('/configs/:id', (c) => {
    d.auth.requireDirector(principal(c), 'read');
    const cfg = d.model.configById(Number(c.req.param('id')));
    if (!cfg || cfg.deleted) throw E.configNotFound(c.req.param('id'));
    return c.json(configJson(d, cfg));
  });

  app.post('/configs', async (c) => {
    const miss = consumes(c, 'application/json');
    if (miss) return miss;
    const p = principal(c);
    d.auth.requireDirector(p, 'update_configs');
    const body = await jsonBody(c);
    for (const k of ['type', 'name', 'content']) {
      if (body[k] === undefined || body[k] === null) throw E.badConfigRequest(`'${k}' is required`);
      if (typeof body[k] !== 'string') throw E.badConfigRequest(`'${k}' must be a string`);
    }
    const { type, name, content } = body as { type: string; name: string; content: string };
    if (type === '') throw E.badConfigRequest("'type' is required");
    validYaml(content);
    const latest = d.model.latestConfigs(type).find((x) => x.name === name);
    if (latest) d.auth.requireOwned(p, 'admin', latest.team ? [latest.team] : [], 'config');
    if (body.expected_latest_id !== undefined && String(body.expected_latest_id) !== String(latest?.id ?? 0)) {
      return c.json(
        { latest_id: String(latest?.id ?? 0), expected_latest_id: String(body.expected_latest_id), description: 'Config update rejected: stale expected_latest_id' },
        412,
      );
    }
    if (latest && latest.content === content) return c.json(configJson(d, latest), 201);
    const team = d.auth.isAdmin(p) ? null : (d.auth.adminTeams(p)[0] ?? null);
    const cfg = d.model.createConfig({ type, name, content, team });
    d.model.addEvent({ user: p.name, action: 'create', object_type: 'config', object_name: `${type}/${name}`, context: {} });
    return c.json(configJson(d, cfg), 201);
  });

  app.post('/configs/diff', async (c) => {
    const miss = consumes(c, 'application/json');
    if (miss) return miss;
    d.auth.requireDirector(principal(c), 'update_configs');
    const body = await jsonBody(c);
    const side = (x: unknown): { id?: string; content: string } => {
      const o = (x ?? {}) as { id?: unknown; content?: unknown };
      if (o.id !== undefined) {
        const cfg = d.model.configById(Number(o.id));
        if (!cfg) throw E.configNotFound(String(o.id));
        return { id: String(cfg.id), content: cfg.content };
      }
      if (typeof o.content !== 'string') throw E.badConfigRequest("'content' is required");
      return { content: o.content };
    };
    if (body.from !== undefined || body.to !== undefined) {
      const from = side(body.from);
      const to = side(body.to);
      return c.json({ from: from.id ? { id: from.id } : {}, to: to.id ? { id: to.id } : {}, diff: manifestDiff(from.content, to.content, false) });
    }
    if (typeof body.type !== 'string') throw E.badConfigRequest("'type' is required");
    if (typeof body.content !== 'string') throw E.badConfigRequest("'content' is required");
    validYaml(body.content);
    const latest = d.model.latestConfigs(body.type).find((x) => x.name === String(body.name ?? 'default'));
    return c.json({ ...(latest ? { from: { id: String(latest.id) } } : {}), diff: manifestDiff(latest?.content ?? null, body.content, false) });
  });

  app.delete('/configs', (c) => {
    d.auth.requireDirector(principal(c), 'update_configs');
    const { type, name } = c.req.query();
    if (!type) throw E.badConfigRequest("'type' is required");
    if (name === undefined) throw E.badConfigRequest("'name' is required");
    const n = d.model.deleteConfigs(type, name);
    if (n === 0) throw new BoshError(404, 440012, 'No configs found');
    return c.body(null, 204);
  });

  app.delete('/configs/:id', (c) => {
    d.auth.requireDirector(principal(c), 'update_configs');
    const cfg = d.model.configById(Number(c.req.param('id')));
    if (!cfg || cfg.deleted) throw E.configNotFound(c.req.param('id'));
    d.model.deleteConfig(cfg);
    return c.body(null, 204);
  });

  // Legacy per-type endpoints (`bosh cloud-config`, `update-cloud-config`, runtime and cpi configs).
  for (const [path, type] of [
    ['cloud_configs', 'cloud'],
    ['runtime_configs', 'runtime'],
    ['cpi_configs', 'cpi'],
  ] as const) {
    app.get(`/${path}`, (c) => {
      d.auth.requireDirector(principal(c), type === 'cloud' ? 'read' : 'admin');
      const limit = c.req.query('limit');
      if (limit === undefined || !/^\d+$/.test(limit)) return c.body(null, 400);
      const name = c.req.query('name') ?? 'default';
      const list = d.model.state.configs
        .filter((x) => x.type === type && (type === 'cpi' || x.name === name))
        .sort((a, b) => b.id - a.id)
        .slice(0, Number(limit));
      return c.json(list.map((x) => ({ properties: x.content, created_at: rubyTime(x.created_at) })));
    });
    app.post(`/${path}`, async (c) => {
      const miss = consumes(c, 'text/yaml');
      if (miss) return miss;
      const p = principal(c);
      d.auth.requireDirector(p, 'admin');
      const content = await c.req.text();
      validYaml(content);
      const name = c.req.query('name') || 'default';
      const latest = d.model.latestConfigs(type).find((x) => x.name === name);
      if (!latest || latest.content !== content) d.model.createConfig({ type, name, content, team: null });
      d.model.addEvent({ user: p.name, action: 'update', object_type: `${type}-config`, object_name: name, context: {} });
      return c.body(null, 201);
    });
    app.post(`/${path}/diff`, async (c) => {
      const miss = consumes(c, 'text/yaml');
      if (miss) return miss;
      d.auth.requireDirector(principal(c), 'admin');
      const content = await c.req.text();
      const name = c.req.query('name') || 'default';
      const latest = d.model.latestConfigs(type).find((x) => x.name === name);
      try {
        validYaml(content);
        return c.json({ diff: manifestDiff(latest?.content ?? null, content, c.req.query('redact') === 'true') });
      } catch (err) {
        return c.json({ diff: [], error: `Unable to diff ${type} config: ${(err as Error).message}` });
      }
    });
  }
}
