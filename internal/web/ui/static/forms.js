// Dialog forms: device (built from the probe's declared parameters),
// network, new map. Each returns a promise of the saved object, or null when
// cancelled. Server refusals are shown inside the form, which stays open.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { isSNMPProbe, isSNMPDevice, interfacesOf, findInterface, interfaceLabel, formatSpeed, ifState } from './snmp.js';

let probeCache = null;

// probes returns GET /api/v1/probes, fetched once per page load.
// refreshProbes forgets the cached probe list, after probe files change.
export function refreshProbes() {
  probeCache = null;
}

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

export function field(id, label, input, help) {
  input.id = id;
  const helpEl = help ? h('small', { class: 'help', id: `${id}-help` }, help) : null;
  if (helpEl) input.setAttribute('aria-describedby', helpEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, helpEl);
}

// The server's stand-in for a stored SNMP secret; sent back, it keeps the
// stored value.
const SECRET = '<secret>';

// secretField is a community or v3 key input. A stored value is never
// shown: leaving the input empty keeps it, typing replaces it and
// "Remove" clears it.
function secretField(id, label, stored, emptyHint, help) {
  const has = stored !== undefined && stored !== null && stored !== '';
  let cleared = false;
  const input = h('input', {
    type: 'password', testid: id, autocomplete: 'new-password', spellcheck: 'false',
    placeholder: has ? 'stored — leave empty to keep' : emptyHint,
  });
  const box = h('div', { class: 'field secret-field' });
  const toggle = has ? h('button', {
    type: 'button', class: 'link-btn', testid: `${id}-clear`,
    onclick: () => {
      cleared = !cleared;
      box.classList.toggle('is-cleared', cleared);
      toggle.textContent = cleared ? 'Keep stored' : 'Remove';
      input.placeholder = cleared ? 'removed when saved' : 'stored — leave empty to keep';
    },
  }, 'Remove') : null;
  input.id = id;
  const helpEl = help ? h('small', { class: 'help', id: `${id}-help` }, help) : null;
  if (helpEl) input.setAttribute('aria-describedby', helpEl.id);
  box.append(h('label', { for: id }, label), h('div', { class: 'secret-row' }, input, toggle), helpEl || '');
  return {
    el: box,
    read() {
      const v = input.value;
      if (v !== '') return v;
      return has && !cleared ? SECRET : '';
    },
  };
}

function selectOf(id, options, current) {
  const sel = h('select', { testid: id },
    options.map(([value, label]) => h('option', { value, selected: value === (current || '') }, label)));
  if (current && !options.some(([v]) => v === current)) sel.append(h('option', { value: current, selected: true }, current));
  return sel;
}

const AUTH_PROTOCOLS = [['', 'None (noAuth)'], ['MD5', 'MD5'], ['SHA', 'SHA-1'], ['SHA-224', 'SHA-224'], ['SHA-256', 'SHA-256'], ['SHA-384', 'SHA-384'], ['SHA-512', 'SHA-512']];
const PRIV_PROTOCOLS = [['', 'None (noPriv)'], ['DES', 'DES'], ['AES', 'AES-128'], ['AES-192', 'AES-192'], ['AES-256', 'AES-256']];

