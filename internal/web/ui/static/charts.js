// The charts page: one strip chart (uPlot) of any datasets of any devices
// (#/charts?series=map~device/dataset&series=…&from=…&to=…). Same units
// share an axis, up to two axes; rolled-up data draws a light min–max band
// behind its average line. Dragging across the plot zooms in: the narrower
// range is read again from the server (and goes into the URL, so Back
// zooms out). A range ending now is re-read every 30 s. points=N asks for
// about N points (default: one per two pixels of the plot).

import * as api from './api.js';
import { h, fill, when, deviceID, parseDeviceID } from './dom.js';
import { field, openDialog } from './forms.js';
import { rangeControls, zoomed, keepWidth } from './timerange.js';

const UPLOT_VERSION = '1.6.32';
const UPLOT_JS = 'vendor/uplot/uPlot.iife.min.js';
const UPLOT_CSS = 'vendor/uplot/uPlot.min.css';

export const PRESETS = [['1h', '1 h'], ['6h', '6 h'], ['24h', '24 h'], ['7d', '7 d'], ['30d', '30 d'], ['1y', '1 y']];
const DEFAULT_FROM = '24h';
const LIVE_MS = 30_000;
const MAX_SERIES = 32;
const HEIGHT = 380;
export const COLORS = ['#0f766e', '#2563eb', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#65a30d', '#db2777'];

// ---- uPlot, loaded on first use -------------------------------------------------

let loading = null;

// loadUPlot loads the vendored uPlot (a classic script defining
// window.uPlot) and its stylesheet once.
export function loadUPlot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      document.head.append(h('link', { rel: 'stylesheet', href: UPLOT_CSS }));
      const script = h('script', { src: `${UPLOT_JS}?v=${UPLOT_VERSION}` });
      script.addEventListener('load', () => resolve(window.uPlot));
      script.addEventListener('error', () => {
        loading = null;
        script.remove();
        reject(new Error('cannot load the chart library'));
      });
      document.head.append(script);
    });
  }
  return loading;
}

// ---- values -------------------------------------------------------------------

// guessUnits is a dataset's units when its metadata is not at hand.
export function guessUnits(dataset) {
  if (dataset === 'rtt') return 'ms';
  if (dataset === 'loss') return '%';
  if (dataset === 'cert_days') return 'days';
  if (/_bps$/.test(dataset)) return 'bit/s';
  if (/_util$/.test(dataset)) return '%';
  if (/_errors$/.test(dataset)) return '/min';
  return '';
}

const SI = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
const siUnits = (units) => units === 'bit/s' || units === 'B/s' || units === 'bytes' || units === 'B';

function num(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(3)));
}

// formatUnits renders a value with its units: "12.3 ms", "4.56 Mbit/s", "7 %".
export function formatUnits(v, units) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (siUnits(units)) {
    const p = SI.find(([d]) => Math.abs(v) >= d);
    return p ? `${num(v / p[0])} ${p[1]}${units}` : `${num(v)} ${units}`;
  }
  return units ? `${num(v)} ${units}` : num(v);
}

// axisValue is a tick label: the number only (the axis names the units),
// with k/M/G for rates.
function axisValue(v, units) {
  if (v === null || v === undefined) return '';
  if (siUnits(units)) {
    const p = SI.find(([d]) => Math.abs(v) >= d);
    return p ? `${num(v / p[0])}${p[1]}` : num(v);
  }
  return num(v);
}

// describe says what a chart's points are.
export function describe(c) {
  const band = ', min/max band';
  switch (c.resolution) {
    case '5m': return `5-minute averages${band}`;
    case '1h': return `hourly averages${band}`;
    case '1d': return `daily averages${band}`;
    default:
      if (c.step_s > 0) return `raw samples averaged over ${stepText(c.step_s)}${band}`;
      return 'raw samples';
  }
}

