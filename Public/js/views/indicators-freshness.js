// Indicators, sub-page "freshness": for each agency that owns indicators, how many periods are due now, approved,
// waiting for approval, late and missing (GET /indicators/freshness), worst first, with a bar of the approved share.
// Test hooks: `#ind-freshness tr[data-agency]`.
import { api } from "../api.js";
import { h } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import { BASE, agencyName, errorBox, loadingLine, pctText, scrollTable, setChildren } from "./indicators-common.js";

/** Builds the sub-page in its panel; `ind` is the page's shared context (indicators.js). */
export function create(ind) {
  const { fetchInto } = ind;
  const freshness = ind.resource();
  const body = h("div", { class: "ps-result", "aria-live": "polite" });
  ind.panels.get("freshness")?.append(body);

  function load(force) {
    fetchInto(freshness, "all", () => api.get(`${BASE}/freshness`), render, force);
  }

  const num = (v) => (typeof v === "number" ? v : 0);

  function render() {
    if (ind.removed) return;
    const { data, error, loading } = freshness;
    body.classList.toggle("is-busy", loading && Boolean(data));
    if (error) {
      setChildren(body, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(body, loadingLine());
      return;
    }
    const rows = (Array.isArray(data.items) ? data.items : []).slice()
      .sort((a, b) => num(b.late) + num(b.missing) - (num(a.late) + num(a.missing)) || num(b.due) - num(a.due));
    const totals = rows.reduce((sum, row) => {
      for (const key of ["due", "approved", "submitted", "late", "missing"]) sum[key] += num(row[key]);
      return sum;
    }, { due: 0, approved: 0, submitted: 0, late: 0, missing: 0 });
    const kpi = (key, tone) => h("div", { class: `ps-kpi${tone && totals[key] ? ` ${tone}` : ""}` },
      h("span", { class: "ps-kpi-value" }, formatNumber(totals[key])), h("span", { class: "ps-kpi-label" }, t(`indicators.freshness.${key}`)));
    const columns = ["agency", "due", "approved", "submitted", "late", "missing", "share"];
    setChildren(body,
      h("div", { class: "ps-kpis" }, kpi("due"), kpi("approved", "is-ok"), kpi("submitted"), kpi("late", "is-bad"), kpi("missing", "is-warn")),
      scrollTable(t("indicators.freshness.caption"), { id: "ind-freshness" },
        h("thead", {}, h("tr", {}, columns.map((key) => h("th", { scope: "col", class: key === "agency" ? null : "ps-num" }, t(`indicators.freshness.${key}`))))),
        h("tbody", {}, rows.length
          ? rows.map((row) => {
            const share = num(row.due) ? (num(row.approved) / num(row.due)) * 100 : null;
            const fill = h("span", { class: "ind-bar-fill", style: `width: ${Math.max(0, Math.min(100, share ?? 0))}%` });
            return h("tr", { dataset: { agency: row.agency?.code || "" }, class: num(row.late) || num(row.missing) ? "ps-attention" : null },
              h("th", { scope: "row" }, agencyName(row.agency, row.agency?.code || "")),
              h("td", { class: "ps-num" }, formatNumber(num(row.due))),
              h("td", { class: "ps-num" }, formatNumber(num(row.approved))),
              h("td", { class: "ps-num" }, formatNumber(num(row.submitted))),
              h("td", { class: `ps-num${num(row.late) ? " ps-bad" : ""}` }, formatNumber(num(row.late))),
              h("td", { class: `ps-num${num(row.missing) ? " ps-bad" : ""}` }, formatNumber(num(row.missing))),
              h("td", { class: "ps-num ind-share" }, pctText(share == null ? null : Math.round(share * 10) / 10),
                h("span", { class: "ind-bar", "aria-hidden": "true" }, fill)));
          })
          : h("tr", { class: "ps-empty" }, h("td", { colspan: columns.length }, t("indicators.freshness.empty"))))),
      h("p", { class: "ps-note" }, t("indicators.freshness.note")));
  }

  return {
    load,
    relabel: render,
    invalidate() {
      freshness.key = null;
    },
    liveTypes: ["indicators.submitted", "indicators.approved", "indicators.returned"],
  };
}
