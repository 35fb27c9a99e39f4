// The probe builder (#/builder): walk a device, pick OIDs as variables, add
// thresholds and a display, preview the probe against the device and save
// it as a probe file into DIR/probes/ — the "Interactive Probe Builder"
// loop of InterMapper's seeds, in the browser. The file it writes is an
// ordinary custom-snmp probe file (see ../shared/probes/spec/01 and 02),
// readable by InterMapper as well.
//
// The work in progress is kept in localStorage (without SNMP secrets), so
// leaving the page or reloading it loses nothing.

import * as api from './api.js';
import { h, fill, clear, statusBadge, formatValue, toast, confirmDialog, debounce } from './dom.js';
import { probes, findProbe } from './forms.js';
import { isSNMPProbe } from './snmp.js';

const STORE_KEY = 'vantage.probeBuilder.v1';
const ADDRESS = '__address__'; // the device select's "another address" entry
const ROWS_SHOWN = 400; // walk rows drawn at a time; "Show more" draws more

// Subtrees offered as one-click walks.
const SUBTREES = [
  ['mib-2', '1.3.6.1.2.1'],
  ['system', '1.3.6.1.2.1.1'],
  ['interfaces', '1.3.6.1.2.1.2'],
  ['ifXTable', '1.3.6.1.2.1.31.1.1'],
  ['host resources', '1.3.6.1.2.1.25'],
  ['enterprises', '1.3.6.1.4.1'],
];

// Variable types of <snmp-device-variables> (spec 02 §2), with a hint each.
export const VAR_TYPES = [
  ['DEFAULT', 'from the SNMP type: counters per second, gauges as is, strings as text'],
  ['INTEGER', 'a number ("78Fred" is 78)'],
  ['INTEGER64', 'a 64-bit number'],
  ['STRING', 'text; an enumerated INTEGER shows its MIB label'],
  ['HEXADECIMAL', 'numbers as 0xFF…, strings as hex bytes'],
  ['HEXNUMBER', 'a string of hex digits read as a number'],
  ['TOTAL-VALUE', 'the raw counter or gauge, no rate'],
  ['TOTAL64-VALUE', 'the raw 64-bit counter, no rate'],
  ['PER-SECOND', 'change per second between polls'],
  ['PER-MINUTE', 'change per minute between polls'],
  ['IPADDRESS', 'a 4- or 16-byte string shown as an IP address'],
  ['OID', 'an object identifier'],
  ['CALCULATION', 'an expression over other variables and parameters'],
];

// Threshold levels, worst first, as <snmp-device-thresholds> spells them.
const LEVELS = ['critical', 'alarm', 'warning', 'okay', 'down'];

// ---- the model and the probe file -------------------------------------

let nextKey = 1;
const key = () => nextKey++;

export function emptyModel() {
  return {
    header: {
      package: 'com.example', probe_name: 'snmp.custom', human_name: 'Custom SNMP probe',
      version: '1.0', category: 'SNMP/Custom', description: '',
    },
    params: [], // {k, name, value}
    vars: [], // {k, name, oid, type, legend, sample, numeric}
    thresholds: [], // {k, level, expr, reason}
    display: null, // null: generated from the variables; text once edited
    target: { device: '', address: '', version: '2c', port: '', user: '', auth: '', priv: '', context: '' },
    subtree: '1.3.6.1.2.1',
    limit: 5000,
  };
}

const one = (s) => String(s ?? '').replace(/[\r\n\t]+/g, ' ').trim();

// quote writes a probe-file string literal: `"` inside is escaped as \",
// and a trailing backslash (which would escape the closing quote) dropped.
export function quote(s) {
  return `"${one(s).replace(/\\+$/, '').replace(/"/g, '\\"')}"`;
}

// ref is how a display or expression names a variable: $name, or ${name}
// when the name holds characters that would end a bare $name.
export function ref(name) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `$${name}` : `\${${name}}`;
}

// imml escapes text for IMML: backslashes and $ are literal.
const imml = (s) => one(s).replace(/\\/g, '\\\\').replace(/\$/g, '\\$');

// validName applies the variable naming rule (spec 01 §8; Vantage also
// takes dotted names).
export const validName = (n) => /^[A-Za-z_][A-Za-z0-9_.]*$/.test(n);

// defaultDisplay is the generated <snmp-device-display>: a title line, then
// one "name: value" line per variable.
export function defaultDisplay(m) {
  const lines = [`\\B5\\${imml(m.header.human_name) || 'Custom SNMP probe'}\\0P\\`];
  for (const v of m.vars) if (validName(one(v.name))) lines.push(`\\4\\${one(v.name)}:\\0\\ ${ref(one(v.name))}`);
  return lines.join('\n');
}

export const displayOf = (m) => (m.display === null ? defaultDisplay(m) : m.display);

// identifier is package.probe_name.
export const identifier = (m) => `${one(m.header.package)}.${one(m.header.probe_name)}`.replace(/^\.|\.$/g, '');

// fileName is the file the probe is saved as: <package>.<probe_name>.txt,
// kept to letters, digits, '.', '-' and '_' (the server's rule).
export function fileName(m) {
  const base = identifier(m).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[._-]+|[._-]+$/g, '').slice(0, 120);
  return `${base || 'probe'}.txt`;
}

// pad lines up the comma-separated columns of a section.
function columns(rows, indent = '\t') {
  const widths = [];
  for (const r of rows) r.slice(0, -1).forEach((c, i) => { widths[i] = Math.max(widths[i] || 0, c.length + 1); });
  return rows.map((r) => indent + r.map((c, i) => (i < r.length - 1 ? (c + ',').padEnd(widths[i] + 2) : c)).join('').trimEnd());
}

// usableVars are the variables complete enough to write.
const usableVars = (m) => m.vars.filter((v) => one(v.name) && one(v.oid));

