// DTI, sub-page "ranking": the framework's results (GET /dti/frameworks/{code}/results — provisional before publication,
// with a banner): rank, agency, each main index's points, total, normalised value, level and the change on last year;
// the averages, the averages by group of agencies and the agencies that did not submit. Columns sort; a search box
// filters by name; "Xuất Excel" downloads results.xlsx. On a phone the table becomes a list of cards.
// Test hooks: `#dti-ranking tr[data-agency=CODE]` (`.dti-value`, `.dti-rank`), `#dti-rank-cards li[data-agency]`,
// `#dti-export`, `#dti-ranking-search`.
import { errorMessage } from "../api.js";
import { h } from "../dom.js";
import { formatNumber, localized, t } from "../i18n.js";
import {
  EMPTY, changeCell, columnName, downloadIcon, downloadXlsx, levelChip, mainColumns, pillarOf, pointsText, resultsBanner,
  resultsBlocker, resultsXlsxPath, rowAgency, scrollTable, searchable, setChildren, sortHeader, sortRows, valueText,
} from "./dti-common.js";

/** Builds the sub-page in its panel; `dti` is the page's shared context (dti.js). */
export function create(dti) {
  const { state } = dti;
  const panel = dti.panels.get("ranking");
  let sort = { key: "rank", dir: 1 };
  let query = "";
  let exportError = null;

  const searchLabel = h("label", { for: "dti-ranking-search" });
  const search = h("input", { type: "search", id: "dti-ranking-search", autocomplete: "off" });
  search.addEventListener("input", () => {
    query = search.value;
    render();
  });
  const exportLabel = h("span", {});
  const exportLink = h("a", { class: "btn btn-secondary", id: "dti-export", href: "#", onclick: download }, downloadIcon(), exportLabel);
  const tools = h("div", { class: "ps-filters dti-tools" }, h("div", { class: "field dti-search" }, searchLabel, search),
    h("div", { class: "ps-filter-action" }, exportLink));
  const top = h("div", { class: "ps-result" });
  const body = h("div", { class: "ps-result", "aria-live": "polite" });
  panel.append(top, tools, body);

  function load(force) {
    dti.need("detail");
    if (force) dti.shared.results.invalidate();
    render();
  }

  async function download(event) {
    event.preventDefault();
    const results = dti.shared.results.data;
    if (!results || exportLink.getAttribute("aria-disabled") === "true") return;
    exportLink.setAttribute("aria-disabled", "true");
    exportError = null;
    try {
      await downloadXlsx(resultsXlsxPath(results.framework), `ket-qua-dti-${results.framework.toLowerCase()}.xlsx`);
    } catch (error) {
      exportError = error;
    }
    exportLink.setAttribute("aria-disabled", "false");
    render();
  }

  function sortValue(row, key) {
    if (key === "agency") return rowAgency(row);
    if (key.startsWith("col:")) return row.byCriterion?.[key.slice(4)] ?? null;
    if (key === "level") return row.value;
    return row[key] ?? null;
  }

  const onSort = (next) => {
    sort = next;
    render();
  };

  function header(results, columns) {
    const pillars = [];
    for (const column of columns) {
      const pillar = pillarOf(results, column);
      const last = pillars[pillars.length - 1];
      if (last && last.pillar === pillar) last.span += 1;
      else pillars.push({ pillar, span: 1 });
    }
    const grouped = pillars.some((p) => p.pillar);
    const th = (label, key, className = "", firstDir = 1) => {
      const cell = sortHeader(label, key, sort, onSort, { className, firstDir });
      if (grouped) cell.setAttribute("rowspan", "2");
      return cell;
    };
    const mainHeads = columns.map((c) => sortHeader(
      h("span", { class: "dti-col-name" }, columnName(c), h("span", { class: "dti-col-max" }, t("dti.ranking.max", { max: pointsText(c.maxPoints, { fixed: false }) }))),
      `col:${c.code}`, sort, onSort, { className: "ps-num dti-col", firstDir: -1, title: columnName(c) }));
    const first = h("tr", {},
      th(t("dti.col.rank"), "rank", "ps-num"),
      th(t("dti.col.agency"), "agency", "dti-col-agency"),
      grouped ? pillars.map((p) => h("th", { scope: "colgroup", colspan: p.span, class: "dti-pillar-head" }, p.pillar ? columnName(p.pillar) : "")) : mainHeads,
      th(t("dti.col.points"), "points", "ps-num", -1),
      th(t("dti.col.value"), "value", "ps-num", -1),
      th(t("dti.col.level"), "level", "", -1),
      th(t("dti.col.change"), "change", "ps-num", -1));
    return h("thead", {}, first, grouped ? h("tr", {}, mainHeads) : null);
  }

  function row(r, columns, tones) {
    return h("tr", { dataset: { agency: r.agency } },
      h("td", { class: "ps-num dti-rank" }, formatNumber(r.rank)),
      h("th", { scope: "row", class: "dti-col-agency" },
        h("button", { type: "button", class: "ps-link dti-agency-link", onclick: () => dti.selectTab("profile", { agency: r.agency }) }, rowAgency(r))),
      columns.map((c) => h("td", { class: "ps-num" }, pointsText(r.byCriterion?.[c.code]))),
      h("td", { class: "ps-num ps-strong dti-points" }, pointsText(r.points)),
      h("td", { class: "ps-num ps-strong dti-value" }, valueText(r.value)),
      h("td", {}, levelChip(r, tones)),
      h("td", { class: "ps-num" }, changeCell(r)));
  }

  function footer(results, columns) {
    const average = results.average || {};
    const groups = Array.isArray(results.groups) ? results.groups : [];
    return h("tfoot", {},
      h("tr", { class: "dti-average" },
        h("td", {}),
        h("th", { scope: "row" }, t("dti.ranking.average", { count: formatNumber(results.results.length) })),
        columns.map((c) => h("td", { class: "ps-num" }, pointsText(results.averageByCriterion?.[c.code]))),
        h("td", { class: "ps-num" }, pointsText(average.points)),
        h("td", { class: "ps-num" }, valueText(average.value)),
        h("td", { colspan: 2 })),
      groups.length > 1 ? groups.map((g) => h("tr", { class: "dti-group-average", dataset: { group: g.key } },
        h("td", {}),
        h("th", { scope: "row" }, t("dti.ranking.groupAverage", { name: localized(g.name), count: formatNumber(g.count) })),
        columns.map(() => h("td", {})),
        h("td", { class: "ps-num" }, pointsText(g.points)),
        h("td", { class: "ps-num" }, valueText(g.value)),
        h("td", { colspan: 2 }))) : null);
  }

  function card(r, tones, max) {
    return h("li", { class: "dti-rank-card", dataset: { agency: r.agency } },
      h("span", { class: "dti-rank-card-rank", "aria-label": t("dti.ranking.rankLabel", { rank: formatNumber(r.rank) }) }, formatNumber(r.rank)),
      h("span", { class: "dti-rank-card-main" },
        h("button", { type: "button", class: "ps-link dti-rank-card-name", onclick: () => dti.selectTab("profile", { agency: r.agency }) }, rowAgency(r)),
        h("span", { class: "dti-rank-card-facts" }, levelChip(r, tones), " ",
          h("span", { class: "muted" }, t("dti.ranking.pointsOf", { points: pointsText(r.points), max: pointsText(max, { fixed: false }) })))),
      h("span", { class: "dti-rank-card-figure" },
        h("span", { class: "dti-rank-card-value dti-value" }, valueText(r.value)),
        changeCell(r)));
  }

  function render() {
    if (dti.removed) return;
    searchLabel.textContent = t("dti.search");
    search.placeholder = t("dti.searchPlaceholder");
    exportLabel.textContent = t("dti.export");
    const blocker = resultsBlocker(dti);
    tools.hidden = Boolean(blocker);
    if (blocker) {
      setChildren(top, blocker);
      setChildren(body);
      return;
    }
    const results = dti.shared.results.data;
    exportLink.href = resultsXlsxPath(results.framework);
    const rows = Array.isArray(results.results) ? results.results : [];
    const columns = mainColumns(results);
    const tones = dti.tones();
    const needle = searchable(query.trim());
    const shown = sortRows(rows.filter((r) => !needle || searchable(`${r.agencyName} ${r.agencyNameEn} ${r.agency}`).includes(needle)), sort, sortValue);
    const notSubmitted = Array.isArray(results.notSubmitted) ? results.notSubmitted : [];
    const caption = t("dti.ranking.caption", { name: localized(results.name, results.nameEn) });
    setChildren(top,
      resultsBanner(results),
      h("div", { class: "ps-kpis dti-kpis" },
        kpi(valueText(results.average?.value), t("dti.kpi.average")),
        kpi(formatNumber(rows.length), t("dti.kpi.ranked")),
        kpi(rows[0] ? rowAgency(rows[0]) : EMPTY, t("dti.kpi.top"), "dti-kpi-name"),
        kpi(formatNumber(notSubmitted.length), t("dti.kpi.notSubmitted"), notSubmitted.length ? "is-warn" : "")));
    setChildren(body,
      exportError ? h("div", { class: "alert alert-error", role: "alert" }, errorMessage(exportError)) : null,
      rows.length
        ? [
          scrollTable(caption, { id: "dti-ranking", class: "ps-table dti-ranking-table" },
            header(results, columns),
            h("tbody", {}, shown.length
              ? shown.map((r) => row(r, columns, tones))
              : h("tr", { class: "ps-empty" }, h("td", { colspan: columns.length + 6 }, t("dti.noMatch")))),
            footer(results, columns)),
          h("ol", { class: "dti-rank-cards", id: "dti-rank-cards", "aria-label": caption }, shown.map((r) => card(r, tones, results.maxPoints))),
        ]
        : h("p", { class: "dti-note" }, t("dti.ranking.empty")),
      notSubmitted.length
        ? h("details", { class: "dti-not-submitted" },
          h("summary", {}, t("dti.ranking.notSubmitted", { count: formatNumber(notSubmitted.length) })),
          h("p", {}, notSubmitted.map((a) => localized(a.name, a.nameEn) || a.code).join(" · ")))
        : null,
      h("p", { class: "ps-note" }, t("dti.ranking.note")));
  }

  function kpi(value, label, className = "") {
    return h("div", { class: `ps-kpi ${className}` }, h("span", { class: "ps-kpi-value" }, value), h("span", { class: "ps-kpi-label" }, label));
  }

  return { load, render, relabel: render };
}
