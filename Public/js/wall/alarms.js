// Alarms on the wall: one store per page (open alarms, live from the topic `alarms`), the overview's alarm panel,
// the kiosk view kind "alarms" (read-only, large) and the detail drawer of the overview (#alarm/<code>) with the
// timeline and, for a signed-in operator, the actions.
// A wall runs for weeks: the store keeps at most ALARM_MAX alarms, the panels render at most ROWS_MAX rows.
// Test hooks: `#wall-alarms li[data-code][data-state][data-severity]`, `#wall-alarm-detail[data-code][data-state]`.
import { errorMessage } from "../api.js";
import { h } from "../dom.js";
import { formatNumber, localized, t } from "../i18n.js";
import {
  ageText, alarmFacts, alarmTimeline, compareAlarms, createAlarmActions, isAlarmCode, refName,
  refreshAlarmAges, repeatBadge, severityBadge, severityOf, stateBadge, stateOf,
} from "../alarms-ui.js";
import { liveTopic } from "../settings.js";
import { serverNow } from "./format.js";
import { emitter } from "./store.js";
import { hasDisplayKey, isAbort, wallGet } from "./wall-api.js";

export const ALARM_MAX = 200;
const ROWS_MAX = 50;
const POLL_MS = 60_000;
const RETRY_MS = 30_000;
const COUNTS_MIN_GAP_MS = 5_000;
const AGE_TICK_MS = 15_000;
const DETAIL_DEBOUNCE_MS = 250;

/**
 * The open alarms (active + acknowledged), most urgent first, at most ALARM_MAX. A live `alarms` event updates its
 * alarm at once (a cleared one leaves the list); the counts come back from the server shortly after (throttled).
 * Emits ("reset") after a fetch, ("change", alarm, { raised }) after a live event. `settings`: the UI settings (the
 * live topic's name).
 */
export function createAlarmStore(live, { settings, onUnauthorized } = {}) {
  const changed = emitter();
  const store = { items: [], counts: null, error: null, loaded: false, on: changed.on, reload, upsert, get };
  let controller = null;
  let timer = null;
  let lastFetch = 0;

  function get(code) {
    return store.items.find((alarm) => alarm.code === code) || null;
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(reload, ms);
  }

  async function reload() {
    clearTimeout(timer);
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    lastFetch = Date.now();
    try {
      const data = await wallGet(`/api/v1/alarms?state=open&limit=${ALARM_MAX}`, { signal: mine.signal });
      if (controller !== mine) return;
      store.items = (Array.isArray(data?.items) ? data.items : [])
        .filter((alarm) => alarm?.code && stateOf(alarm) !== "cleared")
        .sort(compareAlarms)
        .slice(0, ALARM_MAX);
      store.counts = data?.counts && typeof data.counts === "object" ? data.counts : null;
      store.error = null;
      store.loaded = true;
      schedule(POLL_MS);
    } catch (error) {
      if (isAbort(error) || controller !== mine) return;
      store.error = error;
      if (error.status === 401) onUnauthorized?.(error);
      schedule(RETRY_MS);
    } finally {
      if (controller === mine) controller = null;
    }
    changed.emit("reset");
  }

  /** A fresher copy of one alarm (a live event, or an action's answer). */
  function upsert(alarm, { raised = false } = {}) {
    if (!alarm?.code) return;
    const index = store.items.findIndex((item) => item.code === alarm.code);
    const before = index >= 0 ? store.items[index] : null;
    // A replayed (older) copy never overwrites a newer one.
    if (before && Date.parse(alarm.updatedAt) < Date.parse(before.updatedAt)) return;
    const merged = before ? { ...before, ...alarm } : { ...alarm };
    adjustCounts(before, merged);
    if (index >= 0) store.items.splice(index, 1);
    if (stateOf(merged) !== "cleared") {
      store.items.push(merged);
      store.items.sort(compareAlarms);
      if (store.items.length > ALARM_MAX) store.items.length = ALARM_MAX;
    }
    changed.emit("change", merged, { raised: raised && index < 0 });
  }

  /** Moves the counts along with one alarm's change at once; the next fetch brings the server's exact figures. */
  function adjustCounts(before, after) {
    const counts = store.counts;
    if (!counts) return;
    const open = (alarm) => alarm && stateOf(alarm) !== "cleared";
    const bump = (key, by) => {
      if (typeof counts[key] === "number") counts[key] = Math.max(0, counts[key] + by);
    };
    if (open(before)) {
      bump(stateOf(before), -1);
      if (severityOf(before) === "critical") bump("critical", -1);
    }
    if (open(after)) {
      bump(stateOf(after), 1);
      if (severityOf(after) === "critical") bump("critical", 1);
    } else if (open(before)) {
      bump("clearedToday", 1);
    }
  }

  /** The counts (and anything missed) again, at most every COUNTS_MIN_GAP_MS. */
  function refreshSoon() {
    if (controller) return;
    schedule(Math.max(500, COUNTS_MIN_GAP_MS - (Date.now() - lastFetch)));
  }

  live.subscribe(liveTopic(settings, "alarms"), (data) => {
    const alarm = data?.alarm;
    if (!alarm || typeof alarm !== "object") return;
    upsert(alarm, { raised: data.type === "alarm.raised" });
    refreshSoon();
  });
  live.onResync(() => refreshSoon());
  reload();
  return store;
}

