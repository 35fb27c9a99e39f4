// Browser test of Vantage's Flows window and the map-page tools wired with
// it (device and link Flows links, ping, world view, discovery):
// playwright-core drives Debian's chromium (headless) against a real
// `vantage serve` collecting NetFlow on loopback. Normally run by the Go
// wrapper (go test ./cmd/vantage -run TestBrowserFlows), which starts the
// server, sends it an hour of flows and makes the "Flow Lab" map; on its
// own it needs such a server:
//
//   VANTAGE_URL=http://127.0.0.1:8080 VANTAGE_PASSWORD=… node --test tests/ui/flows.test.mjs
//
// Environment:
//   VANTAGE_URL        the server (required); user is admin
//   VANTAGE_PASSWORD   admin's password (required)
//   SCREENSHOT_DIR     where each step's screenshot goes (default: a new
//                      folder under the system temp folder)
//   FLOWS_DOC_SHOT     also save the Flows window there (docs/flows.png)
//   CHROMIUM           the browser (default /usr/bin/chromium)
//
// Every request the page makes must stay on VANTAGE_URL's origin; anything
// else is blocked and fails the test. The discovery dialog scans
// 127.0.0.1/32 only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, acceptor, api, centre, guardedContext, launch, screenshots, tid, stepper } from './lib.mjs';

const { dir: SHOTS, shot } = screenshots('flows');
const DOC_SHOT = process.env.FLOWS_DOC_SHOT || '';
const MAP = 'Flow Lab'; // a space, to exercise the device IDs' encoding
const ROUTER = 'Flow%20Lab~router';
const SCAN_MAP = 'Scan Lab';

// ---- helpers -----------------------------------------------------------


