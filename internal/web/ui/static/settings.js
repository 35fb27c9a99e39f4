// The settings page: notifiers and notification rules, edited together on
// the page and saved with one button (PUT /api/v1/notifications, validated
// and applied by the server at once), the open incidents the rules follow
// (GET /api/v1/incidents, re-read every few seconds while open), and how
// long chart data is kept (PUT /api/v1/retention, saved by the same
// button), and the flow collector's settings (PUT /api/v1/flows/settings,
// the same button again): inside networks, the store's size cap and age
// limit, which apply at once, and listeners and server ports, which wait
// for a restart — the section says which values run until then.

import * as api from './api.js';
import { h, fill, when, ago, duration, toast, confirmDialog, deviceID } from './dom.js';
import { field, openDialog } from './forms.js';

// The server's stand-in for a stored secret; sent back, it keeps the
// stored value (matched by the notifier's name).
const SECRET = '(secret)';
const INCIDENTS_MS = 5000;

const TYPES = [
  ['webhook', 'Webhook (JSON POST)'],
  ['email', 'E-mail (SMTP)'],
  ['slack', 'Slack webhook'],
  ['teams', 'Microsoft Teams webhook'],
  ['command', 'Command'],
  ['syslog', 'Syslog (RFC 5424)'],
];
const TYPE_LABEL = Object.fromEntries(TYPES);

const KINDS = [
  ['DOWN', 'Down'], ['UP', 'Up'], ['CRITICAL', 'Critical'], ['ALARM', 'Alarm'],
  ['WARNING', 'Warning'], ['OK', 'OK'], ['TRAP', 'Trap'], ['UNREACHABLE', 'Unreachable'],
];

const FACILITIES = ['daemon', 'user', 'kern', 'mail', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'security', 'console', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];

// Edits not yet saved survive a visit to another page (not a reload).
let kept = null;
let keptRetention = null;
let keptFlows = null;

// Chart data retention: the resolutions, their keys in the API and labels.
const PERIODS = [['raw', 'Raw samples'], ['five_minutes', '5-minute roll-ups'], ['hour', 'Hourly roll-ups'], ['day', 'Daily roll-ups']];
const PERIOD_HINTS = ['0', '1d', '2d', '7d', '14d', '30d', '90d', '180d', '1y', '2y', '5y'];

// normRetention puts retention settings in one canonical shape: every
// server period as text, rule patterns and periods only when set.
function normRetention(p) {
  const out = {};
  for (const [k] of PERIODS) out[k] = String(p[k] ?? '').trim();
  out.rules = (p.rules || []).map((r) => {
    const o = {};
    for (const k of ['map', 'device', 'dataset']) if (String(r[k] ?? '').trim()) o[k] = String(r[k]).trim();
    for (const [k] of PERIODS) if (String(r[k] ?? '').trim()) o[k] = String(r[k]).trim();
    return o;
  });
  return out;
}

// retentionCulprits finds the fields a refusal names, as keys
// "period:raw" or "rule:N" (N from 0).
function retentionCulprits(msg) {
  const out = new Set();
  for (const line of msg.split('\n')) {
    let m = /retention rule (\d+)/.exec(line);
    if (m) {
      out.add(`rule:${Number(m[1]) - 1}`);
      continue;
    }
    m = /retention: (raw|five_minutes|hour|day)\b/.exec(line);
    if (m) out.add(`period:${m[1]}`);
  }
  return out;
}

// ---- flow settings -------------------------------------------------------------

const FLOW_LISTENERS = [['netflow', 'NetFlow / IPFIX', ':2055'], ['sflow', 'sFlow', ':6343'], ['jflow', 'J-Flow / cflow', ':9996']];
const AGE_HINTS = ['0', '7d', '30d', '90d', '180d', '1y'];

// Sizes are decimal as the flow store's default cap (10 GB = 10^10 bytes)
// and formatBytes are; binary units are read too.
const SIZE_UNITS = { '': 1, b: 1, byte: 1, bytes: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

// parseSize reads "10 GB", "500MB", "1.5 TB", "2 GiB" or a number of
// bytes; 0 is no cap.
export function parseSize(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(text ?? ''));
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`“${String(text ?? '').trim()}” is not a size like 10 GB, 500 MB or 0`);
  const n = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(n)) throw new Error(`“${String(text).trim()}” is too large`);
  return n;
}