// ---- rows ----

function alarmRow(alarm, { interactive, fresh, large }) {
  const severity = severityOf(alarm);
  const state = stateOf(alarm);
  const title = localized(alarm.title) || alarm.kind || alarm.code;
  const meta = [
    h("span", { class: "wall-alarm-code" }, alarm.code),
    alarm.place ? h("span", { class: "wall-alarm-place" }, alarm.place) : null,
    repeatBadge(alarm),
    stateBadge(alarm),
    state === "acknowledged" && alarm.acknowledgedBy ? h("span", { class: "wall-alarm-ack" }, t("alarms.ackBy", { by: alarm.acknowledgedBy })) : null,
    alarm.agency ? h("span", { class: "wall-alarm-agency" }, t("alarms.assignedTo", { agency: refName(alarm.agency) })) : null,
  ];
  const body = [
    h("span", { class: "wall-alarm-top" },
      severityBadge(alarm),
      h("span", { class: "wall-alarm-title" }, title),
      h("span", { class: "wall-alarm-age", dataset: { alarmAge: alarm.raisedAt || "" } }, ageText(alarm.raisedAt, serverNow()))),
    h("span", { class: "wall-alarm-meta" }, meta),
  ];
  return h("li", {
    class: `wall-alarm${fresh ? " is-new" : ""}${large ? " wall-alarm--large" : ""}`,
    dataset: { code: alarm.code, state, severity },
  },
  interactive
    ? h("a", { class: "wall-alarm-body", href: `#alarm/${encodeURIComponent(alarm.code)}`, "aria-label": `${t("alarms.openDetail", { code: alarm.code })}: ${title}` }, body)
    : h("span", { class: "wall-alarm-body" }, body));
}

function countChips(store) {
  const counts = store.counts;
  const items = store.items;
  // The server's counts when we have them; else what the list says.
  const active = counts?.active ?? items.filter((a) => stateOf(a) === "active").length;
  const acknowledged = counts?.acknowledged ?? items.filter((a) => stateOf(a) === "acknowledged").length;
  const critical = counts?.critical ?? items.filter((a) => severityOf(a) === "critical").length;
  return [
    h("span", { class: "wall-alarm-chip", dataset: { kind: "active", zero: active ? "0" : "1" } }, t("alarms.counts.active", { count: formatNumber(active) })),
    critical ? h("span", { class: "wall-alarm-chip", dataset: { kind: "critical" } }, t("alarms.counts.critical", { count: formatNumber(critical) })) : null,
    h("span", { class: "wall-alarm-chip", dataset: { kind: "acknowledged", zero: acknowledged ? "0" : "1" } }, t("alarms.counts.acknowledged", { count: formatNumber(acknowledged) })),
  ];
}

