// Pieces every screen uses: error boxes with a retry, loading and "not yet" notes,
// a post card, media images, and a loader that turns a failing call into a clear message.

import { h, replace, userText, when } from "./dom.js";
import { get, mediaUrl } from "./api.js";

export function errorBox(error, retry) {
  const box = h(
    "div",
    { class: "error", role: "alert" },
    h("p", {}, error.message || "Something went wrong."),
  );
  if (retry) box.append(h("button", { type: "button", onclick: retry }, "Try again"));
  return box;
}

export const loading = (what = "Loading…") => h("p", { class: "muted", role: "status" }, what);

export const notYet = (what) =>
  h("p", { class: "not-yet" }, `${what}: not computed yet — this appears once the server provides it.`);

// Run load() into el; on failure show the error with a retry that runs it again.
export async function into(el, load) {
  replace(el, loading());
  try {
    replace(el, await load());
  } catch (error) {
    replace(
      el,
      errorBox(error, () => into(el, load)),
    );
  }
}

export function mediaImage(uuid, alt = "Attached image") {
  return h("img", { class: "media", src: mediaUrl(uuid), alt, loading: "lazy" });
}

export function reasonText(item) {
  if (item.reason_detail && item.reason_detail.text) return item.reason_detail.text;
  const reason = item.reason;
  if (reason && typeof reason === "object") return reason.text || reason.code || "";
  const words = { own: "Your post", group: "From a group you are in", followed: "From someone you follow" };
  return words[reason] || reason || "";
}

export const count = (n, word) => `${n || 0} ${word}${n === 1 ? "" : "s"}`;

export function postCard(post, { reason } = {}) {
  const link = `#/posts/${post.uuid}`;
  return h(
    "article",
    { class: "card post" },
    reason ? h("p", { class: "reason" }, reason) : null,
    h(
      "header",
      {},
      personLink(post.author_uuid),
      " · ",
      h("a", { href: link, class: "when" }, when(post.created_at)),
      post.scope !== "public" ? h("span", { class: "badge" }, post.scope) : null,
    ),
    userText(post.text, "p", { class: "text" }),
    (post.media || []).map((uuid) => mediaImage(uuid, "Image in the post")),
    h(
      "footer",
      {},
      h(
        "a",
        { href: link },
        [
          count(post.comment_count, "comment"),
          count(post.reaction_count, "reaction"),
          count(post.share_count, "share"),
        ].join(" · "),
      ),
    ),
  );
}

// A list that loads the next page when its end scrolls into view (and by a button).
export function pagedList(fetchPage, render, { empty = "Nothing here yet." } = {}) {
  const list = h("div", { class: "list" });
  const more = h("button", { type: "button", class: "more" }, "Load more");
  const status = h("div", {});
  const wrap = h("div", {}, list, status, more);
  let cursor = null;
  let done = false;
  let busy = false;
  async function next() {
    if (busy || done) return;
    busy = true;
    replace(status, loading());
    try {
      const page = await fetchPage(cursor);
      for (const item of page.items || []) {
        const el = render(item); // null: already on the page (a live push came first)
        if (el) list.append(el);
      }
      cursor = page.next || null;
      done = !cursor;
      replace(status, list.children.length ? "" : h("p", { class: "muted" }, empty));
    } catch (error) {
      replace(status, errorBox(error, next));
    } finally {
      busy = false;
      more.hidden = done;
    }
  }
  more.addEventListener("click", next);
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) next();
  });
  observer.observe(more);
  next();
  return { el: wrap, list };
}

// A link to someone's profile, named once their profile is read (each read once).
const names = new Map();
export function personLink(uuid, known) {
  const link = h("a", { href: `#/users/${uuid}`, class: "author" }, userText(known || "someone"));
  if (known) return link;
  if (!names.has(uuid))
    names.set(
      uuid,
      get(`/users/${uuid}`).then(
        (d) => d.user.name,
        () => null,
      ),
    );
  names.get(uuid).then((name) => name && replace(link, userText(name)));
  return link;
}
