// The time-range controls the Charts and Flows pages share: preset
// buttons ("the last 6 h"), a From/To form, "Reset zoom", and the range a
// drag across a chart zooms to. Each page keeps its own state and address;
// these only build the controls and call back.

import { h } from './dom.js';
import { field } from './forms.js';

// iso is an RFC 3339 UTC time of Unix seconds, without milliseconds.
export const iso = (sec) => new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

// toLocalInput is a datetime-local input's value for a date.
export function toLocalInput(date) {
  if (Number.isNaN(date.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}`;
}

// fromLocalInput is an RFC 3339 time of a datetime-local value, or ''.
export function fromLocalInput(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// rangeControls builds the controls, their test ids starting with prefix
// ("chart", "flows"): on.preset(v) for a preset, on.apply(from, to) for
// the form (checked first: on.error(msg) otherwise), on.reset() for Reset
// zoom. show(st) marks the preset in use and shows Reset zoom when zoomed.
export function rangeControls(prefix, presets, on) {
  const presetBtns = presets.map(([v, label]) => h('button', {
    type: 'button', class: 'toggle', testid: `${prefix}-preset-${v}`, 'aria-pressed': 'false',
    title: `The last ${label.replace(' ', '\u00a0')}`, onclick: () => on.preset(v),
  }, label));
  const fromInput = h('input', { type: 'datetime-local', testid: `${prefix}-from` });
  const toInput = h('input', { type: 'datetime-local', testid: `${prefix}-to`, title: 'Empty: now' });
  const resetBtn = h('button', { type: 'button', testid: `${prefix}-reset-zoom`, hidden: true, onclick: () => on.reset() }, 'Reset zoom');
  const rangeForm = h('form', { class: 'chart-custom', testid: `${prefix}-range-form` },
    field(`${prefix}-from`, 'From', fromInput),
    field(`${prefix}-to`, 'To', toInput),
    h('button', { type: 'submit', testid: `${prefix}-apply` }, 'Apply'));
  rangeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const from = fromLocalInput(fromInput.value);
    const to = fromLocalInput(toInput.value);
    if (!from) return on.error('From: choose a date and time.');
    if (to && Date.parse(to) <= Date.parse(from)) return on.error('To must be after From.');
    on.apply(from, to);
  });
  const presetGroup = h('div', { class: 'tool-group', role: 'group', 'aria-label': 'Time range' }, presetBtns);
  return {
    presetGroup, rangeForm, resetBtn,
    // show reflects a page state: live (the range ends now) with st.from a
    // preset, zoomed when st.rfrom is set; shown is the range read, in ms.
    show(st, isLive, shown) {
      for (const b of presetBtns) b.setAttribute('aria-pressed', String(isLive && b.dataset.testid === `${prefix}-preset-${st.from}`));
      resetBtn.hidden = !st.rfrom;
      if (shown) {
        fromInput.value = toLocalInput(new Date(shown.from));
        toInput.value = st.to ? toLocalInput(new Date(shown.to)) : '';
      }
    },
  };
}

// zoomed is the state a drag from a to b (Unix seconds) zooms to: at
// least 10 s wide, remembering in rfrom/rto the range zooming started
// from, for Reset zoom.
export function zoomed(st, a, b) {
  let from = Math.floor(a);
  let to = Math.ceil(b);
  if (to - from < 10) {
    const mid = (from + to) / 2;
    from = Math.floor(mid - 5);
    to = Math.ceil(mid + 5);
  }
  return { from: iso(from), to: iso(to), rfrom: st.rfrom || st.from, rto: st.rfrom ? st.rto : st.to };
}

// keepWidth resizes the plot (plot() returns it, or null) to its box.
export function keepWidth(plotEl, plot, height) {
  const resize = new ResizeObserver(() => {
    const p = plot();
    if (p && plotEl.clientWidth) p.setSize({ width: plotEl.clientWidth, height });
  });
  resize.observe(plotEl);
  return resize;
}
