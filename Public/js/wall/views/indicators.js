// The wall's view kind "indicators": one group's screen of socio-economic indicators (GET /api/v1/indicators/screen
// ?group=<params.group>; the headline indicators without a group), readable from 5 m — each indicator a card with its
// value and unit, period, change against the same period last year, share of the plan in its status colour, and its
// trend with the plan dashed. Found by the wall from the kind's name (views.js loads ./views/<kind>.js).
// Refreshed when the live topic `settings.liveTopics.indicators` says a value was approved, after a reconnect, and
// every minute. Test hooks: `.ind-wall[data-indicator-screen=<group>][data-ready="1"]`, `.ind-wall-card[data-indicator]`
// with the displayed value in `.ind-value`.
import { errorMessage } from "../../api.js";
import { h } from "../../dom.js";
import { localizedName, t } from "../../i18n.js";
import { trendChart } from "../../views/indicators-chart.js";
import {
  SEVERITIES, changeCell, comparablePlan, ensureStylesheet, periodLabel, pctText, unitOf, valueText,
} from "../../views/indicators-common.js";
import { noteServerTime, shortTime } from "../format.js";
import { isAbort, wallGet } from "../wall-api.js";

const CODE = /^[A-Za-z0-9._-]{1,64}$/;
const POLL_MS = 60_000;
const RETRY_MS = 15_000;
const LIVE_DEBOUNCE_MS = 300;
const LIVE_MIN_GAP_MS = 2_000;
const CARDS_MAX = 20; // what fits one screen at a readable size

/** Columns × rows for `count` cards on a 16:9 screen. */
function gridFor(count) {
  if (count <= 1) return [1, 1];
  if (count <= 3) return [count, 1];
  if (count === 4) return [2, 2];
  if (count <= 6) return [3, 2];
  if (count <= 8) return [4, 2];
  if (count <= 10) return [5, 2];
  if (count <= 12) return [4, 3];
  if (count <= 15) return [5, 3];
  return [5, 4];
}

/**
 * createView(ctx, params) → { element, kind: "indicators", title(), show, hide, languageChanged, destroy }.
 * `params.group`: a group code (optional).
 */
