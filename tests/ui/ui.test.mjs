// Browser test of Vantage's web UI: playwright-core drives Debian's chromium
// (headless) against a real `vantage serve`. Normally run by the Go wrapper
// (go test ./cmd/vantage -run TestBrowserUI), which starts the server and an
// SMTP-like service; it can also run on its own:
//
//   VANTAGE_URL=http://127.0.0.1:8080 VANTAGE_PASSWORD=… node --test tests/ui/ui.test.mjs
//
// Environment:
//   VANTAGE_URL       the server (required); user is admin
//   VANTAGE_PASSWORD  admin's password (required)
//   SMTP_PORT         a greeting TCP service on 127.0.0.1 that the wrapper
//                     stops when this test writes $SCREENSHOT_DIR/stop-smtp
//                     (it answers by writing $SCREENSHOT_DIR/smtp-stopped);
//                     without it the test runs such a service itself
//   SNMP_PORT         a real SNMP agent (snmpd) on SNMP_ADDRESS (default
//                     127.0.0.1) answering community SNMP_COMMUNITY (default
//                     public); without it the SNMP steps are skipped
//   SCREENSHOT_DIR    where each step's screenshot goes (default: a new
//                     folder under the system temp folder)
//   CHROMIUM          the browser (default /usr/bin/chromium)
//
// Every request the page makes must stay on VANTAGE_URL's origin; anything
// else is blocked and fails the test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BASE, PASSWORD, centre, dev, guardedContext, launch, screenshots, stepper } from './lib.mjs';

const { dir: SHOTS, shot } = screenshots('ui');
const MAP = 'UI Test'; // a space, to exercise URL encoding
const STATUS_WAIT = 45_000;
const SNMP_PORT = process.env.SNMP_PORT || '';
const SNMP_ADDRESS = process.env.SNMP_ADDRESS || '127.0.0.1';
const SNMP_COMMUNITY = process.env.SNMP_COMMUNITY || 'public';

// ---- the SMTP-like service whose death the UI must show -----------------

