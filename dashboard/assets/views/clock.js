// The clock: its mode, the time, timers waiting; advance it (virtual mode) or switch modes.
import { fill, getJson, h, send, time } from '../dom.js';

const STEPS = [
  ['+1 s', 1_000],
  ['+10 s', 10_000],
  ['+1 min', 60_000],
  ['+10 min', 600_000],
  ['+1 h', 3_600_000],
];

export function mount(el) {
  const info = h('div', { id: 'clock-info' });
  const controls = h('div', { id: 'clock-controls' });
  const error = h('p', { class: 'error', id: 'clock-error' });
  el.append(h('section', { class: 'card' }, h('h2', {}, 'Clock'), info, controls, error));

  const act = (p) => {
    error.textContent = '';
    return p.then(refresh, (e) => (error.textContent = e.message));
  };
  const seconds = h('input', { type: 'number', min: 0, step: 'any', id: 'advance-seconds', placeholder: 'seconds' });
  const mode = h('select', { id: 'clock-mode-select' }, ['virtual', 'instant', 'real'].map((m) => h('option', { value: m }, m)));
  let shownMode = null;

  async function refresh() {
    const c = await getJson('../clock');
    fill(
      info,
      h('p', { class: 'big', id: 'clock-time' }, time(c.now)),
      h(
        'dl',
        { class: 'kv' },
        h('dt', {}, 'mode'),
        h('dd', { id: 'clock-mode-value' }, c.mode),
        h('dt', {}, 'timers waiting'),
        h('dd', { id: 'clock-pending' }, c.pending_timers),
        h('dt', {}, 'next due'),
        h('dd', {}, c.next_due_at ? `${time(c.next_due_at)} (in ${Math.max(0, (c.next_due_at - c.now) / 1000)} s)` : '—'),
      ),
    );
    if (shownMode === c.mode) return;
    shownMode = c.mode;
    mode.value = c.mode;
    const modeForm = h('p', {}, h('label', { class: 'check' }, 'mode', mode, h('button', { id: 'clock-mode-apply', onclick: () => act(send('PUT', '../clock/mode', { mode: mode.value })) }, 'Switch')));
    if (c.mode !== 'virtual') {
      fill(controls, h('p', { class: 'muted' }, c.mode === 'real' ? 'Time follows the wall clock.' : 'Timers fire as soon as nothing else runs.'), modeForm);
      return;
    }
    fill(
      controls,
      h(
        'div',
        { class: 'filters' },
        STEPS.map(([label, ms]) => h('button', { class: 'advance', 'data-ms': ms, onclick: () => act(send('POST', '../clock/advance', { ms })) }, label)),
        h('form', { class: 'inline', onsubmit: (e) => (e.preventDefault(), act(send('POST', '../clock/advance', { seconds: Number(seconds.value || 0) }))) }, seconds, h('button', { type: 'submit', id: 'advance-by' }, 'Advance')),
        h('button', { id: 'clock-run-all', title: 'fire every waiting timer, and those they set', onclick: () => act(send('POST', '../clock/run-all')) }, 'Run all timers'),
      ),
      modeForm,
    );
  }
  return { refresh };
}
