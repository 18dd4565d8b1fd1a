// DTI, sub-page "evidence": before the deadline, the agencies × sub-indices that need evidence and have neither a file
// nor a link (the assessments' `missingEvidence`), with the days left; agencies still drafting first (a submitted
// assessment can no longer take evidence). Officers see their own agency.
// Test hooks: `#dti-missing tr[data-agency=CODE]` (`data-missing`: the count), `td[data-criterion=C].is-missing`,
// `#dti-deadline` (`data-days`).
import { h } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import {
  SUBMITTED, agencyLabel, daysLeftText, daysUntil, dayText, errorBox, isLeaf, loadingLine, nodeName, scrollTable,
  setChildren, statusBadge, walkTree,
} from "./dti-common.js";

/** Builds the sub-page in its panel; `dti` is the page's shared context (dti.js). */
export function create(dti) {
  const { state } = dti;
  const panel = dti.panels.get("evidence");
  const body = h("div", { class: "ps-result", "aria-live": "polite" });
  panel.append(body);
  let onlyDrafts = false;

  function load(force) {
    dti.need("detail");
    dti.need("assessments", force);
    render();
  }

  function deadlineBox(f) {
    const open = f?.status === "open";
    const days = open ? daysUntil(f.deadline) : null;
    if (!open) return h("p", { class: "dti-note" }, t("dti.evidence.closed"));
    if (!f.deadline) return h("p", { class: "dti-note", id: "dti-deadline" }, t("dti.cycle.noDeadline"));
    const tone = days < 0 ? "is-bad" : days <= 14 ? "is-warn" : "is-ok";
    return h("div", { class: `ps-kpi dti-deadline ${tone}`, id: "dti-deadline", dataset: { days: String(days) } },
      h("span", { class: "ps-kpi-value" }, daysLeftText(days)),
      h("span", { class: "ps-kpi-label" }, t("dti.evidence.deadline", { date: dayText(f.deadline) })));
  }

  function render() {
    if (dti.removed) return;
    const res = dti.shared.assessments;
    const detail = dti.detail();
    if (res.key === state.fw && res.error) {
      setChildren(body, errorBox(res.error));
      return;
    }
    if (res.key !== state.fw || !res.data || !detail) {
      setChildren(body, dti.shared.detail.error ? errorBox(dti.shared.detail.error) : loadingLine());
      return;
    }
    const f = dti.summary();
    const needing = walkTree(detail.framework?.criteria).map(({ node }) => node).filter((node) => isLeaf(node) && node.evidence && !node.measure);
    const items = (res.data.items || []).filter((item) => !onlyDrafts || !SUBMITTED.has(item.status));
    const rows = items.filter((item) => item.missingEvidence?.length)
      .sort((a, b) => Number(SUBMITTED.has(a.status)) - Number(SUBMITTED.has(b.status)) || b.missingEvidence.length - a.missingEvidence.length
        || agencyLabel(a.agency).localeCompare(agencyLabel(b.agency), "vi"));
    const complete = items.length - rows.length;
    const gaps = rows.reduce((sum, item) => sum + item.missingEvidence.length, 0);
    const toggle = h("input", { type: "checkbox", id: "dti-evidence-drafts", checked: onlyDrafts || undefined });
    toggle.addEventListener("change", () => {
      onlyDrafts = toggle.checked;
      render();
    });
    const kpi = (value, label, tone = "") => h("div", { class: `ps-kpi ${tone}` }, h("span", { class: "ps-kpi-value" }, value), h("span", { class: "ps-kpi-label" }, label));
    setChildren(body,
      h("div", { class: "ps-kpis dti-kpis" },
        deadlineBox(f),
        kpi(formatNumber(rows.length), t("dti.evidence.agencies"), rows.length ? "is-warn" : "is-ok"),
        kpi(formatNumber(gaps), t("dti.evidence.gaps"), gaps ? "is-bad" : ""),
        kpi(formatNumber(complete), t("dti.evidence.complete"), "is-ok")),
      h("p", { class: "ps-hint" }, t("dti.evidence.intro")),
      h("label", { class: "dti-check", for: "dti-evidence-drafts" }, toggle, h("span", {}, t("dti.evidence.onlyDrafts"))),
      rows.length
        ? scrollTable(t("dti.evidence.caption"), { id: "dti-missing", class: "ps-table dti-missing" },
          h("thead", {}, h("tr", {},
            h("th", { scope: "col", class: "dti-col-agency" }, t("dti.col.agency")),
            h("th", { scope: "col" }, t("dti.col.status")),
            h("th", { scope: "col", class: "ps-num" }, t("dti.col.missing")),
            needing.map((node) => h("th", { scope: "col", class: "dti-missing-head", title: nodeName(node) }, h("span", { class: "mono" }, node.code))))),
          h("tbody", {}, rows.map((item) => {
            const missing = new Set(item.missingEvidence);
            return h("tr", { dataset: { agency: item.agency.code, missing: String(missing.size) } },
              h("th", { scope: "row", class: "dti-col-agency" }, agencyLabel(item.agency)),
              h("td", {}, statusBadge(item.status)),
              h("td", { class: "ps-num ps-bad" }, formatNumber(missing.size)),
              needing.map((node) => (missing.has(node.code)
                ? h("td", { class: "dti-missing-cell is-missing", dataset: { criterion: node.code }, title: `${node.code} ${nodeName(node)}` },
                  h("span", { "aria-hidden": "true" }, "✕"), h("span", { class: "visually-hidden" }, t("dti.evidence.missingCell", { code: node.code })))
                : h("td", { class: "dti-missing-cell", dataset: { criterion: node.code } }, h("span", { class: "visually-hidden" }, t("dti.evidence.presentCell", { code: node.code }))))));
          })))
        : h("p", { class: "dti-note" }, t("dti.evidence.none")),
      h("p", { class: "ps-note" }, t("dti.evidence.note")));
  }

  return { load, render, relabel: render };
}
