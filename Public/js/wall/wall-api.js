// Fetching for the wall: the signed-in session cookie, or a wall display key (kiosk screens) sent as a bearer token.
// The key arrives once as `?key=ioc_…`, is kept in sessionStorage and removed from the address bar, so that it
// never shows on a screen, in a screenshot or in the browser's history.
import { isAbort, request } from "../api.js";

export { isAbort };

const KEY_STORAGE = "ioc.wall.key";
const REQUEST_TIMEOUT_MS = 20_000;

let displayKey = null;

/** Reads `?key=` once (then strips it from the URL) or the key kept from an earlier load of this tab. */
export function initDisplayKey() {
  const url = new URL(location.href);
  const fromURL = url.searchParams.get("key");
  if (fromURL) {
    displayKey = fromURL;
    try {
      sessionStorage.setItem(KEY_STORAGE, fromURL);
    } catch {
      // Storage unavailable: the key lasts for this page only.
    }
    url.searchParams.delete("key");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
    return;
  }
  try {
    displayKey = sessionStorage.getItem(KEY_STORAGE);
  } catch {
    displayKey = null;
  }
}

export function hasDisplayKey() {
  return Boolean(displayKey);
}

/** The WebSocket URL of /api/v1/live, with the display key when there is one. */
export function liveURL() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = displayKey ? `?key=${encodeURIComponent(displayKey)}` : "";
  return `${scheme}://${location.host}/api/v1/live${query}`;
}

/**
 * GET `path` as JSON with the session cookie and, on kiosks, the display key. Rejects with ApiError (status 0 for a
 * network failure or a timeout, so that a screen on a dead network never waits forever). `signal` aborts it.
 */
export function wallGet(path, { signal } = {}) {
  const headers = displayKey ? { Authorization: `Bearer ${displayKey}` } : {};
  return request("GET", path, undefined, { headers, signal, timeout: REQUEST_TIMEOUT_MS, cache: "no-store" });
}
