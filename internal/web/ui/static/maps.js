// The map list: every map with its worst status and counts per status.

import * as api from './api.js';
import * as stream from './stream.js';
import { h, clear, fill, statusBadge, LEVELS, levelLabel, toast } from './dom.js';
import { mapDialog } from './forms.js';
import { remoteMapsSection } from './remotes.js';

const REFRESH_MIN_MS = 2000; // at most one re-fetch per this, however busy the stream
const REMOTE_REFRESH_MS = 30_000; // the other servers' maps, at most this often

export function mapsPage(view) {
  // Creating a map needs an administrator (POST /api/v1/maps); others
  // are not offered it.
  const me = api.me();
  const canCreate = !!(me && me.admin);
  const body = h('tbody');
  const empty = h('div', { class: 'empty-state', hidden: true, testid: 'maps-empty' },
    canCreate ? h('p', null, 'No maps yet.') : h('p', null, 'No maps to show: an administrator can create one or give you access.'),
    canCreate ? h('button', { type: 'button', class: 'primary', testid: 'create-first-map', onclick: newMap }, 'Create the first map') : null);
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const table = h('table', { class: 'table maps-table', testid: 'maps-table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', class: 'col-status' }, 'Status'),
      h('th', { scope: 'col' }, 'Map'),
      h('th', { scope: 'col', class: 'num' }, 'Devices'),
      LEVELS.map((l) => h('th', { scope: 'col', class: 'num' }, h('span', { class: 'dot', 'data-status': l }), levelLabel(l))))),
    body);
  // The maps of other Vantage servers (config.yaml servers:), under ours.
  const remotes = remoteMapsSection();
  fill(view, h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', null, 'Maps'),
      canCreate ? h('button', { type: 'button', class: 'primary', testid: 'new-map', onclick: newMap }, 'New map') : null),
    error, table, empty, remotes.el));
  document.title = 'Maps — Vantage';

  let timer = 0;
  let last = 0;
  let remotesAt = 0;
  async function load() {
    last = Date.now();
    try {
      const list = await api.maps();
      error.hidden = true;
      render(list);
      // Other servers are asked less often than our own maps change.
      if (Date.now() - remotesAt > REMOTE_REFRESH_MS) {
        remotesAt = Date.now();
        remotes.load();
      }
    } catch (err) {
      if (err.status !== 401) {
        error.textContent = `Cannot load the maps: ${err.message}`;
        error.hidden = false;
      }
    }
  }

  function render(list) {
    clear(body);
    empty.hidden = list.length > 0;
    table.hidden = list.length === 0;
    for (const m of list) {
      const href = `#/map/${encodeURIComponent(m.name)}`;
      const row = h('tr', { testid: `map-row-${m.name}`, 'data-status': m.status, class: 'clickable', onclick: (e) => { if (!e.target.closest('a')) location.hash = href; } },
        h('td', null, statusBadge(m.status)),
        h('td', { class: 'map-name' }, h('a', { href }, m.name)),
        h('td', { class: 'num' }, String(m.devices)),
        LEVELS.map((l) => h('td', { class: 'num count-cell', 'data-status': l, 'data-count': m.counts[l] || 0 }, m.counts[l] ? String(m.counts[l]) : '·')));
      body.append(row);
    }
  }

  // Changes arrive on the stream; the list is re-fetched at most every 2 s.
  function schedule() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = 0;
      load();
    }, Math.max(0, REFRESH_MIN_MS - (Date.now() - last)));
  }

  async function newMap() {
    const name = await mapDialog();
    if (name) {
      toast(`Created map ${name}.`, 'ok', 3000);
      location.hash = `#/map/${encodeURIComponent(name)}`;
    }
  }

  const subs = [stream.on('status', schedule), stream.on('map', schedule), stream.on('resync', schedule)];
  load();
  return {
    destroy() {
      clearTimeout(timer);
      for (const u of subs) u();
    },
  };
}
