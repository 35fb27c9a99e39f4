// "Other servers" in the map list: the maps of the Vantage servers listed
// in config.yaml's servers: and of those the user added with a token of
// theirs, read by this server with each server's token
// (GET /api/v1/remote-maps), like RemoteAccess's list of servers. A map
// opens on its own server's web UI; a server that cannot be read shows why.

import * as api from './api.js';
import { h, clear, statusBadge, LEVELS, levelLabel } from './dom.js';

// remoteMapsSection returns the section's element (hidden while no server
// is configured) and load(), to call whenever the map list reloads.
export function remoteMapsSection() {
  const body = h('tbody');
  const name = h('input', { id: 'rs-name', required: true, placeholder: 'site-b' });
  const url = h('input', { id: 'rs-url', type: 'url', required: true, placeholder: 'its web address' });
  const token = h('input', { id: 'rs-token', type: 'password', required: true, autocomplete: 'off' });
  const fingerprint = h('input', { id: 'rs-fp', placeholder: 'SHA256:… (for a self-signed certificate)' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  // Each user adds the servers they hold a token for; the token stays on
  // this server (PUT /api/v1/servers/NAME) and is never shown again.
  const add = h('details', { class: 'remote-add', testid: 'remote-add' },
    h('summary', null, 'Add another Vantage server…'),
    h('form', { class: 'form-grid', onsubmit: async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      try {
        await api.request('PUT', `/api/v1/servers/${encodeURIComponent(name.value.trim())}`,
          { url: url.value.trim(), token: token.value, fingerprint: fingerprint.value.trim() });
        token.value = '';
        add.open = false;
        load();
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      }
    } },
    h('label', { for: 'rs-name' }, 'Name'), name,
    h('label', { for: 'rs-url' }, 'Address'), url,
    h('label', { for: 'rs-token' }, 'Your API token there'), token,
    h('label', { for: 'rs-fp' }, 'Certificate fingerprint'), fingerprint,
    error,
    h('button', { type: 'submit', testid: 'remote-add-save' }, 'Add')));
  const table = h('table', { class: 'table maps-table', hidden: true },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', class: 'col-status' }, 'Status'),
        h('th', { scope: 'col' }, 'Map'),
        h('th', { scope: 'col', class: 'num' }, 'Devices'),
        LEVELS.map((l) => h('th', { scope: 'col', class: 'num' }, h('span', { class: 'dot', 'data-status': l }), levelLabel(l))))),
      body);
  const el = h('section', { class: 'remote-maps', hidden: true, testid: 'remote-maps' },
    h('h2', null, 'Other servers'), table, add);

  async function load() {
    let servers;
    try {
      servers = await api.request('GET', '/api/v1/remote-maps');
    } catch (err) {
      // 404: this server does not offer the list; keep the section hidden.
      el.hidden = true;
      return;
    }
    clear(body);
    el.hidden = false;
    table.hidden = !servers || servers.length === 0;
    for (const s of servers || []) {
      body.append(h('tr', { class: 'server-row', testid: `remote-server-${s.name}` },
        h('th', { scope: 'rowgroup', colspan: String(3 + LEVELS.length) },
          h('a', { href: s.url, target: '_blank', rel: 'noopener' }, s.name),
          s.error ? h('span', { class: 'form-error', role: 'status' }, ` — cannot read its maps: ${s.error}`) : null)));
      for (const m of s.maps || []) {
        const counts = m.counts || {};
        body.append(h('tr', { testid: `remote-map-${s.name}-${m.name}`, 'data-status': m.status },
          h('td', null, statusBadge(m.status)),
          h('td', { class: 'map-name' }, h('a', { href: m.url, target: '_blank', rel: 'noopener' }, m.name)),
          h('td', { class: 'num' }, String(m.devices)),
          LEVELS.map((l) => h('td', { class: 'num count-cell', 'data-status': l, 'data-count': counts[l] || 0 }, counts[l] ? String(counts[l]) : '·'))));
      }
    }
  }

  return { el, load };
}
