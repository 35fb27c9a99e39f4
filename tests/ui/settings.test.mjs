// Browser test of Vantage's settings page (notifiers, rules, incidents,
// flow settings) and map-wide maintenance:
// playwright-core drives Debian's chromium (headless) against a real
// `vantage serve`. Normally run by the Go wrapper (go test ./cmd/vantage
// -run TestBrowserSettings), which starts the server and a webhook
// receiver; it can also run on its own:
//
//   VANTAGE_URL=http://127.0.0.1:8080 VANTAGE_PASSWORD=… WEBHOOK_URL=http://127.0.0.1:9999 node --test tests/ui/settings.test.mjs
//
// Environment:
//   VANTAGE_URL        the server (required); user is admin
//   VANTAGE_PASSWORD   admin's password (required)
//   WEBHOOK_URL        a receiver on loopback that keeps what is POSTed to it
//                      and lists it on GET $WEBHOOK_URL/received as
//                      {"bodies": [...], "authorization": [...]} (required)
//   FLOW_EXPORTERS     how many exporters the server's flow collector has
//                      heard from (the wrapper sends from one); empty when
//                      it collects no flows, and the flow step is skipped
//   SCREENSHOT_DIR     where each step's screenshot goes (default: a new
//                      folder under the system temp folder)
//   SETTINGS_DOC_SHOT  also save the settings page there (docs/settings.png)
//   CHROMIUM           the browser (default /usr/bin/chromium)
//
// Every request the page makes must stay on VANTAGE_URL's origin; anything
// else is blocked and fails the test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { BASE, PASSWORD, launch, api, dev, guardedContext, screenshots, tid, stepper } from './lib.mjs';

const WEBHOOK = (process.env.WEBHOOK_URL || '').replace(/\/$/, '');
const { dir: SHOTS, shot } = screenshots('settings');
const DOC_SHOT = process.env.SETTINGS_DOC_SHOT || '';
const FLOW_EXPORTERS = process.env.FLOW_EXPORTERS || '';
const MAP = 'Ops Floor'; // a space, to exercise URL encoding
const STATUS_WAIT = 45_000;

// ---- helpers -----------------------------------------------------------


// received lists what the webhook receiver got so far.
async function received() {
  const resp = await fetch(WEBHOOK + '/received');
  return resp.json();
}

