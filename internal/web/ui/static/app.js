// Vantage web UI: session, routing and the live stream. Plain ES modules,
// no build step; every file is embedded in the server binary.

import * as api from './api.js';
import * as stream from './stream.js';
import { mapsPage } from './maps.js';
import { mapPage } from './mappage.js';
import { eventsPage } from './events.js';
import { serverPage } from './server.js';
import { builderPage } from './builder.js';
import { settingsPage } from './settings.js';
import { usersPage } from './users.js';
import { chartsPage } from './charts.js';
import { flowsPage } from './flows.js';
import { worldPage } from './world.js';

const loginEl = document.getElementById('login');
const appEl = document.getElementById('app');
const viewEl = document.getElementById('view');
const loginForm = document.getElementById('login-form');
const loginError = document.getElementById('login-error');
const streamState = document.getElementById('stream-state');
const userEl = document.getElementById('current-user');

let page = null;
let user = null;

// ---- session ---------------------------------------------------------

function showLogin(message) {
  user = null;
  stream.stop();
  if (page) page.destroy();
  page = null;
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  appEl.hidden = true;
  loginEl.hidden = false;
  loginError.hidden = !message;
  loginError.textContent = message || '';
  document.title = 'Sign in — Vantage';
  const pw = document.getElementById('login-password');
  pw.value = '';
  (document.getElementById('login-user').value ? pw : document.getElementById('login-user')).focus();
}

function showApp(session) {
  user = session.user;
  userEl.textContent = user;
  loginEl.hidden = true;
  appEl.hidden = false;
  stream.start();
  route();
}

loginForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const submit = loginForm.querySelector('button[type=submit]');
  submit.disabled = true;
  loginError.hidden = true;
  try {
    const s = await api.login(document.getElementById('login-user').value.trim(), document.getElementById('login-password').value);
    showApp(s);
  } catch (err) {
    loginError.textContent = err.status === 401 ? 'Wrong user name or password.' : err.message;
    loginError.hidden = false;
    document.getElementById('login-password').select();
  } finally {
    submit.disabled = false;
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  try {
    await api.logout();
  } catch {
    // Logged out locally either way.
  }
  showLogin('');
});

// Any 401 from the API means the session ended (expired, or logged out in
// another tab).
api.setUnauthorizedHandler(() => {
  if (user !== null) showLogin('Your session ended. Please sign in again.');
});

// ---- live stream state -------------------------------------------------

const STATE_TEXT = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Offline' };
let sessionCheck = 0;
stream.on('state', (s) => {
  streamState.dataset.state = s;
  streamState.textContent = STATE_TEXT[s] || s;
  streamState.title = s === 'live' ? 'Live updates are on' : 'Live updates are interrupted; retrying';
  // A stream that keeps failing may mean the session is gone.
  if (s === 'reconnecting' && user !== null && !sessionCheck) {
    sessionCheck = setTimeout(async () => {
      sessionCheck = 0;
      try {
        await api.session();
      } catch (err) {
        if (err.status === 401 && user !== null) showLogin('Your session ended. Please sign in again.');
      }
    }, 500);
  }
});

// ---- routing -------------------------------------------------------------

// The charts', the flows', the probe builder's and the settings' nav links,
// before Server.
for (const [nav, label] of [['charts', 'Charts'], ['flows', 'Flows'], ['builder', 'Probe builder'], ['settings', 'Settings'], ['users', 'Users & access']]) {
  const a = document.createElement('a');
  a.href = `#/${nav}`;
  a.dataset.nav = nav;
  a.dataset.testid = `nav-${nav}`;
  a.textContent = label;
  const bar = document.querySelector('.mainnav');
  bar.insertBefore(a, bar.querySelector('[data-nav="server"]'));
}

function route() {
  if (user === null) return;
  const hash = location.hash || '#/maps';
  const [path, query] = hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query || '');
  // A page that follows its own address (the charts' zoom and range)
  // stays, and is told the new one.
  if (page && page.update && page.route === (parts[0] || 'maps')) {
    page.update(params);
    return;
  }
  if (page) page.destroy();
  page = null;
  viewEl.replaceChildren();
  let section = parts[0] || 'maps';
  switch (section) {
    case 'map':
      if (parts[1]) {
        page = mapPage(viewEl, decodeURIComponent(parts.slice(1).join('/')), params);
        section = 'maps';
        break;
      }
    // falls through
    case 'maps':
      section = 'maps';
      page = mapsPage(viewEl);
      break;
    case 'events':
      page = eventsPage(viewEl, params);
      break;
    case 'server':
      page = serverPage(viewEl);
      break;
    case 'builder':
      page = builderPage(viewEl);
      break;
    case 'settings':
      page = settingsPage(viewEl);
      break;
    case 'users':
      page = usersPage(viewEl);
      break;
    case 'charts':
      page = chartsPage(viewEl, params);
      break;
    case 'flows':
      page = flowsPage(viewEl, params);
      break;
    case 'world':
      if (parts[1]) {
        page = worldPage(viewEl, decodeURIComponent(parts.slice(1).join('/')));
        section = 'maps';
        break;
      }
      section = 'maps';
      page = mapsPage(viewEl);
      break;
    default:
      section = 'maps';
      page = mapsPage(viewEl);
  }
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

window.addEventListener('hashchange', route);

// ---- start ---------------------------------------------------------------

(async () => {
  try {
    showApp(await api.session());
  } catch (err) {
    showLogin(err.status === 401 || err.status === 404 ? '' : `Cannot reach the server: ${err.message}`);
  }
})();
