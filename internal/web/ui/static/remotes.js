// "Other servers" in the map list: the maps of the Vantage servers listed
// in config.yaml's servers:, read by this server with each server's token
// (GET /api/v1/remote-maps), like RemoteAccess's list of servers. A map
// opens on its own server's web UI; a server that cannot be read shows why.

import * as api from './api.js';
import { h, clear, statusBadge, LEVELS, levelLabel } from './dom.js';

// remoteMapsSection returns the section's element (hidden while no server
// is configured) and load(), to call whenever the map list reloads.
export function remoteMapsSection() {
  const body = h('tbody');
  const el = h('section', { class: 'remote-maps', hidden: true, testid: 'remote-maps' },
    h('h2', null, 'Other servers'),
    h('table', { class: 'table maps-table' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', class: 'col-status' }, 'Status'),
        h('th', { scope: 'col' }, 'Map'),
        h('th', { scope: 'col', class: 'num' }, 'Devices'),
        LEVELS.map((l) => h('th', { scope: 'col', class: 'num' }, h('span', { class: 'dot', 'data-status': l }), levelLabel(l))))),
      body));

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
    el.hidden = !servers || servers.length === 0;
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
