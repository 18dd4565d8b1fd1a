// Warnings and broadcast (Cảnh báo, truyền thanh, #/warnings): the warnings with their approval flow (operators draft
// and submit, leaders approve — which publishes — or return with a reason, cancel, update), the alert rules with their
// editor and a trial on stored data, the CAP alerts received from outside and the loudspeaker clusters.
// State lives in the hash (#/warnings/{tab}?id=…&rule=…) so that a view can be shared or reloaded.
// This module is the page: the tabs, the shared look-ups (levels, hazards, communes, boundaries) and the hash; the
// tabs are built by warnings-{alerts,rules,feeds}.js (the draft form by warnings-form.js).
// Test hooks (data-testid): warn-tab-<tab>, warn-panel-<tab>, warn-refresh, and those of the tabs.
import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { loadBoundaries } from "../units.js";
import { LiveConnection } from "../wall/live.js";
import {
  AUTHOR_ROLES, FALLBACK_LEVELS, ROUTE, STATUSES, TABS, WARNINGS, ensureStylesheet, setChildren,
} from "./warnings-common.js";
import * as alertsTab from "./warnings-alerts.js";
import * as rulesTab from "./warnings-rules.js";
import * as feedsTab from "./warnings-feeds.js";

const ID = /^[A-Za-z0-9._:-]{1,100}$/;

function readLocation() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const tab = path.split("/")[1];
  const params = new URLSearchParams(query);
  const id = (name) => (ID.test(params.get(name) || "") ? params.get(name) : "");
  const status = params.get("status") || "";
  return { tab: TABS.includes(tab) ? tab : TABS[0], id: id("id"), rule: id("rule"), status: STATUSES.includes(status) ? status : "" };
}

function liveURL() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/live`;
}

export function mount(root, { settings, user }) {
  ensureStylesheet("/css/warnings.css");
  const state = readLocation();
  let removed = false;
  const role = user?.role;

  // ---- Look-ups shared by the tabs (each fetched once) ----

  const lookups = { levels: FALLBACK_LEVELS, hazards: [], units: [], boundaries: null };
  const once = {};
  function need(name) {
    once[name] ??= ({
      levels: () => api.get(`${WARNINGS}/levels`).then((list) => {
        if (Array.isArray(list) && list.length) lookups.levels = list;
      }),
      hazards: () => api.get(`${WARNINGS}/hazards`).then((list) => {
        lookups.hazards = Array.isArray(list) ? list : [];
      }),
      units: () => api.get(`/api/v1/units?province=${encodeURIComponent(settings?.province?.code || "")}&level=commune`).then((list) => {
        lookups.units = Array.isArray(list?.items) ? list.items : [];
      }),
      boundaries: () => (settings?.province?.code ? loadBoundaries(settings.province.code) : Promise.resolve(null)).then((collection) => {
        lookups.boundaries = collection;
      }),
    })[name]().catch((error) => {
      delete once[name]; // try again next time
      throw error;
    });
    return once[name];
  }

  // ---- Location ----

  function writeLocation() {
    if (removed) return;
    const params = new URLSearchParams();
    if (state.tab === "alerts") {
      if (state.id) params.set("id", state.id);
      if (state.status) params.set("status", state.status);
    }
    if (state.tab === "rules" && state.rule) params.set("rule", state.rule);
    const query = params.toString();
    const hash = `#/${ROUTE}/${state.tab}${query ? `?${query}` : ""}`;
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
  }

  // ---- Skeleton ----

  const heading = h("h1", {});
  const intro = h("p", { class: "page-intro" });
  const publicLink = h("a", { class: "btn btn-secondary", href: "/canh-bao.html", target: "_blank", rel: "noopener", "data-testid": "warn-public-link" });
  const refreshButton = h("button", { type: "button", class: "btn btn-secondary", "data-testid": "warn-refresh", onclick: () => pages[state.tab].load(true) });
  const header = h("header", { class: "page-header" },
    h("div", { class: "page-heading" }, heading, intro),
    h("div", { class: "page-tools" }, publicLink, refreshButton));
  const tabButtons = new Map();
  const panels = new Map();
  const tabList = h("div", { class: "ps-tabs warn-tabs", role: "tablist" });
  for (const tab of TABS) {
    const button = h("button", {
      type: "button", role: "tab", id: `warn-tab-${tab}`, class: "ps-tab", "aria-controls": `warn-panel-${tab}`, "data-testid": `warn-tab-${tab}`,
      onclick: () => selectTab(tab), onkeydown: (event) => tabKey(event, tab),
    });
    tabButtons.set(tab, button);
    tabList.append(button);
    panels.set(tab, h("section", { class: "ps-panel warn-panel", id: `warn-panel-${tab}`, role: "tabpanel", "aria-labelledby": `warn-tab-${tab}`, "data-testid": `warn-panel-${tab}` }));
  }
  root.append(header, tabList, ...panels.values());

  function tabKey(event, tab) {
    const index = TABS.indexOf(tab);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = TABS[(next + TABS.length) % TABS.length];
    selectTab(target);
    tabButtons.get(target).focus();
  }

  function selectTab(tab) {
    if (!TABS.includes(tab)) return;
    state.tab = tab;
    writeLocation();
    renderTabs();
    pages[tab].load(false);
  }

  function renderHeader() {
    heading.textContent = t("nav.warnings");
    intro.textContent = t("warn.intro");
    setChildren(publicLink, h("span", {}, t("warn.publicPage")));
    setChildren(refreshButton, icon("refresh"), h("span", {}, t("table.refresh")));
  }

  function renderTabs() {
    for (const [tab, button] of tabButtons) {
      const selected = tab === state.tab;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      const count = pages[tab]?.badge?.();
      setChildren(button, h("span", {}, t(`warn.tab.${tab}`)),
        count ? h("span", { class: `ps-tab-count ${count.bad ? "is-bad" : ""}`, title: count.title || null }, count.text) : null);
      panels.get(tab).hidden = !selected;
    }
  }

  // ---- Tabs ----

  const w = {
    root, settings, user, role, state, panels, lookups, need, writeLocation, renderTabs, selectTab,
    canAuthor: AUTHOR_ROLES.has(role),
    get removed() {
      return removed;
    },
  };
  const pages = {};
  pages.alerts = alertsTab.create(w);
  pages.rules = rulesTab.create(w);
  pages.cap = feedsTab.createCap(w);
  pages.speakers = feedsTab.createSpeakers(w);

  // ---- Live (when the server names a topic for warnings) ----

  let live = null;
  let liveTimer = null;
  const topic = settings?.liveTopics?.warnings;
  if (typeof topic === "string" && topic) {
    live = new LiveConnection(liveURL);
    const refresh = () => {
      clearTimeout(liveTimer);
      liveTimer = setTimeout(() => {
        if (removed) return;
        pages.alerts.load(true, { quiet: true });
        if (state.tab !== "alerts") pages[state.tab].load(true, { quiet: true });
      }, 1000);
    };
    live.subscribe(topic, refresh);
    live.onResync(refresh);
    live.start();
  }

  renderHeader();
  renderTabs();
  writeLocation();
  pages[state.tab].load(false);
  // The count of warnings waiting for approval is useful from any tab.
  if (state.tab !== "alerts") pages.alerts.load(false, { quiet: true });

  return {
    unmount() {
      removed = true;
      clearTimeout(liveTimer);
      live?.stop();
      for (const page of Object.values(pages)) page.unmount?.();
      document.getElementById("warn-dialog")?.remove();
    },
    languageChanged() {
      renderHeader();
      renderTabs();
      for (const page of Object.values(pages)) page.relabel();
    },
  };
}
