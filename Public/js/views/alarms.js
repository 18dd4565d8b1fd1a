// Alarms (#/alarms[/<code>][?state=open|active|acknowledged|cleared|all]): the list by state, and one alarm's detail
// beside it — facts, the actions the server allows this user (acknowledge, assign, comment, clear) and the timeline.
// Live: the `alarms` topic refreshes the list (debounced) and the open detail. The hash is kept up to date with
// replaceState (the router remounts a page on hashchange).
// Test hooks: `#alarms-table tr[data-code]`, `#alarms-detail[data-code][data-state]`, `#alarms-filter button[data-state]`.
import { api, errorMessage } from "../api.js";
import { h, icon } from "../dom.js";
import { formatDateTime, formatNumber, localized, t } from "../i18n.js";
import { liveTopic } from "../settings.js";
import { LiveConnection } from "../wall/live.js";
import {
  ageText, alarmFacts, alarmTimeline, createAlarmActions, FILTERS, isAlarmCode, refName,
  refreshAlarmAges, repeatBadge, severityBadge, severityOf, stateBadge, stateOf,
} from "../alarms-ui.js";

const ROUTE = "alarms";
const LIST_LIMIT = 200;
const LIVE_DEBOUNCE_MS = 400;
const AGE_TICK_MS = 30_000;

function readLocation() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [, code = ""] = path.split("/");
  const state = new URLSearchParams(query).get("state");
  let decoded = "";
  try {
    decoded = decodeURIComponent(code);
  } catch {
    decoded = "";
  }
  return { code: isAlarmCode(decoded) ? decoded : "", state: FILTERS.includes(state) ? state : "open" };
}

