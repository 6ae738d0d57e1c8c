// Search posts, people and groups; matched words are highlighted with <mark>, as text.

import { h, replace, markedSnippet } from "../dom.js";
import * as api from "../api.js";
import { into } from "../ui.js";

const KINDS = [
  ["posts", "Posts", "posts"],
  ["users", "People", "users"],
  ["groups", "Groups", "groups"],
];

export function searchScreen(main, _params, query) {
  const q = h("input", {
    id: "search-q",
    type: "search",
    name: "q",
    required: true,
    maxlength: 200,
    value: query.get("q") || "",
  });
  const type = h(
    "select",
    { id: "search-type", name: "type" },
    KINDS.map(([value, label]) => h("option", { value, selected: query.get("type") === value }, label)),
  );
  const results = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    { role: "search", class: "card row" },
    h("label", { for: "search-q" }, "Search for"),
    q,
    h("label", { for: "search-type" }, "in"),
    type,
    h("button", { type: "submit" }, "Search"),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = `#/search?${new URLSearchParams({ q: q.value, type: type.value })}`;
  });
  replace(main, h("h1", {}, "Search"), form, results);
  if (query.get("q")) into(results, () => find(query.get("q"), query.get("type") || "posts"));
}

async function find(text, kind) {
  const { items } = await api.get(`/search${api.query({ q: text, type: kind, limit: 20 })}`);
  if (!items.length) return h("p", {}, `Nothing found for “${text}”.`);
  const path = KINDS.find(([value]) => value === kind)[2];
  return h(
    "ol",
    { class: "results", "aria-label": `${items.length} results` },
    items.map((hit) =>
      h("li", { class: "card" }, h("a", { href: `#/${path}/${hit.uuid}` }, markedSnippet(hit.snippet))),
    ),
  );
}
