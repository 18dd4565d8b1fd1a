// A kiosk screen of a video wall (/wall/<wall>/<screen>): it shows what its assignment says and follows changes live.
//
// The assignment (GET /api/v1/walls/{wall}/screens/{index}) is `{view, rotation, takeover, version}`:
// a takeover wins over everything; else a rotation cycles its views (each for its `seconds`); else the view.
// It is fetched again on the live topic `wall.<wall>` (`screen.changed` for this index, or `wall.changed`), after a
// reconnect (events may have been missed while the server restarted), and every minute as a safety net.
// Views are kept mounted (hidden) while they belong to the assignment, so a rotation does not rebuild its map every
// cycle; at most VIEW_CACHE_MAX are kept, and views that leave the assignment are destroyed.
// Test hooks: `#wall-screen[data-view=<kind>][data-version=<n>]`.
import { h } from "../dom.js";
import { localized, t, tOr } from "../i18n.js";
import { buildView, messageView } from "./views.js";
import { createOverview } from "./overview.js";
import { wallTopic } from "../settings.js";
import { isAbort, markRefused, wallGet } from "./wall-api.js";

const VIEW_CACHE_MAX = 4;
const POLL_MS = 60_000;
const POLL_NO_LIVE_MS = 15_000;
const RETRY_MS = 10_000;
const RETRY_MISSING_MS = 30_000;
const MIN_ROTATION_SECONDS = 5;
const DEFAULT_ROTATION_SECONDS = 30;
const TOPIC_PATTERN = /^[a-z0-9._:-]{1,64}$/;