// sizeText writes a byte count so that parseSize reads it back exactly:
// the largest unit that divides it ("10 GB", "512 MiB"), else bytes.
export function sizeText(n) {
  if (!n) return '0';
  for (const [u, f] of [['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['kB', 1e3]]) {
    if (n % f === 0) return `${n / f} ${u}`;
  }
  return String(n);
}

// roughSize is a size to read, not to edit: "1.2 MB".
function roughSize(n) {
  if (!Number.isFinite(n)) return '—';
  if (n < 1000) return `${n} B`;
  let f = n;
  for (const u of ['kB', 'MB', 'GB', 'TB']) {
    f /= 1000;
    if (f < 1000 || u === 'TB') return `${f.toFixed(1)} ${u}`;
  }
  return '';
}

// flowDraftOf turns the saved settings into the form's text fields.
function flowDraftOf(v) {
  return {
    inside: (v.inside || []).join('\n'),
    max_bytes: sizeText(v.max_bytes),
    max_age: String(v.max_age ?? '0'),
    ports: Object.entries(v.server_ports || {}).map(([port, name]) => ({ port, name })).sort((a, b) => a.port - b.port),
    listeners: { ...v.listeners },
  };
}

// flowCheckError is a refusal made in the page, before sending: it names
// the fields as the server's refusals do.
class FlowCheckError extends Error {
  constructor(message, culprits) {
    super(message);
    this.culprits = culprits;
  }
}

// flowBody turns the form into PUT /api/v1/flows/settings, or throws a
// FlowCheckError naming every field that cannot be sent.
function flowBody(d) {
  const problems = [];
  const culprits = new Set();
  const body = { inside: d.inside.split(/[\s,]+/).filter(Boolean) };
  try {
    body.max_bytes = parseSize(d.max_bytes);
  } catch (err) {
    problems.push(`Size cap: ${err.message}`);
    culprits.add('max_bytes');
  }
  body.max_age = d.max_age.trim() || '0';
  body.server_ports = {};
  d.ports.forEach((r, i) => {
    const text = String(r.port).trim();
    const port = Number(text);
    if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
      problems.push(`Server port ${i + 1}: “${text}” is not a port number from 1 to 65535`);
      culprits.add(`row:${i}`);
    } else if (String(port) in body.server_ports) {
      problems.push(`Server port ${port} is listed twice`);
      culprits.add(`row:${i}`);
    } else {
      body.server_ports[String(port)] = String(r.name).trim();
    }
  });
  body.listeners = {};
  for (const [k, label] of FLOW_LISTENERS) {
    body.listeners[k] = String(d.listeners[k] ?? '').trim();
    if (!body.listeners[k]) {
      problems.push(`${label} listener: empty; give an address like :2055, or off`);
      culprits.add(`listener:${k}`);
    }
  }
  if (problems.length) throw new FlowCheckError(problems.join('\n'), culprits);
  return body;
}

// flowKey is the draft in canonical form, to tell whether it changed.
function flowKey(d) {
  try {
    return JSON.stringify(flowBody(d));
  } catch {
    return `unsendable:${JSON.stringify(d)}`;
  }
}

// flowCulprits finds the fields a server refusal names (one per line).
function flowCulprits(msg, ports) {
  const out = new Set();
  for (const line of msg.split('\n')) {
    let m = /flows\.server_ports\[(\d+)\]/.exec(line);
    if (m) {
      const i = ports.findIndex((r) => Number(r.port) === Number(m[1]));
      out.add(i >= 0 ? `row:${i}` : 'ports');
      continue;
    }
    m = /listeners\.(netflow|sflow|jflow)/.exec(line);
    if (m) out.add(`listener:${m[1]}`);
    else if (/flows\.inside|^inside:/.test(line)) out.add('inside');
    else if (/max_bytes/.test(line)) out.add('max_bytes');
    else if (/max_age/.test(line)) out.add('max_age');
    else if (/server_ports/.test(line)) out.add('ports');
  }
  return out;
}

// ---- values ---------------------------------------------------------------

// prettyDuration shortens the server's durations ("1h0m0s" → "1h"); zero
// is "".
export function prettyDuration(v) {
  if (v === undefined || v === null || v === '') return '';
  const s = typeof v === 'number' ? `${v}s` : String(v).trim();
  if (/^0+(\.0+)?[a-zµ]*$/i.test(s)) return '';
  return s.replace(/([hm])0s$/, '$1').replace(/h0m$/, 'h');
}

const list = (v) => (Array.isArray(v) ? v.filter((x) => x !== '' && x !== null && x !== undefined) : []);

// normNotifier puts a notifier in one canonical shape: only its type's
// fields, empty ones left out, durations short. Retries always travel
// (left out, the server would use its default of 3).
function normNotifier(c) {
  const out = { name: (c.name || '').trim(), type: c.type || 'webhook' };
  const put = (k, v) => {
    if (v === undefined || v === null || v === '') return;
    if (Array.isArray(v) && !v.length) return;
    if (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length) return;
    out[k] = v;
  };
  switch (out.type) {
    case 'email':
      put('smtp_host', c.smtp_host);
      put('smtp_port', Number(c.smtp_port) || undefined);
      out.starttls = c.starttls !== false;
      put('username', c.username);
      put('password', c.password);
      put('from', c.from);
      put('to', list(c.to));
      put('subject', c.subject);
      put('ca_file', c.ca_file);
      break;
    case 'webhook':
      put('url', c.url);
      put('headers', c.headers || {});
      break;
    case 'slack':
    case 'teams':
      put('url', c.url);
      break;
    case 'command':
      put('path', c.path);
      put('args', list(c.args));
      break;
    case 'syslog':
      put('network', c.network);
      put('address', c.address);
      put('facility', c.facility);
      put('app_name', c.app_name);
      put('hostname', c.hostname);
      break;
    default:
      // An unknown type keeps what it has; the server judges it.
      for (const [k, v] of Object.entries(c)) if (!(k in out)) put(k, v);
  }
  put('template', c.template);
  out.retries = Number.isInteger(c.retries) ? c.retries : 3;
  put('retry_delay', prettyDuration(c.retry_delay));
  put('timeout', prettyDuration(c.timeout));
  return out;
}

// normRule puts a rule in one canonical shape.
function normRule(r) {
  const out = { name: (r.name || '').trim() };
  if (r.map) out.map = r.map;
  if (r.map && r.device) out.device = r.device;
  out.kinds = list(r.kinds);
  out.notifiers = list(r.notifiers);
  const delay = prettyDuration(r.delay);
  if (delay) out.delay = delay;
  const repeat = prettyDuration(r.repeat);
  if (repeat) out.repeat = repeat;
  if (Number(r.count) > 0) out.count = Number(r.count);
  const steps = (r.escalate || []).map((s) => ({ after: prettyDuration(s.after) || '0s', notifiers: list(s.notifiers) }));
  if (steps.length) out.escalate = steps;
  const sc = r.schedule || {};
  const schedule = {};
  for (const k of ['days', 'hours', 'location']) if (sc[k]) schedule[k] = sc[k];
  if (Object.keys(schedule).length) out.schedule = schedule;
  return out;
}

function normSettings(s) {
  return { notifiers: (s.notifiers || []).map(normNotifier), rules: (s.rules || []).map(normRule) };
}

// target is what a notifier list row shows of where messages go.
function target(c) {
  switch (c.type) {
    case 'email': return `${list(c.to).join(', ')}${c.smtp_host ? ` via ${c.smtp_host}${c.smtp_port ? ':' + c.smtp_port : ''}` : ''}`;
    case 'webhook': return c.url || '';
    case 'slack':
    case 'teams': return c.url === SECRET ? 'webhook URL stored' : c.url || '';
    case 'command': return [c.path, ...list(c.args)].join(' ');
    case 'syslog': return `${c.address || ''} (${c.network || 'udp'}, ${c.facility || 'daemon'})`;
    default: return '';
  }
}

// ---- small form helpers -----------------------------------------------------

// removeCell is the × at the end of an editable table row.
const removeCell = (label, testid, remove) => h('td', { class: 'row-actions' },
  h('button', { type: 'button', class: 'icon-btn', 'aria-label': label, testid, onclick: remove }, '×'));

const input = (testid, value, attrs = {}) => h('input', { testid, value: value ?? '', autocomplete: 'off', spellcheck: 'false', ...attrs });

// secretInput edits a secret the server keeps to itself. A stored one
// ("(secret)") is never shown: empty keeps it, typing replaces it and,
// when removable, "Remove" clears it.
function secretInput(id, label, stored, { type = 'password', placeholder = '', removable = false, help } = {}) {
  const has = stored === SECRET;
  let cleared = false;
  const el = h('input', {
    type, testid: id, id, autocomplete: 'new-password', spellcheck: 'false',
    placeholder: has ? '(unchanged)' : placeholder,
    value: has ? '' : stored || '',
  });
  const toggle = has && removable ? h('button', {
    type: 'button', class: 'link-btn', testid: `${id}-clear`,
    onclick: () => {
      cleared = !cleared;
      toggle.textContent = cleared ? 'Keep stored' : 'Remove';
      el.placeholder = cleared ? 'removed when saved' : '(unchanged)';
    },
  }, 'Remove') : null;
  const helpEl = help ? h('small', { class: 'help', id: `${id}-help` }, help) : null;
  if (helpEl) el.setAttribute('aria-describedby', helpEl.id);
  return {
    el: h('div', { class: 'field secret-field' }, h('label', { for: id }, label), h('div', { class: 'secret-row' }, el, toggle), helpEl),
    read: () => (el.value !== '' ? el.value : has && !cleared ? SECRET : ''),
    unchanged: () => el.value === '' && has && !cleared,
  };
}

// checks is a group of checkboxes; read() returns the checked values.
function checks(legend, testidPrefix, options, checked, help) {
  const want = new Set(checked || []);
  const boxes = options.map(([value, label]) => h('input', { type: 'checkbox', value, checked: want.has(value), testid: `${testidPrefix}-${value}` }));
  const el = h('fieldset', { class: 'checks' },
    h('legend', null, legend),
    h('div', { class: 'check-row' }, options.map(([, label], i) => h('label', { class: 'check' }, boxes[i], label))),
    help ? h('small', { class: 'help' }, help) : null);
  return { el, read: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

function durationCheck(what, v) {
  if (v && !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^\d+[dw]$/.test(v)) throw new Error(`${what}: “${v}” is not a duration like 30s, 5m, 2h or 1d.`);
  return v;
}

// ---- the notifier editor ------------------------------------------------------

// notifierDialog edits a notifier (null: a new one). names are the other
// notifiers' names. It resolves to the normalized notifier, or null.
function notifierDialog(existing, names) {
  const cur = existing ? { ...existing } : { type: 'webhook', retries: 3 };
  const originalName = existing ? existing.name : null;
  const type = h('select', { testid: 'notifier-type' },
    TYPES.map(([v, t]) => h('option', { value: v, selected: v === cur.type }, t)));
  if (!TYPE_LABEL[cur.type]) type.append(h('option', { value: cur.type, selected: true }, cur.type));
  const name = input('notifier-name', cur.name, { required: true, placeholder: 'e.g. ops-mail' });

  // E-mail.
  const smtpHost = input('notifier-smtp-host', cur.smtp_host, { placeholder: 'mail.example.org' });
  const smtpPort = input('notifier-smtp-port', cur.smtp_port, { type: 'number', min: 1, max: 65535, placeholder: '587', inputmode: 'numeric' });
  const starttls = h('input', { type: 'checkbox', testid: 'notifier-starttls', id: 'notifier-starttls', checked: cur.starttls !== false });
  const username = input('notifier-username', cur.username, { autocomplete: 'off' });
  const password = secretInput('notifier-password', 'Password', cur.password, { removable: true, placeholder: 'none' });
  const from = input('notifier-from', cur.from, { placeholder: 'vantage@example.org' });
  const to = input('notifier-to', list(cur.to).join(', '), { placeholder: 'ops@example.org, oncall@example.org' });
  const subject = input('notifier-subject', cur.subject, { placeholder: '{{.Kind}}: {{.Device}}' });
  const caFile = input('notifier-ca-file', cur.ca_file, { placeholder: 'system roots' });
  const email = h('div', { class: 'type-fields', testid: 'notifier-fields-email', dataset: { type: 'email' } },
    h('div', { class: 'row3' },
      h('div', { class: 'span2' }, field('notifier-smtp-host', 'SMTP server', smtpHost)),
      field('notifier-smtp-port', 'Port', smtpPort)),
    h('label', { class: 'check' }, starttls, 'Require STARTTLS'),
    h('div', { class: 'row2' }, field('notifier-username', 'User name', username), password.el),
    h('div', { class: 'row2' }, field('notifier-from', 'From', from), field('notifier-to', 'To', to, 'addresses separated by commas')),
    field('notifier-subject', 'Subject', subject, 'a template; empty uses the default'),
    field('notifier-ca-file', 'CA file', caFile, 'PEM bundle trusted for the server\'s certificate, in place of the system roots'));

  // Webhook, Slack, Teams: one URL; headers for a plain webhook.
  const urlSecret = (cur.type === 'slack' || cur.type === 'teams') && cur.url === SECRET;
  const url = secretInput('notifier-url', 'URL', urlSecret ? SECRET : cur.url, {
    type: 'text', placeholder: 'the address that receives the POST',
  });
  const headerRows = h('div', { class: 'header-rows', testid: 'notifier-headers' });
  const headers = [];
  const addHeader = (k = '', v = '') => {
    const key = h('input', { testid: `notifier-header-name-${headers.length}`, value: k, placeholder: 'Authorization', autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Header name' });
    const val = secretInput(`notifier-header-value-${headers.length}`, 'Value', v, { placeholder: 'value' });
    val.el.querySelector('label').classList.add('sr-only');
    const row = { key, val, el: null };
    row.el = h('div', { class: 'header-row' }, key, val.el,
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Remove header', onclick: () => { row.el.remove(); row.removed = true; } }, '×'));
    headers.push(row);
    headerRows.append(row.el);
  };
  for (const [k, v] of Object.entries(cur.headers || {})) addHeader(k, v);
  const headersBox = h('fieldset', { class: 'params', testid: 'notifier-headers-box' },
    h('legend', null, 'HTTP headers'), headerRows,
    h('div', null, h('button', { type: 'button', testid: 'notifier-header-add', onclick: () => addHeader() }, 'Add header')),
    h('small', { class: 'help' }, 'Header values are kept secret, like tokens.'));
  const web = h('div', { class: 'type-fields', testid: 'notifier-fields-web', dataset: { type: 'webhook slack teams' } }, url.el, headersBox);

  // Command.
  const path = input('notifier-path', cur.path, { placeholder: '/usr/local/bin/notify' });
  const args = h('textarea', { testid: 'notifier-args', rows: 3, spellcheck: 'false', placeholder: '{{.Device}}\n{{.Status}}' }, list(cur.args).join('\n'));
  const command = h('div', { class: 'type-fields', testid: 'notifier-fields-command', dataset: { type: 'command' } },
    field('notifier-path', 'Program', path, 'absolute path; run without a shell'),
    field('notifier-args', 'Arguments', args, 'one per line; each is a template'));

  // Syslog.
  const network = h('select', { testid: 'notifier-network' }, [['udp', 'UDP'], ['tcp', 'TCP']].map(([v, t]) => h('option', { value: v, selected: (cur.network || 'udp') === v }, t)));
  const address = input('notifier-address', cur.address, { placeholder: 'loghost:514' });
  const facility = h('select', { testid: 'notifier-facility' }, FACILITIES.map((f) => h('option', { value: f, selected: (cur.facility || 'daemon') === f }, f)));
  if (cur.facility && !FACILITIES.includes(cur.facility)) facility.append(h('option', { value: cur.facility, selected: true }, cur.facility));
  const appName = input('notifier-app-name', cur.app_name, { placeholder: 'vantage' });
  const hostname = input('notifier-hostname', cur.hostname, { placeholder: 'this machine\'s name' });
  const syslog = h('div', { class: 'type-fields', testid: 'notifier-fields-syslog', dataset: { type: 'syslog' } },
    h('div', { class: 'row3' }, field('notifier-network', 'Transport', network), h('div', { class: 'span2' }, field('notifier-address', 'Address', address, 'host:port'))),
    h('div', { class: 'row3' }, field('notifier-facility', 'Facility', facility), field('notifier-app-name', 'App name', appName), field('notifier-hostname', 'Host name', hostname)));

  const template = h('textarea', { testid: 'notifier-template', rows: 3, spellcheck: 'false' }, cur.template || '');
  const templateField = field('notifier-template', 'Message template', template);
  const retries = input('notifier-retries', Number.isInteger(cur.retries) ? cur.retries : 3, { type: 'number', min: 0, max: 20, inputmode: 'numeric' });
  const retryDelay = input('notifier-retry-delay', prettyDuration(cur.retry_delay), { placeholder: '2s' });
  const timeout = input('notifier-timeout', prettyDuration(cur.timeout), { placeholder: '10s' });
  const delivery = h('details', { class: 'thresholds' },
    h('summary', null, 'Delivery: retries and time-out'),
    h('div', { class: 'row3' },
      field('notifier-retries', 'Retries', retries, 'after the first attempt'),
      field('notifier-retry-delay', 'First retry after', retryDelay, 'doubles each time'),
      field('notifier-timeout', 'Time-out', timeout, 'per attempt')));

  const sections = [email, web, command, syslog];
  const sync = () => {
    const t = type.value;
    for (const s of sections) s.hidden = !s.dataset.type.split(' ').includes(t);
    headersBox.hidden = t !== 'webhook';
    templateField.querySelector('label').textContent = t === 'webhook' ? 'JSON body template' : 'Message template';
    const help = templateField.querySelector('.help') || templateField.appendChild(h('small', { class: 'help', id: 'notifier-template-help' }));
    template.setAttribute('aria-describedby', 'notifier-template-help');
    help.textContent = t === 'webhook'
      ? 'Empty sends the standard JSON document (kind, map, device, status, reason, time, url).'
      : 'A Go template with .Kind .Map .Device .Address .Status .Reason .Time .URL; empty uses the default.';
  };
  type.addEventListener('change', sync);

  // read returns the form as a notifier, or throws what is wrong with it.
  const read = () => {
    const c = { name: name.value.trim(), type: type.value };
    if (!c.name) throw new Error('A notifier needs a name.');
    if (names.includes(c.name)) throw new Error(`There is already a notifier named “${c.name}”.`);
    const renamed = originalName !== null && c.name !== originalName;
    const keptSecrets = [];
    switch (c.type) {
      case 'email':
        c.smtp_host = smtpHost.value.trim();
        if (smtpPort.value.trim()) c.smtp_port = Number(smtpPort.value);
        c.starttls = starttls.checked;
        c.username = username.value.trim();
        c.password = password.read();
        if (password.unchanged()) keptSecrets.push('the password');
        c.from = from.value.trim();
        c.to = to.value.split(/[,;\s]+/).filter(Boolean);
        c.subject = subject.value;
        c.ca_file = caFile.value.trim();
        break;
      case 'webhook':
      case 'slack':
      case 'teams':
        c.url = url.read().trim();
        if (url.unchanged()) {
          if (c.type === 'webhook') throw new Error('Type the URL again: the stored Slack/Teams address stays hidden.');
          keptSecrets.push('the URL');
        }
        if (c.type === 'webhook') {
          c.headers = {};
          for (const row of headers) {
            if (row.removed) continue;
            const k = row.key.value.trim();
            if (!k) continue;
            c.headers[k] = row.val.read();
            if (row.val.unchanged()) keptSecrets.push(`header ${k}`);
          }
        }
        break;
      case 'command':
        c.path = path.value.trim();
        c.args = args.value.split('\n').map((a) => a.trim()).filter(Boolean);
        break;
      case 'syslog':
        c.network = network.value;
        c.address = address.value.trim();
        c.facility = facility.value;
        c.app_name = appName.value.trim();
        c.hostname = hostname.value.trim();
        break;
      default:
        Object.assign(c, existing || {}, { name: c.name });
    }
    if (renamed && keptSecrets.length) {
      throw new Error(`Renamed: type ${keptSecrets.join(', ')} again (stored secrets stay with the name “${originalName}”).`);
    }
    c.template = template.value;
    const n = Number(retries.value);
    if (!Number.isInteger(n) || n < 0) throw new Error('Retries must be a whole number, 0 or more.');
    c.retries = n;
    c.retry_delay = durationCheck('First retry after', retryDelay.value.trim());
    c.timeout = durationCheck('Time-out', timeout.value.trim());
    return normNotifier(c);
  };

  const testResult = h('span', { class: 'test-result', role: 'status', testid: 'notifier-test-result' });
  const testBtn = h('button', { type: 'button', testid: 'notifier-dialog-test' }, 'Send test');
  testBtn.addEventListener('click', async () => {
    let c;
    try {
      c = read();
    } catch (err) {
      testResult.dataset.state = 'error';
      testResult.textContent = err.message;
      return;
    }
    testBtn.disabled = true;
    testResult.dataset.state = 'sending';
    testResult.textContent = 'Sending…';
    try {
      await api.testNotifierConfig(c);
      testResult.dataset.state = 'sent';
      testResult.textContent = 'Test sent.';
    } catch (err) {
      testResult.dataset.state = 'error';
      testResult.textContent = `Test failed: ${err.message}`;
    } finally {
      testBtn.disabled = false;
    }
  });

  const fields = () => {
    const els = [
      h('div', { class: 'row2' }, field('notifier-name', 'Name', name), field('notifier-type', 'Type', type)),
      sections,
      templateField,
      delivery,
    ];
    sync();
    return els;
  };
  return openDialog(existing ? `Edit notifier ${existing.name}` : 'Add notifier', 'notifier', fields, existing ? 'Apply' : 'Add', async () => read(),
    { wide: true, extra: [testBtn, testResult] });
}

// ---- the rule editor -------------------------------------------------------------

// ruleDialog edits a rule (null: a new one). names are the other rules'
// names, notifiers the notifiers on the page, maps the map list.
function ruleDialog(existing, names, notifiers, maps) {
  const cur = existing ? normRule(existing) : { kinds: ['DOWN', 'UP'], notifiers: notifiers.length === 1 ? [notifiers[0]] : [] };
  // Names a rule uses but the page does not define (yet) stay visible.
  const notifierOptions = (chosen) => {
    const all = [...notifiers];
    for (const n of chosen || []) if (!all.includes(n)) all.push(n);
    return all.map((n) => [n, notifiers.includes(n) ? n : `${n} (not defined)`]);
  };
  const name = input('rule-name', cur.name, { required: true, placeholder: 'e.g. outages' });
  const mapSel = h('select', { testid: 'rule-map' }, h('option', { value: '' }, 'Any map'),
    maps.map((m) => h('option', { value: m, selected: m === cur.map }, m)));
  if (cur.map && !maps.includes(cur.map)) mapSel.append(h('option', { value: cur.map, selected: true }, `${cur.map} (no such map)`));
  const devSel = h('select', { testid: 'rule-device' });
  let devLoad = 0;
  const loadDevices = async (want) => {
    const m = mapSel.value;
    const my = ++devLoad;
    fill(devSel, h('option', { value: '' }, m ? 'Any device on the map' : 'Any device'));
    devSel.disabled = !m;
    if (want) devSel.append(h('option', { value: want, selected: true }, want));
    if (!m) return;
    let devs = [];
    try {
      devs = await api.mapDevices(m);
    } catch {
      // A map that is gone lists no devices; the device stays as typed.
    }
    if (my !== devLoad) return;
    const devNames = devs.map((d) => d.name).sort((a, b) => a.localeCompare(b));
    const keep = devSel.value;
    fill(devSel, h('option', { value: '' }, 'Any device on the map'),
      devNames.map((n) => h('option', { value: n, selected: n === keep }, n)),
      keep && !devNames.includes(keep) ? h('option', { value: keep, selected: true }, `${keep} (not on the map)`) : null);
  };
  mapSel.addEventListener('change', () => loadDevices(''));
  loadDevices(cur.device || '');

  const kinds = checks('Status changes', 'rule-kind', KINDS, cur.kinds, 'None checked means Down and Up. Up or OK also announces the recovery of a problem that was announced.');
  const ruleNotifiers = checks('Notify', 'rule-notifier', notifierOptions(cur.notifiers), cur.notifiers,
    notifiers.length ? null : 'Add a notifier first.');
  const delay = input('rule-delay', cur.delay, { placeholder: 'none' });
  const repeat = input('rule-repeat', cur.repeat, { placeholder: 'once' });
  const count = input('rule-count', cur.count || '', { type: 'number', min: 0, inputmode: 'numeric', placeholder: 'until resolved' });

  const stepsBox = h('div', { class: 'steps', testid: 'rule-steps' });
  const steps = [];
  const addStep = (s = { after: '', notifiers: [] }) => {
    const i = steps.length;
    const after = input(`rule-step-${i}-after`, s.after, { placeholder: '15m', 'aria-label': `Step ${i + 1}: after` });
    const who = checks(`Step ${i + 1}: notify`, `rule-step-${i}-notifier`, notifierOptions(s.notifiers), s.notifiers);
    const step = { after, who, removed: false };
    step.el = h('div', { class: 'step-row', testid: `rule-step-${i}` },
      h('div', { class: 'field step-after' }, h('label', { for: `rule-step-${i}-after` }, 'After'), after),
      who.el,
      h('button', { type: 'button', class: 'icon-btn', testid: `rule-step-${i}-remove`, 'aria-label': `Remove step ${i + 1}`,
        onclick: () => { step.removed = true; step.el.remove(); } }, '×'));
    after.id = `rule-step-${i}-after`;
    steps.push(step);
    stepsBox.append(step.el);
  };
  for (const s of cur.escalate || []) addStep(s);

  const days = input('rule-days', cur.schedule?.days, { placeholder: 'every day, or e.g. mon-fri' });
  const hours = input('rule-hours', cur.schedule?.hours, { placeholder: 'all day, or e.g. 08:00-18:00' });
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zone = input('rule-location', cur.schedule?.location, { placeholder: 'server time zone', list: 'rule-zones' });

  const read = () => {
    const r = { name: name.value.trim() };
    if (!r.name) throw new Error('A rule needs a name.');
    if (names.includes(r.name)) throw new Error(`There is already a rule named “${r.name}”.`);
    r.map = mapSel.value;
    r.device = devSel.value;
    r.kinds = kinds.read();
    r.notifiers = ruleNotifiers.read();
    r.delay = durationCheck('Delay', delay.value.trim());
    r.repeat = durationCheck('Repeat', repeat.value.trim());
    const c = count.value.trim();
    if (c && !(Number.isInteger(Number(c)) && Number(c) >= 0)) throw new Error('Count must be a whole number.');
    r.count = c ? Number(c) : 0;
    r.escalate = steps.filter((s) => !s.removed).map((s, i) => ({
      after: durationCheck(`Escalation step ${i + 1}`, s.after.value.trim()),
      notifiers: s.who.read(),
    }));
    r.schedule = { days: days.value.trim(), hours: hours.value.trim(), location: zone.value.trim() };
    return normRule(r);
  };

  const fields = () => [
    field('rule-name', 'Name', name),
    h('fieldset', { class: 'params' }, h('legend', null, 'Scope'),
      h('div', { class: 'row2' }, field('rule-map', 'Map', mapSel), field('rule-device', 'Device', devSel)),
      h('small', { class: 'help' }, 'Empty is every map or every device. The most specific rules win: a device\'s own rules replace its map\'s for it.')),
    kinds.el,
    ruleNotifiers.el,
    h('div', { class: 'row3' },
      field('rule-delay', 'Delay', delay, 'before the first notice, e.g. 2m'),
      field('rule-repeat', 'Repeat every', repeat, 'while the problem lasts, e.g. 30m'),
      field('rule-count', 'Repeats', count, 'at most')),
    h('fieldset', { class: 'params', testid: 'rule-escalation' }, h('legend', null, 'Escalation'),
      h('small', { class: 'help' }, 'Notify more people if the problem is not acknowledged after a time (from the first notice).'),
      stepsBox,
      h('div', null, h('button', { type: 'button', testid: 'rule-step-add', onclick: () => addStep() }, 'Add step'))),
    h('fieldset', { class: 'params' }, h('legend', null, 'Schedule'),
      h('div', { class: 'row3' },
        field('rule-days', 'Days', days),
        field('rule-hours', 'Hours', hours),
        field('rule-location', 'Time zone', zone)),
      h('datalist', { id: 'rule-zones' }, zones.map((z) => h('option', { value: z }))),
      h('small', { class: 'help' }, 'Outside these days and hours the rule sends nothing. Empty is always.')),
  ];
  return openDialog(existing ? `Edit rule ${existing.name}` : 'Add rule', 'rule', fields, existing ? 'Apply' : 'Add', async () => read(), { wide: true });
}

// ---- the page ------------------------------------------------------------------

export function settingsPage(view) {
  let base = '';          // the settings as saved, canonical JSON
  let draft = null;       // {notifiers, rules} as edited
  let badKey = null;      // the row the last refusal names
  let retBase = '';       // the retention settings as saved, canonical JSON
  let retDraft = null;    // the retention settings as edited
  let retBad = new Set(); // the retention fields the last refusal names
  let flowBase = '';      // the flow settings as saved, canonical JSON
  let flowDraft = null;   // the flow settings form as edited
  let flowView = null;    // the server's last word: saved and running values, notices
  let flowBad = new Set(); // the flow fields the last refusal names
  let incidentsTimer = 0;
  let destroyed = false;

  const dirtyMark = h('span', { class: 'dirty-mark', testid: 'settings-dirty', hidden: true }, 'Unsaved changes');
  const saveBtn = h('button', { type: 'button', class: 'primary', testid: 'settings-save', disabled: true, onclick: save }, 'Save');
  const revertBtn = h('button', { type: 'button', testid: 'settings-revert', disabled: true, onclick: revert }, 'Discard changes');
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'settings-error', hidden: true });
  const notifierBox = h('div', { testid: 'notifiers' }, h('p', { class: 'muted' }, 'Loading…'));
  const ruleBox = h('div', { testid: 'rules' }, h('p', { class: 'muted' }, 'Loading…'));
  const incidentBox = h('div', { testid: 'incidents' }, h('p', { class: 'muted' }, 'Loading…'));
  const addNotifierBtn = h('button', { type: 'button', testid: 'notifier-add', disabled: true, onclick: () => editNotifier(-1) }, 'Add notifier');
  const addRuleBtn = h('button', { type: 'button', testid: 'rule-add', disabled: true, onclick: () => editRule(-1) }, 'Add rule');
  const retError = h('p', { class: 'form-error retention-error', role: 'alert', testid: 'retention-error', hidden: true });
  const retBox = h('div', { testid: 'retention' }, h('p', { class: 'muted' }, 'Loading…'));
  const addRetRuleBtn = h('button', { type: 'button', testid: 'retention-rule-add', disabled: true, onclick: addRetentionRule }, 'Add rule');
  const flowError = h('p', { class: 'form-error retention-error', role: 'alert', testid: 'flows-settings-error', hidden: true });
  const flowBox = h('div', { testid: 'flows-settings' }, h('p', { class: 'muted' }, 'Loading…'));
  // The database's size now, kept apart so the form is not redrawn when
  // it is read.
  const flowUsage = h('p', { class: 'muted small', testid: 'flows-db-usage', 'aria-live': 'polite' });

  fill(view, h('section', { class: 'page settings-page', testid: 'settings-page' },
    h('div', { class: 'page-head settings-head' }, h('h1', null, 'Settings'), dirtyMark, revertBtn, saveBtn),
    error,
    h('section', { 'aria-labelledby': 'settings-notifiers' },
      h('div', { class: 'section-head' }, h('h2', { id: 'settings-notifiers' }, 'Notifiers'), addNotifierBtn),
      h('p', { class: 'help' }, 'Where notifications go: e-mail, webhooks, Slack or Teams, a command or syslog.'),
      notifierBox),
    h('section', { 'aria-labelledby': 'settings-rules' },
      h('div', { class: 'section-head' }, h('h2', { id: 'settings-rules' }, 'Notification rules'), addRuleBtn),
      h('p', { class: 'help' }, 'Which status changes are sent to which notifiers, when, how often, and who is told next if nobody acknowledges. A device follows the rules naming it if there are any, else its map\'s, else those for every map. Without a rule nothing is sent.'),
      ruleBox),
    h('section', { 'aria-labelledby': 'settings-incidents' },
      h('div', { class: 'section-head' }, h('h2', { id: 'settings-incidents' }, 'Open incidents'), h('span', { class: 'muted small' }, 'refreshed every 5 s')),
      incidentBox),
    h('section', { 'aria-labelledby': 'settings-retention', testid: 'retention-section' },
      h('div', { class: 'section-head' }, h('h2', { id: 'settings-retention' }, 'Chart data retention'), addRetRuleBtn),
      h('p', { class: 'help' }, 'How long chart data is kept at each resolution, e.g. 36h, 2d, 12w or 1y; 0 keeps it forever. Coarser roll-ups must be kept at least as long as finer ones. Rules override these for the datasets they match (patterns like core-*, if.*.in_bps; empty matches all; an empty period comes from a less specific rule or the server). Expired data is removed in the background.'),
      retError,
      retBox),
    h('section', { 'aria-labelledby': 'settings-flows', testid: 'flows-settings-section', class: 'flows-settings' },
      h('div', { class: 'section-head' }, h('h2', { id: 'settings-flows' }, 'Flows')),
      h('p', { class: 'help' }, 'What the flow collector keeps and which hosts are yours. Inside networks, the size cap and how long flows are kept apply as soon as they are saved; listener addresses and server ports when the server restarts.'),
      flowError,
      flowBox)));
  document.title = 'Settings — Vantage';

  const notifDirty = () => draft !== null && JSON.stringify(draft) !== base;
  const retDirty = () => retDraft !== null && JSON.stringify(normRetention(retDraft)) !== retBase;
  const flowDirty = () => flowDraft !== null && flowKey(flowDraft) !== flowBase;
  const dirty = () => notifDirty() || retDirty() || flowDirty();

  // marks shows whether anything is unsaved.
  function marks() {
    const d = dirty();
    dirtyMark.hidden = !d;
    saveBtn.disabled = !d;
    revertBtn.disabled = !d;
  }

  function changed() {
    marks();
    renderNotifiers();
    renderRules();
  }

  function onBeforeUnload(e) {
    if (!dirty()) return;
    e.preventDefault();
    e.returnValue = '';
  }
  window.addEventListener('beforeunload', onBeforeUnload);

  async function load() {
    let s;
    try {
      s = await api.notifications();
    } catch (err) {
      if (err.status === 401 || destroyed) return;
      const msg = err.status === 501 ? err.message : `Cannot read the notification settings: ${err.message}`;
      fill(notifierBox, h('p', { class: 'form-error' }, msg));
      fill(ruleBox);
      return;
    }
    if (destroyed) return;
    base = JSON.stringify(normSettings(s));
    draft = kept || JSON.parse(base);
    kept = null;
    addNotifierBtn.disabled = false;
    addRuleBtn.disabled = false;
    changed();
  }

  // save sends what changed: the notification settings, the retention
  // settings, or both (each refused or kept on its own).
  async function save() {
    error.hidden = true;
    saveBtn.disabled = true;
    saveBtn.textContent = 'Saving…';
    try {
      if (notifDirty()) await saveNotifications();
      if (retDirty()) await saveRetention();
      if (flowDirty()) await saveFlows();
    } finally {
      saveBtn.textContent = 'Save';
      changed();
    }
  }

  async function saveNotifications() {
    try {
      const saved = await api.saveNotifications(draft);
      base = JSON.stringify(normSettings(saved));
      draft = JSON.parse(base);
      badKey = null;
      toast('Notification settings saved and applied.', 'ok', 3000);
    } catch (err) {
      if (err.status === 401) return;
      error.textContent = `Not saved: ${err.message}`;
      error.hidden = false;
      badKey = culprit(err.message);
    }
  }

  async function saveRetention() {
    retError.hidden = true;
    const body = normRetention(retDraft);
    const blank = PERIODS.filter(([k]) => !body[k]);
    try {
      if (blank.length) {
        retBad = new Set(blank.map(([k]) => `period:${k}`));
        throw new Error(`${blank.map(([, l]) => l).join(', ')}: empty; write 0 to keep forever`);
      }
      const saved = await api.saveRetention(body);
      retBase = JSON.stringify(normRetention(saved));
      retDraft = JSON.parse(retBase);
      retBad = new Set();
      toast('Chart data retention saved; applied at the next pruning pass.', 'ok', 3000);
    } catch (err) {
      if (err.status === 401) return;
      retError.textContent = `Retention not saved: ${err.message}`;
      retError.hidden = false;
      if (err.status) retBad = retentionCulprits(err.message);
      // The section may be far below the Save button.
      if (error.hidden) retError.scrollIntoView({ block: 'nearest' });
    }
    renderRetention();
  }

  // culprit finds the row a refusal names: rule "x": … or notifiers[x].…
  function culprit(msg) {
    let m = /rule "((?:[^"\\]|\\.)*)"/.exec(msg);
    if (m) return `rule:${m[1]}`;
    m = /notifiers\[([^\]]*)\]/.exec(msg);
    if (m) return `notifier:${m[1]}`;
    return null;
  }

  function revert() {
    draft = JSON.parse(base);
    error.hidden = true;
    badKey = null;
    if (retDraft) {
      retDraft = JSON.parse(retBase);
      retError.hidden = true;
      retBad = new Set();
      renderRetention();
    }
    if (flowDraft) {
      flowDraft = flowDraftOf(flowView);
      flowError.hidden = true;
      flowBad = new Set();
      renderFlows();
    }
    changed();
  }

  async function mapNames() {
    try {
      return (await api.maps()).map((m) => m.name).sort((a, b) => a.localeCompare(b));
    } catch {
      return [];
    }
  }

  // ---- notifiers ----

  async function editNotifier(i) {
    const existing = i >= 0 ? draft.notifiers[i] : null;
    const others = draft.notifiers.filter((_, j) => j !== i).map((n) => n.name);
    const c = await notifierDialog(existing, others);
    if (!c || destroyed) return;
    if (existing) {
      if (existing.name !== c.name) renameNotifier(existing.name, c.name);
      draft.notifiers[i] = c;
    } else {
      draft.notifiers.push(c);
    }
    changed();
  }

  function renameNotifier(from, to) {
    const swap = (names) => names.map((n) => (n === from ? to : n));
    for (const r of draft.rules) {
      r.notifiers = swap(r.notifiers);
      for (const s of r.escalate || []) s.notifiers = swap(s.notifiers);
    }
  }

  async function deleteNotifier(i) {
    const n = draft.notifiers[i];
    const users = draft.rules.filter((r) => r.notifiers.includes(n.name) || (r.escalate || []).some((s) => s.notifiers.includes(n.name)));
    const text = users.length
      ? `It is also taken out of the rules ${users.map((r) => `“${r.name}”`).join(', ')}. Nothing changes until you save.`
      : 'Nothing changes until you save.';
    if (!await confirmDialog(`Delete notifier ${n.name}?`, text)) return;
    draft.notifiers.splice(i, 1);
    for (const r of users) {
      r.notifiers = r.notifiers.filter((x) => x !== n.name);
      for (const s of r.escalate || []) s.notifiers = s.notifiers.filter((x) => x !== n.name);
    }
    changed();
  }

  async function testNotifier(n, btn) {
    btn.disabled = true;
    const label = btn.textContent;
    btn.textContent = 'Sending…';
    try {
      await api.testNotifierConfig(n);
      toast(`Test sent via ${n.name}.`, 'ok', 3000);
    } catch (err) {
      toast(`Test via ${n.name} failed: ${err.message}`, 'error', 8000);
    } finally {
      btn.disabled = false;
      btn.textContent = label;
    }
  }

  function renderNotifiers() {
    if (!draft) return;
    const saved = new Set((JSON.parse(base).notifiers || []).map((n) => JSON.stringify(n)));
    if (!draft.notifiers.length) {
      fill(notifierBox, h('p', { class: 'empty-note', testid: 'notifiers-empty' }, 'No notifiers yet.'));
      return;
    }
    fill(notifierBox, h('div', { class: 'table-wrap' }, h('table', { class: 'table settings-table', testid: 'notifiers-table' },
      h('thead', null, h('tr', null, ['Name', 'Type', 'Target', 'Retries', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, draft.notifiers.map((n, i) => {
        const testBtn = h('button', { type: 'button', testid: `notifier-test-${n.name}`, onclick: () => testNotifier(n, testBtn) }, 'Send test');
        return h('tr', {
          testid: `notifier-row-${n.name}`, class: badKey === `notifier:${n.name}` ? 'is-invalid' : null,
          dataset: { unsaved: saved.has(JSON.stringify(n)) ? '' : '1' },
        },
        h('td', null, h('strong', null, n.name), saved.has(JSON.stringify(n)) ? null : h('span', { class: 'unsaved-tag', title: 'Not saved yet' }, 'unsaved')),
        h('td', null, TYPE_LABEL[n.type] || n.type),
        h('td', { class: 'mono target' }, target(n) || '—'),
        h('td', null, String(n.retries)),
        h('td', { class: 'row-actions' },
          h('button', { type: 'button', testid: `notifier-edit-${n.name}`, onclick: () => editNotifier(i) }, 'Edit'),
          testBtn,
          h('button', { type: 'button', class: 'danger-text', testid: `notifier-delete-${n.name}`, onclick: () => deleteNotifier(i) }, 'Delete')));
      })))));
  }

  // ---- rules ----

  async function editRule(i) {
    const existing = i >= 0 ? draft.rules[i] : null;
    const others = draft.rules.filter((_, j) => j !== i).map((r) => r.name);
    const r = await ruleDialog(existing, others, draft.notifiers.map((n) => n.name), await mapNames());
    if (!r || destroyed) return;
    if (existing) draft.rules[i] = r;
    else draft.rules.push(r);
    changed();
  }

  async function deleteRule(i) {
    const r = draft.rules[i];
    if (!await confirmDialog(`Delete rule ${r.name}?`, 'Nothing changes until you save.')) return;
    draft.rules.splice(i, 1);
    changed();
  }

  function timing(r) {
    const parts = [];
    if (r.delay) parts.push(`after ${r.delay}`);
    if (r.repeat) parts.push(`every ${r.repeat}${r.count ? `, ${r.count}×` : ''}`);
    return parts.length ? parts.join('; ') : 'at once, once';
  }

  function renderRules() {
    if (!draft) return;
    const saved = new Set((JSON.parse(base).rules || []).map((r) => JSON.stringify(r)));
    if (!draft.rules.length) {
      fill(ruleBox, h('p', { class: 'empty-note', testid: 'rules-empty' }, 'No rules yet: no notification is sent.'));
      return;
    }
    const known = new Set(draft.notifiers.map((n) => n.name));
    const names = (list) => list.map((n, k) => [k ? ', ' : '', known.has(n) ? n : h('span', { class: 'missing', title: 'No notifier of that name' }, n)]);
    fill(ruleBox, h('div', { class: 'table-wrap' }, h('table', { class: 'table settings-table', testid: 'rules-table' },
      h('thead', null, h('tr', null, ['Name', 'Scope', 'Status changes', 'Notify', 'Timing', 'Escalation', 'Schedule', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, draft.rules.map((r, i) => h('tr', {
        testid: `rule-row-${r.name}`, class: badKey === `rule:${r.name}` ? 'is-invalid' : null,
        dataset: { unsaved: saved.has(JSON.stringify(r)) ? '' : '1' },
      },
      h('td', null, h('strong', null, r.name), saved.has(JSON.stringify(r)) ? null : h('span', { class: 'unsaved-tag', title: 'Not saved yet' }, 'unsaved')),
      h('td', null, r.map ? (r.device ? `${r.map}: ${r.device}` : r.map) : h('span', { class: 'muted' }, 'everything')),
      h('td', null, (r.kinds.length ? r.kinds : ['DOWN', 'UP']).map((k) => h('span', { class: 'kind', dataset: { kind: k } }, k)), r.kinds.length ? null : h('span', { class: 'muted' }, ' (default)')),
      h('td', { testid: `rule-notifiers-${r.name}` }, r.notifiers.length ? names(r.notifiers) : h('span', { class: 'missing' }, 'none')),
      h('td', null, timing(r)),
      h('td', null, (r.escalate || []).length ? h('ul', { class: 'plain' }, r.escalate.map((s) => h('li', null, `after ${s.after}: `, names(s.notifiers)))) : h('span', { class: 'muted' }, '—')),
      h('td', null, r.schedule ? [r.schedule.days, r.schedule.hours, r.schedule.location].filter(Boolean).join(' ') : h('span', { class: 'muted' }, 'always')),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', testid: `rule-edit-${r.name}`, onclick: () => editRule(i) }, 'Edit'),
        h('button', { type: 'button', class: 'danger-text', testid: `rule-delete-${r.name}`, onclick: () => deleteRule(i) }, 'Delete'))))))));
  }

  // ---- incidents ----

  async function loadIncidents() {
    let list;
    try {
      list = await api.incidents();
    } catch (err) {
      if (err.status !== 401 && !destroyed) fill(incidentBox, h('p', { class: 'form-error' }, `Cannot read the incidents: ${err.message}`));
      return;
    }
    if (destroyed) return;
    if (!list.length) {
      fill(incidentBox, h('p', { class: 'empty-note', testid: 'incidents-empty' }, 'No open incidents.'));
      return;
    }
    list.sort((a, b) => Date.parse(a.since) - Date.parse(b.since));
    fill(incidentBox, h('div', { class: 'table-wrap' }, h('table', { class: 'table settings-table', testid: 'incidents-table' },
      h('thead', null, h('tr', null, ['Device', 'Status', 'Since', 'Rule', 'Notified', 'Next due'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, list.map((x) => h('tr', { testid: `incident-${x.map}~${x.device}`, dataset: { kind: x.kind } },
        h('td', null, h('a', { href: `#/map/${encodeURIComponent(x.map)}?device=${encodeURIComponent(deviceID(x.map, x.device))}` }, x.device),
          h('span', { class: 'muted' }, ` on ${x.map}`), x.reason ? h('div', { class: 'muted small' }, x.reason) : null),
        h('td', null, h('span', { class: 'kind', dataset: { kind: x.kind } }, x.kind)),
        h('td', { title: when(x.since) }, `${when(x.since)} (${ago(x.since)} ago)`),
        h('td', null, x.rule),
        h('td', null, x.announced ? (list_(x.notified).join(', ') || 'yes') : h('span', { class: 'muted' }, 'not yet'),
          x.repeats ? h('div', { class: 'muted small' }, `${x.repeats} repeat${x.repeats === 1 ? '' : 's'}`) : null,
          x.escalations ? h('div', { class: 'muted small' }, `escalated ×${x.escalations}`) : null),
        h('td', null, x.next ? [x.next_what || 'next notice', h('div', { class: 'muted small', title: when(x.next) }, dueText(x.next))] : h('span', { class: 'muted' }, 'recovery notice only'))))))));
  }

  const list_ = (v) => (Array.isArray(v) ? v : []);
  function dueText(iso) {
    const ms = Date.parse(iso) - Date.now();
    if (!Number.isFinite(ms)) return '';
    return ms <= 0 ? `due now (${when(iso)})` : `in ${duration(ms)} (${when(iso)})`;
  }

  // ---- chart data retention ----

  // readSection reads one section's settings, or says in its box why it
  // cannot (501: this server does not offer them); null then.
  async function readSection(read, box, unavailable, what) {
    try {
      return await read();
    } catch (err) {
      if (err.status !== 401 && !destroyed) {
        fill(box, h('p', { class: err.status === 501 ? 'empty-note' : 'form-error' },
          err.status === 501 ? unavailable : `Cannot read the ${what}: ${err.message}`));
      }
      return null;
    }
  }

  async function loadRetention() {
    const r = await readSection(api.retention, retBox, 'Charts are not kept on this server.', 'retention settings');
    if (!r || destroyed) return;
    retBase = JSON.stringify(normRetention(r));
    retDraft = keptRetention || JSON.parse(retBase);
    keptRetention = null;
    addRetRuleBtn.disabled = false;
    renderRetention();
    marks();
  }

  function addRetentionRule() {
    retDraft.rules.push({ map: '', device: '', dataset: '' });
    renderRetention();
    marks();
    retBox.querySelector(`[data-testid="retention-rule-${retDraft.rules.length - 1}-map"]`)?.focus();
  }

  // retInput edits one value of the draft in place; typing only updates
  // the unsaved mark, so the focus stays.
  function retInput(testid, obj, key, attrs) {
    const el = h('input', {
      testid, value: obj[key] ?? '', autocomplete: 'off', spellcheck: 'false', ...attrs,
      oninput: () => {
        obj[key] = el.value;
        el.removeAttribute('aria-invalid');
        marks();
      },
    });
    return el;
  }

  function renderRetention() {
    if (!retDraft) return;
    const periods = h('div', { class: 'retention-periods', testid: 'retention-periods' },
      PERIODS.map(([k, label]) => field(`retention-${k}`, label,
        retInput(`retention-${k}`, retDraft, k, { list: 'retention-hints', 'aria-invalid': retBad.has(`period:${k}`) ? 'true' : null }))),
      h('datalist', { id: 'retention-hints' }, PERIOD_HINTS.map((v) => h('option', { value: v }))));
    const rules = retDraft.rules.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'table settings-table retention-table', testid: 'retention-rules' },
        h('thead', null, h('tr', null, ['Map', 'Device', 'Dataset', 'Raw', '5-minute', 'Hourly', 'Daily', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, retDraft.rules.map((r, i) => {
          const n = i + 1;
          const pat = (k, label, ph) => h('td', null, retInput(`retention-rule-${i}-${k}`, r, k, { 'aria-label': `Rule ${n}: ${label} pattern`, placeholder: ph }));
          return h('tr', { testid: `retention-rule-${i}`, class: retBad.has(`rule:${i}`) ? 'is-invalid' : null },
            pat('map', 'map', 'any'), pat('device', 'device', 'any'), pat('dataset', 'dataset', 'any'),
            PERIODS.map(([k, label]) => h('td', null, retInput(`retention-rule-${i}-${k}`, r, k, { 'aria-label': `Rule ${n}: ${label}`, placeholder: 'inherit', list: 'retention-hints' }))),
            removeCell(`Remove retention rule ${n}`, `retention-rule-${i}-remove`, () => {
              retDraft.rules.splice(i, 1);
              retBad = new Set();
              renderRetention();
              marks();
            }));
        }))))
      : h('p', { class: 'empty-note', testid: 'retention-rules-empty' }, 'No rules: every dataset follows the periods above.');
    fill(retBox, periods, rules);
  }

  // ---- flows ----

  async function loadFlows() {
    const v = await readSection(api.flowSettings, flowBox, 'This server does not offer flow settings.', 'flow settings');
    if (!v || destroyed) return;
    setFlowView(v, keptFlows);
    keptFlows = null;
    renderFlows();
    marks();
    loadFlowUsage();
  }

  function setFlowView(v, draft) {
    flowView = v;
    flowBase = flowKey(flowDraftOf(v));
    flowDraft = draft || flowDraftOf(v);
    flowBad = new Set();
  }

  // loadFlowUsage shows the database's size beside the cap, from the
  // collector's diagnostics.
  async function loadFlowUsage() {
    if (!flowView.collecting) {
      fill(flowUsage, 'No flow database: this server does not collect flows.');
      return;
    }
    let a;
    try {
      a = await api.flowAbout();
    } catch (err) {
      if (!destroyed && err.status !== 401) fill(flowUsage, `Database size unknown: ${err.message}`);
      return;
    }
    if (destroyed) return;
    fill(flowUsage,
      h('span', { testid: 'flows-db-size', dataset: { bytes: String(a.database_bytes || 0) } }, `In use: ${roughSize(a.database_bytes || 0)}`),
      a.max_bytes ? ` of the ${roughSize(a.max_bytes)} cap` : ' (no cap)',
      ' · ',
      h('span', { testid: 'flows-exporters-count' }, `${a.exporters} exporter${a.exporters === 1 ? '' : 's'}`),
      a.database_error ? h('span', { class: 'missing' }, ` · ${a.database_error}`) : null);
  }

  async function saveFlows() {
    flowError.hidden = true;
    try {
      const v = await api.saveFlowSettings(flowBody(flowDraft));
      setFlowView(v);
      const later = v.pending || [];
      toast(later.length
        ? `Flow settings saved; ${later.join(', ')} take${later.length === 1 ? 's' : ''} effect when the server restarts.`
        : 'Flow settings saved and applied.', 'ok', later.length ? 8000 : 3000);
      loadFlowUsage();
    } catch (err) {
      if (err.status === 401) return;
      flowError.textContent = `Flow settings not saved: ${err.message}`;
      flowError.hidden = false;
      flowBad = err instanceof FlowCheckError ? err.culprits : flowCulprits(err.message, flowDraft.ports);
      if (error.hidden && retError.hidden) flowError.scrollIntoView({ block: 'nearest' });
    }
    renderFlows();
  }

  // flowInput edits one text of the draft in place, like retInput.
  function flowInput(tag, testid, obj, key, bad, attrs, after) {
    const el = h(tag, {
      testid, autocomplete: 'off', spellcheck: 'false', 'aria-invalid': flowBad.has(bad) ? 'true' : null, ...attrs,
      oninput: () => {
        obj[key] = el.value;
        el.removeAttribute('aria-invalid');
        if (after) after();
        marks();
      },
    });
    el.value = obj[key] ?? '';
    return el;
  }

  // listenerNote says what a listener does now, and why a saved address
  // is not what runs.
  function listenerNote(k) {
    const v = flowView;
    const st = (v.listening || []).find((l) => l.name === k);
    const parts = [];
    if (st) parts.push(st.state === 'listening' ? `Listening on ${st.address}` : st.state === 'off' ? 'Off now' : `Not listening: ${st.error || st.state}`);
    if (k in (v.flags || {})) parts.push(`--${k} ${v.flags[k]} on the command line wins over this`);
    else if (v.running.listeners[k] !== v.listeners[k]) parts.push(`saved; takes effect when the server restarts (${v.running.listeners[k]} until then)`);
    return parts.join(' · ');
  }

  function portEffect(r) {
    const builtin = flowView.builtin_ports[String(Number(r.port))];
    const name = String(r.name).trim();
    if (!name) return builtin ? `removes ${builtin} from the built-in list` : 'needs a name (or is not on the built-in list)';
    return builtin ? `renames ${builtin}` : 'adds a server port';
  }

  function renderFlows() {
    if (!flowDraft) return;
    const v = flowView;
    const d = flowDraft;
    const capHint = h('small', { class: 'help', testid: 'flows-max-bytes-parsed', 'aria-live': 'polite' });
    const showCap = () => {
      try {
        const n = parseSize(d.max_bytes);
        capHint.textContent = n ? `${n.toLocaleString('en-US')} bytes; the oldest days are dropped beyond it` : 'no cap: the database grows until the disk is full';
        capHint.classList.remove('missing');
      } catch (err) {
        capHint.textContent = err.message;
        capHint.classList.add('missing');
      }
    };
    showCap();
    const cap = flowInput('input', 'flows-max-bytes', d, 'max_bytes', 'max_bytes', { placeholder: '10 GB', inputmode: 'decimal' }, showCap);
    const age = flowInput('input', 'flows-max-age', d, 'max_age', 'max_age', { placeholder: '0', list: 'flows-age-hints' });
    const inside = flowInput('textarea', 'flows-inside', d, 'inside', 'inside', { rows: 5, placeholder: '10.0.0.0/8\n192.0.2.0/24\n2001:db8::/32' });
    // A listener flag's notice ("--netflow … wins") is told under its
    // field; the others (restart, no collector, remote) go on top.
    const general = (v.notices || []).filter((n) => !/^--(netflow|sflow|jflow) /.test(n));
    const notices = general.length
      ? h('ul', { class: 'warnings', testid: 'flows-notices' }, general.map((n) => h('li', null, n)))
      : null;

    const portRows = d.ports.map((r, i) => {
      const effect = h('td', { class: 'muted small', testid: `flows-port-${i}-effect` }, portEffect(r));
      const upd = () => { effect.textContent = portEffect(r); };
      const builtin = v.builtin_ports[String(Number(r.port))];
      return h('tr', { testid: `flows-port-${i}`, class: flowBad.has(`row:${i}`) ? 'is-invalid' : null },
        h('td', null, flowInput('input', `flows-port-${i}-port`, r, 'port', `row:${i}`, { inputmode: 'numeric', 'aria-label': `Server port ${i + 1}: port`, placeholder: '8443' }, upd)),
        h('td', null, flowInput('input', `flows-port-${i}-name`, r, 'name', `row:${i}`, { 'aria-label': `Server port ${i + 1}: name`, placeholder: builtin ? `empty removes ${builtin}` : 'e.g. https-alt' }, upd)),
        effect,
        removeCell(`Remove server port ${i + 1}`, `flows-port-${i}-remove`, () => {
          d.ports.splice(i, 1);
          flowBad = new Set();
          renderFlows();
          marks();
        }));
    });
    const portsPending = (v.pending || []).includes('flows.server_ports');
    const ports = h('fieldset', { class: 'params', testid: 'flows-ports' },
      h('legend', null, 'Server ports'),
      h('small', { class: 'help' }, `The client/server rule treats a host using a server port as the server, and names applications by it. ${Object.keys(v.builtin_ports || {}).length} ports are built in; add your own with a name, or take a built-in one off the list with an empty name.`),
      d.ports.length
        ? h('div', { class: 'table-wrap' }, h('table', { class: 'table settings-table retention-table', testid: 'flows-ports-table', 'aria-invalid': flowBad.has('ports') ? 'true' : null },
          h('thead', null, h('tr', null, ['Port', 'Name', 'Effect', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, portRows)))
        : h('p', { class: 'empty-note', testid: 'flows-ports-empty' }, 'No changes: the built-in list applies.'),
      portsPending ? h('small', { class: 'help', testid: 'flows-ports-pending' }, `Saved; takes effect when the server restarts (until then ${Object.keys(v.running.server_ports).length ? Object.entries(v.running.server_ports).map(([p, n]) => `${p} ${n || 'removed'}`).join(', ') : 'the built-in list alone'}).`) : null,
      h('div', null, h('button', {
        type: 'button', testid: 'flows-port-add',
        onclick: () => {
          d.ports.push({ port: '', name: '' });
          renderFlows();
          marks();
          flowBox.querySelector(`[data-testid="flows-port-${d.ports.length - 1}-port"]`)?.focus();
        },
      }, 'Add server port')));

    const listeners = h('fieldset', { class: 'params', testid: 'flows-listeners' },
      h('legend', null, 'Listeners'),
      h('div', { class: 'row3' }, FLOW_LISTENERS.map(([k, label, def]) => field(`flows-listener-${k}`, label,
        flowInput('input', `flows-listener-${k}`, d.listeners, k, `listener:${k}`, { placeholder: def }),
        listenerNote(k)))),
      h('small', { class: 'help' }, 'UDP addresses like :2055 (every address), 127.0.0.1:2055 or [::1]:2055, or off. IPFIX over TCP uses the NetFlow port too. Changes take effect when the server restarts.'));

    fill(flowBox, notices,
      h('fieldset', { class: 'params', testid: 'flows-store' },
        h('legend', null, 'Inside networks and storage'),
        h('div', { class: 'row3' },
          h('div', { class: 'span2' }, field('flows-inside', 'Inside networks', inside,
            'The networks whose hosts are yours, one per line (10.0.0.0/8, 192.0.2.7, 2001:db8::/32): “Inside hosts only” on the Flows page ranks only these. Empty: every host counts as inside.')),
          h('div', { class: 'type-fields' },
            h('div', { class: 'field' }, h('label', { for: 'flows-max-bytes' }, 'Database size cap'), cap, capHint, flowUsage),
            field('flows-max-age', 'Keep flows for', age, 'e.g. 30d, 12w or 1y; 0 keeps them as long as the cap allows. Whole days are dropped.'))),
        h('datalist', { id: 'flows-age-hints' }, AGE_HINTS.map((x) => h('option', { value: x })))),
      listeners,
      ports);
    cap.id = 'flows-max-bytes';
  }

  load();
  loadIncidents();
  loadRetention();
  loadFlows();
  incidentsTimer = setInterval(loadIncidents, INCIDENTS_MS);

  return {
    destroy() {
      destroyed = true;
      clearInterval(incidentsTimer);
      window.removeEventListener('beforeunload', onBeforeUnload);
      if (notifDirty()) kept = draft;
      if (retDirty()) keptRetention = retDraft;
      if (flowDirty()) keptFlows = flowDraft;
      const dlg = document.getElementById('dialog');
      if (dlg.open) dlg.close();
    },
  };
}