export function createView(ctx, params = {}) {
  ensureStylesheet("/css/indicators-wall.css");
  const group = typeof params.group === "string" && CODE.test(params.group) ? params.group : "";
  const invalid = params.group != null && params.group !== "" && !group;

  const heading = h("h2", { class: "ind-wall-title" });
  const sub = h("p", { class: "ind-wall-sub" });
  const asOf = h("span", { class: "ind-wall-asof" });
  const grid = h("div", { class: "ind-wall-grid" });
  const element = h("section", {
    class: "ind-wall", dataset: { indicatorScreen: group, ready: "0" }, "aria-labelledby": "ind-wall-title",
  },
  h("header", { class: "ind-wall-head" }, h("div", { class: "ind-wall-heading" }, heading, sub), asOf),
  grid);
  heading.id = "ind-wall-title";

  let data = null;
  let error = invalid ? { invalid: true } : null;
  let fetchedAt = null;
  let controller = null;
  let timer = null;
  let liveTimer = null;
  let lastFetch = 0;
  let destroyed = false;

  const path = () => `/api/v1/indicators/screen${group ? `?group=${encodeURIComponent(group)}` : ""}`;

  function schedule(ms) {
    clearTimeout(timer);
    if (!destroyed) timer = setTimeout(load, ms);
  }

  async function load() {
    clearTimeout(timer);
    if (invalid || destroyed) return;
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    lastFetch = Date.now();
    try {
      const answer = await wallGet(path(), { signal: mine.signal });
      if (controller !== mine || destroyed) return;
      noteServerTime(answer?.asOf);
      const hadTitle = title();
      data = answer && typeof answer === "object" ? answer : {};
      error = null;
      fetchedAt = new Date().toISOString();
      schedule(POLL_MS);
      render();
      if (title() !== hadTitle) element.dispatchEvent(new CustomEvent("wall:titlechange", { bubbles: true }));
      return;
    } catch (caught) {
      if (isAbort(caught) || controller !== mine || destroyed) return;
      error = caught;
      schedule(caught.status >= 400 && caught.status < 500 ? POLL_MS : RETRY_MS);
    } finally {
      if (controller === mine) controller = null;
    }
    render();
  }

  /** After a live event: soon, and at most one fetch every LIVE_MIN_GAP_MS. */
  function refreshSoon() {
    clearTimeout(liveTimer);
    const wait = Math.max(LIVE_DEBOUNCE_MS, LIVE_MIN_GAP_MS - (Date.now() - lastFetch));
    liveTimer = setTimeout(load, wait);
  }

  function title() {
    if (data?.group) return localizedName(data.group);
    if (data && !group) return t("indicators.headline");
    return group;
  }

  // ---- Rendering ----

  function card(item) {
    const indicator = item.indicator || {};
    const severity = SEVERITIES.has(item.severity) ? item.severity : null;
    const trend = Array.isArray(item.trend) ? item.trend : [];
    const planWidth = typeof item.planPct === "number" ? Math.max(0, Math.min(100, item.planPct)) : null;
    const name = localizedName(indicator) || indicator.code || "";
    return h("article", { class: "ind-wall-card", dataset: { indicator: indicator.code || "", severity: severity || "none" } },
      h("header", { class: "ind-wall-card-head" },
        h("h3", { class: "ind-wall-name" }, name),
        h("span", { class: "ind-wall-period" }, periodLabel(item.period))),
      h("p", { class: "ind-wall-figure" },
        h("span", { class: "ind-value" }, valueText(item.value, { compact: true })),
        h("span", { class: "ind-wall-unit" }, typeof item.value === "number" ? unitOf(indicator) : t("indicators.noValueYet"))),
      h("dl", { class: "ind-wall-facts" },
        h("div", { class: "ind-wall-fact" },
          h("dt", {}, t("indicators.wall.vsSamePeriod")),
          h("dd", {}, changeCell(item.changeVsSamePeriodPct, indicator))),
        h("div", { class: "ind-wall-fact", dataset: severity ? { severity } : {} },
          h("dt", {}, t("indicators.wall.vsPlan")),
          h("dd", { class: "ind-wall-plan" }, pctText(item.planPct),
            severity ? h("span", { class: "ind-wall-badge" }, t(`indicators.severity.${severity}`)) : null))),
      // Always there (empty without a plan): the trend keeps the card's last row.
      h("span", { class: `ind-wall-bar${planWidth == null ? " is-empty" : ""}`, "aria-hidden": "true" },
        planWidth == null ? null : h("span", { class: "ind-wall-bar-fill", style: `width: ${planWidth}%` })),
      trend.length > 1
        ? trendChart({
          points: trend, plan: comparablePlan(item), width: 300, height: 70,
          className: "ind-wall-spark",
          label: t("indicators.trendLabel", { name, from: periodLabel(trend[0].period), to: periodLabel(trend[trend.length - 1].period) }),
        })
        : h("span", { class: "ind-wall-spark ind-wall-spark--empty" }));
  }

  function message(text, isError = false) {
    grid.style.removeProperty("--cols");
    grid.style.removeProperty("--rows");
    grid.replaceChildren(h("p", { class: `wall-message-text${isError ? " is-error" : ""}` }, text));
  }

  function render() {
    if (destroyed) return;
    heading.textContent = title() || t("indicators.wall.title");
    element.dataset.ready = data ? "1" : "0";
    asOf.textContent = fetchedAt ? t("indicators.wall.updated", { time: shortTime(fetchedAt) }) : "";
    asOf.classList.toggle("is-stale", Boolean(error && data));
    if (error?.invalid) {
      sub.textContent = "";
      message(t("indicators.wall.badGroup", { group: String(params.group) }), true);
      return;
    }
    if (!data) {
      sub.textContent = "";
      message(error ? (error.status === 404 ? t("indicators.wall.noGroup", { group }) : errorMessage(error)) : t("wall.loading"), Boolean(error));
      return;
    }
    const items = Array.isArray(data.items) ? data.items : [];
    const counts = { good: 0, warn: 0, bad: 0 };
    for (const item of items) if (SEVERITIES.has(item.severity)) counts[item.severity] += 1;
    sub.replaceChildren(
      h("span", {}, t("indicators.wall.count", { count: items.length })),
      ...["good", "warn", "bad"].filter((s) => counts[s]).map((s) =>
        h("span", { class: "ind-wall-count", dataset: { severity: s } }, t(`indicators.count.${s}`, { count: counts[s] }))));
    if (!items.length) {
      message(t("indicators.noItems"));
      return;
    }
    // Indicators with a figure first (the server's order otherwise): a screen has room for CARDS_MAX.
    const shown = [...items.filter((item) => typeof item.value === "number"), ...items.filter((item) => typeof item.value !== "number")]
      .slice(0, CARDS_MAX);
    const [cols, rows] = gridFor(shown.length);
    grid.style.setProperty("--cols", String(cols));
    grid.style.setProperty("--rows", String(rows));
    grid.replaceChildren(...shown.map(card));
    if (items.length > shown.length) {
      sub.append(h("span", { class: "ind-wall-more" }, t("indicators.wall.more", { count: items.length - shown.length })));
    }
  }

  // ---- Live ----

  let offLive = () => {};
  const topic = ctx.settings?.liveTopics?.indicators;
  if (typeof topic === "string" && topic && !invalid) {
    offLive = ctx.live.subscribe(topic, (event) => {
      // A value approved, a plan set or the catalogue changed: the figures or their colours may differ.
      if (!event?.type || ["indicators.approved", "indicators.plan", "indicators.catalog"].includes(event.type)) refreshSoon();
    });
  }
  const offResync = ctx.live.onResync(() => refreshSoon());

  render();
  load();
  return {
    element,
    kind: "indicators",
    title,
    show() {},
    hide() {},
    languageChanged: render,
    destroy() {
      destroyed = true;
      offLive();
      offResync();
      clearTimeout(timer);
      clearTimeout(liveTimer);
      controller?.abort();
    },
  };
}
