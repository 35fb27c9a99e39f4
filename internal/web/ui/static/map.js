// MapCanvas draws one map as SVG and handles pan, zoom, selection, dragging
// and link drawing. A structural change (an item added, moved by someone
// else, deleted) re-renders the map; a status change only touches that
// device's <g> (found by id), so a 1,000-device map stays fluid however
// often its devices change.

import { s, levelLabel } from './dom.js';
import { placeUnplaced } from './layout.js';
import { findInterface, interfaceLabel, formatBits, formatPct, utilOf, utilLevel, ifState } from './snmp.js';

const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const DEV_FONT = `600 12px ${FONT_FAMILY}`;
const NET_FONT = `600 12px ${FONT_FAMILY}`;
const CIDR_FONT = `400 11px ${FONT_FAMILY}`;
const TRAFFIC_FONT = `600 10.5px ${FONT_FAMILY}`;
const DEV_H = 26;
const DEV_PAD = 14;
const MIN_K = 0.05;
const MAX_K = 4;
const DRAG_THRESHOLD = 4; // screen pixels before a press becomes a drag

let measureCtx = null;
function textWidth(text, font) {
  if (!measureCtx) measureCtx = document.createElement('canvas').getContext('2d');
  measureCtx.font = font;
  return measureCtx.measureText(text).width;
}

export class MapCanvas {
  // opts: onSelect(sel|null), onMove(item, x, y) → Promise,
  // onLink(fromName, toName) → Promise (rejects with the refusal),
  // onDelete(sel), onViewChange().
  constructor(container, opts) {
    this.opts = opts;
    this.container = container;
    this.items = new Map(); // name → item
    this.byId = new Map(); // device id → item
    this.links = [];
    this.data = null;
    this.view = { k: 1, tx: 0, ty: 0 };
    this.editMode = false;
    this.linkMode = false;
    this.linkSource = null;
    this.selection = null;
    this.drag = null;
    this.pendingData = null;
    this.unplaced = 0;
    this.frame = 0;
    // Positions saved but not yet confirmed by a re-fetch: a map update
    // that raced the save must not make the item jump back.
    this.optimistic = new Map();
    this.build();
  }

  build() {
    const grid = s('pattern', { id: 'map-grid', width: 24, height: 24, patternUnits: 'userSpaceOnUse' },
      s('circle', { cx: 1, cy: 1, r: 1, class: 'grid-dot' }));
    const wrench = s('symbol', { id: 'i-wrench', viewBox: '0 0 16 16' },
      s('path', { d: 'M10.5 1.5a4 4 0 0 0-3.8 5.2L1.8 11.6a1.4 1.4 0 0 0 2 2l4.9-4.9a4 4 0 0 0 5.2-3.8l-2.2 2.2-2.3-.6-.6-2.3z' }));
    const check = s('symbol', { id: 'i-check', viewBox: '0 0 16 16' },
      s('path', { d: 'M3 8.5l3 3 7-7', fill: 'none', 'stroke-width': 2.4, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }));
    this.grid = grid;
    this.bg = s('rect', { class: 'map-bg', width: '100%', height: '100%', fill: 'url(#map-grid)' });
    this.linkLayer = s('g', { class: 'links' });
    this.netLayer = s('g', { class: 'networks' });
    this.devLayer = s('g', { class: 'devices' });
    // Link traffic labels and X markers sit above the ovals, below devices.
    this.decoLayer = s('g', { class: 'link-decos' });
    this.rubber = s('line', { class: 'rubber-band', visibility: 'hidden' });
    this.viewport = s('g', { class: 'viewport' }, this.linkLayer, this.netLayer, this.decoLayer, this.devLayer, this.rubber);
    this.svg = s('svg', { class: 'map-svg', testid: 'map-svg', role: 'group', 'aria-label': 'Map' },
      s('defs', null, grid, wrench, check), this.bg, this.viewport);
    this.container.append(this.svg);

    this.svg.addEventListener('pointerdown', (e) => this.pointerDown(e));
    this.svg.addEventListener('pointermove', (e) => this.pointerMove(e));
    this.svg.addEventListener('pointerup', (e) => this.pointerUp(e));
    this.svg.addEventListener('pointercancel', () => this.cancelDrag());
    this.svg.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    this.svg.addEventListener('keydown', (e) => this.keyDown(e));
    // Down devices flash: one class toggle on the map root (see style.css).
    const still = window.matchMedia('(prefers-reduced-motion: reduce)');
    this.blinkTimer = setInterval(() => {
      if (!still.matches) this.svg.classList.toggle('blink');
    }, 500);
    this.resizeObserver = new ResizeObserver(() => {
      if (!this.fitted && this.data) this.fit();
    });
    this.resizeObserver.observe(this.container);
  }

