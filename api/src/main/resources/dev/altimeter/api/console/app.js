// The console: wires the page's controls to the API, whose calls all carry the user's credentials:
// GET v2/meters?unique=true (the meter list), GET v2/meters/{name} (its latest samples' resources
// and projects, as suggestions), GET v2/meters/{name}/statistics (chart and table) and
// GET api/v1/query_range (the PromQL graph). The controls' state lives in the URL's fragment, so a
// view can be bookmarked or shared (never the token).

import { ApiError, apiUrl, describe, getJson, token } from './api.js';
import { drawChart, formatFull, formatNumber } from './chart.js';
import { Combobox } from './combobox.js';
import { element } from './dom.js';

const $ = (id) => document.getElementById(id);
/** Statistics periods the "Auto" choice picks from, in seconds: the first giving at most 120 points. */
const PERIODS = [60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 604800];
const MAX_POINTS = 120;
/** Prometheus's graph page: a step of range / 250, at least a second. */
const PROMQL_RESOLUTION = 250;
/** Controls whose values make up the URL fragment, by fragment key. */
const STATE = { m: 'meter', r: 'resource', p: 'project', range: 'range', from: 'from', to: 'to', period: 'period',
  stat: 'statistic', q: 'expr', step: 'step' };

/** The most meter definitions listed, and recent samples read for a meter's resource and project suggestions. */
const MAX_METERS = 10000;
const SUGGESTION_SAMPLES = 1000;
const latest = { stats: 0, promql: 0 };
const combobox = new Combobox($('meter'), $('meter-list'), () => {
  fillFilters();
  showStatistics();
});

class InputError extends Error {}

// --- time ---------------------------------------------------------------------------------------

/** The chosen range as epoch milliseconds [start, end), whole seconds. */
function timeRange() {
  if ($('range').value === 'custom') {
    const start = parseUtc($('from').value);
    const end = parseUtc($('to').value);
    if (Number.isNaN(start) || Number.isNaN(end)) throw new InputError('Enter both ends of the custom range.');
    if (start >= end) throw new InputError('The range must start before it ends.');
    return { start, end };
  }
  const end = Math.floor(Date.now() / 1000) * 1000;
  return { start: end - Number($('range').value) * 1000, end };
}

/** The range, or null after showing why it is not one in the section's error box (cleared otherwise). */
function checkedRange(section) {
  try {
    showError(`${section}-error`, null);
    return timeRange();
  } catch (e) {
    done(section, () => showError(`${section}-error`, e.message));
    return null;
  }
}

/** A datetime-local value or an API timestamp without offset, read as UTC. */
const parseUtc = (text) => (text ? Date.parse(`${text}Z`) : NaN);
/** The API's timestamp form: ISO 8601 without offset, which it reads as UTC. */
const isoUtc = (ms) => new Date(ms).toISOString().slice(0, 19);

function statisticsPeriod({ start, end }) {
  const chosen = $('period').value;
  if (chosen !== 'auto') return Number(chosen);
  const seconds = (end - start) / 1000;
  return PERIODS.find((p) => seconds / p <= MAX_POINTS) ?? PERIODS[PERIODS.length - 1];
}

// --- meters -------------------------------------------------------------------------------------

async function loadMeters() {
  setStatus('Loading meters…');
  let meters;
  try {
    // one entry per meter definition (name, type, unit), not per resource: every name fits
    meters = await getJson(apiUrl('v2/meters', [['unique', 'true'], ['limit', String(MAX_METERS)]]));
  } catch (e) {
    failed(e, null);
    return false;
  }
  const byName = new Map();
  for (const m of meters) byName.set(m.name, [...(byName.get(m.name) ?? []), `${m.type}, ${m.unit}`]);
  combobox.setOptions([...byName.keys()].sort().map((value) => ({ value, detail: byName.get(value).join('; ') })));
  const more = meters.length >= MAX_METERS ? ` (the first ${MAX_METERS})` : '';
  setStatus(`${byName.size} meters${more}. Type in the Meter field to search, arrow keys to choose, Enter to pick.`);
  return true;
}

/**
 * The resource and project suggestions: those among the chosen meter's latest samples. Only
 * suggestions (any value can be typed), so a failure leaves them empty and says nothing.
 */