// flowsState reads the page's address.
function flowsState(page) {
  const hash = new URL(page.url()).hash;
  assert.match(hash, /^#\/flows/, `on the Flows page: ${hash}`);
  return new URLSearchParams(hash.split('?')[1] || '');
}

// hostRows lists the top hosts table: [host, value text].
function hostRows(page) {
  return page.$$eval('[data-testid="flows-top-hosts"] tbody tr[data-key]',
    (trs) => trs.map((tr) => [tr.dataset.key, tr.querySelector('td.num:not(.muted):not(.share)').textContent]));
}

// waitForRequest waits for a request to path, made after index `after` of
// list, that matches ok.
async function waitForRequest(list, after, ok, what) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const hit = list.slice(after).find(ok);
    if (hit) return hit;
    assert.ok(Date.now() < deadline, `${what}: ${list.slice(after).map(String).join('\n')}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

// ---- the walk-through ----------------------------------------------------

test('Vantage Flows window and map tools in a real browser', { timeout: 240_000 }, async (t) => {
  const browser = await launch(t, SHOTS);
  const outside = [];
  const pageErrors = [];
  const context = await guardedContext(browser, { viewport: { width: 1440, height: 900 } }, outside);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => {
    // The refusals the test provokes (the session check before logging
    // in, the refused discovery range) log their 4xx answers.
    if (m.type() === 'error' && !/Failed to load resource: .*status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
  });
  // Every flow request the page makes, in order.
  const chartRequests = [];
  const topRequests = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/api/v1/flows/chart') chartRequests.push(u);
    if (u.pathname === '/api/v1/flows/top') topRequests.push(u);
  });

  const step = stepper(t, (label) => shot(page, label));

  const svc = await acceptor();
  t.after(() => svc.stop());

  await step('log in; Flows comes after Charts in the navigation', async () => {
    await page.goto(BASE + '/');
    await page.waitForSelector(tid('login-form'));
    await page.fill(tid('login-user'), 'admin');
    await page.fill(tid('login-password'), PASSWORD);
    await page.click(tid('login-submit'));
    await page.waitForSelector(tid('new-map'));
    const order = await page.$$eval('.mainnav a', (as) => as.map((a) => a.dataset.testid));
    assert.equal(order[order.indexOf('nav-charts') + 1], 'nav-flows', `navigation order ${order}`);
    assert.ok(order.indexOf('nav-settings') >= 0 && order.indexOf('nav-settings') < order.indexOf('nav-server'), `navigation order ${order}`);
  });

  let peak1h = 0;
  await step('the Flows window: the last hour charted, the top hosts with their bytes, the exporter', async () => {
    await page.click(tid('nav-flows'));
    await page.waitForSelector(tid('flows-page'));
    assert.equal(await page.getAttribute(tid('nav-flows'), 'aria-current'), 'page');
    assert.equal(await page.getAttribute(tid('flows-preset-1h'), 'aria-pressed'), 'true');
    await page.waitForSelector(`${tid('flows-chart')}[data-buckets="200"] canvas`);
    await page.waitForSelector(`${tid('flows-top-hosts')} tr[data-key="198.51.100.20"]`);
    const rows = await hostRows(page);
    const byHost = Object.fromEntries(rows);
    assert.equal(byHost['198.51.100.20'], '70.0 kB', `top hosts ${JSON.stringify(rows)}`);
    assert.equal(byHost['192.0.2.10'], '89.0 kB', `top hosts ${JSON.stringify(rows)}`);
    assert.ok(rows.length === 10, `ten hosts: ${rows.length}`);
    assert.match(await page.textContent(tid('flows-resolution')), /200 buckets of 18 s/);
    // The chart holds every byte of the hour.
    const bytes = Number(await page.getAttribute(tid('flows-chart'), 'data-bytes'));
    assert.ok(bytes > 160_000, `chart bytes ${bytes}`);
    peak1h = Number(await page.getAttribute(tid('flows-chart'), 'data-peak'));
    assert.ok(peak1h > 0, 'a peak');
    // The last seconds are still in open sessions: shaded and said.
    assert.ok(await page.getAttribute(tid('flows-chart'), 'data-settled'), 'a live chart says from when it may still rise');
    assert.match(await page.textContent(tid('flows-settling')), /still being collected/);
    // Conversations (client, server) and applications.
    assert.equal(await page.locator(`${tid('flows-top-conversations')} tbody tr[data-key]`).count(), 10);
    assert.match(await page.getAttribute(`${tid('flows-top-conversations')} tbody tr[data-key] >> nth=0`, 'data-key'), /^10\.1\.0\.\d 192\.0\.2\.10\d$/);
    await page.waitForSelector(`${tid('flows-top-apps')} tr[data-key="https"]`);
    // The exporter, its versions and its device on the map.
    await page.waitForSelector(tid('flows-exporter-127.0.0.1'));
    assert.match(await page.textContent(tid('flows-exporter-127.0.0.1')), /NetFlow v5/);
    const link = page.locator(`${tid('flows-exporter-devices-127.0.0.1')} a`);
    assert.equal(await link.textContent(), `router on ${MAP}`);
    assert.equal(await link.getAttribute('href'), `#/map/${encodeURIComponent(MAP)}?device=${encodeURIComponent(ROUTER)}`);
    // Inputs are labelled.
    const unlabelled = await page.$$eval('[data-testid="flows-page"] input, [data-testid="flows-page"] select',
      (els) => els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.dataset.testid));
    assert.deepEqual(unlabelled, [], 'inputs without a label');
    await shot(page, 'flows-hour');
    if (DOC_SHOT) {
      // For the README: the window down to the exporters, in a taller view.
      await page.setViewportSize({ width: 1440, height: 1100 });
      await page.evaluate(() => document.getElementById('view').scrollTo(0, 0));
      await page.waitForTimeout(300);
      const ex = await page.locator(tid('flows-exporters')).boundingBox();
      await page.screenshot({ path: DOC_SHOT, clip: { x: 0, y: 0, width: 1440, height: Math.min(1100, Math.ceil(ex.y + ex.height + 16)) } });
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  await step('metric and grouping switch: packets, protocols', async () => {
    const before = topRequests.length;
    await page.selectOption(tid('flows-metric'), 'packets');
    await page.waitForFunction(() => location.hash.includes('metric=packets'));
    await waitForRequest(topRequests, before, (u) => u.searchParams.get('metric') === 'packets', 'a top request by packets');
    await page.waitForSelector(`${tid('flows-top-hosts')} th:text-is("Packets")`);
    await page.click(tid('flows-apps-protocol'));
    await page.waitForSelector(`${tid('flows-top-apps')} tr[data-key="tcp"]`);
    await page.waitForSelector(`${tid('flows-page')} h2:text-is("Top protocols")`);
    assert.equal(await page.getAttribute(tid('flows-apps-protocol'), 'aria-pressed'), 'true');
    await page.goBack();
    await page.goBack();
    await page.waitForFunction(() => !location.hash.includes('metric='));
    await page.waitForSelector(`${tid('flows-top-hosts')} th:text-is("Bytes")`);
  });

  await step('dragging across the chart zooms in: a narrower range read again, taller peaks', async () => {
    await page.waitForSelector(`${tid('flows-top-apps')} tr[data-key="https"]`);
    const before = chartRequests.length;
    const box = await page.locator(tid('flows-chart-over')).boundingBox();
    const y = box.y + box.height / 2;
    // The last 8 % of the hour: the sessions of now, not the one 20 min ago.
    await page.mouse.move(box.x + box.width * 0.92, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.96, y, { steps: 5 });
    await page.mouse.move(box.x + box.width - 2, y, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => /[?&]to=/.test(location.hash));
    const st = flowsState(page);
    const from = Date.parse(st.get('from'));
    const to = Date.parse(st.get('to'));
    assert.ok(Number.isFinite(from) && Number.isFinite(to), `from/to are times: ${st}`);
    assert.ok(to - from < 10 * 60 * 1000 && to - from > 60 * 1000, `zoomed range ${st.get('from')}–${st.get('to')}`);
    assert.equal(st.get('rfrom'), '1h', 'reset returns to the hour');
    const req = await waitForRequest(chartRequests, before, (u) => u.searchParams.get('from') === st.get('from'), 'a chart request for the zoomed range');
    assert.equal(req.searchParams.get('to'), st.get('to'));
    assert.equal(req.searchParams.get('buckets'), '200');
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="flows-chart"]');
      return el && Date.parse(el.dataset.to) - Date.parse(el.dataset.from) < 10 * 60 * 1000;
    });
    // The same sessions over shorter buckets: the peak is taller.
    const peak = Number(await page.getAttribute(tid('flows-chart'), 'data-peak'));
    assert.ok(peak > peak1h * 3, `zoomed peak ${peak} vs ${peak1h}`);
    // The tables follow: only the sessions of now.
    await page.waitForFunction(() => {
      const keys = [...document.querySelectorAll('[data-testid="flows-top-hosts"] tbody tr[data-key]')].map((tr) => tr.dataset.key);
      return keys.join(',') === '198.51.100.20,192.0.2.10,192.0.2.11';
    });
    assert.deepEqual(await hostRows(page), [['198.51.100.20', '70.0 kB'], ['192.0.2.10', '69.0 kB'], ['192.0.2.11', '1.0 kB']]);
    await page.waitForSelector(`${tid('flows-top-conversations')} tr[data-key="192.0.2.10 198.51.100.20"]`);
    assert.equal(await page.locator(`${tid('flows-top-conversations')} tbody tr[data-key]`).count(), 2);
    assert.ok(await page.isHidden(tid('flows-live')), 'a range in the past is not live');
    assert.ok(await page.isVisible(tid('flows-reset-zoom')), 'reset zoom is offered');
    await shot(page, 'flows-zoomed');
  });

  await step('clicking a host filters by it', async () => {
    const before = chartRequests.length;
    const zoomed = flowsState(page);
    await page.click(`${tid('flows-top-hosts')} tr[data-key="192.0.2.11"]`);
    await page.waitForFunction(() => /[?&]host=192\.0\.2\.11(&|$)/.test(location.hash));
    const st = flowsState(page);
    assert.equal(st.get('from'), zoomed.get('from'), 'the range stays');
    await waitForRequest(chartRequests, before, (u) => u.searchParams.get('host') === '192.0.2.11', 'a chart request for the host');
    await page.waitForSelector(tid('flows-filter-host'));
    assert.match(await page.textContent(tid('flows-filter-host')), /192\.0\.2\.11/);
    await page.waitForFunction(() => {
      const keys = [...document.querySelectorAll('[data-testid="flows-top-hosts"] tbody tr[data-key]')].map((tr) => tr.dataset.key);
      return keys.join(',') === '192.0.2.11,198.51.100.20';
    });
    assert.deepEqual(await hostRows(page), [['192.0.2.11', '1.0 kB'], ['198.51.100.20', '1.0 kB']]);
    await page.waitForSelector(`${tid('flows-top-apps')} tr[data-key="ssh"]`);
    await shot(page, 'flows-host');
    // Removing the filter; then Reset zoom returns to the hour.
    await page.click(tid('flows-filter-host-remove'));
    await page.waitForFunction(() => !/[?&]host=/.test(location.hash));
    await page.click(tid('flows-reset-zoom'));
    await page.waitForFunction(() => !/[?&](to|from)=/.test(location.hash));
    await page.waitForSelector(`${tid('flows-preset-1h')}[aria-pressed="true"]`);
  });

  await step('the About panel shows the collector\'s diagnostics', async () => {
    await page.click(`${tid('flows-about')} summary`);
    await page.waitForSelector(`${tid('flows-about-body')} dl`);
    const text = await page.textContent(tid('flows-about-body'));
    assert.match(text, /embedded/);
    assert.match(text, /1 \(\d+ templates\)/);
  });

  await step('the exporter\'s device on the map: its status window has a Flows link', async () => {
    await page.click(`${tid('flows-exporter-devices-127.0.0.1')} a`);
    await page.waitForSelector(`${tid('status-panel')}:not([hidden]) ${tid('panel-title')}:text-is("router")`);
    await page.waitForSelector(tid('panel-flows'));
    assert.equal(await page.getAttribute(tid('panel-flows'), 'href'), '#/flows?exporter=127.0.0.1');
    await shot(page, 'device-flows-link');
    const before = chartRequests.length;
    await page.click(tid('panel-flows'));
    await page.waitForSelector(tid('flows-filter-exporter'));
    // The chip names the exporter's device once the exporters are read.
    await page.waitForFunction(() => /127\.0\.0\.1 \(router\)/.test(document.querySelector('[data-testid="flows-filter-exporter"]').textContent));
    await waitForRequest(chartRequests, before, (u) => u.searchParams.get('exporter') === '127.0.0.1', 'a chart request for the exporter');
    await page.waitForSelector(`${tid('flows-top-hosts')} tr[data-key="198.51.100.20"]`);
  });

  await step('a link naming the exporter\'s interface: "Flows through this interface"', async () => {
    await page.goto(`${BASE}/#/map/${encodeURIComponent(MAP)}`);
    await page.waitForSelector(tid('device-router'));
    await page.waitForTimeout(300);
    const mid = await centre(page, `${tid('link-router-LAN')} .link-hit`);
    await page.mouse.click(mid.x, mid.y);
    await page.waitForSelector(`${tid('panel-title')}:has-text("router — LAN")`);
    await page.waitForSelector(tid('link-flows-router'));
    assert.equal(await page.getAttribute(tid('link-flows-router'), 'href'), '#/flows?exporter=127.0.0.1&interface=1');
    await shot(page, 'link-flows-link');
    const before = chartRequests.length;
    await page.click(tid('link-flows-router'));
    await page.waitForSelector(tid('flows-filter-interface'));
    await waitForRequest(chartRequests, before,
      (u) => u.searchParams.get('exporter') === '127.0.0.1' && u.searchParams.get('interface') === '1', 'a chart request for the interface');
    // Direction through the interface.
    await page.click(tid('flows-dir-in'));
    await page.waitForFunction(() => /[?&]dir=in(&|$)/.test(location.hash));
    await waitForRequest(chartRequests, before, (u) => u.searchParams.get('dir') === 'in', 'a chart request for the direction');
  });

  await step('the ping tool in a device\'s status window streams replies from the server', async () => {
    await page.goto(`${BASE}/#/map/${encodeURIComponent(MAP)}?device=${encodeURIComponent(ROUTER)}`);
    await page.waitForSelector(`${tid('status-panel')}:not([hidden]) ${tid('panel-title')}:text-is("router")`);
    await page.click(tid('panel-ping'));
    await page.waitForSelector(`${tid('tool-ping')}[open]`);
    await page.waitForFunction(() => /64 bytes from 127\.0\.0\.1/.test(document.querySelector('[data-testid="tool-output"]').textContent), null, { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="tool-state"]').textContent === 'Done.', null, { timeout: 20_000 });
    assert.match(await page.textContent(tid('tool-output')), /min\/avg\/max\/mdev/);
    await shot(page, 'ping');
    await page.click(tid('tool-close'));
    await page.waitForSelector(tid('tool-ping'), { state: 'detached' });
    assert.ok(await page.isVisible(tid('panel-traceroute')), 'traceroute is offered too');
  });

  await step('the World link shows the device at its latitude and longitude', async () => {
    await page.click(tid('map-world'));
    await page.waitForSelector(`${tid('world-svg')} [data-testid="world-device"][data-name="router"]`);
    assert.equal(await page.getAttribute(tid('nav-maps'), 'aria-current'), 'page');
    assert.ok(await page.isHidden(tid('world-note')), 'no "no positions" note');
    await shot(page, 'world');
  });

  await step('a Map Status device drills down to its map: the status window\'s link, a double-click', async () => {
    await api('POST', '/api/v1/maps', { name: 'Overview', devices: [
      { name: 'lab', address: '127.0.0.1', probe: 'map.status', interval: '2s', x: 200, y: 160, params: { map: MAP } },
    ] });
    await page.goto(`${BASE}/#/map/Overview?device=Overview~lab`);
    await page.waitForSelector(`${tid('status-panel')}:not([hidden]) ${tid('panel-title')}:text-is("lab")`);
    await page.waitForSelector(tid('panel-open-map'), { timeout: 20_000 });
    assert.equal(await page.getAttribute(tid('panel-open-map'), 'href'), `#/map/${encodeURIComponent(MAP)}`);
    assert.equal(await page.getAttribute(tid('panel-open-map'), 'target'), null, 'a map of this server opens in this tab');
    await shot(page, 'map-status-drill-down');
    await page.click(tid('panel-open-map'));
    await page.waitForSelector(`${tid('map-title')}:text-is("${MAP}")`);
    await page.goBack();
    await page.waitForSelector(tid('device-lab'));
    await page.dblclick(tid('device-lab'));
    await page.waitForSelector(`${tid('map-title')}:text-is("${MAP}")`);
  });

  await step('discovery: a refused range shows why; 127.0.0.1/32 is scanned and added to the map', async () => {
    await api('POST', '/api/v1/maps', { name: SCAN_MAP });
    await page.goto(`${BASE}/#/map/${encodeURIComponent(SCAN_MAP)}`);
    await page.waitForSelector(tid('map-empty'));
    await page.click(tid('discover'));
    await page.waitForSelector(tid('discover-form'));
    const unlabelled = await page.$$eval('[data-testid="discover-form"] input, [data-testid="discover-form"] textarea',
      (els) => els.filter((e) => !(e.labels && e.labels.length)).map((e) => e.dataset.testid));
    assert.deepEqual(unlabelled, [], 'inputs without a label');
    // Nothing given: refused in the page.
    await page.click(tid('discover-submit'));
    await page.waitForSelector(`${tid('discover-error')}:visible`);
    assert.match(await page.textContent(tid('discover-error')), /at least one range/);
    assert.equal(await page.getAttribute(tid('discover-cidrs'), 'aria-invalid'), 'true');
    // A bad port: refused in the page.
    await page.fill(tid('discover-cidrs'), '127.0.0.1/32');
    await page.fill(tid('discover-ports'), `${svc.port}, http`);
    await page.click(tid('discover-submit'));
    await page.waitForFunction(() => /“http” is not a TCP port/.test(document.querySelector('[data-testid="discover-error"]').textContent));
    // The whole loopback range: refused by the server, nothing scanned.
    await page.fill(tid('discover-cidrs'), '127.0.0.0/8');
    await page.fill(tid('discover-ports'), String(svc.port));
    const refused = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/discover'));
    await page.click(tid('discover-submit'));
    assert.equal((await refused).status(), 400);
    await page.waitForFunction(() => /refused: .*cannot be scanned/.test(document.querySelector('[data-testid="discover-error"]').textContent));
    await shot(page, 'discover-refused');
    // 127.0.0.1 alone, with a listening TCP port.
    await page.fill(tid('discover-cidrs'), '127.0.0.1/32');
    await page.fill(tid('discover-communities'), 'lab-ro');
    const started = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/discover'));
    await page.click(tid('discover-submit'));
    const resp = await started;
    assert.equal(resp.status(), 202, await resp.text());
    const body = JSON.parse(resp.request().postData());
    assert.deepEqual(body, { cidrs: ['127.0.0.1/32'], communities: ['lab-ro'], ports: [svc.port] });
    await page.waitForSelector(tid('discover-progress'));
    await page.waitForSelector(`${tid('discover-progress')}[data-state="done"]`, { timeout: 60_000 });
    await page.waitForSelector(`${tid('discover-added')} li`);
    assert.equal(await page.textContent(tid('discover-counts')), '1 device found');
    await shot(page, 'discover-done');
    await page.click(tid('discover-close'));
    await page.waitForSelector(tid('discover-form'), { state: 'detached' });
    await page.waitForSelector('.item.device');
    const devices = await api('GET', `/api/v1/maps/${encodeURIComponent(SCAN_MAP)}/devices`);
    assert.equal(devices.length, 1);
    assert.equal(devices[0].address, '127.0.0.1');
  });

  await t.test('no request left the server and no script errors', () => {
    assert.deepEqual(outside, [], 'requests to other hosts');
    assert.deepEqual(pageErrors, [], 'errors in the page');
  });
});
