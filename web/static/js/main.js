// The app's shell: restores the session, draws the navigation, routes #/… to a screen.

import { h, replace, announce } from "./dom.js";
import { errorBox, loading } from "./ui.js";
import { session, restore, signOut } from "./session.js";
import * as stream from "./stream.js";
import * as messenger from "./messenger-state.js";
import { authScreen } from "./views/auth.js";
import { feedScreen } from "./views/feed.js";
import { postScreen } from "./views/post.js";
import { profileScreen } from "./views/profile.js";
import { groupsScreen, groupScreen } from "./views/groups.js";
import { searchScreen } from "./views/search.js";
import { recommendationsScreen } from "./views/recommendations.js";
import { messengerScreen } from "./views/messenger.js";
import { opsScreen } from "./views/ops.js";

const ROUTES = [
  [/^\/login$/, authScreen, "Log in", false],
  [/^\/signup$/, authScreen, "Sign up", false],
  [/^\/feed$/, feedScreen, "Feed"],
  [/^\/posts\/([\w-]+)$/, postScreen, "Post"],
  [/^\/users\/([\w-]+)$/, profileScreen, "Profile"],
  [/^\/groups$/, groupsScreen, "Groups"],
  [/^\/groups\/([\w-]+)$/, groupScreen, "Group"],
  [/^\/search$/, searchScreen, "Search"],
  [/^\/recommendations$/, recommendationsScreen, "For you"],
  [/^\/messages(?:\/(dm|group)\/([\w-]+))?$/, messengerScreen, "Messages"],
  [/^\/ops$/, opsScreen, "Operations"],
];

const main = document.getElementById("main");
let cleanup = null;

function navigation() {
  const nav = document.getElementById("nav");
  if (!session.me) {
    replace(nav, h("a", { href: "#/login" }, "Log in"), h("a", { href: "#/signup" }, "Sign up"));
    return;
  }
  const unread = messenger.totalUnread();
  replace(
    nav,
    h("a", { href: "#/feed" }, "Feed"),
    h("a", { href: "#/groups" }, "Groups"),
    h("a", { href: "#/search" }, "Search"),
    h("a", { href: "#/recommendations" }, "For you"),
    h(
      "a",
      { href: "#/messages", "aria-label": unread ? `Messages, ${unread} unread` : "Messages" },
      "Messages",
      unread ? h("span", { class: "count", "aria-hidden": "true" }, String(unread)) : null,
    ),
    h("a", { href: `#/users/${session.me.uuid}` }, "Me"),
    session.operator ? h("a", { href: "#/ops" }, "Operations") : null,
    h("button", { type: "button", class: "link", onclick: logout }, "Log out"),
  );
  const here = location.hash.split("?")[0];
  for (const a of nav.querySelectorAll("a")) {
    if (a.getAttribute("href") === here) a.setAttribute("aria-current", "page");
  }
}

async function logout() {
  try {
    await signOut();
  } catch {
    // the cookie is cleared by the server when it can be reached; locally we forget anyway
  }
  stream.stop();
  messenger.reset();
  location.hash = "#/login";
  navigation();
}

async function route() {
  if (cleanup) cleanup();
  cleanup = null;
  const [path, search] = location.hash.slice(1).split("?");
  const match = ROUTES.find(([re]) => re.test(path || ""));
  if (!match) {
    location.hash = session.me ? "#/feed" : "#/login";
    return;
  }
  const [re, screen, title, needsLogin = true] = match;
  if (needsLogin && !session.me) {
    location.hash = "#/login";
    return;
  }
  if (!needsLogin && session.me) {
    location.hash = "#/feed";
    return;
  }
  document.title = `${title} · Townsquare`;
  navigation();
  replace(main, loading());
  const params = path.match(re).slice(1);
  cleanup = (await screen(main, params, new URLSearchParams(search || ""), { path, onSignIn })) || null;
  if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
  announce(title);
}

function onSignIn() {
  startLive();
  location.hash = "#/feed";
}

function startLive() {
  messenger.load(session.me.uuid);
  stream.start(messenger.lastMessage());
}

function connectionBanner(state) {
  const el = document.getElementById("connection");
  const words = { live: "", connecting: "Connecting…", reconnecting: "Offline — reconnecting…", offline: "" };
  el.textContent = session.me ? words[state] || "" : "";
  el.className = `connection ${state}`;
}

async function boot() {
  try {
    await restore();
  } catch (error) {
    replace(
      main,
      errorBox(error, () => location.reload()),
    );
    return;
  }
  if (session.me) startLive();
  stream.onState(connectionBanner);
  messenger.onChange(navigation);
  window.addEventListener("townsquare:signed-out", () => {
    if (!session.me) return;
    session.me = null;
    stream.stop();
    messenger.reset();
    location.hash = "#/login";
  });
  window.addEventListener("hashchange", route);
  route();
}

boot();
