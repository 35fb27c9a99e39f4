// The Flows window (#/flows?from=1h&host=…): traffic seen by the flow
// collector (NetFlow, IPFIX, sFlow), as InterMapper Flows showed it. A time
// chart of the range in about 200 buckets (bits per second), the top hosts,
// conversations and applications (or protocols) by bytes, packets or
// sessions, the exporters and the collector's diagnostics.
//
// Everything on the page follows its address: the range, the metric and
// the filters (exporter, interface, dir, host, subnet, port, proto,
// inside). Clicking a row filters by it; dragging across the chart zooms
// in, reading the narrower range again from the server (each session's
// volume is spread over the buckets it spans, so zooming in makes short
// peaks taller); Back zooms out. A range ending now is re-read every minute.

import * as api from './api.js';
import { h, fill, when, ago, deviceID, parseDeviceID } from './dom.js';
import { field } from './forms.js';
import { loadUPlot, formatUnits } from './charts.js';
import { rangeControls, zoomed, keepWidth } from './timerange.js';

export const FLOW_PRESETS = [['15m', '15 min'], ['1h', '1 h'], ['6h', '6 h'], ['24h', '24 h'], ['7d', '7 d'], ['30d', '30 d']];
const DEFAULT_FROM = '1h';
const METRICS = [['bytes', 'Bytes'], ['packets', 'Packets'], ['sessions', 'Sessions']];
const BUCKETS = 200;
const LIMIT = 10;
const LIVE_MS = 60_000;
const HEIGHT = 260;
const COLOR = '#0f766e';

// The filters the API takes, in the order the filter bar shows them.
const FILTERS = ['exporter', 'interface', 'dir', 'host', 'subnet', 'port', 'proto'];
const FILTER_LABEL = {
  exporter: 'Exporter', interface: 'Interface', dir: 'Direction', host: 'Host', subnet: 'Subnet', port: 'Port', proto: 'Protocol',
};
const PROTO_NAMES = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 50: 'ESP', 58: 'ICMPv6', 132: 'SCTP' };

// ---- values -------------------------------------------------------------------

// formatBytes gives SI units, as the command line does: "70.0 kB".
export function formatBytes(v) {
  if (!Number.isFinite(v)) return '—';
  if (v < 1000) return `${Math.round(v)} B`;
  let f = v;
  for (const u of ['kB', 'MB', 'GB', 'TB']) {
    f /= 1000;
    if (f < 1000) return `${f.toFixed(1)} ${u}`;
  }
  return `${(f / 1000).toFixed(1)} PB`;
}

const count = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');

function metricValue(row, metric) {
  const v = row[metric];
  return metric === 'bytes' ? formatBytes(v) : count(v);
}


function stepText(s) {
  if (s < 60) return `${+s.toFixed(1)} s`;
  if (s < 3600) return `${+(s / 60).toFixed(1)} min`;
  if (s < 86400) return `${+(s / 3600).toFixed(1)} h`;
  return `${+(s / 86400).toFixed(1)} d`;
}

// ---- the address ----------------------------------------------------------------

const tidy = (v) => encodeURIComponent(v).replace(/%2F/gi, '/').replace(/%3A/gi, ':');

// flowsHash is the page's address for a state: range, metric, grouping of
// the applications table and the filters.
export function flowsHash(st = {}) {
  const parts = [];
  const add = (k, v) => { if (v !== '' && v !== undefined && v !== null && v !== false) parts.push(`${k}=${tidy(String(v))}`); };
  add('from', st.from && st.from !== DEFAULT_FROM ? st.from : st.to ? st.from : '');
  add('to', st.to);
  add('rfrom', st.rfrom);
  add('rto', st.rto);
  add('metric', st.metric && st.metric !== 'bytes' ? st.metric : '');
  add('apps', st.apps === 'protocol' ? 'protocol' : '');
  for (const k of FILTERS) add(k, st[k]);
  add('inside', st.inside ? 'true' : '');
  return `#/flows${parts.length ? '?' + parts.join('&') : ''}`;
}

