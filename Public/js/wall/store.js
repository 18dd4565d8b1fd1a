// The wall's shared data, one copy per page whatever the number of views showing it:
// - the overview (tiles), fetched every minute, sooner (throttled) after live events and after a reconnect;
// - the live feed, the newest FEED_MAX items (a wall runs for weeks: nothing here grows without bound).
import { liveTopic } from "../settings.js";
import { isAbort, wallGet } from "./wall-api.js";
import { noteServerTime } from "./format.js";

const OVERVIEW_POLL_MS = 60_000;
const OVERVIEW_RETRY_MS = 15_000;
const OVERVIEW_MIN_GAP_MS = 10_000;
export const FEED_MAX = 100;

/** A tiny listener set: `on(listener)` returns the function that removes it; `emit(...args)` calls them all. */
export function emitter() {
  const listeners = new Set();
  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(...args) {
      for (const listener of [...listeners]) listener(...args);
    },
  };
}

/**
 * Overview tiles: `store.data` (the last good answer), `store.error` (the last failure, cleared on success).
 * `settings`: the UI settings (the live topics' names).
 */
export function createOverviewStore(live, { settings, onUnauthorized } = {}) {
  const changed = emitter();
  const store = {
    data: null,
    error: null,
    loadedAt: 0,
    on: changed.on,
    refresh,
    refreshSoon,
    tile: (id) => store.data?.tiles?.find((tile) => tile.id === id) || null,
  };
  let timer = null;
  let controller = null;
  let lastFetch = 0;

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(refresh, ms);
  }

  async function refresh() {
    clearTimeout(timer);
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    lastFetch = Date.now();
    try {
      const data = await wallGet("/api/v1/wall/overview", { signal: mine.signal });
      if (controller !== mine) return;
      noteServerTime(data?.asOf);
      store.data = data && Array.isArray(data.tiles) ? data : { ...data, tiles: [] };
      store.error = null;
      store.loadedAt = Date.now();
      schedule(OVERVIEW_POLL_MS);
    } catch (error) {
      if (isAbort(error) || controller !== mine) return;
      store.error = error;
      if (error.status === 401) onUnauthorized?.(error);
      schedule(OVERVIEW_RETRY_MS);
    } finally {
      if (controller === mine) controller = null;
    }
    changed.emit(store);
  }

  /** A refetch at most every OVERVIEW_MIN_GAP_MS, for bursts of live events. */
  function refreshSoon() {
    if (controller) return;
    const wait = Math.max(1000, OVERVIEW_MIN_GAP_MS - (Date.now() - lastFetch));
    schedule(wait);
  }

  live.subscribe(liveTopic(settings, "wall"), () => refreshSoon());
  live.subscribe(liveTopic(settings, "fieldReports"), () => refreshSoon());
  live.onResync(() => refreshSoon());
  return store;
}

function feedKey(item) {
  // Feed ids are the server's journal ids: global (every instance) and kept across restarts.
  if (typeof item.id === "number") return `#${item.id}`;
  return `${item.at ?? ""}|${item.type ?? ""}|${item.code ?? ""}`;
}

const CATCH_UP_LIMIT = 500;

/** The live feed: newest first, at most FEED_MAX items. Emits ("reset") or ("add", items).
 * `store.lastFeedId` is the newest journal id seen: after a reconnect (to this or another instance, after a restart
 * or dropped events) the store asks for the entries after it, so nothing that happened meanwhile is lost. */
export function createFeedStore(live, { settings, onUnauthorized } = {}) {
  const changed = emitter();
  const store = { items: [], error: null, loaded: false, lastFeedId: 0, on: changed.on, reload, catchUp };
  const keys = new Set();
  let controller = null;
  let retryTimer = null;
  let gapFrom = null; // the newest id seen before the connection was lost

  function noteId(item) {
    if (typeof item?.id === "number" && item.id > store.lastFeedId) store.lastFeedId = item.id;
  }

  function trim() {
    while (store.items.length > FEED_MAX) keys.delete(feedKey(store.items.pop()));
  }

  function add(item) {
    if (!item || typeof item !== "object") return false;
    noteId(item);
    const key = feedKey(item);
    if (keys.has(key)) return false;
    keys.add(key);
    // Newest first; a replayed or late item goes to its place by time.
    const at = Date.parse(item.at) || 0;
    let index = 0;
    while (index < store.items.length && (Date.parse(store.items[index].at) || 0) > at) index += 1;
    store.items.splice(index, 0, item);
    trim();
    return store.items.includes(item);
  }

  async function reload() {
    clearTimeout(retryTimer);
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    try {
      const data = await wallGet(`/api/v1/wall/events?limit=${FEED_MAX}`, { signal: mine.signal });
      if (controller !== mine) return;
      const items = Array.isArray(data?.items) ? data.items : [];
      // A fresh snapshot replaces the list (after a restart the old ids mean nothing); live items arriving
      // meanwhile are merged back by `add`.
      const previous = store.items;
      store.items = [];
      keys.clear();
      for (const item of items) add(item);
      const newest = store.items.length ? Date.parse(store.items[0].at) || 0 : -Infinity;
      for (const item of previous) if ((Date.parse(item.at) || 0) > newest) add(item);
      live.resumeFrom(data?.lastEventId);
      if (typeof data?.lastFeedId === "number" && data.lastFeedId > store.lastFeedId) store.lastFeedId = data.lastFeedId;
      gapFrom = null;
      store.error = null;
      store.loaded = true;
      changed.emit("reset", store.items);
    } catch (error) {
      if (isAbort(error) || controller !== mine) return;
      store.error = error;
      if (error.status === 401) onUnauthorized?.(error);
      retryTimer = setTimeout(reload, 15_000);
      changed.emit("error", store.items);
    } finally {
      if (controller === mine) controller = null;
    }
  }

  /** The entries after the newest one seen (from the journal); a fresh snapshot when too many are missing. */
  async function catchUp() {
    if (!store.loaded || !store.lastFeedId) return reload();
    // From the last entry seen before the gap: live entries after the reconnect may already have moved lastFeedId.
    const after = gapFrom ?? store.lastFeedId;
    if (controller) return; // a reload is under way: it brings everything
    const mine = new AbortController();
    controller = mine;
    try {
      const data = await wallGet(`/api/v1/wall/events?after=${after}&limit=${CATCH_UP_LIMIT}`, { signal: mine.signal });
      if (controller !== mine) return;
      controller = null;
      gapFrom = null;
      if (data?.more) return reload();
      const added = [];
      for (const item of Array.isArray(data?.items) ? data.items : []) if (add(item)) added.push(item);
      if (added.length) changed.emit("add", added);
    } catch (error) {
      if (isAbort(error) || controller !== mine) return;
      controller = null;
      retryTimer = setTimeout(catchUp, 5_000);
    } finally {
      if (controller === mine) controller = null;
    }
  }

  live.subscribe(liveTopic(settings, "wall"), (data, event) => {
    const item = { ...data };
    item.at ??= event?.at;
    if (add(item)) changed.emit("add", [item]);
  });
  // After any gap (a reconnect, to this instance or another; a server restart; dropped events) ask the journal for
  // what came after the last entry seen: its ids are global and survive restarts.
  live.onStatus((status) => {
    if (status !== "live" && gapFrom == null && store.loaded) gapFrom = store.lastFeedId;
  });
  live.onResync((reason) => (reason === "dropped" ? reload() : catchUp()));
  return store;
}
