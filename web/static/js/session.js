// Who is signed in, restored from the cookie session on load (GET /users/me).

import * as api from "./api.js";

export const session = { me: null, operator: false };

export async function restore() {
  try {
    session.me = (await api.get("/users/me")).user;
  } catch (error) {
    if (error.status !== 401) throw error;
    session.me = null;
  }
  if (session.me) await checkOperator();
  return session.me;
}

export async function signIn(email, password) {
  const answer = await api.login(email, password);
  session.me = answer.user;
  await checkOperator();
  return session.me;
}

export async function signOut() {
  try {
    await api.post("/auth/logout");
  } finally {
    session.me = null;
    session.operator = false;
  }
}

// Operators may read GET /insights; everyone else gets 403 there.
async function checkOperator() {
  if (session.me && session.me.role) {
    session.operator = session.me.role === "operator";
    return;
  }
  try {
    await api.get("/insights");
    session.operator = true;
  } catch {
    session.operator = false;
  }
}
