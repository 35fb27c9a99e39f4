// The status window: a side panel for the selected device, network or link.
// It shows live status (updated from the stream by the map page), probe
// values, recent events and the actions the server offers.

import * as api from './api.js';
import { h, clear, fill, statusBadge, levelLabel, ago, when, duration, formatValue, toast } from './dom.js';
import { findProbe, probes } from './forms.js';

const EVENT_LIMIT = 20;

export class StatusPanel {
  // actions: {edit(sel), remove(sel), setVantage(name), close()}
  constructor(el, mapName, actions) {
    this.el = el;
    this.mapName = mapName;
    this.actions = actions;
    this.sel = null;
    this.obj = null;
    this.tick = setInterval(() => this.updateTimes(), 1000);
    this.probeList = [];
    probes().then((l) => { this.probeList = l; }).catch(() => {});
  }

  destroy() {
    clearInterval(this.tick);
  }

  close() {
    this.sel = null;
    this.obj = null;
    this.setOpen(false);
    clear(this.el);
  }

  setOpen(open) {
    this.el.hidden = !open;
    this.el.parentElement?.classList.toggle('has-panel', open);
  }

  // show opens the panel for a selection ({kind, name} or {kind:'link', from, to})
  // on map data (GET /maps/{map}).
  show(sel, data, fresh = true) {
    this.sel = sel;
    this.data = data;
    if (!sel) return this.close();
    this.setOpen(true);
    if (sel.kind === 'device') {
      const d = data.devices.find((x) => x.name === sel.name);
      if (!d) return this.close();
      this.obj = d;
      this.renderDevice(d, fresh);
    } else if (sel.kind === 'network') {
      const n = data.networks.find((x) => x.name === sel.name);
      if (!n) return this.close();
      this.obj = n;
      this.renderNetwork(n);
    } else {
      this.obj = sel;
      this.renderLink(sel);
    }
  }

