// Public transparency page of administrative procedures (cong-khai.html, no sign-in): each agency's dossiers this
// year (GET /api/v1/public-services/public-figures; no personal data), in the public pages' layout (header, shared
// navigation, footer). A search box filters agencies by name (with or without Vietnamese marks), every column sorts
// (?q= and ?sort= keep both in the address), and on a phone each row keeps its two rates in view (report.css).
// The two rates are named from the dictionaries by what they measure (§1.5–1.6 of the domain notes): the QĐ 766/QĐ-TTg
// on-time rate over every dossier to handle, and the early-or-on-time share of resolved dossiers.
// Test hooks: `#portal-search`, `#portal-table thead [data-sort=KEY]`, `#portal-table tbody tr[data-agency=CODE]`
// (`.portal-agency`, `.portal-rate1`, `.portal-rate2`), `body[data-ready="1"]` once the figures are shown.
import { api, errorMessage } from "./api.js";
import { applyI18n, bindLanguageSwitch, formatDate, formatNumber, initI18n, localizedName, t } from "./i18n.js";
import { h } from "./dom.js";
import { loadSettings, provinceName } from "./settings.js";
import { matches, sortHeader, sortRows } from "./public-table.js";

const $ = (id) => document.getElementById(id);
const KEYS = ["agency", "received", "resolved", "onTimeRate", "earlyOrOnTimeAmongResolvedRate"];
const RATES = [
  ["onTimeRate", "portal.col.onTimeRate", "portal.def.onTimeRate"],
  ["earlyOrOnTimeAmongResolvedRate", "portal.col.earlyOrOnTimeRate", "portal.def.earlyOrOnTimeRate"],
];

const state = { settings: null, figures: null, error: null, query: "", sort: { key: "agency", dir: 1 } };

function readAddress() {
  const params = new URLSearchParams(location.search);
  state.query = params.get("q") || "";
  const [key, dir] = (params.get("sort") || "").split(":");
  if (KEYS.includes(key)) state.sort = { key, dir: dir === "desc" ? -1 : 1 };
}

function writeAddress() {
  const url = new URL(location.href);
  if (state.query.trim()) url.searchParams.set("q", state.query.trim());
  else url.searchParams.delete("q");
  url.searchParams.set("sort", `${state.sort.key}:${state.sort.dir < 0 ? "desc" : "asc"}`);
  if (url.href !== location.href) history.replaceState(null, "", url);
}

const agencyName = (a) => localizedName(a) || "";

function pct(value) {
  if (value == null || !Number.isFinite(Number(value))) return "—";
  return `${formatNumber(Number(value) * 100, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}%`;
}

function sortValue(row, key) {
  if (key === "agency") return agencyName(row);
  return Number.isFinite(row[key]) ? row[key] : null;
}

function renderChrome() {
  const province = provinceName(state.settings);
  $("fr-province").textContent = province ? t("frp.provinceLine", { province }) : "";
  $("fr-demo").hidden = !(state.figures?.demo ?? state.settings?.demo);
  document.title = t("portal.pageTitle");
  const figures = state.figures;
  $("portal-period").textContent = figures ? t("portal.period", { from: formatDate(figures.from), asOf: formatDate(figures.asOf) }) : "";
  $("portal-definitions").replaceChildren(...RATES.flatMap(([, , def]) => [h("dt", {}, t(def)), h("dd", {}, t(`${def}Text`))]));
}

function renderTable() {
  const table = $("portal-table");
  const error = $("portal-error");
  error.hidden = !state.error;
  error.textContent = state.error ? `${t("portal.loadError")} ${errorMessage(state.error)}` : "";
  const rows = Array.isArray(state.figures?.agencies) ? state.figures.agencies : [];
  const shown = sortRows(rows.filter((a) => matches(`${a.name ?? ""} ${a.nameEn ?? ""}`, state.query)), state.sort, sortValue);
  const onSort = (next) => {
    state.sort = next;
    writeAddress();
    renderTable();
  };
  const label = { agency: t("portal.agency"), received: t("portal.received"), resolved: t("portal.resolved") };
  RATES.forEach(([key, column]) => { label[key] = t(column); });
  table.tHead.replaceChildren(h("tr", {},
    sortHeader(label.agency, "agency", state.sort, onSort, { className: "portal-agency" }),
    sortHeader(label.received, "received", state.sort, onSort, { className: "num portal-received", firstDir: -1 }),
    sortHeader(label.resolved, "resolved", state.sort, onSort, { className: "num portal-resolved", firstDir: -1 }),
    ...RATES.map(([key], i) => sortHeader(label[key], key, state.sort, onSort, { className: `num portal-rate${i + 1}`, firstDir: -1 }))));
  table.tBodies[0].replaceChildren(...(shown.length
    ? shown.map((a) => h("tr", { dataset: { agency: a.code || "" } },
      h("th", { scope: "row", class: "portal-agency" }, agencyName(a)),
      h("td", { class: "num portal-received", "data-label": label.received }, formatNumber(a.received ?? 0)),
      h("td", { class: "num portal-resolved", "data-label": label.resolved }, formatNumber(a.resolved ?? 0)),
      ...RATES.map(([key], i) => h("td", { class: `num portal-rate portal-rate${i + 1}`, "data-label": label[key] }, pct(a[key])))))
    : [h("tr", { class: "pub-empty" }, h("td", { colspan: 5 }, state.figures ? t("portal.noMatch") : state.error ? "" : t("app.loading")))]));
  $("portal-count").textContent = state.figures
    ? t("portal.count", { shown: formatNumber(shown.length), total: formatNumber(rows.length) })
    : "";
}

async function start() {
  await initI18n(["field-reports-public"]);
  applyI18n();
  bindLanguageSwitch($("lang-switch"));
  readAddress();
  const search = $("portal-search");
  search.value = state.query;
  search.addEventListener("input", () => {
    state.query = search.value;
    writeAddress();
    renderTable();
  });
  $("portal-filters").addEventListener("submit", (event) => event.preventDefault());
  window.addEventListener("ioc:languagechange", () => {
    renderChrome();
    renderTable();
  });
  renderTable();
  const [settings, figures] = await Promise.allSettled([loadSettings(), api.get("/api/v1/public-services/public-figures")]);
  state.settings = settings.status === "fulfilled" ? settings.value : null;
  if (figures.status === "fulfilled") state.figures = figures.value;
  else state.error = figures.reason;
  renderChrome();
  renderTable();
  document.body.dataset.ready = "1";
}

start();
