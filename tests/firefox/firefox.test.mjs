// Firefox smoke test of Vantage's web UI: puppeteer-core drives Debian's
// firefox-esr (headless) over WebDriver BiDi against a real `vantage serve`.
// The Chromium walk-through is tests/ui/ui.test.mjs; this one checks the
// main path works in Firefox too (issue 3): log in, create a map, add a ping
// device, see it turn green, the event log's UP line, the server page.
//
// Firefox tries to reach Mozilla's services when it starts, so it must only
// ever run inside a network namespace with no route out. The Go wrapper
// (go test ./cmd/vantage -run TestFirefoxUI) makes one, starts the server on
// the host side of its veth link and runs this file in it:
//
//   ip netns exec NS node --test tests/firefox/firefox.test.mjs
//
// Environment:
//   VANTAGE_URL       the server (required); user is admin
//   VANTAGE_PASSWORD  admin's password (required)
//   SCREENSHOT_DIR    where each step's screenshot goes (default: a new
//                     folder under the system temp folder)
//   FIREFOX           the browser (default /usr/bin/firefox-esr)
//   VANTAGE_NETNS     set by the wrapper; without it (or
//                     FIREFOX_OUTSIDE_NETNS_OK=1) the test refuses to start
//                     Firefox

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const BASE = (process.env.VANTAGE_URL || '').replace(/\/$/, '');
const PASSWORD = process.env.VANTAGE_PASSWORD || '';
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const SHOTS = process.env.SCREENSHOT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'vantage-firefox-screenshots-'));
const MAP = 'FF Test'; // a space, to exercise URL encoding
const STATUS_WAIT = 45_000;

fs.mkdirSync(SHOTS, { recursive: true });

// Preferences that keep Firefox from calling home. Belt and braces: the
// network namespace is what guarantees nothing leaves the machine.
const PREFS = {
  'app.update.enabled': false,
  'app.update.auto': false,
  'app.update.checkInstallTime': false,
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'browser.newtabpage.enabled': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.ping-centre.telemetry': false,
  'browser.search.update': false,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.usage.uploadEnabled': false,
  'dom.push.enabled': false,
  'dom.push.connection.enabled': false,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.blocklist.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.predictor.enabled': false,
  'network.prefetch-next': false,
  'network.http.speculative-parallel-limit': 0,
  'network.trr.mode': 5,
  'services.settings.server': 'http://127.0.0.1:9/', // remote settings: nowhere
  'services.sync.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'toolkit.coverage.opt-out': true,
  'geo.provider.network.url': '',
};