async function fillFilters() {
  const name = $('meter').value.trim();
  const fill = (list, values) => $(list).replaceChildren(
    ...[...new Set(values)].filter(Boolean).sort().map((value) => element('option', { value })));
  let samples = [];
  if (name) {
    try {
      samples = await getJson(apiUrl(`v2/meters/${encodeURIComponent(name)}`, [['limit', String(SUGGESTION_SAMPLES)]]));
    } catch {
      // no suggestions
    }
  }
  if (name !== $('meter').value.trim()) return; // another meter was chosen meanwhile
  fill('resource-list', samples.map((s) => s.resource_id));
  fill('project-list', samples.map((s) => s.project_id));
}

// --- statistics ---------------------------------------------------------------------------------

async function showStatistics() {
  const name = $('meter').value.trim();
  if (!name) return;
  const call = ++latest.stats;
  const range = checkedRange('stats');
  if (!range) return;
  const period = statisticsPeriod(range);
  const params = [];
  for (const [field, id] of [['resource_id', 'resource'], ['project_id', 'project']]) {
    const value = $(id).value.trim();
    if (value) params.push(['q.field', field], ['q.op', 'eq'], ['q.value', value]);
  }
  params.push(['q.field', 'timestamp'], ['q.op', 'ge'], ['q.value', isoUtc(range.start)],
    ['q.field', 'timestamp'], ['q.op', 'lt'], ['q.value', isoUtc(range.end)], ['period', String(period)]);
  const url = apiUrl(`v2/meters/${encodeURIComponent(name)}/statistics`, params);
  $('stats-request').textContent = describe(url);
  saveState();
  $('stats').setAttribute('aria-busy', 'true');
  let rows;
  try {
    rows = await getJson(url);
  } catch (e) {
    if (call === latest.stats) done('stats', () => failed(e, 'stats'));
    return;
  }
  if (call !== latest.stats) return; // a newer query was asked for meanwhile
  done('stats', () => statisticsView(name, period, range, rows));
}

function statisticsView(name, period, range, rows) {
  const statistic = $('statistic').value;
  const label = $('statistic').selectedOptions[0].textContent;
  const unit = rows.find((r) => r.unit)?.unit ?? '';
  const points = rows.filter((r) => typeof r[statistic] === 'number')
    .map((r) => ({ x: parseUtc(r.period_start), y: r[statistic], t: r.period_start, v: String(r[statistic]) }))
    .sort((a, b) => a.x - b.x);
  drawChart($('stats-chart'), [{ name: '', points }],
    { label: `${label} of ${name} per ${period} s`, gap: period * 1000 * 1.5, unit, domain: [range.start, range.end] });
  statisticsTable(name, period, rows);
  setStatus(`${name}: ${rows.length} periods of ${period} s.`);
}

function statisticsTable(name, period, rows) {
  $('stats-caption').textContent = `Statistics of ${name}, ${rows.length} periods of ${period} s (times in UTC)`;
  const time = (text) => (text ? element('time', { datetime: `${text}Z` }, formatFull(parseUtc(text))) : '—');
  const number = (v) => (typeof v === 'number' ? element('data', { value: String(v) }, formatNumber(v)) : '—');
  $('stats-table').tBodies[0].replaceChildren(...rows.map((r) => element('tr', {},
    element('th', { scope: 'row' }, time(r.period_start)), element('td', {}, time(r.period_end)),
    ...['count', 'min', 'max', 'avg', 'sum'].map((f) => element('td', { class: 'num', 'data-field': f }, number(r[f]))),
    element('td', {}, r.unit ?? ''))));
}

// --- PromQL -------------------------------------------------------------------------------------

async function runPromql() {
  const expr = $('expr').value.trim();
  if (!expr) return;
  const call = ++latest.promql;
  const range = checkedRange('promql');
  if (!range) return;
  const step = Number($('step').value) || Math.max(Math.floor((range.end - range.start) / 1000 / PROMQL_RESOLUTION), 1);
  const url = apiUrl('api/v1/query_range', [['query', expr], ['start', String(range.start / 1000)],
    ['end', String(range.end / 1000)], ['step', String(step)]]);
  $('promql-request').textContent = describe(url);
  saveState();
  $('promql').setAttribute('aria-busy', 'true');
  let body;
  try {
    body = await getJson(url);
    if (body?.data?.resultType !== 'matrix' || !Array.isArray(body.data.result)) {
      throw new ApiError(200, `Expected a matrix from query_range, got ${body?.data?.resultType ?? 'no data'}`);
    }
  } catch (e) {
    if (call === latest.promql) done('promql', () => failed(e, 'promql'));
    return;
  }
  if (call !== latest.promql) return;
  done('promql', () => promqlView(expr, step, range, body));
}

