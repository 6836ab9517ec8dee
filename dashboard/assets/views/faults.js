// Fault rules: the list with hit counters, a form to add one, and remove buttons. Writes go
// through the control API (`/_fakefoundry/faults`), with its validation.
import { fill, getJson, h, memory, send, table } from '../dom.js';

const CONTROL = '../faults';

function describeMatch(m) {
  const parts = [m.service ?? 'any service', m.method ?? '', m.path ?? ''];
  if (m.bodyContains) parts.push(`body contains “${m.bodyContains}”`);
  if (m.bodyFields) parts.push(`body ${JSON.stringify(m.bodyFields)}`);
  if (m.query) parts.push(`query ${new URLSearchParams(m.query)}`);
  return parts.filter(Boolean).join(' ');
}

function describeAction(a) {
  if (a.type === 'status') return `answer ${a.status}${a.message ? ` “${a.message}”` : ''}${a.body !== undefined ? ' with a raw body' : ''}`;
  if (a.type === 'latency') return `wait ${a.ms} ms of clock time`;
  if (a.type === 'hang') return 'hang until removed';
  return 'drop the connection';
}

export function mount(el) {
  const list = h('div', { id: 'fault-list' });
  const error = h('p', { class: 'error', id: 'fault-error' });
  const field = (name, input) => h('label', {}, name, input);
  const f = {
    name: h('input', { name: 'name', placeholder: 'optional' }),
    service: h('input', { name: 'service', list: 'fault-services', placeholder: 'any', size: 10 }),
    method: h('select', { name: 'method' }, h('option', { value: '' }, 'any'), ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => h('option', { value: m }, m))),
    path: h('input', { name: 'path', placeholder: '/oauth/token, /deployments/*, /v2/**', size: 24 }),
    type: h('select', { name: 'type' }, ['status', 'latency', 'hang', 'reset'].map((t) => h('option', { value: t }, t))),
    status: h('input', { name: 'status', type: 'number', min: 100, max: 599, value: '503' }),
    message: h('input', { name: 'message', placeholder: 'error text (optional)' }),
    ms: h('input', { name: 'ms', type: 'number', min: 0, value: '60000' }),
    times: h('input', { name: 'times', type: 'number', min: 1, placeholder: 'every time' }),
    after: h('input', { name: 'after', type: 'number', min: 0, placeholder: '0' }),
    probability: h('input', { name: 'probability', type: 'number', min: 0, max: 1, step: 0.05, placeholder: '1' }),
  };
  const statusFields = [field('status', f.status), field('message', f.message)];
  const latencyFields = [field('ms', f.ms)];
  const showAction = () => {
    for (const l of statusFields) l.hidden = f.type.value !== 'status';
    for (const l of latencyFields) l.hidden = f.type.value !== 'latency';
  };
  f.type.addEventListener('change', showAction);

  async function add(ev) {
    ev.preventDefault();
    error.textContent = '';
    const match = {};
    for (const k of ['service', 'method', 'path']) if (f[k].value.trim()) match[k] = f[k].value.trim();
    const action = { type: f.type.value };
    if (action.type === 'status') {
      action.status = Number(f.status.value);
      if (f.message.value.trim()) action.message = f.message.value.trim();
    } else if (action.type === 'latency') action.ms = Number(f.ms.value);
    const rule = { match, action };
    if (f.name.value.trim()) rule.name = f.name.value.trim();
    for (const k of ['times', 'after', 'probability']) if (f[k].value !== '') rule[k] = Number(f[k].value);
    try {
      await send('POST', CONTROL, rule);
      await refresh();
    } catch (err) {
      error.textContent = `not added: ${err.message}`;
    }
  }

  const form = h(
    'form',
    { class: 'inline', id: 'fault-form', onsubmit: add },
    h('datalist', { id: 'fault-services' }, ['uaa', 'bosh', 'cc', 'cc->broker', 'bosh->tarball'].map((s) => h('option', { value: s }))),
    field('name', f.name),
    field('service', f.service),
    field('method', f.method),
    field('path', f.path),
    field('action', f.type),
    statusFields,
    latencyFields,
    field('times', f.times),
    field('after', f.after),
    field('probability', f.probability),
    h('button', { type: 'submit', class: 'primary', id: 'fault-add' }, 'Add rule'),
  );
  showAction();
  el.append(
    h('section', { class: 'card' }, h('h2', {}, 'Fault rules'), list, h('p', {}, h('button', { class: 'danger', id: 'fault-clear', onclick: () => void send('DELETE', CONTROL).then(refresh, (e) => (error.textContent = e.message)) }, 'Remove all'))),
    h('section', { class: 'card' }, h('h2', {}, 'Add a rule'), form, error, h('p', { class: 'muted' }, 'Matches every request that fits all the fields given; a status fault is answered in the fake’s own error format. Paths take * (one segment), ** (any) or /regex/.')),
  );

  const drawn = memory();
  async function refresh() {
    const { faults } = await getJson(CONTROL);
    if (drawn('faults', faults)) return;
    fill(
      list,
      table(
        [
          ['id', (r) => h('code', {}, r.id)],
          ['name', (r) => r.name ?? ''],
          ['matches', (r) => h('span', { class: 'mono' }, describeMatch(r.match))],
          ['does', (r) => describeAction(r.action)],
          ['limits', (r) => [r.times ? `first ${r.times}` : '', r.after ? `after ${r.after}` : '', r.probability !== undefined ? `p=${r.probability}` : ''].filter(Boolean).join(', ')],
          ['matched', (r) => r.matched, 'num'],
          ['hits', (r) => h('span', { class: 'hits' }, r.hits), 'num'],
          ['', (r) => h('button', { class: 'danger remove', onclick: () => void send('DELETE', `${CONTROL}/${encodeURIComponent(r.id)}`).then(refresh, (e) => (error.textContent = e.message)) }, 'Remove')],
        ],
        faults,
        { empty: 'no fault rules: every request is served normally', rowAttrs: (r) => ({ 'data-fault': r.id }) },
      ),
    );
  }
  return { refresh };
}
