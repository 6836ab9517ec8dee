// BOSH: deployments (instance groups, instances, IPs, manifest), tasks with their event log as it
// grows, releases, stemcells and configs.
import { fill, getJson, h, memory, section, state, table, time } from '../dom.js';

export function mount(el) {
  let selected = null;
  // The newest task is shown until the user picks one.
  let follow = true;
  const deployments = h('div', { id: 'bosh-deployments' });
  const tasks = h('div', { id: 'bosh-tasks' });
  const task = h('div', { id: 'bosh-task' });
  const artifacts = h('div', { id: 'bosh-artifacts' });
  el.append(
    section('Deployments', deployments),
    h('div', { class: 'grid' }, section('Tasks', tasks), section('Task', task)),
    artifacts,
  );

  const drawn = memory();
  async function refresh() {
    const data = await getJson('api/bosh');
    if (!data) return fill(deployments, h('p', { class: 'empty' }, 'this foundation has no BOSH director'));
    if (follow && data.tasks.length) selected = data.tasks[0].id;
    if (selected !== null) {
      const t = await getJson(`api/bosh/tasks/${selected}`);
      if (!drawn('task', t)) fill(task, taskLog(t));
    } else fill(task, h('p', { class: 'empty' }, 'no task selected'));
    if (drawn('bosh', [data, selected])) return;
    fill(deployments, data.deployments.length ? data.deployments.map(deployment) : h('p', { class: 'empty' }, 'no deployments'));
    fill(
      tasks,
      h(
        'div',
        { class: 'scroll', 'data-scroll': 'tasks' },
        table(
          [
            ['#', (t) => t.id, 'num'],
            ['state', (t) => state(t.state)],
            ['description', (t) => t.description],
            ['deployment', (t) => t.deployment ?? ''],
            ['started', (t) => time(t.started_at)],
            ['result', (t) => h('span', { class: 'muted' }, t.result ?? '')],
          ],
          data.tasks,
          {
            empty: 'no tasks',
            onRow: (t) => {
              selected = t.id;
              follow = false;
              void refresh();
            },
            selected: (t) => t.id === selected,
            rowAttrs: (t) => ({ 'data-task': t.id }),
          },
        ),
      ),
      data.task_count > data.tasks.length ? h('p', { class: 'muted' }, `the newest ${data.tasks.length} of ${data.task_count}`) : null,
    );
    fill(
      artifacts,
      h(
        'div',
        { class: 'grid' },
        section(
          'Releases',
          table(
            [
              ['name', (r) => r.name],
              ['versions', (r) => r.versions.map((v) => v.version).join(', ')],
              ['jobs', (r) => [...new Set(r.versions.flatMap((v) => v.jobs))].join(', ')],
            ],
            data.releases,
            { empty: 'no releases' },
          ),
        ),
        section(
          'Stemcells',
          table(
            [
              ['name', (s) => s.name],
              ['version', (s) => s.version],
              ['OS', (s) => s.operating_system],
              ['CID', (s) => h('code', {}, s.cid)],
            ],
            data.stemcells,
            { empty: 'no stemcells' },
          ),
        ),
      ),
      section(
        'Configs',
        table(
          [
            ['#', (c) => c.id, 'num'],
            ['type', (c) => c.type],
            ['name', (c) => c.name],
            ['team', (c) => c.team ?? ''],
            ['created', (c) => time(c.created_at)],
            ['content', (c) => h('details', { 'data-key': `config-${c.id}` }, h('summary', {}, `${c.content.split('\n').length} lines`), h('pre', {}, c.content))],
          ],
          data.configs,
          { empty: 'no configs' },
        ),
        data.locks.length ? h('p', { class: 'muted' }, 'Locks: ', data.locks.map((l) => `${l.type} ${l.resource.join('/')} (task ${l.task_id})`).join(', ')) : null,
      ),
    );
  }
  return { refresh };
}

