// The dashboard shell: tabs, the live connection (server-sent events), and the clock in the header.
import { getJson, h, time } from './dom.js';

const VIEWS = {
  bosh: () => import('./views/bosh.js'),
  cc: () => import('./views/cc.js'),
  uaa: () => import('./views/uaa.js'),
  journal: () => import('./views/journal.js'),
  faults: () => import('./views/faults.js'),
  clock: () => import('./views/clock.js'),
};

const root = document.getElementById('view');
let current = null;
let lastChange = null;
let busy = false;
let again = false;

/** Re-renders the open view; changes that arrive meanwhile make one more pass, not one each. */
async function refresh() {
  if (!current) return;
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  const view = current;
  try {
    await view.refresh(lastChange);
    view.el.querySelector(':scope > .error.view-error')?.remove();
  } catch (err) {
    if (view === current && !view.el.querySelector(':scope > .error.view-error')) view.el.prepend(h('p', { class: 'error view-error' }, String(err.message ?? err)));
  } finally {
    busy = false;
    if (again) {
      again = false;
      void refresh();
    }
  }
}

async function show(name) {
  if (!VIEWS[name]) name = 'bosh';
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.view === name);
  const mod = await VIEWS[name]();
  const el = h('div', { id: `view-${name}`, class: 'view' });
  root.replaceChildren(el);
  current = { name, el, ...mod.mount(el, { refresh }) };
  document.body.dataset.view = name;
  await refresh();
}

function showClock(change) {
  document.getElementById('clock-now').textContent = time(change.now);
  const mode = document.getElementById('clock-mode');
  mode.textContent = change.mode;
  mode.className = `pill mode-${change.mode}`;
}

function connect() {
  const live = document.getElementById('live');
  const events = new EventSource('api/events');
  events.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'pill on';
  });
  events.addEventListener('error', () => {
    live.textContent = 'reconnecting';
    live.className = 'pill off';
  });
  events.addEventListener('change', (e) => {
    lastChange = JSON.parse(e.data);
    document.body.dataset.seq = String(lastChange.seq);
    showClock(lastChange);
    void refresh();
  });
}

const overview = await getJson('api/overview');
document.getElementById('foundation').textContent = `· ${overview.foundation}`;
document.title = `fakefoundry · ${overview.foundation}`;
for (const a of document.querySelectorAll('#tabs a')) {
  const needs = { bosh: 'bosh', cc: 'cc', uaa: 'uaa' }[a.dataset.view];
  if (needs && !overview.services.includes(needs)) a.hidden = true;
}
lastChange = { seq: 0, ...overview.clock };
showClock(lastChange);
window.addEventListener('hashchange', () => void show(location.hash.slice(1)));
await show(location.hash.slice(1) || (overview.services.includes('bosh') ? 'bosh' : 'journal'));
connect();
