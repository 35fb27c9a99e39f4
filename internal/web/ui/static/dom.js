// Small DOM and formatting helpers shared by the views.

// h builds an HTML element: h('button', {class: 'x', onclick: fn}, 'text', child…).
// Attributes named on* become event listeners; dataset and testid are
// shorthands; null/false values are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

// The SVG namespace is an XML identifier, never fetched (ui_test.go allows it).
export const SVG_NS = 'http://www.w3.org/2000/svg';

// s builds an SVG element like h.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'testid') {
      el.setAttribute('data-testid', v);
    } else if (k === 'dataset') {
      for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = dv;
    } else if (k === 'text') {
      el.textContent = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// clear empties an element.
export function clear(el) {
  el.replaceChildren();
  return el;
}

// fill replaces an element's children, skipping null/false and flattening
// arrays like h does.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// Status levels, worst first, with their labels.
export const LEVELS = ['down', 'critical', 'alarm', 'warning', 'ok', 'unknown'];
export const LEVEL_LABEL = {
  down: 'Down', critical: 'Critical', alarm: 'Alarm', warning: 'Warning', ok: 'OK', unknown: 'Unknown',
};

export function levelLabel(status) {
  return LEVEL_LABEL[status] || status || 'Unknown';
}

// statusBadge is a coloured pill for a status string.
export function statusBadge(status, testid) {
  return h('span', { class: 'badge', 'data-status': status || 'unknown', testid }, levelLabel(status));
}

// duration formats milliseconds as "45 s", "3 min", "2 h 5 min", "4 d 3 h".
export function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  const sec = Math.floor(ms / 1000);
  if (sec < 60) return `${sec} s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min} min`;
  const hr = Math.floor(min / 60);
  if (hr < 48) return `${hr} h ${min % 60} min`;
  return `${Math.floor(hr / 24)} d ${hr % 24} h`;
}

// since formats an RFC 3339 time as a duration until now.
export function ago(iso) {
  if (!iso) return '';
  return duration(Date.now() - Date.parse(iso));
}

const pad = (n) => String(n).padStart(2, '0');

// when formats an RFC 3339 time in local time as 2006-01-02 15:04:05.
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// formatValue renders a probe value for a table cell.
export function formatValue(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/\.?0+$/, '');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// toast shows a short message; kind is 'info', 'ok' or 'error'.
export function toast(message, kind = 'info', ms = 5000) {
  const box = document.getElementById('toasts');
  const t = h('div', { class: `toast toast-${kind}`, testid: `toast-${kind}` }, message);
  box.append(t);
  setTimeout(() => t.remove(), ms);
}

// confirmDialog asks a yes/no question; resolves true on OK.
export function confirmDialog(title, text, okLabel = 'Delete') {
  const dlg = document.getElementById('confirm');
  dlg.querySelector('#confirm-title').textContent = title;
  dlg.querySelector('#confirm-text').textContent = text;
  dlg.querySelector('#confirm-ok').textContent = okLabel;
  dlg.returnValue = '';
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
    dlg.showModal();
    dlg.querySelector('#confirm-ok').focus();
  });
}

// debounce delays fn until calls stop for ms.
export function debounce(fn, ms) {
  let t = 0;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

// deviceID is the server's identifier of a device (netmap.DeviceID): the
// map and device names, each percent-encoded but for letters, digits and
// "-._", joined by "~".
export function deviceID(mapName, device) {
  const esc = (v) => Array.from(new TextEncoder().encode(v), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9._-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  return `${esc(mapName)}~${esc(device)}`;
}

// parseDeviceID splits a device ID into its map and device names.
export function parseDeviceID(id) {
  const i = id.indexOf('~');
  const dec = (v) => {
    try {
      return decodeURIComponent(v);
    } catch {
      return v;
    }
  };
  return { map: dec(id.slice(0, i)), device: dec(id.slice(i + 1)) };
}
