// Browser test of Vantage's strip charts and chart data retention:
// playwright-core drives Debian's chromium (headless) against a real
// `vantage serve`. Normally run by the Go wrapper (go test ./cmd/vantage
// -run TestBrowserCharts), which starts the server; it can also run on its
// own:
//
//   VANTAGE_URL=http://127.0.0.1:8080 VANTAGE_PASSWORD=… node --test tests/ui/charts.test.mjs
//
// Environment:
//   VANTAGE_URL        the server (required); user is admin
//   VANTAGE_PASSWORD   admin's password (required)
//   SCREENSHOT_DIR     where each step's screenshot goes (default: a new
//                      folder under the system temp folder)
//   CHARTS_DOC_SHOT    also save the chart page there (docs/charts.png),
//                      after two minutes of data
//   CHROMIUM           the browser (default /usr/bin/chromium)
//
// The test starts two TCP services on loopback and a map of two devices
// polling them every second. Every request the page makes must stay on
// VANTAGE_URL's origin; anything else is blocked and fails the test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, acceptor, api, dev, guardedContext, launch, screenshots, tid, stepper } from './lib.mjs';

const { dir: SHOTS, shot } = screenshots('charts');
const DOC_SHOT = process.env.CHARTS_DOC_SHOT || '';
const MAP = 'Core Lab'; // a space, to exercise the device IDs' encoding
const WEB = 'Core%20Lab~web';
const DB = 'Core%20Lab~db';

// ---- helpers -----------------------------------------------------------


