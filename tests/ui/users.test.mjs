// Browser test of users and access: as admin, create a reader user in the
// "Users & access" page and give them read on one map; then, in a second
// browser context, log in as that user: the map shows no editing,
// acknowledging or map-creating controls, the other map is not listed,
// and a write API call made from the page with the user's own session is
// refused. A user with acknowledge access gets the acknowledge and
// maintenance controls (and they work) but still no editing ones.
//
// Normally run by the Go wrapper (go test ./cmd/vantage -run
// TestBrowserUsers); on its own:
//
//   VANTAGE_URL=http://127.0.0.1:8080 VANTAGE_PASSWORD=… node --test tests/ui/users.test.mjs
//
// Environment: VANTAGE_URL, VANTAGE_PASSWORD (admin's), SCREENSHOT_DIR,
// CHROMIUM (default /usr/bin/chromium). Every request must stay on
// VANTAGE_URL's origin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, launch, api, guardedContext, screenshots, tid, stepper } from './lib.mjs';

const { dir: SHOTS, shot } = screenshots('users');
const SEEN = 'Lab Core';
const HIDDEN = 'Finance';
const READER = 'rita';
const READER_PW = 'rita-reads-only';
const ACKER = 'alex';
const ACKER_PW = 'alex-acknowledges';


// openDevice opens a device's status window from the keyboard.
async function openDevice(page, name) {
  await page.focus(tid(`device-${name}`));
  await page.keyboard.press('Enter');
  await page.waitForSelector(`${tid('status-panel')}:not([hidden]) ${tid('panel-title')}:text-is("${name}")`);
}

async function login(page, user, password) {
  await page.goto(BASE + '/');
  await page.waitForSelector(tid('login-form'));
  await page.fill(tid('login-user'), user);
  await page.fill(tid('login-password'), password);
  await page.click(tid('login-submit'));
  await page.waitForSelector(tid('current-user') + `:text-is("${user}")`);
}

