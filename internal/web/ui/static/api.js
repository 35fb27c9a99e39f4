// The HTTP API client: session cookie plus the CSRF token on every change.

let csrfToken = '';
let onUnauthorized = () => {};

export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// setUnauthorizedHandler registers what happens when the session ends.
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

const enc = encodeURIComponent;

// request sends one API call and returns the decoded JSON (null for 204).
// Errors become APIError with the server's {"error": reason} text. The
// body is sent as JSON, or as it is when contentType is given.
export async function request(method, path, body, contentType) {
  const headers = {
    Accept: 'application/json',
    // Tells the server this is the UI, so a 401 never pops up the
    // browser's Basic-auth prompt.
    'X-Requested-With': 'vantage-ui',
  };
  const opts = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = contentType || 'application/json';
    opts.body = contentType ? body : JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let resp;
  try {
    resp = await fetch(path, opts);
  } catch (err) {
    throw new APIError(0, `cannot reach the server (${err.message})`);
  }
  const text = await resp.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!resp.ok) {
    const reason = (data && data.error) || `${resp.status} ${resp.statusText}`;
    if (resp.status === 401 && !path.startsWith('/api/v1/session')) onUnauthorized();
    throw new APIError(resp.status, reason);
  }
  return data;
}

const get = (p) => request('GET', p);

// Session. The last one read is kept for me().
let current = null;
export async function login(user, password) {
  const s = await request('POST', '/api/v1/session', { user, password });
  csrfToken = s.csrf_token;
  current = s;
  return s;
}
export async function session() {
  const s = await get('/api/v1/session');
  csrfToken = s.csrf_token;
  current = s;
  return s;
}
export async function logout() {
  try {
    await request('DELETE', '/api/v1/session');
  } finally {
    csrfToken = '';
    current = null;
  }
}

// me is the signed-in user as the session told ({user, groups, admin}),
// or null, so pages offer only what the user may do (the server checks
// anyway).
export const me = () => current;

// Maps and their items.
export const maps = () => get('/api/v1/maps');
export const map = (name) => get(`/api/v1/maps/${enc(name)}`);
export const createMap = (name) => request('POST', '/api/v1/maps', { name });
export const putMap = (name, body) => request('PUT', `/api/v1/maps/${enc(name)}`, body);
export const deleteMap = (name) => request('DELETE', `/api/v1/maps/${enc(name)}`);

export const createDevice = (m, d) => request('POST', `/api/v1/maps/${enc(m)}/devices`, d);
export const putDevice = (m, old, d) => request('PUT', `/api/v1/maps/${enc(m)}/devices/${enc(old)}`, d);
export const deleteDevice = (m, d) => request('DELETE', `/api/v1/maps/${enc(m)}/devices/${enc(d)}`);

export const createNetwork = (m, n) => request('POST', `/api/v1/maps/${enc(m)}/networks`, n);
export const putNetwork = (m, old, n) => request('PUT', `/api/v1/maps/${enc(m)}/networks/${enc(old)}`, n);
export const deleteNetwork = (m, n) => request('DELETE', `/api/v1/maps/${enc(m)}/networks/${enc(n)}`);

// createLink takes {from, to, label, from_interface, to_interface}; empty
// optional fields are left out.
export const createLink = (m, link) => request('POST', `/api/v1/maps/${enc(m)}/links`, linkBody(link));
export const deleteLink = (m, from, to) =>
  request('DELETE', `/api/v1/maps/${enc(m)}/links?from=${enc(from)}&to=${enc(to)}`);

export const device = (id) => get(`/api/v1/devices/${enc(id)}`);
export const pollNow = (id) => request('POST', `/api/v1/devices/${enc(id)}/poll`);
export const mapDevices = (m) => get(`/api/v1/maps/${enc(m)}/devices`);
export const notifiers = () => get('/api/v1/notifiers');
export const testNotifier = (name) => request('POST', `/api/v1/notifiers/${enc(name)}/test`);
// Notification settings: {notifiers, rules}, replaced together. Secrets
// come back as "(secret)"; sent back, they keep the stored value.
export const notifications = () => get('/api/v1/notifications');
export const saveNotifications = (body) => request('PUT', '/api/v1/notifications', body);
// testNotifierConfig sends a test through unsaved notifier settings.
export const testNotifierConfig = (cfg) => request('POST', '/api/v1/notifiers/test', cfg);
export const incidents = () => get('/api/v1/incidents');
// Map-wide maintenance: body {comment, until: RFC 3339 or "2h", "" for until removed}.
export const startMapMaintenance = (m, body) => request('POST', `/api/v1/maps/${enc(m)}/maintenance`, body);
export const endMapMaintenance = (m) => request('DELETE', `/api/v1/maps/${enc(m)}/maintenance`);
export const acknowledge = (id, body) => request('POST', `/api/v1/devices/${enc(id)}/acknowledge`, body);
export const unacknowledge = (id) => request('DELETE', `/api/v1/devices/${enc(id)}/acknowledge`);

// Strip charts. A series is "map~device/dataset" (a device ID, a slash and
// the dataset's name); from and to are RFC 3339, Unix seconds or a
// duration back from now ("24h"); format=csv gives CSV.
export const datasets = (id) => get(`/api/v1/devices/${enc(id)}/datasets`);
export function chartsURL(series, q = {}) {
  const p = new URLSearchParams();
  for (const s of series) p.append('series', s);
  for (const k of ['from', 'to', 'points', 'format']) if (q[k] !== '' && q[k] !== undefined && q[k] !== null) p.set(k, q[k]);
  return '/api/v1/charts?' + p;
}
export const charts = (series, q) => get(chartsURL(series, q));
// Retention of chart data: {raw, five_minutes, hour, day, rules}.
export const retention = () => get('/api/v1/retention');
export const saveRetention = (body) => request('PUT', '/api/v1/retention', body);

