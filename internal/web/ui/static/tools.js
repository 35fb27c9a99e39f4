// The troubleshooting tools of a device: ping and traceroute run on the
// server (POST /api/v1/tools/ping, /api/v1/tools/traceroute) and their
// output streams into a dialog line by line, in the format of the
// command-line tools (Linux ping with min/avg/max/mdev, classic
// traceroute).
//
// openTool('ping', {device: 'map~device'}) or
// openTool('traceroute', {address: '192.0.2.1'}, {mode: 'icmp'}).

import * as api from './api.js';
import { h } from './dom.js';

// streamTool posts a tool request and calls onLine with every output line
// as it arrives. It throws with the server's reason when the run is
// refused (bad target, too many runs, tools unavailable).
export async function streamTool(tool, body, signal, onLine) {
  // The CSRF token of the session: api.js keeps it private.
  const { csrf_token: token } = await api.session();
  const resp = await fetch(`/api/v1/tools/${tool}`, {
    method: 'POST',
    credentials: 'same-origin',
    cache: 'no-store',
    signal,
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'vantage-ui', 'X-CSRF-Token': token },
    body: JSON.stringify(body),
  });
  if (!resp.ok) {
    let reason = `${resp.status} ${resp.statusText}`;
    try {
      reason = (await resp.json()).error || reason;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new Error(reason);
  }
  const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  }
  if (buf) onLine(buf);
}

const TITLE = { ping: 'Ping', traceroute: 'Traceroute' };

// openTool opens the dialog of a tool against target ({device} or
// {address}) and starts it; label names the target in the title.
export function openTool(tool, target, opts = {}, label = target.device || target.address) {
  let ctrl = null;
  const out = h('pre', { class: 'tool-output', testid: 'tool-output', 'aria-live': 'polite',
    style: 'min-height:12em;max-height:60vh;overflow:auto;background:#0f172a;color:#e2e8f0;padding:.75em;border-radius:6px;font-size:13px;white-space:pre-wrap' });
  const state = h('span', { class: 'muted', testid: 'tool-state' });
  const count = h('input', { type: 'number', min: 1, max: 50, value: opts.count || 5, 'aria-label': 'Echo requests', style: 'width:5em' });
  const mode = h('select', { 'aria-label': 'Probe type' },
    h('option', { value: 'udp', selected: opts.mode !== 'icmp' }, 'UDP'),
    h('option', { value: 'icmp', selected: opts.mode === 'icmp' }, 'ICMP echo'));
  const numeric = h('input', { type: 'checkbox', checked: !!opts.numeric });
  const options = tool === 'ping'
    ? h('label', null, 'Count ', count)
    : h('span', null, h('label', null, 'Probes ', mode), ' ', h('label', null, numeric, ' No DNS names (-n)'));
  const runBtn = h('button', { type: 'button', class: 'primary', testid: 'tool-run', onclick: run }, 'Run again');
  const stopBtn = h('button', { type: 'button', testid: 'tool-stop', onclick: () => ctrl && ctrl.abort() }, 'Stop');
  const dlg = h('dialog', { class: 'tool-dialog', testid: `tool-${tool}`, style: 'width:min(760px,95vw)' },
    h('h2', null, `${TITLE[tool] || tool} ${label}`),
    h('div', { class: 'tool-options', style: 'display:flex;gap:1em;align-items:center;margin-bottom:.5em' }, options),
    out,
    h('div', { class: 'dialog-buttons', style: 'display:flex;gap:.5em;align-items:center;margin-top:.5em' },
      state, h('span', { style: 'flex:1' }), runBtn, stopBtn,
      h('button', { type: 'button', testid: 'tool-close', onclick: () => dlg.close() }, 'Close')));
  dlg.addEventListener('close', () => {
    if (ctrl) ctrl.abort();
    dlg.remove();
  });
  document.body.append(dlg);
  dlg.showModal();
  run();

  async function run() {
    if (ctrl) ctrl.abort();
    const mine = new AbortController();
    ctrl = mine;
    out.textContent = '';
    state.textContent = 'Running on the server…';
    runBtn.disabled = true;
    stopBtn.disabled = false;
    const body = tool === 'ping'
      ? { ...target, count: Number(count.value) || 5 }
      : { ...target, mode: mode.value, numeric: numeric.checked };
    try {
      await streamTool(tool, body, mine.signal, (line) => {
        out.textContent += `${line}\n`;
        out.scrollTop = out.scrollHeight;
      });
      if (ctrl === mine) state.textContent = 'Done.';
    } catch (err) {
      if (ctrl === mine) state.textContent = mine.signal.aborted ? 'Stopped.' : `Failed: ${err.message}`;
    } finally {
      if (ctrl === mine) {
        runBtn.disabled = false;
        stopBtn.disabled = true;
      }
    }
  }
  return dlg;
}