let shotNo = 0;
async function shot(page, name) {
  shotNo++;
  const file = path.join(SHOTS, `${String(shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

const dev = (name) => `[data-testid="device-${name}"]`;

async function fill(page, selector, value) {
  await page.waitForSelector(selector, { visible: true });
  await page.locator(selector).fill(value);
}

async function text(page, selector) {
  return page.$eval(selector, (el) => el.textContent);
}

// waitText waits for an element matching selector whose text contains want.
async function waitText(page, selector, want, timeout = 15_000) {
  await page.waitForFunction((sel, w) => [...document.querySelectorAll(sel)].some((el) => el.textContent.includes(w)),
    { timeout, polling: 100 }, selector, want);
}

async function waitStatus(page, name, status, timeout = STATUS_WAIT) {
  try {
    await page.waitForSelector(`${dev(name)}[data-status="${status}"]`, { timeout });
  } catch (err) {
    const now = await page.$eval(dev(name), (el) => el.getAttribute('data-status')).catch(() => 'missing');
    const title = await text(page, `${dev(name)} title`).catch(() => '');
    throw new Error(`device ${name} is ${now} (${title.replace(/\s+/g, ' ')}), want ${status} within ${timeout} ms`);
  }
}

test('Vantage web UI in Firefox', { timeout: 240_000 }, async (t) => {
  assert.ok(BASE, 'VANTAGE_URL is required');
  assert.ok(PASSWORD, 'VANTAGE_PASSWORD is required');
  assert.ok(fs.existsSync(FIREFOX), `no browser at ${FIREFOX} (apt-get install firefox-esr)`);
  assert.ok(process.env.VANTAGE_NETNS || process.env.FIREFOX_OUTSIDE_NETNS_OK === '1',
    'Firefox calls home at start: run this test inside a network namespace with no route out (go test ./cmd/vantage -run TestFirefoxUI does)');
  t.diagnostic(`screenshots: ${SHOTS}`);
  const origin = new URL(BASE).origin;

  // Our own profile folder; puppeteer writes PREFS (with its own automation
  // preferences) into its user.js.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vantage-firefox-profile-'));
  t.after(() => fs.rmSync(profile, { recursive: true, force: true }));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: PREFS,
    defaultViewport: { width: 1440, height: 900 },
    env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1', MOZ_DISABLE_AUTO_SAFE_MODE: '1' },
    timeout: 60_000,
  });
  t.after(() => browser.close());
  const userJS = fs.readFileSync(path.join(profile, 'user.js'), 'utf8');
  for (const p of ['app.update.enabled', 'toolkit.telemetry.enabled', 'network.captive-portal-service.enabled', 'app.normandy.enabled']) {
    assert.ok(userJS.includes(`"${p}"`), `user.js sets ${p}`);
  }
  t.diagnostic(`browser: ${await browser.version()}`);

  const outside = [];
  const pageErrors = [];
  let seen = 0; // requests seen: proves the request watch works
  const watch = (p) => {
    p.on('pageerror', (err) => pageErrors.push(String(err?.message ?? err)));
    p.on('console', (m) => {
      // The session check before logging in answers 401, which Firefox may log.
      if (m.type() === 'error' && !/\b4\d\d\b/.test(m.text())) pageErrors.push(m.text());
    });
    // Nothing may leave the server's origin (and the namespace has no route
    // anywhere else).
    p.on('request', (r) => {
      const url = r.url();
      seen++;
      if (!url.startsWith(origin + '/') && !url.startsWith('data:') && !url.startsWith('about:')) outside.push(url);
    });
  };
  const page = await browser.newPage();
  watch(page);

  let failed = false;
  const step = (name, fn) => t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
    try {
      await fn();
    } catch (err) {
      failed = true;
      await shot(page, `FAILED-${name.replace(/\W+/g, '-')}`).catch(() => {});
      throw err;
    }
  });

  await step('log in', async () => {
    await page.goto(BASE + '/');
    await page.waitForSelector('[data-testid="login-form"]');
    await shot(page, 'login');
    await fill(page, '[data-testid="login-password"]', 'wrong-password');
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="login-error"]:not([hidden])');
    await fill(page, '[data-testid="login-user"]', 'admin');
    await fill(page, '[data-testid="login-password"]', PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="new-map"]');
    await page.waitForSelector('[data-testid="stream-state"][data-state="live"]');
    assert.equal(await text(page, '[data-testid="current-user"]'), 'admin');
    const cookies = await browser.cookies();
    const session = cookies.find((c) => c.name === 'vantage_session');
    assert.ok(session && session.httpOnly, 'an HttpOnly session cookie is set');
    await shot(page, 'maps');
  });

  await step('create a map', async () => {
    await page.click('[data-testid="new-map"]');
    await fill(page, '[data-testid="map-name"]', MAP);
    await page.click('[data-testid="map-submit"]');
    await page.waitForSelector('[data-testid="map-title"]');
    assert.equal(await text(page, '[data-testid="map-title"]'), MAP);
    await page.click('[data-testid="edit-mode"]');
    await page.waitForSelector('[data-testid="add-device"]');
    await shot(page, 'map-created');
  });

  await step('add a ping device through the form', async () => {
    await page.click('[data-testid="add-device"]');
    await page.waitForSelector('[data-testid="device-form"]');
    await fill(page, '[data-testid="device-name"]', 'lo');
    await fill(page, '[data-testid="device-address"]', '127.0.0.1');
    await page.select('[data-testid="device-probe"]', 'com.dartware.ping');
    for (const [k, v] of Object.entries({ count: '1', timeout: '1s' })) {
      const sel = `[data-testid="param-${k}"]`;
      const visible = await page.$eval(sel, (el) => el.checkVisibility());
      if (!visible) await page.click('.thresholds summary');
      await fill(page, sel, v);
    }
    await fill(page, '[data-testid="device-interval"]', '1s');
    await shot(page, 'device-form');
    await page.click('[data-testid="device-submit"]');
    await page.waitForSelector('[data-testid="device-form"]', { hidden: true });
    await page.waitForSelector(dev('lo'));
  });

  await step('see the device turn green', async () => {
    await waitStatus(page, 'lo', 'ok');
    await page.click('[data-testid="zoom-fit"]');
    await shot(page, 'device-ok');
  });

  await step('status window', async () => {
    await page.click(dev('lo'));
    await waitText(page, '[data-testid="status-panel"]:not([hidden]) [data-testid="panel-title"]', 'lo');
    await page.waitForSelector('[data-testid="panel-status"][data-status="ok"]');
    await shot(page, 'status-window');
    await page.click('[data-testid="panel-close"]');
    await page.waitForSelector('[data-testid="status-panel"]', { hidden: true });
  });

  await step('the event log shows the UP line', async () => {
    await page.click('[data-testid="nav-events"]');
    await page.waitForSelector('[data-testid="events-filters"]');
    await page.waitForSelector(`[data-testid="events-filter-map"] option[value="${MAP}"]`);
    await page.select('[data-testid="events-filter-map"]', MAP);
    await page.click('[data-testid="events-apply"]');
    await page.waitForSelector('[data-testid="event-row"][data-kind="UP"]', { timeout: 15_000 });
    await waitText(page, '[data-testid="event-row"][data-kind="UP"]', 'lo');
    await shot(page, 'event-log-up');
  });

  await step('server page', async () => {
    await page.click('[data-testid="nav-server"]');
    await page.waitForSelector('[data-testid="server-version-value"]');
    assert.ok((await text(page, '[data-testid="server-version-value"]')).trim());
    await page.waitForSelector('[data-testid="listener-http"][data-state="listening"]');
    const devices = Number(await text(page, '[data-testid="server-devices-value"]'));
    assert.ok(devices >= 1, `server reports ${devices} devices`);
    await shot(page, 'server');
  });

  await step('map list shows the map', async () => {
    await page.click('[data-testid="nav-maps"]');
    await page.waitForSelector(`[data-testid="map-row-${MAP}"][data-status="ok"]`);
    await shot(page, 'map-list');
  });

  await step('log out', async () => {
    await page.click('[data-testid="logout"]');
    await page.waitForSelector('[data-testid="login-form"]');
  });

  await t.test('no request left the server and no script errors', async () => {
    // The watches work in Firefox: an uncaught error is reported...
    await page.evaluate(() => { setTimeout(() => { throw new Error('vantage-selfcheck'); }); });
    const deadline = Date.now() + 5000;
    while (!pageErrors.some((e) => e.includes('vantage-selfcheck')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const i = pageErrors.findIndex((e) => e.includes('vantage-selfcheck'));
    assert.ok(i >= 0, 'the page error watch saw a deliberate error');
    pageErrors.splice(i, 1);
    // ...and requests are seen.
    assert.ok(seen > 0, 'the request watch saw the page\'s requests');
    assert.deepEqual(outside, [], 'requests to other hosts');
    assert.deepEqual(pageErrors, [], 'errors in the page');
  });
});
