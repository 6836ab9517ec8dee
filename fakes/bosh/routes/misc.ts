import { gzipSync } from 'node:zlib';
import { consumes, jsonBody, principal, type BoshApp, type Director } from '../director.js';
import { BoshError, text } from '../errors.js';
import type { EventRecord } from '../state.js';
import { rubyToI } from '../ruby.js';

function eventJson(e: EventRecord): Record<string, unknown> {
  const o: Record<string, unknown> = { id: String(e.id) };
  if (e.parent_id !== undefined) o.parent_id = String(e.parent_id);
  o.timestamp = e.timestamp;
  // The director's key order; nil and '' values are left out (an empty context stays).
  for (const k of ['user', 'action', 'object_type', 'object_name', 'error', 'task', 'deployment', 'instance'] as const) {
    const v = e[k];
    if (v !== undefined && v !== null && v !== '') o[k] = v;
  }
  o.context = e.context ?? {};
  return o;
}

export function miscRoutes(app: BoshApp, d: Director): void {
  app.get('/locks', (c) => {
    d.auth.requireDirector(principal(c), 'read');
    return c.json(
      // The lock holder renews its lock (10 s ahead) while it runs, so the expiry is always ahead of now.
      d.model.state.locks.map((l) => ({
        type: l.type,
        resource: l.resource,
        timeout: (Math.max(l.expires_at, d.kernel.clock.now() + 10_000) / 1000).toFixed(6),
        task_id: String(l.task_id),
      })),
    );
  });

  app.get('/events', (c) => {
    d.auth.requireDirector(principal(c), 'read_events');
    const q = c.req.query();
    const time = (v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = /^[-+]?\d+$/.test(v) ? Number(v) : Math.floor(Date.parse(v) / 1000);
      if (Number.isNaN(n)) throw new Error(v);
      return n;
    };
    let before: number | undefined;
    let after: number | undefined;
    try {
      before = time(q.before_time);
    } catch {
      return text(`Invalid before parameter: '${q.before_time}' `, 400);
    }
    try {
      after = time(q.after_time);
    } catch {
      return text(`Invalid after parameter: '${q.after_time}' `, 400);
    }
    const out: Record<string, unknown>[] = [];
    const events = d.model.state.events;
    for (let i = events.length - 1; i >= 0 && out.length < 200; i--) {
      const e = events[i];
      if (q.before_id !== undefined && !(e.id < rubyToI(q.before_id))) continue;
      if (before !== undefined && !(e.timestamp < before)) continue;
      if (after !== undefined && !(e.timestamp > after)) continue;
      if (q.deployment !== undefined && e.deployment !== q.deployment) continue;
      if (q.task !== undefined && e.task !== q.task) continue;
      if (q.instance !== undefined && e.instance !== q.instance) continue;
      if (q.user !== undefined && e.user !== q.user) continue;
      if (q.action !== undefined && e.action !== q.action) continue;
      if (q.object_type !== undefined && e.object_type !== q.object_type) continue;
      if (q.object_name !== undefined && e.object_name !== q.object_name) continue;
      if (e.deployment) {
        const dep = d.model.deployment(e.deployment);
        if (dep && !d.auth.owned(principal(c), 'read', dep.teams)) continue;
      }
      out.push(eventJson(e));
    }
    return c.json(out);
  });

  app.get('/events/:id', (c) => {
    d.auth.requireDirector(principal(c), 'read_events');
    const e = d.model.state.events.find((x) => x.id === Number(c.req.param('id')));
    if (!e) throw new BoshError(404, 100, `Event ${c.req.param('id')} not found`);
    return c.json(eventJson(e));
  });

  app.post('/events', async (c) => {
    const miss = consumes(c, 'application/json');
    if (miss) return miss;
    const p = principal(c);
    d.auth.requireDirector(p, 'admin');
    const b = await jsonBody(c);
    const s = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
    const given = (k: string) => b[k] !== undefined && b[k] !== null;
    if (!given('action') || !given('object_type') || !given('object_name')) throw new BoshError(400, 40000, 'Action, object_type, object_name are required');
    if (given('context') && (typeof b.context !== 'object' || Array.isArray(b.context))) throw new BoshError(400, 40000, 'Context must be a hash');
    d.model.addEvent({
      user: p.name,
      action: String(b.action),
      object_type: String(b.object_type),
      object_name: String(b.object_name),
      deployment: s('deployment'),
      instance: s('instance'),
      error: s('error'),
      context: b.context && typeof b.context === 'object' ? (b.context as Record<string, unknown>) : {},
    });
    return c.body(null, 200);
  });

  app.get('/director/certificate_expiry', (c) => {
    d.auth.requireDirector(principal(c), 'read');
    const expiry = new Date(d.kernel.clock.now() + 365 * 86400_000);
    return c.json([{ certificate_path: 'director.ssl.cert', expiry: expiry.toISOString().replace(/\.\d{3}Z$/, 'Z'), days_left: 365 }]);
  });

  // Logs and errand logs: an empty tarball is enough for `bosh logs` to unpack.
  app.get('/resources/:id', (c) => {
    d.auth.requireDirector(principal(c), 'read');
    return new Response(gzipSync(Buffer.alloc(1024)), { status: 200, headers: { 'content-type': 'application/octet-stream' } });
  });
}
