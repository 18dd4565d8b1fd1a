// Digital-transformation index (DTI, chỉ số chuyển đổi số): pieces shared by the console's sub-pages (dti-*.js) and
// the public ranking page (dti-public.js) — number formats (normalised values with 4 decimals, points with 2), level
// chips, assessment states, the framework tree and its client-side scoring (the same rules as DTIMethod in IOCCore,
// for the live points of the form; the server's points are the ones stored), sortable headers, the deadline, a
// confirmation dialog and Chart.js (Debian's libjs-chart.js, served under /vendor/). Texts from the `dti` dictionaries.
// Generic helpers (tables, errors, numbers typed the Vietnamese way, XLSX downloads) come from indicators-common.js.
import { h } from "../dom.js";
import { formatDate, formatNumber, localized, localizedName, t, tOr } from "../i18n.js";
import { EMPTY, errorBox, loadingLine, pad2 } from "./indicators-common.js";

export {
  EMPTY, dayText, downloadIcon, downloadXlsx, errorBox, inputText, loadingLine, parseNumber, scrollTable,
  setChildren, uploadIcon,
} from "./indicators-common.js";

export const BASE = "/api/v1/dti";
export const ROUTE = "dti";
export const TABS = ["ranking", "profile", "heatmap", "assessment", "review", "evidence"];
export const STATUSES = ["none", "draft", "submitted", "reviewed", "answered"];
export const SUBMITTED = new Set(["submitted", "reviewed", "answered"]);
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024; // the server's limit
export const EVIDENCE_ACCEPT = ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx,.odt,.ods,application/pdf,image/png,image/jpeg";

export const enc = encodeURIComponent;
export const frameworkPath = (code) => `${BASE}/frameworks/${enc(code)}`;
export const assessmentPath = (code, agency) => `${frameworkPath(code)}/assessments/${enc(agency)}`;
export const resultsXlsxPath = (code, version) => `${frameworkPath(code)}/results.xlsx${version ? `?version=${enc(version)}` : ""}`;

const finite = (v) => typeof v === "number" && Number.isFinite(v);

// ---- Numbers ----

/** A normalised value (0–1) with 4 decimals, the Vietnamese way: 0,8123. */
export function valueText(value) {
  return finite(value) ? formatNumber(value, { minimumFractionDigits: 4, maximumFractionDigits: 4 }) : EMPTY;
}

/** Points: 2 decimals in tables (812,50), up to 2 elsewhere (`fixed: false`: 12,5). */
export function pointsText(value, { fixed = true } = {}) {
  return finite(value) ? formatNumber(value, { minimumFractionDigits: fixed ? 2 : 0, maximumFractionDigits: 2 }) : EMPTY;
}

/** A share 0–1 as a percentage without decimals: "64 %". */
export function shareText(share) {
  return finite(share) ? t("dti.percent", { value: formatNumber(share * 100, { maximumFractionDigits: 0 }) }) : EMPTY;
}

/** A change on last year's value: ▲ +0,0417 (better), ▼ −0,0123 (worse), none for a new agency. */
export function changeCell(row, className = "") {
  const change = row?.change;
  if (!finite(change)) {
    return h("span", { class: `dti-change ${className}`, title: t("dti.change.none") }, EMPTY);
  }
  const tone = change > 0 ? "up" : change < 0 ? "down" : "same";
  const arrow = { up: "▲", down: "▼", same: "=" }[tone];
  const sign = change > 0 ? "+" : change < 0 ? "−" : "";
  const title = t("dti.change.title", {
    value: valueText(row.previousValue), rank: finite(row.previousRank) ? formatNumber(row.previousRank) : EMPTY,
  });
  return h("span", { class: `dti-change ${className}`, dataset: { tone }, title },
    h("span", { "aria-hidden": "true" }, `${arrow} `), `${sign}${valueText(Math.abs(change))}`,
    h("span", { class: "visually-hidden" }, ` (${t(`dti.change.${tone}`)})`));
}

// ---- Levels, states ----

const TONES = ["good", "fair", "warn", "bad"];
// Without the framework's levels (the public page: published results carry only each row's level name), the usual
// level names keep the console's colours; other names take the tones in the order of their best value.
const USUAL_TONES = new Map([
  ["xuất sắc", "good"], ["tốt", "good"], ["excellent", "good"], ["good", "good"], ["khá", "fair"], ["fair", "fair"],
  ["trung bình", "warn"], ["average", "warn"], ["yếu", "bad"], ["kém", "bad"], ["weak", "bad"], ["poor", "bad"],
]);