function promqlView(expr, step, range, body) {
  const series = body.data.result.map((r) => ({
    name: seriesName(r.metric ?? {}),
    points: r.values.map(([t, v]) => ({ x: t * 1000, y: sampleValue(v), t: String(t), v })),
  }));
  drawChart($('promql-chart'), series, { label: expr, gap: step * 1000 * 1.5, domain: [range.start, range.end] });
  const warnings = body.warnings?.length ? ` Warnings: ${body.warnings.join('; ')}` : '';
  setStatus(`PromQL: ${series.length} series, step ${step} s.${warnings}`);
}

/** Prometheus's way of writing a series: name{label="value", ...}, labels in name order. */
function seriesName(metric) {
  const labels = Object.keys(metric).filter((k) => k !== '__name__').sort()
    .map((k) => `${k}=${JSON.stringify(metric[k])}`);
  return `${metric.__name__ ?? ''}{${labels.join(', ')}}`;
}

/** Prometheus's sample values are strings: numbers, NaN, +Inf or -Inf. */
function sampleValue(v) {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

// --- messages and credentials -------------------------------------------------------------------

/** Shows the answer to a section's latest request, then marks the section as no longer busy. */
function done(section, show) {
  try {
    show();
  } finally {
    $(section).setAttribute('aria-busy', 'false');
  }
}

function setStatus(text) {
  $('status').textContent = text;
}

function showError(id, message) {
  $(id).textContent = message ?? '';
  $(id).hidden = !message;
}

/**
 * Shows an API failure in its section (whose chart and table it empties: they answered another
 * query), or in the status line; a request for a bearer token opens the token form.
 */
function failed(error, section) {
  const message = error instanceof ApiError ? error.message : String(error);
  if (section) {
    showError(`${section}-error`, message);
    $(`${section}-chart`).replaceChildren();
    if (section === 'stats') {
      $('stats-caption').textContent = 'Statistics: none (see the error above)';
      $('stats-table').tBodies[0].replaceChildren();
    }
  }
  if (error.bearer) {
    $('auth').hidden = false;
    setStatus(`${message}. This service needs an API token: enter it above.`);
    $('token').focus();
  } else {
    setStatus(message);
  }
}

function showTokenForm() {
  $('auth').hidden = false;
  $('token').value = '';
  $('token').placeholder = token.get() ? 'a token is set for this tab' : 'paste a token';
}

$('auth').addEventListener('submit', async (event) => {
  event.preventDefault();
  const value = $('token').value.trim();
  if (!value) return;
  token.set(value);
  showTokenForm();
  if (await loadMeters()) refresh();
});

$('forget').addEventListener('click', () => {
  token.clear();
  showTokenForm();
  setStatus('Token forgotten.');
});

// --- state in the URL fragment --------------------------------------------------------------------

function saveState() {
  const state = new URLSearchParams();
  for (const [key, id] of Object.entries(STATE)) if ($(id).value) state.set(key, $(id).value);
  history.replaceState(null, '', `#${state}`);
}

function restoreState() {
  const state = new URLSearchParams(location.hash.slice(1));
  for (const [key, id] of Object.entries(STATE)) if (state.has(key)) $(id).value = state.get(key);
  $('custom-range').hidden = $('range').value !== 'custom';
}

// --- wiring -------------------------------------------------------------------------------------

function refresh() {
  if ($('meter').value.trim()) showStatistics();
  if ($('expr').value.trim()) runPromql();
}

$('range').addEventListener('change', () => {
  const custom = $('range').value === 'custom';
  if (custom && !$('from').value) {
    // start the custom range from the last preset one
    const end = Math.floor(Date.now() / 1000) * 1000;
    $('from').value = isoUtc(end - 3600 * 1000);
    $('to').value = isoUtc(end);
  }
  $('custom-range').hidden = !custom;
  refresh();
});
for (const id of ['from', 'to']) $(id).addEventListener('change', refresh);
for (const id of ['period', 'statistic']) $(id).addEventListener('change', showStatistics);
$('stats-form').addEventListener('submit', (event) => {
  event.preventDefault();
  showStatistics();
});
$('promql-form').addEventListener('submit', (event) => {
  event.preventDefault();
  runPromql();
});
$('expr').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    runPromql();
  }
});

restoreState();
if (token.get()) showTokenForm();
if (await loadMeters()) {
  fillFilters();
  refresh();
}