function stepText(s) {
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${+(s / 60).toFixed(1)} min`;
  return `${+(s / 3600).toFixed(1)} h`;
}

// rolledUp: each point stands for several samples, so min and max differ
// from the average and the band is worth drawing.
const rolledUp = (c) => c.resolution !== 'raw' || c.step_s > 0 || c.points.some((p) => p.count > 1);

// stats are a chart's min, average (weighted by samples) and max.
export function stats(points) {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (const p of points) {
    min = Math.min(min, p.min);
    max = Math.max(max, p.max);
    const w = p.count > 0 ? p.count : 1;
    sum += p.avg * w;
    n += w;
  }
  return n ? { min, avg: sum / n, max } : null;
}

// ---- the URL ------------------------------------------------------------------

// Characters left readable in the page's URL.
const tidy = (v) => encodeURIComponent(v).replace(/%2F/gi, '/').replace(/%3A/gi, ':');

// chartsHash is the page's address for a state {series, from, to, rfrom, rto}.
export function chartsHash(st) {
  const parts = (st.series || []).map((s) => `series=${tidy(s)}`);
  for (const k of ['from', 'to', 'rfrom', 'rto', 'points']) if (st[k]) parts.push(`${k}=${tidy(String(st[k]))}`);
  return `#/charts${parts.length ? '?' + parts.join('&') : ''}`;
}

function readState(params) {
  const series = [];
  for (const s of params.getAll('series')) if (s.includes('/') && !series.includes(s)) series.push(s);
  return {
    series: series.slice(0, MAX_SERIES),
    from: params.get('from') || DEFAULT_FROM,
    to: params.get('to') === 'now' ? '' : params.get('to') || '',
    rfrom: params.get('rfrom') || '',
    rto: params.get('rto') || '',
    points: Math.min(5000, Math.max(0, Math.round(Number(params.get('points')) || 0))) || 0,
  };
}

// splitSeries reads map~device/dataset.
export function splitSeries(spec) {
  const i = spec.indexOf('/');
  const id = spec.slice(0, i);
  const dataset = spec.slice(i + 1);
  const { map, device } = parseDeviceID(id);
  return { id, map, device, dataset };
}


