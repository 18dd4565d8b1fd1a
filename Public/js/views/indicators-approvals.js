// Indicators, sub-page "approvals" (operators, leaders, admins): the values submitted by the agencies
// (GET /indicators/approvals), each with its previous vintage, the same period last year and the anomaly flags the
// server raised (highlighted, with their explanation); for admins and operators, "Duyệt" approves (POST …/{id}/approve), "Trả lại" asks for a
// reason first (POST …/{id}/return {reason}). Live: `indicators.submitted` refreshes the queue.
// Test hooks: `#ind-approvals`, `[data-approval-id=UUID]` with `.ind-approve` and `.ind-return`, the reason
// `textarea.ind-return-reason` and its `.ind-return-confirm`.
import { api, errorMessage } from "../api.js";
import { h } from "../dom.js";
import { formatDateTime, localized, localizedName, t } from "../i18n.js";
import {
  BASE, EMPTY, changeCell, errorBox, flagList, indicatorName, loadingLine, periodLabel, setChildren, statusBadge,
  unitOf, valueText,
} from "./indicators-common.js";

const REASON_MAX = 1000;

/** Builds the sub-page in its panel; `ind` is the page's shared context (indicators.js). */
export function create(ind) {
  const { fetchInto, user } = ind;
  // Leaders read the queue; admins and operators approve or return.
  const canAct = ["admin", "operator"].includes(user?.role);
  const queue = ind.resource();
  const returning = new Map(); // id → reason being typed
  const rowState = new Map(); // id → { busy, error }
  let message = null;

  const messageBox = h("div", { "aria-live": "polite" });
  const body = h("div", { class: "ps-result", id: "ind-approvals", "aria-live": "polite" });
  ind.panels.get("approvals")?.append(messageBox, body);

  function load(force) {
    fetchInto(queue, "queue", () => api.get(`${BASE}/approvals`), () => {
      render();
      ind.renderTabs();
    }, force);
  }

  function items() {
    return Array.isArray(queue.data?.items) ? queue.data.items : [];
  }

  // ---- Actions ----

  async function act(item, kind) {
    const id = item.id;
    const reason = (returning.get(id) || "").trim();
    if (kind === "return" && !reason) {
      rowState.set(id, { error: t("indicators.approvals.reasonRequired") });
      render();
      document.querySelector(`[data-approval-id="${CSS.escape(id)}"] .ind-return-reason`)?.focus();
      return;
    }
    rowState.set(id, { busy: kind });
    render();
    try {
      if (kind === "approve") await api.post(`${BASE}/values/${encodeURIComponent(id)}/approve`);
      else await api.post(`${BASE}/values/${encodeURIComponent(id)}/return`, { reason });
      returning.delete(id);
      rowState.delete(id);
      message = {
        kind: "ok",
        text: t(kind === "approve" ? "indicators.approvals.approved" : "indicators.approvals.returned", {
          name: localizedName(item.indicator), period: periodLabel(item.period),
        }),
      };
      // Out of the queue at once; the list comes back from the server right after.
      if (queue.data) queue.data = { ...queue.data, items: items().filter((other) => other.id !== id) };
      render();
      ind.renderTabs();
      load(true);
    } catch (error) {
      rowState.set(id, { error: errorMessage(error) });
      render();
    }
  }

  // ---- Rendering ----

  function fact(label, value, className) {
    return h("div", { class: `ind-fact${className ? ` ${className}` : ""}` }, h("dt", {}, label), h("dd", {}, value));
  }

  function approvalItem(item) {
    const indicator = item.indicator || {};
    const id = item.id;
    const flags = Array.isArray(item.flags) ? item.flags : [];
    const row = rowState.get(id) || {};
    const reasonOpen = returning.has(id);
    const unit = unitOf(indicator);
    const reason = h("textarea", {
      class: "ind-return-reason", rows: "2", maxlength: String(REASON_MAX), id: `ind-reason-${id}`,
      placeholder: t("indicators.approvals.reasonPlaceholder"), "aria-required": "true",
    });
    reason.value = returning.get(id) || "";
    reason.addEventListener("input", () => returning.set(id, reason.value));
    const samePct = typeof item.samePeriodLastYear === "number" && item.samePeriodLastYear !== 0 && typeof item.value === "number"
      ? Math.round((item.value / item.samePeriodLastYear * 100 - 100) * 100) / 100
      : null;
    const prevPct = item.previous && typeof item.previous.value === "number" && item.previous.value !== 0 && typeof item.value === "number"
      ? Math.round((item.value / item.previous.value * 100 - 100) * 100) / 100
      : null;
    return h("li", { class: `ind-approval card${flags.length ? " is-flagged" : ""}${canAct ? "" : " is-readonly"}`, dataset: { approvalId: id, indicator: indicator.code || "", period: item.period || "" } },
      h("div", { class: "ind-approval-main" },
        h("header", { class: "ind-approval-head" },
          h("h3", { class: "ind-approval-title" }, indicatorName(indicator)),
          h("span", { class: "ind-approval-period" }, periodLabel(item.period)),
          statusBadge(item.status)),
        h("dl", { class: "ind-approval-facts" },
          fact(t("indicators.approvals.value"), h("span", { class: "ind-approval-value" }, valueText(item.value), unit ? ` ${unit}` : ""), "is-main"),
          fact(t("indicators.approvals.unit"), localized(item.unitName) || item.unit || EMPTY),
          fact(t("indicators.approvals.previous"), item.previous
            ? h("span", {}, valueText(item.previous.value), " ",
              h("span", { class: "muted" }, t("indicators.approvals.vintage", { vintage: item.previous.vintage ?? "" })), " ",
              changeCell(prevPct, indicator))
            : h("span", { class: "muted" }, t("indicators.approvals.firstVintage"))),
          fact(t("indicators.approvals.samePeriodLastYear"), typeof item.samePeriodLastYear === "number"
            ? h("span", {}, valueText(item.samePeriodLastYear), " ", changeCell(samePct, indicator))
            : EMPTY),
          fact(t("indicators.approvals.enteredBy"), [String(item.enteredBy || EMPTY).replace(/^user:/, ""), item.enteredAt ? h("span", { class: "ps-code" }, formatDateTime(item.enteredAt)) : null])),
        flags.length
          ? h("div", { class: "ind-approval-flags", role: "note" },
            h("p", { class: "ind-flags-title" }, t("indicators.approvals.flagsTitle", { count: flags.length })),
            flagList(flags))
          : null,
        row.error ? h("p", { class: "ind-row-error", role: "alert" }, row.error) : null),
      !canAct ? null : h("div", { class: "ind-approval-actions" },
        h("button", {
          type: "button", class: "btn btn-primary ind-approve", disabled: Boolean(row.busy),
          onclick: () => act(item, "approve"),
        }, t(row.busy === "approve" ? "indicators.approvals.approving" : "indicators.approvals.approve")),
        reasonOpen
          ? h("div", { class: "ind-return-box" },
            h("label", { for: `ind-reason-${id}` }, t("indicators.approvals.reason")),
            reason,
            h("div", { class: "form-actions" },
              h("button", {
                type: "button", class: "btn btn-secondary ind-return-confirm", disabled: Boolean(row.busy),
                onclick: () => act(item, "return"),
              }, t(row.busy === "return" ? "indicators.approvals.returning" : "indicators.approvals.confirmReturn")),
              h("button", {
                type: "button", class: "btn btn-ghost ind-return-cancel",
                onclick: () => {
                  returning.delete(id);
                  rowState.delete(id);
                  render();
                },
              }, t("indicators.approvals.cancel"))))
          : h("button", {
            type: "button", class: "btn btn-secondary ind-return", disabled: Boolean(row.busy),
            onclick: () => {
              returning.set(id, "");
              render();
              document.getElementById(`ind-reason-${id}`)?.focus();
            },
          }, t("indicators.approvals.return"))));
  }

  function render() {
    if (ind.removed) return;
    setChildren(messageBox, message
      ? h("div", { class: `alert ${message.kind === "ok" ? "alert-ok" : "alert-error"}`, role: "status" }, message.text)
      : null);
    const { data, error, loading } = queue;
    body.classList.toggle("is-busy", loading && Boolean(data));
    if (error) {
      setChildren(body, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(body, loadingLine());
      return;
    }
    const list = items();
    const flagged = list.filter((item) => item.flags?.length).length;
    // Keep what is being typed: a live refresh must not take the reason box away.
    const focused = document.activeElement?.closest?.("[data-approval-id]")?.dataset.approvalId;
    const caret = focused && document.activeElement.classList.contains("ind-return-reason") ? document.activeElement.selectionStart : null;
    setChildren(body,
      h("p", { class: "ps-period-line" },
        h("span", {}, t("indicators.approvals.count", { count: list.length })),
        canAct ? null : h("span", { class: "muted" }, t("indicators.approvals.readOnly")),
        flagged ? h("span", { class: "ps-bad" }, t("indicators.approvals.flaggedCount", { count: flagged })) : null),
      list.length
        ? h("ul", { class: "ind-approvals", role: "list" }, list.map(approvalItem))
        : h("p", { class: "ind-empty card" }, t("indicators.approvals.empty")));
    if (caret != null) {
      const box = document.querySelector(`[data-approval-id="${CSS.escape(focused)}"] .ind-return-reason`);
      box?.focus();
      box?.setSelectionRange(caret, caret);
    }
  }

  return {
    load,
    relabel: render,
    invalidate() {
      queue.key = null;
    },
    liveTypes: ["indicators.submitted", "indicators.approved", "indicators.returned"],
    count: () => (queue.data ? items().length : null),
  };
}