// snmpFieldset edits a device's snmp block. Empty fields inherit the map's
// settings, then the server's. read() returns the block, or null when
// nothing is set.
function snmpFieldset(existing) {
  const cur = existing || {};
  const version = selectOf('snmp-version', [['', 'Map or server default'], ['1', 'SNMPv1'], ['2c', 'SNMPv2c'], ['3', 'SNMPv3']], cur.version);
  const port = h('input', { testid: 'snmp-port', type: 'number', min: 1, max: 65535, value: cur.port || '', placeholder: '161', inputmode: 'numeric' });
  const community = secretField('snmp-community', 'Community', cur.community, 'map or server default', 'read community (v1, v2c)');
  const user = h('input', { testid: 'snmp-user', value: cur.user || '', autocomplete: 'off', spellcheck: 'false' });
  const auth = selectOf('snmp-auth', AUTH_PROTOCOLS, cur.auth);
  const authKey = secretField('snmp-auth-key', 'Auth pass phrase', cur.auth_key, 'at least 8 characters');
  const priv = selectOf('snmp-priv', PRIV_PROTOCOLS, cur.priv);
  const privKey = secretField('snmp-priv-key', 'Privacy pass phrase', cur.priv_key, 'at least 8 characters');
  const context = h('input', { testid: 'snmp-context', value: cur.context || '', autocomplete: 'off', placeholder: 'default context', spellcheck: 'false' });
  const v3 = [
    field('snmp-user', 'User', user),
    field('snmp-context', 'Context', context),
    field('snmp-auth', 'Auth protocol', auth),
    authKey.el,
    field('snmp-priv', 'Privacy protocol', priv),
    privKey.el,
  ];
  const sync = () => {
    const is3 = version.value === '3';
    for (const el of v3) el.hidden = !is3;
    community.el.hidden = is3;
    authKey.el.querySelector('input').disabled = auth.value === '';
    priv.disabled = auth.value === '';
    privKey.el.querySelector('input').disabled = auth.value === '' || priv.value === '';
  };
  version.addEventListener('change', sync);
  auth.addEventListener('change', sync);
  priv.addEventListener('change', sync);
  const el = h('fieldset', { class: 'params snmp-settings', testid: 'device-snmp' },
    h('legend', null, 'SNMP'),
    h('p', { class: 'help' }, 'Empty fields use the map\'s SNMP settings, then the server\'s.'),
    h('div', { class: 'snmp-grid' },
      field('snmp-version', 'Version', version),
      field('snmp-port', 'UDP port', port),
      community.el,
      v3));
  sync();
  return {
    el,
    read() {
      const out = {};
      if (version.value) out.version = version.value;
      const p = port.value.trim();
      if (p) {
        const n = Number(p);
        if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`SNMP port ${p} is not a port number (1–65535).`);
        out.port = n;
      }
      const c = community.read();
      if (c) out.community = c;
      if (user.value.trim()) out.user = user.value.trim();
      if (auth.value) out.auth = auth.value;
      const ak = authKey.read();
      if (ak && auth.value) out.auth_key = ak;
      if (priv.value && auth.value) out.priv = priv.value;
      const pk = privKey.read();
      if (pk && priv.value && auth.value) out.priv_key = pk;
      if (context.value.trim()) out.context = context.value.trim();
      return Object.keys(out).length ? out : null;
    },
  };
}

