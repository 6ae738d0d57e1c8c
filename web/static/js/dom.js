// Building the page from data without ever parsing user text as HTML.
// h(tag, attrs, ...children): strings become text nodes, never markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// User text: shown as text, isolated for bidi (RTL overrides stay inside), wrapped anywhere.
export function userText(text, tag = "span", attrs = {}) {
  return h(tag, { ...attrs, class: `ut ${attrs.class || ""}`.trim(), dir: "auto" }, text || "");
}

// A search snippet marks matches with **…**; each mark becomes a <mark> holding text only.
export function markedSnippet(snippet) {
  const el = h("span", { class: "ut snippet", dir: "auto" });
  (snippet || "").split("**").forEach((part, i) => {
    if (!part) return;
    el.append(i % 2 === 1 ? h("mark", {}, part) : document.createTextNode(part));
  });
  return el;
}

export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return h("time", { datetime: iso, title: date.toLocaleString() }, date.toLocaleString());
}

export function announce(text) {
  const el = document.getElementById("announcer");
  if (el) el.textContent = text;
}
