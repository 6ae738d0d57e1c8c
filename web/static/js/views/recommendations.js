// What Townsquare suggests: people, groups and posts, each with its reason.

import { h, replace, userText } from "../dom.js";
import * as api from "../api.js";
import { into, personLink, reasonText } from "../ui.js";

const KINDS = [
  ["people", "People to follow", (uuid) => personLink(uuid)],
  ["groups", "Groups to join", (uuid) => named(`/groups/${uuid}`, `#/groups/${uuid}`, (d) => d.group.name)],
  ["posts", "Posts to read", (uuid) => named(`/posts/${uuid}`, `#/posts/${uuid}`, (d) => d.post.text)],
];

function named(path, href, pick) {
  const link = h("a", { href }, "…");
  api.get(path).then(
    (d) => replace(link, userText(pick(d))),
    () => replace(link, "(no longer available)"),
  );
  return link;
}

export function recommendationsScreen(main) {
  const sections = KINDS.map(([kind, title, link]) => {
    const body = h("div", {});
    into(body, async () => {
      const { items } = await api.get(`/recommendations/${kind}`);
      if (!items.length) return h("p", { class: "muted" }, "Nothing to suggest yet.");
      return h(
        "ul",
        { class: "plain" },
        items.map((item) =>
          h("li", { class: "card" }, link(item.uuid), h("p", { class: "reason" }, reasonText(item))),
        ),
      );
    });
    return h("section", { "aria-labelledby": `rec-${kind}` }, h("h2", { id: `rec-${kind}` }, title), body);
  });
  replace(main, h("h1", {}, "For you"), sections);
}