/**
 * The alarm list of the overview (or, with `large`, the kiosk view kind "alarms").
 * `interactive`: each alarm is a link to its detail (#alarm/<code>); kiosks are read-only.
 * → { element, languageChanged(), destroy() }
 */
export function createAlarmPanel(store, { interactive = false, large = false, listId = "wall-alarms" } = {}) {
  const heading = h("h2", { class: "wall-panel-title", id: `${listId}-title` });
  const counts = h("p", { class: "wall-alarm-counts", "aria-label": t("alarms.counts.label") });
  const list = h("ul", { class: "wall-alarm-list", id: listId, "aria-live": "polite", "aria-relevant": "additions" });
  const message = h("p", { class: "wall-alarm-message" });
  const more = h("p", { class: "wall-alarm-more" });
  const element = h("section", {
    class: `wall-alarms${large ? " wall-alarms--large" : ""}${interactive ? " is-interactive" : ""}`, "aria-labelledby": heading.id, dataset: { count: "0" },
  }, h("header", { class: "wall-alarms-head" }, heading, counts), list, message, more);
  const fresh = new Set(); // codes raised live since the last render, flashed once

  function render() {
    heading.textContent = t("alarms.panelTitle");
    counts.setAttribute("aria-label", t("alarms.counts.label"));
    counts.replaceChildren(...countChips(store).filter(Boolean));
    const items = store.items.slice(0, ROWS_MAX);
    list.replaceChildren(...items.map((alarm) => alarmRow(alarm, { interactive, fresh: fresh.has(alarm.code), large })));
    fresh.clear();
    element.dataset.count = String(store.items.length);
    element.dataset.loaded = store.loaded ? "1" : "0";
    element.dataset.active = String(store.items.some((a) => stateOf(a) === "active") ? 1 : 0);
    const hidden = store.items.length - items.length;
    more.hidden = hidden <= 0;
    more.textContent = hidden > 0 ? t(hidden === 1 ? "wall.alarms.moreOne" : "wall.alarms.more", { count: formatNumber(hidden) }) : "";
    if (store.items.length) {
      message.hidden = true;
    } else {
      message.hidden = false;
      message.classList.toggle("is-error", Boolean(store.error));
      message.textContent = store.error ? `${t("alarms.loadFailed")} ${errorMessage(store.error)}` : store.loaded ? t("alarms.emptyOpen") : t("wall.loading");
    }
  }

  const off = store.on((kind, alarm, info) => {
    if (kind === "change" && info?.raised) fresh.add(alarm.code);
    render();
  });
  const ticker = setInterval(() => refreshAlarmAges(list, serverNow()), AGE_TICK_MS);
  render();
  return {
    element,
    languageChanged: render,
    destroy() {
      off();
      clearInterval(ticker);
    },
  };
}

/** The kiosk view kind "alarms": the open alarms on a whole screen, read-only. */
export function alarmsView(ctx) {
  const panel = createAlarmPanel(ctx.alarmStore(), { interactive: false, large: true, listId: "wall-alarms" });
  const element = h("div", { class: "wall-alarmsview" }, panel.element);
  const noop = () => {};
  return { element, kind: "alarms", show: noop, hide: noop, languageChanged: panel.languageChanged, destroy: panel.destroy };
}

/**
 * The detail of one alarm over the overview (route #alarm/<code>): facts, actions (a signed-in user whose `actions`
 * allow them; never with a display key), timeline. `onClose()` leaves the route.
 * → { element, focus(), languageChanged(), destroy() }
 */