  header(kindLabel, title) {
    return h('header', { class: 'panel-head' },
      h('div', null, h('div', { class: 'panel-kind' }, kindLabel), h('h2', { testid: 'panel-title' }, title)),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close status window', testid: 'panel-close', onclick: () => this.actions.close() }, '×'));
  }

  isVantage(name) {
    return this.data.vantage === name;
  }

  // ---- device -------------------------------------------------------

  renderDevice(d, fresh) {
    let events = fresh ? null : this.el.querySelector('[data-testid="panel-events"]');
    if (!events) {
      fresh = true;
      events = h('ol', { class: 'event-list', testid: 'panel-events' }, h('li', { class: 'muted' }, 'Loading…'));
    }
    const probe = findProbe(this.probeList, d.probe);
    this.statusBox = h('div', { class: 'panel-status' });
    this.detailBox = h('dl', { class: 'kv' });
    this.valuesBox = h('div', { testid: 'panel-values' });
    fill(this.el,
      this.header('Device', d.name),
      this.statusBox,
      h('div', { class: 'panel-actions' },
        h('button', { type: 'button', class: 'primary', testid: 'poll-now', onclick: () => this.pollNow(d) }, 'Poll now'),
        h('button', { type: 'button', testid: 'panel-edit', onclick: () => this.actions.edit(this.sel) }, 'Edit'),
        h('button', { type: 'button', testid: 'panel-vantage', disabled: this.isVantage(d.name), onclick: () => this.actions.setVantage(d.name) },
          this.isVantage(d.name) ? 'Vantage point' : 'Set as vantage point'),
        h('button', { type: 'button', class: 'danger', testid: 'panel-delete', onclick: () => this.actions.remove(this.sel) }, 'Delete')),
      h('section', null, h('h3', null, 'Details'), this.detailBox),
      h('section', null, h('h3', null, 'Probe values'), this.valuesBox),
      h('section', null, h('h3', null, 'Recent events ',
        h('a', { href: `#/events?map=${encodeURIComponent(this.mapName)}&device=${encodeURIComponent(d.name)}`, class: 'small-link' }, 'all')), events),
    );
    this.probeLabel = probe ? `${probe.name} (${probe.id})` : d.probe;
    if (fresh) this.lastStatus = undefined;
    this.refresh();
    if (fresh) this.loadEvents(d);
  }

  // refresh re-draws the live parts after a status delta.
  refresh() {
    if (!this.sel || this.sel.kind !== 'device') {
      if (this.sel && this.sel.kind === 'link') this.renderLink(this.sel);
      return;
    }
    const d = this.obj;
    fill(this.statusBox,
      h('div', { class: 'status-line' }, statusBadge(d.status, 'panel-status'),
        h('span', { class: 'since', testid: 'panel-since' }, this.sinceText(d))),
      h('p', { class: 'reason', testid: 'panel-reason' }, d.reason || ''),
      (d.warnings || []).length ? h('ul', { class: 'warnings', testid: 'panel-warnings' }, d.warnings.map((w) => h('li', null, w))) : null,
      d.acknowledged ? h('p', { class: 'flag flag-ack' }, 'Acknowledged') : null,
      d.maintenance ? h('p', { class: 'flag flag-maint' }, 'In maintenance') : null,
    );
    const rows = [
      ['Address', d.address],
      ['Probe', this.probeLabel],
      ['Interval', d.interval || 'server default'],
      ['Last poll', d.last_poll ? h('span', { title: when(d.last_poll), class: 'last-poll' }, `${ago(d.last_poll)} ago`) : 'never'],
      ['Response time', d.rtt_ms !== undefined && d.rtt_ms !== null ? `${formatValue(d.rtt_ms)} ms` : '—'],
      ['Polls', d.polls !== undefined ? `${d.polls} (${d.failures || 0} failed)` : '—'],
      ['Lost in a row', String(d.misses || 0)],
      ['Shared poll', d.shared > 1 ? `with ${d.shared - 1} other device${d.shared > 2 ? 's' : ''}` : 'no'],
      d.notes ? ['Notes', d.notes] : null,
    ].filter(Boolean);
    fill(this.detailBox, ...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
    const values = Object.entries(d.values || {}).sort(([a], [b]) => a.localeCompare(b));
    fill(this.valuesBox, values.length
      ? h('table', { class: 'table compact' }, h('tbody', null, values.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, formatValue(v))))))
      : h('p', { class: 'muted' }, 'No values yet.'));
    if (this.lastStatus !== undefined && this.lastStatus !== d.status) {
      this.loadEvents(d);
      this.loadCounters(d);
    }
    this.lastStatus = d.status;
  }

  sinceText(d) {
    if (!d.since) return '';
    const ms = Date.now() - Date.parse(d.since);
    return `${levelLabel(d.status).toLowerCase()} for ${duration(ms)}`;
  }

  updateTimes() {
    if (!this.sel || this.sel.kind !== 'device' || !this.obj) return;
    const since = this.el.querySelector('[data-testid="panel-since"]');
    if (since) since.textContent = this.sinceText(this.obj);
    const lp = this.el.querySelector('.last-poll');
    if (lp && this.obj.last_poll) lp.textContent = `${ago(this.obj.last_poll)} ago`;
  }

  async loadEvents(d) {
    const want = d.name;
    let list;
    try {
      list = await api.events({ map: this.mapName, device: d.name, limit: EVENT_LIMIT });
    } catch (err) {
      list = null;
      const box = this.el.querySelector('[data-testid="panel-events"]');
      if (box) fill(box, h('li', { class: 'form-error' }, err.message));
      return;
    }
    if (!this.sel || this.sel.name !== want) return;
    const box = this.el.querySelector('[data-testid="panel-events"]');
    if (!box) return;
    clear(box);
    if (!list.length) box.append(h('li', { class: 'muted empty' }, 'No events yet.'));
    for (const e of list.reverse()) box.append(eventItem(e));
  }

  // loadCounters re-reads the poll counters, which status deltas do not
  // carry, once per status change of the shown device.
  async loadCounters(d) {
    try {
      const fresh = await api.device(d.id);
      if (this.obj !== d) return;
      for (const k of ['misses', 'polls', 'failures', 'shared', 'warnings']) d[k] = fresh[k];
      this.lastStatus = d.status;
      this.refresh();
    } catch {
      // The next change tries again.
    }
  }

  // addEvent prepends a live event-log line for the shown device.
  addEvent(e) {
    if (!this.sel || this.sel.kind !== 'device' || e.map !== this.mapName || e.device !== this.sel.name) return;
    const box = this.el.querySelector('[data-testid="panel-events"]');
    if (!box) return;
    box.querySelector('.empty')?.remove();
    box.prepend(eventItem(e));
    while (box.children.length > EVENT_LIMIT) box.lastChild.remove();
  }

  async pollNow(d) {
    try {
      await api.pollNow(d.id);
      toast(`Polling ${d.name}…`, 'ok', 2500);
    } catch (err) {
      toast(`Poll refused: ${err.message}`, 'error');
    }
  }

  // ---- network ------------------------------------------------------

  renderNetwork(n) {
    const members = this.data.links
      .filter((l) => l.from === n.name || l.to === n.name)
      .map((l) => (l.from === n.name ? l.to : l.from));
    const devs = this.data.devices.filter((d) => members.includes(d.name));
    fill(this.el,
      this.header('Network', n.name),
      h('div', { class: 'panel-actions' },
        h('button', { type: 'button', testid: 'panel-edit', onclick: () => this.actions.edit(this.sel) }, 'Edit'),
        h('button', { type: 'button', testid: 'panel-vantage', disabled: this.isVantage(n.name), onclick: () => this.actions.setVantage(n.name) },
          this.isVantage(n.name) ? 'Vantage point' : 'Set as vantage point'),
        h('button', { type: 'button', class: 'danger', testid: 'panel-delete', onclick: () => this.actions.remove(this.sel) }, 'Delete')),
      h('section', null, h('h3', null, 'Address ranges'),
        (n.cidrs || []).length ? h('ul', { class: 'plain mono' }, n.cidrs.map((c) => h('li', null, c))) : h('p', { class: 'muted' }, 'None (an unnumbered cloud).')),
      h('section', null, h('h3', null, `Linked devices (${devs.length})`),
        devs.length ? h('ul', { class: 'plain member-list' }, devs.map((d) => h('li', null, statusBadge(d.status), ' ', d.name, h('span', { class: 'muted' }, ` ${d.address}`))))
          : h('p', { class: 'muted' }, 'No devices.')),
    );
  }

  // ---- link ---------------------------------------------------------

  renderLink(sel) {
    const l = this.data.links.find((x) => (x.from === sel.from && x.to === sel.to) || (x.from === sel.to && x.to === sel.from));
    if (!l) return this.close();
    const end = (name) => {
      const d = this.data.devices.find((x) => x.name === name);
      if (d) return h('li', { testid: `link-end-${name}` }, statusBadge(d.status), ' ', h('strong', null, name), h('div', { class: 'muted' }, d.reason ? `${d.address} — ${d.reason}` : d.address));
      return h('li', { testid: `link-end-${name}` }, h('span', { class: 'badge badge-net' }, 'Network'), ' ', h('strong', null, name));
    };
    fill(this.el,
      this.header('Link', `${l.from} — ${l.to}`),
      h('p', { class: 'muted' }, l.auto ? 'Automatic: the device address is inside the network\'s ranges.' : 'Drawn on the map.'),
      h('section', null, h('h3', null, 'Endpoints'), h('ul', { class: 'plain endpoints' }, end(l.from), end(l.to))),
      l.auto ? null : h('div', { class: 'panel-actions' },
        h('button', { type: 'button', class: 'danger', testid: 'panel-delete', onclick: () => this.actions.remove(this.sel) }, 'Delete link')),
    );
  }
}

export function eventItem(e) {
  return h('li', { class: 'event-item', dataset: { kind: e.kind } },
    h('span', { class: 'kind', dataset: { kind: e.kind } }, e.kind),
    h('time', { datetime: e.time, title: when(e.time) }, when(e.time)),
    h('div', { class: 'msg' }, e.message));
}