function liveURL() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/live`;
}

export function mount(root, { settings }) {
  const selection = readLocation();
  let list = null; // { items, counts }
  let listError = null;
  let detail = null;
  let detailError = null;
  let removed = false;
  let listSeq = 0;
  let detailSeq = 0;
  let liveTimer = null;

  // ---- skeleton ----

  const refreshButton = h("button", { type: "button", class: "btn btn-secondary", id: "alarms-refresh", onclick: () => refresh() },
    icon("refresh"), h("span", {}, t("alarms.refresh")));
  const header = h("header", { class: "page-header" },
    h("div", { class: "page-heading" }, h("h1", {}, t("alarms.title")), h("p", { class: "page-intro" }, t("alarms.intro"))),
    h("div", { class: "page-tools" }, refreshButton));
  const counts = h("p", { class: "alarms-counts", id: "alarms-counts", "aria-label": t("alarms.counts.label") });
  const filter = h("div", { class: "alarms-filter", id: "alarms-filter", role: "group", "aria-label": t("alarms.filter.label") });
  const listArea = h("div", { class: "alarms-list", id: "alarms-list" });
  const panel = h("aside", { class: "alarms-panel card", id: "alarms-detail", "aria-labelledby": "alarms-detail-title", hidden: true });
  const layout = h("div", { class: "alarms-layout" }, listArea, panel);
  root.append(header, h("div", { class: "alarms-bar" }, filter, counts), layout);

  const actions = createAlarmActions({
    idPrefix: "alarms-action",
    onDone: (alarm) => {
      if (alarm?.code === selection.code) {
        detail = alarm;
        renderPanel();
      }
      loadList();
    },
  });

  function writeLocation() {
    if (removed) return;
    const path = selection.code ? `#/${ROUTE}/${encodeURIComponent(selection.code)}` : `#/${ROUTE}`;
    const hash = selection.state === "open" ? path : `${path}?state=${selection.state}`;
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
  }

  // ---- loading ----

  async function loadList() {
    const mine = ++listSeq;
    refreshButton.disabled = true;
    try {
      const data = await api.get(`/api/v1/alarms?state=${encodeURIComponent(selection.state)}&limit=${LIST_LIMIT}`);
      if (removed || mine !== listSeq) return;
      list = { items: Array.isArray(data?.items) ? data.items.filter((a) => a?.code) : [], counts: data?.counts || null };
      listError = null;
    } catch (error) {
      if (removed || mine !== listSeq) return;
      listError = error;
    }
    refreshButton.disabled = false;
    renderCounts();
    renderList();
  }

  async function loadDetail() {
    const code = selection.code;
    const mine = ++detailSeq;
    if (!code) {
      detail = null;
      renderPanel();
      return;
    }
    try {
      const data = await api.get(`/api/v1/alarms/${encodeURIComponent(code)}`);
      if (removed || mine !== detailSeq) return;
      detail = data;
      detailError = null;
    } catch (error) {
      if (removed || mine !== detailSeq) return;
      detailError = error;
      if (detail?.code !== code) detail = null;
    }
    renderPanel();
  }

  function refresh() {
    loadList();
    loadDetail();
  }

  // ---- rendering ----

  function renderFilter() {
    filter.setAttribute("aria-label", t("alarms.filter.label"));
    filter.replaceChildren(...FILTERS.map((state) => h("button", {
      type: "button", class: "alarms-filter-btn", dataset: { state }, "aria-pressed": String(state === selection.state),
      onclick: () => {
        if (state === selection.state) return;
        selection.state = state;
        list = null;
        writeLocation();
        renderFilter();
        renderList();
        loadList();
      },
    }, t(`alarms.filter.${state}`))));
  }

  function renderCounts() {
    const c = list?.counts;
    if (!c) {
      counts.replaceChildren();
      return;
    }
    const chip = (key) => h("span", { class: "alarms-chip", dataset: { kind: key, zero: Number(c[key]) ? "0" : "1" } },
      t(`alarms.counts.${key}`, { count: formatNumber(Number(c[key]) || 0) }));
    counts.replaceChildren(chip("active"), chip("critical"), chip("acknowledged"), chip("clearedToday"));
  }

  function select(code) {
    selection.code = code;
    detail = list?.items.find((a) => a.code === code) || null; // shown at once, completed by the fetch
    detailError = null;
    writeLocation();
    renderList();
    renderPanel();
    loadDetail();
    document.getElementById("alarms-detail-title")?.focus({ preventScroll: true });
  }

  /** Who moved the alarm to its state: who cleared it, else who acknowledged it. */
  function stateBy(alarm) {
    const cleared = stateOf(alarm) === "cleared" && alarm.clearedBy;
    const by = cleared ? alarm.clearedBy : stateOf(alarm) !== "active" ? alarm.acknowledgedBy : null;
    return by ? h("span", { class: "alarms-by muted", title: t(cleared ? "alarms.fact.cleared" : "alarms.col.acknowledged") }, by) : null;
  }

  function renderList() {
    if (!list) {
      listArea.replaceChildren(listError
        ? h("div", { class: "alert alert-error", role: "alert" }, `${t("alarms.loadFailed")} ${errorMessage(listError)}`)
        : h("p", { class: "muted", role: "status" }, t("app.loading")));
      return;
    }
    const now = Date.now();
    const head = ["code", "title", "state", "raised", "agency"];
    const rows = list.items.map((alarm) => {
      const selected = alarm.code === selection.code;
      return h("tr", {
        class: selected ? "is-selected" : null,
        dataset: { code: alarm.code, state: stateOf(alarm), severity: severityOf(alarm) },
        onclick: (event) => {
          if (event.target.closest("button, a")) return;
          select(alarm.code);
        },
      },
      h("td", { class: "col-code" }, severityBadge(alarm), h("button", {
        type: "button", class: "alarms-open mono", "aria-pressed": String(selected),
        "aria-label": t("alarms.openDetail", { code: alarm.code }), onclick: () => select(alarm.code),
      }, alarm.code)),
      h("td", { class: "alarms-title-cell" },
        h("span", { class: "alarms-title" }, localized(alarm.title) || alarm.kind || ""),
        alarm.place ? h("span", { class: "alarms-place muted" }, alarm.place) : null),
      h("td", { class: "alarms-state-cell" }, stateBadge(alarm), " ", repeatBadge(alarm), stateBy(alarm)),
      h("td", { class: "alarms-time" },
        h("time", { datetime: alarm.raisedAt || "" }, formatDateTime(alarm.raisedAt)),
        h("span", { class: "muted alarms-age", dataset: { alarmAge: alarm.raisedAt || "" } }, ageText(alarm.raisedAt, now))),
      h("td", {}, refName(alarm.agency) || h("span", { class: "muted" }, "–")));
    });
    const table = h("table", { class: "data-table alarms-table", id: "alarms-table" },
      h("caption", { class: "visually-hidden" }, t("alarms.listLabel")),
      h("thead", {}, h("tr", {}, head.map((key) => h("th", { scope: "col" }, t(`alarms.col.${key}`))))),
      h("tbody", {}, rows.length ? rows : h("tr", { class: "empty-row" },
        h("td", { colspan: String(head.length) }, t(selection.state === "open" ? "alarms.emptyOpen" : "alarms.empty")))));
    listArea.replaceChildren(...[
      listError ? h("div", { class: "alert alert-error", role: "alert" }, `${t("alarms.loadFailed")} ${errorMessage(listError)}`) : null,
      h("p", { class: "table-summary" }, t(list.items.length === 1 ? "alarms.shownOne" : "alarms.shown", { count: formatNumber(list.items.length) })),
      h("div", { class: "table-wrap" }, table),
    ].filter(Boolean));
  }

  // Stable parts of the panel: a live refresh updates them in place, so that typing in the note is never disturbed.
  const panelTitle = h("h2", { class: "card-title", id: "alarms-detail-title", tabindex: "-1" });
  const panelClose = h("button", {
    type: "button", class: "icon-button alarms-close", id: "alarms-detail-close",
    onclick: () => {
      const code = selection.code;
      selection.code = "";
      detail = null;
      writeLocation();
      renderList();
      renderPanel();
      document.querySelector(`#alarms-table tr[data-code="${CSS.escape(code)}"] .alarms-open`)?.focus();
    },
  }, icon("close"));
  const panelError = h("div", { class: "alert alert-error", role: "alert", hidden: true });
  const panelFacts = h("div", { class: "alarms-facts" });
  const panelTimeline = h("div", { class: "alarms-timeline" });
  panel.append(h("div", { class: "alarms-panel-head" }, panelTitle, panelClose), panelError, panelFacts, actions.element, panelTimeline);

  function renderPanel() {
    if (!selection.code) {
      panel.hidden = true;
      layout.classList.remove("has-panel");
      return;
    }
    panel.hidden = false;
    layout.classList.add("has-panel");
    panel.dataset.code = selection.code;
    panel.dataset.state = detail ? stateOf(detail) : "";
    panelClose.title = t("alarms.close");
    panelClose.setAttribute("aria-label", t("alarms.close"));
    panelTitle.replaceChildren(h("span", { class: "mono alarms-detail-code" }, selection.code), " ",
      detail ? localized(detail.title) || detail.kind || "" : "");
    panelError.hidden = !detailError;
    panelError.textContent = detailError
      ? (detailError.status === 404 ? t("alarms.notFound", { code: selection.code }) : errorMessage(detailError))
      : "";
    if (detail) {
      panelFacts.replaceChildren(alarmFacts(detail), detail.description ? h("p", { class: "alarms-description" }, detail.description) : "");
      actions.update(Array.isArray(detail.actions) ? detail : { ...detail, actions: [] });
      panelTimeline.replaceChildren(alarmTimeline(detail));
    } else {
      panelFacts.replaceChildren(detailError ? "" : h("p", { class: "muted", role: "status" }, t("app.loading")));
      actions.update(null);
      panelTimeline.replaceChildren();
    }
  }

  // ---- live ----

  const live = new LiveConnection(liveURL);
  live.subscribe(liveTopic(settings, "alarms"), (data) => {
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => {
      loadList();
      if (selection.code && data?.alarm?.code === selection.code) loadDetail();
    }, LIVE_DEBOUNCE_MS);
  });
  live.onResync(() => refresh());
  live.start();
  const ticker = setInterval(() => refreshAlarmAges(listArea), AGE_TICK_MS);

  renderFilter();
  renderList();
  renderPanel();
  writeLocation();
  refresh();

  return {
    languageChanged() {
      header.querySelector("h1").textContent = t("alarms.title");
      header.querySelector(".page-intro").textContent = t("alarms.intro");
      refreshButton.querySelector("span").textContent = t("alarms.refresh");
      counts.setAttribute("aria-label", t("alarms.counts.label"));
      actions.languageChanged();
      renderFilter();
      renderCounts();
      renderList();
      renderPanel();
    },
    unmount() {
      removed = true;
      clearTimeout(liveTimer);
      clearInterval(ticker);
      live.stop();
    },
  };
}
