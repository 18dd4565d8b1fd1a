// Socio-economic indicators (Chỉ tiêu KT-XH), staff console: pieces shared by the sub-pages — constants, period keys
// and their labels, Vietnamese number formats and input parsing, badges for statuses, states, severities and anomaly
// flags, table builders and the page's own stylesheet. Texts from the `indicators` dictionaries.
import { errorMessage, request } from "../api.js";
import { h } from "../dom.js";
import { formatDate, formatNumber, localized, localizedName, t, tOr } from "../i18n.js";

export const BASE = "/api/v1/indicators";
export const ROUTE = "indicators";
export const TABS = ["overview", "report", "entry", "approvals", "freshness", "catalogue"];
// Who sees which tab (the server decides in the end; a refused request shows its message).
export const TAB_ROLES = {
  overview: null, // every reader
  report: null,
  entry: new Set(["officer", "admin", "operator"]),
  approvals: new Set(["admin", "operator", "leader"]),
  freshness: new Set(["admin", "operator", "leader", "analyst"]),
  catalogue: null, // every reader exports it; only admins import (indicators-catalogue.js)
};
export const STATUSES = ["estimate", "preliminary", "official"];
export const SEVERITIES = new Set(["good", "warn", "bad"]);
export const PROVINCE_UNIT = "66";
export const EMPTY = "—";
export const MONTHS_SHOWN = 36;
export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024; // the server's limit for an XLSX upload
export const MAX_ERRORS_SHOWN = 50;

/** The province's GSO code (the unit of province-wide values): the settings' province, else 66. */
export function provinceUnit(settings) {
  const code = settings?.province?.code;
  return typeof code === "string" && code ? code : PROVINCE_UNIT;
}

/** Loads a stylesheet once per page (the console and the wall link only their own; a service brings its own). */
export function ensureStylesheet(href) {
  if (document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) return;
  document.head.append(h("link", { rel: "stylesheet", href }));
}

// ---- Small helpers ----

export function pad2(value) {
  return String(value).padStart(2, "0");
}

/** Replaces an element's children, skipping null and false and flattening arrays (like `h`). */
export function setChildren(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((child) => child != null && child !== false));
}

export function loadingLine() {
  return h("p", { class: "muted", role: "status" }, t("app.loading"));
}

export function errorBox(error) {
  return h("div", { class: "alert alert-error", role: "alert" }, errorMessage(error));
}

/** A table that scrolls sideways inside its own box, with a caption for screen readers. */
export function scrollTable(caption, attributes, ...parts) {
  return h("div", { class: "ps-scroll", tabindex: "0", role: "region", "aria-label": caption },
    h("table", { class: "ps-table ind-table", ...attributes }, h("caption", { class: "visually-hidden" }, caption), ...parts));
}

/** A labelled control; `relabel()` re-words it without replacing the control (focus is kept). */
export function labelled(id, labelKey, control) {
  const label = h("label", { for: id });
  const element = h("div", { class: "field" }, label, control);
  const relabel = () => {
    label.textContent = t(labelKey);
  };
  relabel();
  return { element, relabel };
}

// ---- Files: XLSX downloads and uploads ----

const DOWNLOAD_PATH = "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3";
const UPLOAD_PATH = "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M17 8l-5-5-5 5M12 3v12";

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

export const downloadIcon = () => pathIcon(DOWNLOAD_PATH);
export const uploadIcon = () => pathIcon(UPLOAD_PATH);

/**
 * Downloads an XLSX answer of the API through api.js (the session cookie, a problem in the page's language when it
 * fails) and hands it to the browser as a file; rejects with the ApiError.
 */
