// The public API over fetch. The session lives in an HttpOnly cookie this script cannot
// read; writes echo the ts_csrf cookie in X-CSRF-Token. Errors become ApiError.

const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status; // 0: the network is down
    this.code = code;
    this.field = field;
  }
  // the endpoint is not on this server (yet), or the thing is not there
  get absent() {
    return this.status === 404 || this.status === 405;
  }
  get retryable() {
    return this.status === 0 || this.status === 503 || this.status === 429 || this.status >= 500;
  }
}

function csrf() {
  const pair = document.cookie.split("; ").find((c) => c.startsWith("ts_csrf="));
  return pair ? pair.slice("ts_csrf=".length) : "";
}

export async function call(method, path, { json, body, type, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { ...headers } };
  if (method !== "GET") init.headers["X-CSRF-Token"] = csrf();
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.headers["Content-Type"] = type || "application/octet-stream";
    init.body = body;
  }
  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch {
    throw new ApiError(0, "offline", "Townsquare cannot be reached: check your connection.");
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith("/auth/")) {
      window.dispatchEvent(new Event("townsquare:signed-out")); // expired or logged out elsewhere
    }
    const error = (data && data.error) || {};
    throw new ApiError(
      response.status,
      error.code || `http_${response.status}`,
      error.message || messageFor(response.status),
      error.field,
    );
  }
  return data;
}

function messageFor(status) {
  if (status === 404) return "Not found.";
  if (status === 503) return "A part of Townsquare is down for a moment.";
  return `The server answered ${status}.`;
}

export const get = (path) => call("GET", path);
export const post = (path, json) => call("POST", path, { json });
export const put = (path) => call("PUT", path);
export const patch = (path, json) => call("PATCH", path, { json });
export const del = (path) => call("DELETE", path);

export const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : "";
};

export async function login(email, password) {
  return call("POST", "/auth/login", {
    json: { email, password },
    headers: { "X-Townsquare-Session": "cookie" },
  });
}

export async function upload(file) {
  const data = await call("POST", "/media", { body: file, type: file.type || "application/octet-stream" });
  return data.media;
}

export const mediaUrl = (uuid) => `${BASE}/media/${encodeURIComponent(uuid)}`;