// openDialog fills the shared <dialog> with a form and runs it. submit(form)
// returns the result or throws an Error whose message is shown. opts.extra
// are more elements (buttons, a status line) on the left of the buttons;
// opts.wide widens the dialog.
export function openDialog(title, testid, buildFields, submitLabel, submit, opts = {}) {
  const dlg = document.getElementById('dialog');
  clear(dlg);
  dlg.classList.toggle('dialog-wide', !!opts.wide);
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'form-error', hidden: true });
  const saveBtn = h('button', { type: 'submit', class: 'primary', testid: `${testid}-submit` }, submitLabel);
  const cancelBtn = h('button', { type: 'button', testid: `${testid}-cancel` }, 'Cancel');
  const form = h('form', { class: 'form', testid: `${testid}-form`, novalidate: true },
    h('h2', null, title),
    h('div', { class: 'form-body' }, buildFields()),
    error,
    h('div', { class: 'dialog-buttons' }, opts.extra ? h('div', { class: 'dialog-extra' }, opts.extra) : null, cancelBtn, saveBtn));
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
      const cur = key ? existing[key] : '';
      let input;
      if ((prm.kind === 'dropdown' || prm.kind === 'checkbox') && (prm.choices || []).length) {
        // A select keeps to the declared choices; "" means the default.
        input = h('select', { name: `param-${prm.name}`, testid: `param-${prm.name}`, dataset: { param: prm.name } },
          h('option', { value: '' }, `default (${prm.default || '—'})`),
          prm.choices.map((c) => h('option', { value: c, selected: cur === c }, c)));
      } else {
        input = h('input', {
          name: `param-${prm.name}`, testid: `param-${prm.name}`, placeholder: prm.kind === 'password' ? '' : (prm.default || ''),
          type: prm.kind === 'password' ? 'password' : 'text',
          value: cur, autocomplete: 'off', dataset: { param: prm.name },
        });
      }
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

  // SNMP credentials, for the SNMP probes only.
  const snmp = snmpFieldset(editing ? device.snmp : null);
  // Custom SNMP probe files need credentials as much as the built-in ones.
  const usesSNMP = (id) => isSNMPProbe(id) || /^custom-snmp/.test((findProbe(list, id) || {}).type || '');
  const syncSNMP = () => { snmp.el.hidden = !usesSNMP(select.value); };
  select.addEventListener('change', syncSNMP);
  syncSNMP();

  const interval = editing && device.interval && device.interval !== '0s' ? device.interval : '';
  const fields = () => [
    h('div', { class: 'row2' },
      field('device-name', 'Name', h('input', { testid: 'device-name', required: true, value: editing ? device.name : '', autocomplete: 'off' })),
      field('device-address', 'Address', h('input', { testid: 'device-address', required: true, value: editing ? device.address : '', placeholder: 'IP address or DNS name', autocomplete: 'off' }))),
    field('device-probe', 'Probe', select),
    snmp.el,
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
    for (const input of paramsBox.querySelectorAll('input[data-param], select[data-param]')) {
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
    if (usesSNMP(select.value)) {
      const s = snmp.read();
      if (s) body.snmp = s;
      else delete body.snmp;
    }
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

// interfaceValue is what a link stores for an interface: its name when
// that names it alone, else its ifIndex.
function interfaceValue(i, list) {
  const name = i.name || '';
  if (name && !/^\d+$/.test(name) && list.filter((x) => (x.name || '').toLowerCase() === name.toLowerCase()).length === 1) return name;
  return String(i.index);
}

// interfacePicker chooses the interface of one SNMP device that carries a
// link: a select of its latest interfaces, or a text input while the
// device has none yet.
function interfacePicker(id, device, current) {
  const list = interfacesOf(device.values);
  if (!list.length) {
    return field(id, `Interface on ${device.name}`,
      h('input', { testid: id, value: current || '', placeholder: 'ifIndex or name, e.g. 3 or Gi0/1', autocomplete: 'off', spellcheck: 'false' }),
      'No interface list yet (no SNMP answer so far): type an ifIndex, ifName, ifDescr or ifAlias.');
  }
  const match = current ? findInterface(device.values, current) : null;
  const opts = [h('option', { value: '', selected: !current }, 'None — no interface')];
  if (current && !match) opts.push(h('option', { value: current, selected: true }, `${current} — not in the latest poll`));
  for (const i of list) {
    const alias = i.alias && i.alias !== interfaceLabel(i) ? ` (${i.alias})` : '';
    const speed = formatSpeed(i.speed_bps);
    const text = `${interfaceLabel(i)}${alias} · #${i.index}${speed !== '—' ? ' · ' + speed : ''} · ${ifState(i).replace('-', ' ')}${i.ignored ? ' · ignored' : ''}`;
    const value = match === i ? current : interfaceValue(i, list);
    opts.push(h('option', { value, selected: match === i }, text));
  }
  return field(id, `Interface on ${device.name}`, h('select', { testid: id }, opts),
    'Its traffic, utilisation and status are drawn on the link.');
}

// linkDialog creates the link from → to, or edits link (an explicit link of
// the map), with optional interfaces for SNMP devices. An edit is a DELETE
// and a POST; when the POST is refused the old link is put back.
export function linkDialog(mapName, data, from, to, link = null) {
  const editing = !!link;
  const ends = [['from', from], ['to', to]].map(([side, name]) => ({ side, name, device: data.devices.find((d) => d.name === name) }));
  const current = (side) => (editing ? link[`${side}_interface`] || '' : '');
  const fields = () => [h('div', { class: 'link-ends' }, ends.map(({ side, name, device }) => {
    const id = `link-${side}-interface`;
    let body;
    if (device && (isSNMPDevice(device) || current(side))) body = interfacePicker(id, device, current(side));
    else if (device) body = h('p', { class: 'muted' }, 'Not polled over SNMP: no interface to choose.');
    else body = h('p', { class: 'muted' }, 'A network: no interface to choose.');
    return h('div', { class: 'link-end-box' },
      h('div', null, h('span', { class: 'muted' }, side === 'from' ? 'From ' : 'To '), h('strong', null, name), device ? h('span', { class: 'muted' }, ` · ${device.address}`) : null),
      body);
  }))];
  const title = editing ? `Edit link ${from} — ${to}` : `Link ${from} — ${to}`;
  return openDialog(title, 'link', fields, editing ? 'Save link' : 'Create link', async (form) => {
    const body = { from, to };
    if (editing && link.label) body.label = link.label;
    for (const side of ['from', 'to']) {
      const el = form.querySelector(`#link-${side}-interface`);
      const v = el ? el.value.trim() : '';
      if (v) body[`${side}_interface`] = v;
    }
    if (!editing) {
      await api.createLink(mapName, body);
      return body;
    }
    const old = api.linkBody(link);
    if (JSON.stringify(api.linkBody(body)) === JSON.stringify(old)) return body;
    await api.deleteLink(mapName, link.from, link.to);
    try {
      await api.createLink(mapName, body);
    } catch (err) {
      try {
        await api.createLink(mapName, old);
      } catch {
        throw new Error(`${err.message} (and the old link could not be restored)`);
      }
      throw err;
    }
    return body;
  });
}
