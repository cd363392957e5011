// The console in a real browser (Debian's chromium, driven by playwright-core): posts samples for a
// test meter, opens /console, chooses the meter with the keyboard search, sets filters, range and
// period, and requires the chart's points and the table's cells to be exactly what
// GET /v2/meters/{name}/statistics answers for the same query. Then the PromQL box: when the service
// answers /api/v1/query_range, the plotted series must be exactly its JSON; when it does not (a
// build without the Prometheus API), the page must show the API's error, and the comparison is
// skipped with a notice. Finally a screenshot.
//
// Environment: ALTIMETER_URL (the API's base URL, e.g. http://127.0.0.1:8777), CONSOLE_SCREENSHOT
// (a PNG path), CONSOLE_END (unix seconds: the samples' hour ends there; default the last whole
// minute), CONSOLE_TOKEN_FILE (token mode: the admin token's file; the page must ask for it),
// CONSOLE_POST (0: the samples are already there), CHROMIUM (default /usr/bin/chromium).
// Exits 1 with the first mismatch.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = (process.env.ALTIMETER_URL ?? 'http://127.0.0.1:8777').replace(/\/$/, '');
const SCREENSHOT = process.env.CONSOLE_SCREENSHOT ?? 'target/console.png';
const TOKEN = process.env.CONSOLE_TOKEN_FILE ? readFileSync(process.env.CONSOLE_TOKEN_FILE, 'utf8').trim() : '';
const METER = 'ci.console.meter';
const OTHER = 'ci.console.other';
const PERIOD = 300;
const STEP = 60;
const MINUTES = 60;
const TIMEOUT = 30_000;

class Mismatch extends Error {}
const fail = (message) => { throw new Mismatch(message); };
let passed = 0;
const ok = (message) => { passed += 1; console.log(`ok   ${message}`); };

// --- the data -------------------------------------------------------------------------------------

// an hour of one sample a minute per resource, ending on the last whole minute; seconds offset by 7
// so that no sample sits on a period's edge
const END = process.env.CONSOLE_END ? Number(process.env.CONSOLE_END) * 1000 : Math.floor(Date.now() / 60_000) * 60_000;
const START = END - MINUTES * 60_000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 19);
const RESOURCES = [
  { resource_id: 'ci-r1', project_id: 'ci-p1', value: (i) => 10 + (i % 7) * 1.5 + i / 10 },
  { resource_id: 'ci-r2', project_id: 'ci-p2', value: (i) => 100 - i + (i % 3) / 3 },
];

async function api(path, init = {}) {
  const headers = { Accept: 'application/json', ...(init.headers ?? {}) };
  if (TOKEN) headers.Authorization = `Bearer ${TOKEN}`;
  const response = await fetch(`${BASE}/${path}`, { ...init, headers });
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* kept as text below */ }
  return { status: response.status, body, text };
}

