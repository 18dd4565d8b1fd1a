// Public services: one dossier's drill-down (a side panel over any sub-page) — facts, timeliness, apology and the
// timeline of receipt, status changes, supplement requests and the deadline. Its code is kept in the hash (?dossier=).
import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { formatDateTime, formatNumber, localized, t, tOr } from "../i18n.js";
import {
  BASE, EMPTY, apologyBadge, errorBox, loadingLine, mono, setChildren, timelinessBadge, yesNo,
} from "./public-services-common.js";

/** Builds the drawer (appended to the page); `ps` is the page's shared context (public-services.js). */
export function create(ps) {
  const { state, agencyName, unitName, writeLocation, fetchInto, namesReady } = ps;

  const dossier = ps.resource();
  const drawerTitle = h("h2", { class: "panel-title mono", id: "ps-drawer-title" });
  const drawerKicker = h("p", { class: "panel-kicker" });
  const drawerClose = h("button", { type: "button", class: "icon-button panel-close", onclick: () => closeDossier() }, icon("close"));
  const drawerBody = h("div", { class: "ps-drawer-body", "aria-live": "polite" });
  const drawer = h("dialog", { class: "ps-drawer", "aria-labelledby": "ps-drawer-title" },
    h("div", { class: "panel-head" }, h("div", {}, drawerKicker, drawerTitle), drawerClose),
    drawerBody);
  drawer.addEventListener("close", () => {
    if (state.dossier) {
      state.dossier = null;
      writeLocation();
    }
  });
  drawer.addEventListener("click", (event) => {
    if (event.target === drawer) closeDossier(); // a click on the backdrop
  });
  ps.root.append(drawer);

  function openDossier(code) {
    state.dossier = code;
    writeLocation();
    if (!drawer.open) drawer.showModal();
    fetchInto(dossier, code, async () => {
      const data = await api.get(`${BASE}/dossiers/${encodeURIComponent(code)}`);
      await namesReady;
      return data;
    }, renderDossier, true);
  }

  function closeDossier() {
    if (drawer.open) drawer.close();
  }

  function timelineEvents(d) {
    const events = [];
    const add = (at, label, kind, detail, order, tone = null) => {
      if (at) events.push({ at: new Date(at), label, kind, detail, order, tone });
    };
    add(d.receivedAt, t("ps.event.received"), "start", null, 0);
    if (d.effectiveReceivedAt && d.effectiveReceivedAt !== d.receivedAt) {
      add(d.effectiveReceivedAt, t("ps.event.effective"), "info", t("ps.event.effectiveHint"), 1);
    }
    // Status changes that only restate another event (receipt, a supplement request or its completion) are left out.
    const same = (a, b) => a && b && new Date(a).getTime() === new Date(b).getTime();
    const supplements = d.supplements || [];
    for (const entry of d.history || []) {
      if (entry.status === 2 && same(entry.at, d.receivedAt)) continue;
      if (entry.status === 5 && supplements.some((s) => same(s.requestedAt, entry.at))) continue;
      if (entry.status === 4 && supplements.some((s) => same(s.completedAt, entry.at))) continue;
      add(entry.at, tOr(`ps.status.${entry.status}`, String(entry.status)), "status", null, 2);
    }
    supplements.forEach((supplement, i) => {
      const n = formatNumber(i + 1);
      add(supplement.requestedAt, t("ps.event.supplementRequested", { n }), "pause",
        supplement.completedAt ? null : t("ps.event.supplementPending"), 3);
      add(supplement.completedAt, t("ps.event.supplementCompleted", { n }), "resume", null, 3);
    });
    const statuses = new Set((d.history || []).map((entry) => entry.status));
    if (d.finishedAt && !statuses.has(9)) add(d.finishedAt, t("ps.status.9"), "status", null, 2);
    if (d.returnedAt && !statuses.has(10)) add(d.returnedAt, t("ps.status.10"), "status", null, 2);
    const overdueNow = ["late", "inProgressOverdue", "pausedOverdue"].includes(d.timeliness);
    add(d.dueAt, t("ps.event.due"), "due", t(`ps.dueSource.${d.dueSource}`), 4);
    const tone = overdueNow ? "is-late" : "is-ok";
    if (d.endOfProcessingAt) add(d.endOfProcessingAt, t("ps.event.end"), "end", localized(d.timelinessName), 5, tone);
    else add(d.asOf, t("ps.event.now"), "now", localized(d.timelinessName), 6, tone);
    return events.sort((a, b) => a.at - b.at || a.order - b.order);
  }

  function limitText(limit) {
    if (!limit) return EMPTY;
    return t(`ps.limit.${limit.unit}`, { count: formatNumber(limit.value) });
  }

  function renderDossier() {
    if (ps.removed) return;
    drawerKicker.textContent = t("ps.dossier");
    drawerTitle.textContent = state.dossier || dossier.key || "";
    drawerClose.setAttribute("aria-label", t("map.closePanel"));
    drawerClose.title = t("map.closePanel");
    const { data, error } = dossier;
    if (error) {
      setChildren(drawerBody, errorBox(error));
      return;
    }
    if (!data) {
      setChildren(drawerBody, loadingLine());
      return;
    }
    const agency = agencyName(data.agencyCode, data.agencyName);
    const fact = (labelKey, value) => [h("dt", {}, t(labelKey)), h("dd", {}, value == null || value === "" ? EMPTY : value)];
    setChildren(drawerBody, 
      h("div", { class: "ps-dossier-head" },
        h("p", { class: "ps-dossier-procedure" }, data.procedureName),
        h("p", { class: "ps-code" }, t("ps.procedureCodeLabel"), " ", mono(data.procedureCode))),
      h("div", { class: "ps-badges" },
        timelinessBadge(data.timeliness, data.timelinessName),
        data.daysLate > 0 ? h("span", { class: "badge badge-bad" }, t("ps.daysLateBadge", { count: formatNumber(data.daysLate) })) : null,
        ["late", "inProgressOverdue", "pausedOverdue"].includes(data.timeliness) || data.apologyIssued != null ? apologyBadge(data.apologyIssued, { long: true }) : null,
        (data.supplements || []).length > 1 ? h("span", { class: "badge badge-warn" }, t("ps.multipleSupplements")) : null),
      h("dl", { class: "facts ps-facts" },
        fact("ps.agency", agency),
        fact("ps.col.unit", unitName(data.unitCode)),
        fact("ps.currentStatus", localized(data.statusName)),
        fact("ps.channelLabel", tOr(`ps.channel.${data.channel}`, data.channel)),
        fact("ps.onlineLevel", data.onlineLevel ? t(`ps.onlineLevel.${data.onlineLevel}`) : null),
        fact("ps.limitLabel", limitText(data.limit)),
        fact("ps.col.dueAt", formatDateTime(data.dueAt)),
        fact("ps.paidOnline", yesNo(data.paidOnline)),
        fact("ps.digitized", yesNo(data.digitized)),
        fact("ps.eResult", yesNo(data.eResult))),
      h("h3", { class: "ps-subtitle" }, t("ps.timeline")),
      h("ol", { class: "ps-timeline" },
        timelineEvents(data).map((event) => h("li", { class: `ps-event ps-event--${event.kind}${event.tone ? ` ${event.tone}` : ""}` },
          h("time", { datetime: event.at.toISOString() }, formatDateTime(event.at)),
          h("span", { class: "ps-event-label" }, event.label),
          event.detail ? h("span", { class: "ps-event-detail" }, event.detail) : null))),
      h("p", { class: "ps-note" }, t("ps.assessedAt", { time: formatDateTime(data.asOf) })));
  }

  return {
    open: openDossier,
    close: closeDossier,
    render: renderDossier,
    get isOpen() {
      return drawer.open;
    },
  };
}
