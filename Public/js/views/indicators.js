// Socio-economic indicators (Chỉ tiêu KT-XH): the leaders' overview by group with one indicator's detail, the monthly
// report, the officers' entry form, the approval queue and the freshness of each agency's figures.
// State lives in the hash (#/indicators/{tab}?group=…&code=…&month=…&asOf=…&agency=…) so that a view can be shared.
// This module is the page: the tabs, the catalogue, the hash, the loading helpers and the live topic shared by the
// sub-pages, which are built by indicators-{overview,detail,report,entry,approvals,freshness,catalogue}.js.
// Test hooks: `#ind-tab-<tab>`, and those of the sub-pages.
import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import { LiveConnection } from "../wall/live.js";
import {
  BASE, ROUTE, TABS, TAB_ROLES, currentMonth, ensureStylesheet, setChildren, shiftMonth, validMonth,
} from "./indicators-common.js";
import * as overviewPage from "./indicators-overview.js";
import * as reportPage from "./indicators-report.js";
import * as entryPage from "./indicators-entry.js";
import * as approvalsPage from "./indicators-approvals.js";
import * as freshnessPage from "./indicators-freshness.js";
import * as cataloguePage from "./indicators-catalogue.js";

const LIVE_DEBOUNCE_MS = 400;
const CODE = /^[A-Za-z0-9._-]{1,64}$/;

function readLocation(tabs) {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const tab = path.split("/")[1];
  const params = new URLSearchParams(query);
  const code = (name) => (CODE.test(params.get(name) || "") ? params.get(name) : "");
  const asOf = params.get("asOf") || "";
  return {
    tab: tabs.includes(tab) ? tab : tabs[0],
    group: code("group"),
    code: code("code"),
    // The monthly report is of the last month (the current one has no figures yet), as the server's default.
    month: validMonth(params.get("month")) || shiftMonth(currentMonth(), -1),
    reportGroup: code("reportGroup"),
    asOf: /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? asOf : "",
    agency: code("agency"),
  };
}