test('users and access in a real browser', { timeout: 180_000 }, async (t) => {
  const browser = await launch(t, SHOTS);
  const outside = [];
  const pageErrors = [];
  async function newPage() {
    const context = await guardedContext(browser, { viewport: { width: 1280, height: 860 } }, outside);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource: .*status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
    });
    return page;
  }
  let current = null;
  const step = stepper(t, (label) => current && shot(current, label));

  await step('two maps', async () => {
    for (const name of [SEEN, HIDDEN]) {
      await api('POST', '/api/v1/maps', { name, devices: [{ name: 'gw', address: '127.0.0.1', probe: 'com.dartware.ping', interval: '1h', x: 200, y: 150 }] });
    }
  });

  const admin = await newPage();
  current = admin;
  await step('the admin creates a user in Users & access', async () => {
    await login(admin, 'admin', PASSWORD);
    // An administrator may create maps, so is offered to.
    await admin.waitForSelector(tid('new-map'));
    await admin.click(tid('nav-users'));
    await admin.waitForSelector(tid('user-table'));
    await admin.click(tid('user-add'));
    await admin.fill(tid('user-name'), READER);
    await admin.fill(tid('user-password'), READER_PW);
    await admin.click(tid('user-submit'));
    await admin.waitForSelector(tid(`user-${READER}`));
    await shot(admin, 'user-created');
  });

  await step('and gives them read on one map', async () => {
    await admin.selectOption(tid('access-map'), SEEN);
    await admin.waitForSelector(tid(`grant-level-user-${READER}`));
    await admin.selectOption(tid(`grant-level-user-${READER}`), 'read');
    await admin.click(tid('access-save'));
    await admin.waitForSelector(`${tid('toast-ok')}:has-text("Access to ${SEEN} saved")`);
    const grants = await api('GET', `/api/v1/maps/${encodeURIComponent(SEEN)}/access`);
    assert.equal(grants.users[READER], 'read');
    await shot(admin, 'access-saved');
  });

  const reader = await newPage();
  current = reader;
  await step('the reader sees only that map', async () => {
    await login(reader, READER, READER_PW);
    await reader.waitForSelector(`text=${SEEN}`);
    assert.equal(await reader.locator(`text=${HIDDEN}`).count(), 0, 'the map without access is listed');
    // Only administrators may create maps.
    assert.equal(await reader.locator(tid('new-map')).count(), 0, 'New map is offered to a reader');
    await shot(reader, 'reader-maps');
  });

  await step('without editing controls', async () => {
    await reader.goto(`${BASE}/#/map/${encodeURIComponent(SEEN)}`);
    await reader.waitForSelector(tid('map-title') + `:text-is("${SEEN}")`);
    await reader.waitForSelector(tid('device-gw'));
    for (const id of ['edit-mode', 'discover', 'map-maintenance']) {
      assert.equal(await reader.isVisible(tid(id)), false, `${id} is shown to a reader`);
    }
    // The status window: read-only, no acknowledging, polling or editing.
    await openDevice(reader, 'gw');
    await reader.waitForSelector(tid('panel-status'));
    for (const id of ['panel-ack-btn', 'panel-maint-btn', 'ack-comment', 'poll-now', 'panel-edit', 'panel-delete', 'panel-vantage']) {
      assert.equal(await reader.locator(tid(id)).count(), 0, `${id} is shown to a reader`);
    }
    await shot(reader, 'reader-map');
  });

  await step('and a write made with their session is refused', async () => {
    const res = await reader.evaluate(async (m) => {
      const s = await (await fetch('/api/v1/session')).json();
      const r = await fetch(`/api/v1/maps/${encodeURIComponent(m)}/devices`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token, 'X-Requested-With': 'vantage-ui' },
        body: JSON.stringify({ name: 'sneaky', address: '127.0.0.2', probe: 'com.dartware.ping' }),
      });
      const hidden = await fetch(`/api/v1/maps/${encodeURIComponent('Finance')}`);
      return { status: r.status, hidden: hidden.status };
    }, SEEN);
    assert.equal(res.status, 403, 'write by a reader');
    assert.equal(res.hidden, 404, 'a map without access must look absent');
    const devices = await api('GET', `/api/v1/maps/${encodeURIComponent(SEEN)}/devices`);
    assert.ok(!devices.some((d) => d.name === 'sneaky'), 'the device was added');
  });

  await step('the admin page is not offered to the reader', async () => {
    await reader.click(tid('nav-users'));
    await reader.waitForSelector(tid('me-name') + `:text-is("${READER}")`);
    assert.equal(await reader.locator(tid('user-table')).count(), 0, 'the user list is shown to a reader');
  });

  const acker = await newPage();
  await step('a user with acknowledge access', async () => {
    await api('POST', '/api/v1/users', { name: ACKER, password: ACKER_PW });
    const grants = await api('GET', `/api/v1/maps/${encodeURIComponent(SEEN)}/access`);
    grants.users[ACKER] = 'acknowledge';
    await api('PUT', `/api/v1/maps/${encodeURIComponent(SEEN)}/access`, grants);
    current = acker;
    await login(acker, ACKER, ACKER_PW);
    await acker.waitForSelector(`text=${SEEN}`);
    assert.equal(await acker.locator(tid('new-map')).count(), 0, 'New map is offered to a non-administrator');
  });

  await step('may acknowledge and poll but not edit', async () => {
    await acker.goto(`${BASE}/#/map/${encodeURIComponent(SEEN)}`);
    await acker.waitForSelector(tid('device-gw'));
    for (const id of ['edit-mode', 'discover', 'map-maintenance']) {
      assert.equal(await acker.isVisible(tid(id)), false, `${id} is shown to an acknowledger`);
    }
    await openDevice(acker, 'gw');
    for (const id of ['panel-ack-btn', 'panel-maint-btn', 'poll-now']) {
      assert.ok(await acker.isVisible(tid(id)), `${id} is not shown to an acknowledger`);
    }
    for (const id of ['panel-edit', 'panel-delete', 'panel-vantage']) {
      assert.equal(await acker.locator(tid(id)).count(), 0, `${id} is shown to an acknowledger`);
    }
    await shot(acker, 'acker-panel');
  });

  await step('and the server takes what is offered', async () => {
    await acker.fill(tid('ack-comment'), 'switch swap');
    await acker.click(tid('panel-maint-btn'));
    await acker.waitForSelector(`${tid('panel-ack')}:has-text("In maintenance by ${ACKER}")`);
    await acker.click(tid('panel-unack'));
    await acker.waitForSelector(tid('panel-maint-btn'));
    assert.equal(await acker.locator(tid('panel-ack')).count(), 0, 'maintenance not ended');
  });

  await step('no page errors, nothing fetched elsewhere', async () => {
    assert.deepEqual(outside, []);
    assert.deepEqual(pageErrors, []);
  });
});
