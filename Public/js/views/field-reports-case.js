// Field reports: one case (#/field-reports/case/{code}). Header with status and deadline, the citizen's report
// (photos, description, address, a small map with the commune), contact details when the server sends them, the
// result, a pending extension, possible duplicates, the full timeline, and the action forms generated from `actions`.
import { api, ApiError, errorMessage } from "../api.js";
import { h, icon } from "../dom.js";
import { formatDateTime, formatNumber, localized, t, tOr } from "../i18n.js";
import { loadBoundaries } from "../units.js";
import {
  EMPTY, IMAGE_TYPES, PATHS, actorName, agencyPicker, caseHref, deadlineBadge, distanceMeters, distanceText, dueCell, errorBox,
  followCases, fromVietnamLocalInput, isOpen, lightbox, liveIndicator, loadLookups, loadingLine, mono, namer,
  pathIcon, photoStrip, queueBackHref, setChildren, statusBadge, statusLabel, toVietnamLocalInput, uploadAttachment,
  uploadErrorText,
} from "./field-reports-common.js";

// Buttons in this order, whatever order the server lists them in.
const ACTION_ORDER = [
  "verify", "assign", "start", "resolve", "note", "attach", "request_extension", "approve_extension", "deny_extension",
  "reroute", "return", "merge", "reject", "close_unhandled",
];
// The next step for each status gets the primary button.
const PRIMARY = { new: "verify", verified: "assign", assigned: "start", in_progress: "resolve" };
const DANGER = new Set(["reject", "close_unhandled", "deny_extension"]);
// What each form asks for. `?` = optional.
const FORMS = {
  verify: ["note?"],
  reject: ["rejectReason", "note?"],
  assign: ["agency", "note?"],
  reroute: ["agency", "reason"],
  return: ["reason"],
  start: ["note?"],
  note: ["note", "public"],
  request_extension: ["until", "reason"],
  approve_extension: ["extensionSummary"],
  deny_extension: ["extensionSummary", "reason"],
  resolve: ["result", "photos"],
  close_unhandled: ["reason"],
  merge: ["into"],
  attach: ["photos!"],
};
const MAX_TEXT = { note: 4000, reason: 1000, result: 4000 };
const LIVE_DEBOUNCE_MS = 500;
const TICK_MS = 30_000;
const MAP_POINT = { radius: 9, color: "#ffffff", weight: 3, fillColor: "#b42318", fillOpacity: 1 };
const MAP_NEARBY = { radius: 6, color: "#ffffff", weight: 2, fillColor: "#1d4274", fillOpacity: 0.9 };
const MAP_COMMUNE = { color: "#0b2545", weight: 2, opacity: 0.9, fillColor: "#60a5fa", fillOpacity: 0.12 };

