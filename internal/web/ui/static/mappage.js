// The map page: toolbar, SVG canvas, status window, live updates, editing.

import * as api from './api.js';
import * as stream from './stream.js';
import { h, s, clear, fill, statusBadge, LEVELS, levelLabel, toast, confirmDialog, when } from './dom.js';
import { MapCanvas } from './map.js';
import { StatusPanel, drillLink } from './panel.js';
import { deviceDialog, networkDialog, linkDialog, openDialog, field } from './forms.js';
import { isSNMPDevice } from './snmp.js';
import { treeLayout } from './layout.js';

const EDIT_KEY = 'vantage.editMode';
// The phases of a discovery scan (internal/discover).
const PHASES = {
  ping: 'Ping sweep', snmp: 'Asking SNMP agents', tcp: 'Checking TCP ports', 'snmp-tables': 'Reading interfaces and neighbours',
  names: 'Looking up names', done: 'Done',
};

// params: ?wall=1 opens the map in wall-display mode (for kiosk browsers);
// ?device=ID (map~device) opens that device's status window.
export function mapPage(view, name, params = new URLSearchParams()) {
  let data = null;
  let loading = null;
  let reloadAgain = false;
  let headerFrame = 0;
  let messageTimer = 0;
  let wantDevice = params.get('device') || '';
  const subs = [];

  // ---- toolbar ------------------------------------------------------
  const btn = (testid, label, onclick, attrs = {}) => h('button', { type: 'button', testid, onclick, ...attrs }, label);
  const title = h('h1', { testid: 'map-title' }, name);
  const mapStatus = h('span', { testid: 'map-status' });
  const counts = h('span', { class: 'counts', testid: 'map-counts' });
  const maintBtn = btn('map-maintenance', 'Maintenance…', maintenanceDialog, { 'aria-pressed': 'false', class: 'toggle', title: 'Silence the notifications of every device on this map' });
  const discoverBtn = btn('discover', 'Discover…', discoverDialog, { title: 'Scan subnets and add the devices that answer to this map' });
  const editBtn = btn('edit-mode', 'Edit map', () => setEdit(!canvas.editMode), { 'aria-pressed': 'false', class: 'toggle' });
  const linkBtn = btn('link-mode', 'Draw link', () => setLink(!canvas.linkMode), { 'aria-pressed': 'false', class: 'toggle', title: 'Click one item, then another, to link them' });
  const editTools = h('div', { class: 'tool-group edit-tools', role: 'group', 'aria-label': 'Editing', hidden: true },
    btn('add-device', 'Add device', addDevice),
    btn('add-network', 'Add network', addNetwork),
    linkBtn,
    btn('auto-layout', 'Auto layout', autoLayout, { title: 'Arrange items as a tree from the vantage point and save their positions' }),
    btn('delete-map', 'Delete map', deleteMap, { class: 'danger-text' }));
  const zoomLabel = h('span', { class: 'zoom-label', testid: 'zoom-level', 'aria-live': 'off' }, '100%');
  const toolbar = h('div', { class: 'toolbar' },
    h('div', { class: 'toolbar-title' }, h('a', { href: '#/maps', class: 'crumb' }, 'Maps'), h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '/'), title, mapStatus, counts),
    editTools,
    h('div', { class: 'spacer' }),
    discoverBtn,
    h('a', { class: 'button-link', href: `#/world/${encodeURIComponent(name)}`, testid: 'map-world', title: 'The devices on a latitude/longitude grid (and the KML for Google Earth)' }, 'World'),
    maintBtn,
    editBtn,
    h('div', { class: 'tool-group', role: 'group', 'aria-label': 'Zoom' },
      btn('zoom-out', '−', () => canvas.zoomBy(0.8), { 'aria-label': 'Zoom out', class: 'icon-btn' }),
      zoomLabel,
      btn('zoom-in', '+', () => canvas.zoomBy(1.25), { 'aria-label': 'Zoom in', class: 'icon-btn' }),
      btn('zoom-fit', 'Fit', () => canvas.fit(), { title: 'Show the whole map' })),
    btn('fullscreen', 'Full screen', toggleWall, { title: 'Full-screen wall display (Esc leaves)' }));

  const hint = h('div', { class: 'map-hint', testid: 'map-hint', hidden: true });
  const empty = h('div', { class: 'map-empty', testid: 'map-empty', hidden: true },
    h('p', null, h('strong', null, 'This map is empty.'), ' Add the devices to watch and the networks they sit on.'),
    h('div', { class: 'map-empty-buttons' },
      h('button', { type: 'button', class: 'primary', onclick: () => { setEdit(true); addDevice(); } }, 'Add device'),
      h('button', { type: 'button', onclick: () => { setEdit(true); addNetwork(); } }, 'Add network')));
  const canvasBox = h('div', { class: 'map-canvas' });
  const message = h('div', { class: 'map-message', role: 'alert', testid: 'map-message', hidden: true });
  const panelEl = h('aside', { class: 'panel', testid: 'status-panel', 'aria-label': 'Status window', hidden: true });
  const wallTitle = h('div', { class: 'wall-title' });
  const wallClock = h('div', { class: 'wall-clock' });
  const wallBar = h('div', { class: 'wall-bar' }, wallTitle, wallClock,
    h('button', { type: 'button', class: 'ghost', testid: 'exit-fullscreen', onclick: () => leaveWall() }, 'Exit full screen'));
  const legend = h('div', { class: 'legend', 'aria-label': 'Status colours' },
    LEVELS.map((l) => h('span', { class: 'legend-item' }, h('span', { class: 'swatch', 'data-status': l }), levelLabel(l))));
  const area = h('div', { class: 'map-area' }, canvasBox, hint, empty, message, legend, panelEl, wallBar);
  const maintBanner = h('div', { class: 'map-banner', role: 'status', testid: 'map-maint-banner', hidden: true });
  const page = h('section', { class: 'map-page', testid: 'map-page' }, toolbar, maintBanner, area);
  fill(view, page);

  const canvas = new MapCanvas(canvasBox, {
    onSelect: (sel) => panel.show(sel, data),
    onMove: moveItem,
    onLink: drawLink,
    onDelete: (sel) => removeSelection(sel),
    onViewChange: (v) => { zoomLabel.textContent = `${Math.round(v.k * 100)}%`; },
  });
  const panel = new StatusPanel(panelEl, name, {
    edit: editSelection,
    remove: removeSelection,
    setVantage,
    close: () => canvas.select(null),
  });

  // ---- data and live updates ------------------------------------------
  // applyAccess shows only the controls the user's access to the map
  // allows (the server refuses the rest anyway): editing, discovery and
  // map maintenance need write.
  const canWrite = (level) => level === 'write' || level === 'admin';
  function applyAccess(level) {
    const writer = canWrite(level);
    for (const el of [editBtn, discoverBtn, maintBtn, ...empty.querySelectorAll('button')]) el.hidden = !writer;
    page.classList.toggle('read-only', !writer);
    if (!writer && canvas.editMode) setEdit(false);
  }

  async function load() {
    if (loading) {
      reloadAgain = true;
      return loading;
    }
    loading = (async () => {
      try {
        const d = await api.map(name);
        data = d;
        applyAccess(d.access);
        canvas.setData(d);
        updateHeader();
        updateHint();
        empty.hidden = d.devices.length + d.networks.length > 0;
        if (wantDevice) {
          const dev = d.devices.find((x) => x.id === wantDevice || x.name === wantDevice);
          wantDevice = '';
          if (dev) canvas.select({ kind: 'device', name: dev.name }, true);
        }
        if (canvas.selection) panel.show(canvas.selection, data, false);
        else panel.close();
      } catch (err) {
        if (err.status === 404) {
          fill(view, h('section', { class: 'page' }, h('h1', null, 'Map not found'),
            h('p', null, `There is no map named “${name}”. `, h('a', { href: '#/maps' }, 'Back to the map list'))));
        } else if (err.status !== 401) {
          showMessage(`Cannot load the map: ${err.message}`, 'error');
        }
      }
    })();
    await loading;
    loading = null;
    if (reloadAgain) {
      reloadAgain = false;
      await load();
    }
  }

  // Double-clicking a Map Status device follows its drill-down link.
  canvasBox.addEventListener('dblclick', (e) => {
    if (canvas.editMode || !data) return;
    // The canvas captures the pointer, so the event's target is the SVG:
    // the device is the one under the pointer.
    const under = document.elementFromPoint(e.clientX, e.clientY);
    const g = under && under.closest('.item.device');
    const d = g && data.devices.find((x) => x.name === g.dataset.name);
    const url = d && d.values && typeof d.values.map_url === 'string' ? d.values.map_url : '';
    if (!url) return;
    e.preventDefault();
    if (url.startsWith('#')) location.hash = url;
    else drillLink(url, {}, '').click();
  });

  subs.push(stream.on('status', (delta) => {
    if (!data || delta.map !== name) return;
    const d = canvas.updateStatus(delta);
    if (!d) return;
    scheduleHeader();
    const sel = canvas.selection;
    if (sel && ((sel.kind === 'device' && sel.name === d.name) || (sel.kind === 'link' && (sel.from === d.name || sel.to === d.name)))) panel.refresh();
  }));
  subs.push(stream.on('map', (ev) => {
    if (ev.map !== name) return;
    if (ev.action === 'deleted') {
      toast(`Map “${name}” was deleted.`, 'info');
      location.hash = '#/maps';
      return;
    }
    load();
  }));
  subs.push(stream.on('log', (e) => panel.addEvent(e)));
  subs.push(stream.on('resync', () => load()));

  function scheduleHeader() {
    if (headerFrame) return;
    headerFrame = requestAnimationFrame(() => {
      headerFrame = 0;
      updateHeader();
    });
  }

  function worst(devices) {
    for (const l of LEVELS) if (devices.some((d) => d.status === l)) return l;
    return 'unknown';
  }

  function updateHeader() {
    if (!data) return;
    updateMaintenance();
    const by = {};
    for (const d of data.devices) by[d.status] = (by[d.status] || 0) + 1;
    const w = data.devices.length ? worst(data.devices) : 'unknown';
    fill(mapStatus, statusBadge(w));
    mapStatus.dataset.status = w;
    fill(counts,
      h('span', { class: 'count-total' }, `${data.devices.length} device${data.devices.length === 1 ? '' : 's'}`),
      LEVELS.filter((l) => by[l]).map((l) => h('span', { class: 'chip', 'data-status': l, title: levelLabel(l) }, `${by[l]} ${levelLabel(l).toLowerCase()}`)));
    wallTitle.replaceChildren(h('strong', null, name), ' ', counts.cloneNode(true));
    document.title = `${name} — Vantage`;
  }

  let hintDismissed = false;
  function updateHint() {
    const n = canvas.unplaced;
    hint.hidden = n === 0 || hintDismissed;
    if (hint.hidden) return;
    fill(hint, h('span', null, `${n} item${n === 1 ? ' has' : 's have'} no saved position and ${n === 1 ? 'is' : 'are'} shown at a suggested place.`),
      canvas.editMode ? h('button', { type: 'button', class: 'link-btn', testid: 'hint-auto-layout', onclick: autoLayout }, 'Auto layout and save') : ' Edit the map to arrange and save them.',
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Dismiss', onclick: () => { hintDismissed = true; hint.hidden = true; } }, '×'));
  }

  function showMessage(text, kind = 'error') {
    clearTimeout(messageTimer);
    message.className = `map-message map-message-${kind}`;
    fill(message, h('span', null, text),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Dismiss', onclick: () => { message.hidden = true; } }, '×'));
    message.hidden = false;
    messageTimer = setTimeout(() => { message.hidden = true; }, 10000);
  }

  // ---- map-wide maintenance ---------------------------------------------
  // A map's window shows on its devices as their ack with an empty device
  // name (unless a device's own ack hides it). When no device tells (an
  // empty map, or every device acknowledged on its own), the answer of
  // this page's last start or end is what is known.
  let maintKnown = null;

  function mapWindow() {
    let w = maintKnown;
    if (data) {
      const shown = data.devices.find((d) => d.ack && d.ack.device === '');
      if (shown) w = shown.ack;
      else if (data.devices.some((d) => !d.ack)) w = null;
    }
    if (w && w.until && Date.parse(w.until) <= Date.now()) w = null;
    return w;
  }

  function updateMaintenance() {
    const w = mapWindow();
    maintKnown = w;
    maintBtn.setAttribute('aria-pressed', String(!!w));
    maintBtn.textContent = w ? 'In maintenance…' : 'Maintenance…';
    maintBanner.hidden = !w;
    page.classList.toggle('in-maintenance', !!w);
    if (!w) {
      maintBanner.replaceChildren();
      return;
    }
    const key = JSON.stringify([w, data && data.access]);
    if (maintBanner.dataset.key === key) return;
    maintBanner.dataset.key = key;
    fill(maintBanner,
      s('svg', { class: 'banner-icon', viewBox: '0 0 16 16', 'aria-hidden': 'true' }, s('use', { href: '#i-wrench' })),
      h('span', { testid: 'map-maint-text' },
        h('strong', null, 'Map in maintenance'), ` by ${w.user || 'someone'} `,
        w.until ? `until ${when(w.until)}` : 'until it is ended',
        w.comment ? `: ${w.comment}` : ''),
      h('span', { class: 'muted' }, ' — notifications for its devices are silenced.'),
      canWrite(data && data.access) ? h('button', { type: 'button', testid: 'map-maint-end', onclick: endMaintenance }, 'End maintenance') : null);
  }

  async function maintenanceDialog() {
    const current = mapWindow();
    const fields = () => [
      h('p', { class: 'help' }, 'Every device of the map, including devices added meanwhile, is drawn with a wrench and sends no notifications.'),
      field('maint-comment', 'Comment', h('input', { testid: 'maint-comment', value: current ? current.comment || '' : '', placeholder: 'e.g. rack move', autocomplete: 'off' })),
      field('maint-until', 'Until', h('select', { testid: 'maint-until' },
        [['1h', 'for 1 hour'], ['4h', 'for 4 hours'], ['24h', 'for 24 hours'], ['168h', 'for a week'], ['', 'until ended']]
          .map(([v, t]) => h('option', { value: v }, t)))),
    ];
    const saved = await openDialog(current ? `Change the maintenance of ${name}` : `Put ${name} in maintenance`, 'maint', fields,
      current ? 'Save' : 'Start maintenance', async (form) => api.startMapMaintenance(name, {
        comment: form.querySelector('#maint-comment').value.trim(),
        until: form.querySelector('#maint-until').value,
      }));
    if (!saved) return;
    maintKnown = saved;
    toast(`${name} is in maintenance.`, 'ok', 3000);
    updateMaintenance();
    await load();
  }

  async function endMaintenance(e) {
    if (e && e.target) e.target.disabled = true;
    try {
      await api.endMapMaintenance(name);
      maintKnown = null;
      // Until the reload lands, the devices still carry the old window.
      for (const d of data ? data.devices : []) if (d.ack && d.ack.device === '') { delete d.ack; d.maintenance = false; }
      toast(`Maintenance of ${name} ended.`, 'ok', 3000);
      updateMaintenance();
      await load();
    } catch (err) {
      showMessage(`Cannot end the maintenance: ${err.message}`);
      if (e && e.target) e.target.disabled = false;
    }
  }

  // ---- discovery ---------------------------------------------------------
  // The dialog scans the ranges given (never anything else), shows the
  // scan's progress, then what it added; the map reloads from the stream
  // and once more when the dialog closes.
  function discoverDialog() {
    const dlg = document.getElementById('dialog');
    clear(dlg);
    dlg.classList.remove('dialog-wide');
    let timer = 0;
    let closed = false;
    let started = false;
    const cidrs = h('textarea', { testid: 'discover-cidrs', rows: 2, required: true, placeholder: '192.0.2.0/24, 198.51.100.7', autocomplete: 'off', spellcheck: 'false' });
    const communities = h('input', { testid: 'discover-communities', placeholder: 'e.g. lab-ro, monitor', autocomplete: 'off', spellcheck: 'false' });
    const ports = h('input', { testid: 'discover-ports', placeholder: 'default: the common service ports', autocomplete: 'off', inputmode: 'numeric' });
    const silent = h('input', { type: 'checkbox', testid: 'discover-silent', id: 'discover-silent' });
    const error = h('p', { class: 'form-error', role: 'alert', testid: 'discover-error', hidden: true });
    const status = h('div', { class: 'discover-progress', testid: 'discover-progress', role: 'status', 'aria-live': 'polite', hidden: true });
    const startBtn = h('button', { type: 'submit', class: 'primary', testid: 'discover-submit' }, 'Start scan');
    const closeBtn = h('button', { type: 'button', testid: 'discover-close', onclick: () => dlg.close() }, 'Cancel');
    const fieldsBox = h('div', { class: 'form-body' },
      h('p', { class: 'help' }, 'Vantage pings every address of the ranges, asks SNMP agents with the default and listed communities, checks TCP service ports, and adds what answers to this map, grouped into networks and linked. Nothing outside the ranges is sent to.'),
      field('discover-cidrs', 'Address ranges', cidrs, 'CIDRs or single addresses, separated by commas, spaces or lines.'),
      field('discover-communities', 'SNMP communities', communities, 'Tried after the server’s default community; separated by commas.'),
      field('discover-ports', 'TCP ports', ports, 'Separated by commas; empty for the common ones (ssh, http, https …).'),
      h('div', { class: 'field field-check' }, h('label', { for: 'discover-silent' }, silent, ' Also probe addresses that do not answer ping')));
    const form = h('form', { class: 'form', testid: 'discover-form', novalidate: true },
      h('h2', null, `Discover devices for ${name}`),
      fieldsBox, status, error,
      h('div', { class: 'dialog-buttons' }, closeBtn, startBtn));
    dlg.append(form);
    dlg.addEventListener('close', () => {
      closed = true;
      clearTimeout(timer);
      clear(dlg);
      if (started) load();
    }, { once: true });

    const split = (v) => v.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.hidden = true;
      cidrs.removeAttribute('aria-invalid');
      ports.removeAttribute('aria-invalid');
      const body = { cidrs: split(cidrs.value) };
      const fail = (msg, input) => {
        error.textContent = msg;
        error.hidden = false;
        if (input) {
          input.setAttribute('aria-invalid', 'true');
          input.focus();
        }
      };
      if (!body.cidrs.length) return fail('Give at least one range to scan, e.g. 192.0.2.0/24.', cidrs);
      const comms = split(communities.value);
      if (comms.length) body.communities = comms;
      const portList = split(ports.value);
      if (portList.length) {
        const bad = portList.find((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535);
        if (bad) return fail(`Ports: “${bad}” is not a TCP port (1–65535).`, ports);
        body.ports = portList.map(Number);
      }
      if (silent.checked) body.probe_silent = true;
      startBtn.disabled = true;
      let job;
      try {
        job = await api.startDiscovery(name, body);
      } catch (err) {
        startBtn.disabled = false;
        const which = /^ports/.test(err.message) ? ports : /^cidrs/.test(err.message) ? cidrs : null;
        return fail(`The scan was refused: ${err.message}`, which);
      }
      started = true;
      fieldsBox.hidden = true;
      startBtn.hidden = true;
      closeBtn.textContent = 'Close';
      closeBtn.title = 'The scan goes on on the server; what it finds is added to the map';
      status.hidden = false;
      poll(job.id);
    });

    async function poll(id) {
      if (closed) return;
      let j;
      try {
        j = await api.discoveryJob(id);
      } catch (err) {
        fill(status, h('p', { class: 'form-error' }, `Cannot read the scan's progress: ${err.message}`));
        timer = setTimeout(() => poll(id), 3000);
        return;
      }
      if (closed) return;
      const p = j.progress || {};
      status.dataset.state = j.state;
      const pct = p.total ? Math.round((p.done / p.total) * 100) : 0;
      const running = j.state === 'running';
      fill(status,
        h('div', null, h('strong', { testid: 'discover-state' }, running ? 'Scanning…' : j.state === 'done' ? 'Finished.' : 'Failed.'),
          ' ', h('span', { class: 'muted', testid: 'discover-phase' }, running ? PHASES[p.phase] || p.phase || '' : '')),
        h('progress', { max: 100, value: j.state === 'done' ? 100 : pct, 'aria-label': 'Scan progress' }),
        h('div', { testid: 'discover-counts' },
          running && p.total ? `${p.done || 0} of ${p.total} · ` : '', `${p.found || 0} device${p.found === 1 ? '' : 's'} found`),
        j.error ? h('p', { class: 'form-error', testid: 'discover-failed' }, j.error) : null,
        j.state === 'done' ? discoverResult(j) : null);
      if (j.state === 'running') timer = setTimeout(() => poll(id), 1000);
      else {
        load();
        closeBtn.focus();
      }
    }

    dlg.showModal();
    cidrs.focus();
  }

  function discoverResult(j) {
    const c = j.changes || { added_devices: [], updated_devices: [], added_networks: [], added_links: 0 };
    const list = (title, items, testid) => (items && items.length
      ? [h('div', null, h('strong', null, `${title} (${items.length})`)), h('ul', { testid }, items.map((x) => h('li', null, x)))]
      : null);
    const nothing = !(c.added_devices || []).length && !(c.updated_devices || []).length && !(c.added_networks || []).length && !c.added_links;
    return h('div', { class: 'discover-result', testid: 'discover-result' },
      nothing ? h('p', { class: 'muted' }, 'Nothing new: no device answered, or all were on the map already.') : null,
      list('Devices added', c.added_devices, 'discover-added'),
      list('Devices updated', c.updated_devices, 'discover-updated'),
      list('Networks added', c.added_networks, 'discover-networks'),
      c.added_links ? h('p', null, `${c.added_links} link${c.added_links === 1 ? '' : 's'} added.`) : null);
  }

  // ---- modes -----------------------------------------------------------
  function setEdit(on) {
    canvas.setEditMode(on);
    editBtn.setAttribute('aria-pressed', String(on));
    editBtn.textContent = on ? 'Done editing' : 'Edit map';
    editTools.hidden = !on;
    page.classList.toggle('editing', on);
    sessionStorage.setItem(EDIT_KEY, on ? '1' : '');
    if (!on) setLink(false);
    updateHint();
  }

  function setLink(on) {
    canvas.setLinkMode(on);
    linkBtn.setAttribute('aria-pressed', String(on));
    if (on) showMessage('Link mode: click one item, then another. Esc cancels.', 'info');
    else if (!message.hidden && message.classList.contains('map-message-info')) message.hidden = true;
  }

  // ---- wall display ------------------------------------------------------
  function toggleWall() {
    if (document.body.classList.contains('wall')) leaveWall();
    else enterWall();
  }

  function enterWall(fullscreen = true) {
    document.body.classList.add('wall');
    const fs = fullscreen && page.requestFullscreen ? page.requestFullscreen() : null;
    if (fs && fs.catch) fs.catch(() => {}); // the CSS wall mode works without it
    tickClock();
    setTimeout(() => canvas.fit(), 150);
  }

  function leaveWall() {
    document.body.classList.remove('wall');
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    setTimeout(() => canvas.fit(), 150);
  }

  function onFullscreenChange() {
    if (!document.fullscreenElement && document.body.classList.contains('wall')) leaveWall();
  }

  function onKey(e) {
    if (e.key === 'Escape' && document.body.classList.contains('wall') && !document.fullscreenElement) leaveWall();
  }

  function tickClock() {
    wallClock.textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
  const clockTimer = setInterval(tickClock, 10000);
  document.addEventListener('fullscreenchange', onFullscreenChange);
  document.addEventListener('keydown', onKey);

  // ---- editing --------------------------------------------------------
  async function addDevice() {
    setLink(false);
    const d = await deviceDialog(name, null, canvas.freeSpot());
    if (d) {
      toast(`Added device ${d.name}.`, 'ok', 3000);
      await load();
    }
  }

  async function addNetwork() {
    setLink(false);
    const n = await networkDialog(name, null, canvas.freeSpot(200, 60));
    if (n) {
      toast(`Added network ${n.name}.`, 'ok', 3000);
      await load();
    }
  }

  async function moveItem(item, x, y) {
    try {
      if (item.kind === 'device') await api.putDevice(name, item.name, { ...api.deviceBody(item.obj), x, y });
      else await api.putNetwork(name, item.name, { ...api.networkBody(item.obj), x, y });
      item.obj.x = x;
      item.obj.y = y;
    } catch (err) {
      showMessage(`Cannot move ${item.name}: ${err.message}`);
      throw err;
    }
  }

  // drawLink links two items picked in link mode. When an end is an SNMP
  // device, a dialog offers the interfaces that carry the link; otherwise
  // the link is made at once and a refusal makes it jump back.
  async function drawLink(from, to) {
    const snmpEnd = data && [from, to].some((n) => isSNMPDevice(data.devices.find((d) => d.name === n)));
    if (snmpEnd) {
      const made = await linkDialog(name, data, from, to);
      if (!made) return false;
      const ifs = [made.from_interface, made.to_interface].filter(Boolean);
      showMessage(`Linked ${from} and ${to}${ifs.length ? ` (interface ${ifs.join(', ')})` : ''}.`, 'ok');
      await load();
      return true;
    }
    try {
      await api.createLink(name, { from, to });
      showMessage(`Linked ${from} and ${to}.`, 'ok');
      await load();
      return true;
    } catch (err) {
      showMessage(`Link refused: ${err.message}`, 'error');
      throw err;
    }
  }

  async function editLink(sel) {
    const l = data.links.find((x) => !x.auto && ((x.from === sel.from && x.to === sel.to) || (x.from === sel.to && x.to === sel.from)));
    if (!l) return;
    const saved = await linkDialog(name, data, l.from, l.to, l);
    if (saved) {
      toast(`Saved the link ${l.from} — ${l.to}.`, 'ok', 3000);
      canvas.selection = { kind: 'link', from: l.from, to: l.to };
      await load();
    }
  }

  async function editSelection(sel) {
    if (!sel || !data) return;
    if (sel.kind === 'link') {
      await editLink(sel);
    } else if (sel.kind === 'device') {
      const d = data.devices.find((x) => x.name === sel.name);
      const saved = d && await deviceDialog(name, d);
      if (saved) {
        toast(`Saved ${saved.name}.`, 'ok', 3000);
        canvas.selection = { kind: 'device', name: saved.name };
        await load();
      }
    } else if (sel.kind === 'network') {
      const n = data.networks.find((x) => x.name === sel.name);
      const saved = n && await networkDialog(name, n);
      if (saved) {
        toast(`Saved ${saved.name}.`, 'ok', 3000);
        canvas.selection = { kind: 'network', name: saved.name };
        await load();
      }
    }
  }

  async function removeSelection(sel) {
    if (!sel) return;
    try {
      if (sel.kind === 'link') {
        const l = data.links.find((x) => (x.from === sel.from && x.to === sel.to) || (x.from === sel.to && x.to === sel.from));
        if (!l) return;
        if (l.auto) {
          showMessage('This link is automatic (the device address is inside the network); change the address or the ranges instead.', 'info');
          return;
        }
        if (!await confirmDialog('Delete link?', `Remove the link between ${l.from} and ${l.to}?`)) return;
        await api.deleteLink(name, l.from, l.to);
      } else if (sel.kind === 'device') {
        if (!await confirmDialog(`Delete device ${sel.name}?`, 'The device and its links leave the map and are no longer polled.')) return;
        await api.deleteDevice(name, sel.name);
      } else {
        if (!await confirmDialog(`Delete network ${sel.name}?`, 'The oval and its links leave the map; its devices stay.')) return;
        await api.deleteNetwork(name, sel.name);
      }
      canvas.select(null);
      await load();
    } catch (err) {
      showMessage(`Cannot delete: ${err.message}`);
    }
  }

  async function putWhole(change, what) {
    const body = api.mapBody(data);
    change(body);
    try {
      await api.putMap(name, body);
      await load();
      return true;
    } catch (err) {
      showMessage(`Cannot ${what}: ${err.message}`);
      return false;
    }
  }

  async function setVantage(item) {
    if (await putWhole((b) => { b.vantage = item; }, 'set the vantage point')) toast(`${item} is now the vantage point.`, 'ok', 3000);
  }

  async function autoLayout() {
    if (!data) return;
    const all = [...canvas.items.values()];
    const placed = all.filter((it) => !it.unplaced).length;
    if (placed > 0 && !await confirmDialog('Rearrange the map?', `Auto layout moves all ${all.length} items into a tree from the vantage point and saves their positions.`, 'Rearrange')) return;
    const nodes = all.map((it) => ({ name: it.name, w: it.w, h: it.h }));
    const pos = treeLayout(nodes, data.links, data.vantage);
    const ok = await putWhole((b) => {
      for (const d of b.devices) Object.assign(d, round(pos.get(d.name)));
      for (const n of b.networks) Object.assign(n, round(pos.get(n.name)));
    }, 'save the layout');
    if (ok) canvas.fit();
  }

  const round = (p) => (p ? { x: Math.round(p.x), y: Math.round(p.y) } : {});

  async function deleteMap() {
    if (!await confirmDialog(`Delete map ${name}?`, 'The map file and all its devices are removed. This cannot be undone.')) return;
    try {
      await api.deleteMap(name);
      toast(`Deleted map ${name}.`, 'ok');
      location.hash = '#/maps';
    } catch (err) {
      showMessage(`Cannot delete the map: ${err.message}`);
    }
  }

  setEdit(sessionStorage.getItem(EDIT_KEY) === '1');
  // A browser may only go full screen on a click; the CSS wall mode needs none.
  if (params.get('wall') === '1') enterWall(false);
  load();

  return {
    destroy() {
      for (const u of subs) u();
      clearInterval(clockTimer);
      cancelAnimationFrame(headerFrame);
      document.removeEventListener('fullscreenchange', onFullscreenChange);
      document.removeEventListener('keydown', onKey);
      if (document.body.classList.contains('wall')) leaveWall();
      panel.destroy();
      canvas.destroy();
    },
  };
}
