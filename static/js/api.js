// The REST side of PROTOCOL.md: JSON in and out, errors as {error: {code, message, fields}}.
// The signed-in session (access and refresh token) lives in localStorage; an expired access token
// is swapped once for a new pair with the refresh token, then the request is retried.

import { fieldMessage } from "./i18n.js";

const SESSION_KEY = "quizarena.session";

export class ApiError extends Error {
  constructor(status, code, message, fields = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

export function session() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY) || "null");
  } catch {
    return null;
  }
}

function saveSession(value) {
  if (value) localStorage.setItem(SESSION_KEY, JSON.stringify(value));
  else localStorage.removeItem(SESSION_KEY);
  window.dispatchEvent(new CustomEvent("quizarena:session", { detail: value }));
}

async function parseError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON: fall through to the status */
  }
  const error = body && body.error;
  if (error && typeof error.code === "string") {
    // Each field's message is shown next to its field: in plain words, the server's kept as `raw`.
    const fields = (error.fields || []).map((f) => ({ ...f, raw: f.message, message: fieldMessage(f.message) }));
    return new ApiError(response.status, error.code, error.message || "", fields);
  }
  const code = response.status === 404 ? "not_found" : response.status >= 500 ? "unavailable" : "bad_request";
  return new ApiError(response.status, code, "");
}

let refreshing = null;

async function refreshTokens() {
  const current = session();
  if (!current || !current.refresh_token) return false;
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const response = await fetch("/auth/refresh", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: current.refresh_token }),
        });
        if (!response.ok) {
          if (response.status === 401) saveSession(null);
          return false;
        }
        const pair = await response.json();
        saveSession({ ...current, access_token: pair.access_token, refresh_token: pair.refresh_token });
        return true;
      } catch {
        return false;
      } finally {
        setTimeout(() => { refreshing = null; }, 0);
      }
    })();
  }
  return refreshing;
}

/**
 * `api(path, {method, json, body, contentType, auth, raw})`: the parsed JSON answer (or the
 * Response itself with `raw`), an ApiError otherwise. `auth` sends the session's bearer token.
 */
export async function api(path, options = {}) {
  const { method = "GET", json, body, contentType, auth = false, raw = false } = options;
  const send = async () => {
    const headers = {};
    let payload = body;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(json);
    } else if (contentType) {
      headers["Content-Type"] = contentType;
    }
    const current = session();
    if (auth && current && current.access_token) headers.Authorization = `Bearer ${current.access_token}`;
    try {
      return await fetch(path, { method, headers, body: payload });
    } catch {
      throw new ApiError(0, "network", "");
    }
  };
  let response = await send();
  if (response.status === 401 && auth && session() && (await refreshTokens())) response = await send();
  if (!response.ok) throw await parseError(response);
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}

export async function logIn(username, password) {
  const pair = await api("/auth/login", { method: "POST", json: { username, password } });
  saveSession({ access_token: pair.access_token, refresh_token: pair.refresh_token });
  try {
    const me = await api("/auth/me", { auth: true });
    saveSession({ ...session(), user: { id: me.id, username: me.username } });
  } catch (error) {
    saveSession(null);
    throw error;
  }
  return session();
}

export async function register(username, email, password) {
  await api("/auth/register", { method: "POST", json: { username, email, password } });
  return logIn(username, password);
}

export async function logOut() {
  try {
    if (session()) await api("/auth/logout", { method: "POST", auth: true });
  } catch {
    /* the local session goes anyway */
  }
  saveSession(null);
}

/** The signed-in user, checked with the server (refreshing the token if needed); null if none. */
export async function currentUser() {
  if (!session()) return null;
  try {
    const me = await api("/auth/me", { auth: true });
    saveSession({ ...session(), user: { id: me.id, username: me.username } });
    return me;
  } catch (error) {
    if (error.code === "unauthorized") {
      saveSession(null);
      return null;
    }
    throw error;
  }
}

/** Reads a file name out of a Content-Disposition header. */
export function filenameOf(response, fallback) {
  const header = response.headers.get("content-disposition") || "";
  const match = /filename="?([^";]+)"?/i.exec(header);
  return match ? match[1] : fallback;
}
