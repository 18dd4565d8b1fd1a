// Public services (Dịch vụ công), staff console: pieces shared by the sub-pages — constants, period arithmetic,
// number and score formats, table and badge builders, the month/period controls and the hash's state.
import { errorMessage } from "../api.js";
import { h } from "../dom.js";
import { formatDate, formatDateTime, formatNumber, localized, t, tOr } from "../i18n.js";

export const BASE = "/api/v1/public-services";
export const ROUTE = "public-services";
export const TABS = ["report", "overdue", "scorecard", "import"];
export const GROUPINGS = ["agency", "unit", "procedure", "channel", "total"];
export const PERIODS = ["calendarMonth", "reportMonth"];
export const IMPORT_ROLES = new Set(["admin", "operator"]);
export const MONTHS_SHOWN = 36;
export const DUE_SOON_HOURS = [8, 24, 48, 72];
export const DEFAULT_DUE_SOON_HOURS = 24;
export const OVERDUE_LIMIT = 200;
export const MAX_ERRORS_SHOWN = 1000;
export const EMPTY = "—";
export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const IMPORT_TYPES = { csv: "text/csv", xlsx: XLSX_TYPE };
export const RATE_KEYS = ["onTimeRate", "earlyOrOnTimeAmongResolvedRate"];
// Counters shown in red when not zero: they are the dossiers that missed their deadline.
export const OVERDUE_COUNTS = new Set(["resolvedLate", "inProgressOverdue", "pausedOverdue"]);
// Sections of the monthly form when grouped by agency, in the order of the official report.
export const AGENCY_SECTIONS = ["provinceCommittee", "department", "serviceCenter", "communeCommittee", "other"];
export const ROMAN = ["I", "II", "III", "IV", "V", "VI"];

// The monthly form (vietnam.md §1.5 A): the body's columns in order, and the three header rows that group them.
export const FORM_COLUMNS = [
  "carriedOver", "receivedOnline", "receivedDirect", "receivedPostal", "received", "toHandle",
  "resolvedEarly", "resolvedOnTime", "resolvedLate", "resolved",
  "inProgressWithin", "inProgressOverdue", "pausedWithin", "pausedOverdue", "withdrawn",
  ...RATE_KEYS,
];

// ---- Small helpers ----

export function pad2(value) {
  return String(value).padStart(2, "0");
}

/** This month in Vietnam's time zone, as yyyy-MM. */
export function currentMonth() {
  const [, month, year] = formatDate(new Date()).split("/");
  return `${year}-${month}`;
}

export function todayDay() {
  return Number(formatDate(new Date()).split("/")[0]);
}

export function validMonth(value) {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(value || "") ? value : null;
}