  destroy() {
    clearInterval(this.blinkTimer);
    cancelAnimationFrame(this.labelFrame);
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.frame);
    this.svg.remove();
  }

  // ---- data ---------------------------------------------------------

  // setData renders a whole map (GET /maps/{map}). During a drag the new
  // data waits until the drop.
  setData(data) {
    if (this.drag && this.drag.moved) {
      this.pendingData = data;
      return;
    }
    const first = !this.data || this.data.name !== data.name;
    this.data = data;
    const focusedName = this.svg.contains(document.activeElement) ? document.activeElement.dataset?.name : null;
    this.render();
    if (first) {
      this.fitted = false;
      this.fit();
    }
    if (focusedName && this.items.has(focusedName)) this.items.get(focusedName).g.focus({ preventScroll: true });
    if (this.selection && this.selection.kind !== 'link' && !this.items.has(this.selection.name)) this.select(null);
    else if (this.selection) this.select(this.selection, true);
  }

  render() {
    const d = this.data;
    this.rendering = true;
    this.items.clear();
    this.byId.clear();
    this.links = [];
    this.linkLayer.replaceChildren();
    this.decoLayer.replaceChildren();
    this.netLayer.replaceChildren();
    this.devLayer.replaceChildren();

    const netFrag = document.createDocumentFragment();
    for (const n of d.networks) {
      const item = this.networkItem(n);
      netFrag.append(item.g);
    }
    const devFrag = document.createDocumentFragment();
    for (const dev of d.devices) {
      const item = this.deviceItem(dev);
      devFrag.append(item.g);
    }

    // Items without a position get one for display; Auto layout saves it.
    const nodes = [...this.items.values()].map((it) => ({
      name: it.name, w: it.w, h: it.h, x: it.x, y: it.y, placed: !(it.x === 0 && it.y === 0), vantage: it.name === d.vantage,
    }));
    this.unplaced = nodes.filter((n) => !n.placed).length;
    if (this.unplaced) {
      const pos = placeUnplaced(nodes, d.links);
      for (const n of nodes) {
        if (n.placed) continue;
        const it = this.items.get(n.name);
        const p = pos.get(n.name);
        if (p) {
          it.x = p.x;
          it.y = p.y;
          it.unplaced = true;
          it.g.classList.add('is-unplaced');
        }
      }
    }
    for (const it of this.items.values()) it.g.setAttribute('transform', `translate(${it.x} ${it.y})`);

    const linkFrag = document.createDocumentFragment();
    for (const l of d.links) {
      const a = this.items.get(l.from);
      const b = this.items.get(l.to);
      if (!a || !b) continue;
      const link = {
        from: l.from, to: l.to, auto: !!l.auto, label: l.label || '', a, b,
        fromIf: l.from_interface || '', toIf: l.to_interface || '',
      };
      const hit = s('line', { class: 'link-hit' });
      const halo = s('line', { class: 'link-halo' });
      const line = s('line', { class: 'link-line' });
      link.lines = [hit, halo, line];
      link.titleText = `${l.from} — ${l.to}${l.auto ? ' (automatic: address inside the network)' : ''}`;
      link.title = s('title', null, link.titleText);
      link.g = s('g', {
        class: l.auto ? 'link is-auto' : 'link', testid: `link-${l.from}-${l.to}`,
        dataset: { from: l.from, to: l.to }, tabindex: -1,
      }, hit, halo, line, link.title);
      link.g.__link = link;
      if (link.fromIf || link.toIf) this.decorateLink(link);
      this.placeLink(link);
      a.links.push(link);
      b.links.push(link);
      this.links.push(link);
      linkFrag.append(link.g);
    }
    this.linkLayer.append(linkFrag);
    this.netLayer.append(netFrag);
    this.devLayer.append(devFrag);
    this.rendering = false;
    this.layoutLabels();
    this.applyModes();
  }

  deviceItem(dev) {
    const w = Math.max(56, Math.ceil(textWidth(dev.name, DEV_FONT)) + 2 * DEV_PAD);
    const h = DEV_H;
    const rect = s('rect', { class: 'shape', x: -w / 2, y: -h / 2, width: w, height: h, rx: 6 });
    const label = s('text', { class: 'label', 'text-anchor': 'middle', dy: '0.35em' }, dev.name);
    const title = s('title');
    const g = s('g', {
      class: 'item device', testid: `device-${dev.name}`, tabindex: 0, role: 'button',
      dataset: { name: dev.name, id: dev.id, status: dev.status || 'unknown' },
    }, rect, label, title);
    const item = { kind: 'device', name: dev.name, id: dev.id, obj: dev, g, w, h, x: dev.x || 0, y: dev.y || 0, links: [], title };
    this.applyOptimistic(item);
    if (dev.name === this.data.vantage) this.addVantageBadge(item);
    this.setFlags(item);
    this.describe(item);
    this.items.set(dev.name, item);
    this.byId.set(dev.id, item);
    return item;
  }

  networkItem(n) {
    const cidrs = (n.cidrs || []).join(', ') || 'no address range';
    const w = Math.max(textWidth(n.name, NET_FONT), textWidth(cidrs, CIDR_FONT)) + 56;
    const h = 54;
    const g = s('g', {
      class: 'item network', testid: `network-${n.name}`, tabindex: 0, role: 'button',
      dataset: { name: n.name }, 'aria-label': `Network ${n.name}, ${cidrs}`,
    },
    s('ellipse', { class: 'shape', rx: w / 2, ry: h / 2 }),
    s('text', { class: 'label', 'text-anchor': 'middle', y: -3 }, n.name),
    s('text', { class: 'cidrs', 'text-anchor': 'middle', y: 13 }, cidrs),
    s('title', null, `Network ${n.name}\n${cidrs}`));
    const item = { kind: 'network', name: n.name, obj: n, g, w, h, x: n.x || 0, y: n.y || 0, links: [] };
    this.applyOptimistic(item);
    if (n.name === this.data.vantage) this.addVantageBadge(item);
    this.items.set(n.name, item);
    return item;
  }

  applyOptimistic(item) {
    const p = this.optimistic.get(item.name);
    if (!p) return;
    if (item.obj.x === p.x && item.obj.y === p.y) {
      this.optimistic.delete(item.name); // the server has it now
    } else {
      item.x = p.x;
      item.y = p.y;
    }
  }

  addVantageBadge(item) {
    item.g.classList.add('is-vantage');
    item.g.append(s('g', { class: 'vantage-badge', transform: `translate(${-item.w / 2} ${-item.h / 2})` },
      s('circle', { r: 8 }), s('text', { 'text-anchor': 'middle', dy: '0.35em' }, 'V'),
      s('title', null, 'Vantage point')));
  }

  setFlags(item) {
    const d = item.obj;
    const g = item.g;
    g.classList.toggle('is-acknowledged', !!d.acknowledged);
    g.classList.toggle('is-maintenance', !!d.maintenance);
    g.classList.toggle('is-unreachable', !!d.unreachable);
    g.classList.toggle('is-shadowed', !!d.shadowed);
    const hasBadge = !!item.flagBadge;
    const want = d.maintenance ? 'i-wrench' : d.acknowledged ? 'i-check' : '';
    if (hasBadge && item.flagBadge.dataset.icon !== want) {
      item.flagBadge.remove();
      item.flagBadge = null;
    }
    if (want && !item.flagBadge) {
      item.flagBadge = s('g', { class: 'flag-badge', dataset: { icon: want }, transform: `translate(${item.w / 2 - 2} ${-item.h / 2 + 2})` },
        s('circle', { r: 8 }), s('use', { href: `#${want}`, x: -5.5, y: -5.5, width: 11, height: 11 }));
      g.append(item.flagBadge);
    }
  }

  describe(item) {
    const d = item.obj;
    const st = levelLabel(d.status);
    // Unreachable, acknowledged and maintenance are told in words too.
    const flags = [
      d.unreachable ? 'unreachable' : '',
      d.maintenance ? (d.ack && d.ack.device === '' ? 'map in maintenance' : 'in maintenance') : '',
      d.acknowledged ? 'acknowledged' : '',
    ].filter(Boolean).join(', ');
    item.title.textContent = `${d.name} — ${d.address}\n${st}${d.reason ? ': ' + d.reason : ''}${flags ? `\n(${flags})` : ''}`;
    item.g.setAttribute('aria-label', `${d.name}, ${st}${d.reason ? ', ' + d.reason : ''}${flags ? `, ${flags}` : ''}`);
  }

  // updateStatus applies an SSE status delta; it returns the device's
  // data, or null when the device is not on this map.
  updateStatus(delta) {
    const item = this.byId.get(delta.id);
    if (!item) return null;
    const d = item.obj;
    const changed = d.status !== delta.status;
    // A delta carries the device's whole live state; optional fields it
    // leaves out are empty now (a down device has no response time).
    for (const k of ['status', 'reason', 'since', 'last_poll', 'rtt_ms', 'values', 'ack', 'behind']) {
      if (k in delta) d[k] = delta[k];
      else delete d[k];
    }
    for (const k of ['acknowledged', 'maintenance', 'unreachable', 'shadowed', 'misses', 'polls', 'failures']) {
      if (k in delta) d[k] = delta[k];
    }
    if (changed) item.g.dataset.status = d.status || 'unknown';
    if ('acknowledged' in delta || 'maintenance' in delta || 'unreachable' in delta || 'shadowed' in delta) this.setFlags(item);
    this.describe(item);
    // Only the links that name one of this device's interfaces change.
    for (const l of item.links) {
      if ((l.a === item && l.fromIf) || (l.b === item && l.toIf)) this.decorateLink(l);
    }
    return d;
  }

  // ---- link traffic ---------------------------------------------------

  // linkInterfaces resolves the interfaces a link names against its
  // endpoint devices' latest values: [{item, spec, iface|null}].
  linkInterfaces(link) {
    const out = [];
    for (const [item, spec] of [[link.a, link.fromIf], [link.b, link.toIf]]) {
      if (!spec || item.kind !== 'device') continue;
      out.push({ item, spec, iface: findInterface(item.obj.values, spec) });
    }
    return out;
  }

  // decorateLink draws what a link's interfaces say: a label with the
  // traffic, a yellow (≥50 %) or orange (≥90 %) halo, and an X in the
  // middle when an interface is down (red) or administratively down (blue).
  decorateLink(link) {
    const ends = this.linkInterfaces(link);
    const found = ends.filter((e) => e.iface);
    let util = null;
    let x = '';
    for (const { iface } of found) {
      const u = utilOf(iface);
      if (u !== null) util = Math.max(util ?? 0, u);
      const st = ifState(iface);
      if (st === 'down') x = 'down';
      else if (st === 'admin-down' && x !== 'down') x = 'admin';
    }
    const level = utilLevel(util);
    if (level) link.g.dataset.util = level;
    else delete link.g.dataset.util;
    if (x) link.g.dataset.ifdown = x;
    else delete link.g.dataset.ifdown;

    // The X marker.
    if (x && !link.xMark) {
      link.xMark = s('g', { class: 'link-x', testid: `link-x-${link.from}-${link.to}`, 'aria-hidden': 'true' },
        s('path', { class: 'link-x-bg', d: 'M-6 -6L6 6M6 -6L-6 6' }),
        s('path', { class: 'link-x-fg', d: 'M-6 -6L6 6M6 -6L-6 6' }));
      link.xMark.__link = link;
      this.decoLayer.append(link.xMark);
    } else if (!x && link.xMark) {
      link.xMark.remove();
      link.xMark = null;
    }
    if (link.xMark) {
      link.xMark.dataset.kind = x;
      link.xMark.setAttribute('aria-label', x === 'down' ? 'interface down' : 'interface administratively down');
    }

    // The traffic label: the first interface found speaks for the link.
    const main = found[0];
    let text = '';
    const lines = [];
    if (main) {
      const i = main.iface;
      const st = ifState(i);
      if (st === 'down' || st === 'admin-down') {
        text = `${interfaceLabel(i)} · ${st === 'down' ? 'down' : 'admin down'}`;
      } else if (typeof i.in_bps === 'number' || typeof i.out_bps === 'number') {
        const u = utilOf(i);
        text = `in ${formatBits(i.in_bps)} · out ${formatBits(i.out_bps)}${u === null ? '' : ' · ' + formatPct(u)}`;
      } else {
        text = `${interfaceLabel(i)} · ${ifState(i).replace('-', ' ')}`;
      }
      link.rates = typeof i.in_bps === 'number' || typeof i.out_bps === 'number';
    } else if (ends.length) {
      const e = ends[0];
      text = `${e.spec}?`;
      link.rates = false;
    }
    for (const e of ends) {
      if (!e.iface) {
        lines.push(`${e.item.name} ${e.spec}: not in the latest SNMP poll`);
        continue;
      }
      const i = e.iface;
      lines.push(`${e.item.name} ${interfaceLabel(i)}${i.alias && i.alias !== interfaceLabel(i) ? ' (' + i.alias + ')' : ''}: `
        + `${ifState(i).replace('-', ' ')}, in ${formatBits(i.in_bps)} (${formatPct(i.in_util_pct)}), out ${formatBits(i.out_bps)} (${formatPct(i.out_util_pct)})`);
    }
    link.title.textContent = [link.titleText, ...lines].join('\n');
    if (!text) {
      if (link.traffic) link.traffic.g.remove();
      link.traffic = null;
      return;
    }
    const isNew = !link.traffic;
    if (!link.traffic) {
      const rect = s('rect', { class: 'link-traffic-bg', rx: 4, height: 17, y: -8.5 });
      const label = s('text', { class: 'link-traffic-text', 'text-anchor': 'middle', dy: '0.35em' });
      link.traffic = { g: s('g', { class: 'link-traffic', testid: `link-traffic-${link.from}-${link.to}` }, rect, label), rect, label, text: '' };
      link.traffic.g.__link = link;
      this.decoLayer.append(link.traffic.g);
    }
    const tr = link.traffic;
    tr.g.dataset.rates = link.rates ? '1' : '';
    tr.g.dataset.missing = main ? '' : '1';
    tr.g.dataset.state = main ? ifState(main.iface) : '';
    if (tr.text !== text) {
      tr.text = text;
      tr.label.textContent = text;
      const w = Math.ceil(textWidth(text, TRAFFIC_FONT)) + 12;
      tr.w = w;
      tr.rect.setAttribute('width', w);
      tr.rect.setAttribute('x', -w / 2);
    }
    this.placeDecorations(link);
    if (isNew && !this.rendering) this.scheduleLabelLayout();
  }

  // labelPos is where a link's traffic label goes at fraction t of the way
  // from its first endpoint; in the middle it makes room for the X.
  labelPos(link, t) {
    const x = link.a.x + (link.b.x - link.a.x) * t;
    const y = link.a.y + (link.b.y - link.a.y) * t;
    return { x, y: y + (link.xMark && t === 0.5 ? 18 : 0) };
  }

  placeDecorations(link) {
    if (!link.xMark && !link.traffic) return;
    if (link.xMark) link.xMark.setAttribute('transform', `translate(${(link.a.x + link.b.x) / 2} ${(link.a.y + link.b.y) / 2})`);
    if (link.traffic) {
      const p = this.labelPos(link, link.labelT ?? 0.5);
      link.traffic.g.setAttribute('transform', `translate(${p.x} ${p.y})`);
    }
  }

  // layoutLabels slides each traffic label along its link to a spot clear
  // of items, X markers and the labels placed before it (links fanning out
  // of one switch would otherwise stack their labels in the middle).
  layoutLabels() {
    const labelled = this.links.filter((l) => l.traffic);
    if (!labelled.length) return;
    const boxes = [];
    for (const it of this.items.values()) boxes.push([it.x - it.w / 2 - 3, it.y - it.h / 2 - 3, it.x + it.w / 2 + 3, it.y + it.h / 2 + 3]);
    for (const l of this.links) {
      if (l.xMark) {
        const mx = (l.a.x + l.b.x) / 2;
        const my = (l.a.y + l.b.y) / 2;
        boxes.push([mx - 8, my - 8, mx + 8, my + 8]);
      }
    }
    const hits = (b) => {
      let n = 0;
      for (const o of boxes) if (b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]) n++;
      return n;
    };
    for (const l of labelled) {
      const w = l.traffic.w || 120;
      let best = null;
      for (const t of [0.5, 0.62, 0.38, 0.72, 0.28]) {
        const p = this.labelPos(l, t);
        const b = [p.x - w / 2, p.y - 9.5, p.x + w / 2, p.y + 9.5];
        const n = hits(b);
        if (!best || n < best.n) best = { t, b, n };
        if (n === 0) break;
      }
      l.labelT = best.t;
      boxes.push(best.b);
      this.placeDecorations(l);
    }
  }

  scheduleLabelLayout() {
    if (this.labelFrame) return;
    this.labelFrame = requestAnimationFrame(() => {
      this.labelFrame = 0;
      this.layoutLabels();
    });
  }

  // ---- geometry -----------------------------------------------------

  placeLink(link) {
    for (const el of link.lines) {
      el.setAttribute('x1', link.a.x);
      el.setAttribute('y1', link.a.y);
      el.setAttribute('x2', link.b.x);
      el.setAttribute('y2', link.b.y);
    }
    this.placeDecorations(link);
  }

  moveItem(item, x, y) {
    item.x = x;
    item.y = y;
    item.g.setAttribute('transform', `translate(${x} ${y})`);
    for (const l of item.links) this.placeLink(l);
  }

  toMap(e) {
    const r = this.svg.getBoundingClientRect();
    return { x: (e.clientX - r.left - this.view.tx) / this.view.k, y: (e.clientY - r.top - this.view.ty) / this.view.k };
  }

  applyView() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const { k, tx, ty } = this.view;
      this.viewport.setAttribute('transform', `translate(${tx} ${ty}) scale(${k})`);
      this.grid.setAttribute('patternTransform', `translate(${tx} ${ty}) scale(${k})`);
      this.svg.classList.toggle('zoomed-out', k < 0.45);
      this.svg.classList.toggle('zoomed-far', k < 0.3);
      if (this.opts.onViewChange) this.opts.onViewChange(this.view);
    });
  }

  zoomAt(factor, sx, sy) {
    const v = this.view;
    const k = Math.min(MAX_K, Math.max(MIN_K, v.k * factor));
    const f = k / v.k;
    v.tx = sx - (sx - v.tx) * f;
    v.ty = sy - (sy - v.ty) * f;
    v.k = k;
    this.fitted = true;
    this.applyView();
  }

  zoomBy(factor) {
    this.zoomAt(factor, this.container.clientWidth / 2, this.container.clientHeight / 2);
  }

  bounds() {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const it of this.items.values()) {
      x0 = Math.min(x0, it.x - it.w / 2);
      y0 = Math.min(y0, it.y - it.h / 2);
      x1 = Math.max(x1, it.x + it.w / 2);
      y1 = Math.max(y1, it.y + it.h / 2);
    }
    return x0 === Infinity ? null : { x0, y0, x1, y1 };
  }

  // fit shows every item, at most at 150 %.
  fit() {
    const W = this.container.clientWidth;
    const H = this.container.clientHeight;
    if (!W || !H) return;
    this.fitted = true;
    const b = this.bounds();
    if (!b) {
      this.view = { k: 1, tx: W / 2, ty: H / 2 };
    } else {
      const pad = 40;
      const k = Math.min(1.5, Math.max(MIN_K, Math.min((W - 2 * pad) / Math.max(1, b.x1 - b.x0), (H - 2 * pad) / Math.max(1, b.y1 - b.y0))));
      this.view = { k, tx: W / 2 - ((b.x0 + b.x1) / 2) * k, ty: H / 2 - ((b.y0 + b.y1) / 2) * k };
    }
    this.applyView();
  }

  // freeSpot returns a map position near the view's centre that no item
  // occupies, for a newly added item.
  freeSpot(w = 120, h = 40) {
    const cx = (this.container.clientWidth / 2 - this.view.tx) / this.view.k;
    const cy = (this.container.clientHeight / 2 - this.view.ty) / this.view.k;
    const taken = (x, y) => [...this.items.values()].some((it) => Math.abs(it.x - x) < (it.w + w) / 2 + 8 && Math.abs(it.y - y) < (it.h + h) / 2 + 8);
    for (let r = 0; r < 40; r++) {
      for (let a = 0; a < Math.max(1, r * 6); a++) {
        const t = (a / Math.max(1, r * 6)) * 2 * Math.PI;
        const x = Math.round(cx + Math.cos(t) * r * 50);
        const y = Math.round(cy + Math.sin(t) * r * 36);
        if (!(x === 0 && y === 0) && !taken(x, y)) return { x, y };
      }
    }
    return { x: Math.round(cx) || 1, y: Math.round(cy) || 1 };
  }

  // ---- modes and selection ------------------------------------------

  setEditMode(on) {
    this.editMode = on;
    if (!on) this.setLinkMode(false);
    this.applyModes();
  }

  setLinkMode(on) {
    this.linkMode = on;
    this.setLinkSource(null);
    this.applyModes();
  }

  applyModes() {
    this.svg.classList.toggle('edit-mode', this.editMode);
    this.svg.classList.toggle('link-mode', this.linkMode);
  }

  setLinkSource(item) {
    if (this.linkSource) this.linkSource.g.classList.remove('is-link-source');
    this.linkSource = item;
    if (item) {
      item.g.classList.add('is-link-source');
      this.rubber.setAttribute('x1', item.x);
      this.rubber.setAttribute('y1', item.y);
      this.rubber.setAttribute('x2', item.x);
      this.rubber.setAttribute('y2', item.y);
      this.rubber.setAttribute('visibility', 'visible');
    } else {
      this.rubber.setAttribute('visibility', 'hidden');
    }
  }

  // select marks an item ({kind, name}) or link ({kind:'link', from, to}).
  select(sel, quiet = false) {
    for (const el of this.svg.querySelectorAll('.is-selected')) el.classList.remove('is-selected');
    this.selection = sel;
    if (sel && sel.kind === 'link') {
      const l = this.findLink(sel.from, sel.to);
      if (l) l.g.classList.add('is-selected');
      else this.selection = null;
    } else if (sel) {
      const it = this.items.get(sel.name);
      if (it) it.g.classList.add('is-selected');
      else this.selection = null;
    }
    if (!quiet && this.opts.onSelect) this.opts.onSelect(this.selection);
  }

  findLink(from, to) {
    return this.links.find((l) => (l.from === from && l.to === to) || (l.from === to && l.to === from));
  }

  activate(item) {
    if (this.linkMode) {
      if (!this.linkSource) {
        this.setLinkSource(item);
      } else if (this.linkSource === item) {
        this.setLinkSource(null);
      } else {
        this.finishLink(this.linkSource, item);
      }
      return;
    }
    this.select({ kind: item.kind, name: item.name });
  }

  async finishLink(from, to) {
    this.rubber.setAttribute('x2', to.x);
    this.rubber.setAttribute('y2', to.y);
    try {
      await this.opts.onLink(from.name, to.name);
      this.setLinkSource(null);
    } catch (err) {
      // The server refused: the link jumps back to where it started.
      this.jumpBack(from, to);
    }
  }

  jumpBack(from, to) {
    const start = performance.now();
    const x0 = to.x;
    const y0 = to.y;
    this.rubber.classList.add('refused');
    const step = (t) => {
      const p = Math.min(1, (t - start) / 350);
      const e = 1 - (1 - p) ** 3;
      this.rubber.setAttribute('x2', x0 + (from.x - x0) * e);
      this.rubber.setAttribute('y2', y0 + (from.y - y0) * e);
      if (p < 1) requestAnimationFrame(step);
      else {
        this.rubber.classList.remove('refused');
        this.setLinkSource(null);
      }
    };
    requestAnimationFrame(step);
  }

  // ---- pointer and keyboard -----------------------------------------

  pointerDown(e) {
    if (e.button !== 0) return;
    const itemG = e.target.closest('.item');
    const linkG = e.target.closest('.link, .link-traffic, .link-x');
    const p = this.toMap(e);
    if (itemG) {
      const item = this.items.get(itemG.dataset.name);
      this.drag = { kind: 'item', item, start: p, orig: { x: item.x, y: item.y }, sx: e.clientX, sy: e.clientY, moved: false };
    } else if (linkG) {
      this.drag = { kind: 'link', link: linkG.__link, sx: e.clientX, sy: e.clientY, moved: false };
    } else {
      this.drag = { kind: 'pan', sx: e.clientX, sy: e.clientY, tx: this.view.tx, ty: this.view.ty, moved: false };
    }
    this.svg.setPointerCapture(e.pointerId);
  }

  pointerMove(e) {
    if (this.linkSource) {
      const p = this.toMap(e);
      this.rubber.setAttribute('x2', p.x);
      this.rubber.setAttribute('y2', p.y);
    }
    const d = this.drag;
    if (!d) return;
    if (!d.moved && Math.hypot(e.clientX - d.sx, e.clientY - d.sy) < DRAG_THRESHOLD) return;
    if (d.kind === 'pan') {
      d.moved = true;
      this.svg.classList.add('panning');
      this.view.tx = d.tx + (e.clientX - d.sx);
      this.view.ty = d.ty + (e.clientY - d.sy);
      this.fitted = true;
      this.applyView();
    } else if (d.kind === 'item' && this.editMode && !this.linkMode) {
      d.moved = true;
      this.svg.classList.add('dragging');
      d.item.g.classList.add('is-dragging');
      const p = this.toMap(e);
      this.moveItem(d.item, Math.round(d.orig.x + p.x - d.start.x), Math.round(d.orig.y + p.y - d.start.y));
    }
  }

  pointerUp(e) {
    const d = this.drag;
    this.drag = null;
    this.svg.classList.remove('panning', 'dragging');
    if (!d) return;
    if (d.kind === 'item') {
      d.item.g.classList.remove('is-dragging');
      if (d.moved) {
        this.saveMove(d.item, d.orig);
      } else {
        this.activate(d.item);
      }
    } else if (d.kind === 'link' && !d.moved) {
      if (this.linkMode) this.setLinkSource(null);
      else this.select({ kind: 'link', from: d.link.from, to: d.link.to });
    } else if (d.kind === 'pan' && !d.moved) {
      if (this.linkSource) this.setLinkSource(null);
      else this.select(null);
    }
    this.flushPending();
  }

  cancelDrag() {
    const d = this.drag;
    this.drag = null;
    this.svg.classList.remove('panning', 'dragging');
    if (d && d.kind === 'item' && d.moved) this.moveItem(d.item, d.orig.x, d.orig.y);
    this.flushPending();
  }

  flushPending() {
    if (this.pendingData) {
      const data = this.pendingData;
      this.pendingData = null;
      this.setData(data);
    }
  }

  async saveMove(item, orig) {
    this.scheduleLabelLayout();
    const pos = { x: item.x, y: item.y };
    this.optimistic.set(item.name, pos);
    try {
      await this.opts.onMove(item, pos.x, pos.y);
      item.unplaced = false;
      item.g.classList.remove('is-unplaced');
    } catch {
      this.optimistic.delete(item.name);
      const now = this.items.get(item.name);
      if (now) this.moveItem(now, orig.x, orig.y);
    }
  }

  wheel(e) {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 0.05 : e.deltaMode === 2 ? 1 : 0.0015;
    const r = this.svg.getBoundingClientRect();
    this.zoomAt(Math.exp(-e.deltaY * unit), e.clientX - r.left, e.clientY - r.top);
  }

  keyDown(e) {
    const itemG = e.target.closest && e.target.closest('.item');
    const item = itemG ? this.items.get(itemG.dataset.name) : null;
    if ((e.key === 'Enter' || e.key === ' ') && item) {
      e.preventDefault();
      this.activate(item);
      return;
    }
    if (e.key === 'Escape') {
      if (this.linkSource) this.setLinkSource(null);
      else if (this.selection) this.select(null);
      return;
    }
    if ((e.key === 'Delete' || e.key === 'Backspace') && this.editMode && this.selection) {
      e.preventDefault();
      this.opts.onDelete(this.selection);
      return;
    }
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (arrows[e.key] && item && this.editMode) {
      // Keyboard placement: arrows move the focused item, Shift moves far.
      e.preventDefault();
      const step = e.shiftKey ? 50 : 10;
      if (!this.nudge || this.nudge.item !== item) this.nudge = { item, orig: { x: item.x, y: item.y } };
      this.moveItem(item, item.x + arrows[e.key][0] * step, item.y + arrows[e.key][1] * step);
      clearTimeout(this.nudgeTimer);
      this.nudgeTimer = setTimeout(() => {
        const n = this.nudge;
        this.nudge = null;
        if (n) this.saveMove(n.item, n.orig);
      }, 600);
    } else if (e.key === '+' || e.key === '=') {
      this.zoomBy(1.25);
    } else if (e.key === '-') {
      this.zoomBy(0.8);
    }
  }
}
