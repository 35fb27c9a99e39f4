// The event log: filters (map, device, kind, time range) and a live tail fed
// by the stream's log events.

import * as api from './api.js';
import * as stream from './stream.js';
import { h, clear, fill, when } from './dom.js';

const KINDS = ['DOWN', 'UP', 'CRITICAL', 'ALARM', 'WARNING', 'OK', 'TRAP', 'NOTIFY', 'MAP', 'ERROR', 'INFO', 'START', 'STOP'];

// toLocalInput turns an RFC 3339 time into a datetime-local value.
function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function fromLocalInput(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export function eventsPage(view, params) {
  const mapSel = h('select', { id: 'ev-map', testid: 'events-filter-map' }, h('option', { value: '' }, 'All maps'));
  const devList = h('datalist', { id: 'ev-devices' });
  const devInput = h('input', { id: 'ev-device', testid: 'events-filter-device', list: 'ev-devices', placeholder: 'any', autocomplete: 'off' });
  const kindList = h('datalist', { id: 'ev-kinds' }, KINDS.map((k) => h('option', { value: k })));
  const kindInput = h('input', { id: 'ev-kind', testid: 'events-filter-kind', list: 'ev-kinds', placeholder: 'any', autocomplete: 'off', class: 'narrow' });
  const since = h('input', { id: 'ev-since', type: 'datetime-local', testid: 'events-filter-since' });
  const until = h('input', { id: 'ev-until', type: 'datetime-local', testid: 'events-filter-until' });
  const limit = h('select', { id: 'ev-limit', testid: 'events-filter-limit' }, [100, 200, 500, 1000, 5000].map((n) => h('option', { value: n, selected: n === 200 }, String(n))));
  const live = h('input', { id: 'ev-live', type: 'checkbox', checked: true, testid: 'events-live' });
  const status = h('span', { class: 'muted', testid: 'events-count', 'aria-live': 'polite' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const body = h('tbody', { testid: 'events-body' });

  const labelled = (id, text, input) => h('div', { class: 'filter' }, h('label', { for: id }, text), input);
  const form = h('form', { class: 'filters', testid: 'events-filters' },
    labelled('ev-map', 'Map', mapSel),
    labelled('ev-device', 'Device', devInput),
    labelled('ev-kind', 'Kind', kindInput),
    labelled('ev-since', 'Since', since),
    labelled('ev-until', 'Until', until),
    labelled('ev-limit', 'Show', limit),
    h('div', { class: 'filter filter-buttons' },
      h('button', { type: 'submit', class: 'primary', testid: 'events-apply' }, 'Apply'),
      h('button', { type: 'button', testid: 'events-reset', onclick: reset }, 'Reset')),
    h('div', { class: 'filter filter-live' }, h('label', { for: 'ev-live', class: 'check' }, live, ' Live tail')),
    devList, kindList);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  mapSel.addEventListener('change', () => loadDevices());

  fill(view, h('section', { class: 'page events-page' },
    h('div', { class: 'page-head' }, h('h1', null, 'Event log'), status),
    form, error,
    h('div', { class: 'table-wrap' }, h('table', { class: 'table events-table', testid: 'events-table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'col-time' }, 'Time'), h('th', { scope: 'col', class: 'col-kind' }, 'Kind'),
        h('th', { scope: 'col', class: 'col-where' }, 'Map : device'), h('th', { scope: 'col' }, 'Message'))),
      body))));
  document.title = 'Event log — Vantage';

  // Initial filters from the URL (#/events?map=…&device=…).
  devInput.value = params.get('device') || '';
  kindInput.value = params.get('kind') || '';
  if (params.get('since')) since.value = toLocalInput(params.get('since'));
  if (params.get('until')) until.value = toLocalInput(params.get('until'));
  let query = {};

  function currentQuery() {
    return {
      map: mapSel.value, device: devInput.value.trim(), kind: kindInput.value.trim().toUpperCase(),
      since: fromLocalInput(since.value), until: fromLocalInput(until.value), limit: limit.value,
    };
  }

  async function apply() {
    query = currentQuery();
    const p = new URLSearchParams();
    for (const k of ['map', 'device', 'kind', 'since', 'until']) if (query[k]) p.set(k, query[k]);
    history.replaceState(null, '', `#/events${p.toString() ? '?' + p : ''}`);
    let list;
    try {
      // Without "since" the API returns the latest events; with it, the
      // first ones from then on.
      list = await api.events(query);
      error.hidden = true;
    } catch (err) {
      if (err.status !== 401) {
        error.textContent = err.message;
        error.hidden = false;
      }
      return;
    }
    clear(body);
    for (let i = list.length - 1; i >= 0; i--) body.append(row(list[i]));
    count();
  }

  function reset() {
    mapSel.value = '';
    devInput.value = '';
    kindInput.value = '';
    since.value = '';
    until.value = '';
    apply();
  }

  function count() {
    const n = body.children.length;
    status.textContent = `${n} event${n === 1 ? '' : 's'}${live.checked && !query.until ? ' · live' : ''}`;
  }

  function row(e, fresh = false) {
    const where = e.map ? `${e.map}${e.device ? ' : ' + e.device : ''}` : '';
    return h('tr', { testid: 'event-row', 'data-kind': e.kind, class: fresh ? 'fresh' : null },
      h('td', { class: 'col-time' }, h('time', { datetime: e.time }, when(e.time))),
      h('td', null, h('span', { class: 'kind', 'data-kind': e.kind }, e.kind)),
      h('td', { class: 'col-where' }, where),
      h('td', { class: 'msg' }, e.message));
  }

  function matches(e) {
    if (query.map && e.map !== query.map) return false;
    if (query.device && e.device !== query.device) return false;
    if (query.kind && (e.kind || '').toUpperCase() !== query.kind) return false;
    if (query.since && Date.parse(e.time) < Date.parse(query.since)) return false;
    if (query.until) return false;
    return true;
  }

  async function loadMaps() {
    try {
      const maps = await api.maps();
      const want = params.get('map') || '';
      for (const m of maps) mapSel.append(h('option', { value: m.name, selected: m.name === want }, m.name));
      if (want && !maps.some((m) => m.name === want)) mapSel.append(h('option', { value: want, selected: true }, want));
    } catch {
      // The filter still works as free text through the URL.
    }
  }

  async function loadDevices() {
    clear(devList);
    if (!mapSel.value) return;
    try {
      const m = await api.map(mapSel.value);
      for (const d of m.devices) devList.append(h('option', { value: d.name }));
    } catch {
      // Suggestions only.
    }
  }

  const subs = [
    stream.on('log', (e) => {
      if (!live.checked || !matches(e)) return;
      body.prepend(row(e, true));
      const max = Number(limit.value) || 200;
      while (body.children.length > max) body.lastChild.remove();
      count();
    }),
    stream.on('resync', () => apply()),
  ];
  live.addEventListener('change', count);

  loadMaps().then(() => {
    loadDevices();
    apply();
  });
  return {
    destroy() {
      for (const u of subs) u();
    },
  };
}
