// Dialog forms: device (built from the probe's declared parameters),
// network, new map. Each returns a promise of the saved object, or null when
// cancelled. Server refusals are shown inside the form, which stays open.

import * as api from './api.js';
import { h, clear } from './dom.js';

let probeCache = null;

// probes returns GET /api/v1/probes, fetched once per page load.
export async function probes() {
  if (!probeCache) {
    probeCache = api.probes().then((list) => list.slice().sort((a, b) => a.name.localeCompare(b.name)));
    probeCache.catch(() => { probeCache = null; });
  }
  return probeCache;
}

// findProbe resolves an identifier or alias.
export function findProbe(list, id) {
  const want = id || 'com.dartware.ping';
  return list.find((p) => p.id === want || (p.aliases || []).includes(want)) || null;
}

function field(id, label, input, help) {
  input.id = id;
  const helpEl = help ? h('small', { class: 'help', id: `${id}-help` }, help) : null;
  if (helpEl) input.setAttribute('aria-describedby', helpEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, helpEl);
}

// openDialog fills the shared <dialog> with a form and runs it. submit(form)
// returns the result or throws an Error whose message is shown.
function openDialog(title, testid, buildFields, submitLabel, submit) {
  const dlg = document.getElementById('dialog');
  clear(dlg);
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'form-error', hidden: true });
  const saveBtn = h('button', { type: 'submit', class: 'primary', testid: `${testid}-submit` }, submitLabel);
  const cancelBtn = h('button', { type: 'button', testid: `${testid}-cancel` }, 'Cancel');
  const form = h('form', { class: 'form', testid: `${testid}-form`, novalidate: true },
    h('h2', null, title),
    h('div', { class: 'form-body' }, buildFields()),
    error,
    h('div', { class: 'dialog-buttons' }, cancelBtn, saveBtn));
  dlg.append(form);
  return new Promise((resolve) => {
    let result = null;
    cancelBtn.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => {
      clear(dlg);
      resolve(result);
    }, { once: true });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.hidden = true;
      saveBtn.disabled = true;
      try {
        result = await submit(form);
        dlg.close();
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      } finally {
        saveBtn.disabled = false;
      }
    });
    dlg.showModal();
    const first = form.querySelector('input, select, textarea');
    if (first) first.focus();
  });
}

const value = (form, id) => form.querySelector(`#${id}`).value.trim();

