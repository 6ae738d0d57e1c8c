// Groups: mine, found by name, a new one (public or private); one group's page with its
// posts, members (admins manage them), join and leave, and its chat.

import { h, replace, userText, announce } from "../dom.js";
import * as api from "../api.js";
import { session } from "../session.js";
import { count, errorBox, into, pagedList, personLink, postCard } from "../ui.js";
import { composeForm } from "./compose.js";

const groupLink = (g) =>
  h(
    "li",
    {},
    h("a", { href: `#/groups/${g.uuid}` }, userText(g.name)),
    g.is_private ? h("span", { class: "badge" }, "private") : null,
  );

const notAvailable = (what) => h("p", { class: "not-yet" }, `${what} is not available yet on this server.`);

export function groupsScreen(main) {
  const mine = h("div", {});
  const found = h("div", { "aria-live": "polite" });
  const q = h("input", { id: "group-q", type: "search", name: "q", required: true, maxlength: 200 });
  const search = h(
    "form",
    { role: "search", class: "row" },
    h("label", { for: "group-q" }, "Find groups by name"),
    q,
    h("button", { type: "submit" }, "Search"),
  );
  search.addEventListener("submit", (e) => {
    e.preventDefault();
    into(found, () => findGroups(q.value));
  });
  const name = h("input", { id: "group-name", name: "name", required: true, maxlength: 100 });
  const priv = h("input", { id: "group-private", type: "checkbox", name: "is_private" });
  const problem = h("div", {});
  const create = h(
    "form",
    { class: "card", "aria-labelledby": "create-title" },
    h("h2", { id: "create-title" }, "Start a group"),
    h("p", { class: "field" }, h("label", { for: "group-name" }, "Name"), name),
    h(
      "p",
      {},
      priv,
      " ",
      h("label", { for: "group-private" }, "Private (members only see posts, members and chat)"),
    ),
    problem,
    h("button", { type: "submit" }, "Create group"),
  );
  create.addEventListener("submit", async (e) => {
    e.preventDefault();
    replace(problem);
    try {
      const { group } = await api.post("/groups", { name: name.value, is_private: priv.checked });
      location.hash = `#/groups/${group.uuid}`;
    } catch (error) {
      replace(problem, errorBox(error));
    }
  });
  replace(main, h("h1", {}, "Groups"), search, found, h("h2", {}, "My groups"), mine, create);
  into(mine, async () => {
    try {
      const page = await api.get("/groups?mine=1");
      return page.items.length
        ? h("ul", { class: "plain" }, page.items.map(groupLink))
        : h("p", { class: "muted" }, "You are in no group yet.");
    } catch (error) {
      if (error.absent) return notAvailable("The list of your groups");
      throw error;
    }
  });
}

async function findGroups(text) {
  let items;
  try {
    items = (await api.get(`/groups${api.query({ q: text })}`)).items;
  } catch (error) {
    if (!error.absent) throw error;
    const hits = (await api.get(`/search${api.query({ q: text, type: "groups" })}`)).items;
    items = await Promise.all(
      hits.map((hit) =>
        api.get(`/groups/${hit.uuid}`).then(
          (d) => d.group,
          () => null,
        ),
      ),
    );
    items = items.filter(Boolean);
  }
  return items.length
    ? h("ul", { class: "plain", "aria-label": "Groups found" }, items.map(groupLink))
    : h("p", {}, "No group matches.");
}

export function groupScreen(main, [uuid]) {
  const load = async () => {
    let group;
    try {
      group = (await api.get(`/groups/${uuid}`)).group;
    } catch (error) {
      if (error.status === 404)
        return h(
          "div",
          { class: "card" },
          h("h1", {}, "Group not found"),
          h("p", {}, "This group does not exist, or it is private and you are not a member."),
        );
      throw error;
    }
    return groupPage(group, () => into(main, load));
  };
  into(main, load);
}

async function groupPage(group, reload) {
  const members = (await api.get(`/groups/${group.uuid}/members`)).items;
  const me = members.find((m) => m.user_uuid === session.me.uuid);
  const admin = me && me.is_admin;
  const problem = h("div", {});
  const act = async (work, done) => {
    replace(problem);
    try {
      await work();
      announce(done);
      reload();
    } catch (error) {
      replace(problem, errorBox(error));
    }
  };
  const join = () => act(() => api.post(`/groups/${group.uuid}/members`, {}), `You joined ${group.name}.`);
  const leave = () =>
    act(() => api.del(`/groups/${group.uuid}/members/${session.me.uuid}`), `You left ${group.name}.`);
  const memberRow = (m) =>
    h(
      "li",
      {},
      personLink(m.user_uuid, m.user_name),
      m.is_admin ? h("span", { class: "badge" }, "admin") : null,
      admin && m.user_uuid !== session.me.uuid
        ? h(
            "span",
            { class: "row inline" },
            h(
              "button",
              {
                type: "button",
                onclick: () =>
                  act(
                    () =>
                      api.patch(`/groups/${group.uuid}/members/${m.user_uuid}`, { is_admin: !m.is_admin }),
                    "Member updated.",
                  ),
              },
              m.is_admin ? `Remove admin rights from ${m.user_name}` : `Make ${m.user_name} an admin`,
            ),
            h(
              "button",
              {
                type: "button",
                onclick: () =>
                  act(() => api.del(`/groups/${group.uuid}/members/${m.user_uuid}`), "Member removed."),
              },
              `Remove ${m.user_name}`,
            ),
          )
        : null,
    );
  const addInput = h("input", {
    id: "add-member",
    name: "user_uuid",
    required: true,
    placeholder: "person's id",
  });
  const addForm = h(
    "form",
    { class: "row" },
    h("label", { for: "add-member" }, "Add a member by id"),
    addInput,
    h("button", { type: "submit" }, "Add"),
  );
  addForm.addEventListener("submit", (e) => {
    e.preventDefault();
    act(
      () => api.post(`/groups/${group.uuid}/members`, { user_uuid: addInput.value.trim() }),
      "Member added.",
    );
  });
  const posts = h("div", {});
  into(posts, async () => {
    const pageOf = (before) => api.get(`/groups/${group.uuid}/posts${api.query({ limit: 10, before })}`);
    try {
      await pageOf(null); // an older server has no group timeline: say so instead of failing
      return pagedList(pageOf, (p) => postCard(p), { empty: "No posts yet." }).el;
    } catch (error) {
      if (error.absent) return notAvailable("The group's timeline");
      throw error;
    }
  });
  return h(
    "div",
    {},
    h(
      "section",
      { class: "card", "aria-labelledby": "group-name" },
      h("h1", { id: "group-name" }, userText(group.name)),
      h(
        "p",
        { class: "muted" },
        `${group.is_private ? "Private" : "Public"} group · ${count(members.length, "member")}`,
      ),
      h(
        "div",
        { class: "row" },
        me
          ? h("button", { type: "button", onclick: leave }, "Leave group")
          : h("button", { type: "button", onclick: join }, "Join group"),
        me ? h("a", { class: "button", href: `#/messages/group/${group.uuid}` }, "Open group chat") : null,
      ),
      problem,
    ),
    me ? composeForm({ group_uuid: group.uuid, onPosted: reload }) : null,
    h("h2", {}, "Posts"),
    posts,
    h("h2", {}, "Members"),
    h("ul", { class: "plain members" }, members.map(memberRow)),
    admin ? addForm : null,
  );
}