// Everything else.
export const probes = () => get('/api/v1/probes');
export const server = () => get('/api/v1/server');

// The probe builder. walk takes {device | address+snmp, oid, limit};
// previewProbe {text, device | address+snmp, params}; saveProbeFile writes
// DIR/probes/<name> (a plain *.txt name) and the server reloads its probes.
export const walk = (body) => request('POST', '/api/v1/tools/walk', body);
export const previewProbe = (body) => request('POST', '/api/v1/probes/preview', body);
export const saveProbeFile = (name, text) => request('PUT', `/api/v1/probes/files/${enc(name)}`, text, 'text/plain; charset=utf-8');

// events takes {since, until, limit, map, device, kind}; empty values are
// left out.
export function events(q = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== '' && v !== undefined && v !== null) p.set(k, v);
  const qs = p.toString();
  return get('/api/v1/events' + (qs ? '?' + qs : ''));
}

// traps takes {since, limit, map, device, unmatched}: recent SNMP traps.
export function traps(q = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== '' && v !== undefined && v !== null) p.set(k, v);
  const qs = p.toString();
  return get('/api/v1/traps' + (qs ? '?' + qs : ''));
}

// Fields of GET /maps/{map} devices that the server computes; everything
// else is the map file's and goes back on PUT. The API refuses unknown
// fields, so a field added to the view but not listed here fails loudly
// instead of being dropped silently.
const VIEW_FIELDS = new Set([
  'id', 'map', 'status', 'reason', 'since', 'last_poll', 'values', 'rtt_ms', 'misses', 'polls', 'failures',
  'shared', 'warnings', 'acknowledged', 'maintenance', 'unreachable', 'shadowed', 'ack', 'behind',
]);

// deviceBody returns the map-file part of a device view.
export function deviceBody(d) {
  const out = {};
  for (const [k, v] of Object.entries(d)) if (!VIEW_FIELDS.has(k)) out[k] = v;
  return out;
}

// networkBody returns the map-file part of a network.
export function networkBody(n) {
  return { ...n };
}

// linkBody returns the map-file part of a link: from, to and the optional
// label and interfaces when set.
export function linkBody(l) {
  const out = { from: l.from, to: l.to };
  for (const k of ['label', 'from_interface', 'to_interface']) if (l[k]) out[k] = l[k];
  return out;
}

// mapBody rebuilds a map file from GET /maps/{map}: explicit links only.
// SNMP secrets come back as "<secret>", which the server keeps as stored.
export function mapBody(m) {
  const out = {
    name: m.name,
    vantage: m.vantage || '',
    devices: m.devices.map(deviceBody),
    networks: m.networks.map(networkBody),
    links: m.links.filter((l) => !l.auto).map(linkBody),
  };
  if (m.snmp) out.snmp = { ...m.snmp };
  return out;
}

// Flows. q holds from, to (RFC 3339, Unix seconds or "1h"), by, metric,
// limit, buckets and the filters (exporter, interface, dir, host, subnet,
// port, proto, inside); empty values are left out. 501: flows are not
// collected by this server.
function flowQuery(q = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== '' && v !== undefined && v !== null && v !== false) p.set(k, v);
  const qs = p.toString();
  return qs ? '?' + qs : '';
}
export const flowExporters = () => get('/api/v1/flows/exporters');
export const flowTop = (q) => get('/api/v1/flows/top' + flowQuery(q));
export const flowChart = (q) => get('/api/v1/flows/chart' + flowQuery(q));
export const flowAbout = () => get('/api/v1/flows/about');

// Discovery: body {cidrs, communities, ports, …} → {id}; the job's
// progress and outcome by its id.
export const startDiscovery = (m, body) => request('POST', `/api/v1/maps/${enc(m)}/discover`, body);
export const discoveryJob = (id) => get(`/api/v1/discover/${enc(id)}`);

// Users, groups, access grants and API tokens.
export const users = () => get('/api/v1/users');
export const createUser = (body) => request('POST', '/api/v1/users', body);
export const putUser = (name, body) => request('PUT', `/api/v1/users/${enc(name)}`, body);
export const deleteUser = (name) => request('DELETE', `/api/v1/users/${enc(name)}`);
export const groups = () => get('/api/v1/groups');
export const createGroup = (body) => request('POST', '/api/v1/groups', body);
export const deleteGroup = (name) => request('DELETE', `/api/v1/groups/${enc(name)}`);
export const mapAccess = (m) => get(`/api/v1/maps/${enc(m)}/access`);
export const setMapAccess = (m, grants) => request('PUT', `/api/v1/maps/${enc(m)}/access`, grants);
export const tokens = () => get('/api/v1/tokens');
export const createToken = (label) => request('POST', '/api/v1/tokens', { label });
export const revokeToken = (id) => request('DELETE', `/api/v1/tokens/${enc(id)}`);

// Flow settings: {inside, max_bytes, max_age, server_ports, listeners} as
// saved, beside running, pending, flags and notices (a PUT answers the same).
export const flowSettings = () => get('/api/v1/flows/settings');
export const saveFlowSettings = (body) => request('PUT', '/api/v1/flows/settings', body);
