// Public services, sub-page "overdue": the dossiers overdue now and those due soon (within 8–72 hours), filtered by
// agency; a dossier's code opens its drill-down.
import { api } from "../api.js";
import { h } from "../dom.js";
import { formatDateTime, formatNumber, t } from "../i18n.js";
import {
  BASE, DUE_SOON_HOURS, EMPTY, OVERDUE_LIMIT, apologyBadge, errorBox, labelled, loadingLine, scrollTable, setChildren,
  timelinessBadge,
} from "./public-services-common.js";

/** Builds the sub-page in its panel; `ps` is the page's shared context (public-services.js). */
export function create(ps) {
  const { state, agencyName, unitName, writeLocation, fetchInto, namesReady } = ps;

  const overdue = ps.resource();
  const hoursSelect = h("select", { id: "ps-overdue-hours" });
  hoursSelect.addEventListener("change", () => {
    state.hours = Number(hoursSelect.value);
    writeLocation();
    loadOverdue(false);
  });
  const agencyFilter = h("select", { id: "ps-overdue-agency" });
  agencyFilter.addEventListener("change", () => {
    state.overdueAgency = agencyFilter.value;
    renderOverdue();
  });
  const hoursField = labelled("ps-overdue-hours", "ps.dueSoonWithin", hoursSelect);
  const agencyField = labelled("ps-overdue-agency", "ps.agency", agencyFilter);
  const overdueFilters = h("div", { class: "ps-filters" }, hoursField.element, agencyField.element);
  const overdueBody = h("div", { class: "ps-result", "aria-live": "polite" });
  ps.panels.get("overdue")?.append(overdueFilters, overdueBody);

  function relabelOverdue() {
    setChildren(hoursSelect, ...DUE_SOON_HOURS.map((hours) => h("option", { value: String(hours) }, t("ps.hoursOption", { count: formatNumber(hours) }))));
    hoursSelect.value = String(state.hours);
    const codes = new Set();
    for (const item of [...(overdue.data?.overdue || []), ...(overdue.data?.dueSoon || [])]) codes.add(item.agencyCode);
    const sorted = [...codes].sort((a, b) => agencyName(a).localeCompare(agencyName(b), "vi"));
    if (state.overdueAgency && !codes.has(state.overdueAgency)) state.overdueAgency = "";
    setChildren(agencyFilter, 
      h("option", { value: "" }, t("ps.allAgencies")),
      ...sorted.map((code) => h("option", { value: code }, agencyName(code))));
    agencyFilter.value = state.overdueAgency;
    hoursField.relabel();
    agencyField.relabel();
  }

  function loadOverdue(force) {
    relabelOverdue();
    fetchInto(overdue, String(state.hours), async () => {
      const data = await api.get(`${BASE}/overdue?dueSoonHours=${state.hours}&limit=${OVERDUE_LIMIT}`);
      await namesReady;
      return data;
    }, () => {
      relabelOverdue();
      renderOverdue();
      ps.renderTabs();
    }, force);
  }

  function codeButton(code) {
    return h("button", { type: "button", class: "ps-link mono", onclick: () => ps.openDossier(code), title: t("ps.openDossier", { code }) }, code);
  }

  function remaining(item, asOf) {
    if (!item.dueAt) return EMPTY;
    const hours = (new Date(item.dueAt).getTime() - new Date(asOf).getTime()) / 3_600_000;
    if (hours <= 0) return h("span", { class: "muted", title: t("ps.pausedDueHint") }, EMPTY);
    return hours < 1 ? t("ps.lessThanHour") : t("ps.hoursLeft", { count: formatNumber(Math.floor(hours)) });
  }

  function daysLateCell(item) {
    if (item.daysLate > 0) return h("strong", { class: "ps-bad" }, formatNumber(item.daysLate));
    return h("span", { class: "muted", title: t("ps.lateWithoutDaysHint") }, EMPTY);
  }

  function dossierTable(items, kind, asOf) {
    const columns = [
      { label: "ps.col.code", class: "ps-nowrap", value: (item) => codeButton(item.code) },
      { label: "ps.col.procedure", class: "ps-wide", value: (item) => item.procedureName },
      { label: "ps.agency", class: "ps-mid", value: (item) => agencyName(item.agencyCode) },
      { label: "ps.col.unit", class: "ps-unit", value: (item) => unitName(item.unitCode) || EMPTY },
      { label: "ps.col.receivedAt", class: "ps-nowrap", value: (item) => formatDateTime(item.receivedAt) },
      { label: "ps.col.dueAt", class: "ps-nowrap", value: (item) => formatDateTime(item.dueAt) || EMPTY },
      { label: "ps.col.timeliness", value: (item) => timelinessBadge(item.timeliness) },
      ...(kind === "overdue"
        ? [
          { label: "ps.col.daysLate", class: "ps-num", value: daysLateCell },
          { label: "ps.col.apology", value: (item) => apologyBadge(item.apologyIssued) },
        ]
        : [{ label: "ps.col.remaining", class: "ps-nowrap", value: (item) => remaining(item, asOf) }]),
    ];
    const caption = t(kind === "overdue" ? "ps.overdueTitle" : "ps.dueSoonTitle", { count: formatNumber(state.hours) });
    return scrollTable(caption, "ps-list",
      h("thead", {}, h("tr", {}, columns.map((column) => h("th", { scope: "col", class: column.class }, t(column.label))))),
      h("tbody", {}, items.length
        ? items.map((item) => h("tr", { class: kind === "overdue" && item.apologyIssued === false ? "ps-attention" : null },
          columns.map((column) => h("td", { class: column.class }, column.value(item)))))
        : h("tr", { class: "ps-empty" }, h("td", { colspan: columns.length }, t(kind === "overdue" ? "ps.noOverdue" : "ps.noDueSoon")))));
  }

  function renderOverdue() {
    if (ps.removed) return;
    const { data, error, loading } = overdue;
    overdueBody.classList.toggle("is-busy", loading && Boolean(data));
    overdueBody.setAttribute("aria-busy", String(loading));
    if (error) {
      setChildren(overdueBody, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(overdueBody, loadingLine());
      return;
    }
    const keep = (item) => !state.overdueAgency || item.agencyCode === state.overdueAgency;
    const late = data.overdue.filter(keep);
    const soon = data.dueSoon.filter(keep);
    const withoutApology = late.filter((item) => item.apologyIssued === false).length;
    setChildren(overdueBody, 
      h("p", { class: "ps-period-line" }, t("ps.situationAt", { time: formatDateTime(data.asOf) })),
      h("div", { class: "ps-kpis ps-kpis--3" },
        h("div", { class: `ps-kpi${late.length ? " is-bad" : ""}` },
          h("span", { class: "ps-kpi-value" }, formatNumber(late.length)), h("span", { class: "ps-kpi-label" }, t("ps.kpi.overdue"))),
        h("div", { class: `ps-kpi${withoutApology ? " is-bad" : ""}` },
          h("span", { class: "ps-kpi-value" }, formatNumber(withoutApology)), h("span", { class: "ps-kpi-label" }, t("ps.kpi.withoutApology"))),
        h("div", { class: `ps-kpi${soon.length ? " is-warn" : ""}` },
          h("span", { class: "ps-kpi-value" }, formatNumber(soon.length)),
          h("span", { class: "ps-kpi-label" }, t("ps.kpi.dueSoon", { count: formatNumber(state.hours) })))),
      h("div", { class: "ps-table-head" },
        h("h2", { class: "ps-subtitle" }, t("ps.overdueTitle"), " ", h("span", { class: "badge badge-bad" }, formatNumber(late.length))),
        h("p", { class: "ps-hint" }, t("ps.overdueHint"))),
      dossierTable(late, "overdue", data.asOf),
      data.overdue.length >= OVERDUE_LIMIT ? h("p", { class: "ps-note" }, t("ps.limitNote", { count: formatNumber(OVERDUE_LIMIT) })) : null,
      h("div", { class: "ps-table-head" },
        h("h2", { class: "ps-subtitle" }, t("ps.dueSoonTitle", { count: formatNumber(state.hours) }), " ",
          h("span", { class: "badge badge-warn" }, formatNumber(soon.length)))),
      dossierTable(soon, "dueSoon", data.asOf),
      data.dueSoon.length >= OVERDUE_LIMIT ? h("p", { class: "ps-note" }, t("ps.limitNote", { count: formatNumber(OVERDUE_LIMIT) })) : null);
  }

  return { resource: overdue, load: loadOverdue, relabel: relabelOverdue, render: renderOverdue };
}