export function createAlarmDrawer(ctx, code, { onClose } = {}) {
  const store = ctx.alarmStore();
  const titleEl = h("h2", { class: "wall-drawer-title", id: "wall-alarm-detail-title", tabindex: "-1" });
  const closeButton = h("button", { type: "button", class: "wall-drawer-close", id: "wall-alarm-close", onclick: () => onClose?.() }, "×");
  const body = h("div", { class: "wall-drawer-body" });
  const element = h("aside", {
    class: "wall-drawer", id: "wall-alarm-detail", role: "dialog", "aria-modal": "false", "aria-labelledby": titleEl.id,
    dataset: { code, state: "", ready: "0" },
  }, h("header", { class: "wall-drawer-head" }, titleEl, closeButton), body);
  const canAct = !hasDisplayKey();
  const actions = canAct ? createAlarmActions({ idPrefix: "wall-alarm", onDone: (alarm) => accept(alarm) }) : null;
  const factsBox = h("div", { class: "wall-drawer-facts" });
  const timelineBox = h("div", { class: "wall-drawer-timeline" });
  const errorBox = h("p", { class: "wall-panel-message is-error", role: "alert", hidden: true });
  let data = null;
  let error = null;
  let controller = null;
  let destroyed = false;
  let refetchTimer = null;
  let ownChange = false; // our own upsert below: its answer already has the timeline

  if (!isAlarmCode(code)) error = { notFound: true };

  function accept(alarm) {
    if (!alarm?.code || alarm.code !== code) return;
    // An action's answer or a fetch: keep `actions` and `timeline` when a live copy lacks them.
    data = { ...data, ...alarm };
    ownChange = true;
    store.upsert(alarm);
    ownChange = false;
    render();
  }

  async function load() {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    try {
      const answer = await wallGet(`/api/v1/alarms/${encodeURIComponent(code)}`, { signal: mine.signal });
      if (controller !== mine || destroyed) return;
      error = null;
      data = answer;
      render();
    } catch (caught) {
      if (isAbort(caught) || controller !== mine || destroyed) return;
      error = caught;
      render();
    } finally {
      if (controller === mine) controller = null;
    }
  }

  function render() {
    closeButton.setAttribute("aria-label", t("alarms.close"));
    closeButton.title = t("alarms.close");
    if (!data) {
      titleEl.textContent = code;
      const text = error ? (error.notFound || error.status === 404 ? t("alarms.notFound", { code }) : errorMessage(error)) : t("wall.loading");
      body.replaceChildren(h("p", { class: `wall-panel-message${error ? " is-error" : ""}` }, text));
      return;
    }
    element.dataset.state = stateOf(data);
    element.dataset.severity = severityOf(data);
    element.dataset.ready = "1";
    titleEl.replaceChildren(h("span", { class: "wall-drawer-code" }, data.code || code), " ", localized(data.title) || data.kind || "");
    errorBox.hidden = !error;
    errorBox.textContent = error ? errorMessage(error) : "";
    factsBox.replaceChildren(alarmFacts(data), data.description ? h("p", { class: "wall-drawer-description" }, data.description) : "");
    timelineBox.replaceChildren(alarmTimeline(data));
    actions?.update(data);
    if (!body.contains(factsBox)) body.replaceChildren(...[errorBox, factsBox, actions?.element, timelineBox].filter(Boolean));
  }

  const off = store.on((kind, alarm) => {
    if (kind !== "change" || alarm?.code !== code || ownChange) return;
    // A live change of this alarm: refetch for its timeline (and this caller's actions).
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(load, DETAIL_DEBOUNCE_MS);
  });
  const onKey = (event) => {
    if (event.key === "Escape" && element.contains(document.activeElement)) onClose?.();
  };
  document.addEventListener("keydown", onKey);

  render();
  if (!error) load();
  return {
    element,
    focus: () => titleEl.focus({ preventScroll: true }),
    languageChanged() {
      render();
      actions?.languageChanged();
    },
    destroy() {
      destroyed = true;
      off();
      clearTimeout(refetchTimer);
      controller?.abort();
      document.removeEventListener("keydown", onKey);
    },
  };
}
