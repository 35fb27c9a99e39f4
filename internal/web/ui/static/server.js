// The server page: version, uptime, listeners and their state, devices,
// polling rate. It re-reads GET /api/v1/server every few seconds while open.

import * as api from './api.js';
import { h, clear, fill, duration, when, statusBadge, LEVELS, formatValue } from './dom.js';

const REFRESH_MS = 5000;

export function serverPage(view) {
  const cards = h('div', { class: 'cards' });
  const listeners = h('tbody');
  const details = h('dl', { class: 'kv wide' });
  const statusRow = h('div', { class: 'status-counts', testid: 'server-status' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const notifiers = h('div', { testid: 'notifiers' }, h('p', { class: 'muted' }, 'Loading…'));
  fill(view, h('section', { class: 'page server-page' },
    h('div', { class: 'page-head' }, h('h1', null, 'Server')),
    error, cards, statusRow,
    h('h2', null, 'Listeners'),
    h('table', { class: 'table', testid: 'listeners-table' },
      h('thead', null, h('tr', null, ['Service', 'Flag', 'Address', 'State', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
      listeners),
    h('h2', null, 'Notifiers'),
    notifiers,
    h('h2', null, 'Details'),
    details));
  document.title = 'Server — Vantage';

  const card = (testid, label, value, sub) => h('div', { class: 'card', testid }, h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value', testid: `${testid}-value` }, value), sub ? h('div', { class: 'card-sub' }, sub) : null);

  async function load() {
    let s;
    try {
      s = await api.server();
      error.hidden = true;
    } catch (err) {
      if (err.status !== 401) {
        error.textContent = `Cannot read the server status: ${err.message}`;
        error.hidden = false;
      }
      return;
    }
    fill(cards,
      card('server-version', 'Version', s.version || '?'),
      card('server-uptime', 'Uptime', duration((s.uptime_seconds || 0) * 1000), s.started ? `since ${when(s.started)}` : null),
      card('server-maps', 'Maps', String(s.maps ?? 0)),
      card('server-devices', 'Devices', String(s.devices ?? 0)),
      card('server-monitored', 'Devices monitored', String(s.devices_monitored ?? 0), 'distinct polls after sharing'),
      card('server-pps', 'Polls per second', formatValue(Math.round((s.polls_per_second || 0) * 100) / 100)),
    );
    const st = s.status || {};
    fill(statusRow, ...LEVELS.filter((l) => st[l]).map((l) => h('span', { class: 'status-count' }, statusBadge(l), ` ${st[l]}`)));
    clear(listeners);
    for (const l of s.listeners || []) {
      listeners.append(h('tr', { testid: `listener-${l.name}`, 'data-state': l.state },
        h('td', null, l.name), h('td', { class: 'mono' }, l.flag || ''), h('td', { class: 'mono' }, l.address || ''),
        h('td', null, h('span', { class: 'state', 'data-state': l.state }, l.state)),
        h('td', { class: 'muted' }, l.error || '')));
    }
    const rows = [
      ['Data folder', s.data_dir],
      ['ICMP', s.icmp_mode],
      ['Go', s.go_version],
      ...Object.entries(s.poller || {}).map(([k, v]) => [`Poller ${k.replaceAll('_', ' ')}`, formatValue(v)]),
    ].filter(([, v]) => v !== undefined && v !== '');
    fill(details, ...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', { class: 'mono' }, String(v))]));
  }

  // Notifiers are edited on the settings page; here only how many.
  async function loadNotifiers() {
    let list;
    try {
      list = await api.notifiers();
    } catch (err) {
      fill(notifiers, h('p', { class: 'form-error' }, err.message));
      return;
    }
    fill(notifiers, h('p', null,
      list.length ? `${list.length} notifier${list.length === 1 ? '' : 's'}: ${list.map((n) => `${n.name} (${n.type})`).join(', ')}. ` : 'No notifiers. ',
      h('a', { href: '#/settings', testid: 'server-settings-link' }, 'Edit notifiers and rules in Settings')));
  }

  load();
  loadNotifiers();
  const timer = setInterval(load, REFRESH_MS);
  return { destroy: () => clearInterval(timer) };
}
