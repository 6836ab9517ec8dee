// The journal: a live table of every request the fakes served or made, filtered by service,
// method, path and status; one request in full; and a sequence diagram of what the filters show.
import { fill, getJson, h, pretty, tags, time } from '../dom.js';

const KEEP = 1000;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export function mount(el, ctx) {
  // Bumped when the filters change, so an answer to the old filters is dropped.
  let generation = 0;
  let rows = [];
  let since = 0;
  let selected = null;
  const services = new Set(['uaa', 'bosh', 'cc', 'cc->broker']);

  const service = h('select', { name: 'service', id: 'filter-service' }, h('option', { value: '' }, 'any service'));
  const method = h('select', { name: 'method', id: 'filter-method' }, h('option', { value: '' }, 'any method'), METHODS.map((m) => h('option', { value: m }, m)));
  const path = h('input', { name: 'path', id: 'filter-path', placeholder: 'part of the path, or /v2/*/last_operation', size: 32 });
  const status = h('input', { name: 'status', id: 'filter-status', placeholder: '503 or 5xx', size: 8 });
  const count = h('span', { class: 'muted', id: 'journal-count' });
  const tbody = h('tbody', { id: 'journal-rows' });
  const details = h('div', { id: 'journal-detail' }, h('p', { class: 'empty' }, 'click a request to see it in full'));
  const diagram = h('div', { id: 'journal-diagram' });
  const follow = h('input', { type: 'checkbox', id: 'diagram-follow' });

  const filters = () => {
    const q = new URLSearchParams();
    for (const [k, input] of Object.entries({ service, method, path, status })) if (input.value.trim()) q.set(k, input.value.trim());
    return q;
  };
  const restart = () => {
    generation++;
    rows = [];
    since = 0;
    tbody.replaceChildren();
    void ctx.refresh();
  };
  let typing;
  for (const input of [service, method]) input.addEventListener('change', restart);
  for (const input of [path, status])
    input.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(restart, 250);
    });

  el.append(
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Journal ', count),
      h('div', { class: 'filters' }, h('label', {}, 'service', service), h('label', {}, 'method', method), h('label', {}, 'path', path), h('label', {}, 'status', status)),
      h(
        'div',
        { class: 'scroll', 'data-scroll': 'journal' },
        h('table', { id: 'journal-table' }, h('thead', {}, h('tr', {}, ['#', 'virtual time', 'service', 'request', 'status', 'ms', ''].map((x, i) => h('th', { class: i === 0 || i === 5 ? 'num' : undefined }, x)))), tbody),
      ),
    ),
    h('section', { class: 'card' }, h('h2', {}, 'Request'), details),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Sequence diagram'),
      h('div', { class: 'filters' }, h('button', { id: 'draw-diagram', class: 'primary', onclick: () => void draw() }, 'Draw the requests shown'), h('label', { class: 'check' }, follow, 'redraw as requests come')),
      diagram,
    ),
  );

  function row(e) {
    const query = new URLSearchParams(Object.entries(e.query).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString();
    return h(
      'tr',
      { class: `clickable${selected === e.seq ? ' selected' : ''}`, 'data-seq': e.seq, 'data-service': e.service, 'data-status': e.status, onclick: () => void open(e.seq) },
      h('td', { class: 'num' }, e.seq),
      h('td', { class: 'mono nowrap', title: time(e.virtualTime) }, time(e.virtualTime).slice(11)),
      h('td', { class: 'nowrap', title: e.direction }, e.service, e.direction === 'outbound' ? h('span', { class: 'muted' }, ' ↗') : null),
      h('td', { class: 'mono request' }, `${e.method} ${e.path}${query ? `?${query}` : ''}`),
      h('td', { class: `status-${Math.floor(e.status / 100)}` }, e.status || e.error || '—'),
      h('td', { class: 'num' }, e.wallDurationMs),
      h('td', {}, e.faults.length ? h('span', { class: 'pill bad' }, `fault ${e.faults.join(', ')}`) : null, tags(e.tags)),
    );
  }

  async function open(seq) {
    selected = seq;
    for (const tr of tbody.children) tr.classList.toggle('selected', Number(tr.dataset.seq) === seq);
    const e = await getJson(`api/journal/${seq}`);
    const headers = (hs) => Object.entries(hs).map(([k, v]) => `${k}: ${v}`).join('\n');
    const query = new URLSearchParams(Object.entries(e.query).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString();
    fill(
      details,
      h('p', {}, h('strong', { class: 'mono' }, `${e.method} ${e.path}${query ? `?${query}` : ''}`), ' → ', h('strong', { class: `status-${Math.floor(e.status / 100)}` }, e.status || e.error)),
      h('p', { class: 'muted' }, `#${e.seq} · ${e.service} · ${e.direction} · virtual ${time(e.virtualTime)} → ${time(e.virtualEndTime)} · ${e.wallDurationMs} ms`, e.faults.length ? ` · fault rules ${e.faults.join(', ')}` : '', e.tags.length ? ` · ${e.tags.join(', ')}` : ''),
      e.error ? h('p', { class: 'error' }, e.error) : null,
      h('h3', {}, 'Request'),
      h('pre', { class: 'request-headers' }, headers(e.requestHeaders)),
      e.requestBody ? h('pre', { class: 'request-body' }, pretty(e.requestBody)) : null,
      h('h3', {}, 'Response'),
      h('pre', { class: 'response-headers' }, headers(e.responseHeaders)),
      e.responseBody ? h('pre', { class: 'response-body' }, pretty(e.responseBody)) : null,
    );
  }

  async function draw() {
    const q = filters();
    const { svg, entries } = await getJson(`api/sequence?${q}`);
    if (!svg) return fill(diagram, h('p', { class: 'empty' }, 'nothing to draw'));
    const figure = h('div', { class: 'diagram', 'data-entries': entries });
    // The SVG is drawn by the server from the masked journal; its labels carry no markup.
    figure.innerHTML = svg;
    fill(diagram, h('p', { class: 'muted' }, `the last ${entries} requests that match the filters`), figure);
  }

  async function refresh() {
    const q = filters();
    q.set('since', String(since));
    const asked = generation;
    const data = await getJson(`api/journal?${q}`);
    if (asked !== generation) return;
    since = data.last_seq;
    for (const e of data.entries) {
      if (!services.has(e.service)) {
        services.add(e.service);
      }
    }
    if (service.options.length - 1 < services.size) {
      const chosen = service.value;
      service.replaceChildren(h('option', { value: '' }, 'any service'), ...[...services].sort().map((s) => h('option', { value: s }, s)));
      service.value = chosen;
    }
    if (data.entries.length) {
      rows.push(...data.entries);
      const dropped = rows.length > KEEP ? rows.splice(0, rows.length - KEEP).length : 0;
      for (let i = 0; i < dropped && tbody.firstChild; i++) tbody.firstChild.remove();
      tbody.append(...data.entries.slice(-KEEP).map(row));
      const scroller = tbody.closest('.scroll');
      scroller.scrollTop = scroller.scrollHeight;
      if (follow.checked) await draw();
    }
    count.textContent = `${rows.length} shown · ${since} in all`;
  }
  return { refresh };
}
