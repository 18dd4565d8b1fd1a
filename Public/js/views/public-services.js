// Public services (Dịch vụ công): the monthly one-stop report form, dossiers overdue now with the drill-down to one
// dossier, the QĐ 766 scorecard and, for admins and operators, the import of a CSV or XLSX file.
// State lives in the hash (#/public-services/{tab}?month=…&period=…) so that a view can be shared or reloaded.
import { api, ApiError, errorMessage } from "../api.js";
import { h, icon } from "../dom.js";
import { formatDate, formatDateTime, formatNumber, getLanguage, t, tOr } from "../i18n.js";
import { unitDisplayName } from "../units.js";

const BASE = "/api/v1/public-services";
const ROUTE = "public-services";
const TABS = ["report", "overdue", "scorecard", "import"];
const GROUPINGS = ["agency", "unit", "procedure", "channel", "total"];
const PERIODS = ["calendarMonth", "reportMonth"];
const IMPORT_ROLES = new Set(["admin", "operator"]);
const MONTHS_SHOWN = 36;
const DUE_SOON_HOURS = [8, 24, 48, 72];
const DEFAULT_DUE_SOON_HOURS = 24;
const OVERDUE_LIMIT = 200;
const MAX_ERRORS_SHOWN = 1000;
const EMPTY = "—";
const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const IMPORT_TYPES = { csv: "text/csv", xlsx: XLSX_TYPE };
const RATE_KEYS = ["onTimeRate", "earlyOrOnTimeAmongResolvedRate"];
// Counters shown in red when not zero: they are the dossiers that missed their deadline.
const OVERDUE_COUNTS = new Set(["resolvedLate", "inProgressOverdue", "pausedOverdue"]);
// Sections of the monthly form when grouped by agency, in the order of the official report.
const AGENCY_SECTIONS = ["provinceCommittee", "department", "serviceCenter", "communeCommittee", "other"];
const ROMAN = ["I", "II", "III", "IV", "V", "VI"];

// The monthly form (vietnam.md §1.5 A): the body's columns in order, and the three header rows that group them.
const FORM_COLUMNS = [
  "carriedOver", "receivedOnline", "receivedDirect", "receivedPostal", "received", "toHandle",
  "resolvedEarly", "resolvedOnTime", "resolvedLate", "resolved",
  "inProgressWithin", "inProgressOverdue", "pausedWithin", "pausedOverdue", "withdrawn",
  ...RATE_KEYS,
];

// ---- Small helpers ----

function localized(message) {
  if (!message) return "";
  return message[getLanguage()] || message.vi || message.en || "";
}

function pad2(value) {
  return String(value).padStart(2, "0");
}

/** This month in Vietnam's time zone, as yyyy-MM. */
function currentMonth() {
  const [, month, year] = formatDate(new Date()).split("/");
  return `${year}-${month}`;
}

function todayDay() {
  return Number(formatDate(new Date()).split("/")[0]);
}

function validMonth(value) {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(value || "") ? value : null;
}