// checks lists what keeps the probe from being complete or valid, as the
// builder sees it (the server's preview reports the rest).
export function checks(m) {
  const out = [];
  const hd = m.header;
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(one(hd.package))) out.push('The package must be a dotted name such as com.example.');
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(one(hd.probe_name))) out.push('The probe name must be a name such as snmp.ups (letters, digits, dots, - and _).');
  if (!one(hd.human_name)) out.push('The human name is empty: it is what the device form lists.');
  const seen = new Map();
  m.vars.forEach((v, i) => {
    const name = one(v.name);
    if (!name) out.push(`Variable ${i + 1} has no name and is left out.`);
    else if (!validName(name)) out.push(`Variable name “${name}” must start with a letter and hold only letters, digits, _ and dots.`);
    else if (seen.has(name.toLowerCase())) out.push(`Variable “${name}” is defined twice (names ignore case).`);
    if (name && !one(v.oid)) out.push(v.type === 'CALCULATION' ? `Calculation “${name}” has no expression and is left out.` : `Variable “${name}” has no OID and is left out.`);
    seen.set(name.toLowerCase(), true);
  });
  m.thresholds.forEach((t, i) => { if (!one(t.expr)) out.push(`Threshold ${i + 1} has no expression and is left out.`); });
  if (!usableVars(m).length) out.push('The probe has no variables yet: walk a device and click the rows to add.');
  return out;
}

// generate writes the probe file (spec 01: header, description,
// parameters; spec 02: variables, thresholds, display).
export function generate(m) {
  const hd = m.header;
  const id = identifier(m);
  const human = one(hd.human_name) || one(hd.probe_name) || 'Custom SNMP probe';
  const L = [];
  const noDashes = (s) => s.replace(/-{2,}/g, (d) => d.split('').join(' '));
  L.push('<!--', `\t${noDashes(human)} (${noDashes(id)})`, '\tMade with the Vantage probe builder.', '-->', '');

  const header = [
    ['type', 'custom-snmp'], ['package', hd.package], ['probe_name', hd.probe_name], ['human_name', human],
    ['version', one(hd.version) || '1.0'], ['address_type', 'IP'], ['port_number', '161'],
    ['display_name', one(hd.category) || 'SNMP/Custom'],
  ];
  L.push('<header>', ...header.map(([k, v]) => `\t${`"${k}"`.padEnd(15)} = ${quote(v)}`), '</header>', '');

  L.push('<description>', `\\GB\\${imml(human)}\\P\\`);
  const descr = String(hd.description || '').replace(/\r\n?/g, '\n').trim();
  if (descr) {
    L.push('');
    for (const line of descr.split('\n')) {
      // Keep a line from closing the section, opening a comment or being
      // read as a "--" comment.
      L.push(line.replace(/<(\/?[A-Za-z][\w:-]*)>/g, '‹$1›').replace(/<!--/g, '< !--').replace(/^(\s*)--/, '$1–'));
    }
  }
  L.push('</description>', '');

  const params = m.params.filter((p) => one(p.name));
  if (params.length) {
    L.push('<parameters>', ...params.map((p) => `\t${quote(p.name)} = ${quote(p.value)}`), '</parameters>', '');
  }

  const vars = usableVars(m);
  L.push('<snmp-device-variables>');
  L.push(...columns(vars.map((v) => [one(v.name), one(v.oid), v.type || 'DEFAULT', quote(v.legend)])));
  L.push('</snmp-device-variables>', '');

  const ths = m.thresholds.filter((t) => one(t.expr));
  if (ths.length) {
    L.push('<snmp-device-thresholds>');
    for (const t of ths) {
      let expr = one(t.expr);
      const reason = one(t.reason);
      // A lone string at the end would be read as the condition string.
      if (!reason && expr.endsWith('"')) expr = `(${expr})`;
      L.push(`\t${(t.level + ':').padEnd(10)}${expr}${reason ? `\t${quote(reason)}` : ''}`);
    }
    L.push('</snmp-device-thresholds>', '');
  }

  const display = displayOf(m).replace(/\r\n?/g, '\n').replace(/\n+$/, '')
    .split('\n').filter((l) => !/^\s*<\/snmp-device-display>\s*$/i.test(l)).join('\n');
  L.push('<snmp-device-display>', display, '</snmp-device-display>', '');
  return L.join('\n');
}

// ---- names from a walk --------------------------------------------------

// symbolic reports whether a walk's MIB name can stand as the OID field:
// MODULE::name.index or name.index with a numeric index.
const symbolic = (n) => /^([A-Za-z][A-Za-z0-9-]*::)?[A-Za-z][A-Za-z0-9_-]*(\.\d+)*$/.test(n || '');

// oidField is the OID a walked row is polled by: its MIB name when the
// server knows one, else the numeric OID.
export function oidField(row) {
  return symbolic(row.name) && row.name !== row.oid ? row.name : row.oid;
}