async function waitReceived(kind, atLeast = 1, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const r = await received();
    const n = r.bodies.filter((b) => b.kind === kind).length;
    if (n >= atLeast) return r;
    assert.ok(Date.now() < deadline, `the webhook receiver got ${n} ${kind} notices, want ${atLeast}: ${JSON.stringify(r.bodies.map((b) => b.kind))}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

// smtpService greets like a mail server on loopback until stopped; then
// connections are refused, as when the service dies.
async function smtpService() {
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

// openDevice opens a device's status window from the keyboard (the window
// may cover the device on screen).
async function openDevice(page, name) {
  await page.focus(dev(name));
  await page.keyboard.press('Enter');
  await page.waitForSelector(`[data-testid="status-panel"]:not([hidden]) [data-testid="panel-title"]:text-is("${name}")`);
}

// fills samples a device's fill colour for 1.4 s (the map flashes twice a
// second): one colour is steady, two are flashing.
async function fills(page, name) {
  const seen = new Set();
  for (let i = 0; i < 8; i++) {
    seen.add(await page.$eval(`${dev(name)} .shape`, (el) => getComputedStyle(el).fill));
    await page.waitForTimeout(180);
  }
  return [...seen];
}
const ACK_BLUE = 'rgb(59, 130, 246)';

async function waitStatus(page, name, status, timeout = STATUS_WAIT) {
  try {
    await page.waitForSelector(`${dev(name)}[data-status="${status}"]`, { timeout });
  } catch (err) {
    const now = await page.getAttribute(dev(name), 'data-status').catch(() => 'missing');
    throw new Error(`device ${name} is ${now}, want ${status} within ${timeout} ms`);
  }
}

// ---- the walk-through ----------------------------------------------------

test('Vantage settings page and map maintenance in a real browser', { timeout: 240_000 }, async (t) => {
  assert.ok(WEBHOOK, 'WEBHOOK_URL is required');
  const browser = await launch(t, SHOTS);
  const outside = [];
  const pageErrors = [];
  const context = await guardedContext(browser, { viewport: { width: 1440, height: 900 } }, outside);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => {
    // The refusals the test provokes (the session check before logging
    // in, the refused rule) log their 4xx answers.
    if (m.type() === 'error' && !/Failed to load resource: .*status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
  });

  const step = stepper(t, (label) => shot(page, label));

  // A map to scope a rule to and to put in maintenance: "gone" is a mail
  // service that dies once the rule is saved, "behind" sits behind it as
  // seen from the vantage point "lo" (unreachable once "gone" is down).
  const svc = await smtpService();
  t.after(() => svc.stop());
  await step('a map with a vantage point, a mail service and a device behind it', async () => {
    const tcp = (name, x) => ({ name, address: '127.0.0.1', probe: 'com.dartware.tcp.smtp', interval: '1s', down_after: 1, x, y: 160, params: { port: String(svc.port), timeout: '1s' } });
    await api('POST', '/api/v1/maps', {
      name: MAP,
      vantage: 'lo',
      devices: [
        { name: 'lo', address: '127.0.0.1', probe: 'com.dartware.ping', interval: '1s', x: 120, y: 160, params: { count: '1', timeout: '1s' } },
        tcp('gone', 360), tcp('behind', 600),
      ],
      links: [{ from: 'lo', to: 'gone' }, { from: 'gone', to: 'behind' }],
    });
  });

  await step('log in and open Settings from the navigation', async () => {
    await page.goto(BASE + '/');
    await page.waitForSelector(tid('login-form'));
    await page.fill(tid('login-user'), 'admin');
    await page.fill(tid('login-password'), PASSWORD);
    await page.click(tid('login-submit'));
    await page.waitForSelector(tid('new-map'));
    // Settings comes just before Server in the navigation.
    const order = await page.$$eval('.mainnav a', (as) => as.map((a) => a.dataset.testid));
    assert.ok(order.indexOf('nav-settings') >= 0 && order.indexOf('nav-settings') < order.indexOf('nav-server'), `navigation order ${order}`);
    await page.click(tid('nav-settings'));
    await page.waitForSelector(tid('settings-page'));
    await page.waitForSelector(tid('notifiers-empty'));
    await page.waitForSelector(tid('rules-empty'));
    assert.equal(await page.getAttribute(tid('nav-settings'), 'aria-current'), 'page');
    assert.ok(await page.isDisabled(tid('settings-save')), 'nothing to save yet');
  });

  await step('add a webhook notifier: the form follows the type, and Send test works before saving', async () => {
    await page.click(tid('notifier-add'));
    await page.waitForSelector(tid('notifier-form'));
    // Only the chosen type's fields show.
    await page.selectOption(tid('notifier-type'), 'email');
    await page.waitForSelector(`${tid('notifier-smtp-host')}:visible`);
    assert.ok(await page.isHidden(tid('notifier-url')), 'no URL for e-mail');
    await page.selectOption(tid('notifier-type'), 'syslog');
    await page.waitForSelector(`${tid('notifier-address')}:visible`);
    assert.ok(await page.isHidden(tid('notifier-smtp-host')), 'no SMTP server for syslog');
    await page.selectOption(tid('notifier-type'), 'webhook');
    await page.waitForSelector(`${tid('notifier-url')}:visible`);
    assert.ok(await page.isHidden(tid('notifier-address')), 'no syslog address for a webhook');
    assert.ok(await page.isHidden(tid('notifier-smtp-host')), 'no SMTP server for a webhook');
    // Every input has a label.
    const unlabelled = await page.$$eval('[data-testid="notifier-form"] input:not([type=checkbox]):not([type=hidden]), [data-testid="notifier-form"] select, [data-testid="notifier-form"] textarea',
      (els) => els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.dataset.testid || e.outerHTML));
    assert.deepEqual(unlabelled, [], 'inputs without a label');
    await page.fill(tid('notifier-name'), 'hook');
    await page.fill(tid('notifier-url'), WEBHOOK + '/hook');
    await page.click(tid('notifier-header-add'));
    await page.fill(tid('notifier-header-name-0'), 'Authorization');
    await page.fill(tid('notifier-header-value-0'), 'Bearer s3cret');
    await page.click('[data-testid="notifier-form"] details summary');
    await page.fill(tid('notifier-retries'), '1');
    await page.fill(tid('notifier-retry-delay'), '200ms');
    await shot(page, 'notifier-editor');
    await page.click(tid('notifier-dialog-test'));
    await page.waitForSelector(`${tid('notifier-test-result')}[data-state="sent"]`, { timeout: 20_000 });
    const r = await waitReceived('TEST', 1);
    assert.equal(r.authorization[r.bodies.findIndex((b) => b.kind === 'TEST')], 'Bearer s3cret', 'the test carries the header');
    await page.click(tid('notifier-submit'));
    await page.waitForSelector(tid('notifier-form'), { state: 'detached' });
    await page.waitForSelector(`${tid('notifier-row-hook')}[data-unsaved="1"]`);
    await page.waitForSelector(`${tid('settings-dirty')}:visible`);
    // The row's own test button sends the (still unsaved) notifier too.
    await page.click(tid('notifier-test-hook'));
    await page.waitForSelector(`${tid('toast-ok')}:has-text("Test sent via hook")`);
    await waitReceived('TEST', 2);
  });

  await step('add a rule scoped to the map, with an escalation step', async () => {
    await page.click(tid('rule-add'));
    await page.waitForSelector(tid('rule-form'));
    await page.fill(tid('rule-name'), 'outages');
    await page.selectOption(tid('rule-map'), MAP);
    // The device list is the map's.
    await page.waitForSelector(`${tid('rule-device')} option[value="gone"]`, { state: 'attached' });
    await page.selectOption(tid('rule-device'), 'gone');
    assert.ok(await page.isChecked(tid('rule-kind-DOWN')) && await page.isChecked(tid('rule-kind-UP')), 'DOWN and UP by default');
    assert.ok(!await page.isChecked(tid('rule-kind-TRAP')));
    await page.check(tid('rule-kind-CRITICAL'));
    // The only notifier is offered, and chosen.
    assert.ok(await page.isChecked(tid('rule-notifier-hook')), 'the only notifier is checked');
    await page.fill(tid('rule-repeat'), '30m');
    await page.fill(tid('rule-count'), '3');
    await page.click(tid('rule-step-add'));
    await page.fill(tid('rule-step-0-after'), '15m');
    await page.check(tid('rule-step-0-notifier-hook'));
    await page.click(tid('rule-step-add'));
    await page.click(tid('rule-step-1-remove'));
    assert.equal(await page.locator(tid('rule-step-1')).count(), 0);
    await page.fill(tid('rule-days'), 'mon-sun');
    await shot(page, 'rule-editor');
    await page.click(tid('rule-submit'));
    await page.waitForSelector(tid('rule-form'), { state: 'detached' });
    await page.waitForSelector(`${tid('rule-row-outages')}[data-unsaved="1"]`);
  });

  await step('Save sends everything; a reload shows both kept', async () => {
    const saved = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/api/v1/notifications'));
    await page.click(tid('settings-save'));
    const resp = await saved;
    assert.equal(resp.status(), 200, await resp.text());
    const body = await resp.json();
    assert.ok(!JSON.stringify(body).includes('s3cret'), 'no secret comes back');
    await page.waitForSelector(tid('settings-dirty'), { state: 'hidden' });
    await page.waitForSelector(`${tid('rule-row-outages')}[data-unsaved=""]`);
    await page.reload();
    await page.waitForSelector(tid('notifier-row-hook'));
    await page.waitForSelector(tid('rule-row-outages'));
    assert.match(await page.textContent(tid('notifier-row-hook')), new RegExp(`${WEBHOOK.replace(/[.]/g, '\\.')}/hook`));
    const row = await page.textContent(tid('rule-row-outages'));
    assert.match(row, /Ops Floor: gone/);
    assert.match(row, /DOWN.*UP.*CRITICAL|DOWN.*CRITICAL.*UP/);
    assert.match(row, /every 30m, 3×/);
    assert.match(row, /after 15m: hook/);
    assert.match(row, /mon-sun/);
    assert.ok(await page.isHidden(tid('settings-dirty')), 'nothing unsaved after a reload');
    // The stored header value stays hidden: an "(unchanged)" placeholder.
    await page.click(tid('notifier-edit-hook'));
    await page.waitForSelector(tid('notifier-form'));
    assert.equal(await page.inputValue(tid('notifier-header-value-0')), '');
    assert.equal(await page.getAttribute(tid('notifier-header-value-0'), 'placeholder'), '(unchanged)');
    assert.equal(await page.inputValue(tid('notifier-header-name-0')), 'Authorization');
    assert.equal(await page.inputValue(tid('notifier-retries')), '1');
    assert.equal(await page.inputValue(tid('notifier-retry-delay')), '200ms');
    // Testing the saved notifier from its editor uses the stored secret.
    const before = (await received()).bodies.length;
    await page.click(tid('notifier-dialog-test'));
    await page.waitForSelector(`${tid('notifier-test-result')}[data-state="sent"]`, { timeout: 20_000 });
    const r = await received();
    assert.equal(r.authorization[before], 'Bearer s3cret', 'the stored header is used');
    await page.click(tid('notifier-cancel'));
    await page.waitForSelector(tid('notifier-form'), { state: 'detached' });
    // The rule editor shows what was saved.
    await page.click(tid('rule-edit-outages'));
    await page.waitForSelector(tid('rule-form'));
    assert.equal(await page.inputValue(tid('rule-map')), MAP);
    await page.waitForFunction(() => document.querySelector('[data-testid="rule-device"]').value === 'gone');
    assert.equal(await page.inputValue(tid('rule-repeat')), '30m');
    assert.equal(await page.inputValue(tid('rule-step-0-after')), '15m');
    await page.click(tid('rule-cancel'));
    await page.waitForSelector(tid('rule-form'), { state: 'detached' });
  });

  await step('a rule the server refuses shows its reason; discarding restores the saved settings', async () => {
    await page.click(tid('rule-add'));
    await page.fill(tid('rule-name'), 'bad');
    await page.fill(tid('rule-hours'), '25:00-26:00');
    await page.click(tid('rule-submit'));
    await page.waitForSelector(tid('rule-row-bad'));
    const refused = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/api/v1/notifications'));
    await page.click(tid('settings-save'));
    assert.equal((await refused).status(), 400);
    await page.waitForSelector(`${tid('settings-error')}:visible`);
    const msg = await page.textContent(tid('settings-error'));
    assert.match(msg, /rule "bad"/, `the refusal names the rule: ${msg}`);
    assert.match(msg, /hours/, `the refusal names the field: ${msg}`);
    assert.equal(await page.getAttribute(tid('settings-error'), 'role'), 'alert');
    await page.waitForSelector(`${tid('rule-row-bad')}.is-invalid`);
    assert.ok(await page.isVisible(tid('settings-dirty')), 'still unsaved');
    await shot(page, 'settings-refused');
    await page.click(tid('settings-revert'));
    await page.waitForSelector(tid('rule-row-bad'), { state: 'detached' });
    await page.waitForSelector(tid('settings-dirty'), { state: 'hidden' });
    const saved = await api('GET', '/api/v1/notifications');
    assert.deepEqual(saved.rules.map((r) => r.name), ['outages'], 'the refused rule was not saved');
  });

  await step('the service dies: an open incident, announced through the webhook', async () => {
    await svc.stop();
    await waitReceived('DOWN', 1, STATUS_WAIT);
    await page.waitForSelector(`${tid(`incident-${MAP}~gone`)}`, { timeout: 15_000 });
    const row = await page.textContent(tid(`incident-${MAP}~gone`));
    assert.match(row, /DOWN/);
    assert.match(row, /hook/, `notified: ${row}`);
    assert.match(row, /escalation 1.*in 1[45] min/, `next due (the 15m escalation comes before the 30m repeat): ${row}`);
    // Only "gone" is announced: "behind" is unreachable behind it.
    assert.equal(await page.locator(tid(`incident-${MAP}~behind`)).count(), 0, 'no incident for the unreachable device');
    await page.evaluate(() => document.getElementById('view').scrollTo(0, 0));
    await shot(page, 'settings');
    if (DOC_SHOT) {
      // For the README: the page down to the end of its content.
      const box = await page.locator(tid('settings-page')).boundingBox();
      await page.screenshot({ path: DOC_SHOT, clip: { x: 0, y: 0, width: 1440, height: Math.min(900, Math.ceil(box.y + box.height - 16)) } });
    }
  });

  await step('the incident links to its device on the map', async () => {
    await page.click(`${tid(`incident-${MAP}~gone`)} a`);
    await page.waitForSelector(tid('map-title'));
    assert.equal(await page.textContent(tid('map-title')), MAP);
    await page.waitForSelector(`${tid('status-panel')}:not([hidden]) ${tid('panel-title')}:has-text("gone")`);
  });

  await step('unreachable, acknowledged and maintenance devices are drawn distinctly', async () => {
    await waitStatus(page, 'lo', 'ok');
    await waitStatus(page, 'gone', 'down');
    await page.waitForSelector(`${dev('behind')}.is-unreachable`, { timeout: STATUS_WAIT });
    assert.equal(await page.$eval(dev('behind'), (g) => getComputedStyle(g).opacity), '0.5', 'unreachable is dimmed');
    // Down flashes; unreachable (down behind it) is steady.
    assert.equal((await fills(page, 'gone')).length, 2, 'a down device flashes');
    assert.equal((await fills(page, 'behind')).length, 1, 'an unreachable device does not flash');
    assert.equal(await page.locator(`${dev('behind')} .flag-badge`).count(), 0, 'unreachable has no badge');
    await openDevice(page, 'behind');
    await page.waitForSelector(tid('panel-unreachable'));
    // Acknowledge "gone": a check badge.
    await openDevice(page, 'gone');
    await page.fill(tid('ack-comment'), 'looking');
    await page.click(tid('panel-ack-btn'));
    await page.waitForSelector(`${dev('gone')}.is-acknowledged .flag-badge[data-icon="i-check"]`);
    assert.ok(!await page.$eval(dev('gone'), (g) => g.classList.contains('is-maintenance')));
    assert.deepEqual(await fills(page, 'gone'), [ACK_BLUE], 'an acknowledged device is steady blue, down or not');
    await shot(page, 'map-flags');
    await page.click(tid('panel-unack'));
    await page.waitForSelector(`${dev('gone')}.is-acknowledged`, { state: 'detached' });
    await page.click(tid('panel-close'));
  });

  await step('put the map in maintenance: a banner and a wrench on every device', async () => {
    assert.ok(await page.isHidden(tid('map-maint-banner')));
    await page.click(tid('map-maintenance'));
    await page.waitForSelector(tid('maint-form'));
    await page.fill(tid('maint-comment'), 'rack move');
    await page.selectOption(tid('maint-until'), '4h');
    const started = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/maintenance'));
    await page.click(tid('maint-submit'));
    assert.equal((await started).status(), 200);
    await page.waitForSelector(`${tid('map-maint-banner')}:visible`);
    const text = await page.textContent(tid('map-maint-text'));
    assert.match(text, /^Map in maintenance by admin until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: rack move$/, text);
    for (const name of ['lo', 'gone', 'behind']) {
      await page.waitForSelector(`${dev(name)}.is-maintenance .flag-badge[data-icon="i-wrench"]`);
    }
    assert.equal(await page.getAttribute(tid('map-maintenance'), 'aria-pressed'), 'true');
    assert.deepEqual(await fills(page, 'gone'), [ACK_BLUE], 'a down device in maintenance is steady blue');
    assert.deepEqual(await fills(page, 'behind'), [ACK_BLUE], 'an unreachable device in maintenance is steady blue');
    // The status window says it is the map's window, with no removal of its own.
    await openDevice(page, 'lo');
    await page.waitForSelector(`${tid('panel-ack')}[data-scope="map"]:has-text("Map in maintenance by admin")`);
    await page.waitForSelector(tid('panel-map-maint'));
    assert.equal(await page.locator(tid('panel-unack')).count(), 0, 'no per-device end for the map window');
    await shot(page, 'map-maintenance');
    // It is the server's state, not the page's: a reload shows it again.
    await page.reload();
    await page.waitForSelector(`${tid('map-maint-banner')}:visible`);
    await page.waitForSelector(`${dev('gone')}.is-maintenance .flag-badge[data-icon="i-wrench"]`);
  });

  await step('end the maintenance', async () => {
    await page.click(tid('map-maint-end'));
    await page.waitForSelector(tid('map-maint-banner'), { state: 'hidden' });
    for (const name of ['lo', 'gone', 'behind']) {
      await page.waitForSelector(`${dev(name)}.is-maintenance`, { state: 'detached' });
    }
    assert.equal(await page.locator(`${dev('lo')} .flag-badge`).count(), 0, 'no badge left');
    assert.equal(await page.getAttribute(tid('map-maintenance'), 'aria-pressed'), 'false');
    await page.reload();
    await page.waitForSelector(dev('lo'));
    await page.waitForTimeout(500);
    assert.ok(await page.isHidden(tid('map-maint-banner')), 'no banner after a reload');
  });

  await step('flow settings: inside networks and the size cap, checked, saved and applied', flowSettingsStep,
    !FLOW_EXPORTERS && 'FLOW_EXPORTERS is not set: the server collects no flows');

  async function flowSettingsStep() {
    const putFlows = () => page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/api/v1/flows/settings'));
    await page.click(tid('nav-settings'));
    await page.waitForSelector(tid('flows-inside'));
    const section = page.locator(tid('flows-settings-section'));
    await section.scrollIntoViewIfNeeded();
    // The database's size and the exporters are shown beside the cap.
    const n = Number(FLOW_EXPORTERS);
    await page.waitForSelector(`${tid('flows-exporters-count')}:has-text("${n} exporter${n === 1 ? '' : 's'}")`);
    assert.match(await page.textContent(tid('flows-db-usage')), /^In use: [\d.]+ [kMG]?B of the 10\.0 GB cap/);
    assert.equal(await page.inputValue(tid('flows-max-bytes')), '10 GB');
    // The listener flag the server was started with wins, and says so.
    assert.match(await page.textContent('#flows-listener-netflow-help'), /Listening on 127\.0\.0\.1:\d+ · --netflow 127\.0\.0\.1:0 on the command line wins/);
    // Every input has a label.
    const unlabelled = await section.locator('input, textarea').evaluateAll((els) =>
      els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.dataset.testid || e.outerHTML));
    assert.deepEqual(unlabelled, [], 'inputs without a label');

    // A size the page cannot read is refused before anything is sent.
    await page.fill(tid('flows-max-bytes'), '10 GX');
    assert.match(await page.textContent(tid('flows-max-bytes-parsed')), /“10 GX” is not a size/);
    await page.waitForSelector(`${tid('settings-dirty')}:visible`);
    let sent = false;
    const spy = (r) => { if (r.method() === 'PUT' && r.url().endsWith('/api/v1/flows/settings')) sent = true; };
    page.on('request', spy);
    await page.click(tid('settings-save'));
    await page.waitForSelector(`${tid('flows-settings-error')}:visible`);
    page.off('request', spy);
    assert.ok(!sent, 'an unreadable size was sent');
    assert.match(await page.textContent(tid('flows-settings-error')), /Size cap: “10 GX” is not a size like 10 GB/);
    assert.equal(await page.getAttribute(tid('flows-max-bytes'), 'aria-invalid'), 'true');

    // A bad range is refused by the server, which names it.
    await page.fill(tid('flows-max-bytes'), '5 GB');
    assert.match(await page.textContent(tid('flows-max-bytes-parsed')), /^5,000,000,000 bytes/);
    await page.fill(tid('flows-inside'), '10.0.0.0/8\n10.0.0.300/8');
    let resp = putFlows();
    await page.click(tid('settings-save'));
    assert.equal((await resp).status(), 400);
    await page.waitForSelector(`${tid('flows-settings-error')}:has-text("10.0.0.300/8")`);
    assert.match(await page.textContent(tid('flows-settings-error')), /flows\.inside\[1\]: "10\.0\.0\.300\/8" is not an address or CIDR range/);
    assert.equal(await page.getAttribute(tid('flows-inside'), 'aria-invalid'), 'true');
    await shot(page, 'flows-refused');
    assert.equal((await api('GET', '/api/v1/flows/settings')).max_bytes, 10_000_000_000, 'nothing saved');

    // Fixed: saved and applied at once.
    await page.fill(tid('flows-inside'), '10.0.0.0/8\n192.0.2.0/24');
    resp = putFlows();
    await page.click(tid('settings-save'));
    assert.equal((await resp).status(), 200);
    await page.waitForSelector(`${tid('toast-ok')}:has-text("Flow settings saved and applied")`);
    await page.waitForSelector(tid('settings-dirty'), { state: 'hidden' });
    assert.ok(await page.isHidden(tid('flows-settings-error')));
    let saved = await api('GET', '/api/v1/flows/settings');
    assert.deepEqual(saved.inside, ['10.0.0.0/8', '192.0.2.0/24']);
    assert.equal(saved.max_bytes, 5_000_000_000);
    assert.deepEqual(saved.running.inside, saved.inside, 'the inside networks run at once');
    assert.equal(saved.running.max_bytes, 5_000_000_000, 'the cap runs at once');
    await page.waitForSelector(`${tid('flows-db-usage')}:has-text("of the 5.0 GB cap")`);

    // A server port waits for a restart, and the page says so.
    await page.click(tid('flows-port-add'));
    await page.fill(tid('flows-port-0-port'), '8500');
    await page.fill(tid('flows-port-0-name'), 'consul');
    assert.equal(await page.textContent(tid('flows-port-0-effect')), 'adds a server port');
    resp = putFlows();
    await page.click(tid('settings-save'));
    assert.equal((await resp).status(), 200);
    await page.waitForSelector(`${tid('toast-ok')}:has-text("flows.server_ports takes effect when the server restarts")`);
    assert.match(await page.textContent(tid('flows-notices')), /Saved; flows\.server_ports takes effect when the server restarts\./);
    assert.match(await page.textContent(tid('flows-ports-pending')), /takes effect when the server restarts \(until then the built-in list alone\)/);
    await shot(page, 'flows-saved');

    // A reload shows what was saved.
    await page.reload();
    await page.waitForSelector(tid('flows-inside'));
    assert.equal(await page.inputValue(tid('flows-inside')), '10.0.0.0/8\n192.0.2.0/24');
    assert.equal(await page.inputValue(tid('flows-max-bytes')), '5 GB');
    assert.equal(await page.inputValue(tid('flows-port-0-port')), '8500');
    assert.equal(await page.inputValue(tid('flows-port-0-name')), 'consul');
    assert.ok(await page.isHidden(tid('settings-dirty')), 'nothing unsaved after a reload');
    saved = await api('GET', '/api/v1/flows/settings');
    assert.deepEqual(saved.pending, ['flows.server_ports']);
  }

  await step('the server page links to the settings', async () => {
    await page.click(tid('nav-server'));
    await page.waitForSelector(tid('server-settings-link'));
    assert.match(await page.textContent(tid('notifiers')), /hook \(webhook\)/);
    await page.click(tid('server-settings-link'));
    await page.waitForSelector(tid('notifier-row-hook'));
  });

  await t.test('no request left the server and no script errors', () => {
    assert.deepEqual(outside, [], 'requests to other hosts');
    assert.deepEqual(pageErrors, [], 'errors in the page');
  });
});
