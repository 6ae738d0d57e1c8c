// The messenger's state: conversations with unread counts, their messages (each once,
// by uuid), and the outbox of messages typed while offline.
//
// Outbox: a message gets a client_id when typed and waits in localStorage until
// POST /messages accepts it; a retry after a drop reuses the client_id, so the server
// stores it once. Conversations and the last message seen are kept per person in
// localStorage, so a reload resumes the stream with ?since= where it left off.

import * as api from "./api.js";
import * as stream from "./stream.js";

let me = null;
let open = null;
const conversations = new Map(); // key → {key, kind, id, title, unread, last_at}
const messages = new Map(); // key → Map(uuid → message)
let outbox = [];
let failed = [];
let last = null;
const listeners = new Set();

const store = (name) => `townsquare:${name}:${me}`;

export const onChange = (fn) => (listeners.add(fn), () => listeners.delete(fn));
const changed = () => listeners.forEach((fn) => fn());

export function keyOf(message) {
  if (message.to_group) return `group:${message.to_group}`;
  const other = message.sender_uuid === me ? message.to_user : message.sender_uuid;
  return `dm:${other}`;
}

export function load(uuid) {
  reset();
  me = uuid;
  for (const c of JSON.parse(localStorage.getItem(store("conversations")) || "[]")) {
    conversations.set(c.key, c);
  }
  outbox = JSON.parse(localStorage.getItem(store("outbox")) || "[]");
  last = localStorage.getItem(store("last"));
  api.get("/groups?mine=1").then(
    (page) => (page.items || []).forEach((g) => conversation(`group:${g.uuid}`, g.name)),
    () => {}, // GET /groups?mine= is not on every server yet: the list grows as messages come
  );
  changed();
}

export function reset() {
  me = null;
  open = null;
  conversations.clear();
  messages.clear();
  outbox = [];
  failed = [];
  last = null;
}

export const lastMessage = () => last;

function save() {
  if (!me) return;
  localStorage.setItem(store("conversations"), JSON.stringify([...conversations.values()]));
  localStorage.setItem(store("outbox"), JSON.stringify(outbox));
  if (last) localStorage.setItem(store("last"), last);
}

// The conversation under `key`, made (and named) the first time it is asked for.
export function conversation(key, title) {
  let c = conversations.get(key);
  if (c && (c.title || !title)) return c;
  if (!c) {
    const [kind, id] = key.split(":");
    c = { key, kind, id, title: "", unread: 0, last_at: "" };
    conversations.set(key, c);
  }
  c.title = title || "";
  if (!title) nameOf(c);
  save();
  changed();
  return c;
}

async function nameOf(c) {
  try {
    const data = await api.get(c.kind === "group" ? `/groups/${c.id}` : `/users/${c.id}`);
    c.title = (data.group || data.user || data).name || c.title;
    save();
    changed();
  } catch {
    // a name we cannot read (a group we left) keeps its placeholder
  }
}

export const list = () =>
  [...conversations.values()].sort((a, b) => (b.last_at || "").localeCompare(a.last_at || ""));

export const totalUnread = () => [...conversations.values()].reduce((n, c) => n + (c.unread || 0), 0);

export function messagesOf(key) {
  return [...(messages.get(key) || new Map()).values()].sort((a, b) =>
    a.created_at === b.created_at ? a.uuid.localeCompare(b.uuid) : a.created_at.localeCompare(b.created_at),
  );
}

export const pendingOf = (key) => outbox.filter((m) => m.key === key);
export const failedOf = (key) => failed.filter((m) => m.key === key);

export function find(key, uuid) {
  return (messages.get(key) || new Map()).get(uuid);
}

function add(message, { live = false } = {}) {
  const key = keyOf(message);
  if (!messages.has(key)) messages.set(key, new Map());
  const known = messages.get(key);
  if (known.has(message.uuid)) return false;
  known.set(message.uuid, message);
  stream.markSeen(message.uuid);
  const c = conversation(key);
  if (message.created_at > (c.last_at || "")) c.last_at = message.created_at;
  if (live && message.sender_uuid !== me && (key !== open || document.hidden)) c.unread += 1;
  outbox = outbox.filter((m) => m.client_id !== message.client_id || !message.client_id);
  return true;
}

export async function history(key) {
  const [kind, id] = key.split(":");
  const page = await api.get(`/messages${api.query(kind === "group" ? { group: id } : { with_user: id })}`);
  for (const m of page.items || []) add(m);
  save();
  changed();
}

export function setOpen(key) {
  open = key;
  if (key) {
    conversation(key).unread = 0;
    save();
  }
  changed();
}

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function send(key, text, { reply_to = null, media = [] } = {}) {
  const [kind, id] = key.split(":");
  const body = { text, client_id: newClientId(), media };
  body[kind === "group" ? "to_group" : "to_user"] = id;
  if (reply_to) body.reply_to = reply_to;
  outbox.push({ key, client_id: body.client_id, body, created_at: new Date().toISOString() });
  save();
  changed();
  flush();
}

let flushing = false;
export async function flush() {
  if (flushing || !navigator.onLine) return;
  flushing = true;
  try {
    while (outbox.length) {
      const item = outbox[0];
      // by client_id, not position: the stream may have delivered it (and so taken it
      // off the outbox) before this answer came back
      const done = () => (outbox = outbox.filter((m) => m.client_id !== item.client_id));
      try {
        add((await api.post("/messages", item.body)).message);
        done();
      } catch (error) {
        if (error.retryable) break; // still offline, or the server is down: keep it for later
        done();
        failed.push({ ...item, error: error.message });
      }
      save();
      changed();
    }
  } finally {
    flushing = false;
  }
}

stream.onEvent((event) => {
  if (event.type !== "message.created" || !me) return;
  if (add(event.data, { live: true })) {
    last = event.data.uuid;
    save();
    changed();
  }
});
// Each time the stream is live again: send what waited, and re-read the open conversation,
// which covers a drop that came before any message gave the stream a point to resume from.
let dropped = false;
stream.onState((state) => {
  if (state !== "live") {
    dropped = dropped || state === "reconnecting";
    return;
  }
  flush();
  if (dropped && open) history(open).catch(() => {});
  dropped = false;
});
window.addEventListener("online", () => flush());
