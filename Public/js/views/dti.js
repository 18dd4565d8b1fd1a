// Digital-transformation index (DTI, chỉ số chuyển đổi số) of the province's agencies, staff console (#/dti).
// This module is the page: the frameworks (assessment cycles) to choose from, the tabs, the hash
// (#/dti/{tab}?fw=…&agency=…&review=…), the data the sub-pages share (the frameworks, the chosen framework's tree, its
// results and its assessments, each loaded once and kept until it changes) and the live topic. The sub-pages are built
// by dti-{ranking,profile,heatmap,assessment,review,evidence}.js.
// Test hooks: `#dti-frameworks button[data-framework=CODE]`, `#dti-tab-<tab>`, `#dti-refresh`, and those of the sub-pages.
import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { formatDate, formatNumber, localized, t } from "../i18n.js";
import { LiveConnection } from "../wall/live.js";
import {
  BASE, ROUTE, SUBMITTED, TABS, daysLeftText, daysUntil, dayText, errorBox, frameworkPath,
  levelTones, loadingLine, setChildren,
} from "./dti-common.js";
import * as rankingPage from "./dti-ranking.js";
import * as profilePage from "./dti-profile.js";
import * as heatmapPage from "./dti-heatmap.js";
import * as assessmentPage from "./dti-assessment.js";
import * as reviewPage from "./dti-review.js";
import * as evidencePage from "./dti-evidence.js";
import { frameworkAdmin } from "./dti-admin.js";

const LIVE_DEBOUNCE_MS = 400;
const CODE = /^[A-Za-z0-9._-]{1,64}$/;
const EDITORS = new Set(["officer", "admin"]);
const PAGES = {
  ranking: rankingPage, profile: profilePage, heatmap: heatmapPage, assessment: assessmentPage, review: reviewPage, evidence: evidencePage,
};

function readLocation() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const params = new URLSearchParams(query);
  const code = (name) => (CODE.test(params.get(name) || "") ? params.get(name) : "");
  const tab = path.split("/")[1];
  return { tab: TABS.includes(tab) ? tab : "", fw: code("fw"), agency: code("agency"), review: code("review") };
}