export async function downloadXlsx(path, fallbackName) {
  const { blob, filename } = await request("GET", path, undefined, { accept: `${XLSX_TYPE}, application/problem+json`, as: "blob" });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename || fallbackName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Whether a chosen file looks like an XLSX workbook (by its name or type). */
export function isXlsxFile(file) {
  return /\.xlsx$/i.test(file?.name || "") || file?.type === XLSX_TYPE;
}

/**
 * An upload refused by the server: its message, then the problem's `items` as a list (each `messages.vi/en` already
 * names the row, e.g. "Dòng 4: …"); `describe(item)` words an item differently. Null when there is no error.
 */
export function problemList(error, { titleKey, describe } = {}) {
  if (!error) return null;
  if (error.key) return h("div", { class: "alert alert-error", role: "alert" }, t(error.key, error.params));
  const items = Array.isArray(error.problem?.items) ? error.problem.items : [];
  if (!items.length) return h("div", { class: "alert alert-error", role: "alert" }, errorMessage(error));
  const shown = items.slice(0, MAX_ERRORS_SHOWN);
  return h("div", { class: "alert alert-error ind-problem", role: "alert" },
    h("p", { class: "ind-problem-title" }, t(titleKey || "indicators.upload.errorsTitle", { count: formatNumber(items.length) })),
    h("ul", { class: "ind-problem-list" }, shown.map((item) => h("li", { dataset: { field: item.field || "", index: String(item.index ?? "") } },
      describe ? describe(item) : localized(item.messages) || item.field || EMPTY))),
    items.length > shown.length ? h("p", { class: "ind-problem-more" }, t("indicators.upload.moreErrors", { count: formatNumber(shown.length) })) : null);
}

// ---- Months ----

/** This month in Vietnam's time zone, as yyyy-MM. */
export function currentMonth() {
  const [, month, year] = formatDate(new Date()).split("/");
  return `${year}-${month}`;
}

export function validMonth(value) {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(value || "") ? value : null;
}

export function shiftMonth(month, delta) {
  const [year, m] = month.split("-").map(Number);
  const index = year * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${pad2((index % 12) + 1)}`;
}

/** Options "Tháng 10/2026" for the last MONTHS_SHOWN months (and `selected` when older). */
export function monthOptions(selected) {
  const months = Array.from({ length: MONTHS_SHOWN }, (_, i) => shiftMonth(currentMonth(), -i));
  if (selected && !months.includes(selected)) months.unshift(selected);
  return months.map((month) => h("option", { value: month }, periodLabel(month)));
}

// ---- Periods: 2026, 2026-Q1, 2026-03, 2026-W05, 2026-03-15 ----

const ROMAN = ["I", "II", "III", "IV"];

export function periodKind(key) {
  const s = String(key ?? "");
  if (/^\d{4}$/.test(s)) return "year";
  if (/^\d{4}-Q[1-4]$/.test(s)) return "quarter";
  if (/^\d{4}-\d{2}$/.test(s)) return "month";
  if (/^\d{4}-W\d{2}$/.test(s)) return "week";
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return "day";
  return null;
}

/** "Tháng 10/2026", "Quý I/2026", "Tuần 05/2026", "Năm 2026", "15/03/2026"; `short`: "T10/2026", "QI/2026"… */
export function periodLabel(key, { short = false } = {}) {
  const s = String(key ?? "");
  const kind = periodKind(s);
  const year = s.slice(0, 4);
  const style = short ? "short" : "long";
  switch (kind) {
    case "year": return t(`indicators.period.${style}.year`, { year });
    case "quarter": return t(`indicators.period.${style}.quarter`, { year, quarter: ROMAN[Number(s.slice(6)) - 1], n: s.slice(6) });
    case "month": return t(`indicators.period.${style}.month`, { year, month: s.slice(5, 7), m: Number(s.slice(5, 7)) });
    case "week": return t(`indicators.period.${style}.week`, { year, week: s.slice(6) });
    case "day": return `${s.slice(8, 10)}/${s.slice(5, 7)}${short ? "" : `/${year}`}`;
    default: return s || EMPTY;
  }
}

/** A period key `yearsBack` years before `now` at the start of the year, in the indicator's kind of period. */
export function startOfYearsBack(kind, yearsBack, now = currentMonth()) {
  const year = Number(now.slice(0, 4)) - yearsBack;
  switch (kind) {
    case "year": return String(year);
    case "quarter": return `${year}-Q1`;
    case "week": return `${year}-W01`;
    case "day": return `${year}-01-01`;
    default: return `${year}-01`;
  }
}

/** How far back the detail's series starts by kind of period (enough for a trend and the same period last year). */
export const HISTORY_YEARS = { year: 8, quarter: 3, month: 2, week: 1, day: 0 };

// ---- Numbers ----

/**
 * A value in Vietnamese format (1.234,56), up to `digits` decimals (2: the figures as stored); `compact`: one
 * decimal from 100 up (41.184,5 tỷ đồng on a wall, 6,48 % still). "—" for none.
 */
export function valueText(value, { digits = 2, compact = false } = {}) {
  if (typeof value !== "number" || !Number.isFinite(value)) return EMPTY;
  const max = compact && Math.abs(value) >= 100 ? Math.min(1, digits) : digits;
  return formatNumber(value, { maximumFractionDigits: max });
}

/** "15/10/2026" (also 15-10-2026, 5/1/2026) → "2026-10-15"; null when it is not a real day. */
export function parseDay(text) {
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(String(text ?? ""));
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** "2026-10-15" → "15/10/2026". */
export function dayText(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso ?? ""));
  return m ? `${m[3]}/${m[2]}/${m[1]}` : "";
}

/** The indicator's unit of measure (ĐVT) in the current language. */
export function unitOf(indicator) {
  return localized(indicator?.unit, indicator?.unitEn) || "";
}

/** "105,23%" for a percentage the server already multiplied by 100. */
export function pctText(pct) {
  if (typeof pct !== "number" || !Number.isFinite(pct)) return EMPTY;
  return t("indicators.pct", { value: formatNumber(pct, { maximumFractionDigits: 2 }) });
}

/** "+5,2%" / "−3,1%" for a change in percent. */
export function changeText(pct) {
  if (typeof pct !== "number" || !Number.isFinite(pct)) return EMPTY;
  const sign = pct > 0 ? "+" : pct < 0 ? "−" : "";
  return `${sign}${t("indicators.pct", { value: formatNumber(Math.abs(pct), { maximumFractionDigits: 2 }) })}`;
}

/**
 * The screen's plan line when it compares with the trend's values: the annual plan of a level (a rate, a mean), a
 * cumulative figure or a yearly one; not of monthly or quarterly amounts that add up to the year (the plan is 12 or 4
 * times larger than any point and would flatten the trend).
 */
export function comparablePlan(item) {
  const indicator = item?.indicator || {};
  if (typeof item?.planLine !== "number" || !Number.isFinite(item.planLine)) return null;
  const additive = indicator.aggregation === "sum" && !indicator.cumulative && indicator.period !== "year";
  return additive ? null : item.planLine;
}

/** good / bad for a change, by the indicator's direction (a fall in unemployment is good). */
export function changeTone(pct, indicator) {
  if (typeof pct !== "number" || !Number.isFinite(pct) || pct === 0) return null;
  const better = indicator?.direction === "down" ? pct < 0 : pct > 0;
  return better ? "good" : "bad";
}

/** A change with an arrow, coloured by the indicator's direction. */
export function changeCell(pct, indicator, className = "") {
  const tone = changeTone(pct, indicator);
  const arrow = typeof pct === "number" && pct !== 0 ? (pct > 0 ? "▲ " : "▼ ") : "";
  return h("span", { class: `ind-change${className ? ` ${className}` : ""}`, dataset: tone ? { tone } : {} }, arrow, changeText(pct));
}

/**
 * A number typed by an officer, Vietnamese first: "1.234,5" (dot for thousands, comma for decimals), also "1234.5"
 * and "1 234". NaN when it is not a number.
 */
export function parseNumber(text) {
  let s = String(text ?? "").trim().replace(/[\s\u00a0\u202f]/g, "");
  if (!s) return NaN;
  s = s.replace(/^−/, "-");
  if (s.includes(",")) s = s.replace(/\./g, "").replace(",", ".");
  else if (/^-?\d{1,3}(\.\d{3})+$/.test(s)) s = s.replace(/\./g, "");
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(s)) return NaN;
  return Number(s);
}

/** A number as an officer would type it back (no thousands separator, comma for decimals). */
export function inputText(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "";
  return String(value).replace(".", ",");
}

// ---- Badges ----

export function statusBadge(status) {
  if (!status) return null;
  const tone = status === "official" ? "badge-ok" : status === "preliminary" ? "badge-soon" : "badge-muted";
  return h("span", { class: `badge ind-status ${tone}`, dataset: { status } }, tOr(`indicators.status.${status}`, status));
}

export function stateBadge(state) {
  if (!state) return null;
  const tone = { approved: "badge-ok", submitted: "badge-soon", returned: "badge-bad", draft: "badge-warn" }[state] || "badge-muted";
  return h("span", { class: `badge ind-state ${tone}`, dataset: { state } }, tOr(`indicators.state.${state}`, state));
}

/** The plan's status in words and colour: good (on track), warn, bad, or none. */
export function severityBadge(severity) {
  const s = SEVERITIES.has(severity) ? severity : null;
  if (!s) return null;
  const tone = { good: "badge-ok", warn: "badge-warn", bad: "badge-bad" }[s];
  return h("span", { class: `badge ind-severity ${tone}`, dataset: { severity: s } }, t(`indicators.severity.${s}`));
}

/** Anomaly flags: each kind named, with the server's explanation (see flagMessage). */
export function flagList(flags, { className = "" } = {}) {
  const list = Array.isArray(flags) ? flags.filter(Boolean) : [];
  if (!list.length) return null;
  return h("ul", { class: `ind-flags${className ? ` ${className}` : ""}`, role: "list" },
    list.map((flag) => h("li", { class: "ind-flag", dataset: { flag: flag.kind || "" } },
      h("strong", {}, tOr(`indicators.flag.${flag.kind}`, flag.kind || t("indicators.flag.other"))), " ",
      h("span", {}, flagMessage(flag)))));
}

/** A flag's explanation: `{vi, en}` on the flag itself (as the server sends it) or in `messages`. */
export function flagMessage(flag) {
  return localized(flag?.messages) || localized(flag?.vi, flag?.en) || "";
}

/** The indicator's name (and code below it, muted). */
export function indicatorName(indicator, { code = true } = {}) {
  return [
    h("span", { class: "ind-name" }, localizedName(indicator)),
    code && indicator?.code ? h("span", { class: "ps-code mono" }, indicator.code) : null,
  ];
}

/** Agencies, by a `{code, name}` or `{vi, en}` name. */
export function agencyName(agency, fallback = "") {
  if (!agency) return fallback;
  if (agency.name && typeof agency.name === "object") return localized(agency.name) || agency.code || fallback;
  return localizedName(agency) || fallback;
}

/** Sorted copy of the catalogue's groups as a tree: [{group, depth}] in display order. */
export function groupTree(groups) {
  const list = Array.isArray(groups) ? groups.filter((g) => g?.code) : [];
  const codes = new Set(list.map((g) => g.code));
  const children = new Map();
  for (const group of list) {
    const parent = group.parent && codes.has(group.parent) ? group.parent : "";
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(group);
  }
  const byOrder = (a, b) => (a.order ?? 0) - (b.order ?? 0) || String(a.code).localeCompare(String(b.code));
  const out = [];
  const walk = (parent, depth, seen) => {
    for (const group of (children.get(parent) || []).sort(byOrder)) {
      if (seen.has(group.code)) continue;
      seen.add(group.code);
      out.push({ group, depth });
      walk(group.code, depth + 1, seen);
    }
  };
  walk("", 0, new Set());
  return out;
}

/** An indicator's deadline rule in words: `month:20`, `quarter:6`, `year:25`, `week:1` (Monday), `day:17:00`. */
export function deadlineText(rule) {
  const parts = String(rule ?? "").split(":");
  if (["month", "quarter", "year"].includes(parts[0]) && parts[1]) return t("indicators.deadline.nextMonth", { day: parts[1] });
  if (parts[0] === "week" && parts[1]) return t("indicators.deadline.weekday", { weekday: tOr(`indicators.weekday.${parts[1]}`, parts[1]) });
  if (parts[0] === "day" && parts.length === 3) return t("indicators.deadline.sameDay", { time: `${pad2(parts[1])}:${pad2(parts[2])}` });
  return String(rule ?? "");
}
