// Public services, sub-page "report": the monthly one-stop report form (vietnam.md §1.5 A) for a month or a report
// period, grouped by agency, commune, procedure or channel, with its XLSX export; a row drills into the scorecard.
import { api, errorMessage, request } from "../api.js";
import { h } from "../dom.js";
import { formatNumber, localized, t, tOr } from "../i18n.js";
import {
  AGENCY_SECTIONS, BASE, EMPTY, FORM_COLUMNS, GROUPINGS, OVERDUE_COUNTS, RATE_KEYS, ROMAN, XLSX_TYPE, count, errorBox,
  labelled, loadingLine, pathIcon, DOWNLOAD_PATH, percentText, periodControls, periodDays, periodLine, rateValue,
  scrollTable, setChildren,
} from "./public-services-common.js";

/** Builds the sub-page in its panel; `ps` is the page's shared context (public-services.js). */
export function create(ps) {
  const { state, names, agencyName, unitName, writeLocation, fetchInto, namesReady, periodQuery } = ps;

  const report = ps.resource();
  const reportControls = periodControls(state, "ps-report", () => {
    writeLocation();
    loadReport(false);
  });
  const groupSelect = h("select", { id: "ps-report-group" });
  groupSelect.addEventListener("change", () => {
    state.groupBy = groupSelect.value;
    writeLocation();
    loadReport(false);
  });
  const exportLink = h("a", { class: "btn btn-secondary ps-export", href: "#", onclick: exportReport });
  const exportMessage = h("div", { class: "alert alert-error", role: "alert", hidden: true });
  const groupField = labelled("ps-report-group", "ps.groupByLabel", groupSelect);
  const reportFilters = h("div", { class: "ps-filters" },
    ...reportControls.elements, groupField.element, h("div", { class: "ps-filter-action" }, exportLink));
  const reportBody = h("div", { class: "ps-result", "aria-live": "polite" });
  ps.panels.get("report")?.append(reportFilters, exportMessage, reportBody);
  let exporting = false;
  let exportError = null;

  const reportQuery = () => `${periodQuery()}&groupBy=${encodeURIComponent(state.groupBy)}`;

  function relabelReport() {
    reportControls.relabel();
    groupField.relabel();
    setChildren(groupSelect, ...GROUPINGS.map((group) => h("option", { value: group }, t(`ps.groupBy.${group}`))));
    groupSelect.value = state.groupBy;
    exportLink.href = `${BASE}/stats.xlsx?${reportQuery()}`;
    exportLink.setAttribute("aria-disabled", String(exporting));
    setChildren(exportLink, pathIcon(DOWNLOAD_PATH), h("span", {}, t(exporting ? "ps.exporting" : "ps.exportXlsx")));
    exportLink.title = t("ps.exportHint");
    exportMessage.hidden = !exportError;
    exportMessage.textContent = exportError ? (exportError.key ? t(exportError.key) : errorMessage(exportError)) : "";
  }

  function loadReport(force) {
    relabelReport();
    fetchInto(report, reportQuery(), async () => {
      const data = await api.get(`${BASE}/stats?${reportQuery()}`);
      await namesReady;
      return data;
    }, renderReport, force);
  }

  /** Downloads the XLSX of the current query; errors (e.g. 404 while the export is not deployed) show inline. */
  async function exportReport(event) {
    event.preventDefault();
    if (exporting) return;
    exporting = true;
    exportError = null;
    relabelReport();
    const query = reportQuery();
    try {
      // A 401 reaches the shell's handler, which sends the user to the login page.
      const { blob, filename: served } = await request("GET", `${BASE}/stats.xlsx?${query}`, undefined, {
        accept: `${XLSX_TYPE}, application/problem+json`, as: "blob",
      });
      const filename = served || `dich-vu-cong-${state.month}-${state.groupBy}.xlsx`;
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: filename, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      exportError = error.status === 404 ? { key: "ps.exportUnavailable" } : error;
    }
    exporting = false;
    if (!ps.removed) relabelReport();
  }

  function rowLabel(row) {
    switch (state.groupBy) {
      case "agency": return agencyName(row.key, row.label);
      case "unit": return row.key ? unitName(row.key, row.label) : t("ps.noUnit");
      case "channel": return row.key ? tOr(`ps.channel.${row.key}`, row.key) : EMPTY;
      case "procedure": return row.label || row.key || EMPTY;
      default: return t("ps.allDossiers");
    }
  }

  function drillTarget(row) {
    if (state.groupBy === "agency" && row.key) return { agency: row.key, unit: null };
    if (state.groupBy === "unit" && row.key) return { agency: null, unit: row.key };
    return null;
  }

  function drill(target) {
    state.agency = target.agency;
    state.unit = target.unit;
    ps.selectTab("scorecard");
    document.getElementById("ps-tab-scorecard")?.focus();
  }

  function formHead(definitions) {
    const th = (key, attrs = {}, titleText = null) =>
      h("th", { scope: attrs.colspan ? "colgroup" : "col", ...attrs, title: titleText || null }, t(key));
    const leaf = (column, attrs = {}) => {
      if (RATE_KEYS.includes(column)) {
        const definition = definitions?.[column];
        const tip = definition ? `${localized(definition.name)}: ${localized(definition.definition)}` : t(`ps.col.${column}Hint`);
        return h("th", { scope: "col", class: "ps-num ps-rate-head", title: tip, ...attrs },
          h("span", { class: "ps-has-tip" }, t(`ps.col.${column}`)));
      }
      return th(`ps.col.${column}`, { class: "ps-num", ...attrs }, t(`ps.col.${column}Hint`));
    };
    return h("thead", {},
      h("tr", {},
        h("th", { scope: "col", rowspan: 3, class: "ps-stt" }, t("ps.col.index")),
        h("th", { scope: "col", rowspan: 3, class: "ps-name" }, t(state.groupBy === "total" ? "ps.scopeLabel" : `ps.groupBy.${state.groupBy}`)),
        th("ps.col.toHandleGroup", { colspan: 6 }),
        th("ps.col.resolvedGroup", { colspan: 4 }),
        th("ps.col.inProgressGroup", { colspan: 2 }),
        th("ps.col.pausedGroup", { colspan: 2 }, t("ps.col.pausedGroupHint")),
        leaf("withdrawn", { rowspan: 3 }),
        th("ps.col.ratesGroup", { colspan: 2 })),
      h("tr", {},
        leaf("carriedOver", { rowspan: 2 }),
        th("ps.col.receivedGroup", { colspan: 4 }),
        leaf("toHandle", { rowspan: 2 }),
        ...["resolvedEarly", "resolvedOnTime", "resolvedLate", "resolved", "inProgressWithin", "inProgressOverdue", "pausedWithin", "pausedOverdue"]
          .map((column) => leaf(column, { rowspan: 2 })),
        ...RATE_KEYS.map((column) => leaf(column, { rowspan: 2 }))),
      h("tr", {}, ...["receivedOnline", "receivedDirect", "receivedPostal", "received"].map((column) => leaf(column))));
  }

  function formCells(counts) {
    return FORM_COLUMNS.map((column) => {
      const value = counts?.[column];
      if (RATE_KEYS.includes(column)) return h("td", { class: "ps-num ps-rate" }, rateValue(value));
      const bad = OVERDUE_COUNTS.has(column) && value > 0;
      const strong = ["received", "toHandle", "resolved"].includes(column);
      return h("td", { class: `ps-num${bad ? " ps-bad" : ""}${strong ? " ps-strong" : ""}` }, count(value));
    });
  }

  function formRow(row, index) {
    const target = drillTarget(row);
    const label = rowLabel(row);
    const nameCell = target
      ? h("button", {
        type: "button", class: "ps-link", title: t("ps.drillTitle", { name: label }),
      }, label)
      : h("span", {}, label);
    const code = state.groupBy === "agency" || state.groupBy === "procedure" ? row.key : null;
    return h("tr", { class: target ? "ps-clickable" : null, onclick: target ? () => drill(target) : null },
      h("td", { class: "ps-stt" }, formatNumber(index)),
      h("th", { scope: "row", class: "ps-name" }, nameCell, code && code !== label ? h("span", { class: "ps-code mono" }, code) : null),
      ...formCells(row.counts));
  }

  function agencySection(row) {
    const kind = names.agencies.get(row.key)?.kind;
    return AGENCY_SECTIONS.includes(kind) ? kind : "other";
  }

  function formBody(rows) {
    const columns = FORM_COLUMNS.length + 2;
    if (!rows.length) return h("tbody", {}, h("tr", { class: "ps-empty" }, h("td", { colspan: columns }, t("ps.noDossiers"))));
    if (state.groupBy !== "agency") return h("tbody", {}, rows.map((row, i) => formRow(row, i + 1)));
    const byName = (a, b) => rowLabel(a).localeCompare(rowLabel(b), "vi");
    const sections = AGENCY_SECTIONS.map((section) => ({ section, rows: rows.filter((row) => agencySection(row) === section).sort(byName) }))
      .filter((section) => section.rows.length);
    return h("tbody", {}, sections.map(({ section, rows: sectionRows }, s) => [
      h("tr", { class: "ps-section" },
        h("td", { class: "ps-stt" }, ROMAN[s] || String(s + 1)),
        h("th", { scope: "rowgroup", colspan: columns - 1 }, h("span", { class: "ps-sticky-label" }, t(`ps.section.${section}`)))),
      ...sectionRows.map((row, i) => formRow(row, i + 1)),
    ]));
  }

  function kpis(total) {
    const overdueNow = (total.inProgressOverdue ?? 0) + (total.pausedOverdue ?? 0);
    const item = (label, value, tone, title) =>
      h("div", { class: `ps-kpi${tone ? ` ${tone}` : ""}`, title: title || null },
        h("span", { class: "ps-kpi-value" }, value),
        h("span", { class: "ps-kpi-label" }, label));
    const definitions = report.data?.definitions || {};
    const rateTip = (key) => (definitions[key] ? `${localized(definitions[key].name)}: ${localized(definitions[key].definition)}` : null);
    return h("div", { class: "ps-kpis" },
      item(t("ps.kpi.toHandle"), count(total.toHandle)),
      item(t("ps.kpi.received"), count(total.received)),
      item(t("ps.kpi.resolved"), count(total.resolved)),
      item(t("ps.kpi.overdueOpen"), count(overdueNow), overdueNow > 0 ? "is-bad" : null),
      item(t("ps.col.onTimeRate"), percentText(total.onTimeRate) ?? EMPTY, null, rateTip("onTimeRate")),
      item(t("ps.col.earlyOrOnTimeAmongResolvedRate"), percentText(total.earlyOrOnTimeAmongResolvedRate) ?? EMPTY, null,
        rateTip("earlyOrOnTimeAmongResolvedRate")));
  }

  function definitionsList(definitions) {
    const entries = RATE_KEYS.filter((key) => definitions?.[key]);
    if (!entries.length) return null;
    return h("dl", { class: "ps-definitions" },
      entries.map((key) => [h("dt", {}, localized(definitions[key].name)), h("dd", {}, localized(definitions[key].definition))]));
  }

  function renderReport() {
    if (ps.removed) return;
    const { data, error, loading } = report;
    reportBody.classList.toggle("is-busy", loading && Boolean(data));
    reportBody.setAttribute("aria-busy", String(loading));
    if (error) {
      setChildren(reportBody, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(reportBody, loadingLine());
      return;
    }
    const rows = data.rows || [];
    const showTotal = state.groupBy !== "total" && rows.length > 0;
    const caption = t("ps.reportCaption", { period: t(`ps.period.${state.period}`, periodDays(state.month, state.period)) });
    const hint = state.groupBy === "agency" || state.groupBy === "unit" ? t(`ps.drillHint.${state.groupBy}`) : null;
    setChildren(reportBody, 
      periodLine(data),
      kpis(data.total || {}),
      h("div", { class: "ps-table-head" },
        h("h2", { class: "ps-subtitle" }, t("ps.reportTitle")),
        hint ? h("p", { class: "ps-hint" }, hint) : null),
      scrollTable(caption, "ps-form",
        formHead(data.definitions),
        formBody(rows),
        showTotal
          ? h("tfoot", {}, h("tr", {},
            h("td", { class: "ps-stt" }),
            h("th", { scope: "row", class: "ps-name" }, t("ps.total")),
            ...formCells(data.total)))
          : null),
      state.groupBy === "procedure" && rows.some((row) => !row.label) ? h("p", { class: "ps-note" }, t("ps.procedureNamesMissing")) : null,
      definitionsList(data.definitions));
  }

  return { resource: report, load: loadReport, relabel: relabelReport, render: renderReport };
}
