// Writing a post: text, who sees it, and images (uploaded first, previewed before posting).

import { h, replace } from "../dom.js";
import * as api from "../api.js";
import { errorBox } from "../ui.js";

let counter = 0;

export function composeForm({ group_uuid = null, onPosted }) {
  const n = ++counter;
  const files = [];
  const previews = h("div", { class: "previews", "aria-live": "polite" });
  const problem = h("div", {});
  const text = h("textarea", {
    id: `compose-text-${n}`,
    name: "text",
    rows: 3,
    required: true,
    maxlength: 10000,
  });
  const scope = group_uuid
    ? null
    : h(
        "select",
        { id: `compose-scope-${n}`, name: "scope" },
        h("option", { value: "public" }, "Everyone"),
        h("option", { value: "followers" }, "My followers"),
      );
  const picker = h("input", { id: `compose-images-${n}`, type: "file", accept: "image/*", multiple: true });
  picker.addEventListener("change", () => {
    for (const file of picker.files) {
      files.push(file);
      const url = URL.createObjectURL(file);
      const remove = h("button", { type: "button", class: "link" }, `Remove ${file.name}`);
      const item = h("figure", {}, h("img", { src: url, alt: `Preview of ${file.name}` }), remove);
      remove.addEventListener("click", () => {
        files.splice(files.indexOf(file), 1);
        URL.revokeObjectURL(url);
        item.remove();
      });
      previews.append(item);
    }
    picker.value = "";
  });
  const submit = h("button", { type: "submit" }, "Post");
  const form = h(
    "form",
    { class: "card compose", "aria-label": "Write a post" },
    h("label", { for: text.id }, group_uuid ? "Post to this group" : "What's happening?"),
    text,
    h(
      "div",
      { class: "row" },
      scope ? h("label", { for: scope.id }, "Who sees it ", scope) : null,
      h("label", { for: picker.id, class: "file" }, "Add images ", picker),
      submit,
    ),
    previews,
    problem,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(problem);
    try {
      const media = [];
      for (const file of files) media.push((await api.upload(file)).uuid);
      const body = { text: text.value, media };
      if (group_uuid) Object.assign(body, { scope: "group", group_uuid });
      else body.scope = scope.value;
      const { post } = await api.post("/posts", body);
      text.value = "";
      files.length = 0;
      replace(previews);
      onPosted(post);
    } catch (error) {
      replace(problem, errorBox(error));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
