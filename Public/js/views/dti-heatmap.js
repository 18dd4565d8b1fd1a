// DTI, sub-page "heat map": the agencies ranked (rows) × the main indices (columns), each cell coloured by the points
// as a share of the main index's maximum (red → amber → green), the average of the agencies ranked below. Columns sort.
// Test hooks: `#dti-heatmap tr[data-agency=CODE] td[data-criterion=C]` (`data-share`: the share, 0–1).
import { h } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import {
  columnName, heatColour, mainColumns, pointsText, resultsBanner, resultsBlocker, rowAgency, scrollTable, setChildren,
  shareText, sortHeader, sortRows, valueText,
} from "./dti-common.js";

/** Builds the sub-page in its panel; `dti` is the page's shared context (dti.js). */
export function create(dti) {
  const panel = dti.panels.get("heatmap");
  const body = h("div", { class: "ps-result", "aria-live": "polite" });
  panel.append(body);
  let sort = { key: "rank", dir: 1 };

  function load(force) {
    if (force) dti.shared.results.invalidate();
    render();
  }

  function cell(points, max, code, className = "") {
    const share = max > 0 ? (points ?? 0) / max : 0;
    const td = h("td", {
      class: `dti-heat ${className}`, dataset: { criterion: code, share: String(Math.round(share * 10_000) / 10_000) },
      title: t("dti.ranking.pointsOf", { points: pointsText(points), max: pointsText(max, { fixed: false }) }),
    }, shareText(share));
    td.style.setProperty("background-color", heatColour(share));
    return td;
  }

  function legend() {
    const steps = [0, 0.25, 0.5, 0.75, 1];
    return h("div", { class: "dti-heat-legend", "aria-hidden": "true" },
      h("span", {}, t("dti.heatmap.legend")),
      steps.map((s) => {
        const swatch = h("span", { class: "dti-heat-swatch" }, shareText(s));
        swatch.style.setProperty("background-color", heatColour(s));
        return swatch;
      }));
  }

  function render() {
    if (dti.removed) return;
    const blocker = resultsBlocker(dti);
    if (blocker) {
      setChildren(body, blocker);
      return;
    }
    const results = dti.shared.results.data;
    const columns = mainColumns(results);
    const rows = Array.isArray(results.results) ? results.results : [];
    const value = (row, key) => {
      if (key === "agency") return rowAgency(row);
      if (key.startsWith("col:")) {
        const column = columns.find((c) => c.code === key.slice(4));
        return column?.maxPoints ? (row.byCriterion?.[column.code] ?? 0) / column.maxPoints : null;
      }
      return row[key] ?? null;
    };
    const onSort = (next) => {
      sort = next;
      render();
    };
    if (!rows.length) {
      setChildren(body, resultsBanner(results), h("p", { class: "dti-note" }, t("dti.ranking.empty")));
      return;
    }
    setChildren(body,
      resultsBanner(results),
      h("p", { class: "ps-hint" }, t("dti.heatmap.intro")),
      legend(),
      scrollTable(t("dti.heatmap.caption"), { id: "dti-heatmap", class: "ps-table dti-heatmap" },
        h("thead", {}, h("tr", {},
          sortHeader(t("dti.col.rank"), "rank", sort, onSort, { className: "ps-num" }),
          sortHeader(t("dti.col.agency"), "agency", sort, onSort, { className: "dti-col-agency" }),
          columns.map((c) => sortHeader(columnName(c), `col:${c.code}`, sort, onSort, { className: "dti-heat-head", firstDir: -1 })),
          sortHeader(t("dti.col.value"), "value", sort, onSort, { className: "ps-num", firstDir: -1 }))),
        h("tbody", {}, sortRows(rows, sort, value).map((r) => h("tr", { dataset: { agency: r.agency } },
          h("td", { class: "ps-num" }, formatNumber(r.rank)),
          h("th", { scope: "row", class: "dti-col-agency" },
            h("button", { type: "button", class: "ps-link", onclick: () => dti.selectTab("profile", { agency: r.agency }) }, rowAgency(r))),
          columns.map((c) => cell(r.byCriterion?.[c.code], c.maxPoints, c.code)),
          h("td", { class: "ps-num ps-strong" }, valueText(r.value))))),
        h("tfoot", {}, h("tr", { class: "dti-average" },
          h("td", {}),
          h("th", { scope: "row" }, t("dti.ranking.average", { count: formatNumber(rows.length) })),
          columns.map((c) => cell(results.averageByCriterion?.[c.code], c.maxPoints, c.code, "is-average")),
          h("td", { class: "ps-num" }, valueText(results.average?.value))))));
  }

  return { load, render, relabel: render };
}
