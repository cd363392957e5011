// A time-series line chart in plain SVG: axes with "nice" ticks, UTC time labels, one line per
// series (broken where points are further apart than `gap`), a circle per point carrying its raw
// time and value (data-t, data-v, data-series: what the page's browser test reads), and a tooltip
// that follows the pointer or, with the chart focused, the arrow keys.

import { build, element } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 960;
const HEIGHT = 320;
const MARGIN = { top: 24, right: 20, bottom: 34, left: 72 };
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2',
  '#7f7f7f', '#bcbd22'];
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Candidate distances between time ticks; the smallest giving at most `MAX_TIME_TICKS` wins. */
const TIME_STEPS = [SECOND, 5 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 90 * DAY, 365 * DAY];
const MAX_TIME_TICKS = 8;

/**
 * Draws into `figure` (replacing what was there).
 * series: [{ name, points: [{ x: epoch ms, y: number, t: raw time, v: raw value }] }], points in x order;
 * options: { label: what is plotted (for the summary), gap: ms beyond which a line breaks, unit,
 * domain: [start, end] in epoch ms, the time axis (the query's range; default the points' own) }.
 */
export function drawChart(figure, series, { label = 'Values', gap = Infinity, unit = '', domain = null } = {}) {
  figure.replaceChildren();
  const drawn = series.map((s, i) => ({ ...s, color: PALETTE[i % PALETTE.length],
    points: s.points.filter((p) => Number.isFinite(p.y)) }));
  const all = drawn.flatMap((s) => s.points);
  if (all.length === 0) {
    figure.append(element('p', { class: 'empty' }, 'No data in this range.'));
    return;
  }
  const [x0, x1] = domain ?? padded(...extent(all.map((p) => p.x)), MINUTE);
  const [yMin, yMax] = extent(all.map((p) => p.y));
  const yTicks = niceTicks(yMin, yMax);
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const scaleX = (x) => MARGIN.left + ((x - x0) / (x1 - x0)) * (WIDTH - MARGIN.left - MARGIN.right);
  const scaleY = (y) => HEIGHT - MARGIN.bottom - ((y - y0) / (y1 - y0)) * (HEIGHT - MARGIN.top - MARGIN.bottom);

  const summary = `${label}: ${drawn.length} series, ${all.length} points from ${formatFull(x0)} to ${formatFull(x1)}`
    + ` UTC, values from ${formatNumber(yMin)} to ${formatNumber(yMax)}${unit ? ` ${unit}` : ''}.`
    + ' Focus the chart and use the arrow keys to read the points.';
  const svg = svgElement('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': summary,
    tabindex: '0', class: all.length > 400 ? 'dense' : '' });
  svg.append(svgElement('title', {}, summary));
  svg.append(yAxis(yTicks, scaleY), xAxis(timeTicks(x0, x1), scaleX));
  if (unit) svg.append(svgElement('text', { x: MARGIN.left - 8, y: MARGIN.top - 12, 'text-anchor': 'end', class: 'axis unit' }, unit));
  for (const s of drawn) {
    const group = svgElement('g', { class: 'series', 'data-series': s.name, stroke: s.color, fill: s.color });
    group.append(svgElement('path', { d: linePath(s.points, gap, scaleX, scaleY), fill: 'none' }));
    for (const p of s.points) {
      group.append(svgElement('circle', { cx: round(scaleX(p.x)), cy: round(scaleY(p.y)), r: 3,
        'data-t': p.t, 'data-v': p.v, 'data-series': s.name }));
    }
    svg.append(group);
  }
  const marker = svgElement('circle', { class: 'marker', r: 6, visibility: 'hidden' });
  svg.append(marker);
  const tooltip = element('div', { class: 'tooltip', hidden: '' });
  figure.append(svg, tooltip);
  if (drawn.length > 1 || drawn[0].name) figure.append(legend(drawn));
  inspect(svg, marker, tooltip, drawn, scaleX, scaleY, unit);
}