export function shiftMonth(month, delta) {
  const [year, m] = month.split("-").map(Number);
  const index = year * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${pad2((index % 12) + 1)}`;
}

/** First and last day (dd/MM/yyyy) of a period, as the server computes it: calendar month, or 15th → 14th. */
export function periodDays(month, period) {
  const [year, m] = month.split("-").map(Number);
  const day = (d, mm, yy) => `${pad2(d)}/${pad2(mm)}/${yy}`;
  if (period === "reportMonth") {
    const [py, pm] = m === 1 ? [year - 1, 12] : [year, m - 1];
    return { from: day(15, pm, py), to: day(14, m, year) };
  }
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return { from: day(1, m, year), to: day(last, m, year) };
}

export function count(value) {
  return formatNumber(value ?? 0);
}

export function percentText(rate) {
  if (typeof rate !== "number" || !Number.isFinite(rate)) return null;
  return t("ps.percent", { value: formatNumber(rate * 100, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) });
}

/** A rate, or "—" with an explanation when the denominator is 0. */
export function rateValue(rate) {
  const text = percentText(rate);
  return text ?? h("span", { class: "ps-na", title: t("ps.notApplicable") }, EMPTY);
}

/** Points with two decimals (766 display convention); maxima are whole or half numbers and keep their own form. */
export function scoreText(value, { exact = true } = {}) {
  return formatNumber(value, { minimumFractionDigits: exact ? 2 : 0, maximumFractionDigits: 2 });
}

export function maxText(value) {
  return scoreText(value, { exact: false });
}

export function sizeText(bytes) {
  if (bytes >= 1024 * 1024) return t("ps.sizeMB", { value: formatNumber(bytes / (1024 * 1024)) });
  return t("ps.sizeKB", { value: formatNumber(Math.max(bytes, 1) / 1024) });
}

/** Replaces an element's children, skipping null and false and flattening arrays (like `h`). */
export function setChildren(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((child) => child != null && child !== false));
}

export function mono(value) {
  return value == null || value === "" ? EMPTY : h("span", { class: "mono" }, value);
}

/** A small line icon drawn from a path (the shared sprite has no download or upload icon). */
export function pathIcon(d) {
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
export const DOWNLOAD_PATH = "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3";
export const UPLOAD_PATH = "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M17 8l-5-5-5 5M12 3v12";

/** A labelled form control, built once; `relabel()` re-words it so that a focused control is never replaced. */
export function labelled(id, labelKey, control) {
  const label = h("label", { for: id });
  const element = h("div", { class: "field" }, label, control);
  const relabel = () => {
    label.textContent = t(labelKey);
  };
  relabel();
  return { element, relabel };
}

export function loadingLine() {
  return h("p", { class: "muted", role: "status" }, t("app.loading"));
}

export function errorBox(error) {
  return h("div", { class: "alert alert-error", role: "alert" }, errorMessage(error));
}

/** "Kỳ: 01/10/2026 – 31/10/2026 · Số liệu chốt đến hết ngày 31/10/2026" from a stats or scorecard answer. */
export function periodLine(data) {
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
export function scrollTable(caption, className, ...parts) {
  return h("div", { class: "ps-scroll", tabindex: "0", role: "region", "aria-label": caption },
    h("table", { class: `ps-table ${className || ""}` }, h("caption", { class: "visually-hidden" }, caption), ...parts));
}

export function timelinessBadge(code, name) {
  const tone = ["late", "inProgressOverdue", "pausedOverdue"].includes(code)
    ? "badge-bad"
    : ["early", "onTime"].includes(code) ? "badge-ok" : ["pausedWithin"].includes(code) ? "badge-warn" : "badge-soon";
  return h("span", { class: `badge ${tone}` }, name ? localized(name) : tOr(`ps.timeliness.${code}`, code));
}

export function apologyBadge(issued, { long = false } = {}) {
  if (issued === true) return h("span", { class: "badge badge-ok" }, t("ps.apology.issued"));
  if (issued === false) return h("span", { class: "badge badge-bad" }, t("ps.apology.missing"));
  if (long) return h("span", { class: "badge badge-muted" }, t("ps.apology.unknownLong"));
  return h("span", { class: "muted" }, t("ps.apology.unknown"));
}

export function yesNo(value) {
  if (value == null) return EMPTY;
  return t(value ? "ps.yes" : "ps.no");
}

// ---- Shared period controls (month and period kind) ----

function monthOptions(state, select) {
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

function periodOptions(state, select) {
  setChildren(select, ...PERIODS.map((period) => h("option", { value: period }, t(`ps.period.${period}`, periodDays(state.month, period)))));
  select.value = state.period;
}

/** Month and period selects for one panel; a change applies to both the report and the scorecard. */
export function periodControls(state, prefix, onChange) {
  const month = h("select", { id: `${prefix}-month` });
  const period = h("select", { id: `${prefix}-period` });
  month.addEventListener("change", () => {
    state.month = month.value;
    periodOptions(state, period);
    onChange();
  });
  period.addEventListener("change", () => {
    state.period = period.value;
    monthOptions(state, month);
    onChange();
  });
  const fields = [labelled(`${prefix}-month`, "ps.month", month), labelled(`${prefix}-period`, "ps.periodKind", period)];
  return {
    elements: fields.map((f) => f.element),
    relabel() {
      for (const f of fields) f.relabel();
      monthOptions(state, month);
      periodOptions(state, period);
    },
  };
}

/** The tab and filters from #/public-services/{tab}?… */
export function readLocation(tabs) {
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
