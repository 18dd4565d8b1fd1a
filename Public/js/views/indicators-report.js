// Indicators, sub-page "report": the monthly report (GET /indicators/report?month=YYYY-MM&group=) as the table the
// provincial office sends — Chỉ tiêu | ĐVT | Kế hoạch năm | Thực hiện tháng | Lũy kế | So cùng kỳ % | So kế hoạch % —
// with a month picker, a group filter and its XLSX (report.xlsx with the same query).
// Test hooks: `#ind-report` (the table), `#ind-report-month`, `#ind-report-group`, `#ind-report-xlsx`.
import { api, errorMessage } from "../api.js";
import { h } from "../dom.js";
import { localizedName, t } from "../i18n.js";
import {
  BASE, downloadIcon, downloadXlsx, errorBox, groupTree, indicatorName, labelled, loadingLine, monthOptions, pctText, periodLabel,
  scrollTable, setChildren, unitOf, valueText,
} from "./indicators-common.js";

/** Builds the sub-page in its panel; `ind` is the page's shared context (indicators.js). */
export function create(ind) {
  const { state, fetchInto, writeLocation, catalogue, catalogueReady } = ind;
  const report = ind.resource();

  const monthSelect = h("select", { id: "ind-report-month" });
  monthSelect.addEventListener("change", () => {
    state.month = monthSelect.value;
    writeLocation();
    load(false);
  });
  const groupSelect = h("select", { id: "ind-report-group" });
  groupSelect.addEventListener("change", () => {
    state.reportGroup = groupSelect.value;
    writeLocation();
    load(false);
  });
  const monthField = labelled("ind-report-month", "indicators.month", monthSelect);
  const groupField = labelled("ind-report-group", "indicators.group", groupSelect);
  const exportLabel = h("span", {});
  const exportLink = h("a", { class: "btn btn-secondary ps-export", id: "ind-report-xlsx", href: "#", onclick: exportReport }, downloadIcon(), exportLabel);
  const exportMessage = h("div", { class: "alert alert-error", role: "alert", hidden: true });
  const filters = h("div", { class: "ps-filters" }, monthField.element, groupField.element, h("div", { class: "ps-filter-action" }, exportLink));
  const body = h("div", { class: "ps-result", "aria-live": "polite" });
  ind.panels.get("report")?.append(filters, exportMessage, body);
  let exporting = false;

  const query = () => {
    const params = new URLSearchParams({ month: state.month });
    if (state.reportGroup) params.set("group", state.reportGroup);
    return params.toString();
  };

  function relabelControls() {
    monthField.relabel();
    groupField.relabel();
    setChildren(monthSelect, monthOptions(state.month));
    monthSelect.value = state.month;
    setChildren(groupSelect,
      h("option", { value: "" }, t("indicators.allGroups")),
      groupTree(catalogue.data?.groups).map(({ group, depth }) =>
        h("option", { value: group.code }, `${"\u00a0\u00a0".repeat(depth)}${localizedName(group)}`)));
    if (state.reportGroup && ![...groupSelect.options].some((o) => o.value === state.reportGroup)) {
      groupSelect.append(h("option", { value: state.reportGroup }, state.reportGroup));
    }
    groupSelect.value = state.reportGroup;
    exportLink.href = `${BASE}/report.xlsx?${query()}`;
    exportLink.setAttribute("aria-disabled", String(exporting));
    exportLabel.textContent = t(exporting ? "indicators.exporting" : "indicators.exportXlsx");
  }

  function load(force) {
    relabelControls();
    catalogueReady.then(() => {
      if (!ind.removed) relabelControls();
    });
    fetchInto(report, query(), () => api.get(`${BASE}/report?${query()}`), render, force);
  }

  /** Downloads the workbook of the current query through api.js (errors show inline). */
  async function exportReport(event) {
    event.preventDefault();
    if (exporting) return;
    exporting = true;
    exportMessage.hidden = true;
    relabelControls();
    const q = query();
    try {
      await downloadXlsx(`${BASE}/report.xlsx?${q}`, `chi-tieu-kt-xh-${state.month}.xlsx`);
    } catch (error) {
      exportMessage.hidden = false;
      exportMessage.textContent = error.status === 404 ? t("indicators.exportUnavailable") : errorMessage(error);
    }
    exporting = false;
    if (!ind.removed) relabelControls();
  }

  function row(item, index) {
    const indicator = item.indicator || {};
    const otherPeriod = item.period && item.period !== state.month;
    return h("tr", { dataset: { indicator: indicator.code || "" } },
      h("td", { class: "ps-stt ind-stt" }, String(index + 1)),
      h("th", { scope: "row", class: "ind-report-name" }, indicatorName(indicator)),
      h("td", {}, unitOf(indicator)),
      h("td", { class: "ps-num" }, valueText(item.plan)),
      h("td", { class: "ps-num ps-strong" }, valueText(item.value),
        otherPeriod ? h("span", { class: "ps-code" }, periodLabel(item.period)) : null),
      h("td", { class: "ps-num" }, valueText(item.yearToDate)),
      h("td", { class: "ps-num" }, pctText(item.samePeriodPct)),
      h("td", { class: "ps-num ps-strong" }, pctText(item.planPct)));
  }

  function render() {
    if (ind.removed) return;
    const { data, error, loading } = report;
    body.classList.toggle("is-busy", loading && Boolean(data));
    if (error) {
      setChildren(body, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(body, loadingLine());
      return;
    }
    const rows = Array.isArray(data.rows) ? data.rows : [];
    // Sections by group, in the catalogue's order.
    const order = new Map(groupTree(catalogue.data?.groups).map(({ group }, i) => [group.code, i]));
    const sections = [];
    for (const item of rows) {
      const code = item.indicator?.group || "";
      let section = sections.find((s) => s.code === code);
      if (!section) sections.push((section = { code, items: [] }));
      section.items.push(item);
    }
    sections.sort((a, b) => (order.get(a.code) ?? 1e9) - (order.get(b.code) ?? 1e9));
    const columns = ["index", "indicator", "unit", "planYear", "valueMonth", "yearToDate", "samePeriodPct", "planPct"];
    let n = 0;
    setChildren(body,
      h("div", { class: "ps-table-head" },
        h("h2", { class: "ps-subtitle" }, t("indicators.reportTitle", { month: periodLabel(data.month || state.month) })),
        h("p", { class: "ps-hint" }, t("indicators.reportHint"))),
      scrollTable(t("indicators.reportTitle", { month: periodLabel(data.month || state.month) }), { id: "ind-report", class: "ps-table ind-table ind-report" },
        h("thead", {}, h("tr", {}, columns.map((key) => h("th", {
          scope: "col", class: ["planYear", "valueMonth", "yearToDate", "samePeriodPct", "planPct"].includes(key) ? "ps-num" : null,
        }, t(`indicators.report.${key}`))))),
        h("tbody", {}, rows.length
          ? sections.map((section) => [
            sections.length > 1 || section.code
              ? h("tr", { class: "ps-section" }, h("th", { scope: "rowgroup", colspan: columns.length },
                localizedName(ind.groupByCode(section.code)) || section.code || t("indicators.otherGroup")))
              : null,
            section.items.map((item) => row(item, n++)),
          ])
          : h("tr", { class: "ps-empty" }, h("td", { colspan: columns.length }, t("indicators.noReportRows"))))),
      h("p", { class: "ps-note" }, t("indicators.reportNote")));
  }

  return {
    load,
    relabel() {
      relabelControls();
      render();
    },
    invalidate() {
      report.key = null;
    },
    liveTypes: ["indicators.approved", "indicators.plan", "indicators.catalog"],
  };
}