function shiftMonth(month, delta) {
  const [year, m] = month.split("-").map(Number);
  const index = year * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${pad2((index % 12) + 1)}`;
}

/** First and last day (dd/MM/yyyy) of a period, as the server computes it: calendar month, or 15th → 14th. */
function periodDays(month, period) {
  const [year, m] = month.split("-").map(Number);
  const day = (d, mm, yy) => `${pad2(d)}/${pad2(mm)}/${yy}`;
  if (period === "reportMonth") {
    const [py, pm] = m === 1 ? [year - 1, 12] : [year, m - 1];
    return { from: day(15, pm, py), to: day(14, m, year) };
  }
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return { from: day(1, m, year), to: day(last, m, year) };
}

function count(value) {
  return formatNumber(value ?? 0);
}

function percentText(rate) {
  if (typeof rate !== "number" || !Number.isFinite(rate)) return null;
  return t("ps.percent", { value: formatNumber(rate * 100, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) });
}

/** A rate, or "—" with an explanation when the denominator is 0. */
function rateValue(rate) {
  const text = percentText(rate);
  return text ?? h("span", { class: "ps-na", title: t("ps.notApplicable") }, EMPTY);
}

/** Points with two decimals (766 display convention); maxima are whole or half numbers and keep their own form. */
function scoreText(value, { exact = true } = {}) {
  return formatNumber(value, { minimumFractionDigits: exact ? 2 : 0, maximumFractionDigits: 2 });
}

function maxText(value) {
  return scoreText(value, { exact: false });
}

function sizeText(bytes) {
  if (bytes >= 1024 * 1024) return t("ps.sizeMB", { value: formatNumber(bytes / (1024 * 1024)) });
  return t("ps.sizeKB", { value: formatNumber(Math.max(bytes, 1) / 1024) });
}

/** Replaces an element's children, skipping null and false and flattening arrays (like `h`). */
function setChildren(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((child) => child != null && child !== false));
}

function mono(value) {
  return value == null || value === "" ? EMPTY : h("span", { class: "mono" }, value);
}

/** A small line icon drawn from a path (the shared sprite has no download or upload icon). */
function pathIcon(d) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d);
  svg.append(path);
  return svg;
}
const DOWNLOAD_PATH = "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3";
const UPLOAD_PATH = "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M17 8l-5-5-5 5M12 3v12";

/** A labelled form control, built once; `relabel()` re-words it so that a focused control is never replaced. */
function labelled(id, labelKey, control) {
  const label = h("label", { for: id });
  const element = h("div", { class: "field" }, label, control);
  const relabel = () => {
    label.textContent = t(labelKey);
  };
  relabel();
  return { element, relabel };
}

function loadingLine() {
  return h("p", { class: "muted", role: "status" }, t("app.loading"));
}

function errorBox(error) {
  return h("div", { class: "alert alert-error", role: "alert" }, errorMessage(error));
}

/** "Kỳ: 01/10/2026 – 31/10/2026 · Số liệu chốt đến hết ngày 31/10/2026" from a stats or scorecard answer. */
function periodLine(data) {
  const from = new Date(data.from);
  const lastInstant = new Date(new Date(data.to).getTime() - 1);
  const asOf = new Date(data.asOf);
  const closed = asOf.getTime() >= new Date(data.to).getTime();
  return h("p", { class: "ps-period-line" },
    h("span", {}, t("ps.periodRange", { from: formatDate(from), to: formatDate(lastInstant) })),
    h("span", { class: "ps-dot", "aria-hidden": "true" }, "·"),
    h("span", {}, closed
      ? t("ps.asOfClosed", { date: formatDate(lastInstant) })
      : t("ps.asOfNow", { time: formatDateTime(asOf) })));
}

/** A table that scrolls sideways inside its own box (also on phones), with a caption for screen readers. */
function scrollTable(caption, className, ...parts) {
  return h("div", { class: "ps-scroll", tabindex: "0", role: "region", "aria-label": caption },
    h("table", { class: `ps-table ${className || ""}` }, h("caption", { class: "visually-hidden" }, caption), ...parts));
}

function timelinessBadge(code, name) {
  const tone = ["late", "inProgressOverdue", "pausedOverdue"].includes(code)
    ? "badge-bad"
    : ["early", "onTime"].includes(code) ? "badge-ok" : ["pausedWithin"].includes(code) ? "badge-warn" : "badge-soon";
  return h("span", { class: `badge ${tone}` }, name ? localized(name) : tOr(`ps.timeliness.${code}`, code));
}

function apologyBadge(issued, { long = false } = {}) {
  if (issued === true) return h("span", { class: "badge badge-ok" }, t("ps.apology.issued"));
  if (issued === false) return h("span", { class: "badge badge-bad" }, t("ps.apology.missing"));
  if (long) return h("span", { class: "badge badge-muted" }, t("ps.apology.unknownLong"));
  return h("span", { class: "muted" }, t("ps.apology.unknown"));
}

function yesNo(value) {
  if (value == null) return EMPTY;
  return t(value ? "ps.yes" : "ps.no");
}

// ---- The view ----

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
    if (agency) return getLanguage() === "en" ? agency.nameEn || agency.name : agency.name;
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
      const badge = tab === "overdue" && overdue.data
        ? h("span", { class: `ps-tab-count ${overdue.data.overdue.length ? "is-bad" : ""}` }, formatNumber(overdue.data.overdue.length))
        : null;
      setChildren(button, h("span", {}, t(`ps.tab.${tab}`)), badge);
      panels.get(tab).hidden = !selected;
    }
  }

  function loadTab(force) {
    if (state.tab === "report") loadReport(force);
    else if (state.tab === "overdue") loadOverdue(force);
    else if (state.tab === "scorecard") loadScorecard(force);
    else renderImport();
  }

  // ---- Shared period controls (month and period kind) ----

  function monthOptions(select) {
    const options = [];
    let first = currentMonth();
    if (state.period === "reportMonth" && todayDay() >= 15) first = shiftMonth(first, 1);
    const months = Array.from({ length: MONTHS_SHOWN }, (_, i) => shiftMonth(first, -i));
    if (!months.includes(state.month)) months.unshift(state.month);
    for (const month of months) {
      const [year, m] = month.split("-");
      options.push(h("option", { value: month }, t("ps.monthOption", { month: m, year })));
    }
    setChildren(select, ...options);
    select.value = state.month;
  }

  function periodOptions(select) {
    setChildren(select, ...PERIODS.map((period) => h("option", { value: period }, t(`ps.period.${period}`, periodDays(state.month, period)))));
    select.value = state.period;
  }

  /** Month and period selects for one panel; a change applies to both the report and the scorecard. */
  function periodControls(prefix, onChange) {
    const month = h("select", { id: `${prefix}-month` });
    const period = h("select", { id: `${prefix}-period` });
    month.addEventListener("change", () => {
      state.month = month.value;
      periodOptions(period);
      onChange();
    });
    period.addEventListener("change", () => {
      state.period = period.value;
      monthOptions(month);
      onChange();
    });
    const fields = [labelled(`${prefix}-month`, "ps.month", month), labelled(`${prefix}-period`, "ps.periodKind", period)];
    return {
      elements: fields.map((f) => f.element),
      relabel() {
        for (const f of fields) f.relabel();
        monthOptions(month);
        periodOptions(period);
      },
    };
  }

  // ================= (1) Monthly report =================

  const report = resource();
  const reportControls = periodControls("ps-report", () => {
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
  panels.get("report")?.append(reportFilters, exportMessage, reportBody);
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
      let response;
      try {
        response = await fetch(`${BASE}/stats.xlsx?${query}`, { credentials: "same-origin", headers: { Accept: `${XLSX_TYPE}, application/problem+json` } });
      } catch (cause) {
        throw new ApiError(0, null, { cause });
      }
      if (!response.ok) {
        const type = response.headers.get("Content-Type") || "";
        const problem = type.includes("json") ? await response.json().catch(() => null) : null;
        if (response.status === 401) api.get("/api/v1/session").catch(() => {}); // lets the shell send us to the login page
        throw response.status === 404 ? { key: "ps.exportUnavailable" } : new ApiError(response.status, problem);
      }
      const blob = await response.blob();
      const disposition = response.headers.get("Content-Disposition") || "";
      const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
      const filename = match ? decodeURIComponent(match[1]) : `dich-vu-cong-${state.month}-${state.groupBy}.xlsx`;
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: filename, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      exportError = error;
    }
    exporting = false;
    if (!removed) relabelReport();
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
    selectTab("scorecard");
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
    if (removed) return;
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

  // ================= (2) Overdue now =================

  const overdue = resource();
  const hoursSelect = h("select", { id: "ps-overdue-hours" });
  hoursSelect.addEventListener("change", () => {
    state.hours = Number(hoursSelect.value);
    writeLocation();
    loadOverdue(false);
  });
  const agencyFilter = h("select", { id: "ps-overdue-agency" });
  agencyFilter.addEventListener("change", () => {
    state.overdueAgency = agencyFilter.value;
    renderOverdue();
  });
  const hoursField = labelled("ps-overdue-hours", "ps.dueSoonWithin", hoursSelect);
  const agencyField = labelled("ps-overdue-agency", "ps.agency", agencyFilter);
  const overdueFilters = h("div", { class: "ps-filters" }, hoursField.element, agencyField.element);
  const overdueBody = h("div", { class: "ps-result", "aria-live": "polite" });
  panels.get("overdue")?.append(overdueFilters, overdueBody);

  function relabelOverdue() {
    setChildren(hoursSelect, ...DUE_SOON_HOURS.map((hours) => h("option", { value: String(hours) }, t("ps.hoursOption", { count: formatNumber(hours) }))));
    hoursSelect.value = String(state.hours);
    const codes = new Set();
    for (const item of [...(overdue.data?.overdue || []), ...(overdue.data?.dueSoon || [])]) codes.add(item.agencyCode);
    const sorted = [...codes].sort((a, b) => agencyName(a).localeCompare(agencyName(b), "vi"));
    if (state.overdueAgency && !codes.has(state.overdueAgency)) state.overdueAgency = "";
    setChildren(agencyFilter, 
      h("option", { value: "" }, t("ps.allAgencies")),
      ...sorted.map((code) => h("option", { value: code }, agencyName(code))));
    agencyFilter.value = state.overdueAgency;
    hoursField.relabel();
    agencyField.relabel();
  }

  function loadOverdue(force) {
    relabelOverdue();
    fetchInto(overdue, String(state.hours), async () => {
      const data = await api.get(`${BASE}/overdue?dueSoonHours=${state.hours}&limit=${OVERDUE_LIMIT}`);
      await namesReady;
      return data;
    }, () => {
      relabelOverdue();
      renderOverdue();
      renderTabs();
    }, force);
  }

  function codeButton(code) {
    return h("button", { type: "button", class: "ps-link mono", onclick: () => openDossier(code), title: t("ps.openDossier", { code }) }, code);
  }

  function remaining(item, asOf) {
    if (!item.dueAt) return EMPTY;
    const hours = (new Date(item.dueAt).getTime() - new Date(asOf).getTime()) / 3_600_000;
    if (hours <= 0) return h("span", { class: "muted", title: t("ps.pausedDueHint") }, EMPTY);
    return hours < 1 ? t("ps.lessThanHour") : t("ps.hoursLeft", { count: formatNumber(Math.floor(hours)) });
  }

  function daysLateCell(item) {
    if (item.daysLate > 0) return h("strong", { class: "ps-bad" }, formatNumber(item.daysLate));
    return h("span", { class: "muted", title: t("ps.lateWithoutDaysHint") }, EMPTY);
  }

  function dossierTable(items, kind, asOf) {
    const columns = [
      { label: "ps.col.code", class: "ps-nowrap", value: (item) => codeButton(item.code) },
      { label: "ps.col.procedure", class: "ps-wide", value: (item) => item.procedureName },
      { label: "ps.agency", class: "ps-mid", value: (item) => agencyName(item.agencyCode) },
      { label: "ps.col.unit", class: "ps-unit", value: (item) => unitName(item.unitCode) || EMPTY },
      { label: "ps.col.receivedAt", class: "ps-nowrap", value: (item) => formatDateTime(item.receivedAt) },
      { label: "ps.col.dueAt", class: "ps-nowrap", value: (item) => formatDateTime(item.dueAt) || EMPTY },
      { label: "ps.col.timeliness", value: (item) => timelinessBadge(item.timeliness) },
      ...(kind === "overdue"
        ? [
          { label: "ps.col.daysLate", class: "ps-num", value: daysLateCell },
          { label: "ps.col.apology", value: (item) => apologyBadge(item.apologyIssued) },
        ]
        : [{ label: "ps.col.remaining", class: "ps-nowrap", value: (item) => remaining(item, asOf) }]),
    ];
    const caption = t(kind === "overdue" ? "ps.overdueTitle" : "ps.dueSoonTitle", { count: formatNumber(state.hours) });
    return scrollTable(caption, "ps-list",
      h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col", class: column.class }, t(column.label))))),
      h("tbody", {}, items.length
        ? items.map((item) => h("tr", { class: kind === "overdue" && item.apologyIssued === false ? "ps-attention" : null },
          columns.map((column) => h("td", { class: column.class }, column.value(item)))))
        : h("tr", { class: "ps-empty" }, h("td", { colspan: columns.length }, t(kind === "overdue" ? "ps.noOverdue" : "ps.noDueSoon")))));
  }

  function renderOverdue() {
    if (removed) return;
    const { data, error, loading } = overdue;
    overdueBody.classList.toggle("is-busy", loading && Boolean(data));
    overdueBody.setAttribute("aria-busy", String(loading));
    if (error) {
      setChildren(overdueBody, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(overdueBody, loadingLine());
      return;
    }
    const keep = (item) => !state.overdueAgency || item.agencyCode === state.overdueAgency;
    const late = data.overdue.filter(keep);
    const soon = data.dueSoon.filter(keep);
    const withoutApology = late.filter((item) => item.apologyIssued === false).length;
    setChildren(overdueBody, 
      h("p", { class: "ps-period-line" }, t("ps.situationAt", { time: formatDateTime(data.asOf) })),
      h("div", { class: "ps-kpis ps-kpis--3" },
        h("div", { class: `ps-kpi${late.length ? " is-bad" : ""}` },
          h("span", { class: "ps-kpi-value" }, formatNumber(late.length)), h("span", { class: "ps-kpi-label" }, t("ps.kpi.overdue"))),
        h("div", { class: `ps-kpi${withoutApology ? " is-bad" : ""}` },
          h("span", { class: "ps-kpi-value" }, formatNumber(withoutApology)), h("span", { class: "ps-kpi-label" }, t("ps.kpi.withoutApology"))),
        h("div", { class: `ps-kpi${soon.length ? " is-warn" : ""}` },
          h("span", { class: "ps-kpi-value" }, formatNumber(soon.length)),
          h("span", { class: "ps-kpi-label" }, t("ps.kpi.dueSoon", { count: formatNumber(state.hours) })))),
      h("div", { class: "ps-table-head" },
        h("h2", { class: "ps-subtitle" }, t("ps.overdueTitle"), " ", h("span", { class: "badge badge-bad" }, formatNumber(late.length))),
        h("p", { class: "ps-hint" }, t("ps.overdueHint"))),
      dossierTable(late, "overdue", data.asOf),
      data.overdue.length >= OVERDUE_LIMIT ? h("p", { class: "ps-note" }, t("ps.limitNote", { count: formatNumber(OVERDUE_LIMIT) })) : null,
      h("div", { class: "ps-table-head" },
        h("h2", { class: "ps-subtitle" }, t("ps.dueSoonTitle", { count: formatNumber(state.hours) }), " ",
          h("span", { class: "badge badge-warn" }, formatNumber(soon.length)))),
      dossierTable(soon, "dueSoon", data.asOf),
      data.dueSoon.length >= OVERDUE_LIMIT ? h("p", { class: "ps-note" }, t("ps.limitNote", { count: formatNumber(OVERDUE_LIMIT) })) : null);
  }

  // ---- Dossier drill-down (a side panel) ----

  const dossier = resource();
  const drawerTitle = h("h2", { class: "panel-title mono", id: "ps-drawer-title" });
  const drawerKicker = h("p", { class: "panel-kicker" });
  const drawerClose = h("button", { type: "button", class: "icon-button panel-close", onclick: () => closeDossier() }, icon("close"));
  const drawerBody = h("div", { class: "ps-drawer-body", "aria-live": "polite" });
  const drawer = h("dialog", { class: "ps-drawer", "aria-labelledby": "ps-drawer-title" },
    h("div", { class: "panel-head" }, h("div", {}, drawerKicker, drawerTitle), drawerClose),
    drawerBody);
  drawer.addEventListener("close", () => {
    if (state.dossier) {
      state.dossier = null;
      writeLocation();
    }
  });
  drawer.addEventListener("click", (event) => {
    if (event.target === drawer) closeDossier(); // a click on the backdrop
  });
  root.append(drawer);

  function openDossier(code) {
    state.dossier = code;
    writeLocation();
    if (!drawer.open) drawer.showModal();
    fetchInto(dossier, code, async () => {
      const data = await api.get(`${BASE}/dossiers/${encodeURIComponent(code)}`);
      await namesReady;
      return data;
    }, renderDossier, true);
  }

  function closeDossier() {
    if (drawer.open) drawer.close();
  }

  function timelineEvents(d) {
    const events = [];
    const add = (at, label, kind, detail, order, tone = null) => {
      if (at) events.push({ at: new Date(at), label, kind, detail, order, tone });
    };
    add(d.receivedAt, t("ps.event.received"), "start", null, 0);
    if (d.effectiveReceivedAt && d.effectiveReceivedAt !== d.receivedAt) {
      add(d.effectiveReceivedAt, t("ps.event.effective"), "info", t("ps.event.effectiveHint"), 1);
    }
    // Status changes that only restate another event (receipt, a supplement request or its completion) are left out.
    const same = (a, b) => a && b && new Date(a).getTime() === new Date(b).getTime();
    const supplements = d.supplements || [];
    for (const entry of d.history || []) {
      if (entry.status === 2 && same(entry.at, d.receivedAt)) continue;
      if (entry.status === 5 && supplements.some((s) => same(s.requestedAt, entry.at))) continue;
      if (entry.status === 4 && supplements.some((s) => same(s.completedAt, entry.at))) continue;
      add(entry.at, tOr(`ps.status.${entry.status}`, String(entry.status)), "status", null, 2);
    }
    supplements.forEach((supplement, i) => {
      const n = formatNumber(i + 1);
      add(supplement.requestedAt, t("ps.event.supplementRequested", { n }), "pause",
        supplement.completedAt ? null : t("ps.event.supplementPending"), 3);
      add(supplement.completedAt, t("ps.event.supplementCompleted", { n }), "resume", null, 3);
    });
    const statuses = new Set((d.history || []).map((entry) => entry.status));
    if (d.finishedAt && !statuses.has(9)) add(d.finishedAt, t("ps.status.9"), "status", null, 2);
    if (d.returnedAt && !statuses.has(10)) add(d.returnedAt, t("ps.status.10"), "status", null, 2);
    const overdueNow = ["late", "inProgressOverdue", "pausedOverdue"].includes(d.timeliness);
    add(d.dueAt, t("ps.event.due"), "due", t(`ps.dueSource.${d.dueSource}`), 4);
    const tone = overdueNow ? "is-late" : "is-ok";
    if (d.endOfProcessingAt) add(d.endOfProcessingAt, t("ps.event.end"), "end", localized(d.timelinessName), 5, tone);
    else add(d.asOf, t("ps.event.now"), "now", localized(d.timelinessName), 6, tone);
    return events.sort((a, b) => a.at - b.at || a.order - b.order);
  }

  function limitText(limit) {
    if (!limit) return EMPTY;
    return t(`ps.limit.${limit.unit}`, { count: formatNumber(limit.value) });
  }

  function renderDossier() {
    if (removed) return;
    drawerKicker.textContent = t("ps.dossier");
    drawerTitle.textContent = state.dossier || dossier.key || "";
    drawerClose.setAttribute("aria-label", t("map.closePanel"));
    drawerClose.title = t("map.closePanel");
    const { data, error } = dossier;
    if (error) {
      setChildren(drawerBody, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(drawerBody, loadingLine());
      return;
    }
    const agency = agencyName(data.agencyCode, data.agencyName);
    const fact = (labelKey, value) => [h("dt", {}, t(labelKey)), h("dd", {}, value == null || value === "" ? EMPTY : value)];
    setChildren(drawerBody, 
      h("div", { class: "ps-dossier-head" },
        h("p", { class: "ps-dossier-procedure" }, data.procedureName),
        h("p", { class: "ps-code" }, t("ps.procedureCodeLabel"), " ", mono(data.procedureCode))),
      h("div", { class: "ps-badges" },
        timelinessBadge(data.timeliness, data.timelinessName),
        data.daysLate > 0 ? h("span", { class: "badge badge-bad" }, t("ps.daysLateBadge", { count: formatNumber(data.daysLate) })) : null,
        ["late", "inProgressOverdue", "pausedOverdue"].includes(data.timeliness) || data.apologyIssued != null ? apologyBadge(data.apologyIssued, { long: true }) : null,
        (data.supplements || []).length > 1 ? h("span", { class: "badge badge-warn" }, t("ps.multipleSupplements")) : null),
      h("dl", { class: "facts ps-facts" },
        fact("ps.agency", agency),
        fact("ps.col.unit", unitName(data.unitCode)),
        fact("ps.currentStatus", localized(data.statusName)),
        fact("ps.channelLabel", tOr(`ps.channel.${data.channel}`, data.channel)),
        fact("ps.onlineLevel", data.onlineLevel ? t(`ps.onlineLevel.${data.onlineLevel}`) : null),
        fact("ps.limitLabel", limitText(data.limit)),
        fact("ps.col.dueAt", formatDateTime(data.dueAt)),
        fact("ps.paidOnline", yesNo(data.paidOnline)),
        fact("ps.digitized", yesNo(data.digitized)),
        fact("ps.eResult", yesNo(data.eResult))),
      h("h3", { class: "ps-subtitle" }, t("ps.timeline")),
      h("ol", { class: "ps-timeline" },
        timelineEvents(data).map((event) => h("li", { class: `ps-event ps-event--${event.kind}${event.tone ? ` ${event.tone}` : ""}` },
          h("time", { datetime: event.at.toISOString() }, formatDateTime(event.at)),
          h("span", { class: "ps-event-label" }, event.label),
          event.detail ? h("span", { class: "ps-event-detail" }, event.detail) : null))),
      h("p", { class: "ps-note" }, t("ps.assessedAt", { time: formatDateTime(data.asOf) })));
  }

  // ================= (3) QĐ 766 scorecard =================

  const scorecard = resource();
  const scoreControls = periodControls("ps-score", () => {
    writeLocation();
    loadScorecard(false);
  });
  const scopeSelect = h("select", { id: "ps-score-scope" });
  scopeSelect.addEventListener("change", () => {
    state.agency = scopeSelect.value || null;
    writeLocation();
    loadScorecard(false);
  });
  const scopeField = labelled("ps-score-scope", "ps.scopeLabel", scopeSelect);
  const unitChipBox = h("div", { class: "ps-filter-action" });
  const scoreFilters = h("div", { class: "ps-filters" }, ...scoreControls.elements, scopeField.element, unitChipBox);
  const scoreBody = h("div", { class: "ps-result", "aria-live": "polite" });
  panels.get("scorecard")?.append(scoreFilters, scoreBody);

  const scorecardQuery = () => {
    let query = periodQuery();
    if (state.agency) query += `&agency=${encodeURIComponent(state.agency)}`;
    if (state.unit) query += `&unit=${encodeURIComponent(state.unit)}`;
    return query;
  };

  function relabelScorecard() {
    scoreControls.relabel();
    scopeField.relabel();
    const agencies = [...names.agencies.values()].filter((agency) => agency.active !== false && withinUserAgency(agency));
    const byKind = (kind) => agencies.filter((agency) => (AGENCY_SECTIONS.includes(agency.kind) ? agency.kind : "other") === kind)
      .sort((a, b) => agencyName(a.code).localeCompare(agencyName(b.code), "vi"));
    setChildren(scopeSelect, 
      h("option", { value: "" }, wholeScopeLabel()),
      ...AGENCY_SECTIONS.map((kind) => {
        const list = byKind(kind);
        return list.length
          ? h("optgroup", { label: t(`ps.section.${kind}`) }, list.map((agency) => h("option", { value: agency.code }, agencyName(agency.code))))
          : null;
      }).filter(Boolean));
    if (state.agency && !names.agencies.has(state.agency)) scopeSelect.append(h("option", { value: state.agency }, state.agency));
    scopeSelect.value = state.agency || "";
    unitChipBox.hidden = !state.unit;
    setChildren(unitChipBox, state.unit
      ? h("span", { class: "ps-chip" },
          h("span", {}, t("ps.scope.unit", { name: unitName(state.unit) })),
          h("button", {
            type: "button", class: "icon-button ps-chip-remove", title: t("ps.scope.removeUnit"), "aria-label": t("ps.scope.removeUnit"),
            onclick: () => {
              state.unit = null;
              writeLocation();
              loadScorecard(false);
            },
          }, icon("close")))
      : "");
  }

  function loadScorecard(force) {
    relabelScorecard();
    namesReady.then(() => {
      if (!removed) relabelScorecard();
    });
    fetchInto(scorecard, scorecardQuery(), async () => {
      const data = await api.get(`${BASE}/scorecard?${scorecardQuery()}`);
      await namesReady;
      return data;
    }, renderScorecard, force);
  }

  function scopeTitle() {
    const parts = [];
    if (state.agency) parts.push(agencyName(state.agency));
    if (state.unit) parts.push(unitName(state.unit));
    return parts.length ? parts.join(" · ") : wholeScopeLabel();
  }

  /** "Toàn tỉnh", or "everything assigned to you" for a user who belongs to an agency (the server scopes the figures). */
  function wholeScopeLabel() {
    return scopedToAgency() ? t("ps.scope.assigned", { name: agencyName(user.agency.code, user.agency.name) }) : t("ps.scope.province");
  }

  /** Whether the user's figures are limited to an agency below the province (the provincial committee sees it all). */
  function scopedToAgency() {
    // The server limits only officers to their agency; operators, leaders and analysts read the whole province.
    return user?.role === "officer" && Boolean(user?.agency);
  }

  /** Whether an agency is the user's own or below it; every agency for users who do not belong to one. */
  function withinUserAgency(agency) {
    const own = user?.agency;
    if (!scopedToAgency()) return true;
    const byID = new Map([...names.agencies.values()].map((a) => [a.id, a]));
    for (let current = agency, depth = 0; current && depth < 20; current = byID.get(current.parentID), depth += 1) {
      if (current.id === own.id || current.code === own.code) return true;
    }
    return false;
  }

  function rateBar(rate, threshold) {
    const fill = h("span", { class: "ps-bar-fill" });
    fill.style.setProperty("width", `${Math.max(0, Math.min(1, rate ?? 0)) * 100}%`);
    const bar = h("span", { class: "ps-bar", "aria-hidden": "true" }, fill);
    if (typeof threshold === "number") {
      const mark = h("span", { class: "ps-bar-mark" });
      mark.style.setProperty("left", `${Math.min(1, threshold) * 100}%`);
      bar.append(mark);
      if (rate != null && rate < threshold) bar.classList.add("is-below");
    }
    return bar;
  }

  function indicatorRow(indicator) {
    const idCell = h("td", { class: "ps-nowrap ps-ind-id" }, mono(indicator.id));
    const nameCell = h("td", { class: "ps-ind-name" },
      h("span", { class: "ps-ind-title" }, localized(indicator.name)),
      h("span", { class: "ps-formula" }, localized(indicator.formula)));
    const max = indicator.maxScore > 0 ? maxText(indicator.maxScore) : null;
    if (!indicator.supported) {
      return h("tr", { class: "ps-unsupported" },
        idCell, nameCell,
        h("td", { colspan: 3, class: "ps-reason" },
          h("span", { class: "badge badge-muted" }, t("ps.notSupported")), " ", localized(indicator.reason)),
        h("td", { class: "ps-num ps-nowrap" }, max ? t("ps.scoreOf", { score: EMPTY, max }) : t("ps.monitorOnly")));
    }
    const hasRate = typeof indicator.rate === "number";
    const threshold = typeof indicator.threshold === "number" ? indicator.threshold : null;
    return h("tr", {},
      idCell, nameCell,
      h("td", { class: "ps-num ps-nowrap" },
        indicator.denominator != null ? t("ps.fraction", { numerator: count(indicator.numerator), denominator: count(indicator.denominator) }) : EMPTY),
      h("td", { class: "ps-rate-cell" },
        h("span", { class: `ps-rate-value${hasRate && threshold != null && indicator.rate < threshold ? " ps-bad" : ""}` }, rateValue(indicator.rate)),
        hasRate ? rateBar(indicator.rate, threshold) : null),
      h("td", { class: "ps-num ps-nowrap" }, threshold != null ? percentText(threshold) : EMPTY),
      h("td", { class: "ps-num ps-nowrap ps-strong" },
        max
          ? t("ps.scoreOf", { score: indicator.score != null ? scoreText(indicator.score) : EMPTY, max })
          : t("ps.monitorOnly")));
  }

  function renderScorecard() {
    if (removed) return;
    const { data, error, loading } = scorecard;
    scoreBody.classList.toggle("is-busy", loading && Boolean(data));
    scoreBody.setAttribute("aria-busy", String(loading));
    if (error) {
      setChildren(scoreBody, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(scoreBody, loadingLine());
      return;
    }
    const indicators = data.indicators || [];
    const groups = [];
    for (const indicator of indicators) {
      const group = String(indicator.id).split(".")[0];
      let entry = groups.find((g) => g.group === group);
      if (!entry) groups.push((entry = { group, items: [] }));
      entry.items.push(indicator);
    }
    const supportedCount = indicators.filter((i) => i.supported).length;
    const share = data.scoredMaxScore > 0 ? data.totalScore / data.scoredMaxScore : null;
    const caption = t("ps.scorecardTitle", { scope: scopeTitle() });
    setChildren(scoreBody, 
      periodLine(data),
      h("div", { class: "ps-score-summary card" },
        h("div", { class: "ps-score-main" },
          h("p", { class: "panel-kicker" }, t("ps.scorecardKicker", { scope: scopeTitle() })),
          h("p", { class: "ps-score-total" },
            h("strong", {}, scoreText(data.totalScore)), " / ", maxText(data.scoredMaxScore), " ", t("ps.points")),
          h("p", { class: "ps-score-qualifier" }, t("ps.onIndicatorsWithData")),
          share != null ? rateBar(share, null) : null),
        h("ul", { class: "ps-score-notes" },
          h("li", {}, t("ps.scoreNote.supported", { count: formatNumber(supportedCount), total: formatNumber(indicators.length) })),
          h("li", {}, t("ps.scoreNote.maxima", {
            scored: maxText(data.scoredMaxScore), supported: maxText(data.supportedMaxScore), full: maxText(data.fullMaxScore),
          })),
          h("li", {}, t("ps.scoreNote.rule")))),
      scrollTable(caption, "ps-scorecard",
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("ps.col.indicatorId")),
          h("th", { scope: "col" }, t("ps.col.indicator")),
          h("th", { scope: "col", class: "ps-num" }, t("ps.col.fraction")),
          h("th", { scope: "col" }, t("ps.col.rate")),
          h("th", { scope: "col", class: "ps-num" }, t("ps.col.threshold")),
          h("th", { scope: "col", class: "ps-num" }, t("ps.col.score")))),
        groups.map(({ group, items }) => {
          const max = items.reduce((sum, i) => sum + (i.maxScore || 0), 0);
          const scored = items.reduce((sum, i) => sum + (i.supported && i.score != null ? i.score : 0), 0);
          const any = items.some((i) => i.supported && i.score != null);
          return h("tbody", {},
            h("tr", { class: "ps-section" },
              h("th", { scope: "rowgroup", colspan: 5 }, t("ps.indicatorGroup", { n: group, name: tOr(`ps.indicatorGroup.${group}`, group) })),
              h("td", { class: "ps-num ps-nowrap" }, t("ps.scoreOf", { score: any ? scoreText(scored) : EMPTY, max: maxText(max) }))),
            items.map(indicatorRow));
        })),
      h("p", { class: "ps-note" }, t("ps.scorecardSource")));
  }

  // ================= (4) Import =================

  const importState = { phase: "idle", loaded: 0, total: 0, result: null, error: null, file: null, xhr: null };
  const importBody = h("div", { class: "ps-import" });
  panels.get("import")?.append(importBody);
  // The native file input is kept (focusable, visually hidden) but its button text is the browser's, so a label in the
  // page's language opens it; a file can also be dropped on the box.
  const fileInput = h("input", {
    id: "ps-import-file", type: "file", name: "file", class: "visually-hidden ps-file-input",
    accept: `.csv,.xlsx,text/csv,${XLSX_TYPE}`, required: true, "aria-describedby": "ps-import-file-name",
  });
  function chooseFile(file) {
    if (importState.phase === "uploading" || importState.phase === "processing") return;
    importState.file = file || null;
    importState.phase = "idle";
    importState.error = null;
    renderImport();
  }
  fileInput.addEventListener("change", () => chooseFile(fileInput.files?.[0]));

  function fileExtension(file) {
    const match = /\.([a-z0-9]+)$/i.exec(file?.name || "");
    return match ? match[1].toLowerCase() : "";
  }

  async function startImport(event) {
    event.preventDefault();
    const file = importState.file;
    if (!file) {
      importState.error = { key: "ps.import.chooseFile" };
      renderImport();
      fileInput.focus();
      return;
    }
    const type = IMPORT_TYPES[fileExtension(file)];
    if (!type) {
      importState.error = { key: "ps.import.wrongType" };
      renderImport();
      return;
    }
    importState.phase = "uploading";
    importState.loaded = 0;
    importState.total = file.size;
    importState.result = null;
    importState.error = null;
    renderImport();
    let csrfToken;
    try {
      ({ csrfToken } = await api.get("/api/v1/session")); // a fresh token, and a check that the session is still alive
    } catch (error) {
      importState.phase = "idle";
      importState.error = error;
      renderImport();
      return;
    }
    const xhr = new XMLHttpRequest();
    importState.xhr = xhr;
    xhr.open("POST", `${BASE}/imports`);
    xhr.setRequestHeader("Content-Type", type);
    xhr.setRequestHeader("Accept", "application/json, application/problem+json");
    if (csrfToken) xhr.setRequestHeader("X-CSRF-Token", csrfToken);
    xhr.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      importState.loaded = progress.loaded;
      importState.total = progress.total;
      updateProgress();
    });
    xhr.upload.addEventListener("load", () => {
      importState.phase = "processing";
      importState.loaded = importState.total;
      renderImport();
    });
    xhr.addEventListener("load", () => {
      importState.xhr = null;
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        importState.phase = "done";
        importState.result = body;
        // Figures elsewhere on the page are now out of date.
        for (const res of [report, overdue, scorecard]) res.key = null;
        if (body.accepted > 0) {
          fileInput.value = "";
          importState.file = null;
        }
      } else {
        importState.phase = "idle";
        importState.error = xhr.status === 404 ? { key: "ps.import.unavailable" } : new ApiError(xhr.status, body);
        if (xhr.status === 401) api.get("/api/v1/session").catch(() => {}); // the shell sends the user to the login page
      }
      renderImport();
    });
    xhr.addEventListener("error", () => {
      importState.xhr = null;
      importState.phase = "idle";
      importState.error = new ApiError(0, null);
      renderImport();
    });
    xhr.addEventListener("abort", () => {
      importState.xhr = null;
      importState.phase = "idle";
      importState.error = { key: "ps.import.cancelled" };
      renderImport();
    });
    xhr.send(file);
  }

  const progressBar = h("progress", { class: "ps-progress", max: "100", id: "ps-import-progress" });
  const progressText = h("p", { class: "ps-progress-text", role: "status" });

  function updateProgress() {
    if (removed) return;
    if (importState.phase === "processing") {
      progressBar.removeAttribute("value"); // indeterminate while the server works
      progressText.textContent = t("ps.import.processing");
      return;
    }
    const percent = importState.total ? Math.floor((importState.loaded / importState.total) * 100) : 0;
    progressBar.value = percent;
    progressText.textContent = t("ps.import.uploading", {
      percent: formatNumber(percent), loaded: sizeText(importState.loaded), total: sizeText(importState.total),
    });
  }

  function importSummary(result) {
    const item = (key, value, tone) => h("div", { class: `ps-kpi${tone ? ` ${tone}` : ""}` },
      h("span", { class: "ps-kpi-value" }, count(value)), h("span", { class: "ps-kpi-label" }, t(`ps.import.${key}`)));
    const errors = result.errors || [];
    const tone = result.rejected > 0 ? (result.accepted > 0 ? "alert-warn" : "alert-error") : "alert-ok";
    return [
      h("div", { class: `alert ${tone}`, role: "status" },
        t(result.rejected > 0 ? "ps.import.doneWithErrors" : "ps.import.done", {
          accepted: count(result.accepted), rows: count(result.rows), rejected: count(result.rejected),
        })),
      h("div", { class: "ps-kpis" },
        item("rows", result.rows),
        item("accepted", result.accepted, "is-ok"),
        item("rejected", result.rejected, result.rejected ? "is-bad" : null),
        item("created", result.created),
        item("updated", result.updated),
        item("unchanged", result.unchanged)),
      errors.length
        ? [
          h("h3", { class: "ps-subtitle" }, t("ps.import.errorsTitle", { count: count(errors.length) })),
          scrollTable(t("ps.import.errorsTitle", { count: count(errors.length) }), "ps-list",
            h("thead", {}, h("tr", {},
              h("th", { scope: "col", class: "ps-num" }, t("ps.import.row")),
              h("th", { scope: "col" }, t("ps.col.code")),
              h("th", { scope: "col" }, t("ps.import.field")),
              h("th", { scope: "col" }, t("ps.import.message")))),
            h("tbody", {}, errors.slice(0, MAX_ERRORS_SHOWN).map((error) => h("tr", {},
              h("td", { class: "ps-num" }, error.row != null ? formatNumber(error.row) : EMPTY),
              h("td", { class: "ps-nowrap" }, mono(error.code)),
              h("td", { class: "ps-nowrap" }, mono(error.field)),
              h("td", { class: "ps-message" }, localized(error.messages) || EMPTY))))),
          errors.length > MAX_ERRORS_SHOWN ? h("p", { class: "ps-note" }, t("ps.import.moreErrors", { count: count(MAX_ERRORS_SHOWN) })) : null,
        ]
        : null,
    ];
  }

  function renderImport() {
    if (removed || !canImport) return;
    const busy = importState.phase === "uploading" || importState.phase === "processing";
    const file = importState.file;
    const error = importState.error;
    fileInput.disabled = busy;
    const submit = h("button", { type: "submit", class: "btn btn-primary", disabled: busy },
      pathIcon(UPLOAD_PATH), h("span", {}, t(busy ? "ps.import.busy" : "ps.import.submit")));
    const cancel = importState.phase === "uploading"
      ? h("button", { type: "button", class: "btn btn-ghost", onclick: () => importState.xhr?.abort() }, t("form.cancel"))
      : null;
    const form = h("form", { class: "card form-card ps-import-form", novalidate: true, onsubmit: startImport },
      h("h2", { class: "card-title" }, t("ps.import.title")),
      h("p", { class: "ps-hint" }, t("ps.import.intro")),
      h("div", { class: "field" },
        h("span", { class: "ps-field-label" }, t("ps.import.file")),
        h("div", {
          class: `ps-dropzone${busy ? " is-disabled" : ""}`,
          ondragover: (event) => {
            event.preventDefault();
            event.currentTarget.classList.add("is-dragging");
          },
          ondragleave: (event) => event.currentTarget.classList.remove("is-dragging"),
          ondrop: (event) => {
            event.preventDefault();
            event.currentTarget.classList.remove("is-dragging");
            const dropped = event.dataTransfer?.files?.[0];
            if (dropped) chooseFile(dropped);
          },
        },
        fileInput,
        h("label", { for: "ps-import-file", class: "btn btn-secondary" }, icon("dossier"), h("span", {}, t("ps.import.choose"))),
        h("span", { class: "ps-file-name", id: "ps-import-file-name" }, file
          ? t("ps.import.selected", { name: file.name, size: sizeText(file.size) })
          : t("ps.import.noFile"))),
        h("p", { class: "field-hint" }, t("ps.import.fileHint"))),
      error
        ? h("p", { class: "form-error", role: "alert" }, error.key ? t(error.key) : errorMessage(error))
        : null,
      busy ? h("div", { class: "ps-progress-box" }, progressBar, progressText) : null,
      h("div", { class: "form-actions" }, submit, cancel));
    if (busy) updateProgress();
    setChildren(importBody, form, importState.phase === "done" && importState.result
      ? h("div", { class: "ps-import-result", "aria-live": "polite" }, importSummary(importState.result))
      : null);
  }

  // ---- Start ----

  function renderAll() {
    renderHeader();
    renderTabs();
    if (panels.has("report")) {
      relabelReport();
      renderReport();
    }
    relabelOverdue();
    renderOverdue();
    relabelScorecard();
    renderScorecard();
    renderImport();
    if (drawer.open) renderDossier();
  }

  renderHeader();
  renderTabs();
  writeLocation();
  loadTab(false);
  // The overdue count on its tab is useful from any tab.
  if (state.tab !== "overdue") loadOverdue(false);
  if (state.dossier) openDossier(state.dossier);

  return {
    unmount() {
      removed = true;
      if (drawer.open) drawer.close();
    },
    languageChanged() {
      renderAll();
    },
  };
}

/** The tab and filters from #/public-services/{tab}?… */
function readLocation(tabs) {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = hash.split("?");
  const tab = path.split("/")[1];
  const params = new URLSearchParams(query);
  const hours = Number(params.get("hours"));
  return {
    tab: tabs.includes(tab) ? tab : "report",
    month: validMonth(params.get("month")) || currentMonth(),
    period: PERIODS.includes(params.get("period")) ? params.get("period") : "calendarMonth",
    groupBy: GROUPINGS.includes(params.get("groupBy")) ? params.get("groupBy") : "agency",
    agency: params.get("agency") || null,
    unit: params.get("unit") || null,
    hours: DUE_SOON_HOURS.includes(hours) ? hours : DEFAULT_DUE_SOON_HOURS,
    dossier: params.get("dossier") || null,
    overdueAgency: "",
  };
}