function deployment(d) {
  return h(
    'div',
    { class: 'deployment', 'data-deployment': d.name },
    h('h3', {}, d.name, ' ', d.deployed ? null : h('span', { class: 'pill warn' }, 'not deployed')),
    h(
      'p',
      { class: 'muted' },
      'releases ',
      d.releases.map((r) => `${r.name}/${r.version}`).join(', ') || '—',
      ' · stemcells ',
      d.stemcells.map((s) => `${s.name}/${s.version}`).join(', ') || '—',
      d.teams.length ? ` · teams ${d.teams.join(', ')}` : '',
    ),
    table(
      [
        ['instance', (i) => h('code', {}, `${i.group}/${i.id}`)],
        ['index', (i) => i.index, 'num'],
        ['AZ', (i) => i.az ?? ''],
        ['IPs', (i) => h('span', { class: 'ip mono' }, i.ips.join(', '))],
        ['VM type', (i) => i.vm_type ?? ''],
        ['VM CID', (i) => h('code', {}, i.vm_cid ?? '')],
        ['agent', (i) => h('code', {}, i.agent_id ?? '')],
        ['state', (i) => state(i.state)],
        ['process', (i) => state(i.job_state)],
      ],
      d.instance_groups.flatMap((g) => (g.instances.length ? g.instances.map((i) => ({ ...i, group: g.name })) : [{ group: g.name, id: '—', index: '', ips: [], lifecycle: g.lifecycle }])),
      { empty: 'no instances' },
    ),
    d.manifest ? h('details', { 'data-key': `manifest-${d.name}` }, h('summary', {}, 'manifest'), h('pre', { class: 'manifest' }, d.manifest)) : null,
  );
}

/** An event's Unix seconds as the time of day (the date is the task's). */
const clock = (seconds) => h('span', { title: time(seconds * 1000) }, time(seconds * 1000).slice(11));

function taskLog(t) {
  const rows = t.events.map((e) => {
    if (e.error) return h('tr', { class: 'bad' }, h('td', {}, clock(e.time)), h('td', { colspan: 4 }, `Error ${e.error.code ?? ''}: ${e.error.message}`));
    if (e.type === 'warning') return h('tr', { class: 'warn' }, h('td', {}, clock(e.time)), h('td', { colspan: 4 }, `Warning: ${e.message}`));
    if (e.raw !== undefined) return h('tr', {}, h('td', {}), h('td', { colspan: 4 }, e.raw));
    return h(
      'tr',
      { class: 'event' },
      h('td', {}, clock(e.time)),
      h('td', {}, e.stage, e.tags?.length ? h('span', { class: 'muted' }, ` ${e.tags.join(', ')}`) : null),
      h('td', {}, e.task),
      h('td', { class: 'num' }, e.total ? `${e.index}/${e.total}` : ''),
      h('td', {}, state(e.state), e.data?.error ? h('div', { class: 'bad' }, e.data.error) : null),
    );
  });
  return h(
    'div',
    { 'data-task-id': t.id },
    h('h3', {}, `Task ${t.id} `, state(t.state)),
    h('p', {}, t.description, t.deployment ? h('span', { class: 'muted' }, ` · ${t.deployment}`) : null, h('span', { class: 'muted' }, ` · ${t.user}`)),
    t.result ? h('p', { class: 'muted' }, t.result) : null,
    rows.length
      ? h('div', { class: 'scroll', 'data-scroll': `task-${t.id}`, 'data-follow': true }, h('table', { class: 'task-events' }, h('thead', {}, h('tr', {}, ['time', 'stage', 'task', 'step', 'state'].map((x) => h('th', {}, x)))), h('tbody', {}, rows)))
      : h('p', { class: 'empty' }, 'no events yet'),
    t.result_output ? h('details', { 'data-key': `result-${t.id}` }, h('summary', {}, 'result output'), h('pre', {}, t.result_output)) : null,
  );
}
