// Public services (Dịch vụ công): the monthly one-stop report form, dossiers overdue now with the drill-down to one
// dossier, the QĐ 766 scorecard and, for admins and operators, the import of a CSV or XLSX file.
// State lives in the hash (#/public-services/{tab}?month=…&period=…) so that a view can be shared or reloaded.
// This module is the page: the tabs, the names for codes, the hash and the loading helpers shared by the sub-pages,
// which are built by public-services-{report,overdue,dossier,scorecard,import}.js.
import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { formatNumber, localizedName, t } from "../i18n.js";
import { unitDisplayName } from "../units.js";
import {
  DEFAULT_DUE_SOON_HOURS, IMPORT_ROLES, ROUTE, TABS, readLocation, setChildren,
} from "./public-services-common.js";
import * as dossierPage from "./public-services-dossier.js";
import * as importPage from "./public-services-import.js";
import * as overduePage from "./public-services-overdue.js";
import * as reportPage from "./public-services-report.js";
import * as scorecardPage from "./public-services-scorecard.js";

export function mount(root, { settings, user }) {
  const canImport = IMPORT_ROLES.has(user?.role);
  const tabs = TABS.filter((tab) => tab !== "import" || canImport);
  const state = readLocation(tabs);
  let removed = false;

  // Names for codes: agencies (vi/en names, kinds) and communes; both are conveniences, codes still show.
  const names = { agencies: new Map(), units: new Map() };
  const namesReady = Promise.all([
    api.get("/api/v1/agencies").then((list) => {
      names.agencies = new Map((list.items || []).map((agency) => [agency.code, agency]));
    }).catch(() => {}),
    api.get(`/api/v1/units?province=${encodeURIComponent(settings?.province?.code || "")}&level=commune`).then((list) => {
      names.units = new Map((list.items || []).map((unit) => [unit.code, unit]));
    }).catch(() => {}),
  ]);

  function agencyName(code, fallback) {
    const agency = names.agencies.get(code);
    if (agency) return localizedName(agency);
    return fallback || code || "";
  }

  function unitName(code, fallback) {
    if (!code) return "";
    const unit = names.units.get(code);
    return unit ? unitDisplayName(unit) : fallback || code;
  }

  // ---- Location ----

  function writeLocation() {
    if (removed) return; // the router has moved on: the hash belongs to the next view
    const params = new URLSearchParams();
    if (state.tab === "report" || state.tab === "scorecard") {
      params.set("month", state.month);
      if (state.period !== "calendarMonth") params.set("period", state.period);
    }
    if (state.tab === "report" && state.groupBy !== "agency") params.set("groupBy", state.groupBy);
    if (state.tab === "scorecard") {
      if (state.agency) params.set("agency", state.agency);
      if (state.unit) params.set("unit", state.unit);
    }
    if (state.tab === "overdue" && state.hours !== DEFAULT_DUE_SOON_HOURS) params.set("hours", String(state.hours));
    if (state.dossier) params.set("dossier", state.dossier);
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

  const periodQuery = () => `month=${encodeURIComponent(state.month)}&period=${encodeURIComponent(state.period)}`;

  // ---- Page skeleton ----

  const heading = h("h1", {});
  const intro = h("p", { class: "page-intro" });
  const refreshButton = h("button", { type: "button", class: "btn btn-secondary", onclick: () => loadTab(true) });
  const header = h("header", { class: "page-header" },
    h("div", { class: "page-heading" }, heading, intro),
    h("div", { class: "page-tools" }, refreshButton));

  const tabButtons = new Map();
  const panels = new Map();
  const tabList = h("div", { class: "ps-tabs", role: "tablist" });
  for (const tab of tabs) {
    const button = h("button", {
      type: "button", role: "tab", id: `ps-tab-${tab}`, class: "ps-tab", "aria-controls": `ps-panel-${tab}`,
      onclick: () => selectTab(tab), onkeydown: (event) => tabKey(event, tab),
    });
    tabButtons.set(tab, button);
    tabList.append(button);
    panels.set(tab, h("section", { class: "ps-panel", id: `ps-panel-${tab}`, role: "tabpanel", "aria-labelledby": `ps-tab-${tab}` }));
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
    heading.textContent = t("ps.title");
    intro.textContent = t("ps.intro");
    setChildren(refreshButton, icon("refresh"), h("span", {}, t("table.refresh")));
  }

  function renderTabs() {
    for (const [tab, button] of tabButtons) {
      const selected = tab === state.tab;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      const overdueData = pages.overdue.resource.data;
      const badge = tab === "overdue" && overdueData
        ? h("span", { class: `ps-tab-count ${overdueData.overdue.length ? "is-bad" : ""}` }, formatNumber(overdueData.overdue.length))
        : null;
      setChildren(button, h("span", {}, t(`ps.tab.${tab}`)), badge);
      panels.get(tab).hidden = !selected;
    }
  }

  function loadTab(force) {
    if (state.tab === "report") pages.report.load(force);
    else if (state.tab === "overdue") pages.overdue.load(force);
    else if (state.tab === "scorecard") pages.scorecard.load(force);
    else pages.import.render();
  }

  // ---- Sub-pages ----

  // What the sub-pages share: the hash's state, names for codes, the loading helpers and a few page actions.
  const ps = {
    root, settings, user, state, names, namesReady, canImport, panels,
    agencyName, unitName, writeLocation, resource, fetchInto, periodQuery, selectTab, renderTabs,
    get removed() {
      return removed;
    },
    openDossier: (code) => pages.dossier.open(code),
    /** After an import: the figures of the other tabs are out of date. */
    invalidate() {
      for (const page of [pages.report, pages.overdue, pages.scorecard]) page.resource.key = null;
    },
  };
  const pages = {};
  pages.report = reportPage.create(ps);
  pages.overdue = overduePage.create(ps);
  pages.dossier = dossierPage.create(ps);
  pages.scorecard = scorecardPage.create(ps);
  pages.import = importPage.create(ps);

  // ---- Start ----

  function renderAll() {
    renderHeader();
    renderTabs();
    if (panels.has("report")) {
      pages.report.relabel();
      pages.report.render();
    }
    pages.overdue.relabel();
    pages.overdue.render();
    pages.scorecard.relabel();
    pages.scorecard.render();
    pages.import.render();
    if (pages.dossier.isOpen) pages.dossier.render();
  }

  renderHeader();
  renderTabs();
  writeLocation();
  loadTab(false);
  // The overdue count on its tab is useful from any tab.
  if (state.tab !== "overdue") pages.overdue.load(false);
  if (state.dossier) pages.dossier.open(state.dossier);

  return {
    unmount() {
      removed = true;
      pages.dossier.close();
    },
    languageChanged() {
      renderAll();
    },
  };
}