async function postSamples() {
  for (const [meter, resources] of [[METER, RESOURCES], [OTHER, RESOURCES.slice(0, 1)]]) {
    const samples = resources.flatMap((r) => Array.from({ length: MINUTES }, (_, i) => ({
      counter_name: meter, counter_type: 'gauge', counter_unit: 'u', counter_volume: r.value(i),
      resource_id: r.resource_id, project_id: r.project_id, user_id: 'ci-user',
      timestamp: iso(START + i * 60_000 + 7_000),
    })));
    const answer = await api(`v2/meters/${meter}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(samples),
    });
    if (answer.status >= 300) fail(`POST v2/meters/${meter} answered ${answer.status}: ${answer.text}`);
  }
  // stored asynchronously by the pipeline: wait until all are readable
  const want = MINUTES * RESOURCES.length;
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const stats = await api(`v2/meters/${METER}/statistics`);
    const count = stats.body?.[0]?.count ?? 0;
    if (count === want) break;
    if (Date.now() > deadline) fail(`only ${count} of ${want} samples of ${METER} readable after ${TIMEOUT} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
  ok(`posted ${want} samples of ${METER} (and ${MINUTES} of ${OTHER}) from ${iso(START)} to ${iso(END)}`);
}

/** The statistics query the page must make, as [name, value] pairs, in the page's order. */
function statisticsQuery({ resource, project }) {
  const q = [];
  if (resource) q.push(['q.field', 'resource_id'], ['q.op', 'eq'], ['q.value', resource]);
  if (project) q.push(['q.field', 'project_id'], ['q.op', 'eq'], ['q.value', project]);
  q.push(['q.field', 'timestamp'], ['q.op', 'ge'], ['q.value', iso(START)],
    ['q.field', 'timestamp'], ['q.op', 'lt'], ['q.value', iso(END)], ['period', String(PERIOD)]);
  return `v2/meters/${METER}/statistics?${new URLSearchParams(q)}`;
}

// --- the page -------------------------------------------------------------------------------------

async function chooseMeter(page) {
  await page.focus('#meter');
  await page.keyboard.type('ci.console');
  const active = async () => page.$eval('#meter', (input) =>
    document.getElementById(input.getAttribute('aria-activedescendant') ?? '')?.dataset.value ?? null);
  await page.waitForSelector('#meter-list [role="option"]', { timeout: TIMEOUT });
  const options = await page.$$eval('#meter-list [role="option"]', (lis) => lis.map((li) => li.dataset.value));
  if (options.join() !== [METER, OTHER].join()) fail(`searching "ci.console" listed ${options.join(', ')}`);
  if (await active() !== METER) fail(`the first match is not active after typing: ${await active()}`);
  await page.keyboard.press('ArrowDown');
  if (await active() !== OTHER) fail(`ArrowDown did not move to ${OTHER}: ${await active()}`);
  await page.keyboard.press('ArrowUp');
  if (await active() !== METER) fail(`ArrowUp did not move back to ${METER}: ${await active()}`);
  await page.keyboard.press('Enter');
  if (await page.inputValue('#meter') !== METER) fail(`Enter did not pick ${METER}`);
  if (await page.isVisible('#meter-list')) fail('the list stayed open after Enter');
  await page.waitForFunction(() => document.querySelectorAll('#resource-list option, #project-list option').length === 4);
  const suggested = await page.$$eval('#resource-list option, #project-list option', (os) => os.map((o) => o.value));
  if (suggested.join() !== 'ci-r1,ci-r2,ci-p1,ci-p2') fail(`resource and project suggestions: ${suggested.join(', ')}`);
  ok(`meter chosen with the keyboard search (type, ArrowDown, ArrowUp, Enter): ${METER}; its resources and projects suggested`);
}

/** Sets the filters and the fixed range, submits, and waits for the page's answer to that query. */
async function showStatistics(page, { resource = '', project = '', statistic = 'avg' }) {
  await page.fill('#resource', resource);
  await page.fill('#project', project);
  await page.selectOption('#range', 'custom');
  await page.fill('#from', iso(START));
  await page.fill('#to', iso(END));
  await page.selectOption('#period', String(PERIOD));
  await page.selectOption('#statistic', statistic);
  const query = statisticsQuery({ resource, project });
  await page.click('#stats-form button[type="submit"]');
  // the click's request is the section's latest: the section is busy until its answer is shown
  const shown = `GET /${decodeURIComponent(query)}`;
  await page.waitForFunction((text) => document.getElementById('stats').getAttribute('aria-busy') === 'false'
    && document.getElementById('stats-request').textContent === text, shown, { timeout: TIMEOUT });
  if (await page.textContent('#stats-request') !== shown) fail(`the page shows request ${await page.textContent('#stats-request')}`);
  return query;
}

async function compareStatistics(page, filters) {
  const query = await showStatistics(page, filters);
  const expected = await api(query);
  if (expected.status !== 200) fail(`GET ${query} answered ${expected.status}: ${expected.text}`);
  const rows = expected.body;
  const field = filters.statistic ?? 'avg';
  const what = `${field} of ${JSON.stringify(filters)}`;
  if (rows.length !== MINUTES * 60 / PERIOD) fail(`${what}: the API answered ${rows.length} periods, expected ${MINUTES * 60 / PERIOD}`);
  if (await page.isVisible('#stats-error')) fail(`${what}: the page shows an error: ${await page.textContent('#stats-error')}`);

  const points = await page.$$eval('#stats-chart svg circle[data-t]', (cs) => cs.map((c) => [c.dataset.t, c.dataset.v]));
  const want = rows.map((r) => [r.period_start, String(r[field])]);
  if (JSON.stringify(points) !== JSON.stringify(want)) {
    fail(`${what}: chart points differ from the API's statistics\n  chart: ${JSON.stringify(points)}\n  API:   ${JSON.stringify(want)}`);
  }
  // numbers, not strings that happen to look alike
  points.forEach(([, v], i) => { if (Number(v) !== rows[i][field]) fail(`${what}: point ${i} is ${v}, the API ${rows[i][field]}`); });
  // and drawn in order, left to right, higher values higher up
  const xy = await page.$$eval('#stats-chart svg circle[data-t]', (cs) => cs.map((c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]));
  xy.forEach(([x, y], i) => {
    if (i > 0 && !(x > xy[i - 1][0])) fail(`${what}: point ${i} is not right of point ${i - 1}`);
    if (i > 0 && Math.sign(xy[i - 1][1] - y) !== Math.sign(rows[i][field] - rows[i - 1][field])) fail(`${what}: point ${i}'s height disagrees with its value`);
  });
  ok(`chart: ${points.length} points (${what}) equal GET ${query.split('?')[0]} exactly`);

  const table = await page.$$eval('#stats-table tbody tr', (trs) => trs.map((tr) => ({
    start: tr.querySelector('th time')?.getAttribute('datetime'),
    end: tr.querySelector('td time')?.getAttribute('datetime'),
    ...Object.fromEntries([...tr.querySelectorAll('td[data-field]')].map((td) => [td.dataset.field, td.querySelector('data')?.value])),
  })));
  const wantTable = rows.map((r) => ({ start: `${r.period_start}Z`, end: `${r.period_end}Z`,
    ...Object.fromEntries(['count', 'min', 'max', 'avg', 'sum'].map((f) => [f, String(r[f])])) }));
  if (JSON.stringify(table) !== JSON.stringify(wantTable)) {
    fail(`${what}: table differs from the API's statistics\n  table: ${JSON.stringify(table)}\n  API:   ${JSON.stringify(wantTable)}`);
  }
  const headers = await page.$$eval('#stats-table thead th[scope="col"]', (ths) => ths.length);
  const caption = await page.textContent('#stats-table caption');
  if (headers !== 8 || !caption.includes(METER)) fail(`${what}: table headers ${headers}, caption "${caption}"`);
  ok(`table: ${table.length} rows (period, count, min, max, avg, sum) equal the API's, with caption and headers`);
}

async function inspectChart(page) {
  const label = await page.getAttribute('#stats-chart svg', 'aria-label');
  if (!label || !label.includes(`${MINUTES * 60 / PERIOD} points`)) fail(`the chart's aria-label does not summarise it: ${label}`);
  const circle = await page.$('#stats-chart svg circle[data-t]');
  await circle.hover();
  await page.waitForSelector('#stats-chart .tooltip:not([hidden])', { timeout: TIMEOUT });
  const tip = await page.textContent('#stats-chart .tooltip');
  const t = await circle.getAttribute('data-t');
  if (!tip.includes(t.replace('T', ' '))) fail(`hovering the first point shows "${tip}", not its time ${t}`);
  await page.mouse.move(0, 0);
  await page.focus('#stats-chart svg');
  await page.keyboard.press('End');
  const last = await page.$$eval('#stats-chart svg circle[data-t]', (cs) => cs.at(-1).dataset.t);
  const tipKeys = await page.textContent('#stats-chart .tooltip');
  if (!tipKeys.includes(last.replace('T', ' '))) fail(`End on the focused chart shows "${tipKeys}", not the last point ${last}`);
  await page.keyboard.press('Escape');
  ok('chart: aria-label summary, tooltip on hover and with the keyboard (End) on the focused chart');
}

// --- PromQL ---------------------------------------------------------------------------------------

function seriesName(metric) {
  const labels = Object.keys(metric).filter((k) => k !== '__name__').sort().map((k) => `${k}=${JSON.stringify(metric[k])}`);
  return `${metric.__name__ ?? ''}{${labels.join(', ')}}`;
}

function rangeQuery(expr) {
  return `api/v1/query_range?${new URLSearchParams({ query: expr, start: String(START / 1000), end: String(END / 1000), step: String(STEP) })}`;
}

async function runPromql(page, expr) {
  await page.fill('#step', String(STEP));
  await page.fill('#expr', expr);
  await page.focus('#expr');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('promql').getAttribute('aria-busy') === 'false', null, { timeout: TIMEOUT });
  const shown = `GET /${decodeURIComponent(rangeQuery(expr))}`;
  if (await page.textContent('#promql-request') !== shown) fail(`the page shows request ${await page.textContent('#promql-request')}, not ${shown}`);
}

/** Runs expr in the PromQL box and requires the plotted series to be `expected`'s matrix exactly. */
async function plotted(page, expr, expected) {
  if (expected.body?.status !== 'success') fail(`${expr}: query_range answered ${expected.status}: ${expected.text}`);
  if (await page.isVisible('#promql-error')) fail(`${expr}: the page shows an error: ${await page.textContent('#promql-error')}`);
  const drawn = await page.$$eval('#promql-chart svg g.series', (gs) => gs.map((g) => ({ name: g.dataset.series,
    points: [...g.querySelectorAll('circle[data-t]')].map((c) => [c.dataset.t, c.dataset.v]) })));
  // NaN and infinities are not drawn
  const want = expected.body.data.result.map((r) => ({ name: seriesName(r.metric),
    points: r.values.filter(([, v]) => Number.isFinite(Number(v))).map(([t, v]) => [String(t), v]) }));
  if (JSON.stringify(drawn) !== JSON.stringify(want)) {
    fail(`${expr}: plotted series differ from query_range's JSON\n  chart: ${JSON.stringify(drawn)}\n  API:   ${JSON.stringify(want)}`);
  }
  if (want.length === 0 || want.every((w) => w.points.length === 0)) fail(`${expr}: query_range returned no points`);
  return `${drawn.length} series, ${drawn.reduce((n, d) => n + d.points.length, 0)} points`;
}

/** Runs expr and requires the page to show the API's error: Prometheus's errorType and error, or Ceilometer's fault. */
async function shownError(page, expr, expected) {
  const shown = (await page.isVisible('#promql-error')) ? await page.textContent('#promql-error') : '';
  const said = expected.body?.status === 'error' ? `${expected.body.errorType}: ${expected.body.error}`
    : expected.body?.error_message?.faultstring;
  if (!said || !shown.includes(said) || !shown.includes(`HTTP ${expected.status}`)) {
    fail(`${expr}: query_range answered ${expected.status} ${expected.text}, the page shows "${shown}"`);
  }
  return shown;
}

async function comparePromql(page) {
  const metric = `ceilometer_${METER.replace(/[.-]/g, '_')}`;
  const probe = await api(rangeQuery(metric));
  if (probe.body?.status !== 'success') {
    await runPromql(page, metric);
    ok(`PromQL box shows the API's error: "${await shownError(page, metric, probe)}"`);
    console.log(`NOTICE: /api/v1/query_range answered ${probe.status} (${probe.text.slice(0, 120)}):`
      + ' the comparison with the service\'s PromQL is skipped; the page is checked against canned Prometheus answers');
    await cannedPromql(page);
    return;
  }
  const bad = 'sum(';
  await runPromql(page, bad);
  ok(`PromQL box shows the API's error for "${bad}": ${await shownError(page, bad, await api(rangeQuery(bad)))}`);
  for (const expr of [`max_over_time(${metric}{resource_id="ci-r1"}[5m])`, `sum by (project_id) (${metric})`, metric]) {
    await runPromql(page, expr);
    ok(`PromQL ${expr}: ${await plotted(page, expr, await api(rangeQuery(expr)))} equal query_range's JSON`);
  }
}

/**
 * Without the service's query_range, the browser's calls to it are answered with Prometheus's
 * documented JSON: a matrix (with a NaN sample and label values needing escapes) and a bad_data error.
 */
async function cannedPromql(page) {
  const times = Array.from({ length: MINUTES + 1 }, (_, i) => START / 1000 + i * STEP);
  const matrix = { status: 'success', data: { resultType: 'matrix', result: [
    { metric: { __name__: 'canned', resource_id: 'r"1', project_id: 'p\\1' },
      values: times.map((t, i) => [t, i === 7 ? 'NaN' : String(Math.sin(i / 6) * 40 + 50)]) },
    { metric: { project_id: 'p2' }, values: times.filter((_, i) => i % 3 === 0).map((t, i) => [t, `${i * 7.25}`]) },
  ] } };
  const error = { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unclosed left parenthesis' };
  const answers = { canned: [200, matrix], 'sum(': [400, error] };
  await page.route('**/api/v1/query_range?*', (route) => {
    const [status, body] = answers[new URL(route.request().url()).searchParams.get('query')];
    route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  });
  // left in place: the page is not used for anything else afterwards but the screenshot
  await runPromql(page, 'sum(');
  ok(`PromQL canned bad_data: "${await shownError(page, 'sum(', { status: 400, body: error, text: '' })}"`);
  await runPromql(page, 'canned');
  ok(`PromQL canned matrix: ${await plotted(page, 'canned', { status: 200, body: matrix, text: '' })} plotted exactly`);
}

// --- token mode -----------------------------------------------------------------------------------

async function enterToken(page) {
  await page.waitForSelector('#auth:not([hidden])', { timeout: TIMEOUT });
  const focused = await page.evaluate(() => document.activeElement?.id);
  const status = await page.textContent('#status');
  if (focused !== 'token' || !status.includes('Authentication required')) {
    fail(`without a token the page should show the API's 401 and focus the token field: "${status}", focus on ${focused}`);
  }
  await page.keyboard.type(TOKEN);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => / meters\./.test(document.getElementById('status').textContent), null, { timeout: TIMEOUT });
  const stored = await page.evaluate(() => Object.keys(sessionStorage).length === 1
    && Object.values(sessionStorage)[0]);
  if (stored !== TOKEN) fail('the token is not what sessionStorage holds');
  if (await page.evaluate(() => Object.keys(localStorage).length) !== 0) fail('something went to localStorage');
  ok('token mode: the page showed the API\'s 401, took the token (sessionStorage only) and listed the meters');
}

// --- main -----------------------------------------------------------------------------------------

async function main() {
  if (process.env.CONSOLE_POST !== '0') await postSamples();
  const profile = mkdtempSync(join(tmpdir(), 'altimeter-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    timezoneId: 'Europe/Berlin', // not UTC: the page must show and send UTC whatever the browser's zone
  });
  const problems = [];
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error' && !/the server responded with a status of 4[0-9][0-9]/.test(m.text())) problems.push(`console: ${m.text()}`); });
    if (process.env.CONSOLE_DEBUG) page.on('response', (r) => console.log('   ', r.status(), decodeURIComponent(r.url())));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('request', (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith('data:')) problems.push(`request outside the service: ${r.url()}`); });

    const response = await page.goto(`${BASE}/console`);
    if (response.status() !== 200) fail(`GET /console answered ${response.status()}`);
    if (TOKEN) await enterToken(page);
    else await page.waitForFunction(() => / meters\./.test(document.getElementById('status').textContent), null, { timeout: TIMEOUT });
    ok(`GET /console loaded${TOKEN ? '' : ' without credentials'}: ${await page.textContent('#status')}`);

    await chooseMeter(page);
    await compareStatistics(page, { resource: 'ci-r1' });
    await compareStatistics(page, { project: 'ci-p2', statistic: 'max' });
    await compareStatistics(page, { statistic: 'sum' });
    await inspectChart(page);
    await compareStatistics(page, { resource: 'ci-r1' }); // the screenshot's view
    await comparePromql(page); // last: it may leave canned answers in place of the service's

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    if (problems.length) fail(`the browser reported:\n  ${problems.join('\n  ')}`);
    ok('no page errors, console errors, failed requests or requests outside the service');
    console.log(`console-check: ${passed} passed${TOKEN ? ' (token mode)' : ''}; screenshot: ${SCREENSHOT}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`console-check: FAIL: ${e instanceof Mismatch ? e.message : e.stack}`);
  process.exit(1);
});
