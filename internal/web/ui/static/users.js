// Users & access (#/users): your password and API tokens; for
// administrators also the users, groups and each map's access grants.

import * as api from './api.js';
import { h, fill, toast, confirmDialog, when } from './dom.js';
import { field, openDialog } from './forms.js';

const LEVELS = ['none', 'read', 'acknowledge', 'write', 'admin'];

export function usersPage(view) {
  let destroyed = false;
  let me = null;
  const mine = h('div', { testid: 'my-account' }, h('p', { class: 'muted' }, 'Loading…'));
  const tokenBox = h('div', { testid: 'tokens' });
  const adminBox = h('div', { testid: 'admin-sections' });
  fill(view, h('section', { class: 'page users-page', testid: 'users-page' },
    h('div', { class: 'page-head' }, h('h1', null, 'Users & access')),
    h('section', { 'aria-labelledby': 'users-me' }, h('h2', { id: 'users-me' }, 'Your account'), mine),
    h('section', { 'aria-labelledby': 'users-tokens' },
      h('div', { class: 'section-head' }, h('h2', { id: 'users-tokens' }, 'API tokens'),
        h('button', { type: 'button', testid: 'token-add', onclick: addToken }, 'New token')),
      h('p', { class: 'help' }, 'Send a token as “Authorization: Bearer TOKEN”. It is shown once, when made; revoke it when it is no longer needed.'),
      tokenBox),
    adminBox));

  const fail = (err) => { if (err.status !== 401) toast(err.message, 'error'); };

  async function load() {
    try {
      me = await api.session();
      if (destroyed) return;
      fill(mine, h('p', null, 'Signed in as ', h('strong', { testid: 'me-name' }, me.user),
        me.groups && me.groups.length ? ` (groups: ${me.groups.join(', ')})` : '', me.source && me.source !== 'local' ? ` from ${me.source.toUpperCase()}` : ''),
      me.source === 'local' || !me.source
        ? h('button', { type: 'button', testid: 'change-password', onclick: () => passwordDialog(me.user, true) }, 'Change password') : null);
      await loadTokens();
      if (me.admin) await loadAdmin();
      else adminBox.replaceChildren();
    } catch (err) {
      fail(err);
    }
  }

  async function loadTokens() {
    const list = await api.tokens();
    if (destroyed) return;
    fill(tokenBox, list.length === 0 ? h('p', { class: 'muted' }, 'No tokens.') :
      h('table', { class: 'table', testid: 'token-table' },
        h('thead', null, h('tr', null, h('th', null, 'Label'), h('th', null, 'User'), h('th', null, 'Id'), h('th', null, 'Created'), h('th', null, ''))),
        h('tbody', null, list.map((t) => h('tr', { testid: `token-${t.id}` },
          h('td', null, t.label || '—'), h('td', null, t.user), h('td', null, h('code', null, t.id)), h('td', null, when(t.created)),
          h('td', null, h('button', { type: 'button', class: 'danger-text', testid: `token-revoke-${t.id}`, onclick: () => revoke(t) }, 'Revoke')))))));
  }

  async function addToken() {
    const res = await openDialog('New API token', 'token', () => [
      field('token-label', 'Label', h('input', { testid: 'token-label', placeholder: 'e.g. CI, Grafana', autocomplete: 'off' })),
    ], 'Create', (form) => api.createToken(form.querySelector('#token-label').value.trim()));
    if (!res) return;
    await openDialog('Your new token', 'token-shown', () => [
      h('p', null, 'Copy it now: it will not be shown again.'),
      h('input', { testid: 'token-secret', readonly: true, value: res.token, onfocus: (e) => e.target.select() }),
    ], 'Done', async () => true);
    loadTokens().catch(fail);
  }

  async function revoke(t) {
    if (!await confirmDialog('Revoke token', `Revoke token ${t.id} (${t.label || 'no label'}) of ${t.user}? Programs using it will be refused.`, 'Revoke')) return;
    try {
      await api.revokeToken(t.id);
      loadTokens().catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  function passwordDialog(name, self) {
    return openDialog(self ? 'Change your password' : `Reset the password of ${name}`, 'password', () => [
      self ? field('pw-current', 'Current password', h('input', { type: 'password', testid: 'pw-current', autocomplete: 'current-password', required: true })) : null,
      field('pw-new', 'New password', h('input', { type: 'password', testid: 'pw-new', autocomplete: 'new-password', minlength: 8, required: true }), 'At least 8 characters.'),
    ], 'Save', async (form) => {
      const body = { password: form.querySelector('#pw-new').value };
      if (self) body.current_password = form.querySelector('#pw-current').value;
      await api.putUser(name, body);
      toast(self ? 'Password changed.' : `Password of ${name} reset.`, 'ok');
      return true;
    });
  }

  // ---- administrators ------------------------------------------------------

  const userBox = h('div', { testid: 'users' });
  const groupBox = h('div', { testid: 'groups' });
  const accessBox = h('div', { testid: 'access' });
  const mapSelect = h('select', { testid: 'access-map', onchange: () => loadAccess().catch(fail) });

  async function loadAdmin() {
    const [us, gs, maps] = await Promise.all([api.users(), api.groups(), api.maps()]);
    if (destroyed) return;
    const groupNames = gs.map((g) => g.name);
    fill(userBox, h('table', { class: 'table', testid: 'user-table' },
      h('thead', null, h('tr', null, h('th', null, 'User'), h('th', null, 'Source'), h('th', null, 'Groups'), h('th', null, ''))),
      h('tbody', null, us.map((u) => h('tr', { testid: `user-${u.name}` },
        h('td', null, u.name), h('td', null, u.source), h('td', null, u.groups.join(', ') || '—'),
        h('td', { class: 'row-actions' },
          u.source === 'local' ? h('button', { type: 'button', testid: `user-groups-${u.name}`, onclick: () => groupsDialog(u, groupNames) }, 'Groups…') : null,
          u.source === 'local' && u.name !== me.user ? h('button', { type: 'button', testid: `user-reset-${u.name}`, onclick: () => passwordDialog(u.name, false) }, 'Reset password…') : null,
          u.name !== me.user ? h('button', { type: 'button', class: 'danger-text', testid: `user-delete-${u.name}`, onclick: () => removeUser(u) }, 'Delete') : null))))));
    fill(groupBox, h('table', { class: 'table', testid: 'group-table' },
      h('thead', null, h('tr', null, h('th', null, 'Group'), h('th', null, 'Members'), h('th', null, 'About'), h('th', null, ''))),
      h('tbody', null, gs.map((g) => h('tr', { testid: `group-${g.name}` },
        h('td', null, g.name), h('td', null, g.members.join(', ') || '—'), h('td', null, g.description || ''),
        h('td', null, g.built_in ? h('span', { class: 'muted' }, 'built in') :
          h('button', { type: 'button', class: 'danger-text', testid: `group-delete-${g.name}`, onclick: () => removeGroup(g) }, 'Delete')))))));
    const current = mapSelect.value;
    fill(mapSelect, h('option', { value: '*' }, 'Every map (*)'), maps.map((m) => h('option', { value: m.name }, m.name)));
    mapSelect.value = current && [...mapSelect.options].some((o) => o.value === current) ? current : (maps[0] ? maps[0].name : '*');
    fill(adminBox,
      h('section', { 'aria-labelledby': 'users-users' },
        h('div', { class: 'section-head' }, h('h2', { id: 'users-users' }, 'Users'),
          h('button', { type: 'button', testid: 'user-add', onclick: () => addUser(groupNames) }, 'Add user')),
        h('p', { class: 'help' }, 'New users see no map until given access below. Members of the admin group manage everything.'),
        userBox),
      h('section', { 'aria-labelledby': 'users-groups' },
        h('div', { class: 'section-head' }, h('h2', { id: 'users-groups' }, 'Groups'),
          h('button', { type: 'button', testid: 'group-add', onclick: addGroup }, 'Add group')),
        groupBox),
      h('section', { 'aria-labelledby': 'users-access' },
        h('div', { class: 'section-head' }, h('h2', { id: 'users-access' }, 'Map access'), field('access-map', 'Map', mapSelect)),
        h('p', { class: 'help' }, 'A user’s access to a map is the highest of its own and its groups’, on the map and on every map (*): none, read, acknowledge (and poll), write (edit), admin (delete, grant).'),
        accessBox));
    // Administrators have admin everywhere: no grant to show.
    await loadAccess(us.filter((u) => !u.groups.includes('admin')).map((u) => u.name), groupNames);
  }

  let known = { users: [], groups: [] };
  async function loadAccess(userNames, groupNames) {
    if (userNames) known = { users: userNames, groups: groupNames };
    const map = mapSelect.value;
    const g = await api.mapAccess(map);
    if (destroyed) return;
    const row = (kind, name, level) => h('tr', { testid: `grant-${kind}-${name}` },
      h('td', null, kind), h('td', null, name),
      h('td', null, h('select', { testid: `grant-level-${kind}-${name}`, 'aria-label': `Access of ${kind} ${name}`, dataset: { kind, name } },
        LEVELS.map((l) => h('option', { value: l, selected: l === level }, l)))));
    const rows = [];
    for (const u of known.users) rows.push(row('user', u, g.users[u] || 'none'));
    for (const gr of known.groups) if (gr !== 'admin') rows.push(row('group', gr, g.groups[gr] || 'none'));
    const saveBtn = h('button', { type: 'button', class: 'primary', testid: 'access-save', onclick: () => saveAccess(map) }, 'Save access');
    fill(accessBox, h('table', { class: 'table', testid: 'access-table' },
      h('thead', null, h('tr', null, h('th', null, 'Kind'), h('th', null, 'Name'), h('th', null, 'Access'))), h('tbody', null, rows)), saveBtn);
  }

  async function saveAccess(map) {
    const body = { users: {}, groups: {} };
    for (const sel of accessBox.querySelectorAll('select[data-kind]')) {
      if (sel.value !== 'none') body[sel.dataset.kind === 'user' ? 'users' : 'groups'][sel.dataset.name] = sel.value;
    }
    try {
      await api.setMapAccess(map, body);
      toast(`Access to ${map === '*' ? 'every map' : map} saved.`, 'ok');
    } catch (err) {
      fail(err);
    }
  }

  function groupChecks(groupNames, have) {
    return h('fieldset', { class: 'checks', testid: 'user-groups' }, h('legend', null, 'Groups'),
      groupNames.map((g) => h('label', null, h('input', { type: 'checkbox', value: g, checked: have.includes(g), testid: `user-group-${g}` }), ' ', g)));
  }
  const checked = (form) => [...form.querySelectorAll('fieldset.checks input:checked')].map((i) => i.value);

  async function addUser(groupNames) {
    const ok = await openDialog('Add user', 'user', () => [
      field('user-name', 'Name', h('input', { testid: 'user-name', required: true, autocomplete: 'off' })),
      field('user-password', 'Password', h('input', { type: 'password', testid: 'user-password', autocomplete: 'new-password', minlength: 8, required: true }), 'At least 8 characters.'),
      groupChecks(groupNames, []),
    ], 'Add', async (form) => {
      await api.createUser({ name: form.querySelector('#user-name').value.trim(), password: form.querySelector('#user-password').value, groups: checked(form) });
      return true;
    });
    if (ok) loadAdmin().catch(fail);
  }

  async function groupsDialog(u, groupNames) {
    const ok = await openDialog(`Groups of ${u.name}`, 'user-groups', () => [groupChecks(groupNames, u.groups)], 'Save',
      async (form) => { await api.putUser(u.name, { groups: checked(form) }); return true; });
    if (ok) loadAdmin().catch(fail);
  }

  async function removeUser(u) {
    if (!await confirmDialog('Delete user', `Delete ${u.name} with their tokens and access?`)) return;
    try {
      await api.deleteUser(u.name);
      loadAdmin().catch(fail);
      loadTokens().catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  async function addGroup() {
    const ok = await openDialog('Add group', 'group', () => [
      field('group-name', 'Name', h('input', { testid: 'group-name', required: true, autocomplete: 'off' })),
      field('group-description', 'About', h('input', { testid: 'group-description', autocomplete: 'off' })),
    ], 'Add', async (form) => {
      await api.createGroup({ name: form.querySelector('#group-name').value.trim(), description: form.querySelector('#group-description').value.trim() });
      return true;
    });
    if (ok) loadAdmin().catch(fail);
  }

  async function removeGroup(g) {
    if (!await confirmDialog('Delete group', `Delete group ${g.name}? Its members lose the access it gave them.`)) return;
    try {
      await api.deleteGroup(g.name);
      loadAdmin().catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  load();
  return { destroy() { destroyed = true; } };
}
