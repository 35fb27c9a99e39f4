// SNMP views shared by the map, the status window and the forms: finding
// the interface a link names, formatting rates and speeds, the system
// group and the live interface table.

import { h, fill, duration } from './dom.js';

// Probes whose values carry the MIB-II system group and the interface
// table, by identifier and alias.
const SNMP_PROBES = new Set(['com.dartware.snmp', 'snmp', 'com.dartware.snmp.traffic', 'snmp-hightraffic']);

// isSNMPProbe reports whether a probe identifier or alias is an SNMP probe.
export function isSNMPProbe(id) {
  return SNMP_PROBES.has(id || '');
}

// isSNMPDevice reports whether a device (a map view's) is polled over SNMP
// or already reports interfaces.
export function isSNMPDevice(d) {
  return !!d && (isSNMPProbe(d.probe) || Array.isArray(d.values?.interfaces));
}

// interfacesOf returns a device's latest interfaces sorted by ifIndex.
export function interfacesOf(values) {
  const list = values && Array.isArray(values.interfaces) ? values.interfaces : [];
  return list.slice().sort((a, b) => (a.index || 0) - (b.index || 0));
}

// findInterface resolves a link's interface name against a device's
// values: an ifIndex number first, else ifName, ifDescr or ifAlias,
// ignoring case. It returns null when nothing matches.
export function findInterface(values, spec) {
  const list = values && Array.isArray(values.interfaces) ? values.interfaces : null;
  if (!list || spec === undefined || spec === null) return null;
  const want = String(spec).trim();
  if (!want) return null;
  if (/^\d+$/.test(want)) {
    const n = Number(want);
    const byIndex = list.find((i) => i.index === n);
    if (byIndex) return byIndex;
  }
  const lower = want.toLowerCase();
  for (const key of ['name', 'descr', 'alias']) {
    const hit = list.find((i) => typeof i[key] === 'string' && i[key].toLowerCase() === lower);
    if (hit) return hit;
  }
  return null;
}

// interfaceLabel names an interface as people read it: "Gi0/1", "#3".
export function interfaceLabel(i) {
  return i.name || i.descr || `#${i.index}`;
}

// Short names of the common IANAifType values; the others show as the MIB
// spells them.
const TYPE_NAMES = {
  other: 'Other', ethernetCsmacd: 'Ethernet', softwareLoopback: 'Loopback', ieee80211: 'Wi-Fi', propVirtual: 'Virtual',
  l2vlan: 'VLAN', l3ipvlan: 'IP VLAN', tunnel: 'Tunnel', ieee8023adLag: 'LAG', bridge: 'Bridge', ppp: 'PPP',
  gigabitEthernet: 'Gigabit Ethernet', fastEther: 'Fast Ethernet', fastEtherFX: 'Fast Ethernet FX', propPointToPointSerial: 'Serial',
  ds1: 'DS1 (T1/E1)', ds3: 'DS3 (T3/E3)', sonet: 'SONET', atm: 'ATM', frameRelay: 'Frame Relay', fibreChannel: 'Fibre Channel',
  mpls: 'MPLS', mplsTunnel: 'MPLS tunnel', adsl: 'ADSL', vdsl: 'VDSL', docsCableMaclayer: 'DOCSIS MAC', pppMultilinkBundle: 'PPP multilink',
  virtualIpAddress: 'Virtual IP', propMultiplexor: 'Multiplexor', aal5: 'AAL5', voiceEncap: 'Voice', gif: 'GIF tunnel', stf: '6to4',
  pos: 'Packet over SONET', isdn: 'ISDN', modem: 'Modem', usb: 'USB', ieee8023adLagPort: 'LAG port',
};

// typeName returns an interface's type for a person: "Ethernet", "Loopback".
export function typeName(i) {
  if (i.type_name) return TYPE_NAMES[i.type_name] || i.type_name;
  return i.type ? `type ${i.type}` : '—';
}

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const PREFIX = ['', 'k', 'M', 'G', 'T', 'P'];

// formatBits formats bits per second: "0 b/s", "512 b/s", "1.23 Mb/s",
// "12.3 Mb/s", "123 Mb/s". Unknown rates are "—".
export function formatBits(bps) {
  let v = num(bps);
  if (v === null) return '—';
  if (v < 0) v = 0;
  let u = 0;
  while (v >= 999.5 && u < PREFIX.length - 1) {
    v /= 1000;
    u++;
  }
  let text;
  if (u === 0 || v >= 99.95) text = String(Math.round(v));
  else if (v >= 9.995) text = v.toFixed(1);
  else text = v.toFixed(2);
  return `${text} ${PREFIX[u]}b/s`;
}

