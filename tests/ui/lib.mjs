// What the browser tests share: the server under test (VANTAGE_URL,
// VANTAGE_PASSWORD for admin), the browser (CHROMIUM), numbered
// screenshots, the admin API, loopback TCP services, and a browser context
// that blocks and records every request leaving the server's origin.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = (process.env.VANTAGE_URL || '').replace(/\/$/, '');
export const PASSWORD = process.env.VANTAGE_PASSWORD || '';
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const tid = (id) => `[data-testid="${id}"]`;
export const dev = (name) => tid(`device-${name}`);

// screenshots returns shot(page, name), saving numbered pictures in
// SCREENSHOT_DIR or a new folder named after the test, and that folder.
export function screenshots(name) {
  const dir = process.env.SCREENSHOT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), `vantage-${name}-screenshots-`));
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  async function shot(page, label) {
    n++;
    const file = path.join(dir, `${String(n).padStart(2, '0')}-${label}.png`);
    await page.screenshot({ path: file });
    return file;
  }
  return { dir, shot };
}

// api calls the server directly (not through the page), as admin.
export async function api(method, p, body) {
  const resp = await fetch(BASE + p, {
    method,
    headers: { Authorization: 'Basic ' + Buffer.from(`admin:${PASSWORD}`).toString('base64'), 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  assert.ok(resp.ok, `${method} ${p}: ${resp.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// acceptor is a TCP service on loopback that accepts and closes.
export async function acceptor() {
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    stop: () => new Promise((resolve) => {
      server.close(resolve);
      for (const s of sockets) s.destroy();
    }),
  };
}

// centre is the middle of an element on screen. A map update can replace
// the element while it is measured, so it retries for a few seconds.
export async function centre(page, selector) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const box = await page.locator(selector).boundingBox({ timeout: 5000 }).catch(() => null);
    if (box) return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    assert.ok(Date.now() < deadline, `${selector} is not on screen`);
    await page.waitForTimeout(100);
  }
}

// launch checks the environment and starts headless Chromium, closed
// after the test.
export async function launch(t, shotsDir) {
  assert.ok(BASE, 'VANTAGE_URL is required');
  assert.ok(PASSWORD, 'VANTAGE_PASSWORD is required');
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM} (apt-get install chromium)`);
  if (shotsDir) t.diagnostic(`screenshots: ${shotsDir}`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  return browser;
}

// guardedContext is a browser context in which nothing may leave the
// server's origin: anything else is blocked and its URL added to outside.
export async function guardedContext(browser, options, outside) {
  const origin = new URL(BASE).origin;
  const context = await browser.newContext(options);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + '/') || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  return context;
}

// stepper returns step(name, fn, skip): a subtest of t that is skipped
// once an earlier step failed (or when skip says why), and on failure
// calls failedShot(label) for a screenshot of the moment.
export function stepper(t, failedShot) {
  let failed = false;
  return (name, fn, skip = false) => t.test(name, { skip: (failed && 'an earlier step failed') || skip }, async () => {
    try {
      await fn();
    } catch (err) {
      failed = true;
      await Promise.resolve().then(() => failedShot(`FAILED-${name.replace(/\W+/g, '-')}`)).catch(() => {});
      throw err;
    }
  });
}
