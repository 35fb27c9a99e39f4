// One server-sent event stream per browser tab: status, map and log deltas.
// The stream reconnects with exponential backoff; after a reconnect the
// views re-fetch what they show, since deltas may have been missed.

const handlers = { status: new Set(), map: new Set(), log: new Set(), state: new Set(), resync: new Set() };
let source = null;
let retryTimer = 0;
let backoff = 1000;
let wanted = false;
let everOpen = false;
let state = 'closed';

const MAX_BACKOFF = 30000;

// on subscribes to 'status', 'map', 'log', 'state' (connection state) or
// 'resync' (reconnected after a gap). It returns the unsubscribe function.
export function on(type, fn) {
  handlers[type].add(fn);
  return () => handlers[type].delete(fn);
}

export function currentState() {
  return state;
}

function setState(s) {
  state = s;
  for (const fn of handlers.state) fn(s);
}

function dispatch(type, ev) {
  let data;
  try {
    data = JSON.parse(ev.data);
  } catch {
    return;
  }
  for (const fn of handlers[type]) {
    try {
      fn(data);
    } catch (err) {
      console.error(`stream ${type} handler`, err);
    }
  }
}

// start opens the stream (idempotent).
export function start() {
  wanted = true;
  if (source || retryTimer) return;
  connect();
}

// stop closes the stream, e.g. on logout.
export function stop() {
  wanted = false;
  clearTimeout(retryTimer);
  retryTimer = 0;
  if (source) source.close();
  source = null;
  everOpen = false;
  setState('closed');
}

function connect() {
  retryTimer = 0;
  if (!wanted) return;
  setState(everOpen ? 'reconnecting' : 'connecting');
  const es = new EventSource('/api/v1/stream');
  source = es;
  es.addEventListener('open', () => {
    backoff = 1000;
    setState('live');
    if (everOpen) for (const fn of handlers.resync) fn();
    everOpen = true;
  });
  for (const type of ['status', 'map', 'log']) es.addEventListener(type, (ev) => dispatch(type, ev));
  es.addEventListener('error', () => {
    // Take reconnection into our own hands so a server that is down or
    // refusing us is retried with backoff instead of every 2 s forever.
    es.close();
    if (source !== es) return;
    source = null;
    if (!wanted) return;
    setState('reconnecting');
    const delay = backoff + Math.random() * 500;
    backoff = Math.min(backoff * 2, MAX_BACKOFF);
    retryTimer = setTimeout(connect, delay);
  });
}
