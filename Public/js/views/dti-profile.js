// DTI, sub-page "profile": one agency of the results — its rank, value and level, last year's value and rank, a radar
// (Chart.js) of its main indices as a share of each one's maximum against the average of the agencies ranked, the
// main indices in a table and its five weakest sub-indices (the lowest share of their maximum).
// Test hooks: `#dti-profile[data-agency=CODE]`, `#dti-profile-agency` (the choice), `#dti-radar` (the canvas,
// `data-ready="1"` once drawn), `#dti-weakest li[data-criterion]`.
import { h } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import {
  EMPTY, changeCell, columnName, isLeaf, levelChip, loadChart, mainColumns, nodeIndex, nodeName, pointsText, resultsBanner,
  resultsBlocker, rowAgency, scrollTable, setChildren, shareText, valueText, walkTree,
} from "./dti-common.js";

const WEAKEST = 5;
const AGENCY_COLOUR = "#1d5fbf";
const AVERAGE_COLOUR = "#b07d00";

/** Splits a long axis label into lines of about `width` characters (Chart.js draws an array as lines). */
function wrap(text, width = 18) {
  const lines = [];
  for (const word of String(text).split(/\s+/)) {
    const last = lines[lines.length - 1];
    if (last && `${last} ${word}`.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** Builds the sub-page in its panel; `dti` is the page's shared context (dti.js). */
export function create(dti) {
  const { state, user } = dti;
  const panel = dti.panels.get("profile");
  const agencyLabel = h("label", { for: "dti-profile-agency" });
  const agencySelect = h("select", { id: "dti-profile-agency" });
  agencySelect.addEventListener("change", () => {
    state.agency = agencySelect.value;
    dti.writeLocation();
    render();
  });
  const tools = h("div", { class: "ps-filters" }, h("div", { class: "field" }, agencyLabel, agencySelect));
  const body = h("div", { class: "ps-result", "aria-live": "polite" });
  panel.append(tools, body);
  let chart = null;
  let drawSeq = 0;

  function load(force) {
    dti.need("detail");
    if (force) dti.shared.results.invalidate();
    render();
  }

  function destroyChart() {
    chart?.destroy();
    chart = null;
  }

  /** The agency shown: the one asked for, else the user's own, else the first ranked. */
  function chosen(rows) {
    const codes = new Set(rows.map((r) => r.agency));
    if (codes.has(state.agency)) return state.agency;
    if (codes.has(user?.agency?.code)) return user.agency.code;
    return rows[0]?.agency || "";
  }

  async function drawRadar(canvas, labels, own, average, names) {
    const seq = ++drawSeq;
    let Chart;
    try {
      Chart = await loadChart();
    } catch {
      if (seq === drawSeq) canvas.replaceWith(h("p", { class: "dti-note" }, t("dti.profile.noChart")));
      return;
    }
    if (seq !== drawSeq || !canvas.isConnected) return;
    destroyChart();
    const font = getComputedStyle(document.body).fontFamily;
    const narrow = (canvas.parentElement?.clientWidth || 600) < 480; // a phone: smaller labels, a larger web
    chart = new Chart(canvas, {
      type: "radar",
      data: {
        labels: labels.map((l) => wrap(l, narrow ? 13 : 18)),
        datasets: [
          { label: names.own, data: own, borderColor: AGENCY_COLOUR, backgroundColor: "rgba(29, 95, 191, 0.18)", pointBackgroundColor: AGENCY_COLOUR, borderWidth: 2.5 },
          { label: names.average, data: average, borderColor: AVERAGE_COLOUR, backgroundColor: "rgba(176, 125, 0, 0.06)", pointBackgroundColor: AVERAGE_COLOUR, borderDash: [6, 4], borderWidth: 2 },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        font: { family: font },
        scales: {
          r: {
            min: 0, max: 100, beginAtZero: true,
            ticks: { stepSize: narrow ? 25 : 20, backdropColor: "rgba(255, 255, 255, 0.8)", callback: (v) => `${v}%`, font: { family: font, size: narrow ? 9 : 11 } },
            pointLabels: { font: { family: font, size: narrow ? 10 : 13, weight: "600" }, color: "#13315c", padding: narrow ? 4 : 8 },
            grid: { color: "#d5dce6" }, angleLines: { color: "#d5dce6" },
          },
        },
        plugins: {
          legend: { position: "bottom", labels: { font: { family: font, size: narrow ? 11 : 13 }, boxWidth: 18 } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatNumber(item.raw, { maximumFractionDigits: 1 })}%` } },
        },
      },
    });
    canvas.dataset.ready = "1";
  }

  function weakest(detail, row) {
    if (!detail) return [];
    const maxima = detail.maxima || {};
    return walkTree(detail.framework?.criteria).map(({ node }) => node).filter(isLeaf)
      .filter((node) => (maxima[node.code] ?? node.maxPoints) > 0)
      .map((node) => {
        const max = maxima[node.code] ?? node.maxPoints;
        const points = row.byCriterion?.[node.code] ?? 0;
        return { node, max, points, share: points / max };
      })
      .sort((a, b) => a.share - b.share || (b.max - b.points) - (a.max - a.points))
      .slice(0, WEAKEST);
  }

  function bar(share, className = "") {
    const fill = h("span", { class: "ps-bar-fill" });
    fill.style.setProperty("width", `${Math.max(0, Math.min(1, share)) * 100}%`);
    return h("span", { class: `ps-bar dti-bar ${className}`, "aria-hidden": "true" }, fill);
  }

  function render() {
    if (dti.removed) return;
    agencyLabel.textContent = t("dti.profile.agency");
    const blocker = resultsBlocker(dti);
    tools.hidden = Boolean(blocker);
    if (blocker) {
      destroyChart();
      setChildren(body, blocker);
      return;
    }
    const results = dti.shared.results.data;
    const rows = Array.isArray(results.results) ? results.results : [];
    if (!rows.length) {
      destroyChart();
      tools.hidden = true;
      setChildren(body, h("p", { class: "dti-note" }, t("dti.ranking.empty")));
      return;
    }
    const code = chosen(rows);
    const sorted = rows.slice().sort((a, b) => rowAgency(a).localeCompare(rowAgency(b), "vi"));
    setChildren(agencySelect, sorted.map((r) => h("option", { value: r.agency }, rowAgency(r))));
    agencySelect.value = code;
    const row = rows.find((r) => r.agency === code);
    const columns = mainColumns(results);
    const share = (points, max) => (max > 0 ? (points ?? 0) / max : 0);
    const own = columns.map((c) => Math.round(share(row.byCriterion?.[c.code], c.maxPoints) * 1000) / 10);
    const average = columns.map((c) => Math.round(share(results.averageByCriterion?.[c.code], c.maxPoints) * 1000) / 10);
    const detail = dti.detail();
    const weak = weakest(detail, row);
    const index = nodeIndex(detail);
    const canvas = h("canvas", { id: "dti-radar", role: "img", "aria-label": t("dti.profile.radarLabel", { name: rowAgency(row) }) });
    const previousYear = results.year - 1;

    setChildren(body,
      resultsBanner(results),
      h("div", { class: "dti-profile", id: "dti-profile", dataset: { agency: code } },
        h("section", { class: "card dti-profile-summary" },
          h("h2", { class: "dti-profile-name" }, rowAgency(row)),
          h("dl", { class: "dti-profile-facts" },
            h("div", {}, h("dt", {}, t("dti.col.rank")), h("dd", { class: "dti-big" }, t("dti.profile.rankOf", { rank: formatNumber(row.rank), count: formatNumber(rows.length) }))),
            h("div", {}, h("dt", {}, t("dti.col.value")), h("dd", { class: "dti-big dti-value" }, valueText(row.value))),
            h("div", {}, h("dt", {}, t("dti.col.level")), h("dd", {}, levelChip(row, dti.tones()))),
            h("div", {}, h("dt", {}, t("dti.col.points")), h("dd", {}, t("dti.ranking.pointsOf", { points: pointsText(row.points), max: pointsText(row.maxPoints, { fixed: false }) })))),
          h("div", { class: "dti-yoy", id: "dti-yoy" },
            h("h3", {}, t("dti.profile.yoy")),
            typeof row.previousValue === "number"
              ? h("p", {},
                t("dti.profile.yoyText", {
                  previousYear, previous: valueText(row.previousValue), previousRank: formatNumber(row.previousRank),
                  year: results.year, value: valueText(row.value), rank: formatNumber(row.rank),
                }), " ", changeCell(row))
              : h("p", { class: "muted" }, t("dti.profile.noPrevious", { year: previousYear })))),
        h("section", { class: "card dti-radar-card" },
          h("h3", {}, t("dti.profile.radar")),
          h("div", { class: "dti-radar-box" }, canvas),
          h("p", { class: "ps-note" }, t("dti.profile.radarNote"))),
        h("section", { class: "dti-profile-tables" },
          scrollTable(t("dti.profile.mainCaption"), { id: "dti-profile-main" },
            h("thead", {}, h("tr", {},
              h("th", { scope: "col" }, t("dti.profile.mainIndex")),
              h("th", { scope: "col", class: "ps-num" }, t("dti.col.points")),
              h("th", { scope: "col" }, t("dti.profile.share")),
              h("th", { scope: "col", class: "ps-num" }, t("dti.profile.averageShare")))),
            h("tbody", {}, columns.map((c, i) => h("tr", { dataset: { criterion: c.code } },
              h("th", { scope: "row" }, columnName(c)),
              h("td", { class: "ps-num" }, t("dti.ranking.pointsOf", { points: pointsText(row.byCriterion?.[c.code]), max: pointsText(c.maxPoints, { fixed: false }) })),
              h("td", { class: "dti-share-cell" }, h("span", { class: "ps-strong" }, shareText(own[i] / 100)), bar(own[i] / 100)),
              h("td", { class: "ps-num" }, shareText(average[i] / 100)))))),
          h("section", { class: "card dti-weakest-card" },
            h("h3", {}, t("dti.profile.weakest", { count: formatNumber(WEAKEST) })),
            detail
              ? h("ol", { class: "dti-weakest", id: "dti-weakest" }, weak.map((w) => h("li", { dataset: { criterion: w.node.code } },
                h("span", { class: "dti-weak-head" },
                  h("span", { class: "mono dti-weak-code" }, w.node.code), " ", h("span", { class: "dti-weak-name" }, nodeName(index.get(w.node.code) || w.node)),
                  w.node.measure ? h("span", { class: "badge badge-soon dti-weak-measured" }, t("dti.measured.badge")) : null),
                h("span", { class: "dti-weak-figure" },
                  h("span", { class: "ps-strong" }, t("dti.ranking.pointsOf", { points: pointsText(w.points, { fixed: false }), max: pointsText(w.max, { fixed: false }) })),
                  " ", h("span", { class: "muted" }, shareText(w.share))),
                bar(w.share, "is-below"))))
              : h("p", { class: "muted" }, dti.shared.detail.error ? EMPTY : t("app.loading"))))));
    drawRadar(canvas, columns.map(columnName), own, average, {
      own: rowAgency(row), average: t("dti.profile.averageOf", { count: formatNumber(rows.length) }),
    });
  }

  return {
    load, render, relabel: render,
    destroy() {
      drawSeq += 1;
      destroyChart();
    },
  };
}
