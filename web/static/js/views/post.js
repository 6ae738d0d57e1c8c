// One post: its text and images, reactions (toggle), shares, and comments.

import { h, replace, userText, when, announce } from "../dom.js";
import * as api from "../api.js";
import { errorBox, into, personLink, postCard } from "../ui.js";

const REACTIONS = [
  ["like", "Like"],
  ["love", "Love"],
  ["laugh", "Laugh"],
];

export function postScreen(main, [uuid]) {
  const body = h("div", {});
  replace(main, h("h1", {}, "Post"), body);
  const load = async () => page(uuid, () => into(body, load));
  into(body, load);
}

async function page(uuid, reload) {
  const { post } = await api.get(`/posts/${uuid}`);
  const problem = h("div", {});
  const act = async (work, done) => {
    replace(problem);
    try {
      await work();
      if (done) announce(done);
      reload();
    } catch (error) {
      replace(problem, errorBox(error));
    }
  };
  const mine = new Set(post.my_reactions || []);
  const summary = post.reaction_summary || {};
  const reactions = h(
    "div",
    { class: "row", role: "group", "aria-label": "Reactions" },
    REACTIONS.map(([code, label]) =>
      h(
        "button",
        {
          type: "button",
          "aria-pressed": mine.has(code) ? "true" : "false",
          onclick: () =>
            act(
              () => (mine.has(code) ? api.del : api.put)(`/posts/${uuid}/reactions/${code}`),
              `${label} ${mine.has(code) ? "removed" : "added"}.`,
            ),
        },
        `${label} ${summary[code] || 0}`,
      ),
    ),
  );
  const shareComment = h("input", { id: "share-comment", name: "comment", maxlength: 1000 });
  const share = h(
    "form",
    { class: "row", "aria-label": "Share this post" },
    h("label", { for: "share-comment" }, "Share with a comment (optional)"),
    shareComment,
    h("button", { type: "submit" }, "Share"),
  );
  share.addEventListener("submit", (e) => {
    e.preventDefault();
    const json = { scope: "public" };
    if (shareComment.value.trim()) json.comment = shareComment.value;
    act(() => api.post(`/posts/${uuid}/shares`, json), "Shared.");
  });
  const commentText = h("textarea", {
    id: "comment-text",
    name: "text",
    rows: 2,
    required: true,
    maxlength: 5000,
  });
  const comment = h(
    "form",
    { "aria-label": "Write a comment" },
    h("label", { for: "comment-text" }, "Your comment"),
    commentText,
    h("button", { type: "submit" }, "Comment"),
  );
  comment.addEventListener("submit", (e) => {
    e.preventDefault();
    act(() => api.post(`/posts/${uuid}/comments`, { text: commentText.value }), "Comment added.");
  });
  const comments = (post.comments || []).map((c) =>
    h("li", { class: "comment" }, personLink(c.user_uuid), " · ", when(c.created_at), userText(c.text, "p")),
  );
  return h(
    "div",
    {},
    postCard(post),
    reactions,
    share,
    problem,
    h("h2", {}, `Comments (${(post.comments || []).length})`),
    comments.length
      ? h("ul", { class: "comments" }, comments)
      : h("p", { class: "muted" }, "No comments yet."),
    comment,
  );
}
