// Someone's profile: name, follow counts, follow/unfollow, their posts; "Message" opens a DM.

import { h, replace, userText, announce } from "../dom.js";
import * as api from "../api.js";
import { session } from "../session.js";
import { count, errorBox, into, pagedList, postCard } from "../ui.js";

export function profileScreen(main, [uuid]) {
  const head = h("div", {});
  const posts = pagedList(
    (before) => api.get(`/users/${uuid}/posts${api.query({ limit: 10, before })}`),
    (p) => postCard(p),
    {
      empty: "No posts to show.",
    },
  );
  replace(main, head, h("h2", {}, "Posts"), posts.el);
  const load = async () => header(await api.get(`/users/${uuid}`), () => into(head, load));
  into(head, load);
}

function header({ user }, reload) {
  const itsMe = session.me && session.me.uuid === user.uuid;
  const problem = h("div", {});
  const toggle = async () => {
    replace(problem);
    try {
      await (user.followed_by_me ? api.del : api.put)(`/users/${user.uuid}/follow`);
      announce(user.followed_by_me ? `You no longer follow ${user.name}.` : `You follow ${user.name}.`);
      reload();
    } catch (error) {
      replace(problem, errorBox(error));
    }
  };
  return h(
    "section",
    { class: "card profile", "aria-labelledby": "profile-name" },
    h("h1", { id: "profile-name" }, userText(user.name)),
    h("p", { class: "muted" }, `${count(user.followers, "follower")} · ${user.following} following`),
    itsMe
      ? h("p", {}, "This is you.")
      : h(
          "div",
          { class: "row" },
          h("button", { type: "button", onclick: toggle }, user.followed_by_me ? "Unfollow" : "Follow"),
          h("a", { class: "button", href: `#/messages/dm/${user.uuid}` }, "Message"),
        ),
    problem,
  );
}
