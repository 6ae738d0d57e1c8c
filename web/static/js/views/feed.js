// The feed: what to read, each with why it is there; more as you scroll; new posts live.

import { h, replace, announce } from "../dom.js";
import * as api from "../api.js";
import * as stream from "../stream.js";
import { pagedList, postCard, reasonText } from "../ui.js";
import { composeForm } from "./compose.js";

export function feedScreen(main) {
  const shown = new Set();
  const card = (item) => {
    if (shown.has(item.uuid)) return null;
    shown.add(item.uuid);
    return postCard(item, { reason: reasonText(item) });
  };
  const feed = pagedList((before) => api.get(`/feed${api.query({ limit: 10, before })}`), card, {
    empty: "Your feed is empty: follow people or join groups to fill it.",
  });
  const live = h("section", { class: "list", "aria-live": "polite", "aria-label": "New posts" });
  const addFirst = (post, reason) => {
    if (shown.has(post.uuid)) return;
    shown.add(post.uuid);
    live.prepend(postCard(post, { reason }));
  };
  const compose = composeForm({
    onPosted: (post) => {
      addFirst(post, "Your post");
      announce("Posted.");
    },
  });
  replace(main, h("h1", {}, "Feed"), compose, live, feed.el);
  return stream.onEvent((event) => {
    if (event.type === "post.created" && event.data) {
      addFirst(event.data, reasonText(event.data) || "New");
      announce("A new post arrived.");
    }
  });
}