/** Pointer and keyboard reading of single points: the nearest point to the pointer, or arrows. */
function inspect(svg, marker, tooltip, drawn, scaleX, scaleY, unit) {
  let current = null; // { s: series index, i: point index }
  const show = (at) => {
    current = at;
    const s = drawn[at.s];
    const p = s.points[at.i];
    const [cx, cy] = [scaleX(p.x), scaleY(p.y)];
    marker.setAttribute('cx', cx);
    marker.setAttribute('cy', cy);
    marker.setAttribute('stroke', s.color);
    marker.setAttribute('visibility', 'visible');
    tooltip.replaceChildren(element('strong', {}, `${formatFull(p.x)} UTC`),
      element('span', {}, `${s.name ? `${s.name}: ` : ''}${formatNumber(p.y)}${unit ? ` ${unit}` : ''}`));
    tooltip.hidden = false;
    // position in the figure's pixels: the SVG scales with its width
    const scale = svg.getBoundingClientRect().width / WIDTH;
    const left = Math.min(cx * scale + 12, svg.clientWidth - tooltip.offsetWidth - 4);
    tooltip.style.left = `${Math.max(0, left)}px`;
    tooltip.style.top = `${Math.max(0, cy * scale - tooltip.offsetHeight - 10)}px`;
  };
  const hide = () => {
    marker.setAttribute('visibility', 'hidden');
    tooltip.hidden = true;
  };
  svg.addEventListener('pointermove', (event) => {
    const box = svg.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * WIDTH;
    const y = ((event.clientY - box.top) / box.height) * HEIGHT;
    let best = null;
    drawn.forEach((s, si) => s.points.forEach((p, i) => {
      const d = Math.abs(scaleX(p.x) - x) * 4 + Math.abs(scaleY(p.y) - y);
      if (!best || d < best.d) best = { d, s: si, i };
    }));
    show(best);
  });
  svg.addEventListener('pointerleave', hide);
  svg.addEventListener('blur', hide);
  svg.addEventListener('keydown', (event) => {
    const at = current ?? { s: 0, i: -1 };
    const moves = {
      ArrowRight: () => ({ s: at.s, i: Math.min(at.i + 1, drawn[at.s].points.length - 1) }),
      ArrowLeft: () => ({ s: at.s, i: Math.max(at.i - 1, 0) }),
      Home: () => ({ s: at.s, i: 0 }),
      End: () => ({ s: at.s, i: drawn[at.s].points.length - 1 }),
      ArrowDown: () => nearestIn(drawn, (at.s + 1) % drawn.length, at),
      ArrowUp: () => nearestIn(drawn, (at.s - 1 + drawn.length) % drawn.length, at),
      Escape: () => null,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = moves[event.key]();
    if (next && drawn[next.s].points.length > 0) show({ s: next.s, i: Math.max(next.i, 0) });
    else hide();
  });
}

/** In series `s`, the point closest in time to the current one. */
function nearestIn(drawn, s, at) {
  const points = drawn[s].points;
  const x = at.i >= 0 ? drawn[at.s].points[at.i].x : points[0]?.x;
  let best = 0;
  points.forEach((p, i) => { if (Math.abs(p.x - x) < Math.abs(points[best].x - x)) best = i; });
  return { s, i: best };
}

function yAxis(ticks, scaleY) {
  const g = svgElement('g', { class: 'axis y' });
  for (const v of ticks) {
    const y = round(scaleY(v));
    g.append(svgElement('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y, y2: y, class: 'grid' }),
      svgElement('text', { x: MARGIN.left - 8, y, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
        formatNumber(v)));
  }
  return g;
}

function xAxis({ ticks, step }, scaleX) {
  const g = svgElement('g', { class: 'axis x' });
  const base = HEIGHT - MARGIN.bottom;
  g.append(svgElement('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: base, y2: base, class: 'domain' }));
  for (const t of ticks) {
    const x = round(scaleX(t));
    g.append(svgElement('line', { x1: x, x2: x, y1: MARGIN.top, y2: base, class: 'grid' }),
      svgElement('text', { x, y: base + 20, 'text-anchor': 'middle' }, formatTick(t, step)));
  }
  return g;
}

/** Path data joining consecutive points, lifting the pen where they are more than `gap` apart. */
function linePath(points, gap, scaleX, scaleY) {
  return points.map((p, i) => {
    const move = i === 0 || p.x - points[i - 1].x > gap;
    return `${move ? 'M' : 'L'}${round(scaleX(p.x))},${round(scaleY(p.y))}`;
  }).join('');
}

/** A domain that is not empty: a single instant becomes [t - pad, t + pad]. */
function padded(min, max, pad) {
  return min === max ? [min - pad, max + pad] : [min, max];
}

/** Ticks at multiples of 1, 2 or 5 × 10^k covering [min, max], about five of them. */
export function niceTicks(min, max, count = 5) {
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) / 10 : 1;
    [min, max] = [min - pad, max + pad];
  }
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const first = Math.floor(min / step);
  const last = Math.ceil(max / step);
  const ticks = [];
  // integer multiples, so that 0.1 + 0.2 rounding does not creep into the labels
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Time ticks at round UTC instants (minutes, hours, midnights) between x0 and x1. */
export function timeTicks(x0, x1) {
  const step = TIME_STEPS.find((s) => (x1 - x0) / s <= MAX_TIME_TICKS) ?? TIME_STEPS[TIME_STEPS.length - 1];
  const ticks = [];
  for (let t = Math.ceil(x0 / step) * step; t <= x1; t += step) ticks.push(t);
  return { ticks, step };
}

const pad2 = (n) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A tick label as precise as the step needs: dates for days, hh:mm, or hh:mm:ss; UTC. */
export function formatTick(ms, step) {
  const d = new Date(ms);
  const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  if (step >= DAY) return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  if (step < MINUTE) return `${hm}:${pad2(d.getUTCSeconds())}`;
  if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0) return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  return hm;
}

/** 2026-11-30 12:05:00 (UTC). */
export function formatFull(ms) {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Up to six significant digits, without trailing zeros; large and tiny magnitudes in exponent form. */
export function formatNumber(v) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e9 || abs < 1e-4) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
}

const round = (n) => Math.round(n * 10) / 10;

function legend(drawn) {
  const list = element('ul', { class: 'legend' });
  for (const s of drawn) {
    const swatch = element('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = s.color;
    list.append(element('li', {}, swatch, s.name || '(no labels)'));
  }
  return element('figcaption', {}, list);
}

function svgElement(name, attributes = {}, ...children) {
  return build(document.createElementNS(SVG, name), attributes, children);
}

/** [min, max] of numbers, without spreading them into arguments (a long series would overflow the stack). */
function extent(values) {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