// deviceDialog adds (device == null) or edits a device.
export async function deviceDialog(mapName, device, position) {
  const list = await probes();
  const editing = !!device;
  const current = editing ? findProbe(list, device.probe) : findProbe(list, 'com.dartware.ping');
  const select = h('select', { testid: 'device-probe', name: 'probe' },
    list.map((p) => h('option', { value: p.id, selected: current && p.id === current.id }, `${p.name} — ${p.id}`)));
  if (editing && !current) select.prepend(h('option', { value: device.probe, selected: true }, device.probe));
  const paramsBox = h('fieldset', { class: 'params', testid: 'device-params' });
  const existing = (editing && device.params) || {};

  const renderParams = () => {
    clear(paramsBox);
    const p = findProbe(list, select.value);
    paramsBox.append(h('legend', null, p ? `${p.name} parameters` : 'Parameters'));
    if (!p || !(p.params || []).length) {
      paramsBox.append(h('p', { class: 'muted' }, 'This probe has no parameters.'));
      return;
    }
    // Threshold parameters are many and usually empty: they fold away.
    const main = h('div', { class: 'param-grid' });
    const thresholds = h('div', { class: 'param-grid' });
    let thresholdsSet = false;
    for (const prm of p.params) {
      const names = [prm.name, ...(prm.aliases || [])];
      const key = names.find((n) => n in existing);
      const input = h('input', {
        name: `param-${prm.name}`, testid: `param-${prm.name}`, placeholder: prm.default || '',
        value: key ? existing[key] : '', autocomplete: 'off', dataset: { param: prm.name },
      });
      const isThreshold = /(^|_)(warning|alarm|critical)$/.test(prm.name);
      if (isThreshold && key) thresholdsSet = true;
      (isThreshold ? thresholds : main).append(field(`param-${prm.name}`, prm.name, input, prm.help));
    }
    paramsBox.append(main);
    if (thresholds.children.length) {
      paramsBox.append(h('details', { class: 'thresholds', open: thresholdsSet },
        h('summary', null, `Thresholds (${thresholds.children.length})`), thresholds));
    }
  };
  select.addEventListener('change', renderParams);
  renderParams();

  const interval = editing && device.interval && device.interval !== '0s' ? device.interval : '';
  const fields = () => [
    h('div', { class: 'row2' },
      field('device-name', 'Name', h('input', { testid: 'device-name', required: true, value: editing ? device.name : '', autocomplete: 'off' })),
      field('device-address', 'Address', h('input', { testid: 'device-address', required: true, value: editing ? device.address : '', placeholder: 'IP address or DNS name', autocomplete: 'off' }))),
    field('device-probe', 'Probe', select),
    paramsBox,
    h('div', { class: 'row2' },
      field('device-interval', 'Poll interval', h('input', { testid: 'device-interval', value: interval, placeholder: 'server default', autocomplete: 'off' }), 'e.g. 30s, 5m'),
      field('device-down-after', 'Down after', h('input', { testid: 'device-down-after', type: 'number', min: 1, max: 100, value: editing && device.down_after ? device.down_after : '', placeholder: '3' }), 'lost polls in a row')),
    field('device-notes', 'Notes', h('textarea', { testid: 'device-notes', rows: 2 }, editing ? device.notes || '' : '')),
  ];

  return openDialog(editing ? `Edit device ${device.name}` : 'Add device', 'device', fields, editing ? 'Save' : 'Add device', async (form) => {
    const body = editing ? api.deviceBody(device) : { x: position.x, y: position.y };
    body.name = value(form, 'device-name');
    body.address = value(form, 'device-address');
    if (!body.name) throw new Error('A device needs a name.');
    if (!body.address) throw new Error('A device needs an address (IP address or DNS name).');
    const sameProbe = editing && findProbe(list, device.probe)?.id === select.value;
    body.probe = select.value;
    const params = {};
    const declared = new Set();
    for (const input of paramsBox.querySelectorAll('input[data-param]')) {
      declared.add(input.dataset.param);
      if (input.value.trim() !== '') params[input.dataset.param] = input.value.trim();
    }
    if (sameProbe) {
      // Keep parameters the form does not show (spelt as aliases or unknown
      // to this version) unless the form now sets them.
      const p = findProbe(list, select.value);
      for (const [k, v] of Object.entries(device.params || {})) {
        const prm = (p?.params || []).find((x) => x.name === k || (x.aliases || []).includes(k));
        if (!prm && !(k in params)) params[k] = v;
      }
    }
    if (Object.keys(params).length) body.params = params;
    else delete body.params;
    const iv = value(form, 'device-interval');
    if (iv) body.interval = iv;
    else delete body.interval;
    const da = value(form, 'device-down-after');
    if (da) body.down_after = Number(da);
    else delete body.down_after;
    const notes = value(form, 'device-notes');
    if (notes) body.notes = notes;
    else delete body.notes;
    if (editing) return api.putDevice(mapName, device.name, body);
    return api.createDevice(mapName, body);
  });
}

// networkDialog adds or edits a network oval.
export function networkDialog(mapName, network, position) {
  const editing = !!network;
  const fields = () => [
    field('network-name', 'Name', h('input', { testid: 'network-name', required: true, value: editing ? network.name : '', autocomplete: 'off' })),
    field('network-cidrs', 'Address ranges', h('input', {
      testid: 'network-cidrs', value: editing ? (network.cidrs || []).join(', ') : '', placeholder: '192.0.2.0/24, 2001:db8::/64', autocomplete: 'off',
    }), 'CIDRs separated by commas or spaces; devices inside them are linked automatically'),
  ];
  return openDialog(editing ? `Edit network ${network.name}` : 'Add network', 'network', fields, editing ? 'Save' : 'Add network', async (form) => {
    const body = editing ? api.networkBody(network) : { x: position.x, y: position.y };
    body.name = value(form, 'network-name');
    body.cidrs = value(form, 'network-cidrs').split(/[\s,;]+/).filter(Boolean);
    if (!body.name) throw new Error('A network needs a name.');
    if (editing) return api.putNetwork(mapName, network.name, body);
    return api.createNetwork(mapName, body);
  });
}

// mapDialog creates a map.
export function mapDialog() {
  const fields = () => [field('map-name', 'Map name', h('input', { testid: 'map-name', required: true, autocomplete: 'off', placeholder: 'e.g. Campus' }))];
  return openDialog('New map', 'map', fields, 'Create map', async (form) => {
    const name = value(form, 'map-name');
    if (!name) throw new Error('A map needs a name.');
    await api.createMap(name);
    return name;
  });
}
