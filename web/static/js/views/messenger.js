// The messenger: conversations with unread counts; one conversation's messages, live,
// with replies and images; what is typed offline waits in the outbox and goes on reconnect.

import { h, replace, userText, when } from "../dom.js";
import * as api from "../api.js";
import * as state from "../messenger-state.js";
import { session } from "../session.js";
import { errorBox, into, mediaImage, personLink } from "../ui.js";

export function messengerScreen(main, [kind, id]) {
  const key = kind ? `${kind}:${id}` : null;
  if (key) state.conversation(key);
  const listEl = h("nav", { class: "conversations", "aria-label": "Conversations" });
  const pane = h("section", { class: "conversation", "aria-label": "Conversation" });
  replace(
    main,
    h("h1", { class: "visually-hidden" }, "Messages"),
    h("div", { class: "messenger" }, listEl, pane),
  );
  const drawList = () => replace(listEl, conversationList(key));
  const view = key ? conversationView(key, pane) : null;
  if (!key)
    replace(
      pane,
      h("p", { class: "muted" }, "Choose a conversation, or open someone's profile and press Message."),
    );
  state.setOpen(key);
  drawList();
  const off = state.onChange(() => {
    drawList();
    if (view) view.draw();
  });
  return () => {
    off();
    state.setOpen(null);
  };
}

function conversationList(current) {
  const items = state.list();
  if (!items.length) return h("p", { class: "muted" }, "No conversations yet.");
  return h(
    "ul",
    { class: "plain" },
    items.map((c) =>
      h(
        "li",
        {},
        h(
          "a",
          {
            href: `#/messages/${c.kind}/${c.id}`,
            "aria-current": c.key === current ? "page" : undefined,
          },
          // the name screen readers say is the text people read (WCAG 2.5.3): no aria-label
          userText(c.title || "Conversation"),
          c.kind === "group" ? h("span", { class: "badge" }, "group") : null,
          c.unread
            ? h(
                "span",
                { class: "count" },
                h("span", { class: "visually-hidden" }, ", "),
                String(c.unread),
                h("span", { class: "visually-hidden" }, " unread"),
              )
            : null,
        ),
      ),
    ),
  );
}

function conversationView(key, pane) {
  const c = state.conversation(key);
  const list = h("ol", { class: "plain" });
  const log = h(
    "div",
    { class: "messages", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" },
    list,
  );
  const history = h("div", {});
  let replyTo = null;
  const replyNote = h("div", { class: "reply-note" });
  const text = h("textarea", { id: "message-text", name: "text", rows: 2, maxlength: 10000, required: true });
  const picker = h("input", { id: "message-image", type: "file", accept: "image/*" });
  const problem = h("div", {});
  const form = h(
    "form",
    { class: "send", "aria-label": "Send a message" },
    replyNote,
    h("label", { for: "message-text" }, "Message"),
    text,
    h(
      "div",
      { class: "row" },
      h("label", { for: "message-image", class: "file" }, "Attach an image ", picker),
      h("button", { type: "submit" }, "Send"),
    ),
    problem,
  );
  const setReply = (message) => {
    replyTo = message;
    replace(
      replyNote,
      message
        ? [
            h("span", {}, "Replying to: ", userText(message.text)),
            h("button", { type: "button", class: "link", onclick: () => setReply(null) }, "Cancel reply"),
          ]
        : [],
    );
    if (message) text.focus();
  };
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!text.value.trim()) return;
    replace(problem);
    const media = [];
    try {
      if (picker.files[0]) media.push((await api.upload(picker.files[0])).uuid);
    } catch (error) {
      replace(problem, errorBox(error));
      return;
    }
    state.send(key, text.value, { reply_to: replyTo && replyTo.uuid, media });
    text.value = "";
    picker.value = "";
    setReply(null);
  });
  const title = h("h2", { id: "conversation-title" }, userText(c.title || "Conversation"));
  replace(pane, title, history, log, form);
  into(history, async () => {
    await state.history(key);
    return "";
  });
  const draw = () => {
    replace(title, userText(state.conversation(key).title || "Conversation"));
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    replace(
      list,
      state.messagesOf(key).map((m) => bubble(key, m, setReply)),
      state
        .pendingOf(key)
        .map((m) =>
          h(
            "li",
            { class: "message mine pending" },
            userText(m.body.text, "p"),
            h("small", {}, "Waiting to send…"),
          ),
        ),
      state
        .failedOf(key)
        .map((m) =>
          h(
            "li",
            { class: "message mine failed" },
            userText(m.body.text, "p"),
            h("small", { role: "alert" }, `Not sent: ${m.error}`),
          ),
        ),
    );
    if (atBottom) log.scrollTop = log.scrollHeight;
  };
  draw();
  return { draw };
}

function bubble(key, m, setReply) {
  const mine = m.sender_uuid === session.me.uuid;
  const quoted = m.reply_to ? state.find(key, m.reply_to) : null;
  return h(
    "li",
    { class: `message ${mine ? "mine" : ""}`, dataset: { uuid: m.uuid } },
    h("div", { class: "meta" }, mine ? "You" : personLink(m.sender_uuid), " · ", when(m.created_at)),
    m.reply_to ? h("blockquote", {}, quoted ? userText(quoted.text) : "an earlier message") : null,
    userText(m.text, "p", { class: "text" }),
    (m.media || []).map((uuid) => mediaImage(uuid, "Image in a message")),
    h("button", { type: "button", class: "link", onclick: () => setReply(m) }, "Reply"),
  );
}
