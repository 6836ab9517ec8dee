import { consumes, jsonBody, principal, type BoshApp, type BoshContext, type Director } from '../director.js';
import { BoshError, E, text } from '../errors.js';
import { SINATRA_DEFAULT_TYPE } from '../headers.js';
import { VERBOSE_1_TYPES } from '../model/model.js';
import { rubyToI } from '../ruby.js';
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

/**
 * Rack's `byte_ranges`: null means "serve everything" (no header, unparsable, backwards, or more
 * than one range); an empty list means unsatisfiable (416).
 */
export function rackByteRanges(header: string | undefined, size: number): [number, number][] | null {
  const m = header ? /bytes=([^;]+)/.exec(header) : null;
  if (!m) return null;
  const ranges: [number, number][] = [];
  for (const spec of m[1].split(/,\s*/)) {
    const r = /(\d*)-(\d*)/.exec(spec);
    if (!r) return null;
    let r0: number;
    let r1: number;
    if (r[1] === '') {
      if (r[2] === '') return null;
      r0 = Math.max(0, size - Number(r[2]));
      r1 = size - 1;
    } else {
      r0 = Number(r[1]);
      if (r[2] === '') r1 = size - 1;
      else {
        r1 = Number(r[2]);
        if (r1 < r0) return null;
        if (r1 >= size) r1 = size - 1;
      }
    }
    if (r0 <= r1) ranges.push([r0, r1]);
  }
  return ranges;
}

/** The event and result output as the director serves it from the task row: 200, 206 or 416. */
function ranged(c: BoshContext, body: string, type = SINATRA_DEFAULT_TYPE): Response {
  const buf = Buffer.from(body, 'utf8');
  const size = buf.length;
  const ranges = rackByteRanges(c.req.header('range'), size);
  if (ranges === null || ranges.length > 1) return new Response(buf, { status: 200, headers: { 'content-type': type } });
  if (ranges.length === 0) {
    return new Response('Byte range unsatisfiable', { status: 416, headers: { 'content-range': `bytes */${size}`, 'content-type': type } });
  }
  const [start, end] = ranges[0];
  return new Response(buf.subarray(start, end + 1), {
    status: 206,
    headers: { 'content-range': `bytes ${start}-${end}/${size}`, 'content-type': type },
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
    const states = q.state ? new Set(q.state.split(',')) : null;
    const verbose = q.verbose ?? '1';
    let limit: number | null = null;
    if (q.limit !== undefined) limit = Math.max(1, rubyToI(q.limit));
    const seeAll = d.auth.isAdmin(p) || d.auth.isRead(p);
    const teams = d.auth.adminTeams(p);
    const matched: TaskRecord[] = [];
    for (const t of d.model.state.tasks) {
      if (verbose === '1' && !VERBOSE_1_TYPES.has(t.type)) continue;
      if (states && !states.has(t.state)) continue;
      if (q.deployment !== undefined && t.deployment !== q.deployment) continue;
      if (q.context_id !== undefined && t.context_id !== q.context_id) continue;
      if (!seeAll && !t.teams.some((x) => teams.includes(x))) continue;
      matched.push(t);
    }
    // Newest `timestamp` first (it is overwritten at start and finish); ties by id, newest first.
    matched.sort((a, b) => b.timestamp - a.timestamp || b.id - a.id);
    const out = (limit === null ? matched : matched.slice(0, limit)).map(taskJson);
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
    // `send_file` with `type: 'text/plain'` (Sinatra adds the charset).
    return body ? ranged(c, body, 'text/plain;charset=utf-8') : c.body(null, 204);
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
