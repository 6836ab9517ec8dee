// Small DOM helpers shared by the views: no framework, no build step.

/** h('td', { class: 'num', onclick }, 'text', child) → an element. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * Replaces an element's children, keeping open what the user opened (`details[data-key]`) and
 * where they scrolled (`[data-scroll]`), since views re-render on every change.
 */
export function fill(el, ...children) {
  const open = new Set([...el.querySelectorAll('details[data-key]')].filter((d) => d.open).map((d) => d.dataset.key));
  const scrolls = new Map([...el.querySelectorAll('[data-scroll]')].map((s) => [s.dataset.scroll, { top: s.scrollTop, atEnd: s.scrollTop + s.clientHeight >= s.scrollHeight - 4 }]));
  el.replaceChildren();
  append(el, children);
  for (const d of el.querySelectorAll('details[data-key]')) if (open.has(d.dataset.key)) d.open = true;
  for (const s of el.querySelectorAll('[data-scroll]')) {
    const was = scrolls.get(s.dataset.scroll);
    // A growing log (`data-follow`) stays at its end unless the user scrolled up.
    if ('follow' in s.dataset && (!was || was.atEnd)) s.scrollTop = s.scrollHeight;
    else if (was) s.scrollTop = was.top;
  }
}

/**
 * What a view last drew: `drawn(key, data)` is true when `data` is what was drawn for `key`, so a
 * view skips redrawing (and keeps the user's selection and hover) when a change was elsewhere.
 */
export function memory() {
  const last = new Map();
  return (key, data) => {
    const text = JSON.stringify(data);
    if (last.get(key) === text) return true;
    last.set(key, text);
    return false;
  };
}

/** Epoch ms → `2026-01-01 00:00:05Z`. */
export function time(ms) {
  if (ms === null || ms === undefined) return '';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

export async function getJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

/** A control-API call (fault rules, the clock): JSON in, JSON or nothing out; errors carry the API's message. */
export async function send(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const details = Array.isArray(json?.details) ? `: ${json.details.map((d) => `${(d.path ?? []).join('.')} ${d.message}`).join('; ')}` : '';
    throw new Error(`${json?.error ?? res.status}${details}`);
  }
  return json;
}

/** A coloured state word (task, last operation, broker, job state). */
export function state(s) {
  if (!s) return h('span', { class: 'muted' }, '—');
  return h('span', { class: `state state-${String(s).replace(/\s+/g, '.')}` }, s);
}

export function lastOperation(op) {
  if (!op) return h('span', { class: 'muted' }, '—');
  return h('span', {}, `${op.type} `, state(op.state), op.description ? h('div', { class: 'muted' }, op.description) : null);
}

/**
 * A table: columns are [label, (row) => content, className?]; `onRow` makes rows clickable,
 * `selected(row)` marks one.
 */
export function table(columns, rows, opts = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, opts.empty ?? 'none');
  return h(
    'table',
    { class: opts.class },
    h('thead', {}, h('tr', {}, columns.map(([label, , cls]) => h('th', { class: cls }, label)))),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          {
            class: [opts.onRow ? 'clickable' : '', opts.selected?.(row) ? 'selected' : ''].join(' ').trim() || undefined,
            onclick: opts.onRow ? () => opts.onRow(row) : undefined,
            ...(opts.rowAttrs ? opts.rowAttrs(row) : {}),
          },
          columns.map(([, value, cls]) => h('td', { class: cls }, value(row))),
        ),
      ),
    ),
  );
}

export const section = (title, ...children) => h('section', { class: 'card' }, h('h2', {}, title), ...children);

export const tags = (list) => (list ?? []).map((t) => h('span', { class: 'tag' }, t));

/** Pretty JSON when the text is JSON, else the text. */
export function pretty(text) {
  if (text === null || text === undefined || text === '') return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
