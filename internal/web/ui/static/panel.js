// The status window: a side panel for the selected device, network or link.
// It shows live status (updated from the stream by the map page), probe
// values, recent events and the actions the server offers.

import * as api from './api.js';
import { h, s, clear, fill, statusBadge, levelLabel, ago, when, duration, formatValue, toast, deviceID, parseDeviceID } from './dom.js';
import { chartsHash, formatUnits } from './charts.js';
import { findProbe, probes } from './forms.js';
import { isSNMPDevice, systemRows, SNMP_VALUE_KEYS, InterfaceTable, interfaceCard, findInterface } from './snmp.js';
import { openTool } from './tools.js';
import { flowsHash } from './flows.js';

const EVENT_LIMIT = 20;
// Sparklines: the last hour, in about this many points, at most this
// many series per request (the API's limit).
const SPARK_POINTS = 60;
const SPARK_BATCH = 32;
// The flow exporters (GET /flows/exporters) are read at most this often
// for the windows' Flows links.
const EXPORTERS_TTL = 30_000;
let exportersCache = null;
let exportersAt = 0;

// flowExporters resolves to the exporters list, [] when flows are off or
// unreadable; cached for all windows.
export function flowExporters() {
  if (!exportersCache || Date.now() - exportersAt > EXPORTERS_TTL) {
    exportersAt = Date.now();
    exportersCache = api.flowExporters().then((l) => l || []).catch(() => []);
  }
  return exportersCache;
}

// exporterOf finds the exporter whose devices include the device id. The
// exporters' ids are compared decoded: the server may send the map and
// device names as they are rather than percent-encoded.
const canonical = (id) => {
  const { map, device } = parseDeviceID(id);
  return deviceID(map, device);
};
const exporterOf = (list, id) => {
  const want = canonical(id);
  return list.find((e) => (e.devices || []).some((x) => canonical(x) === want));
};

// The map access levels, lowest first (internal/auth/level.go). The map
// data's access field is the user's level on the map.
const ACCESS_RANK = { none: 0, read: 1, acknowledge: 2, write: 3, admin: 4 };

