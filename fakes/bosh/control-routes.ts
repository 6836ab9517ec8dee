import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { BoshControl, SeedRelease } from './control.js';
import { BoshError } from './errors.js';

const errandSchema = z.object({
  deployment: z.string().optional(),
  errand: z.string(),
  exit_code: z.number().int().optional(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  times: z.number().int().min(1).optional(),
});
const ruleSchema = z.object({
  type: z.string().optional(),
  deployment: z.string().optional(),
  fail_at_stage: z.string().optional(),
  message: z.string().optional(),
  code: z.number().int().optional(),
  hang: z.boolean().optional(),
  times: z.number().int().min(1).optional(),
});

async function body(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

const bad = (c: Context, msg: string, status: 400 | 404 = 400) => c.json({ error: msg }, status);

/** `/_fakefoundry/bosh/*`: the control API over HTTP, for tests in other languages. */
export function controlRoutes(ctl: BoshControl, env: () => string[]): Hono {
  const api = new Hono();
  const guard = async (c: Context, fn: () => Response | Promise<Response>) => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof BoshError) return bad(c, err.description, err.status === 404 ? 404 : 400);
      return bad(c, (err as Error).message);
    }
  };
  api.get('/env', (c) => c.text(`${env().join('\n')}\n`));
  api.post('/releases', (c) =>
    guard(c, async () => {
      const b = (await body(c)) as SeedRelease;
      if (!b || typeof b.name !== 'string' || typeof b.version !== 'string') return bad(c, 'body must be {"name","version","jobs"}');
      ctl.seedRelease(b);
      return c.body(null, 204);
    }),
  );
  api.post('/stemcells', (c) =>
    guard(c, async () => {
      const b = (await body(c)) as { name: string; version: string };
      if (!b || typeof b.name !== 'string' || typeof b.version !== 'string') return bad(c, 'body must be {"name","version"}');
      ctl.seedStemcell(b);
      return c.body(null, 204);
    }),
  );
  api.put('/cloud-config', (c) => guard(c, async () => c.json({ id: String(ctl.setCloudConfig(await c.req.text(), c.req.query('name') ?? 'default')) })));
  api.post('/deployments', (c) =>
    guard(c, async () => {
      const b = (await body(c)) as { manifest?: unknown; teams?: unknown };
      if (!b || typeof b.manifest !== 'string') return bad(c, 'body must be {"manifest": "<yaml>", "teams": []}');
      return c.json(ctl.createDeployment(b.manifest, { teams: Array.isArray(b.teams) ? b.teams.map(String) : [] }), 201);
    }),
  );
  api.get('/deployments/:name', (c) => {
    const dep = ctl.deployment(c.req.param('name'));
    return dep ? c.json(dep) : bad(c, `no deployment '${c.req.param('name')}'`, 404);
  });
  api.get('/tasks', (c) => c.json(ctl.tasks(c.req.query())));
  api.get('/tasks/:id', (c) => guard(c, () => c.json(ctl.task(Number(c.req.param('id'))))));
  api.post('/tasks/:id/:action', (c) =>
    guard(c, async () => {
      const id = Number(c.req.param('id'));
      const b = ((await body(c)) ?? {}) as { message?: string; code?: number };
      switch (c.req.param('action')) {
        case 'complete':
          await ctl.completeTask(id);
          break;
        case 'fail':
          ctl.failTask(id, b.message, b.code);
          break;
        case 'hang':
          ctl.hangTask(id, true);
          break;
        case 'resume':
          ctl.hangTask(id, false);
          break;
        case 'timeout':
          ctl.timeoutTask(id);
          break;
        default:
          return bad(c, 'action must be complete, fail, hang, resume or timeout', 404);
      }
      return c.json(ctl.task(id));
    }),
  );
  api.post('/errands', (c) =>
    guard(c, async () => {
      const p = errandSchema.safeParse(await body(c));
      if (!p.success) return bad(c, 'body must be {"deployment","errand","exit_code","stdout","stderr","times"}');
      ctl.scriptErrand(p.data);
      return c.body(null, 204);
    }),
  );
  api.post('/task-rules', (c) =>
    guard(c, async () => {
      const p = ruleSchema.safeParse(await body(c));
      if (!p.success) return bad(c, 'body must be {"type","deployment","fail_at_stage","message","code","hang","times"}');
      return c.json({ id: ctl.addTaskRule(p.data) }, 201);
    }),
  );
  api.put('/deployments/:name/instances/:group/:id/state', (c) =>
    guard(c, async () => {
      const b = ((await body(c)) ?? {}) as { job_state?: string };
      const s = b.job_state;
      if (s !== 'running' && s !== 'failing' && s !== 'stopped' && s !== 'unresponsive agent') return bad(c, 'job_state must be running, failing, stopped or unresponsive agent');
      ctl.setInstanceState(c.req.param('name'), `${c.req.param('group')}/${c.req.param('id')}`, s);
      return c.body(null, 204);
    }),
  );
  api.put('/unreachable', (c) =>
    guard(c, async () => {
      const b = ((await body(c)) ?? {}) as { on?: unknown };
      ctl.setUnreachable(b.on === true);
      return c.body(null, 204);
    }),
  );
  return api;
}