// formatSpeed formats an interface's nominal speed: "10 Mb/s", "1 Gb/s",
// "2.5 Gb/s"; 0 (unknown) is "—".
export function formatSpeed(bps) {
  let v = num(bps);
  if (!v || v <= 0) return '—';
  let u = 0;
  while (v >= 1000 && u < PREFIX.length - 1) {
    v /= 1000;
    u++;
  }
  return `${String(Math.round(v * 100) / 100)} ${PREFIX[u]}b/s`;
}

// formatPct formats a utilisation: "0%", "<0.1%", "4.2%", "57%".
export function formatPct(p) {
  const v = num(p);
  if (v === null) return '—';
  if (v === 0) return '0%';
  if (v < 0.1) return '<0.1%';
  if (v < 9.95) return `${v.toFixed(1)}%`;
  return `${Math.round(v)}%`;
}

// formatPerMin formats errors or discards per minute.
export function formatPerMin(n) {
  const v = num(n);
  if (v === null) return '—';
  if (v === 0) return '0';
  if (v < 9.95) return v.toFixed(1).replace(/\.0$/, '');
  return String(Math.round(v));
}

// utilOf returns an interface's utilisation, the larger of in and out, or
// null when neither is known.
export function utilOf(i) {
  const a = num(i.in_util_pct);
  const b = num(i.out_util_pct);
  if (a === null && b === null) return null;
  return Math.max(a ?? 0, b ?? 0);
}

// utilLevel is InterMapper's link halo: yellow from 50 %, orange from 90 %.
export function utilLevel(p) {
  if (p === null || p === undefined) return '';
  if (p >= 90) return 'high';
  if (p >= 50) return 'warn';
  return '';
}

// ifState sums an interface's admin and oper status up as one word:
// "up", "down" (admin up, oper down), "admin-down", or the oper status.
export function ifState(i) {
  const admin = String(i.admin_status || '').toLowerCase();
  const oper = String(i.oper_status || '').toLowerCase();
  if (admin === 'down') return 'admin-down';
  if (oper === 'up') return 'up';
  if (oper === 'down' || oper === 'lowerlayerdown' || oper === 'notpresent') return 'down';
  return oper || 'unknown';
}

const STATE_LABEL = { up: 'up', down: 'down', 'admin-down': 'admin down', lowerlayerdown: 'lower layer down', notpresent: 'not present' };

// statePill is a coloured pill for an interface's state.
export function statePill(i, values) {
  const st = ifState(i);
  const oper = i.oper_status || 'unknown';
  let label = STATE_LABEL[st] || st;
  if (st === 'down' && oper !== 'down') label = STATE_LABEL[oper.toLowerCase()] || oper;
  const parts = [`admin ${i.admin_status || 'unknown'}, oper ${oper}`];
  const up = num(values?.sys_uptime);
  const lc = num(i.last_change_s);
  if (up !== null && lc !== null && lc > 0 && lc <= up) parts.push(`changed ${duration((up - lc) * 1000)} ago`);
  return h('span', { class: 'ifstate', dataset: { state: st }, title: parts.join('; ') }, label);
}

// utilCell shows a rate with a small utilisation bar under it.
function rateCell(bps, pct) {
  const p = num(pct);
  const level = utilLevel(p);
  return h('td', { class: 'num rate' },
    h('div', { class: 'rate-text' }, formatBits(bps)),
    h('div', { class: 'util', title: p === null ? 'utilisation unknown (no speed or no rate yet)' : `utilisation ${formatPct(p)}` },
      h('span', { class: 'util-bar' }, h('span', { class: 'util-fill', dataset: { level: level || 'ok' }, style: `width:${p === null ? 0 : Math.min(100, Math.max(p, p > 0 ? 2 : 0))}%` })),
      h('span', { class: 'util-text' }, formatPct(p))));
}

function pairCell(a, b, what) {
  const x = num(a);
  const y = num(b);
  const bad = (x ?? 0) > 0 || (y ?? 0) > 0;
  return h('td', { class: bad ? 'num pair is-bad' : 'num pair', title: `${what} per minute: in ${formatPerMin(a)}, out ${formatPerMin(b)}` },
    `${formatPerMin(a)} / ${formatPerMin(b)}`);
}

// ---- the system group ----------------------------------------------------

// systemRows returns [label, value] rows of the MIB-II system group.
export function systemRows(v) {
  if (!v) return [];
  const oid = v.sys_object_id ? (v.sys_object_name && v.sys_object_name !== v.sys_object_id ? `${v.sys_object_id} (${v.sys_object_name})` : v.sys_object_id) : '';
  return [
    ['Name', v.sys_name],
    ['Description', v.sys_descr],
    ['Uptime', v.sys_uptime_text],
    ['Contact', v.sys_contact],
    ['Location', v.sys_location],
    ['Object ID', oid],
  ].filter(([, val]) => val !== undefined && val !== null && val !== '');
}