/**
 * Level name (vi and en) → tone (good, fair, warn, bad), best first. `levels`: the framework's [{name, nameEn, min}];
 * without them (the public page), the levels found in `rows` ordered by their best value.
 */
export function levelTones(levels, rows = []) {
  let ordered;
  if (Array.isArray(levels) && levels.length) {
    ordered = levels.slice().sort((a, b) => (b.min ?? 0) - (a.min ?? 0)).map((l) => [l.name, l.nameEn]);
  } else {
    const best = new Map();
    for (const r of rows) {
      if (!r?.level) continue;
      const entry = best.get(r.level) || { names: [r.level, r.levelEn], value: -1 };
      entry.value = Math.max(entry.value, r.value ?? 0);
      best.set(r.level, entry);
    }
    ordered = [...best.values()].sort((a, b) => b.value - a.value).map((e) => e.names);
  }
  // The framework's levels spread over the tones; levels found in results take them in order (the best is green).
  const spread = Array.isArray(levels) && levels.length;
  const tones = new Map();
  ordered.forEach((names, i) => {
    const position = spread && ordered.length > 1 ? Math.round((i / (ordered.length - 1)) * (TONES.length - 1)) : i;
    const usual = spread ? null : USUAL_TONES.get(String(names[0] ?? "").toLowerCase());
    const tone = usual || TONES[Math.min(TONES.length - 1, position)];
    for (const name of names) if (name) tones.set(name, tone);
  });
  return tones;
}

/** A result level as a coloured chip, in the UI language (`levelEn` when English). */
export function levelChip(row, tones) {
  if (!row?.level) return h("span", { class: "muted" }, EMPTY);
  const tone = tones?.get(row.level) || "none";
  return h("span", { class: "dti-level", dataset: { tone } }, localized(row.level, row.levelEn));
}

/** The level a value reaches among the framework's levels (the highest min ≤ value), as a row-like object. */
export function levelFor(levels, value) {
  if (!Array.isArray(levels) || !finite(value)) return null;
  const reached = levels.filter((l) => (l.min ?? 0) <= value + 1e-12).sort((a, b) => b.min - a.min)[0];
  return reached ? { level: reached.name, levelEn: reached.nameEn || reached.name } : null;
}

/** A level the API names only in Vietnamese (assessment lists), with its English name from the framework's levels. */
export function levelNamed(levels, name) {
  if (!name) return null;
  const level = Array.isArray(levels) ? levels.find((l) => l.name === name) : null;
  return { level: name, levelEn: level?.nameEn || name };
}

export function statusBadge(status) {
  const s = STATUSES.includes(status) ? status : "none";
  const tone = { none: "badge-muted", draft: "badge-warn", submitted: "badge-soon", reviewed: "badge-ok", answered: "badge-ok" }[s];
  return h("span", { class: `badge dti-status ${tone}`, dataset: { status: s } }, t(`dti.status.${s}`));
}

export function subjectText(subject) {
  return tOr(`dti.subject.${subject}`, subject || EMPTY);
}

/** "2026 · Sở, ban, ngành" for a framework summary (or a public framework). */
export function frameworkLabel(f) {
  return f ? `${f.year} · ${subjectText(f.subject)}` : EMPTY;
}

export function agencyLabel(ref) {
  return localizedName(ref) || ref?.code || EMPTY;
}

/** A results row's agency name in the UI language. */
export function rowAgency(row) {
  return localized(row?.agencyName, row?.agencyNameEn) || row?.agency || EMPTY;
}

// ---- The framework tree ----

/** Every node of a framework's criteria, depth first, each as {node, depth, parent}. */
export function walkTree(criteria) {
  const out = [];
  const walk = (node, depth, parent) => {
    out.push({ node, depth, parent });
    for (const child of node.children || []) walk(child, depth + 1, node);
  };
  for (const node of Array.isArray(criteria) ? criteria : []) walk(node, 1, null);
  return out;
}

export const isLeaf = (node) => !Array.isArray(node?.children);

/** code → node, for every node of a framework DTO (`{framework: {criteria}}`). */
export function nodeIndex(detail) {
  return new Map(walkTree(detail?.framework?.criteria).map(({ node }) => [node.code, node]));
}

