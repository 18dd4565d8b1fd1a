// Indicators, one indicator's detail (inside the overview): its definition, the trend chart with the plan (dashed) and
// the revised periods (ringed), the table of approved values (GET /indicators/{code}/values?unit=…&from=…[&asOf=…]),
// an "as known on" date that shows the figures as they were published then, and, for indicators kept by commune,
// the communes' ranking for one period (GET /indicators/{code}/communes?period=).
// Test hooks: `#ind-detail[data-code][data-ready]`, `#ind-asof`, `#ind-values tr[data-period]`, `#ind-chart`,
// `#ind-communes`.
import { api } from "../api.js";
import { h } from "../dom.js";
import { localized, localizedName, t } from "../i18n.js";
import { chartLegend, trendChart } from "./indicators-chart.js";
import {
  BASE, EMPTY, HISTORY_YEARS, changeCell, dayText, deadlineText, parseDay, errorBox, loadingLine, pctText, periodLabel, provinceUnit, scrollTable,
  setChildren, startOfYearsBack, statusBadge, unitOf, valueText,
} from "./indicators-common.js";

/** Builds the detail; `ind` is the page's shared context, `onClose` goes back to the cards. */
export function create(ind, { onClose }) {
  const { state, fetchInto, writeLocation, catalogueReady, indicatorByCode, settings } = ind;
  const values = ind.resource();
  const communes = ind.resource();
  let communePeriod = "";

  const back = h("button", { type: "button", class: "btn btn-ghost ind-back", id: "ind-detail-back", onclick: () => onClose() });
  const head = h("div", { class: "ind-detail-head" });
  const asOfLabel = h("label", { for: "ind-asof" });
  const asOfInput = h("input", {
    type: "text", id: "ind-asof", inputmode: "numeric", autocomplete: "off", placeholder: "dd/mm/yyyy", class: "ind-day-input",
  });
  const asOfError = h("p", { class: "ind-row-error", role: "alert", hidden: true });
  const asOfClear = h("button", { type: "button", class: "btn btn-secondary", id: "ind-asof-clear" });
  const asOfHint = h("p", { class: "field-hint" });
  asOfInput.addEventListener("change", () => {
    const day = asOfInput.value.trim() ? parseDay(asOfInput.value) : "";
    asOfError.hidden = day !== null;
    asOfInput.setAttribute("aria-invalid", String(day === null));
    if (day === null) {
      asOfError.textContent = t("indicators.asOfInvalid");
      return;
    }
    state.asOf = day;
    asOfInput.value = dayText(day);
    writeLocation();
    renderControls();
    loadValues(false);
  });
  asOfClear.addEventListener("click", () => {
    state.asOf = "";
    asOfInput.value = "";
    asOfError.hidden = true;
    asOfInput.removeAttribute("aria-invalid");
    writeLocation();
    renderControls();
    loadValues(false);
  });
  const asOfBox = h("div", { class: "ps-filters ind-asof" },
    h("div", { class: "field" }, asOfLabel, asOfInput, asOfError, asOfHint), h("div", { class: "ps-filter-action" }, asOfClear));
  const body = h("div", { class: "ps-result ind-detail-body", "aria-live": "polite" });
  const communeBox = h("section", { class: "ind-communes-box" });
  const element = h("section", { class: "ind-detail", id: "ind-detail", hidden: true, dataset: { code: "", ready: "0" } },
    back, head, asOfBox, body, communeBox);

  /** The server's "as known on" instant: the end of that day in Vietnam. */
  const asOfInstant = (day) => new Date(`${day}T23:59:59.999+07:00`).toISOString();

  function valuesPath(indicator) {
    const params = new URLSearchParams({ unit: provinceUnit(settings) });
    const kind = indicator?.period;
    if (kind) params.set("from", startOfYearsBack(kind, HISTORY_YEARS[kind] ?? 2));
    if (state.asOf) params.set("asOf", asOfInstant(state.asOf));
    return `${BASE}/${encodeURIComponent(state.code)}/values?${params}`;
  }

  function open(code, force) {
    element.hidden = false;
    element.dataset.code = code;
    asOfInput.value = dayText(state.asOf);
    relabel();
    loadValues(force);
  }

  function loadValues(force) {
    const key = `${state.code}|${state.asOf}`;
    fetchInto(values, key, async () => {
      await catalogueReady;
      return api.get(valuesPath(indicatorByCode(state.code)));
    }, render, force);
  }

  function loadCommunes(force) {
    if (!communePeriod) return;
    fetchInto(communes, `${state.code}|${communePeriod}`,
      () => api.get(`${BASE}/${encodeURIComponent(state.code)}/communes?period=${encodeURIComponent(communePeriod)}`),
      renderCommunes, force);
  }

  // ---- Rendering ----

  function fact(label, value) {
    if (value == null || value === "") return null;
    return [h("dt", {}, label), h("dd", {}, value)];
  }

  function renderHead(indicator) {
    const name = localizedName(indicator) || state.code;
    const owner = localized(indicator?.ownerAgencyName) || indicator?.ownerAgency || "";
    setChildren(head,
      h("p", { class: "panel-kicker" }, t("indicators.detailKicker")),
      h("h2", { class: "panel-title ind-detail-title", tabindex: "-1" }, name, " ", h("span", { class: "ps-code mono ind-inline-code" }, state.code)),
      indicator
        ? h("dl", { class: "facts ind-facts" },
          fact(t("indicators.col.unit"), unitOf(indicator)),
          fact(t("indicators.periodKind"), indicator.period ? t(`indicators.periodKind.${indicator.period}`) : ""),
          fact(t("indicators.owner"), owner),
          fact(t("indicators.deadline"), indicator.deadline ? deadlineText(indicator.deadline) : ""),
          fact(t("indicators.formula"), indicator.formula || ""),
          fact(t("indicators.legalBasis"), indicator.legalBasis || ""))
        : null);
  }

  function chartBlock(data) {
    const indicator = data.indicator || indicatorByCode(state.code) || {};
    const rows = (Array.isArray(data.values) ? data.values : []).filter((row) => typeof row.value === "number");
    if (!rows.length) return null;
    const plans = data.plans && typeof data.plans === "object" ? data.plans : {};
    const planOf = (period) => (typeof plans[String(period).slice(0, 4)] === "number" ? plans[String(period).slice(0, 4)] : null);
    // The annual plan compares with the value itself when the value is a level or already cumulative; with the year
    // to date when the periods add up to the year.
    const additive = !indicator.cumulative && indicator.period !== "year" && indicator.aggregation === "sum";
    const ytd = additive ? rows.filter((row) => typeof row.yearToDate === "number").map((row) => ({ period: row.period, value: row.yearToDate })) : [];
    const plan = rows.map((row) => ({ period: row.period, value: planOf(row.period) })).filter((p) => typeof p.value === "number");
    const name = localizedName(indicator) || state.code;
    const unit = unitOf(indicator);
    // On a phone the chart is drawn narrower (its labels would shrink to nothing) with fewer periods named.
    const narrow = typeof matchMedia === "function" && matchMedia("(max-width: 600px)").matches;
    const chart = trendChart({
      width: narrow ? 400 : 720, height: narrow ? 250 : 260, maxLabels: narrow ? 4 : 8,
      points: rows.map((row) => ({
        period: row.period, value: row.value, revised: Boolean(row.revised),
        note: row.revised ? t("indicators.vintage", { vintage: row.vintage ?? "" }) : "",
      })),
      secondary: ytd.length > 1 ? ytd : null,
      plan: plan.length && (!additive || ytd.length > 1) ? plan : null,
      axes: true,
      formatValue: (v) => valueText(v, { digits: Math.abs(v) < 10 ? 2 : Math.abs(v) < 100 ? 1 : 0 }),
      formatPeriod: (p) => periodLabel(p, { short: true }),
      label: t("indicators.chartLabel", { name }),
      labels: { plan: t("indicators.plan"), revised: t("indicators.revised") },
    });
    chart.id = "ind-chart";
    const revisedCount = rows.filter((row) => row.revised).length;
    return h("figure", { class: "card ind-chart-card" },
      h("figcaption", { class: "ind-chart-caption" }, t("indicators.chartCaption", { name, unit })),
      chart,
      chartLegend([
        { kind: "value", label: t("indicators.legend.value") },
        ytd.length > 1 ? { kind: "secondary", label: t("indicators.legend.yearToDate") } : null,
        plan.length && (!additive || ytd.length > 1) ? { kind: "plan", label: t("indicators.legend.plan") } : null,
        revisedCount ? { kind: "revised", label: t("indicators.legend.revised") } : null,
      ]));
  }

  function valuesTable(data) {
    const indicator = data.indicator || indicatorByCode(state.code) || {};
    const rows = (Array.isArray(data.values) ? data.values : []).slice().reverse(); // newest first
    const head = ["period", "value", "status", "vsPrevious", "vsSamePeriod", "yearToDate", "yearToDateChange", "planPct", "vintage"];
    const numeric = new Set(["value", "vsPrevious", "vsSamePeriod", "yearToDate", "yearToDateChange", "planPct", "vintage"]);
    const table = scrollTable(t("indicators.valuesCaption", { name: localizedName(indicator) || state.code }), { id: "ind-values" },
      h("thead", {}, h("tr", {}, head.map((key) => h("th", { scope: "col", class: numeric.has(key) ? "ps-num" : null }, t(`indicators.col.${key}`))))),
      h("tbody", {}, rows.length
        ? rows.map((row) => h("tr", { dataset: { period: row.period, revised: row.revised ? "1" : "0" }, class: row.revised ? "ind-revised-row" : null },
          h("th", { scope: "row" }, periodLabel(row.period)),
          h("td", { class: "ps-num ps-strong" }, valueText(row.value)),
          h("td", {}, statusBadge(row.status)),
          h("td", { class: "ps-num" }, changeCell(row.changeVsPreviousPct, indicator)),
          h("td", { class: "ps-num" }, changeCell(row.changeVsSamePeriodPct, indicator)),
          h("td", { class: "ps-num" }, valueText(row.yearToDate)),
          h("td", { class: "ps-num" }, changeCell(row.yearToDateChangePct, indicator)),
          h("td", { class: "ps-num" }, pctText(row.planPct)),
          h("td", { class: "ps-num" },
            row.revised
              ? h("span", { class: "badge badge-warn ind-revised", title: t("indicators.revisedHint", { previous: valueText(row.previous) }) },
                t("indicators.revisedShort", { vintage: row.vintage ?? "" }))
              : row.vintage ?? EMPTY)))
        : h("tr", { class: "ps-empty" }, h("td", { colspan: head.length }, t("indicators.noValues")))));
    return table;
  }

  function render() {
    if (ind.removed || element.hidden) return;
    const { data, error, loading } = values;
    const indicator = data?.indicator || indicatorByCode(state.code);
    element.dataset.ready = data && !loading ? "1" : "0";
    body.classList.toggle("is-busy", loading && Boolean(data));
    renderHead(indicator);
    if (error) {
      setChildren(body, errorBox(error));
      setChildren(communeBox);
      return;
    }
    if (!data) {
      setChildren(body, loadingLine());
      return;
    }
    const plans = data.plans && typeof data.plans === "object" ? Object.entries(data.plans) : [];
    setChildren(body,
      state.asOf ? h("p", { class: "alert alert-warn ind-asof-note" }, t("indicators.asOfNote", { date: dayText(state.asOf) })) : null,
      h("p", { class: "ps-period-line" },
        h("span", {}, t("indicators.scope", { unit: localizedName(data.unit) || provinceUnit(settings) })),
        plans.length ? h("span", { class: "ps-dot", "aria-hidden": "true" }, "·") : null,
        plans.length ? h("span", {}, plans.map(([year, value]) => t("indicators.planOfYear", { year, value: valueText(value), unit: unitOf(indicator) })).join(" · ")) : null),
      chartBlock(data),
      h("h3", { class: "ps-subtitle" }, t("indicators.valuesTitle")),
      valuesTable(data));
    // The communes' ranking: for indicators kept by commune, at the latest period unless one was chosen.
    const periods = (Array.isArray(data.values) ? data.values : []).map((row) => row.period);
    if (indicator?.communes && periods.length) {
      if (!periods.includes(communePeriod)) communePeriod = periods[periods.length - 1];
      renderCommunes();
      loadCommunes(false);
    } else {
      setChildren(communeBox);
    }
  }

  function renderCommunes() {
    if (ind.removed || element.hidden) return;
    const periods = (Array.isArray(values.data?.values) ? values.data.values : []).map((row) => row.period).reverse();
    const select = h("select", { id: "ind-commune-period" }, periods.map((p) => h("option", { value: p }, periodLabel(p))));
    select.value = communePeriod;
    select.addEventListener("change", () => {
      communePeriod = select.value;
      loadCommunes(false);
    });
    const indicator = values.data?.indicator || indicatorByCode(state.code) || {};
    const { data, error } = communes;
    const rows = Array.isArray(data?.rows) ? data.rows.slice().sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9)) : [];
    setChildren(communeBox,
      h("div", { class: "ps-table-head" },
        h("h3", { class: "ps-subtitle" }, t("indicators.communesTitle")),
        h("div", { class: "field ind-inline-field" }, h("label", { for: "ind-commune-period" }, t("indicators.period")), select)),
      error ? errorBox(error) : !data ? loadingLine() : scrollTable(t("indicators.communesTitle"), { id: "ind-communes" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col", class: "ps-num" }, t("indicators.col.rank")),
          h("th", { scope: "col" }, t("indicators.col.commune")),
          h("th", { scope: "col", class: "ps-num" }, t("indicators.col.value")),
          h("th", { scope: "col", class: "ps-num" }, t("indicators.col.vsSamePeriod")),
          h("th", { scope: "col", class: "ps-num" }, t("indicators.col.planPct")))),
        h("tbody", {}, rows.length
          ? rows.map((row) => h("tr", { dataset: { unit: row.unit || "" } },
            h("td", { class: "ps-num" }, row.rank ?? EMPTY),
            h("th", { scope: "row" }, localizedName(row) || row.unit || ""),
            h("td", { class: "ps-num ps-strong" }, valueText(row.value)),
            h("td", { class: "ps-num" }, changeCell(row.changeVsSamePeriodPct, indicator)),
            h("td", { class: "ps-num" }, pctText(row.planPct))))
          : h("tr", { class: "ps-empty" }, h("td", { colspan: 5 }, t("indicators.noCommunes"))))));
  }

  function renderControls() {
    back.textContent = `← ${t("indicators.back")}`;
    asOfLabel.textContent = t("indicators.asOf");
    asOfHint.textContent = t("indicators.asOfHint");
    asOfClear.textContent = t("indicators.asOfClear");
    asOfClear.disabled = !state.asOf;
  }

  function relabel() {
    renderControls();
    render();
    if (communes.data || communes.error) renderCommunes();
  }

  return {
    element,
    open(code, force) {
      if (element.dataset.code !== code) communePeriod = "";
      open(code, force);
    },
    hide() {
      element.hidden = true;
      element.dataset.code = "";
    },
    relabel,
    invalidate() {
      values.key = null;
      communes.key = null;
    },
  };
}