async function smtpService() {
  if (process.env.SMTP_PORT) {
    const stopFile = path.join(SHOTS, 'stop-smtp');
    const ackFile = path.join(SHOTS, 'smtp-stopped');
    fs.rmSync(ackFile, { force: true });
    return {
      port: Number(process.env.SMTP_PORT),
      async stop() {
        fs.writeFileSync(stopFile, 'stop\n');
        const deadline = Date.now() + 15_000;
        while (!fs.existsSync(ackFile)) {
          if (Date.now() > deadline) throw new Error(`the wrapper did not stop the SMTP service (no ${ackFile})`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
    };
  }
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.setTimeout(2000, () => sock.destroy());
    sock.write('220 mail.example.test ESMTP ready\r\n');
    sock.on('data', (d) => {
      if (/QUIT/i.test(String(d))) sock.end('221 bye\r\n');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    async stop() {
      await new Promise((resolve) => {
        server.close(resolve);
        for (const s of sockets) s.destroy();
      });
    },
  };
}

// ---- helpers -----------------------------------------------------------


async function waitStatus(page, name, status, timeout = STATUS_WAIT) {
  try {
    await page.waitForSelector(`${dev(name)}[data-status="${status}"]`, { timeout });
  } catch (err) {
    const now = await page.getAttribute(dev(name), 'data-status').catch(() => 'missing');
    const title = await page.textContent(`${dev(name)} title`).catch(() => '');
    throw new Error(`device ${name} is ${now} (${title.replace(/\s+/g, ' ')}), want ${status} within ${timeout} ms`);
  }
}

// addDevice fills the Add device form.
async function addDevice(page, { name, address, probe, params = {}, interval, downAfter }, screenshot) {
  await page.click('[data-testid="add-device"]');
  await page.waitForSelector('[data-testid="device-form"]');
  await page.fill('[data-testid="device-name"]', name);
  await page.fill('[data-testid="device-address"]', address);
  await page.selectOption('[data-testid="device-probe"]', probe);
  for (const [k, v] of Object.entries(params)) {
    // Threshold parameters fold away; open them when needed.
    const input = page.locator(`[data-testid="param-${k}"]`);
    if (!(await input.isVisible())) await page.click('.thresholds summary');
    await input.fill(v);
  }
  if (interval) await page.fill('[data-testid="device-interval"]', interval);
  if (downAfter) await page.fill('[data-testid="device-down-after"]', String(downAfter));
  if (screenshot) await shot(page, screenshot);
  await page.click('[data-testid="device-submit"]');
  await page.waitForSelector('[data-testid="device-form"]', { state: 'detached' });
  await page.waitForSelector(dev(name));
}

// ---- the walk-through ----------------------------------------------------

test('Vantage web UI in a real browser', { timeout: 300_000 }, async (t) => {
  const smtp = await smtpService();
  const browser = await launch(t, SHOTS);
  const outside = [];
  const pageErrors = [];
  const context = await guardedContext(browser, { viewport: { width: 1440, height: 900 } }, outside);
  const watch = (p) => {
    p.on('pageerror', (err) => pageErrors.push(err.message));
    p.on('console', (m) => {
      // Refusals the test provokes (the session check before logging in,
      // the wrong password, the refused link) log their 4xx answers.
      if (m.type() === 'error' && !/Failed to load resource: .*status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
    });
  };
  const page = await context.newPage();
  watch(page);

  const step = stepper(t, (label) => shot(page, label));

  await step('log in', async () => {
    await page.goto(BASE + '/');
    await page.waitForSelector('[data-testid="login-form"]');
    await shot(page, 'login');
    await page.fill('[data-testid="login-password"]', 'wrong-password');
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="login-error"]:not([hidden])');
    await page.fill('[data-testid="login-user"]', 'admin');
    await page.fill('[data-testid="login-password"]', PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForSelector('[data-testid="new-map"]');
    await page.waitForSelector('[data-testid="stream-state"][data-state="live"]');
    assert.equal(await page.textContent('[data-testid="current-user"]'), 'admin');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'vantage_session');
    assert.ok(session && session.httpOnly, 'an HttpOnly session cookie is set');
    await shot(page, 'maps');
  });

  await step('create a map', async () => {
    await page.click('[data-testid="new-map"]');
    await page.fill('[data-testid="map-name"]', MAP);
    await page.click('[data-testid="map-submit"]');
    await page.waitForSelector('[data-testid="map-title"]');
    assert.equal(await page.textContent('[data-testid="map-title"]'), MAP);
    await page.click('[data-testid="edit-mode"]');
    await page.waitForSelector('[data-testid="add-device"]');
  });

  const vantagePort = new URL(BASE).port || '80';
  await step('add three devices and a network through the forms', async () => {
    await page.click('[data-testid="add-network"]');
    await page.fill('[data-testid="network-name"]', 'loopback');
    await page.fill('[data-testid="network-cidrs"]', '127.0.0.0/8');
    await page.click('[data-testid="network-submit"]');
    await page.waitForSelector('[data-testid="network-loopback"]');
    await addDevice(page, { name: 'lo', address: '127.0.0.1', probe: 'com.dartware.ping', params: { count: '1', timeout: '1s' }, interval: '1s' });
    await addDevice(page, {
      name: 'mail', address: '127.0.0.1', probe: 'com.dartware.tcp.smtp', params: { port: String(smtp.port), timeout: '1s' }, interval: '1s', downAfter: 2,
    }, 'device-form-smtp');
    await addDevice(page, {
      name: 'web', address: '127.0.0.1', probe: 'com.dartware.tcp.http', params: { port: vantagePort, path: '/api/v1/health', expect: 'ok' }, interval: '2s',
    });
    // Devices inside the oval's range are linked to it automatically.
    await page.waitForSelector('[data-testid="link-lo-loopback"].is-auto', { state: 'attached' });
  });

  await step('see the devices turn green', async () => {
    for (const name of ['lo', 'mail', 'web']) await waitStatus(page, name, 'ok');
    await page.click('[data-testid="zoom-fit"]');
    await shot(page, 'devices-ok');
  });

  await step('a link the server refuses jumps back with the reason', async () => {
    await page.click('[data-testid="add-network"]');
    await page.fill('[data-testid="network-name"]', 'elsewhere');
    await page.fill('[data-testid="network-cidrs"]', '192.0.2.0/24');
    await page.click('[data-testid="network-submit"]');
    await page.waitForSelector('[data-testid="network-elsewhere"]');
    await page.click('[data-testid="link-mode"]');
    await page.click(dev('lo'));
    await page.click('[data-testid="network-elsewhere"]');
    await page.waitForSelector('[data-testid="map-message"]:has-text("refused")');
    const msg = await page.textContent('[data-testid="map-message"]');
    assert.match(msg, /not in/i, `the refusal names the reason: ${msg}`);
    await shot(page, 'link-refused');
    assert.equal(await page.locator('[data-testid="link-lo-elsewhere"]').count(), 0);
    await page.click('[data-testid="link-mode"]');
  });

  await step('delete a network from its status window', async () => {
    await page.click('[data-testid="network-elsewhere"]');
    await page.waitForSelector('[data-testid="panel-title"]:has-text("elsewhere")');
    await page.click('[data-testid="panel-delete"]');
    await page.click('[data-testid="confirm-ok"]');
    await page.waitForSelector('[data-testid="network-elsewhere"]', { state: 'detached' });
  });

  await step('status window, keyboard and vantage point', async () => {
    await page.focus(dev('mail'));
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="status-panel"]:not([hidden]) [data-testid="panel-title"]:has-text("mail")');
    await page.waitForSelector('[data-testid="panel-status"][data-status="ok"]');
    await page.waitForSelector('[data-testid="panel-values"]:has-text("ESMTP")');
    await shot(page, 'status-window');
    await page.click(dev('lo'));
    await page.waitForSelector('[data-testid="panel-title"]:has-text("lo")');
    await page.click('[data-testid="panel-vantage"]');
    await page.waitForSelector(`${dev('lo')}.is-vantage`);
    await page.click('[data-testid="auto-layout"]');
    const saved = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/maps/UI%20Test'));
    await page.click('[data-testid="confirm-ok"]');
    assert.equal((await saved).status(), 200);
    await page.waitForFunction(() => !document.querySelector('.item.is-unplaced'));
    await page.waitForTimeout(700); // let the stream's map update land
    // A link's status window shows its endpoints and their status.
    const mid = await centre(page, '[data-testid="link-mail-loopback"] .link-hit');
    await page.mouse.click(mid.x, mid.y);
    await page.waitForSelector('[data-testid="panel-title"]:has-text("mail — loopback")');
    await page.waitForSelector('[data-testid="link-end-mail"] .badge[data-status="ok"]');
    await shot(page, 'link-window');
  });

  // A second tab on the event log: its live tail must show the DOWN line.
  const logPage = await context.newPage();
  watch(logPage);
  await step('open the event log in a second tab', async () => {
    await logPage.goto(BASE + '/#/events');
    await logPage.waitForSelector('[data-testid="events-filters"]');
    await logPage.selectOption('[data-testid="events-filter-map"]', MAP);
    await logPage.click('[data-testid="events-apply"]');
    await logPage.waitForSelector('[data-testid="stream-state"][data-state="live"]');
  });

  await step('stop the SMTP service: the device goes down live, the event log shows it', async () => {
    await page.click(dev('mail'));
    await page.evaluate(() => { window.__notReloaded = true; });
    await smtp.stop();
    await waitStatus(page, 'mail', 'down');
    assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page was not reloaded');
    await page.waitForSelector('[data-testid="panel-status"][data-status="down"]');
    await page.waitForSelector('[data-testid="panel-events"] [data-kind="DOWN"]');
    await shot(page, 'device-down');
    await logPage.waitForSelector('[data-testid="event-row"][data-kind="DOWN"]:has-text("mail")', { timeout: 15_000 });
    await logPage.bringToFront();
    await shot(logPage, 'event-log-down');
    await page.bringToFront();
  });

  let moved;
  await step('edit a device: rename and move it', async () => {
    await page.click(dev('web'));
    await page.click('[data-testid="panel-edit"]');
    await page.fill('[data-testid="device-name"]', 'web-renamed');
    await page.click('[data-testid="device-submit"]');
    await page.waitForSelector(dev('web-renamed'));
    assert.equal(await page.locator(dev('web')).count(), 0);
    // Drag "lo" 150 px right and 90 px down.
    const from = await centre(page, dev('lo'));
    const before = await page.getAttribute(dev('lo'), 'transform');
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 60, from.y + 30, { steps: 5 });
    await page.mouse.move(from.x + 150, from.y + 90, { steps: 5 });
    await page.mouse.up();
    await page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes('/devices/lo'));
    moved = await page.getAttribute(dev('lo'), 'transform');
    assert.notEqual(moved, before, 'the device moved');
    // It stays there when the map is re-fetched after the save.
    await page.waitForTimeout(1500);
    assert.equal(await page.getAttribute(dev('lo'), 'transform'), moved);
    await shot(page, 'device-edited');
  });

  await step('reload: the edits are kept', async () => {
    await page.reload();
    await page.waitForSelector(dev('web-renamed'));
    assert.equal(await page.locator(dev('web')).count(), 0);
    assert.equal(await page.getAttribute(dev('lo'), 'transform'), moved);
    await waitStatus(page, 'web-renamed', 'ok');
    assert.equal(await page.getAttribute(dev('mail'), 'data-status'), 'down');
    await shot(page, 'reloaded');
  });

  const noSNMP = !SNMP_PORT && 'no SNMP agent (SNMP_PORT is not set)';
  await step('add an SNMP device through the form', async () => {
    await page.click('[data-testid="add-device"]');
    await page.waitForSelector('[data-testid="device-form"]');
    await page.fill('[data-testid="device-name"]', 'switch');
    await page.fill('[data-testid="device-address"]', SNMP_ADDRESS);
    assert.ok(await page.isHidden('[data-testid="device-snmp"]'), 'no SNMP settings for a ping probe');
    await page.selectOption('[data-testid="device-probe"]', 'com.dartware.snmp');
    await page.waitForSelector('[data-testid="device-snmp"]:visible');
    // The v3 fields show for version 3 only.
    await page.selectOption('[data-testid="snmp-version"]', '3');
    await page.waitForSelector('[data-testid="snmp-user"]:visible');
    assert.ok(await page.isHidden('[data-testid="snmp-community"]'), 'no community for v3');
    await page.selectOption('[data-testid="snmp-version"]', '2c');
    await page.waitForSelector('[data-testid="snmp-user"]', { state: 'hidden' });
    await page.fill('[data-testid="snmp-port"]', SNMP_PORT);
    await page.fill('[data-testid="snmp-community"]', SNMP_COMMUNITY);
    await page.fill('[data-testid="device-interval"]', '2s');
    await shot(page, 'device-form-snmp-settings');
    const saved = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/devices'));
    await page.click('[data-testid="device-submit"]');
    const resp = await saved;
    assert.equal(resp.status(), 201, `device saved: ${await resp.text()}`);
    const body = await resp.json();
    assert.equal(body.snmp?.community, '<secret>', 'the community does not come back');
    assert.equal(body.snmp?.port, Number(SNMP_PORT));
    await page.waitForSelector('[data-testid="device-form"]', { state: 'detached' });
    await waitStatus(page, 'switch', 'ok');
  }, noSNMP);

  await step('the SNMP status window lists the interfaces, live', async () => {
    await page.click(dev('switch'));
    await page.waitForSelector('[data-testid="panel-title"]:has-text("switch")');
    await page.waitForSelector('[data-testid="panel-system"]:has-text("Uptime")');
    await page.waitForSelector('[data-testid="iface-table"] tr[data-name="lo"][data-oper="up"]');
    assert.equal(await page.textContent('[data-testid="iface-table"] tr[data-name="lo"] .ifstate'), 'up');
    // Rates need two polls; they arrive through the stream.
    await page.waitForSelector('[data-testid="iface-table"] tr[data-name="lo"] .rate-text:has-text("b/s")', { timeout: 20_000 });
    await shot(page, 'snmp-status-window');
    // The device form shows the stored community as stored, not its value.
    await page.click('[data-testid="panel-edit"]');
    await page.waitForSelector('[data-testid="device-snmp"]:visible');
    assert.equal(await page.inputValue('[data-testid="snmp-community"]'), '');
    assert.match(await page.getAttribute('[data-testid="snmp-community"]', 'placeholder'), /stored/);
    assert.equal(await page.inputValue('[data-testid="snmp-version"]'), '2c');
    await page.click('[data-testid="device-cancel"]');
    await page.waitForSelector('[data-testid="device-form"]', { state: 'detached' });
    await page.click('[data-testid="panel-close"]');
    await page.waitForSelector('[data-testid="status-panel"]', { state: 'hidden' });
  }, noSNMP);

  await step('draw a link on the SNMP device\'s interface lo and see its traffic', async () => {
    await page.click('[data-testid="link-mode"]');
    await page.click(dev('switch'));
    await page.click(dev('lo'));
    await page.waitForSelector('[data-testid="link-form"]');
    // Keyboard-reachable: the first interface picker has the focus.
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'link-from-interface');
    await page.selectOption('[data-testid="link-from-interface"]', 'lo');
    await shot(page, 'link-interface-picker');
    await page.click('[data-testid="link-submit"]');
    await page.waitForSelector('[data-testid="link-form"]', { state: 'detached' });
    await page.waitForSelector('[data-testid="link-switch-lo"]', { state: 'attached' });
    await page.click('[data-testid="link-mode"]');
    const label = '[data-testid="link-traffic-switch-lo"]';
    await page.waitForSelector(`${label}[data-rates="1"]`, { timeout: 20_000 });
    assert.match(await page.textContent(label), /in .*b\/s · out .*b\/s/);
    // Arrange the map so the label is clear of the devices.
    await page.click('[data-testid="auto-layout"]');
    await page.click('[data-testid="confirm-ok"]');
    await page.waitForTimeout(700);
    await page.click('[data-testid="zoom-fit"]');
    await page.waitForTimeout(300);
    await shot(page, 'link-traffic');
    // Its status window shows the interface.
    await page.click(label);
    await page.waitForSelector('[data-testid="panel-title"]:has-text("switch — lo")');
    await page.waitForSelector('[data-testid="link-iface-switch"] .ifstate[data-state="up"]');
    await shot(page, 'link-window-interface');
  }, noSNMP);

  await step('edit the link: drop the interface, then set it again', async () => {
    await page.click('[data-testid="panel-edit-link"]');
    await page.waitForSelector('[data-testid="link-form"]');
    assert.equal(await page.inputValue('[data-testid="link-from-interface"]'), 'lo');
    await page.selectOption('[data-testid="link-from-interface"]', '');
    await page.click('[data-testid="link-submit"]');
    await page.waitForSelector('[data-testid="link-form"]', { state: 'detached' });
    await page.waitForSelector('[data-testid="link-traffic-switch-lo"]', { state: 'detached' });
    await page.waitForSelector('[data-testid="panel-title"]:has-text("switch — lo")');
    assert.equal(await page.locator('[data-testid="link-interfaces"]').count(), 0);
    await page.click('[data-testid="panel-edit-link"]');
    await page.waitForSelector('[data-testid="link-form"]');
    await page.selectOption('[data-testid="link-from-interface"]', 'lo');
    await page.click('[data-testid="link-submit"]');
    await page.waitForSelector('[data-testid="link-form"]', { state: 'detached' });
    await page.waitForSelector('[data-testid="link-traffic-switch-lo"][data-rates="1"]');
    await page.waitForSelector('[data-testid="link-iface-switch"]');
  }, noSNMP);

  await step('probe builder: walk the switch, pick variables, preview and save a probe file', async () => {
    await page.click('[data-testid="nav-builder"]');
    await page.waitForSelector('[data-testid="builder-page"]');
    const label = `switch (${SNMP_ADDRESS})`;
    await page.waitForSelector(`[data-testid="builder-device"] option:has-text("${label}")`, { state: 'attached' });
    await page.selectOption('[data-testid="builder-device"]', { label });
    await page.click('[data-testid="builder-subtree-system"]');
    const nameRow = '[data-testid="builder-walk-table"] tr[data-oid="1.3.6.1.2.1.1.5.0"]';
    const locRow = '[data-testid="builder-walk-table"] tr[data-oid="1.3.6.1.2.1.1.6.0"]';
    await page.waitForSelector(nameRow);
    const sysName = (await page.textContent(`${nameRow} .col-value`)).trim();
    assert.ok(sysName, 'the walk shows sysName.0 with a value');
    await page.click(nameRow);
    // Keyboard: a focused row is added with Enter.
    await page.focus(locRow);
    await page.keyboard.press('Enter');
    assert.equal(await page.inputValue('[data-testid="builder-var-name-0"]'), 'sysName');
    assert.equal(await page.inputValue('[data-testid="builder-var-name-1"]'), 'sysLocation');
    await page.click('[data-testid="builder-add-threshold"]');
    await page.selectOption('[data-testid="builder-threshold-level-0"]', 'okay');
    await page.fill('[data-testid="builder-threshold-expr-0"]', '1 = 1');
    await page.fill('[data-testid="builder-threshold-reason-0"]', 'fine');
    await page.fill('[data-testid="builder-human-name"]', 'UI test probe');
    await page.fill('[data-testid="builder-probe-name"]', 'uitest');
    const file = await page.textContent('[data-testid="builder-file"]');
    assert.match(file, /"type"\s*=\s*"custom-snmp"/);
    assert.match(file, /sysName,\s+(SNMPv2-MIB::sysName\.0|1\.3\.6\.1\.2\.1\.1\.5\.0),\s+DEFAULT/);
    assert.match(file, /okay:\s+1 = 1\s+"fine"/);
    await page.evaluate(() => document.getElementById('view').scrollTo(0, 0));
    await shot(page, 'builder-walk');
    await page.click('[data-testid="builder-preview"]');
    await page.waitForSelector('[data-testid="builder-status"]', { timeout: 30_000 });
    assert.equal(await page.getAttribute('[data-testid="builder-status"]', 'data-status'), 'ok',
      `preview: ${await page.textContent('[data-testid="builder-preview-result"]')}`);
    assert.equal((await page.textContent('[data-testid="builder-reason"]')).trim(), 'fine');
    assert.ok((await page.textContent('[data-testid="builder-display"]')).includes(sysName), 'the rendered display shows sysName');
    await shot(page, 'builder-preview');
    await page.click('[data-testid="builder-save"]');
    await page.waitForSelector('[data-testid="builder-saved"], [data-testid="builder-save-error"]');
    assert.match(await page.textContent('[data-testid="builder-save-result"]'), /Saved probes\/com\.example\.uitest\.txt as com\.example\.uitest/);
    const ids = await page.evaluate(async () => (await (await fetch('/api/v1/probes', { headers: { Accept: 'application/json' } })).json()).map((p) => p.id));
    assert.ok(ids.includes('com.example.uitest'), `GET /api/v1/probes lists the new probe: ${ids}`);
    await shot(page, 'builder-saved');
    // The device form offers it at once, without a page reload.
    await page.click('[data-testid="nav-maps"]');
    await page.click(`[data-testid="map-row-${MAP}"] a`);
    await page.click('[data-testid="add-device"]');
    await page.waitForSelector('[data-testid="device-probe"] option[value="com.example.uitest"]', { state: 'attached' });
    await page.click('[data-testid="device-cancel"]');
    await page.waitForSelector('[data-testid="device-form"]', { state: 'detached' });
  }, noSNMP);

  await step('full-screen wall display', async () => {
    await page.click('[data-testid="fullscreen"]');
    await page.waitForFunction(() => document.body.classList.contains('wall'));
    await page.waitForTimeout(300);
    await shot(page, 'wall-display');
    await page.click('[data-testid="exit-fullscreen"]');
    await page.waitForFunction(() => !document.body.classList.contains('wall'));
  });

  await step('server page', async () => {
    await page.click('[data-testid="nav-server"]');
    await page.waitForSelector('[data-testid="server-version-value"]');
    assert.ok((await page.textContent('[data-testid="server-version-value"]')).trim());
    await page.waitForSelector('[data-testid="listener-http"][data-state="listening"]');
    const devices = Number(await page.textContent('[data-testid="server-devices-value"]'));
    assert.ok(devices >= 3, `server reports ${devices} devices`);
    await shot(page, 'server');
  });

  await step('map list shows the map with its counts', async () => {
    await page.click('[data-testid="nav-maps"]');
    await page.waitForSelector(`[data-testid="map-row-${MAP}"][data-status="down"]`);
    await shot(page, 'map-list');
  });

  await step('log out', async () => {
    await page.click('[data-testid="logout"]');
    await page.waitForSelector('[data-testid="login-form"]');
    await page.reload();
    await page.waitForSelector('[data-testid="login-form"]');
  });

  await t.test('no request left the server and no script errors', () => {
    assert.deepEqual(outside, [], 'requests to other hosts');
    assert.deepEqual(pageErrors, [], 'errors in the page');
  });
});