export const nodeName = (node) => localized(node?.name, node?.nameEn) || node?.code || EMPTY;

/** Why `value` is outside the method's domain (a dictionary key), or null (the rules of DTIMethod.check). */
export function methodProblem(method, value, max) {
  if (!finite(value)) return "dti.check.number";
  switch (method?.kind) {
    case "yesno": return value === 0 || value === 1 ? null : "dti.check.yesno";
    case "ratio": return value >= 0 && value <= 100 ? null : "dti.check.ratio";
    case "tiers": return value >= 0 ? null : "dti.check.negative";
    case "count": return value >= 0 && Number.isInteger(value) && value <= 1_000_000 ? null : "dti.check.count";
    case "judgement": return value >= 0 && value <= max ? null : "dti.check.judgement";
    default: return null;
  }
}

/** Points for a reported value (DTIMethod.points), 0 for none or a value outside the method's domain. */
export function methodPoints(method, value, max) {
  if (!method || !finite(value) || methodProblem(method, value, max)) return 0;
  let p;
  switch (method.kind) {
    case "yesno": p = value >= 1 ? max : 0; break;
    case "ratio": p = max * Math.min(Math.max(value, 0) / (method.target || 100), 1); break;
    case "tiers": p = [...(method.tiers || [])].reverse().find((tier) => tier.min <= value)?.points ?? 0; break;
    case "count": p = value * (method.pointsEach || 0); break;
    case "judgement": p = value; break;
    default: p = 0;
  }
  return Math.min(Math.max(p, 0), max);
}

/** How a sub-index is scored, in words ("Tỷ lệ %: đủ 30 điểm khi đạt 100%"). */
export function methodText(node) {
  const method = node?.method || {};
  const max = pointsText(node?.maxPoints, { fixed: false });
  const n = (v) => formatNumber(v, { maximumFractionDigits: 2 });
  switch (method.kind) {
    case "yesno": return t("dti.method.yesno", { max });
    case "ratio": return t("dti.method.ratio", { max, target: n(method.target) });
    case "tiers": return t("dti.method.tiers", {
      tiers: (method.tiers || []).filter((tier) => tier.points > 0).map((tier) => t("dti.method.tier", { min: n(tier.min), points: n(tier.points) })).join("; "),
    });
    case "count": return t("dti.method.count", { each: n(method.pointsEach), max });
    case "judgement": return t("dti.method.judgement", { max });
    default: return "";
  }
}

/** Points of every node from the leaves' points (inner nodes: their children's sum). */
export function treePoints(criteria, leafPoints) {
  const out = {};
  const walk = (node) => {
    const p = isLeaf(node) ? (leafPoints[node.code] ?? 0) : node.children.reduce((sum, child) => sum + walk(child), 0);
    out[node.code] = p;
    return p;
  };
  for (const node of Array.isArray(criteria) ? criteria : []) walk(node);
  return out;
}

/** The results' main-index columns (depth 2), or the pillars when the tree has no second level. */
export function mainColumns(results) {
  const columns = Array.isArray(results?.columns) ? results.columns : [];
  const main = columns.filter((c) => c.depth === 2);
  return main.length ? main : columns.filter((c) => c.depth === 1);
}

export const columnName = (column) => localized(column?.name, column?.nameEn) || column?.code || EMPTY;

/** A column's pillar (the depth-1 column before it), for the ranking's grouped header. */
export function pillarOf(results, column) {
  const columns = Array.isArray(results?.columns) ? results.columns : [];
  let pillar = null;
  for (const c of columns) {
    if (c.depth === 1) pillar = c;
    if (c === column) return column.depth === 1 ? null : pillar;
  }
  return null;
}

// ---- Sorting, search: shared with the public pages (../public-table.js) ----

export { searchable, sortHeader, sortRows } from "../public-table.js";

// ---- Dates ----

/** Today in Vietnam's time zone, yyyy-MM-dd. */
export function todayISO() {
  const [day, month, year] = formatDate(new Date()).split("/");
  return `${year}-${month}-${day}`;
}

/** Whole days from today to `iso` (yyyy-MM-dd): 0 on the day, negative when it has passed; null without a date. */
export function daysUntil(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso ?? ""));
  if (!m) return null;
  const [y, mo, d] = todayISO().split("-").map(Number);
  return Math.round((Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - Date.UTC(y, mo - 1, d)) / 86_400_000);
}

