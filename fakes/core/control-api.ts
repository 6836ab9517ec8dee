import type { Context } from 'hono';
import { z } from 'zod';
import type { ClockMode } from './clock.js';
import { faultRuleInputSchema } from './faults.js';
import type { Kernel } from './kernel.js';
import type { Simulator } from './simulator.js';

/** What the control API needs of a foundation (kept narrow to avoid an import cycle). */
export interface ControlTarget {
  readonly services: ReadonlyMap<string, Simulator>;
  snapshot(): unknown;
  restore(snap: never): void;
  reset(only?: string): void;
}

function problem(c: Context, status: 400 | 404 | 409, message: string, details?: unknown): Response {
  return c.json({ error: message, ...(details ? { details } : {}) }, status);
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

const advanceSchema = z.union([
  z.object({ ms: z.number().min(0) }),
  z.object({ seconds: z.number().min(0) }),
  z.object({ to: z.union([z.number(), z.string()]) }),
]);

/**
 * `/_fakefoundry/*` on every fake: health, state, reset, snapshot/restore, journal, faults, clock,
 * plus each fake's own control routes under `/_fakefoundry/<service>/`. Not journaled, never faulted.
 */
export function buildControlApi(kernel: Kernel, target: ControlTarget): void {
  const api = kernel.control;

  api.get('/health', (c) =>
    c.json({ status: 'ok', foundation: kernel.id, services: [...target.services.keys()], urls: kernel.urls, now: kernel.clock.iso() }),
  );

  api.get('/state', (c) => {
    const out: Record<string, unknown> = {};
    for (const [name, sim] of target.services) out[name] = sim.dump ? sim.dump() : sim.snapshot();
    return c.json(out);
  });
  api.get('/state/:service', (c) => {
    const sim = target.services.get(c.req.param('service'));
    if (!sim) return problem(c, 404, `no service '${c.req.param('service')}'`);
    return c.json(sim.dump ? sim.dump() : sim.snapshot());
  });

  api.post('/reset', (c) => {
    const only = c.req.query('service');
    if (only && !target.services.has(only)) return problem(c, 404, `no service '${only}'`);
    target.reset(only);
    return c.body(null, 204);
  });

  api.get('/snapshot', (c) => c.json(target.snapshot()));
  api.post('/restore', async (c) => {
    const body = await readJson(c);
    if (!body || typeof body !== 'object' || (body as { version?: unknown }).version !== 1) {
      return problem(c, 400, 'body must be a snapshot taken from GET /_fakefoundry/snapshot');
    }
    try {
      target.restore(body as never);
    } catch (err) {
      return problem(c, 400, (err as Error).message);
    }
    return c.body(null, 204);
  });

  api.get('/journal', (c) => {
    const q = c.req.query();
    const entries = kernel.journal.query({
      service: q.service,
      method: q.method,
      path: q.path,
      status: q.status ? Number(q.status) : undefined,
      direction: q.direction === 'inbound' || q.direction === 'outbound' ? q.direction : undefined,
      tag: q.tag,
      since: q.since ? Number(q.since) : undefined,
      limit: q.limit ? Number(q.limit) : undefined,
    });
    return c.json({ total: entries.length, last_seq: kernel.journal.lastSeq, entries });
  });
  api.delete('/journal', (c) => {
    kernel.journal.clear();
    return c.body(null, 204);
  });

  api.get('/faults', (c) => c.json({ faults: kernel.faults.list() }));
  api.post('/faults', async (c) => {
    const parsed = faultRuleInputSchema.safeParse(await readJson(c));
    if (!parsed.success) return problem(c, 400, 'invalid fault rule', parsed.error.issues);
    try {
      return c.json(kernel.faults.add(parsed.data), 201);
    } catch (err) {
      return problem(c, 409, (err as Error).message);
    }
  });
  api.get('/faults/:id', (c) => {
    const rule = kernel.faults.get(c.req.param('id'));
    return rule ? c.json(rule) : problem(c, 404, `no fault rule '${c.req.param('id')}'`);
  });
  api.delete('/faults/:id', (c) =>
    kernel.faults.remove(c.req.param('id')) ? c.body(null, 204) : problem(c, 404, `no fault rule '${c.req.param('id')}'`),
  );
  api.delete('/faults', (c) => {
    kernel.faults.clear();
    return c.body(null, 204);
  });

  const clockView = () => ({
    now: kernel.clock.now(),
    iso: kernel.clock.iso(),
    mode: kernel.clock.mode,
    pending_timers: kernel.clock.pending(),
    next_due_at: kernel.clock.nextDueAt() ?? null,
  });
  api.get('/clock', (c) => c.json(clockView()));
  api.post('/clock/advance', async (c) => {
    const parsed = advanceSchema.safeParse(await readJson(c));
    if (!parsed.success) return problem(c, 400, 'body must be {"ms": N}, {"seconds": N} or {"to": time}');
    const d = parsed.data;
    if ('to' in d) {
      const to = typeof d.to === 'number' ? d.to : Date.parse(d.to);
      if (Number.isNaN(to) || to < kernel.clock.now()) return problem(c, 400, 'the clock cannot go backwards');
      await kernel.clock.advanceTo(to);
    } else await kernel.clock.advance('ms' in d ? d.ms : d.seconds * 1000);
    return c.json(clockView());
  });
  api.post('/clock/run-all', async (c) => {
    const fired = await kernel.clock.runAll();
    return c.json({ ...clockView(), fired });
  });
  api.put('/clock/mode', async (c) => {
    const body = (await readJson(c)) as { mode?: unknown } | undefined;
    const mode = body?.mode;
    if (mode !== 'virtual' && mode !== 'instant' && mode !== 'real') return problem(c, 400, 'mode must be virtual, instant or real');
    kernel.clock.setMode(mode as ClockMode);
    return c.json(clockView());
  });

  for (const [name, sim] of target.services) if (sim.controlRoutes) api.route(`/${name}`, sim.controlRoutes);

  api.notFound((c) => problem(c, 404, `no control endpoint ${c.req.method} ${c.req.path}`));
}