// varName derives a variable name from a walked row: sysName for
// SNMPv2-MIB::sysName.0, ifInOctets_2 for IF-MIB::ifInOctets.2, made unique
// (ignoring case) against taken.
export function varName(row, taken) {
  let base = '';
  let n = String(row.name || '');
  if (n.includes('::')) n = n.slice(n.indexOf('::') + 2);
  const m = /^([A-Za-z][A-Za-z0-9_-]*)(.*)$/.exec(n);
  if (m && n !== row.oid) {
    base = m[1].replace(/-/g, '_');
    const idx = m[2].replace(/^\./, '');
    if (idx && idx !== '0') base += '_' + idx.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  } else {
    const subs = String(row.oid || '').split('.').filter(Boolean);
    base = 'oid_' + (subs.slice(-3).join('_') || 'x');
  }
  base = base.slice(0, 48);
  const used = new Set([...taken].map((t) => t.toLowerCase()));
  let name = base;
  for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base}${i}`;
  return name;
}

// legendFor is a variable's default legend: the MIB name without module.
function legendFor(row) {
  const n = String(row.name || '');
  if (!n || n === row.oid) return row.oid;
  return (n.includes('::') ? n.slice(n.indexOf('::') + 2) : n).replace(/\.0$/, '');
}

// ---- persistence --------------------------------------------------------

function load() {
  try {
    const raw = localStorage.getItem(STORE_KEY);
    if (!raw) return emptyModel();
    const saved = JSON.parse(raw);
    const m = emptyModel();
    Object.assign(m.header, saved.header || {});
    Object.assign(m.target, saved.target || {});
    for (const k of ['subtree', 'limit']) if (saved[k] !== undefined) m[k] = saved[k];
    m.display = typeof saved.display === 'string' ? saved.display : null;
    m.params = (saved.params || []).map((p) => ({ ...p, k: key() }));
    m.vars = (saved.vars || []).map((v) => ({ ...v, k: key() }));
    m.thresholds = (saved.thresholds || []).map((t) => ({ ...t, k: key() }));
    return m;
  } catch {
    return emptyModel();
  }
}

function store(m) {
  try {
    const strip = (list) => list.map(({ k, ...rest }) => rest);
    localStorage.setItem(STORE_KEY, JSON.stringify({
      header: m.header, target: m.target, subtree: m.subtree, limit: m.limit, display: m.display,
      params: strip(m.params), vars: strip(m.vars), thresholds: strip(m.thresholds),
    }));
  } catch {
    // Private mode or full storage: the builder still works, unsaved.
  }
}

// refreshProbeList re-reads GET /api/v1/probes into the list forms.js
// keeps for the page's life, in place, so the device form offers a probe
// saved here without a page reload.
async function refreshProbeList() {
  const [cached, fresh] = await Promise.all([probes(), api.probes()]);
  cached.splice(0, cached.length, ...fresh.sort((a, b) => a.name.localeCompare(b.name)));
  return cached;
}

// isSNMPTarget reports whether a device is polled over SNMP: an SNMP probe
// (built in or a custom-snmp file) or its own SNMP settings.
function isSNMPTarget(d, list) {
  if (d.snmp || isSNMPProbe(d.probe)) return true;
  const p = findProbe(list, d.probe);
  return !!p && (/snmp/i.test(p.type || '') || /^com\.dartware\.snmp/.test(p.id));
}

// ---- the page -----------------------------------------------------------

let fieldSeq = 0;

// labelled wraps an input with its label.
function labelled(label, input, help, cls = 'field') {
  if (!input.id) input.id = `bld-${++fieldSeq}`;
  const helpEl = help ? h('small', { class: 'help', id: `${input.id}-help` }, help) : null;
  if (helpEl) input.setAttribute('aria-describedby', helpEl.id);
  return h('div', { class: cls }, h('label', { for: input.id }, label), input, helpEl);
}

export function builderPage(view) {
  document.title = 'Probe builder — Vantage';
  const m = load();
  let alive = true;
  let walkRows = [];
  let shown = ROWS_SHOWN;
  let probeList = [];
  let secrets = { community: '', auth_key: '', priv_key: '' };
  const persist = debounce(() => store(m), 300);

  // Everything that depends on the model is redrawn by changed().
  const fileText = h('pre', { class: 'builder-file', testid: 'builder-file', tabindex: 0, 'aria-label': 'Probe file' });
  const checkList = h('ul', { class: 'builder-checks', testid: 'builder-checks' });
  const fileNameEl = h('code', { testid: 'builder-filename' });
  const idEl = h('code', { testid: 'builder-id' });
  const displayArea = h('textarea', {
    testid: 'builder-display-text', rows: 8, spellcheck: 'false', class: 'mono',
    oninput: () => { m.display = displayArea.value; changed(false); },
  });
  const displayNote = h('p', { class: 'help' });
  function changed(redrawDisplay = true) {
    const text = generate(m);
    fileText.textContent = text;
    fileNameEl.textContent = `probes/${fileName(m)}`;
    idEl.textContent = identifier(m);
    const problems = checks(m);
    fill(checkList, problems.map((p) => h('li', null, p)));
    checkList.hidden = !problems.length;
    if (redrawDisplay && document.activeElement !== displayArea) displayArea.value = displayOf(m);
    displayNote.textContent = m.display === null
      ? 'Generated from the variables until you edit it. IMML: \\B\\ bold, \\4\\ light blue, \\0P\\ black plain; $name is a variable\'s value.'
      : 'Edited: new variables are not added here. “Regenerate” starts again from the variables.';
    markAdded();
    persist();
  }

  // ---- 1. target and walk ----

  const deviceSelect = h('select', { testid: 'builder-device', onchange: () => { m.target.device = deviceSelect.value; syncTarget(); persist(); } },
    h('option', { value: '' }, 'Loading devices…'));
  const addr = h('input', { testid: 'builder-address', value: m.target.address, placeholder: '192.0.2.1 or a DNS name', autocomplete: 'off', spellcheck: 'false' });
  const version = h('select', { testid: 'builder-snmp-version' }, [['1', 'SNMPv1'], ['2c', 'SNMPv2c'], ['3', 'SNMPv3']].map(([v, l]) => h('option', { value: v, selected: v === m.target.version }, l)));
  const port = h('input', { testid: 'builder-snmp-port', type: 'number', min: 1, max: 65535, value: m.target.port, placeholder: '161', inputmode: 'numeric' });
  const community = h('input', { testid: 'builder-snmp-community', type: 'password', autocomplete: 'off', placeholder: 'public' });
  const user = h('input', { testid: 'builder-snmp-user', value: m.target.user, autocomplete: 'off', spellcheck: 'false' });
  const auth = h('select', { testid: 'builder-snmp-auth' }, [['', 'None'], 'MD5', 'SHA', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'].map((o) => {
    const [v, l] = Array.isArray(o) ? o : [o, o];
    return h('option', { value: v, selected: v === m.target.auth }, l);
  }));
  const authKey = h('input', { testid: 'builder-snmp-auth-key', type: 'password', autocomplete: 'off' });
  const priv = h('select', { testid: 'builder-snmp-priv' }, [['', 'None'], 'DES', 'AES', 'AES-192', 'AES-256'].map((o) => {
    const [v, l] = Array.isArray(o) ? o : [o, o];
    return h('option', { value: v, selected: v === m.target.priv }, l);
  }));
  const privKey = h('input', { testid: 'builder-snmp-priv-key', type: 'password', autocomplete: 'off' });
  const context = h('input', { testid: 'builder-snmp-context', value: m.target.context, autocomplete: 'off', spellcheck: 'false' });
  const v1v2 = [labelled('Community', community, 'not stored by the builder')];
  const v3 = [labelled('User', user), labelled('Auth protocol', auth), labelled('Auth pass phrase', authKey),
    labelled('Privacy protocol', priv), labelled('Privacy pass phrase', privKey), labelled('Context', context)];
  const addressBox = h('fieldset', { class: 'params builder-address', testid: 'builder-address-box' },
    h('legend', null, 'Address and SNMP settings'),
    h('div', { class: 'builder-grid-fields' }, labelled('Address', addr), labelled('Version', version), labelled('UDP port', port), v1v2, v3));
  for (const el of [addr, port, user, context]) el.addEventListener('input', () => { readTarget(); persist(); });
  for (const el of [version, auth, priv]) el.addEventListener('change', () => { readTarget(); syncTarget(); persist(); });
  community.addEventListener('input', () => { secrets.community = community.value; });
  authKey.addEventListener('input', () => { secrets.auth_key = authKey.value; });
  privKey.addEventListener('input', () => { secrets.priv_key = privKey.value; });

  function readTarget() {
    Object.assign(m.target, { address: addr.value.trim(), version: version.value, port: port.value.trim(), user: user.value.trim(), auth: auth.value, priv: priv.value, context: context.value.trim() });
  }
  function syncTarget() {
    const isAddr = deviceSelect.value === ADDRESS;
    addressBox.hidden = !isAddr;
    const is3 = version.value === '3';
    for (const el of v1v2) el.hidden = is3;
    for (const el of v3) el.hidden = !is3;
    authKey.disabled = !auth.value;
    priv.disabled = !auth.value;
    privKey.disabled = !auth.value || !priv.value;
  }

  // target is the device part of a walk or preview request.
  function target() {
    const v = deviceSelect.value;
    if (v && v !== ADDRESS) return { device: v };
    if (v !== ADDRESS) throw new Error('Choose a device to walk, or “Another address…”.');
    readTarget();
    const t = m.target;
    if (!t.address) throw new Error('Type the address of the SNMP agent.');
    const snmp = { version: t.version };
    if (t.port) {
      const n = Number(t.port);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`UDP port ${t.port} is not a port number (1–65535).`);
      snmp.port = n;
    }
    if (t.version === '3') {
      if (!t.user) throw new Error('SNMPv3 needs a user name.');
      snmp.user = t.user;
      if (t.auth) {
        snmp.auth = t.auth;
        snmp.auth_key = secrets.auth_key;
        if (t.priv) {
          snmp.priv = t.priv;
          snmp.priv_key = secrets.priv_key;
        }
      }
      if (t.context) snmp.context = t.context;
    } else {
      snmp.community = secrets.community || 'public';
    }
    return { address: t.address, snmp };
  }

  const subtree = h('input', { testid: 'builder-subtree', value: m.subtree, placeholder: '1.3.6.1.2.1', spellcheck: 'false', class: 'mono',
    oninput: () => { m.subtree = subtree.value.trim(); persist(); },
    onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); walk(); } } });
  const limit = h('input', { testid: 'builder-limit', type: 'number', min: 1, max: 100000, value: m.limit, inputmode: 'numeric',
    oninput: () => { m.limit = Number(limit.value) || 5000; persist(); } });
  const walkBtn = h('button', { type: 'button', class: 'primary', testid: 'builder-walk', onclick: () => walk() }, 'Walk');
  const quick = h('div', { class: 'builder-quick', role: 'group', 'aria-label': 'Common subtrees' },
    SUBTREES.map(([label, oid]) => h('button', {
      type: 'button', class: 'chip-btn', title: oid, testid: `builder-subtree-${label.replace(/\W+/g, '-')}`,
      onclick: () => { subtree.value = oid; m.subtree = oid; persist(); walk(); },
    }, label)));
  const walkInfo = h('p', { class: 'muted builder-walk-info', testid: 'builder-walk-info', role: 'status' });
  const walkError = h('p', { class: 'form-error', role: 'alert', testid: 'builder-walk-error', hidden: true });
  const filter = h('input', { type: 'search', testid: 'builder-filter', placeholder: 'Filter by OID, name, type or value', 'aria-label': 'Filter the walk',
    oninput: () => { shown = ROWS_SHOWN; drawRows(); } });
  const rowsBody = h('tbody');
  const addedNote = h('span', { class: 'builder-added', role: 'status', testid: 'builder-added' });
  const moreBtn = h('button', { type: 'button', testid: 'builder-more', hidden: true, onclick: () => { shown += ROWS_SHOWN; drawRows(); } }, 'Show more');
  const walkTable = h('div', { class: 'builder-walk', hidden: true },
    h('div', { class: 'builder-walk-tools' }, filter, h('span', { class: 'help' }, 'Click a row to add it as a variable (keyboard: arrow keys, then Enter).'), addedNote),
    h('div', { class: 'builder-walk-wrap' },
      h('table', { class: 'table compact-rows builder-walk-table', testid: 'builder-walk-table' },
        h('thead', null, h('tr', null, ['OID', 'Name', 'Type', 'Value', ''].map((t) => h('th', { scope: 'col' }, t)))),
        rowsBody)),
    moreBtn);

  async function walk() {
    walkError.hidden = true;
    let body;
    try {
      body = { ...target(), oid: subtree.value.trim() || '1.3.6.1.2.1', limit: Number(limit.value) || 5000 };
    } catch (err) {
      walkError.textContent = err.message;
      walkError.hidden = false;
      return;
    }
    walkBtn.disabled = true;
    walkInfo.textContent = `Walking ${body.oid}…`;
    const t0 = performance.now();
    try {
      const res = await api.walk(body);
      if (!alive) return;
      if (!Array.isArray(res)) throw new Error((res && res.error) || 'the server answered something other than a list of variables');
      walkRows = res;
      shown = ROWS_SHOWN;
      const ms = Math.round(performance.now() - t0);
      walkInfo.textContent = `${res.length} variable${res.length === 1 ? '' : 's'} under ${body.oid} in ${ms} ms` +
        (res.length >= body.limit ? ` — the limit of ${body.limit} was reached; walk a smaller subtree or raise the limit.` : '.');
      walkTable.hidden = !res.length;
      drawRows();
    } catch (err) {
      if (!alive) return;
      walkInfo.textContent = '';
      walkError.textContent = `Walk failed: ${err.message}`;
      walkError.hidden = false;
    } finally {
      walkBtn.disabled = false;
    }
  }

  function drawRows() {
    const q = filter.value.trim().toLowerCase();
    const match = [];
    walkRows.forEach((r, i) => {
      if (!q || [r.oid, r.name, r.type, formatValue(r.value)].some((s) => s && String(s).toLowerCase().includes(q))) match.push(i);
    });
    const rows = match.slice(0, shown).map((i) => {
      const r = walkRows[i];
      const value = formatValue(r.value);
      const tr = h('tr', {
        class: 'clickable', tabindex: -1, testid: `builder-row-${i}`, dataset: { oid: r.oid, name: r.name || '' },
        title: 'Add as a variable',
        onclick: () => { rove(tr); addFromRow(r); },
        onkeydown: (e) => rowKey(e, tr, r),
      },
      h('td', { class: 'mono col-oid' }, r.oid),
      h('td', { class: 'mono col-name' }, r.name && r.name !== r.oid ? r.name : ''),
      h('td', { class: 'col-type' }, r.type || ''),
      h('td', { class: 'mono col-value', title: value }, value),
      h('td', { class: 'col-added', 'aria-hidden': 'true' }, '✓'));
      return tr;
    });
    if (rows.length) rows[0].tabIndex = 0;
    fill(rowsBody, rows.length ? rows : h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'No row matches the filter.')));
    moreBtn.hidden = match.length <= shown;
    moreBtn.textContent = `Show more (${match.length - shown} left)`;
    markAdded();
  }

  // The walk table is one tab stop: the arrow keys, Page Up/Down, Home and
  // End move between rows, Enter or Space adds the focused one.
  function rove(tr, focus = false) {
    for (const x of rowsBody.querySelectorAll('tr[tabindex="0"]')) x.tabIndex = -1;
    tr.tabIndex = 0;
    if (focus) tr.focus();
  }
  function rowKey(e, tr, r) {
    const rows = [...rowsBody.children];
    const i = rows.indexOf(tr);
    const to = { ArrowDown: i + 1, ArrowUp: i - 1, PageDown: i + 10, PageUp: i - 10, Home: 0, End: rows.length - 1 }[e.key];
    if (to !== undefined) {
      e.preventDefault();
      rove(rows[Math.max(0, Math.min(rows.length - 1, to))], true);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      addFromRow(r);
    }
  }

  // markAdded ticks the walk rows that are already variables.
  function markAdded() {
    const have = new Set(m.vars.map((v) => v.numeric || ''));
    for (const tr of rowsBody.children) if (tr.dataset.oid) tr.classList.toggle('is-added', have.has(tr.dataset.oid));
  }

  function addFromRow(r) {
    const dup = m.vars.find((v) => v.numeric === r.oid);
    if (dup) {
      addedNote.textContent = `${r.name || r.oid} is already the variable ${dup.name}.`;
      return;
    }
    const name = varName(r, m.vars.map((v) => v.name));
    m.vars.push({ k: key(), name, oid: oidField(r), type: 'DEFAULT', legend: legendFor(r), sample: formatValue(r.value), numeric: r.oid, snmpType: r.type || '' });
    drawVars();
    changed();
    addedNote.textContent = `Added ${name} — ${m.vars.length} variable${m.vars.length === 1 ? '' : 's'}.`;
  }

  // ---- 2. variables ----

  const varsBody = h('tbody');
  const varsEmpty = h('p', { class: 'muted', testid: 'builder-vars-empty' }, 'No variables yet. Walk a device and click the rows you want, or add a calculation.');
  const varsTable = h('table', { class: 'table builder-edit-table', testid: 'builder-vars' },
    h('thead', null, h('tr', null, ['Name', 'OID or expression', 'Type', 'Legend', 'Walked value', ''].map((t) => h('th', { scope: 'col' }, t)))),
    varsBody);

  function moveButtons(list, i, what, redraw) {
    const move = (d) => {
      const j = i + d;
      if (j < 0 || j >= list.length) return;
      [list[i], list[j]] = [list[j], list[i]];
      redraw();
      changed();
      // Keep the focus on the moved row's same button.
      requestAnimationFrame(() => redraw.focus?.(j, d < 0 ? 'up' : 'down'));
    };
    return [
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': `Move ${what} up`, title: 'Move up', disabled: i === 0, dataset: { act: 'up' }, onclick: () => move(-1) }, '↑'),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': `Move ${what} down`, title: 'Move down', disabled: i === list.length - 1, dataset: { act: 'down' }, onclick: () => move(1) }, '↓'),
    ];
  }

  function drawVars() {
    varsTable.hidden = !m.vars.length;
    varsEmpty.hidden = !!m.vars.length;
    fill(varsBody, m.vars.map((v, i) => {
      const calc = v.type === 'CALCULATION';
      const name = h('input', { testid: `builder-var-name-${i}`, value: v.name, 'aria-label': `Variable ${i + 1} name`, spellcheck: 'false', class: 'mono',
        oninput: () => { v.name = name.value; name.classList.toggle('is-invalid', !!name.value.trim() && !validName(name.value.trim())); changed(); } });
      name.classList.toggle('is-invalid', !!v.name.trim() && !validName(v.name.trim()));
      const oid = h('input', { testid: `builder-var-oid-${i}`, value: v.oid, spellcheck: 'false', class: 'mono',
        'aria-label': calc ? `Variable ${i + 1} expression` : `Variable ${i + 1} OID`,
        placeholder: calc ? '($ifInOctets + $ifOutOctets) * 8' : 'SNMPv2-MIB::sysName.0 or 1.3.6.1.2.1.1.5.0',
        title: v.numeric && v.numeric !== v.oid ? `numeric OID ${v.numeric}` : null,
        oninput: () => { v.oid = oid.value; changed(); } });
      const type = h('select', { testid: `builder-var-type-${i}`, 'aria-label': `Variable ${i + 1} type`,
        onchange: () => { v.type = type.value; drawVars(); changed(); } },
      VAR_TYPES.map(([t, hint]) => h('option', { value: t, title: hint, selected: t === v.type }, t)));
      const legend = h('input', { testid: `builder-var-legend-${i}`, value: v.legend || '', 'aria-label': `Variable ${i + 1} legend`,
        oninput: () => { v.legend = legend.value; changed(); } });
      const remove = h('button', { type: 'button', class: 'icon-btn danger-text', 'aria-label': `Remove variable ${v.name || i + 1}`, title: 'Remove', testid: `builder-var-remove-${i}`,
        onclick: () => { m.vars.splice(i, 1); drawVars(); changed(); } }, '×');
      return h('tr', { testid: `builder-var-${i}`, dataset: { name: v.name } },
        h('td', { class: 'col-name' }, name),
        h('td', { class: 'col-oid' }, oid),
        h('td', { class: 'col-type' }, type),
        h('td', { class: 'col-legend' }, legend),
        h('td', { class: 'col-sample mono', title: v.sample ? `${v.sample}${v.snmpType ? ' (' + v.snmpType + ')' : ''}` : '' }, calc ? h('span', { class: 'muted' }, 'calculated') : (v.sample ?? '')),
        h('td', { class: 'col-actions' }, moveButtons(m.vars, i, `variable ${v.name}`, drawVars), remove));
    }));
  }
  drawVars.focus = (j, act) => varsBody.children[j]?.querySelector(`[data-act="${act}"]`)?.focus();

  function addCalculation() {
    const name = varName({ name: 'calc', oid: '' }, m.vars.map((v) => v.name));
    m.vars.push({ k: key(), name, oid: '', type: 'CALCULATION', legend: '' });
    drawVars();
    changed();
    varsBody.lastChild?.querySelector('[data-testid^="builder-var-oid-"]')?.focus();
  }

  // ---- 3. thresholds ----

  const thBody = h('tbody');
  const thEmpty = h('p', { class: 'muted' }, 'No thresholds: the device is OK whenever the probe gets its values.');
  const thTable = h('table', { class: 'table builder-edit-table', testid: 'builder-thresholds' },
    h('thead', null, h('tr', null, ['Severity', 'Expression (true sets the severity)', 'Condition string (the reason)', ''].map((t) => h('th', { scope: 'col' }, t)))),
    thBody);

  function drawThresholds() {
    thTable.hidden = !m.thresholds.length;
    thEmpty.hidden = !!m.thresholds.length;
    fill(thBody, m.thresholds.map((t, i) => {
      const level = h('select', { testid: `builder-threshold-level-${i}`, 'aria-label': `Threshold ${i + 1} severity`, dataset: { level: t.level },
        onchange: () => { t.level = level.value; level.dataset.level = t.level; changed(); } },
      LEVELS.map((l) => h('option', { value: l, selected: l === t.level }, l)));
      const expr = h('input', { testid: `builder-threshold-expr-${i}`, value: t.expr, class: 'mono', spellcheck: 'false', 'aria-label': `Threshold ${i + 1} expression`,
        placeholder: '$ifInErrors > 10', oninput: () => { t.expr = expr.value; changed(); } });
      const reason = h('input', { testid: `builder-threshold-reason-${i}`, value: t.reason, 'aria-label': `Threshold ${i + 1} condition string`,
        placeholder: 'Too many input errors: $ifInErrors', oninput: () => { t.reason = reason.value; changed(); } });
      const remove = h('button', { type: 'button', class: 'icon-btn danger-text', 'aria-label': `Remove threshold ${i + 1}`, title: 'Remove', testid: `builder-threshold-remove-${i}`,
        onclick: () => { m.thresholds.splice(i, 1); drawThresholds(); changed(); } }, '×');
      return h('tr', { testid: `builder-threshold-${i}` },
        h('td', { class: 'col-level' }, level),
        h('td', null, expr),
        h('td', null, reason),
        h('td', { class: 'col-actions' }, moveButtons(m.thresholds, i, `threshold ${i + 1}`, drawThresholds), remove));
    }));
  }
  drawThresholds.focus = (j, act) => thBody.children[j]?.querySelector(`[data-act="${act}"]`)?.focus();

  function addThreshold() {
    const first = m.vars.find((v) => validName(one(v.name)) && v.type !== 'STRING');
    m.thresholds.push({ k: key(), level: 'alarm', expr: '', reason: '' });
    drawThresholds();
    changed();
    const input = thBody.lastChild?.querySelector('[data-testid^="builder-threshold-expr-"]');
    if (input) {
      if (first) input.placeholder = `${ref(one(first.name))} > 10`;
      input.focus();
    }
  }

  // ---- 4. header and parameters ----

  const headerInput = (k, label, help, attrs = {}) => {
    const input = h('input', { testid: `builder-${k.replace(/_/g, '-')}`, value: m.header[k], spellcheck: 'false', autocomplete: 'off', ...attrs,
      oninput: () => { m.header[k] = input.value; changed(); } });
    return labelled(label, input, help);
  };
  const description = h('textarea', { testid: 'builder-description', rows: 3, oninput: () => { m.header.description = description.value; changed(); } }, m.header.description);
  const headerBox = h('div', { class: 'builder-grid-fields' },
    headerInput('human_name', 'Human name', 'shown in the device form\'s probe list'),
    headerInput('package', 'Package', 'reversed domain, e.g. com.example'),
    headerInput('probe_name', 'Probe name', 'e.g. snmp.ups; the identifier is package.probe name'),
    headerInput('version', 'Version', 'the highest version wins when two files share an identifier', { inputmode: 'decimal' }),
    headerInput('category', 'Category', 'display_name: a path such as SNMP/Custom'));
  const paramsBody = h('div', { class: 'builder-params', testid: 'builder-params' });

  function drawParams() {
    fill(paramsBody, m.params.map((p, i) => {
      const name = h('input', { testid: `builder-param-name-${i}`, value: p.name, 'aria-label': `Parameter ${i + 1} name`, placeholder: 'Interface', spellcheck: 'false',
        oninput: () => { p.name = name.value; changed(); } });
      const value = h('input', { testid: `builder-param-value-${i}`, value: p.value, 'aria-label': `Parameter ${i + 1} default value`, placeholder: 'default value',
        oninput: () => { p.value = value.value; changed(); } });
      return h('div', { class: 'builder-param' }, name, h('span', { 'aria-hidden': 'true' }, '='), value,
        h('button', { type: 'button', class: 'icon-btn danger-text', 'aria-label': `Remove parameter ${p.name || i + 1}`, title: 'Remove',
          onclick: () => { m.params.splice(i, 1); drawParams(); changed(); } }, '×'));
    }));
  }

  // ---- 5. display ----

  const regenerate = h('button', { type: 'button', testid: 'builder-display-regenerate',
    onclick: () => { m.display = null; displayArea.value = defaultDisplay(m); changed(); } }, 'Regenerate');

  // ---- preview, save, the file ----

  const previewBtn = h('button', { type: 'button', class: 'primary', testid: 'builder-preview', onclick: () => preview() }, 'Preview');
  const previewOut = h('div', { class: 'builder-preview', testid: 'builder-preview-result', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'Poll the probe once against the chosen device, without saving it.'));
  const saveBtn = h('button', { type: 'button', class: 'primary', testid: 'builder-save', onclick: () => save() }, 'Save probe');
  const saveOut = h('div', { class: 'builder-save-result', testid: 'builder-save-result', 'aria-live': 'polite' });
  const copyBtn = h('button', { type: 'button', testid: 'builder-copy', onclick: () => copy() }, 'Copy');
  let lastSaved = '';

  function params() {
    const out = {};
    for (const p of m.params) if (one(p.name)) out[one(p.name)] = String(p.value ?? '');
    return out;
  }

  async function preview() {
    let body;
    try {
      body = { text: generate(m), ...target(), params: params() };
    } catch (err) {
      fill(previewOut, h('p', { class: 'form-error', role: 'alert' }, err.message));
      return;
    }
    previewBtn.disabled = true;
    fill(previewOut, h('p', { class: 'muted' }, 'Polling…'));
    try {
      const r = await api.previewProbe(body);
      if (!alive) return;
      if (!r || typeof r !== 'object') throw new Error('empty answer');
      if (r.error && !r.status) throw new Error(r.error);
      const display = h('div', { class: 'imml-display builder-display', testid: 'builder-display' });
      display.innerHTML = r.display_html || ''; // escaped by the server's IMML renderer
      // The probe's variables, then any other value the poll reports.
      const all = r.values || {};
      const vars = all.vars && typeof all.vars === 'object' ? all.vars : {};
      const values = [...Object.entries(vars).sort(([a], [b]) => a.localeCompare(b)),
        ...Object.entries(all).filter(([k]) => !['vars', 'display_html', 'display_text', 'errors'].includes(k)).sort(([a], [b]) => a.localeCompare(b))];
      // Parse problems, then what went wrong evaluating (a rule that does
      // not parse, an OID that does not resolve…).
      const problems = [...(r.problems || []), ...(Array.isArray(all.errors) ? all.errors : [])];
      // Rates need a previous sample, which a one-poll preview never has.
      const rates = m.vars.filter((v) => one(v.name) && !(one(v.name) in vars) &&
        (/^PER-/.test(v.type) || (v.type === 'DEFAULT' && /counter/i.test(v.snmpType || ''))));
      fill(previewOut,
        h('div', { class: 'status-line' }, statusBadge(r.status || 'unknown', 'builder-status'),
          h('span', { class: 'reason', testid: 'builder-reason' }, r.reason || (r.status === 'ok' ? 'no threshold is true' : ''))),
        problems.length ? h('div', { class: 'builder-problems', testid: 'builder-problems' },
          h('h3', null, 'Problems and warnings'), h('ul', null, problems.map((p) => h('li', { class: 'mono' }, String(p))))) : null,
        h('h3', null, 'Display'),
        r.display_html ? display : h('p', { class: 'muted', testid: 'builder-display' }, r.display_text || 'The display is empty.'),
        h('h3', null, 'Values'),
        values.length
          ? h('table', { class: 'table compact', testid: 'builder-values' }, h('tbody', null,
            values.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, formatValue(v))))))
          : h('p', { class: 'muted' }, 'No values.'),
        rates.length ? h('p', { class: 'help', testid: 'builder-rate-note' },
          `${rates.map((v) => one(v.name)).join(', ')}: a rate needs two polls, so a one-poll preview leaves it empty; the device's status window shows it from the second poll on.`) : null);
    } catch (err) {
      if (!alive) return;
      fill(previewOut, h('p', { class: 'form-error', role: 'alert', testid: 'builder-preview-error' }, `Preview failed: ${err.message}`));
    } finally {
      previewBtn.disabled = false;
    }
  }

  async function save() {
    const name = fileName(m);
    const id = identifier(m);
    const problems = checks(m).filter((p) => !/left out/.test(p));
    if (problems.length) {
      fill(saveOut, h('p', { class: 'form-error', role: 'alert' }, problems[0]));
      return;
    }
    saveBtn.disabled = true;
    try {
      if (lastSaved !== name) {
        const list = await api.probes().catch(() => []);
        const other = list.find((p) => p.id === id);
        if (other && !(await confirmDialog(`Replace ${id}?`, `The server already has the probe ${id} (${other.file || other.name}). Saving writes probes/${name}${(other.file || '').endsWith('/' + name) ? ' over it' : ''}.`, 'Save'))) return;
      }
      const r = await api.saveProbeFile(name, generate(m));
      if (!alive) return;
      lastSaved = name;
      let listed = false;
      try {
        listed = (await refreshProbeList()).some((p) => p.id === (r.id || id));
      } catch {
        // The save worked; the list refreshes at the next page load.
      }
      fill(saveOut,
        h('p', { class: 'builder-saved', testid: 'builder-saved' }, '✓ Saved ', h('code', null, r.file || `probes/${name}`), ' as ', h('code', null, r.id || id), '.'),
        h('p', { class: 'help' }, listed
          ? 'The probe is in the device form\'s probe list now: open a map and add or edit a device to use it.'
          : 'The server reloads its probes; reload this page if the device form does not list it yet.'),
        (r.problems || []).length ? h('ul', { class: 'builder-problems' }, r.problems.map((p) => h('li', { class: 'mono' }, p))) : null);
      toast(`Saved ${r.id || id}`, 'ok');
    } catch (err) {
      if (!alive) return;
      fill(saveOut, h('p', { class: 'form-error', role: 'alert', testid: 'builder-save-error' }, `Not saved: ${err.message}`));
    } finally {
      saveBtn.disabled = false;
    }
  }

  async function copy() {
    const text = generate(m);
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard API (plain HTTP): select the text and copy that.
      const range = document.createRange();
      range.selectNodeContents(fileText);
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      if (!document.execCommand('copy')) {
        toast('Copy is blocked here: the text is selected, press Ctrl+C.', 'info');
        return;
      }
    }
    toast('Probe file copied', 'ok', 2000);
  }

  async function reset() {
    if (!(await confirmDialog('Start a new probe?', 'The variables, thresholds, parameters and display of this probe are cleared (a saved file stays on the server).', 'Start over'))) return;
    const fresh = emptyModel();
    m.header = fresh.header;
    m.params = [];
    m.vars = [];
    m.thresholds = [];
    m.display = null;
    for (const input of headerBox.querySelectorAll('input')) {
      const k = input.dataset.testid.replace(/^builder-/, '').replace(/-/g, '_');
      if (k in m.header) input.value = m.header[k];
    }
    description.value = '';
    lastSaved = '';
    clear(saveOut);
    drawVars();
    drawThresholds();
    drawParams();
    changed();
  }

  // ---- layout ----

  const card = (n, title, testid, ...body) => h('section', { class: 'builder-card', testid, 'aria-labelledby': `builder-h-${n}` },
    h('h2', { id: `builder-h-${n}` }, h('span', { class: 'builder-step' }, String(n)), title), ...body);

  fill(view, h('section', { class: 'page builder-page', testid: 'builder-page' },
    h('div', { class: 'page-head' },
      h('h1', null, 'Probe builder'),
      h('button', { type: 'button', testid: 'builder-reset', onclick: reset }, 'New probe')),
    h('p', { class: 'muted builder-intro' }, 'Build a custom SNMP probe file: walk a device, pick its variables, set thresholds and the status window display, try it against the device, then save it to the server\'s probes folder.'),
    h('div', { class: 'builder-layout' },
      h('div', { class: 'builder-main' },
        card(1, 'Walk a device', 'builder-walk-card',
          h('div', { class: 'builder-walk-form' },
            labelled('Device', deviceSelect, 'its SNMP settings are used'),
            labelled('Subtree', subtree, 'an OID or MIB name', 'field builder-subtree-field'),
            labelled('Limit', limit, 'variables at most', 'field builder-limit-field'),
            h('div', { class: 'field builder-walk-btn' }, walkBtn)),
          addressBox,
          quick, walkError, walkInfo, walkTable),
        card(2, 'Variables', 'builder-vars-card',
          varsEmpty, h('div', { class: 'table-wrap' }, varsTable),
          h('div', { class: 'builder-row-actions' },
            h('button', { type: 'button', testid: 'builder-add-calc', onclick: addCalculation }, '+ Calculation'))),
        card(3, 'Thresholds', 'builder-thresholds-card',
          h('p', { class: 'help' }, 'Checked top to bottom after every poll; the first true expression sets the device\'s status and its condition string becomes the reason.'),
          thEmpty, h('div', { class: 'table-wrap' }, thTable),
          h('div', { class: 'builder-row-actions' },
            h('button', { type: 'button', testid: 'builder-add-threshold', onclick: addThreshold }, '+ Threshold'))),
        card(4, 'Probe details', 'builder-header-card',
          headerBox,
          labelled('Description', description, 'help text for the device form (IMML); optional'),
          h('h3', { class: 'builder-sub' }, 'Parameters'),
          h('p', { class: 'help' }, 'Per-device settings with a default, used as $Name in OIDs, expressions and the display (e.g. Interface = 1 with ifInOctets.$Interface). Name[a,b] makes a drop-down, Name* a password.'),
          paramsBody,
          h('div', { class: 'builder-row-actions' },
            h('button', { type: 'button', testid: 'builder-add-param', onclick: () => { m.params.push({ k: key(), name: '', value: '' }); drawParams(); changed(); paramsBody.lastChild?.querySelector('input')?.focus(); } }, '+ Parameter'))),
        card(5, 'Display', 'builder-display-card',
          labelled('Status window display (IMML)', displayArea, null),
          displayNote,
          h('div', { class: 'builder-row-actions' }, regenerate))),
      h('aside', { class: 'builder-side', 'aria-label': 'Preview, save and the probe file' },
        h('section', { class: 'builder-card' },
          h('div', { class: 'section-head' }, h('h2', null, 'Preview'), previewBtn),
          previewOut),
        h('section', { class: 'builder-card' },
          h('div', { class: 'section-head' }, h('h2', null, 'Save'), saveBtn),
          h('p', { class: 'help' }, 'Writes ', fileNameEl, ' on the server as probe ', idEl, '; the server reloads its probes at once.'),
          checkList, saveOut),
        h('section', { class: 'builder-card' },
          h('div', { class: 'section-head' }, h('h2', null, 'Probe file'), copyBtn),
          fileText)))));

  syncTarget();
  drawVars();
  drawThresholds();
  drawParams();
  changed();

  // Devices: the SNMP devices of every map, by map.
  (async () => {
    try {
      probeList = await probes().catch(() => []);
      const maps = await api.maps();
      const details = await Promise.all(maps.map((mp) => api.map(mp.name).catch(() => null)));
      if (!alive) return;
      const groups = details.filter(Boolean).map((mp) => [mp.name, (mp.devices || []).filter((d) => isSNMPTarget(d, probeList))]).filter(([, list]) => list.length);
      const opts = [h('option', { value: '' }, groups.length ? '— choose a device —' : 'No SNMP device on any map')];
      for (const [mapName, list] of groups) {
        opts.push(h('optgroup', { label: mapName }, list.sort((a, b) => a.name.localeCompare(b.name))
          .map((d) => h('option', { value: d.id }, `${d.name} (${d.address})`))));
      }
      opts.push(h('option', { value: ADDRESS }, 'Another address…'));
      fill(deviceSelect, opts);
      const want = m.target.device;
      if (want && [...deviceSelect.options].some((o) => o.value === want)) deviceSelect.value = want;
      else if (!groups.length && m.target.address) deviceSelect.value = ADDRESS;
      m.target.device = deviceSelect.value;
      syncTarget();
    } catch (err) {
      if (!alive) return;
      fill(deviceSelect, h('option', { value: ADDRESS }, 'Another address…'));
      deviceSelect.value = ADDRESS;
      syncTarget();
      walkError.textContent = `Cannot list the devices: ${err.message}`;
      walkError.hidden = false;
    }
  })();

  return {
    destroy() {
      alive = false;
      store(m);
      secrets = { community: '', auth_key: '', priv_key: '' };
    },
  };
}