// chartState reads the page's address: its series, from and to.
async function chartState(page) {
  const hash = new URL(page.url()).hash;
  assert.match(hash, /^#\/charts/, `on the chart page: ${hash}`);
  const p = new URLSearchParams(hash.split('?')[1] || '');
  return { series: p.getAll('series'), from: p.get('from'), to: p.get('to') };
}

// rangeOf is the [from, to] the chart shows, in ms, from the plot's data
// attributes (what the server answered).
async function rangeOf(page) {
  const [from, to] = await page.$eval(tid('chart'), (el) => [el.dataset.from, el.dataset.to]);
  return [Date.parse(from), Date.parse(to)];
}

// ---- the walk-through ----------------------------------------------------

test('Vantage strip charts and retention settings in a real browser', { timeout: 240_000 }, async (t) => {
  const browser = await launch(t, SHOTS);
  const outside = [];
  const pageErrors = [];
  const context = await guardedContext(browser, { viewport: { width: 1440, height: 900 }, acceptDownloads: true }, outside);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => {
    // The refusals the test provokes (the session check before logging
    // in, the refused retention) log their 4xx answers.
    if (m.type() === 'error' && !/Failed to load resource: .*status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
  });
  // Every chart request the page makes, in order.
  const chartRequests = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/api/v1/charts') chartRequests.push(u);
  });

  const step = stepper(t, (label) => shot(page, label));

  const web = await acceptor();
  const db = await acceptor();
  t.after(() => Promise.all([web.stop(), db.stop()]));

  await step('a map of two TCP services polled every second records their response times', async () => {
    const tcp = (name, x, port) => ({ name, address: '127.0.0.1', probe: 'tcp', interval: '1s', x, y: 160, params: { port: String(port) } });
    await api('POST', '/api/v1/maps', { name: MAP, devices: [tcp('web', 160, web.port), tcp('db', 400, db.port)] });
    // Wait for a few points of each; for the README's picture, two
    // minutes of them.
    const want = DOC_SHOT ? 110 : 20;
    const deadline = Date.now() + 30_000 + want * 1500;
    for (;;) {
      const got = await api('GET', `/api/v1/charts?from=10m&series=${encodeURIComponent(WEB + '/rtt')}&series=${encodeURIComponent(DB + '/rtt')}`);
      if (got.every((c) => c.points.length >= want)) break;
      assert.ok(Date.now() < deadline, `too few points: ${got.map((c) => c.points.length)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  });

  await step('log in; the status window lists the datasets with a sparkline', async () => {
    await page.goto(BASE + '/');
    await page.waitForSelector(tid('login-form'));
    await page.fill(tid('login-user'), 'admin');
    await page.fill(tid('login-password'), PASSWORD);
    await page.click(tid('login-submit'));
    await page.waitForSelector(tid('new-map'));
    // Charts comes after the event log in the navigation.
    const order = await page.$$eval('.mainnav a', (as) => as.map((a) => a.dataset.testid));
    assert.equal(order[order.indexOf('nav-events') + 1], 'nav-charts', `navigation order ${order}`);
    await page.goto(`${BASE}/#/map/${encodeURIComponent(MAP)}`);
    await page.waitForSelector(dev('web'));
    await page.focus(dev('web'));
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${tid('status-panel')}:not([hidden]) ${tid('panel-title')}:text-is("web")`);
    await page.waitForSelector(tid('panel-dataset-rtt'));
    assert.match(await page.textContent(tid('panel-dataset-rtt')), /rtt/);
    // The sparkline draws the last hour's points; the last value has units.
    await page.waitForSelector(`${tid('sparkline-rtt')} polyline`);
    assert.ok(Number(await page.getAttribute(tid('sparkline-rtt'), 'data-points')) >= 2, 'sparkline points');
    assert.match(await page.textContent(tid('panel-dataset-last-rtt')), /ms$/);
    await shot(page, 'status-window-charts');
  });

  await step('the dataset opens the chart page: one series, its legend and resolution', async () => {
    await page.click(tid('panel-chart-rtt'));
    await page.waitForSelector(tid('charts-page'));
    assert.equal(await page.getAttribute(tid('nav-charts'), 'aria-current'), 'page');
    const st = await chartState(page);
    assert.deepEqual(st.series, [`${WEB}/rtt`]);
    await page.waitForSelector(`${tid('chart')}[data-series="1"] canvas`);
    await page.waitForSelector(tid('chart-series-0'));
    const row = await page.textContent(tid('chart-series-0'));
    assert.match(row, /web/);
    assert.match(row, /ms/);
    assert.match(await page.textContent(tid('chart-avg-0')), /\d.* ms$/);
    assert.match(await page.textContent(tid('chart-resolution')), /raw samples|averages/i);
    assert.ok(await page.isVisible(tid('chart-live')), 'a range ending now is live');
    assert.equal(await page.getAttribute(tid('chart-preset-24h'), 'aria-pressed'), 'true');
  });

  await step('a preset and a second device\'s dataset from the picker: two series in one chart', async () => {
    const before = chartRequests.length;
    await page.click(tid('chart-preset-1h'));
    await page.waitForFunction(() => location.hash.includes('from=1h'));
    assert.equal(await page.getAttribute(tid('chart-preset-1h'), 'aria-pressed'), 'true');
    const deadline = Date.now() + 10_000;
    while (!chartRequests.slice(before).some((u) => u.searchParams.get('from') === '1h')) {
      assert.ok(Date.now() < deadline, 'the preset read the chart again');
      await page.waitForTimeout(100);
    }
    await page.click(tid('chart-add'));
    await page.waitForSelector(tid('chart-pick-form'));
    await page.waitForSelector(`${tid('chart-pick-map')} option[value="${MAP}"]`, { state: 'attached' });
    await page.waitForSelector(`${tid('chart-pick-device')} option[value="db"]`, { state: 'attached' });
    await page.selectOption(tid('chart-pick-device'), 'db');
    await page.waitForSelector(`${tid('chart-pick-dataset')}:not([disabled]) option[value="rtt"]`, { state: 'attached' });
    const unlabelled = await page.$$eval('[data-testid="chart-pick-form"] select',
      (els) => els.filter((e) => !(e.labels && e.labels.length)).map((e) => e.dataset.testid));
    assert.deepEqual(unlabelled, [], 'selects without a label');
    await page.selectOption(tid('chart-pick-dataset'), 'rtt');
    await page.click(tid('chart-pick-submit'));
    await page.waitForSelector(tid('chart-pick-form'), { state: 'detached' });
    await page.waitForSelector(`${tid('chart')}[data-series="2"] canvas`);
    const st = await chartState(page);
    assert.deepEqual(st.series, [`${WEB}/rtt`, `${DB}/rtt`]);
    assert.equal(st.from, '1h');
    assert.match(await page.textContent(tid('chart-series-1')), /db/);
    // Both on one axis (same units).
    assert.equal(await page.getAttribute(tid('chart'), 'data-axes'), 'ms');
    await shot(page, 'two-series');
  });

  await step('dragging across the plot zooms in: a narrower range read from the server; Back returns', async () => {
    const [from0, to0] = await rangeOf(page);
    const before = chartRequests.length;
    const box = await page.locator(tid('chart-over')).boundingBox();
    // The data is in the last minutes of the hour: drag over the last 6 %.
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.94, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.97, y, { steps: 5 });
    await page.mouse.move(box.x + box.width - 2, y, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => !/[?&]from=1h(&|$)/.test(location.hash));
    const st = await chartState(page);
    const from = Date.parse(st.from);
    const to = Date.parse(st.to);
    assert.ok(Number.isFinite(from) && Number.isFinite(to), `from/to are times: ${st.from} ${st.to}`);
    assert.ok(from > from0 && to <= to0 + 2000 && to - from < (to0 - from0) / 10, `zoomed range ${st.from}–${st.to} inside ${new Date(from0).toISOString()}–${new Date(to0).toISOString()}`);
    assert.deepEqual(st.series, [`${WEB}/rtt`, `${DB}/rtt`], 'the series stay');
    // The page asked the server for exactly that range.
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="chart"]');
      return el && Date.parse(el.dataset.to) - Date.parse(el.dataset.from) < 10 * 60 * 1000;
    });
    const req = chartRequests.slice(before).find((u) => u.searchParams.get('from') === st.from);
    assert.ok(req, `a chart request for from=${st.from}: ${chartRequests.slice(before).map(String)}`);
    assert.equal(req.searchParams.get('to'), st.to);
    assert.deepEqual(req.searchParams.getAll('series'), [`${WEB}/rtt`, `${DB}/rtt`]);
    assert.ok(await page.isHidden(tid('chart-live')), 'a range in the past is not live');
    assert.ok(await page.isVisible(tid('chart-reset-zoom')), 'reset zoom is offered');
    await page.waitForSelector(`${tid('chart')}[data-series="2"] canvas`);
    await page.evaluate(() => document.getElementById('view').scrollTo(0, 0));
    await shot(page, 'zoomed');
    // Back returns to the hour; Forward to the zoom; Reset zoom to the hour.
    await page.goBack();
    await page.waitForFunction(() => /[?&]from=1h(&|$)/.test(location.hash));
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="chart"]');
      return el && Date.parse(el.dataset.to) - Date.parse(el.dataset.from) > 50 * 60 * 1000;
    });
    await page.goForward();
    await page.waitForSelector(`${tid('chart-reset-zoom')}:visible`);
    await page.click(tid('chart-reset-zoom'));
    await page.waitForFunction(() => /[?&]from=1h(&|$)/.test(location.hash) && !/[?&]to=/.test(location.hash));
  });

  await step('the CSV link gives the same chart as text/csv', async () => {
    const href = await page.getAttribute(tid('chart-csv'), 'href');
    const u = new URL(href, BASE);
    assert.equal(u.searchParams.get('format'), 'csv');
    assert.deepEqual(u.searchParams.getAll('series'), [`${WEB}/rtt`, `${DB}/rtt`]);
    const resp = await page.request.get(u.toString());
    assert.equal(resp.status(), 200);
    assert.match(resp.headers()['content-type'], /^text\/csv/);
    const lines = (await resp.text()).trim().split('\n');
    assert.ok(lines.length >= 3, `CSV rows: ${lines.length}`);
  });

  await step('removing a series leaves the other', async () => {
    await page.click(tid('chart-remove-0'));
    await page.waitForSelector(`${tid('chart')}[data-series="1"]`);
    assert.deepEqual((await chartState(page)).series, [`${DB}/rtt`]);
    assert.match(await page.textContent(tid('chart-series-0')), /db/);
    await page.goBack();
    await page.waitForSelector(`${tid('chart')}[data-series="2"]`);
  });

  await step('rolled-up points draw a min–max band behind each average', async () => {
    // Fewer points than samples: the server averages raw samples into
    // buckets, keeping each one's min and max.
    // (The server merges when there are over 1.25 times as many samples.)
    const q = DOC_SHOT ? 'from=2m&points=40' : 'from=1m&points=6';
    await page.goto(`${BASE}/#/charts?series=${WEB}/rtt&series=${DB}/rtt&${q}`.replace(/%/g, '%25'));
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="chart"]');
      return el && el.dataset.series === '2' && el.dataset.bands === '2' && el.querySelector('canvas');
    });
    assert.match(await page.textContent(tid('chart-resolution')), /averaged over \d+ s, min\/max band/i);
    assert.ok(await page.isVisible(tid('chart-live')), 'live');
    await shot(page, 'bands');
    if (DOC_SHOT) {
      // For the README: the page down to the end of the legend.
      const legend = await page.locator(tid('chart-legend')).boundingBox();
      await page.screenshot({ path: DOC_SHOT, clip: { x: 0, y: 0, width: 1440, height: Math.min(900, Math.ceil(legend.y + legend.height + 16)) } });
    }
  });

  await step('retention settings: a refused value shows the server\'s reason, a good one is kept', async () => {
    await page.click(tid('nav-settings'));
    await page.waitForSelector(tid('retention-periods'));
    assert.equal(await page.inputValue(tid('retention-raw')), '2d');
    assert.equal(await page.inputValue(tid('retention-five_minutes')), '90d');
    assert.equal(await page.inputValue(tid('retention-day')), '0');
    await page.waitForSelector(tid('retention-rules-empty'));
    assert.ok(await page.isDisabled(tid('settings-save')), 'nothing to save yet');
    // 5-minute roll-ups kept for less time than raw samples: refused.
    await page.fill(tid('retention-five_minutes'), '1d');
    await page.waitForSelector(`${tid('settings-dirty')}:visible`);
    const refused = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/api/v1/retention'));
    await page.click(tid('settings-save'));
    assert.equal((await refused).status(), 400);
    await page.waitForSelector(`${tid('retention-error')}:visible`);
    const msg = await page.textContent(tid('retention-error'));
    assert.match(msg, /five_minutes/, `the refusal names the period: ${msg}`);
    assert.equal(await page.getAttribute(tid('retention-error'), 'role'), 'alert');
    assert.equal(await page.getAttribute(tid('retention-five_minutes'), 'aria-invalid'), 'true');
    assert.ok(await page.isVisible(tid('settings-dirty')), 'still unsaved');
    await shot(page, 'retention-refused');
    // A good setting, with a rule.
    await page.fill(tid('retention-five_minutes'), '120d');
    await page.fill(tid('retention-raw'), '7d');
    await page.click(tid('retention-rule-add'));
    await page.fill(tid('retention-rule-0-map'), MAP);
    await page.fill(tid('retention-rule-0-dataset'), 'rtt');
    await page.fill(tid('retention-rule-0-raw'), '14d');
    const unlabelled = await page.$$eval('[data-testid="retention-section"] input',
      (els) => els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.dataset.testid));
    assert.deepEqual(unlabelled, [], 'inputs without a label');
    const saved = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/api/v1/retention'));
    const notifications = [];
    const onReq = (r) => { if (r.method() === 'PUT' && r.url().endsWith('/api/v1/notifications')) notifications.push(r.url()); };
    page.on('request', onReq);
    await page.click(tid('settings-save'));
    const resp = await saved;
    assert.equal(resp.status(), 200, await resp.text());
    await page.waitForSelector(tid('settings-dirty'), { state: 'hidden' });
    await page.waitForSelector(tid('retention-error'), { state: 'hidden' });
    page.off('request', onReq);
    assert.deepEqual(notifications, [], 'unchanged notification settings are not sent');
    const kept = await api('GET', '/api/v1/retention');
    assert.equal(kept.raw, '7d');
    assert.equal(kept.five_minutes, '120d');
    assert.deepEqual(kept.rules, [{ map: MAP, dataset: 'rtt', raw: '14d' }]);
    await page.reload();
    await page.waitForSelector(tid('retention-periods'));
    assert.equal(await page.inputValue(tid('retention-raw')), '7d');
    assert.equal(await page.inputValue(tid('retention-five_minutes')), '120d');
    assert.equal(await page.inputValue(tid('retention-rule-0-map')), MAP);
    assert.equal(await page.inputValue(tid('retention-rule-0-raw')), '14d');
    assert.equal(await page.inputValue(tid('retention-rule-0-hour')), '');
    assert.ok(await page.isHidden(tid('settings-dirty')), 'nothing unsaved after a reload');
    // The notification sections are still there.
    await page.waitForSelector(tid('notifiers-empty'));
    await page.waitForSelector(tid('rules-empty'));
    await page.locator(tid('retention-section')).scrollIntoViewIfNeeded();
    await shot(page, 'retention-saved');
  });

  await step('the Charts link opens the last chart again', async () => {
    await page.click(tid('nav-charts'));
    await page.waitForSelector(`${tid('chart')}[data-series="2"] canvas`);
    assert.deepEqual((await chartState(page)).series, [`${WEB}/rtt`, `${DB}/rtt`]);
  });

  await t.test('no request left the server and no script errors', () => {
    assert.deepEqual(outside, [], 'requests to other hosts');
    assert.deepEqual(pageErrors, [], 'errors in the page');
  });
});
