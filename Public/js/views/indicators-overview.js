// Indicators, sub-page "overview" (leaders): the group tree on the left; on the right the selected group's screen
// (GET /indicators/screen?group=, the headline indicators without a group) as cards — value and unit, period, change
// against the same period last year, share of the plan with its status colour and a small trend. A card opens the
// indicator's detail (indicators-detail.js) in place of the cards.
// Test hooks: `#ind-groups button[data-group]`, `#ind-screen[data-group][data-ready]`, `.ind-card[data-indicator]`
// with `.ind-value`.
import { api } from "../api.js";
import { h } from "../dom.js";
import { localizedName, t } from "../i18n.js";
import { trendChart } from "./indicators-chart.js";
import {
  BASE, SEVERITIES, changeCell, comparablePlan, errorBox, groupTree, loadingLine, periodLabel, pctText, setChildren, severityBadge,
  statusBadge, unitOf, valueText,
} from "./indicators-common.js";
import * as detailPage from "./indicators-detail.js";

/** Builds the sub-page in its panel; `ind` is the page's shared context (indicators.js). */
export function create(ind) {
  const { state, fetchInto, writeLocation, catalogue, catalogueReady } = ind;
  const screen = ind.resource();

  const treeTitle = h("h2", { class: "ind-side-title", id: "ind-groups-title" });
  const tree = h("ul", { class: "ind-tree", role: "list" });
  const side = h("nav", { class: "ind-side card", id: "ind-groups", "aria-labelledby": "ind-groups-title" }, treeTitle, tree);
  const screenBody = h("div", { class: "ind-screen", id: "ind-screen", "aria-live": "polite", dataset: { group: state.group, ready: "0" } });
  const detail = detailPage.create(ind, { onClose: closeDetail });
  const main = h("div", { class: "ind-main" }, screenBody, detail.element);
  ind.panels.get("overview")?.append(h("div", { class: "ind-overview" }, side, main));

  const screenKey = () => state.group || "";

  function load(force) {
    renderTree();
    catalogueReady.then(() => {
      if (!ind.removed) renderTree();
    });
    if (state.code) {
      screenBody.hidden = true;
      detail.open(state.code, force);
      return;
    }
    detail.hide();
    screenBody.hidden = false;
    fetchInto(screen, screenKey(), () => api.get(`${BASE}/screen${state.group ? `?group=${encodeURIComponent(state.group)}` : ""}`),
      renderScreen, force);
  }

  function selectGroup(code) {
    state.group = code;
    state.code = "";
    state.asOf = "";
    writeLocation();
    load(false);
    document.querySelector("#ind-screen .ind-screen-title")?.focus({ preventScroll: true });
  }

  function openDetail(code) {
    state.code = code;
    state.asOf = "";
    writeLocation();
    load(false);
  }

  function closeDetail() {
    const code = state.code;
    state.code = "";
    state.asOf = "";
    writeLocation();
    load(false);
    document.querySelector(`#ind-screen .ind-card[data-indicator="${CSS.escape(code)}"] .ind-card-open`)?.focus();
  }

  // ---- The group tree ----

  function treeItem(code, label, depth) {
    const selected = (state.group || "") === code;
    return h("li", { class: "ind-tree-item", style: `--depth: ${depth}` },
      h("button", {
        type: "button", class: "ind-tree-button", dataset: { group: code }, "aria-current": selected ? "true" : null,
        onclick: () => selectGroup(code),
      }, label));
  }

  function renderTree() {
    treeTitle.textContent = t("indicators.groups");
    const items = [treeItem("", t("indicators.headline"), 0)];
    for (const { group, depth } of groupTree(catalogue.data?.groups)) items.push(treeItem(group.code, localizedName(group), depth));
    setChildren(tree, items);
    if (catalogue.error) tree.append(h("li", {}, errorBox(catalogue.error)));
    // Where the tree is one scrolling row (narrow screens), keep the selected group in view.
    const current = tree.querySelector("[aria-current='true']");
    if (current && tree.scrollWidth > tree.clientWidth) tree.scrollLeft = current.offsetLeft - tree.offsetLeft - 16;
  }

  // ---- The screen ----

  function card(item) {
    const indicator = item.indicator || {};
    const severity = SEVERITIES.has(item.severity) ? item.severity : null;
    const name = localizedName(indicator);
    const trend = Array.isArray(item.trend) ? item.trend : [];
    const planWidth = typeof item.planPct === "number" ? Math.max(0, Math.min(100, item.planPct)) : null;
    const bar = planWidth == null ? null : h("span", { class: "ind-bar", "aria-hidden": "true" },
      h("span", { class: "ind-bar-fill", style: `width: ${planWidth}%` }));
    return h("article", { class: "ind-card", dataset: { indicator: indicator.code || "", severity: severity || "none" } },
      h("header", { class: "ind-card-head" },
        h("h3", { class: "ind-card-title" },
          h("button", {
            type: "button", class: "ind-card-open", title: t("indicators.openDetail", { name }),
            onclick: () => openDetail(indicator.code),
          }, name)),
        h("span", { class: "ind-card-period" }, periodLabel(item.period))),
      h("p", { class: "ind-card-figure" },
        h("span", { class: "ind-value" }, valueText(item.value)),
        h("span", { class: "ind-unit" }, unitOf(indicator)),
        typeof item.value === "number" ? statusBadge(item.status) : h("span", { class: "muted ind-novalue" }, t("indicators.noValueYet"))),
      h("dl", { class: "ind-card-facts" },
        h("div", {},
          h("dt", {}, t("indicators.vsSamePeriod")),
          h("dd", {}, changeCell(item.changeVsSamePeriodPct, indicator))),
        h("div", {},
          h("dt", {}, t("indicators.vsPlan")),
          h("dd", { class: "ind-plan", dataset: severity ? { severity } : {} },
            h("span", { class: "ind-plan-pct" }, pctText(item.planPct)), " ", severityBadge(severity)))),
      bar,
      trend.length > 1
        ? trendChart({
          points: trend, plan: comparablePlan(item), width: 240, height: 48,
          className: "ind-card-spark",
          label: t("indicators.trendLabel", { name, from: periodLabel(trend[0].period), to: periodLabel(trend[trend.length - 1].period) }),
        })
        : null);
  }

  function renderScreen() {
    if (ind.removed) return;
    const { data, error, loading } = screen;
    screenBody.dataset.group = state.group || "";
    screenBody.dataset.ready = data && !loading ? "1" : "0";
    screenBody.classList.toggle("is-busy", loading && Boolean(data));
    if (error) {
      setChildren(screenBody, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(screenBody, loadingLine());
      return;
    }
    const title = data.group ? localizedName(data.group) : t("indicators.headline");
    const children = Array.isArray(data.children) ? data.children : [];
    const items = Array.isArray(data.items) ? data.items : [];
    const counts = { good: 0, warn: 0, bad: 0 };
    for (const item of items) if (SEVERITIES.has(item.severity)) counts[item.severity] += 1;
    setChildren(screenBody,
      h("div", { class: "ind-screen-head" },
        h("h2", { class: "ps-subtitle ind-screen-title", tabindex: "-1" }, title),
        h("p", { class: "ind-counts" },
          ["good", "warn", "bad"].map((s) => h("span", { class: "ind-count", dataset: { severity: s, zero: counts[s] ? "0" : "1" } },
            t(`indicators.count.${s}`, { count: counts[s] }))))),
      children.length
        ? h("div", { class: "ind-children" }, h("span", { class: "muted" }, t("indicators.subgroups")),
          children.map((child) => h("button", { type: "button", class: "ps-chip ind-chip", dataset: { group: child.code }, onclick: () => selectGroup(child.code) },
            localizedName(child))))
        : null,
      items.length
        ? h("div", { class: "ind-cards" }, items.map(card))
        : h("p", { class: "ps-empty-text muted" }, t("indicators.noItems")),
      h("p", { class: "ps-note" }, t("indicators.screenNote")));
  }

  function relabel() {
    renderTree();
    if (state.code) detail.relabel();
    else renderScreen();
  }

  return {
    load,
    relabel,
    invalidate() {
      screen.key = null;
      detail.invalidate();
    },
    liveTypes: ["indicators.approved", "indicators.plan", "indicators.catalog"],
  };
}