/** JSON with sorted keys: the identity of a view. */
function stableKey(value) {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableKey(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

function viewKey(view) {
  return stableKey({ kind: view?.kind ?? null, params: view?.params ?? {} });
}

/** Only the visible view carries the page's element ids (#wall-map, #wall-feed…); hidden ones keep them aside. */
function setIdsActive(root, active) {
  if (active) {
    for (const el of root.querySelectorAll("[data-parked-id]")) {
      el.id = el.dataset.parkedId;
      delete el.dataset.parkedId;
    }
  } else {
    for (const el of root.querySelectorAll("[id]")) {
      el.dataset.parkedId = el.id;
      el.removeAttribute("id");
    }
  }
}

/**
 * startKiosk(ctx, { wall, index, host, chrome })
 * `host`: #wall-screen. `chrome`: { setTitle(text), setTakeover(by|null), setScreenTag(text), onFirstRender() }.
 */
export function startKiosk(ctx, { wall, index, host, chrome }) {
  const cache = new Map(); // key → { view, wrapper } in least-recently-shown order
  let current = null;
  let assignment = null;
  let assignmentKey = null;
  let rotation = { entries: [], index: 0, timer: null };
  let pollTimer = null;
  let controller = null;
  let firstRendered = false;
  const topic = wallTopic(ctx.settings, wall);
  const canListen = TOPIC_PATTERN.test(topic);

  chrome.setScreenTag(t("wall.screen.tag", { wall: assignment?.wallName || wall, index }));

  /**
   * The header's title for a view. Kinds not built in (a service's screen): the kind's title from the module
   * catalogue's dictionaries (`walls.kind.<kind>`, as the walls page names kinds) and the view's own `title()` (e.g.
   * the group it shows), whichever there are.
   */
  function viewTitle(view, built = null) {
    switch (view?.kind) {
      case "overview": return t("wall.view.overview");
      case "map": return t("wall.view.map");
      case "tile": {
        const tile = ctx.overview.tile(view.params?.tile);
        return tile ? localized(tile.title) : t("wall.view.tile");
      }
      case "service": {
        const tile = ctx.overview.tile(view.params?.tile);
        return tile ? localized(tile.title) : t("wall.view.service");
      }
      case "alarms": return t("wall.view.alarms");
      case "case": return t("wall.view.case", { code: view.params?.code ?? "" });
      case "url": return t("wall.view.url");
      default: {
        const kindTitle = view?.kind ? tOr(`walls.kind.${view.kind}`, "") : "";
        const own = typeof built?.title === "function" ? built.title() : "";
        return [kindTitle, own].filter(Boolean).join(" · ");
      }
    }
  }

  function show(view) {
    const key = viewKey(view);
    let entry = cache.get(key);
    if (entry) {
      cache.delete(key);
    } else {
      const built = buildView(ctx, view, { createOverview });
      entry = { view, built, wrapper: h("div", { class: "wall-view", dataset: { kind: built.kind } }, built.element) };
      setIdsActive(entry.wrapper, false);
      host.append(entry.wrapper);
    }
    cache.set(key, entry);
    for (const other of cache.values()) {
      if (other === entry || other.wrapper.hidden) continue;
      other.wrapper.hidden = true;
      setIdsActive(other.wrapper, false);
      other.built.hide();
    }
    if (current !== entry || entry.wrapper.hidden) {
      setIdsActive(entry.wrapper, true);
      entry.wrapper.hidden = false;
    }
    current = entry;
    host.dataset.view = entry.built.kind;
    entry.built.show();
    chrome.setTitle(viewTitle(view, entry.built));
    evict();
    if (!firstRendered) {
      firstRendered = true;
      chrome.onFirstRender();
    }
  }

  function destroyEntry(key) {
    const entry = cache.get(key);
    if (!entry) return;
    cache.delete(key);
    entry.built.destroy();
    entry.wrapper.remove();
  }

  /** Drops views beyond the cache size, and views the assignment no longer uses. */
  function evict(wanted = null) {
    for (const key of [...cache.keys()]) {
      if (cache.get(key) === current) continue;
      if (wanted && !wanted.has(key)) destroyEntry(key);
    }
    while (cache.size > VIEW_CACHE_MAX) {
      const oldest = [...cache.keys()].find((key) => cache.get(key) !== current);
      if (!oldest) break;
      destroyEntry(oldest);
    }
  }

  function stopRotation() {
    clearTimeout(rotation.timer);
    rotation = { entries: [], index: 0, timer: null };
  }

  function rotate() {
    const entries = rotation.entries;
    if (!entries.length) return;
    const entry = entries[rotation.index % entries.length];
    show(entry.view);
    const seconds = Number(entry.seconds) > 0 ? Math.max(MIN_ROTATION_SECONDS, Number(entry.seconds)) : DEFAULT_ROTATION_SECONDS;
    rotation.index = (rotation.index + 1) % entries.length;
    if (entries.length > 1) rotation.timer = setTimeout(rotate, seconds * 1000);
  }

  function apply(next) {
    markRefused(false);
    const key = stableKey({ view: next?.view, rotation: next?.rotation, takeover: next?.takeover?.view ?? null, by: next?.takeover?.by ?? null });
    const version = next?.version ?? 0;
    if (assignment && version === assignment.version && key === assignmentKey) return;
    assignment = next;
    assignmentKey = key;
    chrome.setScreenTag(t("wall.screen.tag", { wall: assignment?.wallName || wall, index }));
    stopRotation();
    const takeover = next?.takeover?.view ? next.takeover : null;
    chrome.setTakeover(takeover ? (takeover.by || t("wall.screen.operator")) : null);
    const rotationEntries = Array.isArray(next?.rotation) ? next.rotation.filter((r) => r && r.view) : [];
    const wanted = new Set();
    if (takeover) {
      show(takeover.view);
      wanted.add(viewKey(takeover.view));
      // Keep the underlying views warm: releasing the takeover goes back without rebuilding.
    }
    if (rotationEntries.length) {
      for (const r of rotationEntries) wanted.add(viewKey(r.view));
      if (!takeover) {
        rotation.entries = rotationEntries;
        rotate();
      }
    } else if (next?.view) {
      wanted.add(viewKey(next.view));
      if (!takeover) show(next.view);
    } else if (!takeover) {
      showMessage("wall.screen.noAssignment");
    }
    host.dataset.version = String(version);
    evict(wanted);
  }

  function showMessage(textKey, params) {
    const view = messageView("message", textKey, params);
    for (const key of [...cache.keys()]) destroyEntry(key);
    host.querySelectorAll(".wall-view").forEach((el) => el.remove());
    const wrapper = h("div", { class: "wall-view" }, view.element);
    host.append(wrapper);
    current = { view: null, built: view, wrapper };
    cache.set("message", current);
    host.dataset.view = "message";
    chrome.setTitle("");
    if (!firstRendered) {
      firstRendered = true;
      chrome.onFirstRender();
    }
  }

  function schedulePoll(ms) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(fetchAssignment, ms);
  }

  async function fetchAssignment() {
    clearTimeout(pollTimer);
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    try {
      const next = await wallGet(`/api/v1/walls/${encodeURIComponent(wall)}/screens/${encodeURIComponent(index)}`, { signal: mine.signal });
      if (controller !== mine) return;
      apply(next);
      schedulePoll(canListen && ctx.live.status === "live" ? POLL_MS : POLL_NO_LIVE_MS);
    } catch (error) {
      if (isAbort(error) || controller !== mine) return;
      if (error.status === 404) {
        assignment = null;
        assignmentKey = null;
        stopRotation();
        showMessage("wall.screen.notFound", { wall, index });
        host.dataset.version = "0";
        schedulePoll(RETRY_MISSING_MS);
      } else if (error.status === 401 || error.status === 403) {
        // Not a connection problem: say so (and how to fix it) instead of "connection lost".
        markRefused(true);
        if (!assignment) showMessage("wall.screen.unauthorized");
        schedulePoll(RETRY_MISSING_MS);
      } else {
        // Network or server trouble: keep showing what we have; the offline banner says why.
        if (!assignment && !firstRendered) showMessage("wall.screen.waiting");
        schedulePoll(RETRY_MS);
      }
    } finally {
      if (controller === mine) controller = null;
    }
  }

  let refetchTimer = null;
  function refetchSoon() {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(fetchAssignment, 150); // coalesce a burst of wall events
  }

  if (canListen) {
    ctx.live.subscribe(topic, (data) => {
      if (data?.type === "wall.changed") refetchSoon();
      else if (data?.type === "screen.changed" && String(data.index) === String(index)) {
        if (!assignment || data.version == null || Number(data.version) !== Number(assignment.version)) refetchSoon();
      }
    });
  }
  // A view that learnt its title later (its data arrived): the header follows when it is the one shown.
  host.addEventListener("wall:titlechange", (event) => {
    if (current?.view && current.wrapper.contains(event.target)) chrome.setTitle(viewTitle(current.view, current.built));
  });
  ctx.live.onResync(() => refetchSoon());
  ctx.live.onStatus((status) => {
    if (status === "live") schedulePoll(POLL_MS);
  });

  fetchAssignment();

  return {
    languageChanged() {
      chrome.setScreenTag(t("wall.screen.tag", { wall: assignment?.wallName || wall, index }));
      chrome.setTakeover(assignment?.takeover?.view ? (assignment.takeover.by || t("wall.screen.operator")) : null);
      for (const entry of cache.values()) entry.built.languageChanged();
      if (current) chrome.setTitle(viewTitle(current.view, current.built));
    },
    refreshTitle() {
      if (current?.view) chrome.setTitle(viewTitle(current.view, current.built));
    },
  };
}
