// The world view of a map (#/world/MAP): its devices on a latitude/longitude
// grid, coloured by status and kept live by the event stream.
//
// Positions come from the map's KML export (GET /api/v1/maps/{map}/kml),
// so the browser shows exactly what Google Earth would: a device's own
// lat/lon, or its x/y placed by the map's geo benchmarks (internal/geo).
// The projection is equirectangular (x = longitude, y = −latitude), drawn
// in SVG with a 30° graticule and no coastlines or map tiles, so nothing is
// fetched from the internet. The view opens fitted to the devices; the
// whole world is one button away.

import * as stream from './stream.js';
import { h, s, fill, levelLabel } from './dom.js';

const LEVEL_COLOUR = {
  ok: 'var(--ok)', warning: 'var(--warning)', alarm: 'var(--alarm)', critical: 'var(--critical)',
  down: 'var(--down)', unknown: 'var(--unknown)',
};
const WORLD = { x: 0, y: 0, w: 360, h: 180 };

// readKML extracts placemarks from a KML document: points (devices and
// networks) and lines (links), coordinates in KML's lon,lat,alt order.
export function readKML(text) {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.querySelector('parsererror')) throw new Error('the server sent KML that does not parse');
  const points = [];
  const lines = [];
  const tuple = (t) => {
    const [lon, lat] = t.split(',').map(Number);
    return Number.isFinite(lon) && Number.isFinite(lat) ? { lon, lat } : null;
  };
  for (const pm of doc.getElementsByTagName('Placemark')) {
    const text = (tag) => pm.getElementsByTagName(tag)[0]?.textContent.trim() || '';
    const name = text('name');
    const style = text('styleUrl').replace(/^#/, '');
    const point = pm.getElementsByTagName('Point')[0];
    const line = pm.getElementsByTagName('LineString')[0];
    if (point) {
      const p = tuple(point.getElementsByTagName('coordinates')[0]?.textContent.trim() || '');
      if (p) points.push({ name, style, description: text('description'), ...p });
    } else if (line) {
      const ps = (line.getElementsByTagName('coordinates')[0]?.textContent || '').trim().split(/\s+/).map(tuple).filter(Boolean);
      if (ps.length >= 2) lines.push({ name, points: ps });
    }
  }
  return { points, lines };
}

// project maps a position to SVG user units.
const project = (p) => ({ x: p.lon + 180, y: 90 - p.lat });

