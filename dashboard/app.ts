import { readFile } from 'node:fs/promises';
import { Hono, type Context } from 'hono';
import type { Kernel } from '../fakes/core/kernel.js';
import { changeEvents } from './events.js';
import { detail, filterEntries, filterFromQuery, summary } from './journal-view.js';
import { boshTaskView, boshView, ccView, uaaView, type DashboardTarget } from './state-views.js';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
const ASSET = /^(?:[a-z0-9-]+\/)*[a-z0-9-]+\.(html|js|css|svg)$/;
/** Rows the live journal table starts with (the newest); the page keeps appending. */
const JOURNAL_PAGE = 500;
/** Requests drawn in one sequence diagram (the newest that match the filters). */
const DIAGRAM_ENTRIES = 60;

async function asset(c: Context, name: string): Promise<Response> {
  const m = ASSET.exec(name);
  if (!m) return c.json({ error: `no dashboard file '${name}'` }, 404);
  try {
    const body = await readFile(new URL(`./assets/${name}`, import.meta.url));
    return c.body(body, 200, { 'content-type': TYPES[m[1]], 'cache-control': 'no-cache' });
  } catch {
    return c.json({ error: `no dashboard file '${name}'` }, 404);
  }
}

/**
 * The diagram renderer, loaded when a diagram is first asked for. Its path is computed so that
 * esbuild leaves it out of the bundled `up` command (its layout engine is twice that bundle's
 * size): the bundle loads it from `dist/report/` beside it; sources (tsx, vitest) load the `.ts`.
 */
function sequenceRenderer(): Promise<typeof import('../report/sequence.js')> {
  const here = import.meta.url;
  return import(new URL(`../report/sequence${here.endsWith('.ts') ? '.ts' : '.js'}`, here).href);
}

/**
 * The dashboard under `/ui` of the control API (`/_fakefoundry/ui/` on every fake's port): the page
 * and its scripts, the read-only views of each fake, the journal, and the change events. It writes
 * nothing: the page adds and removes fault rules and moves the clock through the control API.
 */
export function dashboardApp(kernel: Kernel, target: DashboardTarget): Hono {
  const root = new Hono();
  // Relative URLs in the page need the trailing slash.
  root.get('/ui', (c) => c.redirect('ui/', 302));
  root.get('/ui/', (c) => asset(c, 'index.html'));
  const app = root.basePath('/ui');
  app.get('/api/overview', (c) =>
    c.json({ foundation: kernel.id, services: [...target.services.keys()], urls: kernel.urls, clock: { now: kernel.clock.now(), mode: kernel.clock.mode } }),
  );
  app.get('/api/bosh', (c) => c.json(boshView(target)));
  app.get('/api/bosh/tasks/:id', (c) => {
    const view = /^\d+$/.test(c.req.param('id')) ? boshTaskView(target, Number(c.req.param('id'))) : undefined;
    return view ? c.json(view) : c.json({ error: `no task ${c.req.param('id')}` }, 404);
  });
  app.get('/api/cc', (c) => c.json(ccView(target)));
  app.get('/api/uaa', (c) => c.json(uaaView(target)));
  app.get('/api/journal', (c) => {
    const f = filterFromQuery(c.req.query());
    const entries = filterEntries(kernel.journal, { ...f, limit: f.limit ?? JOURNAL_PAGE });
    return c.json({ last_seq: kernel.journal.lastSeq, entries: entries.map(summary) });
  });
  app.get('/api/journal/:seq', (c) => {
    const seq = Number(c.req.param('seq'));
    const e = kernel.journal.query({ since: seq - 1 }).find((x) => x.seq === seq);
    return e ? c.json(detail(e)) : c.json({ error: `no journal entry ${c.req.param('seq')}` }, 404);
  });
  app.get('/api/sequence', async (c) => {
    const f = filterFromQuery(c.req.query());
    const entries = filterEntries(kernel.journal, { ...f, limit: Math.min(f.limit ?? DIAGRAM_ENTRIES, 200) }).map(detail);
    const { traceToSvg } = await sequenceRenderer();
    const svg = traceToSvg({ journal: entries });
    return c.json({ entries: entries.length, svg: svg ?? null });
  });
  app.get('/api/events', (c) => changeEvents(c, kernel));
  app.get('/:file{.+}', (c) => asset(c, c.req.param('file')));
  root.notFound((c) => c.json({ error: `no dashboard endpoint ${c.req.method} ${c.req.path}` }, 404));
  return root;
}
