// One live connection to /api/v1/stream for the signed-in person.
// - Resume: reconnects with ?since=<last message uuid> so the server replays what was missed.
// - Exactly once: a message uuid seen before is dropped, across replays and live pushes.
// - Drops: the browser's offline event closes the socket at once; online (or a backoff
//   timer) reconnects. Listeners get every new event as {type, data}.

const seen = new Set();
const listeners = new Set();
const stateListeners = new Set();
let socket = null;
let lastMessage = null;
let wanted = false;
let retryTimer = null;
let backoff = 500;
let state = "offline";

export function onEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function onState(fn) {
  stateListeners.add(fn);
  fn(state);
  return () => stateListeners.delete(fn);
}

export const connected = () => state === "live";

function setState(next) {
  state = next;
  for (const fn of stateListeners) fn(next);
}

export function start(resumeFrom) {
  wanted = true;
  if (resumeFrom && !lastMessage) lastMessage = resumeFrom;
  connect();
}

export function stop() {
  wanted = false;
  clearTimeout(retryTimer);
  if (socket) socket.close();
  socket = null;
  seen.clear();
  lastMessage = null;
  setState("offline");
}

function connect() {
  clearTimeout(retryTimer);
  if (!wanted || socket || !navigator.onLine) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const since = lastMessage ? `?since=${encodeURIComponent(lastMessage)}` : "";
  const ws = new WebSocket(`${scheme}//${location.host}/api/v1/stream${since}`);
  socket = ws;
  setState("connecting");
  ws.addEventListener("open", () => {
    backoff = 500;
    setState("live");
  });
  ws.addEventListener("message", (e) => receive(e.data));
  ws.addEventListener("close", () => {
    if (socket === ws) socket = null;
    if (!wanted) return;
    setState("reconnecting");
    retryTimer = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 10000);
  });
}

function receive(raw) {
  let event;
  try {
    event = JSON.parse(raw);
  } catch {
    return;
  }
  if (event.type === "message.created" && event.data && event.data.uuid) {
    if (seen.has(event.data.uuid)) return;
    seen.add(event.data.uuid);
    lastMessage = event.data.uuid;
  }
  for (const fn of listeners) fn(event);
}

// Messages read by HTTP count as seen, so a replay does not show them twice.
export function markSeen(uuid) {
  seen.add(uuid);
}

window.addEventListener("offline", () => {
  if (socket) socket.close();
  socket = null;
  if (wanted) setState("reconnecting");
});
window.addEventListener("online", () => {
  backoff = 500;
  connect();
});
// Back from a sleeping laptop or a hidden tab: reconnect now rather than after the backoff.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && !socket) {
    backoff = 500;
    connect();
  }
});
