// Public page of the digital-transformation index (chuyen-doi-so.html, no sign-in): the published rankings
// (GET /api/v1/dti/public, then /frameworks/{code}/results — the latest published version), one framework at a time
// (?fw=CODE), with rank, agency, index, level and the change on last year; columns sort, a search box filters by name
// (with or without Vietnamese marks), the average below, the results workbook to download. No evidence is listed: the
// published results carry none. On a phone each row is a card.
// Test hooks: `#dti-pub-framework`, `#dti-pub-search`, `#dti-pub-table tr[data-agency=CODE]` (`.dti-pub-value`),
// `#dti-pub-body[data-framework=CODE]`, `body[data-ready="1"]` once the first ranking is shown.
import { api, errorMessage } from "./api.js";
import { h } from "./dom.js";
import { applyI18n, bindLanguageSwitch, formatDate, formatNumber, initI18n, localized, t } from "./i18n.js";
import { loadSettings, provinceName } from "./settings.js";
import { matches, sortHeader, sortRows } from "./public-table.js";
import {
  BASE, changeCell, downloadIcon, frameworkLabel, frameworkPath, levelChip, levelTones, resultsXlsxPath, rowAgency, valueText,
} from "./views/dti-common.js";

const $ = (id) => document.getElementById(id);
const CODE = /^[A-Z0-9][A-Z0-9._-]{0,39}$/;

const state = { settings: null, frameworks: [], code: "", results: null, error: null, sort: { key: "rank", dir: 1 }, query: "", seq: 0 };

function chosenFromAddress() {
  const code = new URLSearchParams(location.search).get("fw") || "";
  return CODE.test(code) ? code : "";
}

function writeAddress() {
  const url = new URL(location.href);
  url.searchParams.set("fw", state.code);
  if (url.href !== location.href) history.replaceState(null, "", url);
}

function renderChrome() {
  const province = provinceName(state.settings);
  $("fr-province").textContent = province ? t("frp.provinceLine", { province }) : "";
  $("fr-demo").hidden = !state.settings?.demo;
  const select = $("dti-pub-framework");
  select.replaceChildren(...state.frameworks.map((f) => h("option", { value: f.code }, frameworkLabel(f))));
  select.value = state.code;
  select.disabled = !state.frameworks.length;
}

function sortValue(row, key) {
  if (key === "agency") return rowAgency(row);
  if (key === "level") return row.value;
  return row[key] ?? null;
}

function renderTable() {
  const body = $("dti-pub-body");
  const error = $("dti-pub-error");
  error.hidden = !state.error;
  error.textContent = state.error ? `${t("dti.public.loadError")} ${errorMessage(state.error)}` : "";
  if (!state.frameworks.length) {
    body.replaceChildren(state.error ? "" : h("p", { class: "pub-asof" }, t("dti.public.none")));
    return;
  }
  const results = state.results;
  if (!results) {
    body.replaceChildren(state.error ? "" : h("p", { class: "muted", role: "status" }, t("app.loading")));
    return;
  }
  body.dataset.framework = results.framework;
  const rows = Array.isArray(results.results) ? results.results : [];
  const tones = levelTones(results.levels, rows);
  const shown = sortRows(rows.filter((r) => matches(`${r.agencyName} ${r.agencyNameEn}`, state.query)), state.sort, sortValue);
  const onSort = (next) => {
    state.sort = next;
    renderTable();
  };
  const notSubmitted = Array.isArray(results.notSubmitted) ? results.notSubmitted.length : 0;
  body.replaceChildren(
    h("h3", { class: "dti-pub-name" }, localized(results.name, results.nameEn)),
    h("div", { class: "dti-pub-summary" },
      h("p", {}, t("dti.public.published", { date: formatDate(results.publishedAt), version: formatNumber(results.version) }),
        " · ", t("dti.public.count", { shown: formatNumber(shown.length), total: formatNumber(rows.length) })),
      h("a", { class: "btn btn-secondary dti-pub-download", id: "dti-pub-xlsx", href: resultsXlsxPath(results.framework, results.version) },
        downloadIcon(), t("dti.export"))),
    h("div", { class: "dti-pub-wrap" },
      h("table", { class: "dti-pub-table", id: "dti-pub-table" },
        h("caption", { class: "visually-hidden" }, `${t("dti.public.caption")} — ${localized(results.name, results.nameEn)}`),
        h("thead", {}, h("tr", {},
          sortHeader(t("dti.col.rank"), "rank", state.sort, onSort, { className: "num" }),
          sortHeader(t("dti.col.agency"), "agency", state.sort, onSort),
          sortHeader(t("dti.col.value"), "value", state.sort, onSort, { className: "num", firstDir: -1 }),
          sortHeader(t("dti.col.level"), "level", state.sort, onSort, { firstDir: -1 }),
          sortHeader(t("dti.col.change"), "change", state.sort, onSort, { className: "num", firstDir: -1 }))),
        h("tbody", {}, shown.length
          ? shown.map((r) => h("tr", { dataset: { agency: r.agency } },
            h("td", { class: "num dti-pub-rank" }, formatNumber(r.rank)),
            h("th", { scope: "row", class: "dti-pub-agency" }, rowAgency(r)),
            h("td", { class: "num dti-pub-value" }, valueText(r.value)),
            h("td", { class: "dti-pub-level" }, levelChip(r, tones)),
            h("td", { class: "num dti-pub-change" }, changeCell(r))))
          : h("tr", {}, h("td", { colspan: 5, class: "muted" }, t("dti.noMatch")))),
        rows.length
          ? h("tfoot", {}, h("tr", {},
            h("td", { class: "dti-pub-rank" }),
            h("th", { scope: "row", class: "dti-pub-agency" }, t("dti.ranking.average", { count: formatNumber(rows.length) })),
            h("td", { class: "num dti-pub-value" }, valueText(results.average?.value)),
            h("td", { class: "dti-pub-level" }),
            h("td", { class: "dti-pub-change" })))
          : null)),
    h("div", { class: "dti-pub-notes" },
      Array.isArray(results.levels) && results.levels.length
        ? h("p", { class: "dti-pub-levels", id: "dti-pub-levels" }, t("dti.public.levels"), " ",
          ...results.levels.map((l, i) => [i ? " · " : "", levelChip({ level: l.name, levelEn: l.nameEn }, tones), " ",
            t("dti.public.levelFrom", { min: valueText(l.min) })]).flat())
        : null,
      notSubmitted ? h("p", {}, t("dti.public.notSubmitted", { count: formatNumber(notSubmitted) })) : null,
      h("p", {}, t("dti.public.index")),
      h("p", {}, t("dti.public.note"))),
    evidenceSection(rows));
  document.body.dataset.ready = "1";
}