function liveURL() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/live`;
}

/** One piece of data loaded from the API for a key (the framework's code), with stale-answer protection. */
class Resource {
  constructor(onChange) {
    this.onChange = onChange;
    this.key = null;
    this.data = null;
    this.error = null;
    this.loading = false;
    this.seq = 0;
  }

  /** Loads `loader()` for `key` unless it is loaded (or loading) already; `force` reads it again. */
  async load(key, loader, force = false) {
    if (!force && this.key === key && (this.data || this.loading || this.error)) return;
    const seq = ++this.seq;
    if (this.key !== key) this.data = null;
    this.key = key;
    this.loading = true;
    this.error = null;
    this.onChange();
    let data = null;
    let error = null;
    try {
      data = await loader();
    } catch (caught) {
      error = caught;
    }
    if (seq !== this.seq) return;
    this.data = error ? null : data;
    this.error = error;
    this.loading = false;
    this.onChange();
  }

  /** Forgets the data (it changed): the next `load` reads it again. */
  invalidate() {
    this.key = null;
  }

  /** Takes data read elsewhere for `key` (no second request). */
  prime(key, data) {
    this.seq += 1;
    this.key = key;
    this.data = data;
    this.error = null;
    this.loading = false;
  }
}

export function mount(root, { settings, user }) {
  const state = readLocation();
  const pages = {};
  let removed = false;
  const role = user?.role;

  // ---- Shared data ----

  const shared = {
    frameworks: new Resource(changed), detail: new Resource(changed), results: new Resource(changed), assessments: new Resource(changed),
  };
  const frameworks = () => (Array.isArray(shared.frameworks.data) ? shared.frameworks.data : []);
  const summary = () => frameworks().find((f) => f.code === state.fw) || null;
  const detail = () => (shared.detail.key === state.fw ? shared.detail.data : null);
  const canReview = () => Boolean(detail()?.canReview);

  /**
   * Whether the caller may read the framework's results: everyone once published; before, the staff who see every
   * agency (not the officers of an assessed agency) — null while that is not known yet (the tree is loading).
   */
  function resultsReadable() {
    const f = summary();
    if (!f) return null;
    if (f.resultsVersion > 0 || role !== "officer") return true;
    if (!detail()) return shared.detail.error ? false : null;
    return canReview();
  }

  /** Loads what a sub-page needs: "frameworks", "detail", "results", "assessments". */
  function need(name, force = false) {
    if (removed) return;
    if (name === "frameworks") {
      shared.frameworks.load("all", () => api.get(`${BASE}/frameworks`), force);
      return;
    }
    const fw = state.fw;
    if (!fw) return;
    if (name === "detail") shared.detail.load(fw, () => api.get(frameworkPath(fw)), force);
    if (name === "assessments") shared.assessments.load(fw, () => api.get(`${frameworkPath(fw)}/assessments`), force);
    if (name === "results" && resultsReadable()) shared.results.load(fw, () => api.get(`${frameworkPath(fw)}/results`), force);
  }

  /** After the caller changed something (saved, submitted, reviewed, published): what depends on it is read again. */
  function dataChanged() {
    need("frameworks", true);
    shared.assessments.invalidate();
    shared.results.invalidate();
    shared.detail.invalidate();
    need("detail");
    pages[state.tab]?.load(false);
  }

  /** The tones of the chosen framework's levels (from its tree; from the results when the tree is not there). */
  const tones = () => levelTones(detail()?.framework?.levels, shared.results.data?.results || []);

  // ---- Location ----

  function writeLocation() {
    if (removed) return;
    const params = new URLSearchParams();
    if (state.fw) params.set("fw", state.fw);
    if (state.agency && ["profile", "assessment"].includes(state.tab)) params.set("agency", state.agency);
    if (state.review && state.tab === "review") params.set("review", state.review);
    const query = params.toString();
    const hash = `#/${ROUTE}/${state.tab}${query ? `?${query}` : ""}`;
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
  }

  // ---- Page skeleton ----

  const heading = h("h1", {});
  const intro = h("p", { class: "page-intro" });
  const refreshLabel = h("span", {});
  const refreshButton = h("button", { type: "button", class: "btn btn-secondary", id: "dti-refresh", onclick: refresh }, icon("refresh"), refreshLabel);
  const publicLink = h("a", { class: "btn btn-ghost", href: "/chuyen-doi-so.html", target: "_blank", rel: "noopener" });
  const header = h("header", { class: "page-header" },
    h("div", { class: "page-heading" }, heading, intro),
    h("div", { class: "page-tools" }, publicLink, refreshButton));
  const cycles = h("section", { class: "dti-cycles", id: "dti-frameworks", "aria-labelledby": "dti-cycles-title" });
  const cyclesTitle = h("h2", { class: "visually-hidden", id: "dti-cycles-title" });
  const current = h("div", { class: "dti-current", id: "dti-current", "aria-live": "polite" });

  const tabButtons = new Map();
  const panels = new Map();
  const tabList = h("div", { class: "ps-tabs dti-tabs", role: "tablist" });
  for (const tab of TABS) {
    const button = h("button", {
      type: "button", role: "tab", id: `dti-tab-${tab}`, class: "ps-tab", "aria-controls": `dti-panel-${tab}`,
      onclick: () => selectTab(tab),
    });
    tabButtons.set(tab, button);
    tabList.append(button);
    panels.set(tab, h("section", { class: "ps-panel dti-panel", id: `dti-panel-${tab}`, role: "tabpanel", "aria-labelledby": `dti-tab-${tab}` }));
  }
  root.append(header, cyclesTitle, cycles, current, tabList, ...panels.values());
  // Administrators manage the frameworks themselves (install, import, copy as next year's, export).
  const admin = role === "admin"
    ? frameworkAdmin({ selected: () => summary(), onChanged: (code) => { dataChanged(); chooseFramework(code); } })
    : null;
  if (admin) cycles.after(admin.element);

  /** The tabs this user has for the chosen framework (review: reviewers and the staff who read every agency). */
  function visibleTabs() {
    return TABS.filter((tab) => {
      if (tab === "assessment") return EDITORS.has(role);
      if (tab === "review") return role !== "officer" || canReview() || (!detail() && state.tab === "review");
      return true;
    });
  }

  const defaultTab = () => (role === "officer" ? "assessment" : "ranking");

  // The arrows move along the visible tabs (round), Home and End to the first and the last.
  tabList.addEventListener("keydown", (event) => {
    const tabs = visibleTabs();
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    const here = tabs.indexOf(state.tab);
    const target = step ? tabs[(here + step + tabs.length) % tabs.length] : { Home: tabs[0], End: tabs[tabs.length - 1] }[event.key];
    if (!target) return;
    event.preventDefault();
    selectTab(target);
    tabButtons.get(target).focus();
  });

  function selectTab(tab, { agency } = {}) {
    if (!TABS.includes(tab)) return;
    state.tab = tab;
    if (agency !== undefined) state.agency = agency;
    writeLocation();
    renderTabs();
    pages[tab]?.load(false);
  }

  function chooseFramework(code, assessments = null) {
    if (code === state.fw) return;
    state.fw = code;
    state.review = "";
    for (const name of ["detail", "results", "assessments"]) shared[name].invalidate();
    if (assessments) shared.assessments.prime(code, assessments);
    writeLocation();
    renderAll();
    need("detail");
    pages[state.tab]?.load(false);
  }

  function refresh() {
    need("frameworks", true);
    need("detail", true);
    for (const name of ["results", "assessments"]) shared[name].invalidate();
    pages[state.tab]?.load(true);
  }

  // ---- Rendering ----

  function renderHeader() {
    heading.textContent = t("dti.title");
    intro.textContent = t("dti.intro");
    refreshLabel.textContent = t("dti.refresh");
    publicLink.textContent = t("dti.publicPage");
    cyclesTitle.textContent = t("dti.cycles");
  }

  function progress(f) {
    const by = f.byStatus || {};
    const submitted = [...SUBMITTED].reduce((sum, s) => sum + (by[s] || 0), 0);
    return { submitted, assessable: f.assessable || 0 };
  }

  function cycleCard(f) {
    const { submitted, assessable } = progress(f);
    const share = assessable ? Math.min(1, submitted / assessable) : 0;
    const fill = h("span", { class: "dti-progress-fill" });
    fill.style.setProperty("width", `${share * 100}%`);
    const open = f.status === "open";
    const days = open ? daysUntil(f.deadline) : null;
    return h("button", {
      type: "button", class: "dti-cycle", dataset: { framework: f.code, status: f.status },
      "aria-pressed": String(f.code === state.fw), onclick: () => chooseFramework(f.code),
    },
    h("span", { class: "dti-cycle-head" },
      h("span", { class: "dti-cycle-year" }, String(f.year)),
      h("span", { class: `badge ${open ? "badge-soon" : "badge-ok"}` },
        open ? t("dti.cycle.open") : t("dti.cycle.published", { version: formatNumber(f.resultsVersion) }))),
    h("span", { class: "dti-cycle-subject" }, t(`dti.subject.${f.subject}`)),
    h("span", { class: "dti-cycle-code mono" }, f.code),
    h("span", { class: "dti-cycle-progress" },
      h("span", {}, t("dti.cycle.progress", { submitted: formatNumber(submitted), assessable: formatNumber(assessable) })),
      h("span", { class: "dti-progress", "aria-hidden": "true" }, fill)),
    h("span", { class: `dti-cycle-deadline${days != null && days < 0 ? " ps-bad" : ""}` },
      open
        ? (f.deadline ? t("dti.cycle.deadline", { date: dayText(f.deadline), left: daysLeftText(days) }) : t("dti.cycle.noDeadline"))
        : t("dti.cycle.publishedAt", { date: formatDate(f.publishedAt) })));
  }

  function renderFrameworks() {
    const res = shared.frameworks;
    if (res.error && !res.data) {
      setChildren(cycles, errorBox(res.error));
      return;
    }
    if (!res.data) {
      setChildren(cycles, loadingLine());
      return;
    }
    const list = frameworks();
    if (!list.length) {
      setChildren(cycles, h("p", { class: "muted" }, t("dti.noFrameworks")));
      return;
    }
    setChildren(cycles, h("div", { class: "dti-cycle-list" }, list.map(cycleCard)));
  }

  function renderCurrent() {
    const f = summary();
    if (!f) {
      setChildren(current);
      return;
    }
    const d = detail();
    setChildren(current,
      h("p", { class: "dti-current-name" }, h("strong", {}, localized(f.name, f.nameEn)), " ", h("span", { class: "muted mono" }, f.code)),
      h("p", { class: "dti-current-facts muted" },
        t("dti.current.facts", {
          period: `${dayText(f.periodFrom)} – ${dayText(f.periodTo)}`, assessor: f.assessor,
          max: formatNumber(f.maxPoints, { maximumFractionDigits: 2 }),
        }),
        d?.framework?.legalBasis ? h("span", { class: "dti-legal", title: d.framework.legalBasis }, ` · ${t("dti.current.legalBasis")}`) : null));
  }

  function renderTabs() {
    const tabs = visibleTabs();
    if (!tabs.includes(state.tab) && (shared.detail.data || shared.detail.error || role !== "officer" || state.tab !== "review")) {
      state.tab = tabs.includes(defaultTab()) ? defaultTab() : tabs[0];
      writeLocation();
      pages[state.tab]?.load(false);
    }
    for (const [tab, button] of tabButtons) {
      const visible = tabs.includes(tab);
      const selected = tab === state.tab;
      button.hidden = !visible;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      const count = pages[tab]?.count?.();
      const label = tab === "review" && !canReview() ? "dti.tab.assessments" : `dti.tab.${tab}`;
      setChildren(button, h("span", {}, t(label)),
        typeof count === "number" && count > 0 ? h("span", { class: "ps-tab-count" }, formatNumber(count)) : null);
      panels.get(tab).hidden = !selected;
    }
  }

  /** Something shared changed: the cards, the tabs and the visible sub-page follow. */
  function changed() {
    if (removed) return;
    const list = frameworks();
    if (list.length && !list.some((f) => f.code === state.fw)) {
      if (!choosingDefault) chooseDefault(list);
      renderFrameworks();
      return;
    }
    renderFrameworks();
    renderCurrent();
    renderTabs();
    pages[state.tab]?.render();
  }

  let choosingDefault = false;

  /**
   * The framework shown first: the open one of the departments (else any open one, else the latest); for an officer
   * the first open one that assesses the officer's agency (its assessments list is not empty).
   */
  async function chooseDefault(list) {
    choosingDefault = true;
    const open = list.filter((f) => f.status === "open").sort((a, b) => Number(b.subject === "department") - Number(a.subject === "department"));
    let code = (open[0] || list[0]).code;
    let assessments = null;
    if (role === "officer") {
      for (const f of open) {
        const answer = await api.get(`${frameworkPath(f.code)}/assessments`).catch(() => null);
        if (removed) return;
        if (answer?.items?.length) {
          code = f.code;
          assessments = answer;
          break;
        }
      }
    }
    choosingDefault = false;
    if (!frameworks().some((f) => f.code === state.fw)) chooseFramework(code, assessments);
  }

  function renderAll() {
    admin?.render();
    renderHeader();
    renderFrameworks();
    renderCurrent();
    renderTabs();
    for (const page of Object.values(pages)) page.relabel();
  }

  // ---- Sub-pages ----

  const dti = {
    root, settings, user, role, state, panels, shared, need, dataChanged, writeLocation, selectTab, summary, detail, canReview,
    resultsReadable, tones, frameworks,
    get removed() {
      return removed;
    },
  };
  for (const [tab, page] of Object.entries(PAGES)) pages[tab] = page.create(dti);

  // ---- Live: saved, submitted, reviewed and published assessments ----

  let live = null;
  let liveTimer = null;
  const pending = [];
  const topic = settings?.liveTopics?.dti;
  if (typeof topic === "string" && topic) {
    live = new LiveConnection(liveURL);
    live.subscribe(topic, (data) => {
      pending.push(data || {});
      clearTimeout(liveTimer);
      liveTimer = setTimeout(applyLive, LIVE_DEBOUNCE_MS);
    });
    live.onResync(() => {
      pending.push({ type: "resync" });
      clearTimeout(liveTimer);
      liveTimer = setTimeout(applyLive, LIVE_DEBOUNCE_MS);
    });
    live.start();
  }

  function applyLive() {
    if (removed) return;
    const events = pending.splice(0);
    const resync = events.some((e) => e.type === "resync");
    const ours = events.filter((e) => resync || !e.framework || e.framework === state.fw);
    need("frameworks", true);
    if (!ours.length) return;
    if (resync || ours.some((e) => e.type !== "dti.assessment")) need("detail", true);
    shared.results.invalidate();
    shared.assessments.invalidate();
    pages[state.tab]?.load(false, { live: ours.map((e) => e.agency).filter(Boolean), resync });
  }

  // ---- Start ----

  renderHeader();
  if (state.tab) writeLocation();
  else state.tab = defaultTab();
  renderTabs();
  need("frameworks");
  if (state.fw) {
    need("detail");
    pages[state.tab]?.load(false);
  }

  return {
    unmount() {
      removed = true;
      clearTimeout(liveTimer);
      live?.stop();
      for (const page of Object.values(pages)) page.destroy?.();
      document.getElementById("dti-confirm")?.remove();
    },
    languageChanged() {
      renderAll();
    },
  };
}
