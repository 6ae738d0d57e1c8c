// Sign up and log in. The login answer sets the HttpOnly session cookie.

import { h, replace } from "../dom.js";
import * as api from "../api.js";
import { signIn } from "../session.js";
import { errorBox } from "../ui.js";

function field(label, name, type, extra = {}) {
  const id = `auth-${name}`;
  return h(
    "p",
    { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name, type, required: true, ...extra }),
  );
}

export function authScreen(main, _params, _query, { path, onSignIn }) {
  const signingUp = path === "/signup";
  const problem = h("div", {});
  const form = h(
    "form",
    { class: "card narrow", "aria-labelledby": "auth-title" },
    h("h1", { id: "auth-title" }, signingUp ? "Create your account" : "Log in to Townsquare"),
    signingUp ? field("Name", "name", "text", { autocomplete: "name", maxlength: 100 }) : null,
    field("Email", "email", "email", { autocomplete: "email" }),
    field("Password", "password", "password", {
      autocomplete: signingUp ? "new-password" : "current-password",
      minlength: signingUp ? 8 : undefined,
    }),
    problem,
    h("button", { type: "submit" }, signingUp ? "Sign up" : "Log in"),
    h(
      "p",
      {},
      signingUp ? "Already have an account? " : "New here? ",
      h("a", { href: signingUp ? "#/login" : "#/signup" }, signingUp ? "Log in" : "Sign up"),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    replace(problem);
    try {
      if (signingUp) await api.post("/auth/signup", data);
      await signIn(data.email, data.password);
      onSignIn();
    } catch (error) {
      replace(problem, errorBox(error));
      const bad = error.field && form.querySelector(`[name=${error.field}]`);
      if (bad) bad.setAttribute("aria-invalid", "true");
    } finally {
      button.disabled = false;
    }
  });
  replace(main, form);
  form.querySelector("input").focus();
}