/** The evidence files agencies chose to publish, by agency (names from the results). */
function evidenceSection(rows) {
  const files = state.evidence || [];
  if (!files.length) return null;
  const names = new Map(rows.map((r) => [r.agency, rowAgency(r)]));
  const byAgency = new Map();
  for (const f of files) byAgency.set(f.agency, [...(byAgency.get(f.agency) || []), f]);
  return h("section", { class: "dti-pub-evidence", id: "dti-pub-evidence" },
    h("h3", {}, t("dti.public.evidence")),
    h("ul", {}, [...byAgency.entries()].map(([agency, list]) => h("li", {},
      h("strong", {}, names.get(agency) || agency), ": ",
      ...list.map((f, i) => [i ? ", " : "", h("a", { href: `${BASE}/evidence/${encodeURIComponent(f.id)}` },
        `${f.criterion} — ${f.filename}`)]).flat()))));
}

async function loadResults() {
  const seq = ++state.seq;
  state.results = null;
  state.error = null;
  renderTable();
  try {
    const [results, evidence] = await Promise.all([
      api.get(`${frameworkPath(state.code)}/results`),
      api.get(`${frameworkPath(state.code)}/public-evidence`).catch(() => []),
    ]);
    if (seq !== state.seq) return;
    state.results = results;
    state.evidence = Array.isArray(evidence) ? evidence : [];
  } catch (error) {
    if (seq !== state.seq) return;
    state.error = error;
  }
  renderTable();
}

async function start() {
  await initI18n(["field-reports-public", "dti"]);
  bindLanguageSwitch($("lang-switch"));
  window.addEventListener("ioc:languagechange", () => {
    renderChrome();
    renderTable();
  });
  $("dti-pub-framework").addEventListener("change", (event) => {
    state.code = event.target.value;
    writeAddress();
    loadResults();
  });
  $("dti-pub-search").addEventListener("input", (event) => {
    state.query = event.target.value;
    renderTable();
  });
  $("dti-pub-filters").addEventListener("submit", (event) => event.preventDefault());
  try {
    const [settings, frameworks] = await Promise.all([loadSettings().catch(() => null), api.get(`${BASE}/public`)]);
    state.settings = settings;
    state.frameworks = Array.isArray(frameworks) ? frameworks : [];
  } catch (error) {
    state.error = error;
  }
  const wanted = chosenFromAddress();
  const first = state.frameworks.find((f) => f.code === wanted) || state.frameworks.find((f) => f.subject === "department") || state.frameworks[0];
  state.code = first?.code || "";
  renderChrome();
  applyI18n();
  if (state.code) {
    writeAddress();
    await loadResults();
  } else {
    renderTable();
    document.body.dataset.ready = "1";
  }
}

start();
