import { consumes, jsonBody, principal, type BoshApp, type BoshContext, type Director } from '../director.js';
import { BoshError, E, text } from '../errors.js';
import { VERBOSE_1_TYPES } from '../model/model.js';
import type { TaskRecord } from '../state.js';

export function taskJson(t: TaskRecord): Record<string, unknown> {
  return {
    id: t.id,
    state: t.state,
    description: t.description,
    timestamp: t.timestamp,
    started_at: t.started_at,
    result: t.result,
    user: t.user,
    deployment: t.deployment,
    context_id: t.context_id,
  };
}

/** Byte ranges as Rack serves the event and result output: 206 for `bytes=N-`, 416 past the end. */
function ranged(c: BoshContext, body: string): Response {
  const buf = Buffer.from(body, 'utf8');
  const range = c.req.header('range');
  const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (!m) return new Response(buf, { status: 200, headers: { 'content-type': 'text/plain' } });
  const size = buf.length;
  let start = m[1] === '' ? size - Number(m[2]) : Number(m[1]);
  let end = m[1] === '' || m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start < 0) start = 0;
  if (start >= size || start > end) {
    return new Response('Byte range unsatisfiable', { status: 416, headers: { 'content-range': `bytes */${size}`, 'content-type': 'text/plain' } });
  }
  end = Math.max(end, start);
  return new Response(buf.subarray(start, end + 1), {
    status: 206,
    headers: { 'content-range': `bytes ${start}-${end}/${size}`, 'content-type': 'text/plain' },
  });
}

export function taskRoutes(app: BoshApp, d: Director): void {
  const find = (c: BoshContext, perm: 'read' | 'admin'): TaskRecord => {
    const p = principal(c);
    const raw = c.req.param('id') ?? '';
    const task = /^\d+$/.test(raw) ? d.model.task(Number(raw)) : undefined;
    if (!task) throw E.taskNotFound(raw);
    d.auth.requireOwned(p, perm, task.teams, 'task');
    return task;
  };

  app.get('/tasks', (c) => {
    const p = principal(c);
    d.auth.requireDirector(p, 'list_tasks');
    const q = c.req.query();
    const states = q.state ? new Set(q.state.split(',').map((s) => s.trim())) : null;
    const verbose = q.verbose ?? '1';
    let limit: number | null = null;
    if (q.limit !== undefined) {
      limit = Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1) limit = 1;
    }
    const seeAll = d.auth.isAdmin(p) || d.auth.isRead(p);
    const teams = d.auth.adminTeams(p);
    const out: Record<string, unknown>[] = [];
    const tasks = d.model.state.tasks;
    for (let i = tasks.length - 1; i >= 0; i--) {
      const t = tasks[i];
      if (verbose === '1' && !VERBOSE_1_TYPES.has(t.type)) continue;
      if (states && !states.has(t.state)) continue;
      if (q.deployment !== undefined && t.deployment !== q.deployment) continue;
      if (q.context_id !== undefined && t.context_id !== q.context_id) continue;
      if (!seeAll && !t.teams.some((x) => teams.includes(x))) continue;
      out.push(taskJson(t));
      if (limit !== null && out.length >= limit) break;
    }
    return c.json(out);
  });

  app.get('/tasks/:id', (c) => {
    d.auth.requireDirector(principal(c), 'list_tasks');
    return c.json(taskJson(find(c, 'read')));
  });

  app.get('/tasks/:id/output', (c) => {
    const type = c.req.query('type') ?? 'debug';
    if (!['event', 'result', 'none', 'debug', 'cpi'].includes(type)) {
      find(c, 'read');
      throw new BoshError(401, 600000, `Unknown type ${type}`);
    }
    const task = find(c, type === 'debug' || type === 'cpi' ? 'admin' : 'read');
    if (type === 'none') return c.body(null, 204);
    if (type === 'event') return ranged(c, task.event_output);
    if (type === 'result') return ranged(c, task.result_output);
    const body = type === 'debug' ? task.debug_output : '';
    return body ? ranged(c, body) : c.body(null, 204);
  });

  app.delete('/task/:id', (c) => {
    d.auth.requireDirector(principal(c), 'admin');
    const task = find(c, 'admin');
    if (!d.engine.cancel(task)) return text(`Cannot cancel task ${task.id}: invalid state (${task.state})`, 400);
    return c.body(null, 204);
  });

  app.post('/tasks/cancel', async (c) => {
    const miss = consumes(c, 'application/json');
    if (miss) return miss;
    d.auth.requireDirector(principal(c), 'admin');
    const body = await jsonBody(c);
    const states = Array.isArray(body.states) ? body.states.map(String) : ['queued'];
    for (const s of states) if (s !== 'queued' && s !== 'processing') return text(`${s} is not one of the cancellable states: queued, processing`, 400);
    const types = Array.isArray(body.types) ? body.types.map(String) : null;
    for (const t of d.model.state.tasks) {
      if (!states.includes(t.state)) continue;
      if (types && !types.includes(t.type)) continue;
      if (typeof body.deployment === 'string' && t.deployment !== body.deployment) continue;
      d.engine.cancel(t);
    }
    return c.body(null, 204);
  });
}
