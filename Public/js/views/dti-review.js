// DTI, sub-page "review" (reviewers: admins and officers of the assessing agency; leaders, operators and analysts read
// it as "Bản tự đánh giá"): the assessments of the framework with their state, points, adjustments and answers; one
// opens as the tree (dti-assessment.js, mode "review") where a reviewer adjusts a sub-index (points and a reason) while
// the cycle is open, or corrects it once published (a new results version). "Công bố kết quả" publishes the results
// after a confirmation.
// Test hooks: `#dti-review-list tr[data-agency=CODE]` (`.dti-open`), `#dti-review-back`, `#dti-publish`,
// `#dti-review-all` (also the drafts), `#dti-review-message`.
import { api, errorMessage } from "../api.js";
import { h } from "../dom.js";
import { formatDateTime, formatNumber, t } from "../i18n.js";
import { createEditor } from "./dti-assessment.js";
import {
  EMPTY, SUBMITTED, agencyLabel, confirmDialog, errorBox, frameworkPath, levelChip, levelNamed, loadingLine, pointsText, scrollTable,
  setChildren, sortHeader, sortRows, statusBadge, valueText,
} from "./dti-common.js";

/** Builds the sub-page in its panel; `dti` is the page's shared context (dti.js). */
export function create(dti) {
  const { state } = dti;
  const panel = dti.panels.get("review");
  const body = h("div", { class: "ps-result", "aria-live": "polite" });
  const editor = createEditor(dti, { mode: "review", onChanged: () => dti.dataChanged() });
  const editorBox = h("div", { class: "dti-review-open" });
  panel.append(body, editorBox);
  let sort = { key: "status", dir: 1 };
  let showAll = false;
  let message = null;
  let busy = false;

  const items = () => (dti.shared.assessments.key === state.fw ? dti.shared.assessments.data?.items || [] : []);

  function load(force, { live = [], resync = false } = {}) {
    dti.need("detail");
    dti.need("assessments", force);
    if (state.review) {
      if (live.includes(state.review) || resync) editor.refresh();
      else editor.show(state.review, force);
    }
    render();
  }

  function open(code) {
    state.review = code;
    dti.writeLocation();
    editor.show(code);
    render();
    panel.scrollIntoView?.({ block: "start" });
  }

  function back() {
    state.review = "";
    dti.writeLocation();
    render();
  }

  async function publish() {
    const list = items();
    const submitted = list.filter((item) => SUBMITTED.has(item.status)).length;
    const waiting = list.filter((item) => item.status === "submitted").length;
    const f = dti.summary();
    const ok = await confirmDialog({
      title: t("dti.publish.title", { code: f?.code || "" }),
      text: t("dti.publish.text"),
      body: h("ul", { class: "dti-dialog-list" },
        h("li", {}, t("dti.publish.submitted", { count: formatNumber(submitted), total: formatNumber(list.length) })),
        list.length - submitted ? h("li", { class: "ps-bad" }, t("dti.publish.left", { count: formatNumber(list.length - submitted) })) : null,
        waiting ? h("li", {}, t("dti.publish.unreviewed", { count: formatNumber(waiting) })) : null),
      ok: t("dti.publish.button"),
    });
    if (!ok || dti.removed) return;
    busy = true;
    render();
    try {
      const results = await api.post(`${frameworkPath(state.fw)}/publish`);
      message = { kind: "ok", text: t("dti.publish.done", { count: formatNumber(results?.results?.length ?? 0) }) };
      dti.dataChanged();
    } catch (error) {
      message = { kind: "error", text: errorMessage(error) };
    } finally {
      busy = false;
      render();
    }
  }

  function sortValue(item, key) {
    if (key === "agency") return agencyLabel(item.agency);
    if (key === "status") return ["submitted", "answered", "reviewed", "draft", "none"].indexOf(item.status);
    if (key === "missing") return item.missingEvidence?.length ?? 0;
    if (key === "submittedAt") return item.submittedAt || null;
    return item[key] ?? null;
  }

  const onSort = (next) => {
    sort = next;
    render();
  };

  function publishBar(list) {
    const f = dti.summary();
    if (!f) return null;
    if (f.status !== "open") {
      return h("p", { class: "dti-note" }, t("dti.review.publishedNote", { version: formatNumber(f.resultsVersion) }));
    }
    if (!dti.canReview()) return h("p", { class: "ps-hint" }, t("dti.review.readOnly"));
    const submitted = list.filter((item) => SUBMITTED.has(item.status)).length;
    return h("div", { class: "card dti-publish-bar" },
      h("p", {}, t("dti.review.progress", { count: formatNumber(submitted), total: formatNumber(list.length) })),
      h("button", { type: "button", class: "btn btn-primary", id: "dti-publish", disabled: busy || !submitted || undefined, onclick: publish },
        t("dti.publish.button")));
  }

  function render() {
    if (dti.removed) return;
    if (state.review) {
      setChildren(body,
        h("div", { class: "dti-review-nav" },
          h("button", { type: "button", class: "btn btn-ghost", id: "dti-review-back", onclick: back }, `← ${t("dti.review.back")}`),
          dti.canReview() ? h("p", { class: "ps-hint" }, t("dti.review.help")) : null));
      editorBox.hidden = false;
      if (!editorBox.contains(editor.element)) editorBox.append(editor.element);
      editor.render();
      return;
    }
    editorBox.hidden = true;
    const res = dti.shared.assessments;
    if (res.key === state.fw && res.error) {
      setChildren(body, errorBox(res.error));
      return;
    }
    if (res.key !== state.fw || !res.data) {
      setChildren(body, loadingLine());
      return;
    }
    const all = items();
    const shown = sortRows(all.filter((item) => showAll || SUBMITTED.has(item.status)), sort, sortValue);
    const tones = dti.tones();
    const levels = dti.detail()?.framework?.levels;
    const toggle = h("input", { type: "checkbox", id: "dti-review-all", checked: showAll || undefined });
    toggle.addEventListener("change", () => {
      showAll = toggle.checked;
      render();
    });
    const columns = 9;
    setChildren(body,
      publishBar(all),
      h("div", { id: "dti-review-message", role: message?.kind === "error" ? "alert" : "status" },
        message ? h("p", { class: `alert ${message.kind === "error" ? "alert-error" : "alert-ok"}` }, message.text) : null),
      h("label", { class: "dti-check", for: "dti-review-all" }, toggle, h("span", {}, t("dti.review.showAll"))),
      scrollTable(t("dti.review.caption"), { id: "dti-review-list" },
        h("thead", {}, h("tr", {},
          sortHeader(t("dti.col.agency"), "agency", sort, onSort),
          sortHeader(t("dti.col.status"), "status", sort, onSort),
          sortHeader(t("dti.col.submittedAt"), "submittedAt", sort, onSort, { firstDir: -1 }),
          sortHeader(t("dti.col.points"), "points", sort, onSort, { className: "ps-num", firstDir: -1 }),
          sortHeader(t("dti.col.value"), "value", sort, onSort, { className: "ps-num", firstDir: -1 }),
          h("th", { scope: "col" }, t("dti.col.level")),
          sortHeader(t("dti.col.reviewed"), "reviewed", sort, onSort, { className: "ps-num", firstDir: -1 }),
          sortHeader(t("dti.col.missing"), "missing", sort, onSort, { className: "ps-num", firstDir: -1 }),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("dti.col.actions"))))),
        h("tbody", {}, shown.length
          ? shown.map((item) => h("tr", { dataset: { agency: item.agency.code, status: item.status } },
            h("th", { scope: "row" }, agencyLabel(item.agency)),
            h("td", {}, statusBadge(item.status)),
            h("td", { class: "ps-nowrap" }, item.submittedAt ? formatDateTime(item.submittedAt) : EMPTY),
            h("td", { class: "ps-num" }, pointsText(item.points)),
            h("td", { class: "ps-num ps-strong" }, valueText(item.value)),
            h("td", {}, levelChip(levelNamed(levels, item.level), tones)),
            h("td", { class: "ps-num" }, formatNumber(item.reviewed || 0)),
            h("td", { class: `ps-num${item.missingEvidence?.length ? " ps-bad" : ""}` }, formatNumber(item.missingEvidence?.length || 0)),
            h("td", {}, item.status === "none"
              ? null
              : h("button", { type: "button", class: "btn btn-secondary dti-open", onclick: () => open(item.agency.code) },
                dti.canReview() && SUBMITTED.has(item.status) && dti.summary()?.status === "open" ? t("dti.review.open") : t("dti.review.view")))))
          : h("tr", { class: "ps-empty" }, h("td", { colspan: columns }, t("dti.review.empty"))))),
      h("p", { class: "ps-note" }, t("dti.review.note")));
  }

  return {
    load, render, relabel: render,
    /** Assessments waiting for the reviewer (submitted, or answered after a review): the tab's badge. */
    count: () => (dti.canReview() && dti.summary()?.status === "open"
      ? items().filter((item) => item.status === "submitted" || item.status === "answered").length : null),
  };
}