// Values the SNMP sections show; the generic values table leaves them out.
export const SNMP_VALUE_KEYS = new Set(['sys_descr', 'sys_name', 'sys_object_id', 'sys_object_name', 'sys_uptime', 'sys_uptime_text', 'sys_contact', 'sys_location', 'interfaces']);

// ---- the interface table -------------------------------------------------

const COLUMNS = [
  ['#', 'num col-index'], ['Interface', 'col-name'], ['Type', 'col-type'], ['Speed', 'num col-speed'], ['Status', 'col-status'],
  ['In', 'num col-rate'], ['Out', 'num col-rate'], ['Errors/min', 'num col-pair'], ['Discards/min', 'num col-pair'],
];

// InterfaceTable is the live list of a device's interfaces. update() only
// rebuilds the rows whose interface changed, so a switch with hundreds of
// ports stays fluid at every status delta.
export class InterfaceTable {
  constructor(state = {}) {
    this.state = state; // {showIgnored, filter}, kept by the panel per device
    this.rows = new Map(); // ifIndex → {tr, sig}
    this.order = '';
    this.summary = h('span', { class: 'iface-summary muted', testid: 'iface-summary' });
    this.filterInput = h('input', {
      type: 'search', class: 'iface-filter', testid: 'iface-filter', placeholder: 'Filter interfaces', 'aria-label': 'Filter interfaces',
      value: state.filter || '', oninput: () => { this.state.filter = this.filterInput.value; this.applyFilter(); },
    });
    this.ignoredBox = h('input', {
      type: 'checkbox', testid: 'iface-show-ignored', checked: !!state.showIgnored,
      onchange: () => { this.state.showIgnored = this.ignoredBox.checked; this.applyFilter(); },
    });
    this.ignoredLabel = h('span');
    this.ignoredToggle = h('label', { class: 'check iface-ignored-toggle' }, this.ignoredBox, this.ignoredLabel);
    this.tbody = h('tbody');
    this.empty = h('p', { class: 'muted iface-empty', hidden: true });
    this.table = h('table', { class: 'table iface-table', testid: 'iface-table' },
      h('thead', null, h('tr', null, COLUMNS.map(([label, cls]) => h('th', { scope: 'col', class: cls }, label)))),
      this.tbody);
    this.wrap = h('div', { class: 'iface-wrap' }, this.table);
    this.el = h('div', { class: 'iface-box' },
      h('div', { class: 'iface-tools' }, this.summary, this.filterInput, this.ignoredToggle),
      this.wrap, this.empty);
  }

  update(values) {
    const list = interfacesOf(values);
    const seen = new Set();
    for (const i of list) {
      seen.add(i.index);
      const sig = JSON.stringify(i) + (values.sys_uptime ?? '');
      let row = this.rows.get(i.index);
      if (!row) {
        row = { tr: h('tr', { testid: `iface-row-${i.index}` }), sig: '' };
        this.rows.set(i.index, row);
      }
      row.iface = i;
      if (row.sig !== sig) {
        row.sig = sig;
        this.fillRow(row.tr, i, values);
      }
    }
    for (const [idx, row] of this.rows) {
      if (!seen.has(idx)) {
        row.tr.remove();
        this.rows.delete(idx);
      }
    }
    const order = list.map((i) => i.index).join(',');
    if (order !== this.order) {
      this.order = order;
      this.tbody.replaceChildren(...list.map((i) => this.rows.get(i.index).tr));
    }
    const by = {};
    for (const i of list) {
      const st = ifState(i);
      by[st] = (by[st] || 0) + 1;
    }
    const parts = [`${list.length} interface${list.length === 1 ? '' : 's'}`];
    for (const [st, label] of [['up', 'up'], ['down', 'down'], ['admin-down', 'admin down']]) if (by[st]) parts.push(`${by[st]} ${label}`);
    this.summary.textContent = parts.join(' · ');
    this.ignored = list.filter((i) => i.ignored).length;
    this.ignoredToggle.hidden = this.ignored === 0;
    this.ignoredLabel.textContent = `Show ${this.ignored} ignored`;
    this.filterInput.hidden = list.length < 8 && !this.state.filter;
    this.applyFilter();
  }

