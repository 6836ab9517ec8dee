// Cloud Controller: orgs and spaces, brokers, offerings and plans with their visibility, service
// instances and bindings with their last operations.
import { fill, getJson, h, memory, lastOperation, section, state, table, time } from '../dom.js';

export function mount(el) {
  const body = h('div');
  el.append(body);
  const drawn = memory();
  async function refresh() {
    const data = await getJson('api/cc');
    if (drawn('cc', data)) return;
    if (!data) return fill(body, h('p', { class: 'empty' }, 'this foundation has no Cloud Controller'));
    fill(
      body,
      section(
        'Service instances',
        table(
          [
            ['name', (i) => h('strong', {}, i.name)],
            ['offering / plan', (i) => (i.type === 'managed' ? `${i.offering ?? '?'} / ${i.plan ?? '?'}` : h('span', { class: 'muted' }, 'user-provided'))],
            ['org / space', (i) => `${i.org ?? '?'} / ${i.space}`],
            ['last operation', (i) => lastOperation(i.last_operation)],
            ['updated', (i) => time(i.last_operation?.updated_at)],
            ['maintenance', (i) => i.maintenance_info?.version ?? ''],
            ['upgrade', (i) => (i.upgrade_available ? h('span', { class: 'pill warn upgrade' }, 'upgrade available') : '')],
            ['guid', (i) => h('code', { class: 'muted' }, i.guid)],
          ],
          data.instances,
          { empty: 'no service instances', rowAttrs: (i) => ({ 'data-instance': i.name }) },
        ),
      ),
      section(
        'Bindings and keys',
        table(
          [
            ['name', (b) => b.name ?? h('span', { class: 'muted' }, '—')],
            ['type', (b) => b.type],
            ['instance', (b) => b.instance],
            ['app', (b) => b.app ?? ''],
            ['last operation', (b) => lastOperation(b.last_operation)],
            ['guid', (b) => h('code', { class: 'muted' }, b.guid)],
          ],
          data.bindings,
          { empty: 'no bindings', rowAttrs: (b) => ({ 'data-binding': b.guid }) },
        ),
      ),
      h(
        'div',
        { class: 'grid' },
        section(
          'Service brokers',
          table(
            [
              ['name', (b) => b.name],
              ['URL', (b) => h('code', {}, b.url)],
              ['user', (b) => b.username],
              ['state', (b) => state(b.state)],
              ['space', (b) => b.space ?? h('span', { class: 'muted' }, 'global')],
            ],
            data.brokers,
            { empty: 'no brokers', rowAttrs: (b) => ({ 'data-broker': b.name }) },
          ),
        ),
        section(
          'Orgs and spaces',
          table(
            [
              ['org', (o) => o.name + (o.suspended ? ' (suspended)' : '')],
              ['spaces', (o) => o.spaces.map((s) => h('div', {}, s.name, s.apps.length ? h('span', { class: 'muted' }, ` · apps: ${s.apps.join(', ')}`) : null))],
            ],
            data.orgs,
            { empty: 'no orgs' },
          ),
        ),
      ),
      section(
        'Offerings and plans',
        data.offerings.length
          ? data.offerings.map((o) =>
              h(
                'div',
                { class: 'offering', 'data-offering': o.name },
                h('h3', {}, o.name, ' ', h('span', { class: 'muted' }, `from ${o.broker}${o.active ? '' : ' (inactive)'}`)),
                o.description ? h('p', { class: 'muted' }, o.description) : null,
                table(
                  [
                    ['plan', (p) => p.name],
                    ['catalog id', (p) => h('code', {}, p.catalog_id)],
                    ['free', (p) => (p.free ? 'yes' : 'no')],
                    ['visibility', (p) => h('span', { class: 'visibility' }, visibility(p.visibility))],
                    ['maintenance', (p) => p.maintenance_info?.version ?? ''],
                  ],
                  o.plans,
                  { empty: 'no plans', rowAttrs: (p) => ({ 'data-plan': p.name }) },
                ),
              ),
            )
          : h('p', { class: 'empty' }, 'no offerings'),
      ),
    );
  }
  return { refresh };
}

function visibility(v) {
  if (v.space) return `space ${v.space}`;
  if (v.public) return 'public';
  if (v.orgs.length) return `orgs: ${v.orgs.join(', ')}`;
  return 'admin only';
}