/** "còn 12 ngày" / "hôm nay" / "quá hạn 3 ngày". */
export function daysLeftText(days) {
  if (days == null) return "";
  if (days > 0) return t("dti.deadline.left", { days: formatNumber(days) });
  if (days === 0) return t("dti.deadline.today");
  return t("dti.deadline.over", { days: formatNumber(-days) });
}

export function fileSize(bytes) {
  if (!finite(bytes)) return "";
  if (bytes < 1024) return t("dti.size.bytes", { value: formatNumber(bytes) });
  if (bytes < 1024 * 1024) return t("dti.size.kb", { value: formatNumber(bytes / 1024, { maximumFractionDigits: 0 }) });
  return t("dti.size.mb", { value: formatNumber(bytes / 1024 / 1024, { maximumFractionDigits: 1 }) });
}

export const hhmm = (date = new Date()) => `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;

// ---- A confirmation dialog ----

/**
 * Asks before an action that cannot be undone; resolves true when confirmed. `body`: more content (a list, a field).
 * Test hooks: `#dti-confirm`, `#dti-confirm-ok`, `#dti-confirm-cancel`.
 */
export function confirmDialog({ title, text, body = null, ok, cancel = t("dti.cancel"), danger = false }) {
  document.getElementById("dti-confirm")?.remove();
  return new Promise((resolve) => {
    const dialog = h("dialog", { id: "dti-confirm", class: "dti-dialog", "aria-labelledby": "dti-confirm-title" },
      h("h2", { id: "dti-confirm-title", class: "dti-dialog-title" }, title),
      text ? h("p", { class: "dti-dialog-text" }, text) : null,
      body,
      h("div", { class: "form-actions dti-dialog-actions" },
        h("button", { type: "button", class: "btn btn-secondary", id: "dti-confirm-cancel", onclick: () => dialog.close("cancel") }, cancel),
        h("button", { type: "button", class: `btn ${danger ? "dti-btn-danger" : "btn-primary"}`, id: "dti-confirm-ok", onclick: () => dialog.close("ok") }, ok)));
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector("#dti-confirm-cancel").focus();
  });
}

// ---- Chart.js (the radar) ----

let chartLibrary = null;

/** Chart.js from Debian's libjs-chart.js (served by IOC under /vendor/chart.js/), loaded once, on first use. */
export function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  chartLibrary ??= new Promise((resolve, reject) => {
    const script = h("script", { src: "/vendor/chart.js/chart.min.js", async: true });
    script.addEventListener("load", () => (window.Chart ? resolve(window.Chart) : reject(new Error("Chart.js did not load"))));
    script.addEventListener("error", () => {
      chartLibrary = null;
      script.remove();
      reject(new Error("Chart.js could not be loaded"));
    });
    document.head.append(script);
  });
  return chartLibrary;
}

/** A heat-map colour for a share 0–1 (red → amber → green), readable with dark text. */
export function heatColour(share) {
  const s = Math.max(0, Math.min(1, finite(share) ? share : 0));
  const hue = Math.round(s * 125); // 0 red … 125 green
  return `hsl(${hue} 70% ${Math.round(74 + 6 * Math.abs(s - 0.5))}%)`;
}

// ---- Results shared by the ranking, the profile and the heat map ----

/**
 * What to show instead of the results while they cannot be shown (a note for an officer before publication, loading,
 * an error), or null when `dti.shared.results.data` is the chosen framework's. Asks for the results when readable.
 */
export function resultsBlocker(dti) {
  const readable = dti.resultsReadable();
  if (readable === false) return h("p", { class: "dti-note", id: "dti-results-hidden" }, t("dti.results.notYet"));
  if (readable) dti.need("results");
  const res = dti.shared.results;
  if (res.key === dti.state.fw && res.error) return errorBox(res.error);
  if (readable == null || res.key !== dti.state.fw || !res.data) return loadingLine();
  return null;
}

/** The results' standing: provisional (not published: may still change) or the published version and its date. */
export function resultsBanner(results) {
  if (!results?.published) {
    return h("div", { class: "alert alert-warn dti-provisional", id: "dti-provisional", role: "note" },
      h("strong", {}, t("dti.results.provisional")), " ", t("dti.results.provisionalText", { count: formatNumber(results?.results?.length ?? 0) }));
  }
  return h("p", { class: "dti-published muted" },
    t("dti.results.published", { date: formatDate(results.publishedAt), version: formatNumber(results.version) }));
}
