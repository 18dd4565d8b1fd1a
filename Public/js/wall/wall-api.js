// Fetching for the wall: the signed-in session cookie, or on kiosk screens a display cookie. A wall display key arrives
// once as `?key=ioc_…`; it leaves the address bar at once and is exchanged (POST /api/v1/display/session) for an
// HttpOnly cookie that no script can read, so the key never shows on a screen, in a screenshot, in the browser's
// history or in a proxy's access log (not even in the live connection's address).
import { isAbort, request } from "../api.js";

export { isAbort };

/** Only a marker that this browser is a kiosk (no secret): the key itself is in the HttpOnly cookie. */
const DISPLAY_MARK = "ioc.wall.display";
/** A key whose exchange failed because the server was unreachable, kept for this tab only until the next boot. */
const PENDING_KEY = "ioc.wall.pendingKey";
/** Where earlier versions kept the key itself: exchanged once, then removed. */
const LEGACY_KEY = "ioc.wall.key";
const REQUEST_TIMEOUT_MS = 20_000;

let displayMode = false;

function stored(storage, name) {
  try {
    return storage.getItem(name);
  } catch {
    return null;
  }
}

function store(storage, name, value) {
  try {
    if (value === null) storage.removeItem(name);
    else storage.setItem(name, value);
  } catch {
    // Storage unavailable: the cookie still works; only the marker is lost.
  }
}

/**
 * Takes `?key=` out of the address bar and exchanges it for the display cookie (or retries a key whose exchange the
 * server could not answer at the last boot). Resolves once done; never rejects.
 */
export async function initDisplayKey() {
  const url = new URL(location.href);
  const fromURL = url.searchParams.get("key");
  if (fromURL) {
    url.searchParams.delete("key");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }
  const key = fromURL || stored(sessionStorage, PENDING_KEY) || stored(sessionStorage, LEGACY_KEY);
  store(sessionStorage, LEGACY_KEY, null);
  if (key) {
    try {
      await request("POST", "/api/v1/display/session", undefined, {
        headers: { Authorization: `Bearer ${key}` },
        timeout: REQUEST_TIMEOUT_MS,
      });
      store(localStorage, DISPLAY_MARK, "1");
      store(sessionStorage, PENDING_KEY, null);
    } catch (error) {
      // Unreachable server: try again at the next boot. A refused key is dropped (the wall's admin issues a new one),
      // and the screen says it is not authorised.
      store(sessionStorage, PENDING_KEY, error?.status === 0 ? key : null);
      if (error?.status === 401 || error?.status === 403) markRefused(true);
    }
  }
  displayMode = stored(localStorage, DISPLAY_MARK) === "1";
}

export function hasDisplayKey() {
  return displayMode;
}

/**
 * Marks the screen as refused by the server (no valid key or session): the live indicator and the offline banner then
 * say it is not authorised rather than "connection lost" (a refused WebSocket looks like a lost one to the page).
 */
export function markRefused(refused) {
  if (refused) document.body.dataset.auth = "refused";
  else delete document.body.dataset.auth;
  document.dispatchEvent(new CustomEvent("wall:auth"));
}

export function isRefused() {
  return document.body.dataset.auth === "refused";
}

/** The WebSocket URL of /api/v1/live (the session or display cookie authenticates it). */
export function liveURL() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/api/v1/live`;
}

/**
 * GET `path` as JSON with the session cookie or, on kiosks, the display cookie. Rejects with ApiError (status 0 for a
 * network failure or a timeout, so that a screen on a dead network never waits forever). `signal` aborts it.
 */
export function wallGet(path, { signal } = {}) {
  return request("GET", path, undefined, { signal, timeout: REQUEST_TIMEOUT_MS, cache: "no-store" });
}