const IF_METRICS = { bps: ['traffic', 'in_bps', 'out_bps'], util: ['utilisation', 'in_util', 'out_util'], errors: ['errors', 'in_errors', 'out_errors'] };

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
    // Interface-table filter and toggle, per device, for this page.
    this.ifStates = new Map();
    probes().then((l) => { this.probeList = l; }).catch(() => {});
  }

  destroy() {
    clearInterval(this.tick);
    clearTimeout(this.datasetsTimer);
  }

  close() {
    clearTimeout(this.datasetsTimer);
    this.sel = null;
    this.obj = null;
    this.setOpen(false);
    clear(this.el);
  }

  setOpen(open, wide = false) {
    this.el.hidden = !open;
    this.el.classList.toggle('panel-wide', open && wide);
    this.el.parentElement?.classList.toggle('has-panel', open);
    this.el.parentElement?.classList.toggle('has-wide-panel', open && wide);
  }

  // show opens the panel for a selection ({kind, name} or {kind:'link', from, to})
  // on map data (GET /maps/{map}).
  show(sel, data, fresh = true) {
    this.sel = sel;
    this.data = data;
    if (!sel) return this.close();
    if (sel.kind === 'device') {
      const d = data.devices.find((x) => x.name === sel.name);
      if (!d) return this.close();
      this.setOpen(true, isSNMPDevice(d));
      this.obj = d;
      this.renderDevice(d, fresh);
      return;
    }
    this.setOpen(true);
    if (sel.kind === 'network') {
      const n = data.networks.find((x) => x.name === sel.name);
      if (!n) return this.close();
      this.obj = n;
      this.renderNetwork(n);
    } else {
      this.obj = sel;
      this.renderLink(sel, fresh);
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

  // may says whether the user's access to the map reaches need, so the
  // window offers only what the server would allow: acknowledging and
  // polling need acknowledge, editing write.
  may(need) {
    return (ACCESS_RANK[this.data && this.data.access] || 0) >= ACCESS_RANK[need];
  }

  // editActions are a device's or network's write-level buttons.
  editActions(name) {
    if (!this.may('write')) return null;
    return [
      h('button', { type: 'button', testid: 'panel-edit', onclick: () => this.actions.edit(this.sel) }, 'Edit'),
      h('button', { type: 'button', testid: 'panel-vantage', disabled: this.isVantage(name), onclick: () => this.actions.setVantage(name) },
        this.isVantage(name) ? 'Vantage point' : 'Set as vantage point'),
      h('button', { type: 'button', class: 'danger', testid: 'panel-delete', onclick: () => this.actions.remove(this.sel) }, 'Delete'),
    ];
  }

  // ---- device -------------------------------------------------------

  renderDevice(d, fresh) {
    let events = fresh ? null : this.el.querySelector('[data-testid="panel-events"]');
    if (!events) {
      fresh = true;
      events = h('ol', { class: 'event-list', testid: 'panel-events' }, h('li', { class: 'muted' }, 'Loading…'));
    }
    // The datasets and their sparklines are read when the window opens
    // and kept across re-renders of the same device.
    let charts = fresh ? null : this.el.querySelector('[data-testid="panel-charts"]');
    if (!charts) {
      clearTimeout(this.datasetsTimer);
      charts = h('div', { testid: 'panel-charts' }, h('p', { class: 'muted' }, 'Loading…'));
    }
    this.chartsBox = charts;
    const probe = findProbe(this.probeList, d.probe);
    this.statusBox = h('div', { class: 'panel-status' });
    this.ackBox = h('div', { testid: 'panel-ack-box' });
    this.ackKey = undefined;
    this.detailBox = h('dl', { class: 'kv' });
    this.valuesBox = h('div', { testid: 'panel-values' });
    // A probe file's <snmp-device-display>, rendered by the server from
    // IMML into escaped HTML.
    this.displayBox = h('div', { class: 'imml-display', testid: 'panel-display' });
    this.displaySection = h('section', { hidden: true }, h('h3', null, 'Display'), this.displayBox);
    this.trapsBox = h('ol', { class: 'event-list', testid: 'panel-traps' });
    this.trapsSection = h('section', { hidden: true }, h('h3', null, 'Recent traps'), this.trapsBox);
    this.snmp = isSNMPDevice(d);
    let snmpSections = null;
    if (this.snmp) {
      // The table is kept across re-renders of the same device so its
      // rows, filter and scroll position survive a map update.
      if (!this.ifTable || this.ifTableFor !== d.id) {
        if (!this.ifStates.has(d.id)) this.ifStates.set(d.id, {});
        this.ifTable = new InterfaceTable(this.ifStates.get(d.id));
        this.ifTableFor = d.id;
      }
      const scroll = this.ifTable.wrap.scrollTop;
      this.sysBox = h('dl', { class: 'kv sys-kv', testid: 'panel-system' });
      this.ifWaiting = h('p', { class: 'muted', hidden: true }, 'No interface list yet: the agent has not answered an SNMP poll.');
      snmpSections = [
        h('section', { testid: 'panel-system-section' }, h('h3', null, 'System'), this.sysBox),
        h('section', { testid: 'panel-interfaces' }, h('h3', null, 'Interfaces'), this.ifTable.el, this.ifWaiting),
      ];
      requestAnimationFrame(() => { if (this.ifTable) this.ifTable.wrap.scrollTop = scroll; });
    } else {
      this.ifTable = null;
      this.ifTableFor = null;
    }
    // Filled when known: a Map Status device's drill-down link, and the
    // Flows link of a device that exports flows.
    this.drillBox = h('span', { class: 'panel-drill' });
    this.drillURL = undefined;
    const flowsSlot = h('span', { class: 'panel-flows', hidden: true });
    fill(this.el,
      this.header('Device', d.name),
      this.statusBox,
      h('div', { class: 'panel-actions' },
        this.may('acknowledge') ? h('button', { type: 'button', class: 'primary', testid: 'poll-now', onclick: () => this.pollNow(d) }, 'Poll now') : null,
        h('button', { type: 'button', testid: 'panel-ping', title: `Ping ${d.address} from the server`, onclick: () => openTool('ping', { device: d.id }, {}, d.name) }, 'Ping'),
        h('button', { type: 'button', testid: 'panel-traceroute', title: `Traceroute to ${d.address} from the server`, onclick: () => openTool('traceroute', { device: d.id }, {}, d.name) }, 'Traceroute'),
        this.drillBox,
        flowsSlot,
        this.editActions(d.name)),
      this.ackBox,
      h('section', null, h('h3', null, 'Details'), this.detailBox),
      this.displaySection,
      snmpSections,
      h('section', null, h('h3', null, this.snmp ? 'Other values' : 'Probe values'), this.valuesBox),
      h('section', { testid: 'panel-charts-section' }, h('h3', null, 'Charts'), charts),
      this.trapsSection,
      h('section', null, h('h3', null, 'Recent events ',
        h('a', { href: `#/events?map=${encodeURIComponent(this.mapName)}&device=${encodeURIComponent(d.name)}`, class: 'small-link' }, 'all')), events),
    );
    this.probeLabel = probe ? `${probe.name} (${probe.id})` : d.probe;
    if (fresh) this.lastStatus = undefined;
    this.refresh();
    if (fresh) {
      this.loadEvents(d);
      this.loadTraps(d);
      this.loadDatasets(d);
    }
    this.loadFlowsLink(d, flowsSlot);
  }

  // loadFlowsLink shows "Flows" when the device's address exports flows.
  async loadFlowsLink(d, slot) {
    const ex = exporterOf(await flowExporters(), d.id);
    if (!ex || !slot.isConnected) return;
    fill(slot, h('a', { class: 'button-link', testid: 'panel-flows', href: flowsHash({ exporter: ex.address }),
      title: `The traffic ${ex.address} exported (NetFlow, IPFIX, sFlow)` }, 'Flows'));
    slot.hidden = false;
  }

  // ---- charts: the device's datasets, with a sparkline of the last hour ----

  async loadDatasets(d, attempt = 0) {
    const want = d.id;
    const box = this.chartsBox;
    let list;
    try {
      list = await api.datasets(d.id);
    } catch (err) {
      if (this.obj && this.obj.id === want && this.chartsBox === box) {
        fill(box, h('p', { class: 'muted' }, err.status === 501 ? 'Charts are not kept on this server.' : `Cannot list the datasets: ${err.message}`));
      }
      return;
    }
    if (!this.obj || this.obj.id !== want || this.chartsBox !== box) return;
    if (!list.length) {
      fill(box, h('p', { class: 'muted', testid: 'panel-charts-empty' }, 'Nothing recorded yet: datasets appear after the first polls.'));
      // A new device: look again a few times while the window is open.
      if (attempt < 8) this.datasetsTimer = setTimeout(() => this.loadDatasets(d, attempt + 1), 4000);
      return;
    }
    const { plain, ifaces } = datasetRows(d.id, list);
    const plainList = h('ul', { class: 'dataset-list' }, plain.map((r) => r.el));
    const groups = [...ifaces.entries()].map(([name, rows]) => {
      const det = h('details', { class: 'dataset-group', testid: `panel-iface-${name}` },
        h('summary', null, name), h('ul', { class: 'dataset-list' }, rows.map((r) => r.el)));
      // An interface's sparklines are read when it is opened.
      det.addEventListener('toggle', () => {
        if (det.open) this.loadSparklines(rows);
      }, { once: true });
      return det;
    });
    fill(box, plain.length ? plainList : null,
      groups.length ? h('div', { class: 'muted small' }, `${groups.length} interface${groups.length === 1 ? '' : 's'}: open one for its charts`) : null,
      groups);
    this.loadSparklines(plain);
  }

  // loadSparklines reads the last hour of the rows' series, a batch at a
  // time, and draws them.
  async loadSparklines(rows) {
    const specs = [...new Set(rows.flatMap((r) => r.series))];
    const got = new Map();
    for (let i = 0; i < specs.length; i += SPARK_BATCH) {
      const batch = specs.slice(i, i + SPARK_BATCH);
      try {
        const list = await api.charts(batch, { from: '1h', points: SPARK_POINTS });
        list.forEach((c, j) => got.set(batch[j], c));
      } catch {
        // The rows keep their links; only the sparkline is missing.
      }
      if (!rows.length || !rows[0].el.isConnected) return;
    }
    for (const r of rows) r.draw(r.series.map((sp) => got.get(sp)));
  }

  // loadTraps lists the last traps the device received, if any.
  async loadTraps(d) {
    const want = d.name;
    let list;
    try {
      list = await api.traps({ map: this.mapName, device: d.name, limit: 10 });
    } catch (err) {
      return;
    }
    if (!this.sel || this.sel.name !== want || !this.trapsBox) return;
    this.trapsSection.hidden = !list.length;
    fill(this.trapsBox, ...list.reverse().map((t) => h('li', null,
      h('span', { class: 'event-time' }, when(t.received)), ' ', h('span', null, t.message || t.trap_oid || ''))));
  }

  // refresh re-draws the live parts after a status delta.
  refresh() {
    if (!this.sel || this.sel.kind !== 'device') {
      if (this.sel && this.sel.kind === 'link') this.refreshLink();
      return;
    }
    const d = this.obj;
    fill(this.statusBox,
      h('div', { class: 'status-line' }, statusBadge(d.status, 'panel-status'),
        h('span', { class: 'since', testid: 'panel-since' }, this.sinceText(d))),
      h('p', { class: 'reason', testid: 'panel-reason' }, d.reason || ''),
      (d.warnings || []).length ? h('ul', { class: 'warnings', testid: 'panel-warnings' }, d.warnings.map((w) => h('li', null, w))) : null,
      d.unreachable ? h('p', { class: 'flag flag-unreachable', testid: 'panel-unreachable' },
        `Unreachable: behind ${d.behind || 'a failed device'} on the way to the vantage point; not announced`) : null,
      d.ack ? h('p', { class: d.maintenance ? 'flag flag-maint' : 'flag flag-ack', testid: 'panel-ack', dataset: { scope: mapWide(d) ? 'map' : 'device' } },
        `${mapWide(d) ? 'Map in maintenance' : d.maintenance ? 'In maintenance' : 'Acknowledged'} by ${d.ack.user}` +
        (d.ack.until ? ` until ${when(d.ack.until)}` : '') + (d.ack.comment ? ` — ${d.ack.comment}` : '')) : null,
    );
    // The controls are redrawn only when what they offer changes, so a
    // comment being typed survives the status deltas of every poll.
    const ackKey = `${!!d.ack}|${!!d.maintenance}|${mapWide(d)}|${d.status !== 'ok' && d.status !== 'unknown'}|${this.may('acknowledge')}`;
    if (this.ackBox && this.ackKey !== ackKey) {
      this.ackKey = ackKey;
      fill(this.ackBox, this.ackControls(d));
    }
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
    this.refreshDrill(d);
    if (this.snmp) this.refreshSNMP(d);
    const html = d.values && d.values.display_html;
    this.displaySection.hidden = !html;
    if (html && this.displayBox.dataset.src !== html) {
      this.displayBox.innerHTML = html; // escaped by the server's IMML renderer
      this.displayBox.dataset.src = html;
    }
    const hidden = new Set(['display_html', 'display_text', 'vars', 'traps', 'transcript', 'stdout', 'datasets', 'perfdata', 'follows']);
    const values = Object.entries(d.values || {}).filter(([k]) => !hidden.has(k) && (!this.snmp || !SNMP_VALUE_KEYS.has(k))).sort(([a], [b]) => a.localeCompare(b));
    fill(this.valuesBox, values.length
      ? h('table', { class: 'table compact' }, h('tbody', null, values.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, formatValue(v))))))
      : h('p', { class: 'muted' }, 'No values yet.'));
    if (this.lastStatus !== undefined && this.lastStatus !== d.status) {
      this.loadEvents(d);
      this.loadTraps(d);
      this.loadCounters(d);
    }
    this.lastStatus = d.status;
  }

  // refreshDrill shows a Map Status device's drill-down: its map here
  // (#/map/NAME) or on another server (an absolute URL, in a new tab).
  refreshDrill(d) {
    const url = (d.values && typeof d.values.map_url === 'string' && d.values.map_url) || '';
    if (!this.drillBox || url === this.drillURL) return;
    this.drillURL = url;
    fill(this.drillBox, url ? drillLink(url, { class: 'button-link', testid: 'panel-open-map' }, 'Open map') : null);
  }

  // refreshSNMP updates the system group and the interface table.
  refreshSNMP(d) {
    const v = d.values || {};
    const rows = systemRows(v);
    fill(this.sysBox, rows.length
      ? rows.flatMap(([k, val]) => [h('dt', null, k), h('dd', { class: k === 'Description' ? 'sys-descr' : null }, val)])
      : [h('dt', null, 'Agent'), h('dd', { class: 'muted' }, d.last_poll ? 'no SNMP answer in the last poll' : 'not polled yet')]);
    const have = Array.isArray(v.interfaces);
    this.ifTable.el.hidden = !have;
    this.ifWaiting.hidden = have;
    if (have) this.ifTable.update(v);
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

  // ackControls offers acknowledgement (of a problem) and maintenance (any
  // time), or their removal.
  ackControls(d) {
    // Below acknowledge the server refuses them: a reader sees the
    // acknowledgement in the status lines only.
    if (!this.may('acknowledge')) return null;
    if (mapWide(d)) {
      // The map's window is ended for the whole map, from its banner.
      return h('p', { class: 'muted ack-note', testid: 'panel-map-maint' },
        'The whole map is in maintenance; end it with “End maintenance” above the map.');
    }
    if (d.ack) {
      return h('div', { class: 'ack-controls' },
        h('button', { type: 'button', testid: 'panel-unack', onclick: () => this.ackAction(d, null) },
          d.maintenance ? 'End maintenance' : 'Remove acknowledgement'));
    }
    const comment = h('input', { type: 'text', placeholder: 'comment', 'aria-label': 'Acknowledgement comment', testid: 'ack-comment' });
    const until = h('select', { 'aria-label': 'Until', testid: 'ack-until' },
      [['', 'until changed / removed'], ['1h', 'for 1 hour'], ['4h', 'for 4 hours'], ['24h', 'for 24 hours'], ['168h', 'for a week']]
        .map(([v, t]) => h('option', { value: v }, t)));
    const problem = d.status !== 'ok' && d.status !== 'unknown';
    return h('div', { class: 'ack-controls' }, comment, until,
      h('button', { type: 'button', testid: 'panel-ack-btn', disabled: !problem, title: problem ? '' : 'Only a problem can be acknowledged',
        onclick: () => this.ackAction(d, { comment: comment.value, until: until.value }) }, 'Acknowledge'),
      h('button', { type: 'button', testid: 'panel-maint-btn',
        onclick: () => this.ackAction(d, { comment: comment.value, until: until.value, maintenance: true }) }, 'Maintenance'));
  }

  async ackAction(d, body) {
    try {
      if (body) await api.acknowledge(d.id, body);
      else await api.unacknowledge(d.id);
      toast(body ? (body.maintenance ? `${d.name} in maintenance` : `${d.name} acknowledged`) : `Removed from ${d.name}`, 'ok', 2500);
    } catch (err) {
      toast(err.message, 'error');
    }
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
      this.may('write') ? h('div', { class: 'panel-actions' }, this.editActions(n.name)) : null,
      this.ackBox,
      h('section', null, h('h3', null, 'Address ranges'),
        (n.cidrs || []).length ? h('ul', { class: 'plain mono' }, n.cidrs.map((c) => h('li', null, c))) : h('p', { class: 'muted' }, 'None (an unnumbered cloud).')),
      h('section', null, h('h3', null, `Linked devices (${devs.length})`),
        devs.length ? h('ul', { class: 'plain member-list' }, devs.map((d) => h('li', null, statusBadge(d.status), ' ', d.name, h('span', { class: 'muted' }, ` ${d.address}`))))
          : h('p', { class: 'muted' }, 'No devices.')),
    );
  }

  // ---- link ---------------------------------------------------------

  renderLink(sel, fresh = true) {
    const l = this.findLink(sel);
    if (!l) return this.close();
    const snmpEnd = [l.from, l.to].some((n) => isSNMPDevice(this.device(n)));
    const editable = !l.auto && (snmpEnd || l.from_interface || l.to_interface);
    // A map update (every poll that changes a status) redraws only the
    // live part: rebuilding the window would drop a click in progress on
    // its buttons and blank the interface rates until they are read again.
    const key = JSON.stringify([l.from, l.to, l.from_interface || '', l.to_interface || '', !!l.auto, !!editable, this.may('write')]);
    if (!fresh && this.linkKey === key && this.linkLive && this.el.contains(this.linkLive)) {
      this.refreshLink();
      return;
    }
    this.linkKey = key;
    this.linkLive = h('div', { class: 'link-live' });
    this.linkFlows = h('section', { testid: 'link-flows', hidden: true });
    this.linkExporters = null;
    fill(this.el,
      this.header('Link', `${l.from} — ${l.to}`),
      h('p', { class: 'muted' }, l.auto ? 'Automatic: the device address is inside the network\'s ranges.' : 'Drawn on the map.'),
      this.linkLive,
      this.linkFlows,
      l.auto || !this.may('write') ? null : h('div', { class: 'panel-actions' },
        editable ? h('button', { type: 'button', testid: 'panel-edit-link', onclick: () => this.actions.edit(this.sel) }, 'Edit link') : null,
        h('button', { type: 'button', class: 'danger', testid: 'panel-delete', onclick: () => this.actions.remove(this.sel) }, 'Delete link')),
    );
    this.refreshLink();
    if (l.from_interface || l.to_interface) {
      const box = this.linkFlows;
      flowExporters().then((list) => {
        if (box !== this.linkFlows) return;
        this.linkExporters = list;
        this.refreshLink();
      });
    }
  }

  // linkFlowLinks gives "Flows through this interface" for each end of
  // the link that names an interface on a device exporting flows. The
  // ifIndex comes from the device's SNMP interfaces (by index, name,
  // description or alias), else the exporter's own interface names.
  linkFlowLinks(l) {
    const out = [];
    for (const [name, spec] of [[l.from, l.from_interface], [l.to, l.to_interface]]) {
      if (!spec) continue;
      const d = this.device(name);
      const ex = d && exporterOf(this.linkExporters || [], d.id);
      if (!ex) continue;
      let index = findInterface(d.values, spec)?.index;
      let label = spec;
      if (index !== undefined) {
        const i = findInterface(d.values, spec);
        label = i.name || i.descr || spec;
      } else if (/^\d+$/.test(String(spec).trim())) {
        index = Number(spec);
      } else {
        const hit = Object.entries(ex.interfaces || {}).find(([, n]) => n && (n.name || '').toLowerCase() === String(spec).toLowerCase());
        if (hit) index = Number(hit[0]);
      }
      if (index === undefined) continue;
      out.push(h('li', null, h('a', {
        href: flowsHash({ exporter: ex.address, interface: String(index) }), testid: `link-flows-${name}`,
        title: `Flows ${ex.address} exported for ifIndex ${index}`,
      }, 'Flows through this interface'), h('span', { class: 'muted' }, ` — ${name} ${label === String(index) ? `#${index}` : `${label} (#${index})`}`)));
    }
    return out;
  }

  findLink(sel) {
    return this.data.links.find((x) => (x.from === sel.from && x.to === sel.to) || (x.from === sel.to && x.to === sel.from));
  }

  device(name) {
    return this.data.devices.find((x) => x.name === name);
  }

  // refreshLink re-draws the live parts of the link window: endpoint
  // status and the interfaces the link names.
  refreshLink() {
    const l = this.findLink(this.sel);
    if (!l || !this.linkLive) return;
    const end = (name) => {
      const d = this.device(name);
      if (d) return h('li', { testid: `link-end-${name}` }, statusBadge(d.status), ' ', h('strong', null, name), h('div', { class: 'muted' }, d.reason ? `${d.address} — ${d.reason}` : d.address));
      return h('li', { testid: `link-end-${name}` }, h('span', { class: 'badge badge-net' }, 'Network'), ' ', h('strong', null, name));
    };
    const cards = [];
    if (l.from_interface) cards.push(interfaceCard(this.device(l.from) || { name: l.from }, l.from_interface));
    if (l.to_interface) cards.push(interfaceCard(this.device(l.to) || { name: l.to }, l.to_interface));
    fill(this.linkLive,
      h('section', null, h('h3', null, 'Endpoints'), h('ul', { class: 'plain endpoints' }, end(l.from), end(l.to))),
      cards.length ? h('section', { testid: 'link-interfaces' }, h('h3', null, cards.length === 1 ? 'Interface' : 'Interfaces'), cards) : null);
    if (this.linkFlows && this.linkExporters) {
      const items = this.linkFlowLinks(l);
      this.linkFlows.hidden = !items.length;
      fill(this.linkFlows, items.length ? [h('h3', null, 'Flows'), h('ul', { class: 'plain' }, items)] : null);
    }
  }
}

// datasetRows groups a device's datasets for the status window: one row
// per dataset, except an interface's in and out, which share a row (and a
// chart); those rows are grouped by interface.
function datasetRows(id, list) {
  const plain = [];
  const ifaces = new Map();
  const byName = new Map(list.map((m) => [m.dataset, m]));
  const done = new Set();
  for (const m of list) {
    if (done.has(m.dataset)) continue;
    const ifm = /^if\.([^.]+)\.(in|out)_(bps|util|errors)$/.exec(m.dataset);
    if (ifm) {
      const [what, inName, outName] = IF_METRICS[ifm[3]];
      const pair = [`if.${ifm[1]}.${inName}`, `if.${ifm[1]}.${outName}`].filter((n) => byName.has(n));
      pair.forEach((n) => done.add(n));
      const ifName = m.interface || `interface ${ifm[1]}`;
      const units = m.units || '';
      const row = datasetRow(`if.${ifm[1]}.${ifm[3]}`, pair.length === 2 ? `${what} in + out` : byName.get(pair[0]).label || pair[0],
        pair.join(', '), units, pair.map((n) => `${id}/${n}`));
      if (!ifaces.has(ifName)) ifaces.set(ifName, []);
      ifaces.get(ifName).push(row);
      continue;
    }
    done.add(m.dataset);
    plain.push(datasetRow(m.dataset, m.label || m.dataset, m.dataset, m.units || '', [`${id}/${m.dataset}`]));
  }
  return { plain, ifaces };
}

// datasetRow is one line of the Charts section: a link to the chart page,
// a sparkline of the last hour and the last value.
function datasetRow(key, label, names, units, series) {
  const spark = s('svg', { class: 'sparkline', viewBox: '0 0 96 24', preserveAspectRatio: 'none', role: 'img', 'aria-label': `${label}: the last hour`, testid: `sparkline-${key}` });
  const last = h('span', { class: 'dataset-last', testid: `panel-dataset-last-${key}` }, '');
  const el = h('li', { class: 'dataset-row', testid: `panel-dataset-${key}` },
    h('a', { href: chartsHash({ series, from: '24h' }), testid: `panel-chart-${key}`, title: 'Open in a strip chart (last 24 h)' },
      label, h('span', { class: 'dataset-name' }, names)),
    spark, last);
  return {
    el, series,
    draw(charts) {
      const lines = charts.map((c) => (c ? c.points.map((p) => [Date.parse(p.t) / 1000, p.avg]) : []));
      const all = lines.flat();
      if (!all.length) {
        fill(spark, s('text', { x: 2, y: 15, class: 'spark-none' }, 'no data in the last hour'));
        last.textContent = '';
        return;
      }
      // From the first point (a new device has only minutes) to now.
      const c0 = charts.find(Boolean);
      const t0 = Math.max(Date.parse(c0.from) / 1000, Math.min(...all.map(([t]) => t)));
      const t1 = Date.parse(c0.to) / 1000;
      let lo = Math.min(0, ...all.map(([, v]) => v));
      let hi = Math.max(...all.map(([, v]) => v));
      if (hi <= lo) hi = lo + 1;
      const x = (t) => ((t - t0) / (t1 - t0 || 1)) * 96;
      const y = (v) => 23 - ((v - lo) / (hi - lo)) * 22;
      fill(spark, lines.map((pts, i) => (pts.length
        ? s('polyline', { class: `spark-${i}`, points: pts.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ') })
        : null)));
      spark.dataset.points = String(all.length);
      last.textContent = lines.map((pts) => (pts.length ? formatUnits(pts[pts.length - 1][1], units) : '—')).join(' / ');
      last.title = lines.length > 1 ? 'last value in / out' : 'last value';
    },
  };
}

// drillLink opens a Map Status device's map: a local address (#/map/…)
// in this tab, another server's in a new one.
export function drillLink(url, attrs, label) {
  const local = url.startsWith('#');
  return h('a', { ...attrs, href: url, target: local ? null : '_blank', rel: local ? null : 'noopener',
    title: local ? 'Open the map this device stands for' : `Open the map on its server: ${url}` }, label);
}

// mapWide reports whether a device's ack is its map's maintenance window
// (stored with an empty device name).
function mapWide(d) {
  return !!d.ack && d.ack.device === '';
}

export function eventItem(e) {
  return h('li', { class: 'event-item', dataset: { kind: e.kind } },
    h('span', { class: 'kind', dataset: { kind: e.kind } }, e.kind),
    h('time', { datetime: e.time, title: when(e.time) }, when(e.time)),
    h('div', { class: 'msg' }, e.message));
}