// fitBox is the box around the points, padded, never smaller than a
// city block nor larger than the world.
function fitBox(points) {
  if (!points.length) return WORLD;
  const xs = points.map((p) => project(p).x);
  const ys = points.map((p) => project(p).y);
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const pad = Math.max((x1 - x0) * 0.15, (y1 - y0) * 0.15, 0.01);
  [x0, x1, y0, y1] = [x0 - pad, x1 + pad, y0 - pad, y1 + pad];
  if (x1 - x0 >= 360 || y1 - y0 >= 180) return WORLD;
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

export function worldPage(view, name) {
  const enc = encodeURIComponent;
  const subs = [];
  let box = WORLD;
  let data = { points: [], lines: [] };
  const dots = new Map(); // device name → circle

  const svg = s('svg', { class: 'world-svg', testid: 'world-svg', role: 'img', 'aria-label': `World view of ${name}`,
    preserveAspectRatio: 'xMidYMid meet', style: 'width:100%;height:70vh;background:#eef4fb;border:1px solid var(--border);border-radius:6px' });
  const note = h('p', { class: 'muted', testid: 'world-note', hidden: true });
  const kmlLink = h('a', { href: `/api/v1/maps/${enc(name)}/kml`, download: `${name}.kml`, testid: 'world-kml' }, 'Download KML (Google Earth)');
  view.append(
    h('div', { class: 'toolbar' },
      h('div', { class: 'toolbar-title' },
        h('a', { href: '#/maps', class: 'crumb' }, 'Maps'), h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '/'),
        h('a', { href: `#/map/${enc(name)}`, class: 'crumb' }, name), h('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '/'),
        h('h1', null, 'World')),
      h('div', { class: 'spacer' }),
      h('button', { type: 'button', testid: 'world-fit', onclick: () => zoomTo(fitBox(data.points)) }, 'Fit devices'),
      h('button', { type: 'button', testid: 'world-whole', onclick: () => zoomTo(WORLD) }, 'Whole world'),
      kmlLink),
    note, svg);

  function zoomTo(b) {
    box = b;
    svg.setAttribute('viewBox', `${b.x} ${b.y} ${b.w} ${b.h}`);
    draw();
  }

  // graticule draws parallels and meridians every 30° (finer when zoomed
  // in), labelled at the left and top edges of the view.
  function graticule(unit) {
    const span = Math.max(box.w, box.h);
    const step = [30, 10, 5, 1, 0.5, 0.1, 0.05, 0.01, 0.005, 0.001].find((st) => span / st >= 3 && span / st <= 18) || 30;
    const g = s('g', { class: 'graticule', stroke: '#b9c7d8', 'stroke-width': unit * 0.6, fill: '#667085', 'font-size': unit * 9 });
    const fmt = (v) => String(+v.toFixed(3));
    for (let lon = Math.ceil((box.x - 180) / step) * step; lon <= box.x + box.w - 180; lon += step) {
      const x = lon + 180;
      g.append(s('line', { x1: x, y1: Math.max(0, box.y), x2: x, y2: Math.min(180, box.y + box.h) }),
        s('text', { x: x + unit * 2, y: box.y + unit * 10, stroke: 'none' }, `${fmt(Math.abs(lon))}°${lon < 0 ? 'W' : lon > 0 ? 'E' : ''}`));
    }
    for (let lat = Math.ceil((90 - box.y - box.h) / step) * step; lat <= 90 - box.y; lat += step) {
      const y = 90 - lat;
      g.append(s('line', { x1: Math.max(0, box.x), y1: y, x2: Math.min(360, box.x + box.w), y2: y }),
        s('text', { x: box.x + unit * 2, y: y - unit * 2, stroke: 'none' }, `${fmt(Math.abs(lat))}°${lat < 0 ? 'S' : lat > 0 ? 'N' : ''}`));
    }
    return g;
  }

  function draw() {
    // One user unit is this many SVG units: keeps dots and text the same
    // size on screen at any zoom.
    const px = svg.getBoundingClientRect().width || 900;
    const unit = Math.max(box.w / px, box.h / (px / 2));
    dots.clear();
    const links = data.lines.map((l) => s('polyline', { points: l.points.map((p) => { const q = project(p); return `${q.x},${q.y}`; }).join(' '),
      fill: 'none', stroke: '#475467', 'stroke-width': unit * 1.5 }, s('title', null, l.name)));
    const marks = data.points.map((p) => {
      const q = project(p);
      const isNet = p.style === 'network';
      const c = s('circle', { cx: q.x, cy: q.y, r: unit * (isNet ? 5 : 7), stroke: '#fff', 'stroke-width': unit * 1.5,
        style: `fill:${isNet ? '#5b8def' : LEVEL_COLOUR[p.style] || LEVEL_COLOUR.unknown};cursor:${isNet ? 'default' : 'pointer'}`,
        'data-status': isNet ? null : p.style, testid: isNet ? 'world-network' : 'world-device', 'data-name': p.name },
      s('title', null, isNet ? p.name : `${p.name} — ${levelLabel(p.style)}\n${p.description}`));
      if (!isNet) {
        c.addEventListener('click', () => { location.hash = `#/map/${enc(name)}?device=${enc(p.name)}`; });
        dots.set(p.name, c);
      }
      return s('g', null, c, s('text', { x: q.x + unit * 9, y: q.y + unit * 4, 'font-size': unit * 11, fill: '#1d2939' }, p.name));
    });
    fill(svg, s('rect', { x: 0, y: 0, width: 360, height: 180, fill: '#f8fbff' }), graticule(unit), ...links, ...marks);
  }

  async function load() {
    try {
      const resp = await fetch(`/api/v1/maps/${enc(name)}/kml`, { credentials: 'same-origin', cache: 'no-store', headers: { 'X-Requested-With': 'vantage-ui' } });
      if (!resp.ok) throw new Error(`${resp.status} ${resp.statusText}`);
      data = readKML(await resp.text());
    } catch (err) {
      note.hidden = false;
      note.textContent = `Cannot load the map's positions: ${err.message}`;
      return;
    }
    const devices = data.points.filter((p) => p.style !== 'network').length;
    note.hidden = devices > 0;
    note.textContent = 'No device of this map has a position yet: give devices lat and lon, or give the map two geo benchmarks (x, y, lat, lon) to place them all by their x/y.';
    zoomTo(fitBox(data.points));
  }

  subs.push(stream.on('status', (d) => {
    if (d.map !== name) return;
    const c = dots.get(d.device);
    const p = data.points.find((q) => q.name === d.device && q.style !== 'network');
    if (!c || !p) return;
    p.style = d.status;
    c.dataset.status = d.status;
    c.style.fill = LEVEL_COLOUR[d.status] || LEVEL_COLOUR.unknown;
  }));
  subs.push(stream.on('map', (m) => { if (m.map === name) load(); }));
  subs.push(stream.on('resync', load));
  const onResize = () => draw();
  window.addEventListener('resize', onResize);
  load();

  return {
    destroy() {
      for (const off of subs) off();
      window.removeEventListener('resize', onResize);
    },
  };
}