  fillRow(tr, i, values) {
    const st = ifState(i);
    tr.dataset.name = i.name || i.descr || '';
    tr.dataset.oper = i.oper_status || '';
    tr.dataset.admin = i.admin_status || '';
    tr.dataset.state = st;
    tr.classList.toggle('is-ignored', !!i.ignored);
    const alias = i.alias && i.alias !== interfaceLabel(i) ? i.alias : '';
    const descr = i.descr && i.descr !== i.name && i.descr !== alias ? i.descr : '';
    fill(tr,
      h('td', { class: 'num col-index' }, String(i.index)),
      h('td', { class: 'col-name', title: [i.name, i.descr, i.alias, i.mac].filter(Boolean).join('\n') },
        h('div', { class: 'if-name' }, interfaceLabel(i), i.ignored ? h('span', { class: 'if-tag' }, 'ignored') : null),
        alias ? h('div', { class: 'if-alias' }, alias) : descr ? h('div', { class: 'if-alias' }, descr) : null),
      h('td', { class: 'col-type', title: i.type ? `ifType ${i.type}${i.type_name ? ' (' + i.type_name + ')' : ''}` : '' }, typeName(i)),
      h('td', { class: 'num col-speed' }, formatSpeed(i.speed_bps)),
      h('td', { class: 'col-status' }, statePill(i, values)),
      rateCell(i.in_bps, i.in_util_pct),
      rateCell(i.out_bps, i.out_util_pct),
      pairCell(i.in_errors_per_min, i.out_errors_per_min, 'Errors'),
      pairCell(i.in_discards_per_min, i.out_discards_per_min, 'Discards'));
  }

  applyFilter() {
    const q = (this.state.filter || '').trim().toLowerCase();
    let shown = 0;
    for (const row of this.rows.values()) {
      const i = row.iface;
      let show = !i.ignored || this.state.showIgnored;
      if (show && q) show = [String(i.index), i.name, i.descr, i.alias, i.type_name, typeName(i)].some((s) => s && String(s).toLowerCase().includes(q));
      row.tr.hidden = !show;
      if (show) shown++;
    }
    this.wrap.hidden = shown === 0;
    this.empty.hidden = shown > 0;
    this.empty.textContent = this.rows.size === 0 ? 'The agent reports no interfaces.'
      : q ? 'No interface matches the filter.' : 'Every interface is ignored.';
  }
}

// ---- one interface, for the link window ---------------------------------

// interfaceCard describes the interface a link names on one device.
export function interfaceCard(device, spec) {
  const values = device?.values;
  const i = findInterface(values, spec);
  const head = h('div', { class: 'if-card-head' }, h('strong', null, device ? device.name : '?'), h('span', { class: 'muted' }, ' · interface '), h('span', { class: 'mono' }, spec));
  if (!i) {
    const why = !values || !Array.isArray(values.interfaces)
      ? 'No SNMP interface list yet: the device has not answered an SNMP poll.'
      : `The latest poll lists no interface with index, name, description or alias “${spec}”.`;
    return h('div', { class: 'if-card is-missing', testid: `link-iface-${device ? device.name : spec}` }, head, h('p', { class: 'muted' }, why));
  }
  const alias = i.alias && i.alias !== interfaceLabel(i) ? ` (${i.alias})` : '';
  const row = (k, v) => [h('dt', null, k), h('dd', null, v)];
  const utilBar = (p) => {
    const v = num(p);
    return h('span', { class: 'util' },
      h('span', { class: 'util-bar' }, h('span', { class: 'util-fill', dataset: { level: utilLevel(v) || 'ok' }, style: `width:${v === null ? 0 : Math.min(100, Math.max(v, v > 0 ? 2 : 0))}%` })),
      h('span', { class: 'util-text' }, formatPct(v)));
  };
  return h('div', { class: 'if-card', testid: `link-iface-${device.name}`, dataset: { state: ifState(i) } },
    head,
    h('div', { class: 'if-card-title' }, statePill(i, values), ' ', h('strong', null, `${interfaceLabel(i)}${alias}`), h('span', { class: 'muted' }, ` #${i.index}${i.type ? ' · ' + typeName(i) : ''}`)),
    h('dl', { class: 'kv if-kv' },
      row('Speed', formatSpeed(i.speed_bps)),
      row('In', h('span', { class: 'if-rate' }, h('span', null, formatBits(i.in_bps)), utilBar(i.in_util_pct))),
      row('Out', h('span', { class: 'if-rate' }, h('span', null, formatBits(i.out_bps)), utilBar(i.out_util_pct))),
      row('Errors/min', `in ${formatPerMin(i.in_errors_per_min)} · out ${formatPerMin(i.out_errors_per_min)}`),
      row('Discards/min', `in ${formatPerMin(i.in_discards_per_min)} · out ${formatPerMin(i.out_discards_per_min)}`),
      i.in_pps !== undefined || i.out_pps !== undefined ? row('Packets/s', `in ${formatPerMin(i.in_pps)} · out ${formatPerMin(i.out_pps)}`) : null,
      i.mac ? row('MAC', h('span', { class: 'mono' }, i.mac)) : null));
}