function rgba(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

// ---- the page -------------------------------------------------------------------

// The last chart shown in this tab: the nav link (no series) opens it again.
const LAST = 'vantage.lastChart';
function lastChart() {
  try {
    return sessionStorage.getItem(LAST) || '';
  } catch {
    return '';
  }
}
function keepLastChart(hash) {
  try {
    if (hash) sessionStorage.setItem(LAST, hash);
    else sessionStorage.removeItem(LAST);
  } catch {
    // Storage off: the nav link opens an empty chart.
  }
}

export function chartsPage(view, params) {
  const lastHash = lastChart();
  if (!params.getAll('series').length && lastHash.startsWith('#/charts?')) {
    history.replaceState(null, '', lastHash);
    params = new URLSearchParams(lastHash.split('?')[1] || '');
  }
  let st = readState(params);
  let destroyed = false;
  let plot = null;          // the uPlot instance
  let plotKey = '';         // what the plot was built for (series, units, bands)
  let liveTimer = 0;
  let loadSeq = 0;
  let answers = [];         // the last charts read, one per series
  let range = [0, 0];       // the x range shown, Unix seconds
  const metas = new Map();  // device id → Promise of its datasets

  const title = h('h1', null, 'Charts');
  const resolution = h('span', { class: 'chart-resolution muted', testid: 'chart-resolution', 'aria-live': 'polite' });
  const live = h('span', { class: 'chart-live', testid: 'chart-live', hidden: true, title: 'The range ends now; the chart is read again every 30 s' }, 'Live');
  const ranges = rangeControls('chart', PRESETS, {
    preset: (v) => go({ series: st.series, points: st.points, from: v }),
    apply: (from, to) => go({ series: st.series, points: st.points, from, to }),
    reset: resetZoom,
    error: showError,
  });
  const addBtn = h('button', { type: 'button', class: 'primary', testid: 'chart-add', onclick: addDataset }, 'Add dataset…');
  const csv = h('a', { class: 'button-link', testid: 'chart-csv', download: 'vantage-chart.csv', title: 'The points of this chart as CSV' }, 'CSV');
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'chart-error', hidden: true });
  const plotEl = h('div', { class: 'chart-plot', testid: 'chart' });
  const empty = h('div', { class: 'empty-note chart-empty', testid: 'chart-empty', hidden: true },
    'No datasets in this chart yet. Use “Add dataset…”, or open a device’s status window on a map and pick one under Charts.');
  const cursorHead = h('th', { scope: 'col', class: 'num' }, 'At cursor');
  const legendBody = h('tbody');
  const legend = h('table', { class: 'table chart-legend', testid: 'chart-legend' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Colour')),
      h('th', { scope: 'col' }, 'Dataset'), h('th', { scope: 'col' }, 'Units'),
      h('th', { scope: 'col', class: 'num' }, 'Min'), h('th', { scope: 'col', class: 'num' }, 'Avg'), h('th', { scope: 'col', class: 'num' }, 'Max'),
      cursorHead, h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    legendBody);


  fill(view, h('section', { class: 'page charts-page', testid: 'charts-page' },
    h('div', { class: 'page-head' }, title, resolution, live),
    h('div', { class: 'chart-toolbar' },
      ranges.presetGroup,
      ranges.rangeForm,
      ranges.resetBtn,
      h('span', { class: 'spacer' }),
      addBtn, csv),
    error,
    h('div', { class: 'chart-box' }, plotEl, empty),
    h('p', { class: 'help chart-hint' }, 'Drag across the chart to zoom in; Back or “Reset zoom” zooms out.'),
    h('div', { class: 'table-wrap' }, legend)));
  document.title = 'Charts — Vantage';

  const resize = keepWidth(plotEl, () => plot, HEIGHT);

  function showError(msg) {
    error.textContent = msg;
    error.hidden = !msg;
  }

  // go moves to another state: a new history entry, so Back returns.
  function go(next) {
    const hash = chartsHash(next);
    if (hash === location.hash) load();
    else location.hash = hash;
  }

  function resetZoom() {
    go({ series: st.series, points: st.points, from: st.rfrom || DEFAULT_FROM, to: st.rto });
  }

  function zoom(a, b) {
    go({ series: st.series, points: st.points, ...zoomed(st, a, b) });
  }

  function removeSeries(i) {
    go({ ...st, series: st.series.filter((_, j) => j !== i) });
  }

  // ---- reading ----

  function datasetsOf(id) {
    if (!metas.has(id)) metas.set(id, api.datasets(id).catch(() => []));
    return metas.get(id);
  }

  async function metaOf(spec) {
    const s = splitSeries(spec);
    const list = await datasetsOf(s.id);
    const m = list.find((x) => x.dataset === s.dataset);
    return {
      ...s,
      label: m ? m.label || s.dataset : s.dataset,
      units: m && m.units !== undefined ? m.units || '' : guessUnits(s.dataset),
      iface: m ? m.interface || '' : '',
    };
  }

  function syncControls() {
    const isLive = !st.to;
    ranges.show(st, isLive);
    live.hidden = !isLive;
    addBtn.disabled = st.series.length >= MAX_SERIES;
    csv.hidden = !st.series.length;
    csv.href = st.series.length ? api.chartsURL(st.series, { from: st.from, to: st.to, points: st.points || '', format: 'csv' }) : '';
    clearInterval(liveTimer);
    liveTimer = isLive && st.series.length ? setInterval(load, LIVE_MS) : 0;
  }

  async function load() {
    const seq = ++loadSeq;
    keepLastChart(st.series.length ? chartsHash(st) : '');
    syncControls();
    if (!st.series.length) {
      showError('');
      dropPlot();
      empty.hidden = false;
      plotEl.hidden = true;
      resolution.textContent = '';
      fill(legendBody);
      legend.hidden = true;
      return;
    }
    empty.hidden = true;
    plotEl.hidden = false;
    legend.hidden = false;
    const points = st.points || Math.max(100, Math.min(1000, Math.round((plotEl.clientWidth || 1200) / 2)));
    let got;
    let meta;
    let U;
    try {
      [got, meta, U] = await Promise.all([
        api.charts(st.series, { from: st.from, to: st.to, points }),
        Promise.all(st.series.map(metaOf)),
        loadUPlot(),
      ]);
    } catch (err) {
      if (seq !== loadSeq || destroyed || err.status === 401) return;
      showError(`Cannot read the chart: ${err.message}`);
      // The series stay listed, so a bad one can be removed.
      dropPlot();
      fill(legendBody, st.series.map((spec, i) => h('tr', { testid: `chart-series-${i}`, dataset: { spec } },
        h('td'), h('td', { colspan: 6, class: 'mono' }, spec),
        h('td', { class: 'row-actions' }, h('button', {
          type: 'button', class: 'icon-btn', 'aria-label': `Remove ${spec}`, testid: `chart-remove-${i}`, onclick: () => removeSeries(i),
        }, '×')))));
      return;
    }
    if (seq !== loadSeq || destroyed) return;
    showError('');
    answers = got.map((c, i) => ({ ...c, meta: meta[i], rolled: rolledUp(c), color: COLORS[i % COLORS.length] }));
    draw(U);
  }

  // ---- drawing ----

  function dropPlot() {
    if (plot) plot.destroy();
    plot = null;
    plotKey = '';
  }

  // build turns the charts into uPlot's columns: x (Unix seconds), then
  // each rolled-up series' min and max (the bands, drawn first), then
  // each series' average. A gap in the samples becomes a gap in the line.
  function build() {
    const cols = answers.map((c) => {
      const ts = [];
      const avg = [];
      const min = [];
      const max = [];
      const pts = c.points.map((p) => ({ ...p, t: Date.parse(p.t) / 1000 }));
      const deltas = pts.slice(1).map((p, i) => p.t - pts[i].t).sort((a, b) => a - b);
      const typical = Math.max(c.step_s || 0, deltas.length ? deltas[Math.floor(deltas.length / 2)] : 0);
      pts.forEach((p, i) => {
        if (i && typical && p.t - pts[i - 1].t > 3 * typical) {
          ts.push(pts[i - 1].t + typical);
          avg.push(null);
          min.push(null);
          max.push(null);
        }
        ts.push(p.t);
        avg.push(p.avg);
        min.push(p.min);
        max.push(p.max);
      });
      return { ts, avg, min, max };
    });
    const xs = [...new Set(cols.flatMap((c) => c.ts))].sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const column = (c, key) => {
      // undefined: this series has no point there (the line goes on);
      // null: a gap.
      const out = new Array(xs.length).fill(undefined);
      c.ts.forEach((t, i) => { out[at.get(t)] = c[key][i]; });
      return out;
    };
    const data = [xs];
    const bands = [];
    answers.forEach((c, i) => {
      if (!c.rolled) return;
      c.minIdx = data.length;
      data.push(column(cols[i], 'min'));
      c.maxIdx = data.length;
      data.push(column(cols[i], 'max'));
      bands.push({ series: [c.maxIdx, c.minIdx], fill: rgba(c.color, 0.16) });
    });
    answers.forEach((c, i) => {
      c.avgIdx = data.length;
      data.push(column(cols[i], 'avg'));
    });
    return { data, bands };
  }

  function draw(U) {
    const c0 = answers[0];
    range = [Date.parse(c0.from) / 1000, Date.parse(c0.to) / 1000];
    ranges.show(st, !st.to, c0);
    const texts = [...new Set(answers.map(describe))];
    resolution.textContent = texts.length === 1 ? texts[0][0].toUpperCase() + texts[0].slice(1) : 'Resolution per dataset below';
    resolution.title = `${when(c0.from)} to ${when(c0.to)}`;

    // One scale per units, in order of appearance; the first two get axes.
    const unitList = [...new Set(answers.map((c) => c.meta.units))];
    for (const c of answers) c.scale = `y${unitList.indexOf(c.meta.units)}`;

    const { data, bands } = build();
    const key = JSON.stringify([st.series, answers.map((c) => [c.scale, c.rolled])]);
    if (plot && key === plotKey) {
      plot.setData(data);
    } else {
      dropPlot();
      const series = [{ label: 'Time' }];
      for (const c of answers) {
        if (!c.rolled) continue;
        for (const what of ['min', 'max']) {
          series.push({ label: `${c.meta.device} ${c.meta.label} ${what}`, scale: c.scale, stroke: rgba(c.color, 0.35), width: 0.5, points: { show: false } });
        }
      }
      for (const c of answers) {
        series.push({ label: `${c.meta.device} ${c.meta.label}`, scale: c.scale, stroke: c.color, width: 1.75, points: { show: false } });
      }
      const scales = { x: { time: true, range: () => range } };
      unitList.forEach((u, i) => {
        scales[`y${i}`] = {
          range: (self, lo, hi) => {
            if (lo === null || hi === null || lo === undefined) return [0, 1];
            const low = Math.min(0, lo);
            const top = u === '%' ? Math.max(hi, 1) : hi;
            return [low, top > low ? top + (top - low) * 0.08 : low + 1];
          },
        };
      });
      const axes = [{ stroke: '#667085', grid: { stroke: '#eceef2' }, ticks: { stroke: '#d7dae0' } }];
      unitList.slice(0, 2).forEach((u, i) => axes.push({
        scale: `y${i}`, side: i ? 1 : 3, label: u || 'value', labelSize: 18, size: 58,
        stroke: '#667085', grid: { show: i === 0, stroke: '#eceef2' }, ticks: { stroke: '#d7dae0' },
        values: (self, splits) => splits.map((v) => axisValue(v, u)),
      }));
      plot = new U({
        width: plotEl.clientWidth || 900,
        height: HEIGHT,
        series,
        bands,
        scales,
        axes,
        legend: { show: false },
        cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
        hooks: {
          setSelect: [(u) => {
            if (u.select.width < 4) return;
            const a = u.posToVal(u.select.left, 'x');
            const b = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoom(a, b);
          }],
          setCursor: [(u) => showCursor(u)],
        },
      }, data, plotEl);
      plotKey = key;
      plotEl.querySelector('.u-over')?.setAttribute('data-testid', 'chart-over');
      plotEl.querySelector('canvas')?.setAttribute('aria-label', 'Strip chart');
      plotEl.querySelector('canvas')?.setAttribute('role', 'img');
    }
    plotEl.dataset.series = String(answers.length);
    plotEl.dataset.axes = unitList.slice(0, 2).join(' ');
    plotEl.dataset.bands = String(answers.filter((c) => c.rolled).length);
    plotEl.dataset.from = c0.from;
    plotEl.dataset.to = c0.to;
    renderLegend(unitList);
  }

  function renderLegend(unitList) {
    const maps = new Set(answers.map((c) => c.meta.map));
    fill(legendBody, answers.map((c, i) => {
      const s = stats(c.points);
      const png = `/api/v1/charts/${encodeURIComponent(c.meta.id)}/${encodeURIComponent(c.meta.dataset)}/png?` +
        new URLSearchParams({ from: st.from, ...(st.to ? { to: st.to } : {}), width: '900', height: '300' });
      const noAxis = unitList.indexOf(c.meta.units) >= 2;
      return h('tr', { testid: `chart-series-${i}`, dataset: { spec: st.series[i] } },
        h('td', null, h('span', { class: 'series-swatch', style: `background:${c.color}` })),
        h('td', null,
          h('strong', null, `${c.meta.device} `),
          c.meta.label,
          maps.size > 1 ? h('span', { class: 'muted' }, ` on ${c.meta.map}`) : null,
          h('div', { class: 'muted small mono' }, c.meta.dataset,
            resNote(c), noAxis ? ' · no axis (a chart shows two units)' : '')),
        h('td', null, c.meta.units || '—'),
        h('td', { class: 'num', testid: `chart-min-${i}` }, s ? formatUnits(s.min, c.meta.units) : '—'),
        h('td', { class: 'num', testid: `chart-avg-${i}` }, s ? formatUnits(s.avg, c.meta.units) : '—'),
        h('td', { class: 'num', testid: `chart-max-${i}` }, s ? formatUnits(s.max, c.meta.units) : '—'),
        h('td', { class: 'num cursor-value', testid: `chart-cursor-${i}` }, ''),
        h('td', { class: 'row-actions' },
          h('a', { href: png, class: 'small-link', target: '_blank', rel: 'noopener', testid: `chart-png-${i}`, title: 'This dataset as a PNG picture' }, 'PNG'),
          h('button', { type: 'button', class: 'icon-btn', 'aria-label': `Remove ${c.meta.device} ${c.meta.label}`, testid: `chart-remove-${i}`, onclick: () => removeSeries(i) }, '×')));
    }));
    if (plot) showCursor(plot);
  }

  // resNote names a series' resolution when the series differ.
  function resNote(c) {
    const all = new Set(answers.map(describe));
    return all.size > 1 ? ` · ${describe(c)}` : '';
  }

  function showCursor(u) {
    const idx = u.cursor.idx;
    const t = idx === null || idx === undefined || !u.data ? undefined : u.data[0][idx];
    const has = Number.isFinite(t);
    cursorHead.textContent = has ? `At ${when(new Date(t * 1000).toISOString()).slice(11)}` : 'At cursor';
    answers.forEach((c, i) => {
      const cell = legendBody.querySelector(`[data-testid="chart-cursor-${i}"]`);
      if (!cell) return;
      if (!has) {
        cell.textContent = '';
        return;
      }
      // The nearest point of this series at or before the cursor.
      const ys = u.data[c.avgIdx];
      let j = idx;
      while (j >= 0 && ys[j] === undefined) j--;
      cell.textContent = j >= 0 && ys[j] !== null ? formatUnits(ys[j], c.meta.units) : '—';
    });
  }

  // ---- the dataset picker ----

  async function addDataset() {
    const first = st.series.length ? splitSeries(st.series[0]) : null;
    const mapSel = h('select', { testid: 'chart-pick-map', required: true }, h('option', { value: '' }, 'Loading…'));
    const devSel = h('select', { testid: 'chart-pick-device', required: true, disabled: true });
    const dsSel = h('select', { testid: 'chart-pick-dataset', required: true, disabled: true });
    const note = h('p', { class: 'help', testid: 'chart-pick-note', 'aria-live': 'polite' });
    let devices = [];
    let sets = [];

    async function loadMaps() {
      let list = [];
      try {
        list = (await api.maps()).map((m) => m.name).sort((a, b) => a.localeCompare(b));
      } catch (err) {
        note.textContent = err.message;
      }
      fill(mapSel, list.length ? list.map((n) => h('option', { value: n, selected: first && first.map === n }, n)) : h('option', { value: '' }, 'No maps'));
      await loadDevices();
    }
    async function loadDevices() {
      devSel.disabled = true;
      fill(devSel, h('option', { value: '' }, 'Loading…'));
      devices = [];
      if (mapSel.value) {
        try {
          devices = (await api.mapDevices(mapSel.value)).slice().sort((a, b) => a.name.localeCompare(b.name));
        } catch (err) {
          note.textContent = err.message;
        }
      }
      fill(devSel, devices.length ? devices.map((d) => h('option', { value: d.name }, d.name)) : h('option', { value: '' }, 'No devices'));
      devSel.disabled = !devices.length;
      await loadSets();
    }
    async function loadSets() {
      dsSel.disabled = true;
      fill(dsSel, h('option', { value: '' }, 'Loading…'));
      sets = [];
      const d = devices.find((x) => x.name === devSel.value);
      if (d) {
        const id = d.id || deviceID(mapSel.value, d.name);
        try {
          sets = await api.datasets(id);
          metas.set(id, Promise.resolve(sets));
        } catch (err) {
          note.textContent = err.message;
        }
      }
      const unitsNow = new Set(answers.map((c) => c.meta.units));
      fill(dsSel, sets.length
        ? sets.map((m) => h('option', { value: m.dataset }, `${m.label || m.dataset}${m.units ? ` (${m.units})` : ''}${m.dataset !== m.label ? ` — ${m.dataset}` : ''}`))
        : h('option', { value: '' }, 'Nothing recorded yet'));
      dsSel.disabled = !sets.length;
      note.textContent = unitsNow.size >= 2 ? `This chart already has two units (${[...unitsNow].join(', ')}); a third has no axis of its own.` : '';
    }
    mapSel.addEventListener('change', loadDevices);
    devSel.addEventListener('change', loadSets);
    loadMaps();

    const spec = await openDialog('Add dataset', 'chart-pick', () => [
      field('chart-pick-map', 'Map', mapSel),
      field('chart-pick-device', 'Device', devSel),
      field('chart-pick-dataset', 'Dataset', dsSel),
      note,
    ], 'Add', async () => {
      const d = devices.find((x) => x.name === devSel.value);
      if (!d || !dsSel.value) throw new Error('Choose a map, a device and one of its datasets.');
      const s = `${d.id || deviceID(mapSel.value, d.name)}/${dsSel.value}`;
      if (st.series.includes(s)) throw new Error('That dataset is already in the chart.');
      return s;
    });
    if (spec && !destroyed) go({ ...st, series: [...st.series, spec] });
  }

  load();

  return {
    route: 'charts',
    // update follows a new address of this page (zoom, Back, presets)
    // without rebuilding it.
    update(p) {
      st = readState(p);
      load();
    },
    destroy() {
      destroyed = true;
      clearInterval(liveTimer);
      resize.disconnect();
      dropPlot();
    },
  };
}
