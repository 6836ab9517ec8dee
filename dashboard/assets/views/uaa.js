// UAA: the signing keys (public halves), clients and users. Secrets and passwords are never sent.
import { fill, getJson, h, memory, section, state, table, tags, time } from '../dom.js';

export function mount(el) {
  const body = h('div');
  el.append(body);
  const drawn = memory();
  async function refresh() {
    const data = await getJson('api/uaa');
    if (drawn('uaa', data)) return;
    if (!data) return fill(body, h('p', { class: 'empty' }, 'this foundation has no UAA'));
    const active = data.keys.find((k) => k.active);
    fill(
      body,
      section(
        'Signing key',
        active
          ? h(
              'dl',
              { class: 'kv', id: 'uaa-signing-key' },
              h('dt', {}, 'current kid'),
              h('dd', {}, h('code', { class: 'kid' }, active.kid)),
              h('dt', {}, 'since'),
              h('dd', {}, time(active.created_at)),
              h('dt', {}, 'issuer'),
              h('dd', {}, h('code', {}, data.issuer)),
              h('dt', {}, 'older keys'),
              h('dd', {}, data.keys.filter((k) => !k.active).map((k) => k.kid).join(', ') || '—'),
            )
          : h('p', { class: 'bad' }, 'no active signing key'),
        active ? h('details', { 'data-key': 'public-key' }, h('summary', {}, 'public key'), h('pre', {}, active.public_pem)) : null,
      ),
      section(
        'Clients',
        table(
          [
            ['client id', (c) => h('code', {}, c.client_id)],
            ['grant types', (c) => tags(c.authorized_grant_types)],
            ['authorities', (c) => tags(c.authorities)],
            ['scope', (c) => tags(c.scope)],
            ['access token', (c) => (c.access_token_validity ? `${c.access_token_validity} s` : h('span', { class: 'muted' }, 'default'))],
            ['public', (c) => (c.public ? 'yes' : '')],
          ],
          data.clients,
          { empty: 'no clients', rowAttrs: (c) => ({ 'data-client': c.client_id }) },
        ),
      ),
      section(
        'Users',
        table(
          [
            ['user name', (u) => h('strong', {}, u.userName)],
            ['origin', (u) => u.origin],
            ['email', (u) => u.email],
            ['active', (u) => state(u.active ? 'active' : 'inactive')],
            ['groups', (u) => tags(u.groups)],
            ['last logon', (u) => time(u.lastLogonTime)],
          ],
          data.users,
          { empty: 'no users', rowAttrs: (u) => ({ 'data-user': u.userName }) },
        ),
      ),
    );
  }
  return { refresh };
}