function liveURL() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/live`;
}

export function mount(root, { settings, user }) {
  ensureStylesheet("/css/indicators.css");
  const tabs = TABS.filter((tab) => !TAB_ROLES[tab] || TAB_ROLES[tab].has(user?.role));
  const state = readLocation(tabs);
  const pages = {}; // tab → sub-page, built below
  let removed = false;

  // ---- The catalogue (groups and indicators), once ----

  const catalogue = { data: null, error: null };
  const fetchCatalogue = () => api.get(BASE).then((data) => {
    catalogue.error = null;
    catalogue.data = {
      groups: Array.isArray(data?.groups) ? data.groups : [],
      indicators: Array.isArray(data?.indicators) ? data.indicators : [],
    };
  }).catch((error) => {
    catalogue.error = error;
    catalogue.data ??= { groups: [], indicators: [] };
  });
  const catalogueReady = fetchCatalogue();
  /**
   * Reads the catalogue again (it was imported or redefined) and, when it changed, re-renders every sub-page with it
   * (an unchanged catalogue leaves the pages alone: a form being filled in keeps its focus).
   */
  async function reloadCatalogue() {
    const before = JSON.stringify(catalogue.data);
    await fetchCatalogue();
    if (removed || JSON.stringify(catalogue.data) === before) return;
    for (const page of Object.values(pages)) page.relabel();
  }
  const indicatorByCode = (code) => catalogue.data?.indicators.find((indicator) => indicator.code === code) || null;
  const groupByCode = (code) => catalogue.data?.groups.find((group) => group.code === code) || null;

  // ---- Location ----

  function writeLocation() {
    if (removed) return;
    const params = new URLSearchParams();
    if (state.tab === "overview") {
      if (state.group) params.set("group", state.group);
      if (state.code) params.set("code", state.code);
      if (state.code && state.asOf) params.set("asOf", state.asOf);
    }
    if (state.tab === "report") {
      params.set("month", state.month);
      if (state.reportGroup) params.set("reportGroup", state.reportGroup);
    }
    if (state.tab === "entry" && state.agency) params.set("agency", state.agency);
    const query = params.toString();
    const hash = `#/${ROUTE}/${state.tab}${query ? `?${query}` : ""}`;
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
  }

  // ---- Loading with stale-answer protection ----

  function resource() {
    return { key: null, data: null, error: null, loading: false, seq: 0 };
  }

  async function fetchInto(res, key, loader, onDone, force = false) {
    if (!force && res.key === key && (res.data || res.loading)) return;
    const seq = ++res.seq;
    if (res.key !== key) res.data = null;
    res.key = key;
    res.loading = true;
    res.error = null;
    onDone();
    try {
      const data = await loader();
      if (removed || seq !== res.seq) return;
      res.data = data;
    } catch (error) {
      if (removed || seq !== res.seq) return;
      res.error = error;
      res.data = null;
    }
    res.loading = false;
    onDone();
  }

  // ---- Page skeleton ----

  const heading = h("h1", {});
  const intro = h("p", { class: "page-intro" });
  const refreshLabel = h("span", {});
  const refreshButton = h("button", { type: "button", class: "btn btn-secondary", id: "ind-refresh", onclick: () => loadTab(true) },
    icon("refresh"), refreshLabel);
  const header = h("header", { class: "page-header" },
    h("div", { class: "page-heading" }, heading, intro),
    h("div", { class: "page-tools" }, refreshButton));

  const tabButtons = new Map();
  const panels = new Map();
  const tabList = h("div", { class: "ps-tabs ind-tabs", role: "tablist" });
  for (const tab of tabs) {
    const button = h("button", {
      type: "button", role: "tab", id: `ind-tab-${tab}`, class: "ps-tab", "aria-controls": `ind-panel-${tab}`,
      onclick: () => selectTab(tab), onkeydown: (event) => tabKey(event, tab),
    });
    tabButtons.set(tab, button);
    tabList.append(button);
    panels.set(tab, h("section", { class: "ps-panel ind-panel", id: `ind-panel-${tab}`, role: "tabpanel", "aria-labelledby": `ind-tab-${tab}` }));
  }
  root.append(header, tabList, ...panels.values());

  function tabKey(event, tab) {
    const index = tabs.indexOf(tab);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length];
    selectTab(target);
    tabButtons.get(target).focus();
  }

  function selectTab(tab) {
    if (!tabs.includes(tab)) return;
    state.tab = tab;
    writeLocation();
    renderTabs();
    loadTab(false);
  }

  function renderHeader() {
    heading.textContent = t("indicators.title");
    intro.textContent = t("indicators.intro");
    refreshLabel.textContent = t("table.refresh");
  }

  function renderTabs() {
    for (const [tab, button] of tabButtons) {
      const selected = tab === state.tab;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      const count = tab === "approvals" ? pages.approvals?.count() : tab === "entry" ? pages.entry?.count() : null;
      const badge = typeof count === "number" && count > 0
        ? h("span", { class: `ps-tab-count${tab === "approvals" ? " is-bad" : ""}` }, formatNumber(count))
        : null;
      setChildren(button, h("span", {}, t(`indicators.tab.${tab}`)), badge);
      panels.get(tab).hidden = !selected;
    }
  }

  function loadTab(force) {
    pages[state.tab]?.load(force);
  }

  // ---- Sub-pages ----

  const ind = {
    root, settings, user, state, panels, catalogue, catalogueReady, indicatorByCode, groupByCode,
    writeLocation, resource, fetchInto, selectTab, renderTabs, reloadCatalogue,
    get removed() {
      return removed;
    },
  };
  pages.overview = overviewPage.create(ind);
  pages.report = reportPage.create(ind);
  if (tabs.includes("entry")) pages.entry = entryPage.create(ind);
  if (tabs.includes("approvals")) pages.approvals = approvalsPage.create(ind);
  if (tabs.includes("freshness")) pages.freshness = freshnessPage.create(ind);
  if (tabs.includes("catalogue")) pages.catalogue = cataloguePage.create(ind);

  // ---- Live: approved values change the figures; submitted ones fill the queue ----

  let live = null;
  let liveTimer = null;
  const pending = new Set();
  const topic = settings?.liveTopics?.indicators;
  if (typeof topic === "string" && topic) {
    live = new LiveConnection(liveURL);
    live.subscribe(topic, (data) => {
      pending.add(String(data?.type || ""));
      clearTimeout(liveTimer);
      liveTimer = setTimeout(applyLive, LIVE_DEBOUNCE_MS);
    });
    live.onResync(() => {
      pending.add("resync");
      applyLive();
    });
    live.start();
  }

  function applyLive() {
    if (removed) return;
    const types = new Set(pending);
    pending.clear();
    const any = types.has("resync");
    if (types.has("indicators.catalog")) reloadCatalogue();
    for (const [name, page] of Object.entries(pages)) {
      if (!page.liveTypes) continue;
      if (!any && !page.liveTypes.some((type) => types.has(type))) continue;
      // The visible tab reloads now; the others are marked out of date (and reload when opened).
      if (name === state.tab) page.load(true);
      else page.invalidate?.();
    }
    // The counts on the tabs are useful from any tab.
    if (state.tab !== "approvals" && pages.approvals && (any || ["indicators.submitted", "indicators.approved", "indicators.returned"].some((type) => types.has(type)))) {
      pages.approvals.load(true);
    }
  }

  // ---- Start ----

  function renderAll() {
    renderHeader();
    renderTabs();
    for (const page of Object.values(pages)) page.relabel();
  }

  renderHeader();
  renderTabs();
  writeLocation();
  loadTab(false);
  // The number waiting for approval shows on its tab from any tab.
  if (state.tab !== "approvals" && pages.approvals) pages.approvals.load(false);

  return {
    unmount() {
      removed = true;
      clearTimeout(liveTimer);
      live?.stop();
      for (const page of Object.values(pages)) page.destroy?.();
    },
    languageChanged() {
      renderAll();
    },
  };
}