function readState(params) {
  const st = {
    from: params.get('from') || DEFAULT_FROM,
    to: params.get('to') === 'now' ? '' : params.get('to') || '',
    rfrom: params.get('rfrom') || '',
    rto: params.get('rto') || '',
    metric: METRICS.some(([m]) => m === params.get('metric')) ? params.get('metric') : 'bytes',
    apps: params.get('apps') === 'protocol' ? 'protocol' : 'application',
    inside: params.get('inside') === 'true',
  };
  for (const k of FILTERS) st[k] = params.get(k) || '';
  if (!st.interface) st.dir = '';
  return st;
}

// ---- the page -------------------------------------------------------------------

export function flowsPage(view, params) {
  let st = readState(params);
  let destroyed = false;
  let plot = null;
  let liveTimer = 0;
  let loadSeq = 0;
  let range = [0, 0];
  let settledAt = 0; // Unix seconds after which the chart may still rise (0: none)
  let exporters = [];
  const ifNames = new Map(); // "exporter/ifIndex" → name, from SNMP or options data

  const resolution = h('span', { class: 'chart-resolution muted', testid: 'flows-resolution', 'aria-live': 'polite' });
  const live = h('span', { class: 'chart-live', testid: 'flows-live', hidden: true, title: 'The range ends now; the page is read again every minute' }, 'Live');
  const ranges = rangeControls('flows', FLOW_PRESETS, {
    preset: (v) => go({ ...filtersOf(st), metric: st.metric, apps: st.apps, inside: st.inside, from: v }),
    apply: (from, to) => go({ ...st, from, to, rfrom: '', rto: '' }),
    reset: resetZoom,
    error: showError,
  });
  const metricSel = h('select', { testid: 'flows-metric' }, METRICS.map(([v, label]) => h('option', { value: v }, label)));
  metricSel.addEventListener('change', () => go({ ...st, metric: metricSel.value }));
  const insideBox = h('input', { type: 'checkbox', testid: 'flows-inside', id: 'flows-inside' });
  insideBox.addEventListener('change', () => go({ ...st, inside: insideBox.checked }));
  const filterBar = h('div', { class: 'flows-filters', testid: 'flows-filters', role: 'group', 'aria-label': 'Filters' });
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'flows-error', hidden: true });
  const disabled = h('div', { class: 'empty-note flows-disabled', testid: 'flows-disabled', hidden: true },
    h('p', null, h('strong', null, 'This server does not collect flows.'),
      ' Start it with a flow listener, e.g. ', h('code', null, 'vantage serve --netflow :2055'),
      ' (NetFlow v1/v5/v7/v9 and IPFIX), ', h('code', null, '--sflow :6343'), ' or ', h('code', null, '--jflow :9996'),
      ', and point the routers’ flow export at it. A collector on another machine is set in config.yaml under ',
      h('code', null, 'flows: remote: {url, token}'), '.'));
  const plotEl = h('div', { class: 'chart-plot', testid: 'flows-chart' });
  const chartBox = h('div', { class: 'chart-box' }, plotEl);
  const hint = h('p', { class: 'help chart-hint' }, 'Drag across the chart to zoom in; Back or “Reset zoom” zooms out. Click a row to filter by it.');
  const settling = h('p', { class: 'help chart-settling', testid: 'flows-settling', hidden: true });


  // The three top-N tables.
  const hosts = topTable('hosts', 'Top hosts', [['Host', 'host']]);
  const convs = topTable('conversations', 'Top conversations', [['Client', 'client'], ['Server', 'server']]);
  const appsToggle = h('div', { class: 'tool-group flows-apps-toggle', role: 'group', 'aria-label': 'Group by' },
    h('button', { type: 'button', class: 'toggle', testid: 'flows-apps-application', onclick: () => go({ ...st, apps: 'application' }) }, 'Applications'),
    h('button', { type: 'button', class: 'toggle', testid: 'flows-apps-protocol', onclick: () => go({ ...st, apps: 'protocol' }) }, 'Protocols'));
  const apps = topTable('apps', 'Top applications', [['Application', 'application']], appsToggle);

  const exBody = h('tbody');
  const exTable = h('table', { class: 'table flows-exporters', testid: 'flows-exporters' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Exporter'), h('th', { scope: 'col' }, 'Versions'),
      h('th', { scope: 'col', class: 'num' }, 'Records'), h('th', { scope: 'col', class: 'num' }, 'Lost / malformed'),
      h('th', { scope: 'col' }, 'Last seen'), h('th', { scope: 'col' }, 'On the maps'))),
    exBody);
  const aboutBox = h('div', { testid: 'flows-about-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const about = h('details', { class: 'flows-about', testid: 'flows-about' },
    h('summary', null, 'About the collector'), aboutBox);
  about.addEventListener('toggle', () => { if (about.open) loadAbout(); });

  const content = h('div', { class: 'flows-content' },
    chartBox, settling, hint,
    h('div', { class: 'flows-tables' }, hosts.el, convs.el, apps.el),
    h('section', { class: 'flows-section' }, h('h2', null, 'Exporters'), h('div', { class: 'table-wrap' }, exTable)),
    about);

  fill(view, h('section', { class: 'page charts-page flows-page', testid: 'flows-page' },
    h('div', { class: 'page-head' }, h('h1', null, 'Flows'), resolution, live),
    h('div', { class: 'chart-toolbar' },
      ranges.presetGroup,
      ranges.rangeForm,
      ranges.resetBtn,
      h('span', { class: 'spacer' }),
      field('flows-metric', 'Rank by', metricSel),
      h('label', { class: 'flows-inside', for: 'flows-inside', title: 'Rank only the hosts of the inside networks (Settings); their traffic with anyone still counts' },
        insideBox, ' Inside hosts only')),
    filterBar,
    error,
    disabled,
    content));
  document.title = 'Flows — Vantage';

  const resize = keepWidth(plotEl, () => plot, HEIGHT);

  function showError(msg) {
    error.textContent = msg;
    error.hidden = !msg;
  }

  function filtersOf(s) {
    const out = {};
    for (const k of FILTERS) out[k] = s[k];
    return out;
  }

  function go(next) {
    const hash = flowsHash(next);
    if (hash === location.hash) load();
    else location.hash = hash;
  }

  // filter adds filters (a clicked row) and keeps the range.
  function filter(add) {
    go({ ...st, ...add });
  }

  function resetZoom() {
    go({ ...st, from: st.rfrom || DEFAULT_FROM, to: st.rto, rfrom: '', rto: '' });
  }

  function zoom(a, b) {
    go({ ...st, ...zoomed(st, a, b) });
  }

  // ---- the filter bar ----

  function filterText(k, v) {
    if (k === 'proto') return PROTO_NAMES[v] ? `${PROTO_NAMES[v]} (${v})` : v;
    if (k === 'dir') return v === 'in' ? 'in (entering)' : v === 'out' ? 'out (leaving)' : v;
    if (k === 'interface') {
      const name = ifNames.get(`${st.exporter}/${v}`);
      return name ? `${name} (#${v})` : `#${v}`;
    }
    if (k === 'exporter') {
      const ex = exporters.find((e) => e.address === v);
      const devs = ex ? (ex.devices || []).map((id) => parseDeviceID(id).device) : [];
      return devs.length ? `${v} (${devs.join(', ')})` : v;
    }
    return v;
  }

  function renderFilters() {
    const active = FILTERS.filter((k) => st[k]);
    filterBar.hidden = !active.length;
    fill(filterBar, h('span', { class: 'muted' }, 'Showing only:'),
      active.map((k) => h('span', { class: 'filter-chip', testid: `flows-filter-${k}` },
        h('span', { class: 'filter-name' }, `${FILTER_LABEL[k]} `),
        h('strong', { class: 'mono' }, filterText(k, st[k])),
        h('button', {
          type: 'button', class: 'icon-btn', 'aria-label': `Remove the ${FILTER_LABEL[k].toLowerCase()} filter`, testid: `flows-filter-${k}-remove`,
          onclick: () => go({ ...st, [k]: '', ...(k === 'interface' ? { dir: '' } : {}), ...(k === 'exporter' ? { interface: '', dir: '' } : {}) }),
        }, '×'))),
      st.interface ? h('span', { class: 'tool-group', role: 'group', 'aria-label': 'Direction through the interface' },
        [['', 'Both'], ['in', 'In'], ['out', 'Out']].map(([d, label]) => h('button', {
          type: 'button', class: 'toggle', testid: `flows-dir-${d || 'both'}`, 'aria-pressed': String(st.dir === d),
          onclick: () => go({ ...st, dir: d }),
        }, label))) : null,
      h('button', { type: 'button', class: 'link-btn', testid: 'flows-filter-clear', onclick: () => go({ from: st.from, to: st.to, rfrom: st.rfrom, rto: st.rto, metric: st.metric, apps: st.apps, inside: st.inside }) }, 'Clear all'));
  }

  // ---- the top-N tables ----

  // topTable is one ranking: its columns are [header, row key] pairs.
  function topTable(name, title, cols, extra) {
    const heading = h('h2', null, title);
    const metricHead = h('th', { scope: 'col', class: 'num' }, 'Bytes');
    const body = h('tbody', null, h('tr', null, h('td', { colspan: cols.length + 3, class: 'muted' }, 'Loading…')));
    const headRow = h('tr', null, h('th', { scope: 'col', class: 'num' }, '#'), cols.map(([label]) => h('th', { scope: 'col' }, label)), metricHead,
      h('th', { scope: 'col', class: 'num' }, 'Share'));
    const table = h('table', { class: 'table compact-rows flows-top', testid: `flows-top-${name}` }, h('thead', null, headRow), body);
    const el = h('section', { class: 'flows-section' }, h('div', { class: 'flows-section-head' }, heading, extra || null), h('div', { class: 'table-wrap' }, table));
    return { el, body, heading, headRow, metricHead, cols, name };
  }

  function renderTop(t, rows, cols, onRow, total) {
    t.metricHead.textContent = METRICS.find(([m]) => m === st.metric)[1];
    // The columns may change (applications or protocols).
    const want = [h('th', { scope: 'col', class: 'num' }, '#'), cols.map(([label]) => h('th', { scope: 'col' }, label)), t.metricHead,
      h('th', { scope: 'col', class: 'num' }, 'Share')];
    fill(t.headRow, want);
    if (!rows.length) {
      fill(t.body, h('tr', null, h('td', { colspan: cols.length + 3, class: 'muted', testid: `flows-top-${t.name}-empty` }, 'No traffic in this range.')));
      return;
    }
    fill(t.body, rows.map((r, i) => {
      const cells = cols.map(([label, key, text]) => {
        const v = text ? text(r) : r[key];
        const act = onRow(r, key);
        return h('td', { class: key === 'application' || key === 'protocol' ? null : 'mono' },
          act ? h('button', {
            type: 'button', class: 'link-btn', testid: `flows-${t.name}-${key}-${i}`, title: `Show only ${act.title}`,
            onclick: (e) => { e.stopPropagation(); filter(act.add); },
          }, v) : v);
      });
      const first = onRow(r, cols[0][1]);
      const share = total > 0 ? (r[st.metric] / total) * 100 : 0;
      return h('tr', {
        class: first ? 'clickable' : null, testid: `flows-${t.name}-row-${i}`, dataset: { key: cols.map(([, k, text]) => (text ? text(r) : r[k])).join(' ') },
        onclick: first ? () => filter(first.add) : null,
      },
      h('td', { class: 'num muted' }, String(i + 1)),
      cells,
      h('td', { class: 'num', testid: `flows-${t.name}-value-${i}` }, metricValue(r, st.metric)),
      h('td', { class: 'num share' }, h('span', { class: 'share-bar', 'aria-hidden': 'true' }, h('span', { style: `width:${Math.min(100, share).toFixed(1)}%` })),
        total > 0 ? `${share < 1 && share > 0 ? '<1' : Math.round(share)} %` : ''));
    }));
  }

  // ---- reading ----

  function query(extra) {
    const q = { from: st.from, to: st.to, metric: st.metric, inside: st.inside ? 'true' : '', ...filtersOf(st), ...extra };
    if (!q.interface) delete q.dir;
    return q;
  }

  function syncControls() {
    const isLive = !st.to;
    ranges.show(st, isLive);
    live.hidden = !isLive;
    metricSel.value = st.metric;
    insideBox.checked = st.inside;
    for (const b of appsToggle.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.testid === `flows-apps-${st.apps}`));
    apps.heading.textContent = st.apps === 'protocol' ? 'Top protocols' : 'Top applications';
    renderFilters();
    clearInterval(liveTimer);
    liveTimer = isLive ? setInterval(load, LIVE_MS) : 0;
  }

  async function load() {
    const seq = ++loadSeq;
    syncControls();
    const by = st.apps === 'protocol' ? 'protocol' : 'application';
    let chart;
    let top;
    let U;
    try {
      [chart, U, ...top] = await Promise.all([
        api.flowChart({ ...query(), metric: '', buckets: BUCKETS }),
        loadUPlot(),
        api.flowTop(query({ by: 'host', limit: LIMIT })),
        api.flowTop(query({ by: 'conversation', limit: LIMIT })),
        api.flowTop(query({ by, limit: LIMIT })),
      ]);
    } catch (err) {
      if (seq !== loadSeq || destroyed || err.status === 401) return;
      if (err.status === 501) {
        disabled.hidden = false;
        content.hidden = true;
        live.hidden = true;
        showError('');
        clearInterval(liveTimer);
        return;
      }
      if (err.status === 403 && !st.exporter) {
        // Not every map is readable: only the exporters on the user's own
        // maps, listed below, can be opened.
        showError('Your access shows the flows of the exporters on your maps: pick one in the Exporters list below, or open a device’s Flows link on its map.');
        loadExporters(seq);
        return;
      }
      showError(`Cannot read the flows: ${err.message}`);
      return;
    }
    if (seq !== loadSeq || destroyed) return;
    disabled.hidden = true;
    content.hidden = false;
    showError('');
    const total = chart.buckets.reduce((sum, b) => sum + (st.metric === 'packets' ? b.packets : b.bytes), 0);
    draw(U, chart);
    // Shares: of all traffic in range for bytes and packets (a host's
    // sessions count for both of its ends); none for sessions.
    const shareOf = st.metric === 'sessions' ? 0 : total;
    renderTop(hosts, top[0], [['Host', 'host']], (r) => ({ add: { host: r.host }, title: r.host }), shareOf);
    renderTop(convs, top[1], [['Client', 'client'], ['Server', 'server']],
      (r, key) => ({ add: { host: key === 'server' ? r.server : r.client }, title: key === 'server' ? r.server : r.client }), shareOf);
    if (by === 'protocol') {
      renderTop(apps, top[2], [['Protocol', 'protocol', (r) => r.protocol || String(r.proto)]],
        (r) => (r.proto ? { add: { proto: String(r.proto) }, title: r.protocol || `protocol ${r.proto}` } : null), shareOf);
    } else {
      renderTop(apps, top[2], [['Application', 'application', (r) => r.application || r.protocol || '?']],
        (r) => (r.proto ? { add: { proto: String(r.proto), ...(r.port ? { port: String(r.port) } : {}) }, title: r.application || r.protocol } : null), shareOf);
    }
    loadExporters(seq);
  }

  async function loadExporters(seq) {
    let list;
    try {
      list = await api.flowExporters();
    } catch (err) {
      if (seq === loadSeq && !destroyed) fill(exBody, h('tr', null, h('td', { colspan: 6, class: 'form-error' }, `Cannot list the exporters: ${err.message}`)));
      return;
    }
    if (seq !== loadSeq || destroyed) return;
    exporters = list || [];
    for (const ex of exporters) {
      for (const [idx, n] of Object.entries(ex.interfaces || {})) if (n && n.name && !ifNames.has(`${ex.address}/${idx}`)) ifNames.set(`${ex.address}/${idx}`, n.name);
    }
    if (st.interface && st.exporter) await interfaceName(st.exporter, st.interface);
    if (seq !== loadSeq || destroyed) return;
    renderFilters();
    if (!exporters.length) {
      fill(exBody, h('tr', null, h('td', { colspan: 6, class: 'muted', testid: 'flows-exporters-empty' }, 'No exporter has sent flows yet.')));
      return;
    }
    fill(exBody, exporters.map((ex) => {
      const lost = (ex.formats || []).reduce((s, f) => s + (f.lost || 0), 0);
      return h('tr', { testid: `flows-exporter-${ex.address}` },
        h('td', { class: 'mono' }, h('button', {
          type: 'button', class: 'link-btn', testid: `flows-exporter-filter-${ex.address}`, title: `Show only the flows ${ex.address} exported`,
          onclick: () => filter({ exporter: ex.address, interface: '', dir: '' }),
        }, ex.address)),
        h('td', null, Object.entries(ex.versions || {}).map(([v, n]) => h('span', { class: 'chip flows-version', title: `${count(n)} records` }, `${versionName(v)} `, h('span', { class: 'muted' }, count(n))))),
        h('td', { class: 'num' }, count(ex.records)),
        h('td', { class: 'num' }, `${count(lost)} / ${count(ex.malformed || 0)}`),
        h('td', { title: when(ex.last_seen) }, ex.last_seen ? `${ago(ex.last_seen)} ago` : '—'),
        h('td', { testid: `flows-exporter-devices-${ex.address}` }, (ex.devices || []).length
          ? (ex.devices || []).map((id, i) => {
            const { map, device } = parseDeviceID(id);
            const canon = deviceID(map, device);
            return [i ? ', ' : '', h('a', { href: `#/map/${encodeURIComponent(map)}?device=${encodeURIComponent(canon)}`, testid: `flows-exporter-device-${canon}` }, `${device} on ${map}`)];
          })
          : h('span', { class: 'muted' }, 'no device with this address')));
    }));
  }

  // interfaceName finds an ifIndex's name: the exporter's options data,
  // else the SNMP interface list of a map device at the exporter's address.
  async function interfaceName(addr, idx) {
    const key = `${addr}/${idx}`;
    if (ifNames.has(key)) return ifNames.get(key);
    const ex = exporters.find((e) => e.address === addr);
    for (const id of (ex && ex.devices) || []) {
      try {
        const { map, device } = parseDeviceID(id);
        const d = await api.device(deviceID(map, device));
        const i = ((d.values && d.values.interfaces) || []).find((x) => String(x.index) === String(idx));
        if (i && (i.name || i.descr)) {
          ifNames.set(key, i.name || i.descr);
          return ifNames.get(key);
        }
      } catch {
        // The number alone names it.
      }
    }
    ifNames.set(key, '');
    return '';
  }

  async function loadAbout() {
    let a;
    try {
      a = await api.flowAbout();
    } catch (err) {
      fill(aboutBox, h('p', { class: err.status === 501 ? 'muted' : 'form-error' }, err.status === 501 ? 'Flows are not collected by this server.' : err.message));
      return;
    }
    const row = (k, v) => [h('dt', null, k), h('dd', null, v)];
    const c = a.collector || {};
    const s = a.sessions || {};
    fill(aboutBox,
      h('dl', { class: 'kv flows-about-kv' },
        row('Versions', (a.versions || []).join(', ') || '—'),
        row('Listeners', (a.listeners || []).join(', ') || '—'),
        row('Database', `${a.backend || '?'}, ${formatBytes(a.database_bytes || 0)}${a.max_bytes ? ` of ${formatBytes(a.max_bytes)}` : ''}`),
        a.database_error ? row('Database error', h('span', { class: 'form-error' }, a.database_error)) : null,
        a.progress && a.progress.loading ? row('Loading', `${count(a.progress.loaded)} of about ${count(a.progress.estimated)} records`) : null,
        row('Exporters', `${count(a.exporters)} (${count(a.templates)} templates)`),
        row('Received', `${count(c.packets)} datagrams, ${count(c.records)} records`),
        row('Problems', `${count(c.malformed)} malformed, ${count(c.errors)} with errors, ${count(c.template_misses)} before their template, ${count(c.pending_dropped)} dropped waiting, ${count(c.socket_drops)} dropped by the kernel`),
        row('Sessions', `${count(s.sessions)} stored, ${count(s.open)} open, ${count(s.duplicates)} duplicates, ${count(s.dropped)} dropped`)),
      h('details', { class: 'flows-about-raw' }, h('summary', null, 'As JSON (for a bug report)'),
        h('pre', { class: 'mono', testid: 'flows-about-json' }, JSON.stringify(a, null, 2))));
  }

  // ---- the chart ----

  function draw(U, c) {
    range = [Date.parse(c.from) / 1000, Date.parse(c.to) / 1000];
    ranges.show(st, !st.to, c);
    // The most recent traffic is still in sessions not yet stored: shade
    // it and say so, rather than show a drop that is not there.
    settledAt = c.settled ? Math.max(Date.parse(c.settled) / 1000, range[0]) : 0;
    settling.hidden = !settledAt;
    settling.textContent = settledAt ? `Traffic after ${when(c.settled)} (shaded) is still being collected: sessions are stored when they end, long ones every few minutes, so this part of the chart may still rise.` : '';
    const step = c.step_seconds || 0;
    resolution.textContent = `${when(c.from)} to ${when(c.to)}${step ? ` · ${c.buckets.length} buckets of ${stepText(step)}` : ''}`;
    const xs = c.buckets.map((b) => Date.parse(b.start) / 1000);
    const ys = c.buckets.map((b) => b.bits_per_second || 0);
    // The last bucket's end, so the steps reach the range's end.
    if (xs.length) {
      xs.push(range[1]);
      ys.push(ys[ys.length - 1]);
    }
    const data = [xs, ys];
    if (plot) {
      plot.setData(data);
    } else {
      const stepped = U.paths && U.paths.stepped ? U.paths.stepped({ align: 1 }) : undefined;
      plot = new U({
        width: plotEl.clientWidth || 900,
        height: HEIGHT,
        series: [{ label: 'Time' }, { label: 'Traffic', stroke: COLOR, width: 1.5, fill: 'rgba(15, 118, 110, 0.18)', paths: stepped, points: { show: false } }],
        scales: {
          x: { time: true, range: () => range },
          y: { range: (self, lo, hi) => [0, hi > 0 ? hi * 1.08 : 1] },
        },
        axes: [
          { stroke: '#667085', grid: { stroke: '#eceef2' }, ticks: { stroke: '#d7dae0' } },
          { scale: 'y', label: 'bit/s', labelSize: 18, size: 64, stroke: '#667085', grid: { stroke: '#eceef2' }, ticks: { stroke: '#d7dae0' },
            values: (self, splits) => splits.map((v) => formatUnits(v, 'bit/s').replace(' bit/s', '').replace('bit/s', '')) },
        ],
        legend: { show: false },
        cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
        hooks: {
          draw: [(u) => {
            if (!settledAt) return;
            const x0 = Math.max(u.valToPos(settledAt, 'x', true), u.bbox.left);
            const x1 = u.bbox.left + u.bbox.width;
            if (x1 <= x0) return;
            u.ctx.save();
            u.ctx.fillStyle = 'rgba(102, 112, 133, 0.12)';
            u.ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
            u.ctx.restore();
          }],
          setSelect: [(u) => {
            if (u.select.width < 4) return;
            const a = u.posToVal(u.select.left, 'x');
            const b = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoom(a, b);
          }],
          setCursor: [(u) => {
            const i = u.cursor.idx;
            plotEl.title = i === null || i === undefined || i >= c.buckets.length ? '' : `${when(new Date(xs[i] * 1000).toISOString())}: ${formatUnits(ys[i], 'bit/s')}`;
          }],
        },
      }, data, plotEl);
      plotEl.querySelector('.u-over')?.setAttribute('data-testid', 'flows-chart-over');
      const canvas = plotEl.querySelector('canvas');
      canvas?.setAttribute('role', 'img');
      canvas?.setAttribute('aria-label', 'Traffic over time, bits per second');
    }
    const peak = Math.max(0, ...ys);
    plotEl.dataset.from = c.from;
    plotEl.dataset.to = c.to;
    plotEl.dataset.settled = c.settled || '';
    plotEl.dataset.buckets = String(c.buckets.length);
    plotEl.dataset.peak = String(peak);
    plotEl.dataset.bytes = String(c.buckets.reduce((s, b) => s + b.bytes, 0));
  }

  load();

  return {
    route: 'flows',
    update(p) {
      st = readState(p);
      load();
    },
    destroy() {
      destroyed = true;
      clearInterval(liveTimer);
      resize.disconnect();
      if (plot) plot.destroy();
      plot = null;
    },
  };
}

// versionName reads the collector's format names: "netflow5" → "NetFlow v5".
function versionName(v) {
  const m = /^(netflow|sflow|ipfix)(\d*)$/i.exec(v);
  if (!m) return v;
  if (m[1].toLowerCase() === 'ipfix') return 'IPFIX';
  return `${m[1].toLowerCase() === 'sflow' ? 'sFlow' : 'NetFlow'}${m[2] ? ` v${m[2]}` : ''}`;
}