export function mount(root, { settings, user }, code) {
  let removed = false;
  let data = null;
  let loadError = null;
  let lookups = { agencies: new Map(), agencyList: [], units: new Map(), unitList: [], categories: new Map(), categoryList: [], limits: {} };
  let names = namer(lookups);
  let seq = 0;
  let message = null; // { tone, key, params } or { tone, error }
  let stale = null; // a live change that arrived while a form was open
  let form = null; // the open action form: { action, element, relabel(), busy }
  let timelineNewestFirst = true;
  let dueCells = [];
  let liveTimer = null;

  const viewer = lightbox();

  // ---- Skeleton (kept across re-renders: the map and an open form survive a refresh) ----

  const backLink = h("a", { class: "frc-back", id: "frc-back", href: queueBackHref() });
  const indicator = liveIndicator();
  const refreshButton = h("button", { type: "button", class: "btn btn-secondary", id: "frc-case-refresh", onclick: () => load() });
  const headBox = h("div", { class: "frc-case-head" });
  const header = h("header", { class: "frc-case-header" },
    h("div", { class: "frc-case-topline" }, backLink, h("span", { class: "frc-spacer" }), indicator.element, refreshButton),
    headBox);
  const messageBox = h("div", { class: "frc-case-message", id: "frc-case-message", tabindex: "-1", "aria-live": "polite" });
  const mainColumn = h("div", { class: "frc-case-main" });
  const actionsCard = h("section", { class: "card frc-card frc-actions", id: "frc-actions", "aria-labelledby": "frc-actions-title" });
  const mapEl = h("div", { class: "frc-case-map", id: "frc-case-map" });
  const mapNote = h("p", { class: "frc-map-note" });
  const mapTitle = h("h2", { class: "frc-card-title" });
  const mapCard = h("section", { class: "card frc-card frc-map-card" }, mapTitle, mapEl, mapNote);
  const sideColumn = h("div", { class: "frc-case-side" }, actionsCard, mapCard);
  const grid = h("div", { class: "frc-case-grid" }, mainColumn, sideColumn);
  root.append(header, messageBox, grid, viewer.element);

  // ---- Loading ----

  async function load({ quiet = false } = {}) {
    const mySeq = ++seq;
    refreshButton.disabled = true;
    if (!data) setChildren(mainColumn, loadingLine());
    try {
      const answer = await api.get(`/api/v1/cases/${encodeURIComponent(code)}`);
      if (removed || mySeq !== seq) return;
      data = answer;
      loadError = null;
      stale = null;
      if (!quiet && message?.tone === "error") message = null;
    } catch (error) {
      if (removed || mySeq !== seq) return;
      loadError = error;
    }
    refreshButton.disabled = false;
    render();
  }

  /** Shows a CaseDetail returned by an action (or loaded), closing the form. */
  function show(detail) {
    data = detail;
    loadError = null;
    stale = null;
    form = null;
    render();
  }

  // ---- Rendering ----

  function render() {
    if (removed) return;
    backLink.href = queueBackHref();
    setChildren(backLink, pathIcon(PATHS.back), h("span", {}, t("frc.case.back")));
    setChildren(refreshButton, icon("refresh"), h("span", {}, t("table.refresh")));
    indicator.relabel();
    renderMessage();
    if (!data) {
      setChildren(headBox, h("h1", { class: "frc-case-code mono", id: "frc-case-code" }, code));
      setChildren(mainColumn, loadError ? errorBox(loadError) : loadingLine());
      actionsCard.hidden = true;
      mapCard.hidden = true;
      return;
    }
    actionsCard.hidden = false;
    mapCard.hidden = false;
    // Stable hooks for tests and styles (the elements inside are rebuilt on each render).
    root.dataset.caseCode = data.code;
    root.dataset.caseStatus = data.status;
    root.dataset.ready = "1";
    dueCells = [];
    renderHead();
    renderMain();
    renderActions();
    renderMap();
  }

  function renderMessage() {
    const parts = [];
    if (loadError && data) parts.push(errorBox(loadError));
    if (message) {
      const text = message.error ? errorMessage(message.error) : t(message.key, message.params);
      parts.push(h("div", { class: `alert ${message.tone === "ok" ? "alert-ok" : "alert-error"}`, role: message.tone === "ok" ? "status" : "alert" }, text));
    }
    if (stale) {
      parts.push(h("div", { class: "alert alert-warn frc-stale", role: "status", id: "frc-case-stale" },
        h("span", {}, t("frc.case.changed", { status: statusLabel(stale.status) })),
        h("button", { type: "button", class: "btn btn-secondary btn-sm", id: "frc-case-reload", onclick: () => {
          form = null;
          load();
        } }, t("frc.case.reloadNow"))));
    }
    setChildren(messageBox, parts);
  }

  function renderHead() {
    const d = data;
    const now = Date.now();
    const reopen = d.reopenCount || 0;
    setChildren(headBox,
      h("div", { class: "frc-case-titleline" },
        h("h1", { class: "frc-case-code mono", id: "frc-case-code" }, d.code),
        statusBadge(d.status, d.statusLabel, { id: "frc-case-status", class: `badge frc-status frc-status--${d.status} frc-status-lg` }),
        deadlineBadge(d, now, { id: "frc-case-deadline" }),
        reopen > 0 ? h("span", { class: "badge badge-warn", id: "frc-case-reopened" }, t("frc.case.reopened", { count: formatNumber(reopen) })) : null,
        d.duplicateOf ? h("span", { class: "badge badge-muted" }, t("frc.case.duplicateBadge")) : null,
        d.handledLate ? h("span", { class: "badge badge-bad", id: "frc-case-late" }, t("frc.case.handledLate")) : null),
      h("p", { class: "frc-case-title" }, names.categoryName(d.category) || EMPTY),
      h("dl", { class: "frc-case-meta" },
        meta("frc.col.unit", names.unitName(d.unit)),
        meta("frc.col.agency", d.agency ? names.agencyName(d.agency) : t("frc.table.noAgency")),
        meta("frc.case.assignee", d.assignee),
        meta("frc.col.receivedAt", formatDateTime(d.receivedAt)),
        meta("frc.case.channel", d.channel ? tOr(`frc.channel.${d.channel}`, d.channel) : null),
        meta("frc.col.dueAt", d.dueAt ? track(dueCell(d)).element : null),
        meta("frc.case.resolvedAt", formatDateTime(d.resolvedAt)),
        meta("frc.case.closedAt", formatDateTime(d.closedAt))));
  }

  function meta(key, value) {
    if (value == null || value === "") return null;
    return h("div", { class: "frc-meta-item" }, h("dt", {}, t(key)), h("dd", {}, value));
  }

  function track(cell) {
    dueCells.push(cell);
    return cell;
  }

  function card(id, titleKey, ...children) {
    return h("section", { class: "card frc-card", id, "aria-labelledby": `${id}-title` },
      h("h2", { class: "frc-card-title", id: `${id}-title` }, t(titleKey)), ...children);
  }

  function fact(key, value) {
    if (value == null || value === "") return null;
    return [h("dt", {}, t(key)), h("dd", {}, value)];
  }

  function renderMain() {
    const d = data;
    setChildren(mainColumn,
      reportCard(d),
      d.contact ? contactCard(d.contact) : null,
      d.extension ? extensionCard(d.extension) : null,
      resultCard(d),
      duplicatesCard(d),
      timelineCard(d));
  }

  function reportCard(d) {
    const coords = typeof d.lat === "number" && typeof d.lon === "number"
      // Decimal degrees with a point, as maps and GPS tools read them (a Vietnamese decimal comma inside a
      // "lat, lon" pair is ambiguous: issue 18, point 6).
      ? `${d.lat.toFixed(6)}, ${d.lon.toFixed(6)}`
      : null;
    return card("frc-report", "frc.case.report",
      d.photos?.length
        ? h("div", { class: "frc-block" },
          h("h3", { class: "frc-block-title" }, t("frc.case.photos", { count: formatNumber(d.photos.length) })),
          photoStrip(d.photos, viewer, { idPrefix: "frc-photo" }))
        : h("p", { class: "muted" }, t("frc.case.noPhotos")),
      d.mediaURLs?.length
        ? h("div", { class: "frc-block" },
          h("h3", { class: "frc-block-title" }, t("frc.case.mediaLinks")),
          h("ul", { class: "frc-links" }, d.mediaURLs.filter((url) => /^https?:\/\//i.test(url)).map((url) =>
            h("li", {}, h("a", { href: url, target: "_blank", rel: "noopener noreferrer nofollow" }, url)))))
        : null,
      h("div", { class: "frc-block" },
        h("h3", { class: "frc-block-title" }, t("frc.case.description")),
        h("p", { class: "frc-text", id: "frc-description" }, d.description || EMPTY)),
      h("dl", { class: "facts frc-facts" },
        fact("frc.case.address", d.address),
        fact("frc.case.coordinates", coords ? mono(coords) : null),
        fact("frc.filter.category", names.categoryName(d.category)),
        fact("frc.case.limit", localized(lookups.categories.get(d.category?.code)?.limit?.text))));
  }

  function contactCard(contact) {
    const phone = contact.phone ? h("a", { href: `tel:${contact.phone.replace(/[^\d+]/g, "")}`, class: "mono" }, contact.phone) : null;
    const email = contact.email ? h("a", { href: `mailto:${contact.email}` }, contact.email) : null;
    return h("section", { class: "card frc-card frc-contact", id: "frc-contact", "aria-labelledby": "frc-contact-title" },
      h("h2", { class: "frc-card-title", id: "frc-contact-title" }, icon("lock"), h("span", {}, t("frc.contact.title"))),
      h("p", { class: "frc-confidential", id: "frc-contact-note" }, t("frc.contact.confidential")),
      h("dl", { class: "facts frc-facts" },
        fact("frc.contact.name", contact.name || h("span", { class: "muted" }, t("frc.contact.noName"))),
        fact("frc.contact.phone", phone),
        fact("frc.contact.email", email),
        fact("frc.contact.showName", t(contact.showName ? "frc.contact.showNameYes" : "frc.contact.showNameNo"))));
  }

  function extensionCard(ext) {
    const can = (action) => data.actions?.includes(action);
    return h("section", { class: "card frc-card frc-extension", id: "frc-extension", "aria-labelledby": "frc-extension-title" },
      h("h2", { class: "frc-card-title", id: "frc-extension-title" }, icon("clock"), h("span", {}, t("frc.extension.title"))),
      h("dl", { class: "facts frc-facts" },
        fact("frc.extension.until", h("strong", {}, formatDateTime(ext.until))),
        fact("frc.extension.currentDue", formatDateTime(data.dueAt)),
        fact("frc.extension.reason", h("span", { class: "frc-text" }, ext.reason || EMPTY)),
        fact("frc.extension.requestedBy", ext.requestedBy ? actorName(ext.requestedBy) : null),
        fact("frc.extension.requestedAt", formatDateTime(ext.requestedAt))),
      can("approve_extension") || can("deny_extension")
        ? h("div", { class: "form-actions" },
          can("approve_extension") ? h("button", { type: "button", class: "btn btn-primary", id: "frc-ext-approve", onclick: () => openForm("approve_extension") }, t("frc.action.approve_extension")) : null,
          can("deny_extension") ? h("button", { type: "button", class: "btn btn-secondary", id: "frc-ext-deny", onclick: () => openForm("deny_extension") }, t("frc.action.deny_extension")) : null)
        : null);
  }

  function resultCard(d) {
    const hasResult = d.resultText || d.resultPhotos?.length || d.rating;
    if (!hasResult) return null;
    return card("frc-result", "frc.result.title",
      d.resultText ? h("p", { class: "frc-text", id: "frc-result-text" }, d.resultText) : null,
      d.resultPhotos?.length
        ? h("div", { class: "frc-block" },
          h("h3", { class: "frc-block-title" }, t("frc.result.photos", { count: formatNumber(d.resultPhotos.length) })),
          photoStrip(d.resultPhotos, viewer, { idPrefix: "frc-result-photo" }))
        : null,
      d.rating
        ? h("div", { class: "frc-rating" },
          h("span", { class: `badge frc-rating-badge frc-rating--${d.rating}` }, tOr(`frc.rating.${d.rating}`, d.rating)),
          d.ratingComment ? h("p", { class: "frc-text" }, d.ratingComment) : null)
        : null);
  }

  function duplicatesCard(d) {
    const nearby = d.nearby || [];
    const duplicates = d.duplicates || [];
    if (!d.duplicateOf && !duplicates.length && !nearby.length) return null;
    const canMerge = d.actions?.includes("merge");
    return card("frc-dups", "frc.dups.title",
      d.duplicateOf
        ? h("p", { class: "alert alert-warn" }, t("frc.dups.mergedInto"), " ", h("a", { href: caseHref(d.duplicateOf), class: "mono", id: "frc-duplicate-of" }, d.duplicateOf))
        : null,
      duplicates.length
        ? h("p", { class: "frc-dup-list" }, h("span", {}, t("frc.dups.merged", { count: formatNumber(duplicates.length) })), " ",
          duplicates.map((dup, i) => [i ? ", " : "", h("a", { href: caseHref(dup), class: "mono" }, dup)]))
        : null,
      nearby.length
        ? [
          h("p", { class: "frc-hint" }, t("frc.dups.nearbyHint")),
          h("div", { class: "frc-scroll" }, h("table", { class: "frc-table frc-table-compact", id: "frc-nearby" },
            h("thead", {}, h("tr", {},
              ["code", "category", "status", "distance", "receivedAt"].map((key) => h("th", { scope: "col" }, t(`frc.col.${key}`))),
              canMerge ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("frc.action.merge"))) : null)),
            h("tbody", {}, nearby.map((item) => h("tr", { dataset: { code: item.code } },
              h("td", {}, h("a", { href: caseHref(item.code), class: "frc-code-link mono" }, item.code),
                item.title ? h("span", { class: "frc-cell-sub", title: item.title }, item.title) : null),
              h("td", {}, names.categoryName(item.category)),
              h("td", {}, statusBadge(item.status, item.statusLabel)),
              h("td", { class: "frc-nowrap" }, distanceText(item.distanceMeters ?? distanceMeters(d, item)) || EMPTY),
              h("td", { class: "frc-nowrap" }, formatDateTime(item.receivedAt)),
              canMerge
                ? h("td", { class: "frc-nowrap" }, h("button", {
                  type: "button", class: "btn btn-secondary btn-sm", id: `frc-merge-${item.code}`,
                  title: t("frc.dups.mergeHint", { code: d.code, into: item.code }),
                  onclick: () => openForm("merge", { into: item.code }),
                }, pathIcon(PATHS.merge), h("span", {}, t("frc.dups.mergeInto"))))
                : null))))),
        ]
        : null);
  }

  function timelineCard(d) {
    const events = [...(d.timeline || [])].sort((a, b) => new Date(a.at) - new Date(b.at));
    if (timelineNewestFirst) events.reverse();
    const toggle = h("button", {
      type: "button", class: "btn btn-ghost btn-sm", id: "frc-timeline-order",
      onclick: () => {
        timelineNewestFirst = !timelineNewestFirst;
        renderMain();
        document.getElementById("frc-timeline-order")?.focus();
      },
    }, t(timelineNewestFirst ? "frc.timeline.newestFirst" : "frc.timeline.oldestFirst"));
    return h("section", { class: "card frc-card", id: "frc-history", "aria-labelledby": "frc-history-title" },
      h("div", { class: "frc-card-head" },
        h("h2", { class: "frc-card-title", id: "frc-history-title" }, t("frc.timeline.title", { count: formatNumber(events.length) })),
        toggle),
      events.length
        ? h("ol", { class: "frc-timeline", id: "frc-timeline" }, events.map(timelineItem))
        : h("p", { class: "muted" }, t("frc.timeline.empty")));
  }

  function timelineItem(event) {
    const label = tOr(`frc.event.${event.type}`, localized(event.label) || event.type);
    const actor = actorName(event.actor, event.actorName);
    const transition = event.fromStatus && event.toStatus && event.fromStatus !== event.toStatus
      ? h("span", { class: "frc-transition" },
        statusBadge(event.fromStatus), h("span", { "aria-hidden": "true" }, "→"), h("span", { class: "visually-hidden" }, t("frc.timeline.to")), statusBadge(event.toStatus))
      : null;
    return h("li", {
      class: `frc-event frc-event--${event.type}${event.public ? " is-public" : " is-internal"}`,
      dataset: { type: event.type || "" },
    },
    h("div", { class: "frc-event-head" },
      h("time", { datetime: event.at }, formatDateTime(event.at)),
      h("strong", { class: "frc-event-label" }, label),
      h("span", { class: `badge ${event.public ? "frc-badge-public" : "frc-badge-internal"}`, title: t(event.public ? "frc.timeline.publicHint" : "frc.timeline.internalHint") },
        t(event.public ? "frc.timeline.public" : "frc.timeline.internal"))),
    h("div", { class: "frc-event-meta" },
      h("span", { class: "frc-event-actor" }, t("frc.timeline.by", { actor })),
      event.agency ? h("span", {}, t("frc.timeline.agency", { agency: names.agencyName(event.agency) })) : null,
      transition),
    event.note ? h("p", { class: "frc-text frc-event-note" }, localized(event.note, event.noteEn)) : null,
    photoStrip(event.photos, viewer));
  }

  // ---- Actions ----

  function renderActions() {
    const actions = ACTION_ORDER.filter((action) => data.actions?.includes(action));
    const primary = PRIMARY[data.status];
    const buttons = actions.map((action) => h("button", {
      type: "button",
      id: `frc-action-${action}`,
      class: `btn ${action === primary ? "btn-primary" : DANGER.has(action) ? "btn-secondary frc-btn-danger" : "btn-secondary"}`,
      "aria-pressed": form?.action === action ? "true" : "false",
      "aria-controls": "frc-action-form",
      dataset: { action },
      onclick: () => (form?.action === action ? closeForm() : openForm(action)),
    }, t(`frc.action.${action}`)));
    const formSlot = h("div", { class: "frc-action-slot" });
    setChildren(actionsCard,
      h("h2", { class: "frc-card-title", id: "frc-actions-title" }, t("frc.actions.title")),
      actions.length
        ? h("div", { class: "frc-action-buttons", role: "group", "aria-labelledby": "frc-actions-title" }, buttons)
        : h("p", { class: "muted", id: "frc-no-actions" }, t(isOpen(data) ? "frc.actions.noneOpen" : data.status === "resolved" ? "frc.actions.noneResolved" : "frc.actions.noneClosed")),
      formSlot);
    if (form && !data.actions?.includes(form.action) && form.action !== "merge") form = null;
    if (form) {
      form.relabel();
      formSlot.append(form.element);
    }
  }

  function closeForm() {
    const action = form?.action;
    form?.dispose?.();
    form = null;
    renderActions();
    if (action) document.getElementById(`frc-action-${action}`)?.focus();
    if (stale) load();
  }

  function openForm(action, preset = {}) {
    form?.dispose?.();
    form = buildForm(action, preset);
    message = null;
    renderMessage();
    renderActions();
    actionsCard.scrollIntoView({ block: "nearest" });
    form.focusFirst();
  }

  function buildForm(action, preset) {
    const spec = FORMS[action] || [];
    const relabels = [];
    const label = (el, key, params) => {
      const apply = () => {
        el.textContent = t(key, typeof params === "function" ? params() : params);
      };
      apply();
      relabels.push(apply);
      return el;
    };
    const controls = {};
    const fields = [];
    let picker = null;
    const photos = { files: [], uploaded: new Map(), list: null, input: null };
    const maxPhotos = lookups.limits?.maxPhotos || 5;

    const textField = (name, key, { required, rows = 3, max }) => {
      const id = `frc-f-${name}`;
      const area = h("textarea", { id, name, rows: String(rows), maxlength: String(max), required: required || null });
      const counter = h("span", { class: "frc-counter", "aria-hidden": "true" });
      const updateCounter = () => {
        counter.textContent = `${formatNumber(area.value.length)}/${formatNumber(max)}`;
      };
      area.addEventListener("input", updateCounter);
      updateCounter();
      controls[name] = area;
      return h("div", { class: "field" },
        h("div", { class: "frc-label-row" }, label(h("label", { for: id }), required ? key : "frc.field.optional", required ? undefined : () => ({ label: t(key) })), counter),
        area);
    };

    for (const entry of spec) {
      const optional = entry.endsWith("?");
      const name = entry.replace(/[?!]$/, "");
      switch (name) {
        case "note":
          fields.push(textField("note", action === "note" ? "frc.field.noteText" : "frc.field.note", { required: !optional, max: MAX_TEXT.note }));
          break;
        case "reason":
          fields.push(textField("reason", `frc.field.reason.${action}`, { required: true, max: MAX_TEXT.reason }));
          break;
        case "result":
          fields.push(textField("result", "frc.field.result", { required: true, rows: 5, max: MAX_TEXT.result }));
          break;
        case "rejectReason": {
          const group = h("fieldset", { class: "frc-radios", id: "frc-f-reject" }, label(h("legend", {}), "frc.field.rejectReason"));
          for (const value of ["spam", "not_our_remit"]) {
            const radio = h("input", { type: "radio", name: "reject-reason", id: `frc-f-reject-${value}`, value });
            if (value === "spam") radio.checked = true;
            group.append(h("label", { class: "frc-radio", for: `frc-f-reject-${value}` }, radio,
              label(h("span", {}), `frc.field.reject.${value}`)));
          }
          controls.rejectReason = group;
          fields.push(group);
          break;
        }
        case "agency":
          picker = agencyPicker("frc-f-agency", lookups, {
            labelKey: action === "reroute" ? "frc.field.newAgency" : "frc.field.agency",
            exclude: action === "reroute" ? data.agency?.code : null,
          });
          relabels.push(() => picker.relabel());
          controls.agency = picker.select;
          fields.push(picker.element);
          break;
        case "public": {
          const box = h("input", { type: "checkbox", id: "frc-f-public", name: "public" });
          controls.public = box;
          fields.push(h("div", { class: "frc-check-field" },
            h("label", { for: "frc-f-public", class: "frc-radio" }, box, label(h("span", {}), "frc.field.public")),
            label(h("p", { class: "field-hint" }), "frc.field.publicHint")));
          break;
        }
        case "until": {
          const input = h("input", { type: "datetime-local", id: "frc-f-until", name: "until", required: true, step: "60" });
          const base = Math.max(Date.now(), data.dueAt ? new Date(data.dueAt).getTime() : 0);
          input.value = toVietnamLocalInput(new Date(base + 3 * 86_400_000));
          input.min = toVietnamLocalInput(new Date(Math.max(Date.now(), data.dueAt ? new Date(data.dueAt).getTime() : 0)));
          controls.until = input;
          fields.push(h("div", { class: "field" },
            label(h("label", { for: "frc-f-until" }), "frc.field.until"),
            input,
            label(h("p", { class: "field-hint" }), "frc.field.untilHint", { due: formatDateTime(data.dueAt) || EMPTY })));
          break;
        }
        case "into": {
          const listId = "frc-f-into-list";
          const input = h("input", {
            type: "text", id: "frc-f-into", name: "into", required: true, autocomplete: "off", spellcheck: "false",
            list: listId, value: preset.into || "", class: "mono",
          });
          controls.into = input;
          fields.push(h("div", { class: "field" },
            label(h("label", { for: "frc-f-into" }), "frc.field.into"),
            input,
            h("datalist", { id: listId }, (data.nearby || []).map((item) => h("option", { value: item.code }))),
            label(h("p", { class: "field-hint" }), "frc.field.intoHint", { code: data.code })));
          break;
        }
        case "extensionSummary":
          if (data.extension) {
            fields.push(h("p", { class: "frc-form-summary" },
              label(h("span", {}), "frc.field.extensionSummary", {
                until: formatDateTime(data.extension.until), due: formatDateTime(data.dueAt) || EMPTY,
              })));
          }
          break;
        case "photos": {
          const input = h("input", {
            type: "file", id: "frc-f-photos", name: "photos", multiple: true, accept: IMAGE_TYPES.join(","),
            class: "visually-hidden frc-file-input",
          });
          const list = h("ul", { class: "frc-upload-list", id: "frc-f-photos-list" });
          photos.input = input;
          photos.list = list;
          input.addEventListener("change", () => {
            const added = [...(input.files || [])];
            input.value = "";
            for (const file of added) {
              if (photos.files.length >= maxPhotos) {
                showFormError({ key: "frc.upload.tooMany", params: { max: formatNumber(maxPhotos) } });
                break;
              }
              if (!IMAGE_TYPES.includes(file.type)) {
                showFormError({ key: "frc.upload.wrongType", params: { name: file.name } });
                continue;
              }
              photos.files.push({ file, url: URL.createObjectURL(file) });
            }
            renderPhotoList();
          });
          controls.photos = input;
          fields.push(h("div", { class: "field" },
            h("span", { class: "frc-field-label" }, label(h("span", {}), entry.endsWith("!") ? "frc.field.photos" : "frc.field.resultPhotos")),
            h("div", { class: "frc-upload" },
              input,
              h("label", { for: "frc-f-photos", class: "btn btn-secondary btn-sm", id: "frc-f-photos-button" },
                pathIcon(PATHS.upload), label(h("span", {}), "frc.field.choosePhotos"))),
            list,
            label(h("p", { class: "field-hint" }), "frc.field.photosHint", { max: formatNumber(maxPhotos) })));
          break;
        }
        default:
          break;
      }
    }

    function renderPhotoList() {
      setChildren(photos.list, photos.files.map((entry, i) => h("li", { class: "frc-upload-item", dataset: { state: entry.state || "ready" } },
        h("img", { src: entry.url, alt: "" }),
        h("span", { class: "frc-upload-name", title: entry.file.name }, entry.file.name),
        h("span", { class: "frc-upload-state" }, entry.state === "done" ? t("frc.upload.done") : entry.state === "uploading" ? t("frc.upload.uploading") : entry.state === "failed" ? t("frc.upload.failed") : ""),
        h("button", {
          type: "button", class: "icon-button frc-upload-remove", disabled: busy || null,
          title: t("frc.upload.remove", { name: entry.file.name }), "aria-label": t("frc.upload.remove", { name: entry.file.name }),
          onclick: () => {
            URL.revokeObjectURL(entry.url);
            photos.files.splice(i, 1);
            renderPhotoList();
            photos.input.focus();
          },
        }, icon("close")))));
    }

    const errorEl = h("p", { class: "form-error", role: "alert", id: "frc-action-error", hidden: true });
    const progressEl = h("p", { class: "frc-progress", role: "status", id: "frc-action-progress", hidden: true });
    const submit = h("button", { type: "submit", class: `btn ${DANGER.has(action) ? "frc-btn-danger-solid" : "btn-primary"}`, id: "frc-action-submit" });
    const cancel = h("button", { type: "button", class: "btn btn-ghost", id: "frc-action-cancel", onclick: closeForm });
    const title = h("h3", { class: "frc-form-title", id: "frc-action-form-title" });
    const intro = h("p", { class: "field-hint frc-form-intro" });
    let busy = false;
    let shownError = null;

    const element = h("form", {
      class: "frc-action-form", id: "frc-action-form", novalidate: true, dataset: { action },
      "aria-labelledby": "frc-action-form-title",
    }, title, intro, fields, errorEl, progressEl, h("div", { class: "form-actions" }, submit, cancel));
    element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        closeForm();
      } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        element.requestSubmit();
      }
    });

    function showFormError(error) {
      shownError = error;
      for (const control of Object.values(controls)) control.removeAttribute?.("aria-invalid");
      if (!error) {
        errorEl.hidden = true;
        return;
      }
      errorEl.textContent = error.key ? t(error.key, error.params) : error.upload ? uploadErrorText(error.upload) : errorMessage(error);
      if (error instanceof ApiError && error.status === 409) {
        errorEl.append(" ", h("button", { type: "button", class: "btn btn-secondary btn-sm", id: "frc-action-reload", onclick: () => {
          form = null;
          load();
        } }, t("frc.case.reloadNow")));
      }
      errorEl.hidden = false;
      const fieldName = error.field || (error instanceof ApiError ? error.field : null);
      const target = fieldName === "reason" && controls.rejectReason && action === "reject" ? controls.rejectReason : controls[fieldName];
      if (target) {
        target.setAttribute("aria-invalid", "true");
        (target.tagName === "FIELDSET" ? target.querySelector("input") : target.type === "file" ? document.getElementById("frc-f-photos-button") : target)?.focus();
      }
    }

    function setBusy(value, progressText = "") {
      busy = value;
      submit.disabled = value;
      cancel.disabled = value;
      for (const control of element.querySelectorAll("input, textarea, select")) control.disabled = value;
      progressEl.hidden = !progressText;
      progressEl.textContent = progressText;
      setChildren(submit, t(value ? "frc.actions.busy" : `frc.submit.${action}`));
    }

    function relabel() {
      title.textContent = t(`frc.action.${action}`);
      intro.textContent = t(`frc.form.${action}`, { code: data.code, agency: names.agencyName(data.agency) || EMPTY });
      if (!busy) setChildren(submit, t(`frc.submit.${action}`));
      cancel.textContent = t("form.cancel");
      for (const apply of relabels) apply();
      if (photos.list) renderPhotoList();
      if (shownError) showFormError(shownError);
    }

    async function uploadAll() {
      if (!photos.files.length) return [];
      const { csrfToken } = await api.get("/api/v1/session"); // a fresh token, and a check that the session is alive
      const hashes = [];
      for (let i = 0; i < photos.files.length; i += 1) {
        const entry = photos.files[i];
        if (entry.sha256) {
          hashes.push(entry.sha256);
          continue;
        }
        setBusy(true, t("frc.upload.progress", { n: formatNumber(i + 1), total: formatNumber(photos.files.length) }));
        entry.state = "uploading";
        renderPhotoList();
        try {
          const answer = await uploadAttachment(data.code, entry.file, csrfToken, lookups.limits?.maxPhotoBytes);
          entry.sha256 = answer.sha256;
          entry.state = "done";
          hashes.push(answer.sha256);
        } catch (error) {
          entry.state = "failed";
          renderPhotoList();
          throw { upload: error, field: error instanceof ApiError ? error.field || "photos" : "photos", name: entry.file.name };
        }
        renderPhotoList();
      }
      return hashes;
    }

    function body() {
      const value = (name) => controls[name]?.value.trim() ?? "";
      const result = { action };
      switch (action) {
        case "verify":
        case "start":
          if (value("note")) result.note = value("note");
          break;
        case "reject":
          result.reason = controls.rejectReason.querySelector("input:checked")?.value || "spam";
          result.note = value("note");
          break;
        case "assign":
          result.agency = value("agency");
          if (value("note")) result.note = value("note");
          break;
        case "reroute":
          result.agency = value("agency");
          result.reason = value("reason");
          break;
        case "return":
        case "deny_extension":
        case "close_unhandled":
          result.reason = value("reason");
          break;
        case "note":
          result.note = value("note");
          result.public = Boolean(controls.public?.checked);
          break;
        case "request_extension":
          result.until = fromVietnamLocalInput(controls.until.value);
          result.reason = value("reason");
          break;
        case "resolve":
          result.result = value("result");
          break;
        case "merge":
          result.into = value("into").toUpperCase();
          break;
        default:
          break;
      }
      return result;
    }

    /** Client-side checks for the required fields; the server checks again (422 with `field`). */
    function check(payload) {
      const required = spec.filter((entry) => !entry.endsWith("?")).map((entry) => entry.replace(/[?!]$/, ""));
      for (const name of required) {
        if (name === "rejectReason" || name === "public" || name === "extensionSummary") continue;
        if (name === "photos") {
          if (action === "attach" && !photos.files.length) return { key: "frc.upload.none", field: "photos" };
          continue;
        }
        if (name === "until") {
          if (!payload.until) return { key: "frc.field.untilInvalid", field: "until" };
          if (new Date(payload.until).getTime() <= Date.now()) return { key: "frc.field.untilPast", field: "until" };
          if (data.dueAt && new Date(payload.until) <= new Date(data.dueAt)) return { key: "frc.field.untilBeforeDue", field: "until" };
          continue;
        }
        const key = name === "agency" ? "frc.field.agencyRequired" : "frc.field.required";
        if (!controls[name]?.value.trim()) return { key, field: name };
      }
      if (action === "merge" && payload.into === data.code) return { key: "frc.field.intoSelf", field: "into" };
      return null;
    }

    element.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (busy) return;
      const payload = body();
      const problem = check(payload);
      if (problem) {
        showFormError(problem);
        return;
      }
      showFormError(null);
      setBusy(true);
      try {
        if (action === "attach") {
          await uploadAll();
          if (removed) return;
          message = { tone: "ok", key: "frc.done.attach", params: { count: formatNumber(photos.files.length) } };
          cleanupPhotos();
          form = null;
          await load({ quiet: true });
        } else {
          if (action === "resolve") payload.photos = await uploadAll();
          setBusy(true, action === "resolve" && photos.files.length ? t("frc.upload.saving") : "");
          const detail = await api.post(`/api/v1/cases/${encodeURIComponent(data.code)}/actions`, payload);
          if (removed) return;
          message = { tone: "ok", key: "frc.done", params: { action: t(`frc.action.${action}`), status: statusLabel(detail?.status, detail?.statusLabel) } };
          cleanupPhotos();
          if (detail && detail.code) show(detail);
          else {
            form = null;
            await load({ quiet: true });
          }
        }
        messageBox.focus();
      } catch (error) {
        if (removed) return;
        setBusy(false);
        showFormError(error);
      }
    });

    function cleanupPhotos() {
      for (const entry of photos.files) URL.revokeObjectURL(entry.url);
    }

    relabel();
    return {
      action,
      element,
      relabel,
      get busy() {
        return busy;
      },
      dispose: cleanupPhotos,
      focusFirst() {
        const first = element.querySelector("select, textarea, input:not([type=file]):not([type=search]), input[type=search]");
        (picker ? picker.filter : first || submit).focus();
      },
    };
  }

  // ---- Map: the point, its commune, possible duplicates ----

  let map = null;
  let pointLayer = null;
  let communeLayer = null;
  let nearbyLayer = null;
  let drawnUnit = null;

  function renderMap() {
    mapTitle.textContent = t("frc.map.title");
    const d = data;
    const hasPoint = typeof d.lat === "number" && typeof d.lon === "number";
    mapNote.textContent = hasPoint ? t("frc.map.note", { unit: names.unitName(d.unit) || EMPTY }) : t("frc.map.noPoint");
    if (!hasPoint) {
      mapEl.hidden = true;
      return;
    }
    mapEl.hidden = false;
    if (typeof window.L === "undefined") {
      mapEl.hidden = true;
      mapNote.textContent = t("map.leafletMissing");
      return;
    }
    const tileURL = typeof settings?.map?.tileURL === "string" ? settings.map.tileURL.trim() : "";
    if (!map) {
      map = L.map(mapEl, { zoomSnap: 0.25, attributionControl: Boolean(tileURL), scrollWheelZoom: false }).setView([d.lat, d.lon], 14);
      if (tileURL) L.tileLayer(tileURL, { attribution: settings.map.tileAttribution || "", maxZoom: 19 }).addTo(map);
      mapEl.addEventListener("focus", () => map.scrollWheelZoom.enable());
      mapEl.addEventListener("blur", () => map.scrollWheelZoom.disable());
    }
    pointLayer?.remove();
    pointLayer = L.circleMarker([d.lat, d.lon], MAP_POINT).addTo(map)
      .bindTooltip(() => h("span", {}, d.code), { direction: "top", offset: [0, -8] });
    nearbyLayer?.remove();
    nearbyLayer = L.layerGroup((d.nearby || []).filter((n) => typeof n.lat === "number" && typeof n.lon === "number").map((n) =>
      L.circleMarker([n.lat, n.lon], MAP_NEARBY).bindTooltip(() => h("span", {}, `${n.code} · ${statusLabel(n.status, n.statusLabel)}`), { direction: "top" })
        .on("click", () => {
          location.hash = caseHref(n.code);
        }))).addTo(map);
    pointLayer.bringToFront();
    const unitCode = d.unit?.code;
    if (unitCode && unitCode === drawnUnit && communeLayer) {
      fit();
      return;
    }
    drawnUnit = unitCode || null;
    communeLayer?.remove();
    communeLayer = null;
    fit();
    if (!unitCode || !settings?.province?.code) return;
    loadBoundaries(settings.province.code).then((collection) => {
      if (removed || drawnUnit !== unitCode) return;
      const feature = (collection?.features || []).find((f) => f.properties?.code === unitCode);
      if (!feature) return;
      communeLayer = L.geoJSON(feature, { style: () => MAP_COMMUNE, interactive: false }).addTo(map);
      communeLayer.bringToBack();
      fit();
    }).catch(() => {});
  }

  function fit() {
    if (!map || !data) return;
    map.invalidateSize();
    const bounds = communeLayer?.getBounds();
    if (bounds?.isValid()) {
      bounds.extend([data.lat, data.lon]);
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 15, animate: false });
    } else {
      map.setView([data.lat, data.lon], 15, { animate: false });
    }
  }

  // ---- Live ----

  function onLive(event) {
    if (event?.type !== "resync" && event?.code !== code) return;
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => {
      if (removed) return;
      if (form) {
        // Do not wipe what the user is typing: offer a reload instead.
        stale = { status: event.status || data?.status };
        renderMessage();
      } else {
        load({ quiet: true });
      }
    }, LIVE_DEBOUNCE_MS);
  }
  const stopLive = followCases(settings, onLive, (status) => indicator.set(status));

  const ticker = setInterval(() => {
    for (const cell of dueCells) cell.update();
  }, TICK_MS);

  load();
  loadLookups(settings).then((loaded) => {
    if (removed) return;
    lookups = loaded;
    names = namer(loaded);
    if (data) {
      // Keep an open form (and what is typed in it); re-label it with the names now known.
      render();
    }
  });

  return {
    unmount() {
      removed = true;
      stopLive();
      clearInterval(ticker);
      clearTimeout(liveTimer);
      form?.dispose?.();
      viewer.close();
      map?.remove();
    },
    languageChanged() {
      viewer.relabel();
      render();
    },
  };
}
