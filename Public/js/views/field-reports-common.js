// Field reports (phản ánh hiện trường), staff console: pieces shared by the queue, the case page and the routing
// table — vocabulary and badges, deadline countdowns, names for codes, the agency picker, the photo viewer,
// photo uploads and the live `cases` topic.
import { api, errorMessage, request } from "../api.js";
import { h, icon } from "../dom.js";
import { formatDateTime, formatNumber, getLanguage, localized, localizedName, t, tOr } from "../i18n.js";
import { liveTopic } from "../settings.js";
import { unitDisplayName } from "../units.js";

export const ROUTE = "field-reports";
export const EMPTY = "—";
export const STATUSES = [
  "new", "verified", "assigned", "in_progress", "resolved", "closed", "closed_unhandled", "rejected", "not_our_remit", "duplicate",
];
export const OPEN_STATUSES = new Set(["new", "verified", "assigned", "in_progress"]);
/** Roles that triage and dispatch (bulk assign, merge, routing reads). */
export const DISPATCH_ROLES = new Set(["admin", "operator"]);
export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"];
const AGENCY_KIND_ORDER = ["communeCommittee", "department", "provinceCommittee", "serviceCenter", "police", "utility", "company", "other"];

// ---- Small helpers ----


/** Replaces an element's children, skipping null and false and flattening arrays (like `h`). */
export function setChildren(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((child) => child != null && child !== false));
}

export function mono(value) {
  return value == null || value === "" ? EMPTY : h("span", { class: "mono" }, value);
}

let lastQueueHash = null;

/** The queue view records its hash (tab, filters, page) so that a case page can link back to the same list. */
export function rememberQueue(hash) {
  lastQueueHash = hash;
}

export function queueBackHref() {
  return lastQueueHash || `#/${ROUTE}`;
}

export function caseHref(code) {
  return `#/${ROUTE}/case/${encodeURIComponent(code)}`;
}

export function loadingLine() {
  return h("p", { class: "muted", role: "status" }, t("app.loading"));
}

export function errorBox(error) {
  return h("div", { class: "alert alert-error", role: "alert" }, errorMessage(error));
}

/** A small line icon drawn from a path (the shared sprite lacks a few). */
export function pathIcon(d, className = "icon") {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", className);
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d);
  svg.append(path);
  return svg;
}
export const PATHS = {
  back: "M19 12H5M12 19l-7-7 7-7",
  upload: "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M17 8l-5-5-5 5M12 3v12",
  route: "M6 3v12M18 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM6 21a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM18 9a9 9 0 0 1-9 9",
  pin: "M21 10c0 7-9 13-9 13S3 17 3 10a9 9 0 0 1 18 0zM12 13a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
  chevronLeft: "M15 18l-6-6 6-6",
  chevronRight: "M9 18l6-6-6-6",
  trash: "M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6",
  merge: "M8 6a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM8 6v12M8 18a2 2 0 1 0 0 4 2 2 0 0 0 0-4zM18 18a2 2 0 1 0 0 4 2 2 0 0 0 0-4zM18 18V11a5 5 0 0 0-5-5H8",
};

// ---- Vocabulary ----

export function statusLabel(status, serverLabel) {
  return tOr(`frc.status.${status}`, localized(serverLabel) || status || EMPTY);
}

/** The coloured status pill; `data-status` carries the raw code for tests and styles. */
export function statusBadge(status, serverLabel, attributes = {}) {
  return h("span", { class: `badge frc-status frc-status--${status || "unknown"}`, dataset: { status: status || "" }, ...attributes },
    statusLabel(status, serverLabel));
}

export function isOpen(item) {
  return OPEN_STATUSES.has(item?.status);
}

/** Who did something: "user:lan" → "lan"; the citizen and the system by name. */
export function actorName(actor, name) {
  if (name) return name;
  if (!actor || actor === "system" || actor.startsWith("system:")) return t("frc.timeline.system");
  if (actor === "citizen") return t("frc.timeline.citizen");
  return actor.startsWith("user:") ? actor.slice(5) : actor;
}

// ---- Deadlines ----

/** "2 ngày 4 giờ", "3 giờ 12 phút", "12 phút" for a positive duration in milliseconds. */
export function spanText(ms) {
  const minutes = Math.max(1, Math.floor(Math.abs(ms) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours ? t("frc.span.daysHours", { d: formatNumber(days), h: formatNumber(hours) }) : t("frc.span.days", { d: formatNumber(days) });
  if (hours > 0) return mins ? t("frc.span.hoursMinutes", { h: formatNumber(hours), m: formatNumber(mins) }) : t("frc.span.hours", { h: formatNumber(hours) });
  return t("frc.span.minutes", { m: formatNumber(mins) });
}

/** Where a case stands against its deadline now: `overdue`, `near`, `ok`, `closed` (not open) or `none` (no deadline). */
export function deadlineState(item, now = Date.now()) {
  if (!item?.dueAt) return "none";
  if (!isOpen(item)) return "closed";
  const due = new Date(item.dueAt).getTime();
  if (item.overdue || due <= now) return "overdue";
  if (item.nearDeadline) return "near";
  return "ok";
}

/** "Quá hạn 1 ngày 3 giờ" / "Còn 5 giờ" / "" when the case is closed or has no deadline. */
export function countdownText(item, now = Date.now()) {
  const state = deadlineState(item, now);
  if (state === "none" || state === "closed") return "";
  const diff = new Date(item.dueAt).getTime() - now;
  return state === "overdue" ? t("frc.due.overdueBy", { span: spanText(diff) }) : t("frc.due.left", { span: spanText(diff) });
}

/** A badge for overdue (red) or near the deadline (amber); null otherwise. */
export function deadlineBadge(item, now = Date.now(), attributes = {}) {
  const state = deadlineState(item, now);
  if (state === "overdue") return h("span", { class: "badge frc-deadline frc-deadline--overdue", ...attributes }, icon("clock"), t("frc.due.overdue"));
  if (state === "near") return h("span", { class: "badge frc-deadline frc-deadline--near", ...attributes }, icon("clock"), t("frc.due.near"));
  return null;
}

/**
 * The due cell: date and time, with the countdown under it (red when overdue, amber when near).
 * Returns { element, update() } so that a timer can refresh the countdown without re-rendering the row.
 */
export function dueCell(item) {
  const date = h("span", { class: "frc-due-date" });
  const countdown = h("span", { class: "frc-due-countdown" });
  const element = h("span", { class: "frc-due" }, date, countdown);
  const update = () => {
    const now = Date.now();
    const state = deadlineState(item, now);
    element.dataset.deadline = state;
    date.textContent = item.dueAt ? formatDateTime(item.dueAt) : EMPTY;
    countdown.textContent = countdownText(item, now);
    countdown.hidden = !countdown.textContent;
  };
  update();
  return { element, update };
}

// ---- Names for codes (agencies, communes, categories), loaded once per page ----

let lookupsPromise = null;

function emptyLookups() {
  return { agencies: new Map(), agencyList: [], units: new Map(), unitList: [], categories: new Map(), categoryList: [], limits: {} };
}

/** Agencies, the province's communes and the report categories. Each part is optional: codes still show without it. */
export function loadLookups(settings) {
  lookupsPromise ??= (async () => {
    const lookups = emptyLookups();
    const province = settings?.province?.code || "";
    await Promise.all([
      api.get("/api/v1/agencies").then((list) => {
        lookups.agencyList = (list.items || []).filter((agency) => agency.active !== false);
        lookups.agencies = new Map((list.items || []).map((agency) => [agency.code, agency]));
      }).catch(() => {}),
      api.get(`/api/v1/units?province=${encodeURIComponent(province)}&level=commune`).then((list) => {
        lookups.unitList = list.items || [];
        lookups.units = new Map(lookups.unitList.map((unit) => [unit.code, unit]));
      }).catch(() => {}),
      api.get("/api/v1/field-reports/categories").then((list) => {
        lookups.categoryList = list.items || [];
        lookups.categories = new Map(lookups.categoryList.map((category) => [category.code, category]));
        lookups.limits = list.limits || {};
      }).catch(() => {}),
    ]);
    // Nothing at all usually means the network failed: try again next time.
    if (!lookups.agencyList.length && !lookups.unitList.length && !lookups.categoryList.length) lookupsPromise = null;
    return lookups;
  })();
  return lookupsPromise;
}

/** Name helpers bound to one lookups object. */
export function namer(lookups) {
  const agencyName = (ref) => {
    if (!ref) return "";
    const code = typeof ref === "string" ? ref : ref.code;
    const agency = lookups.agencies.get(code);
    if (agency) return localizedName(agency);
    return (typeof ref === "object" && localizedName(ref)) || code || "";
  };
  const unitName = (ref) => {
    if (!ref) return "";
    const code = typeof ref === "string" ? ref : ref.code;
    const unit = lookups.units.get(code);
    if (unit) return unitDisplayName(unit);
    if (typeof ref === "object" && getLanguage() === "en" && ref.nameEn) return ref.nameEn;
    return (typeof ref === "object" && localized(ref.name)) || code || "";
  };
  const categoryName = (ref) => {
    if (!ref) return "";
    const code = typeof ref === "string" ? ref : ref.code;
    const fromRef = typeof ref === "object" ? localized(ref.name) : "";
    return fromRef || localized(lookups.categories.get(code)?.name) || code || "";
  };
  return { agencyName, unitName, categoryName };
}

export function sortByName(list, name) {
  return [...list].sort((a, b) => name(a).localeCompare(name(b), "vi"));
}

// ---- Agency picker: a filter box over a grouped <select> ----

/**
 * `id` names the <select> (the filter box is `${id}-filter`). Options are the active agencies grouped by kind;
 * typing in the filter narrows them (accents ignored) and Enter picks the first match.
 */
export function agencyPicker(id, lookups, { labelKey = "frc.field.agency", required = true, exclude = null, value = "" } = {}) {
  const names = namer(lookups);
  const select = h("select", { id, name: "agency", required: required || null });
  const filter = h("input", {
    id: `${id}-filter`, type: "search", class: "frc-picker-filter", autocomplete: "off", spellcheck: "false",
    placeholder: t("frc.picker.filter"), "aria-label": t("frc.picker.filter"), "aria-controls": id,
  });
  const label = h("label", { for: id }, t(labelKey));
  const element = h("div", { class: "field frc-agency-picker" }, label, h("div", { class: "frc-picker-row" }, filter, select));

  const fold = (text) => String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();

  function fill() {
    const current = select.value || value;
    const wanted = fold(filter.value.trim());
    const agencies = lookups.agencyList.filter((agency) => agency.code !== exclude)
      .filter((agency) => !wanted || fold(`${agency.code} ${agency.name} ${agency.nameEn || ""}`).includes(wanted));
    const groups = new Map();
    for (const agency of agencies) {
      const kind = AGENCY_KIND_ORDER.includes(agency.kind) ? agency.kind : "other";
      if (!groups.has(kind)) groups.set(kind, []);
      groups.get(kind).push(agency);
    }
    const options = [h("option", { value: "" }, agencies.length ? t("frc.picker.choose") : t("frc.picker.none"))];
    for (const kind of AGENCY_KIND_ORDER) {
      const list = groups.get(kind);
      if (!list) continue;
      options.push(h("optgroup", { label: tOr(`agencyKind.${kind}`, kind) },
        sortByName(list, (a) => names.agencyName(a.code)).map((agency) => h("option", { value: agency.code }, names.agencyName(agency.code)))));
    }
    select.replaceChildren(...options);
    if (current && [...select.options].some((option) => option.value === current)) select.value = current;
    else if (wanted && agencies.length === 1) select.value = agencies[0].code;
  }

  filter.addEventListener("input", fill);
  filter.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const first = [...select.options].find((option) => option.value);
      if (first) select.value = first.value;
      select.focus();
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      select.focus();
    }
  });
  fill();
  return {
    element,
    select,
    filter,
    get value() {
      return select.value;
    },
    /** Empties the filter box (every agency listed again), keeping the choice. */
    clearFilter() {
      filter.value = "";
      fill();
    },
    relabel() {
      label.textContent = t(labelKey);
      filter.placeholder = t("frc.picker.filter");
      filter.setAttribute("aria-label", t("frc.picker.filter"));
      fill();
    },
  };
}

// ---- Photo viewer ----

/** A modal photo viewer (one per view): open(urls, index); ←/→ to move, Esc to close. */
export function lightbox() {
  let urls = [];
  let index = 0;
  const img = h("img", { class: "frc-lightbox-img", alt: "" });
  const counter = h("span", { class: "frc-lightbox-counter", "aria-live": "polite" });
  const openLink = h("a", { class: "btn btn-ghost frc-lightbox-open", target: "_blank", rel: "noopener" });
  const prev = h("button", { type: "button", class: "icon-button frc-lightbox-nav", onclick: () => show(index - 1) }, pathIcon(PATHS.chevronLeft));
  const next = h("button", { type: "button", class: "icon-button frc-lightbox-nav", onclick: () => show(index + 1) }, pathIcon(PATHS.chevronRight));
  const close = h("button", { type: "button", class: "icon-button frc-lightbox-close", id: "frc-lightbox-close", onclick: () => dialog.close() }, icon("close"));
  const dialog = h("dialog", { class: "frc-lightbox", id: "frc-lightbox" },
    h("div", { class: "frc-lightbox-bar" }, counter, h("span", { class: "frc-spacer" }), openLink, close),
    h("div", { class: "frc-lightbox-stage" }, prev, img, next));
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") show(index - 1);
    else if (event.key === "ArrowRight") show(index + 1);
  });

  function relabel() {
    prev.title = t("frc.photo.previous");
    prev.setAttribute("aria-label", t("frc.photo.previous"));
    next.title = t("frc.photo.next");
    next.setAttribute("aria-label", t("frc.photo.next"));
    close.title = t("frc.photo.close");
    close.setAttribute("aria-label", t("frc.photo.close"));
    openLink.textContent = t("frc.photo.openOriginal");
    dialog.setAttribute("aria-label", t("frc.photo.viewer"));
  }

  function show(i) {
    if (!urls.length) return;
    index = (i + urls.length) % urls.length;
    img.src = urls[index];
    img.alt = t("frc.photo.alt", { n: formatNumber(index + 1), total: formatNumber(urls.length) });
    counter.textContent = t("frc.photo.counter", { n: formatNumber(index + 1), total: formatNumber(urls.length) });
    openLink.href = urls[index];
    prev.hidden = next.hidden = urls.length < 2;
  }

  relabel();
  return {
    element: dialog,
    relabel,
    open(list, start = 0) {
      urls = list || [];
      relabel();
      show(start);
      if (!dialog.open) dialog.showModal();
      close.focus();
    },
    close() {
      if (dialog.open) dialog.close();
    },
  };
}

/** Thumbnails that open the viewer; `idPrefix` gives each button an id (`${idPrefix}-0`, …). */
export function photoStrip(urls, viewer, { idPrefix = null, labelKey = "frc.photo.open" } = {}) {
  if (!urls?.length) return null;
  return h("ul", { class: "frc-photos" }, urls.map((url, i) => h("li", {},
    h("button", {
      type: "button", class: "frc-thumb", id: idPrefix ? `${idPrefix}-${i}` : null,
      title: t(labelKey, { n: formatNumber(i + 1) }), "aria-label": t(labelKey, { n: formatNumber(i + 1) }),
      onclick: () => viewer.open(urls, i),
    }, h("img", { src: url, alt: "", loading: "lazy", decoding: "async" })))));
}

// ---- Photo uploads (raw image bodies) ----

const MAX_SIDE = 1600;

/** Shrinks a large photo in the browser (≤ 1600 px long side, JPEG ~0.82); small ones go as they are. */
export async function preparePhoto(file, maxBytes = 5 * 1024 * 1024) {
  if (!IMAGE_TYPES.includes(file.type)) throw { key: "frc.upload.wrongType", name: file.name };
  let bitmap = null;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    if (file.size <= maxBytes) return { blob: file, type: file.type };
    throw { key: "frc.upload.unreadable", name: file.name };
  }
  const long = Math.max(bitmap.width, bitmap.height);
  if (long <= MAX_SIDE && file.size <= Math.min(maxBytes, 1.5 * 1024 * 1024)) {
    bitmap.close?.();
    return { blob: file, type: file.type };
  }
  const scale = Math.min(1, MAX_SIDE / long);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.82));
  if (!blob) return { blob: file, type: file.type };
  if (blob.size > maxBytes) throw { key: "frc.upload.tooLarge", name: file.name };
  return { blob, type: "image/jpeg" };
}

/** POST /api/v1/cases/{code}/attachments with the photo as the raw body; resolves to {sha256,url,width,height,bytes}. */
export async function uploadAttachment(code, file, csrfToken, maxBytes) {
  const { blob, type } = await preparePhoto(file, maxBytes);
  const headers = csrfToken ? { "X-CSRF-Token": csrfToken } : {};
  // A 401 reaches the shell's handler, which sends the user to the login page.
  return request("POST", `/api/v1/cases/${encodeURIComponent(code)}/attachments`, blob, { raw: true, contentType: type, headers });
}

/** Text for an upload error thrown above (ours carry a dictionary key, the server's are ApiErrors). */
export function uploadErrorText(error) {
  if (error?.key) return t(error.key, { name: error.name || "" });
  return errorMessage(error);
}

// ---- Live: the `cases` topic over /api/v1/live (one socket per page, shared by the views) ----

const live = {
  topic: null, // the cases topic's name (settings `liveTopics.cases`)
  ws: null,
  listeners: new Set(),
  statusListeners: new Set(),
  status: "off", // off | connecting | live | retrying | unavailable
  lastEventId: null,
  retries: 0,
  retryTimer: null,
  closeTimer: null,
};

function setLiveStatus(status) {
  live.status = status;
  for (const listener of live.statusListeners) listener(status);
}

function liveConnect() {
  clearTimeout(live.retryTimer);
  live.retryTimer = null;
  if (live.ws || typeof WebSocket === "undefined") return;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/live`;
  let ws;
  try {
    ws = new WebSocket(url);
  } catch {
    scheduleRetry();
    return;
  }
  live.ws = ws;
  setLiveStatus(live.retries ? "retrying" : "connecting");
  ws.addEventListener("open", () => {
    const message = { type: "subscribe", topics: [live.topic] };
    if (live.lastEventId != null) message.since = live.lastEventId;
    ws.send(JSON.stringify(message));
  });
  ws.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    switch (message.type) {
      case "subscribed":
        live.retries = 0;
        if (live.lastEventId == null && typeof message.lastEventId === "number") live.lastEventId = message.lastEventId;
        setLiveStatus("live");
        break;
      case "events": {
        const events = Array.isArray(message.events) ? message.events : [];
        for (const item of events) {
          if (typeof item.id === "number") live.lastEventId = Math.max(live.lastEventId ?? 0, item.id);
          if (item.topic !== live.topic) continue;
          for (const listener of live.listeners) listener(item.data || {}, item);
        }
        if (message.dropped) for (const listener of live.listeners) listener({ type: "resync" }, null);
        break;
      }
      case "error":
        if (message.code === "forbidden_topic") {
          live.retries = -1; // do not retry: this user may not follow the topic
          setLiveStatus("unavailable");
          ws.close();
        }
        break;
      default:
        break;
    }
  });
  ws.addEventListener("close", () => {
    if (live.ws === ws) live.ws = null;
    if (live.retries < 0) return;
    if (live.listeners.size) scheduleRetry();
    else setLiveStatus("off");
  });
  ws.addEventListener("error", () => {
    // A close event follows; the retry is scheduled there.
  });
}

function scheduleRetry() {
  if (live.retryTimer || !live.listeners.size) return;
  live.retries += 1;
  setLiveStatus("retrying");
  const delay = Math.min(30_000, 1000 * 2 ** Math.min(live.retries - 1, 5)) + Math.floor(Math.random() * 500);
  live.retryTimer = setTimeout(() => {
    live.retryTimer = null;
    liveConnect();
  }, delay);
}

/**
 * Calls `listener(data, event)` for each event of the `cases` topic (its name: `settings.liveTopics.cases`), and
 * `{type:"resync"}` when the server dropped some; `onStatus(status)` follows the connection. Returns a function that
 * stops listening. The socket closes a few seconds after the last listener leaves, so that moving between the queue
 * and a case keeps it open.
 */
export function followCases(settings, listener, onStatus) {
  live.topic = liveTopic(settings, "cases");
  live.listeners.add(listener);
  if (onStatus) {
    live.statusListeners.add(onStatus);
    onStatus(live.status);
  }
  clearTimeout(live.closeTimer);
  if (live.retries < 0) setLiveStatus("unavailable");
  else liveConnect();
  return () => {
    live.listeners.delete(listener);
    if (onStatus) live.statusListeners.delete(onStatus);
    if (live.listeners.size) return;
    clearTimeout(live.closeTimer);
    live.closeTimer = setTimeout(() => {
      if (live.listeners.size) return;
      clearTimeout(live.retryTimer);
      live.retryTimer = null;
      const ws = live.ws;
      live.ws = null;
      live.status = "off";
      ws?.close();
    }, 5000);
  };
}

/** A small "● Trực tiếp" indicator for a page header. Returns { element, set(status), relabel() }. */
export function liveIndicator() {
  const text = h("span", {});
  const element = h("span", { class: "frc-live", id: "frc-live", role: "status" }, h("span", { class: "frc-live-dot", "aria-hidden": "true" }), text);
  let current = "off";
  const relabel = () => {
    element.dataset.status = current;
    text.textContent = t(`frc.live.${current}`);
    element.title = t(`frc.live.${current}Hint`);
  };
  relabel();
  return {
    element,
    set(status) {
      current = status;
      relabel();
    },
    relabel,
  };
}

// ---- Times as Vietnam wall-clock values (for <input type="datetime-local">) ----

const VN_OFFSET_MS = 7 * 3600 * 1000; // Asia/Ho_Chi_Minh has no daylight saving time

/** "2026-11-25T17:00" in Vietnam time for an instant. */
export function toVietnamLocalInput(date) {
  const shifted = new Date(new Date(date).getTime() + VN_OFFSET_MS);
  return shifted.toISOString().slice(0, 16);
}

/** The instant (ISO 8601 UTC) of a datetime-local value read as Vietnam time; null when empty or invalid. */
export function fromVietnamLocalInput(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value || "")) return null;
  const date = new Date(`${value.slice(0, 16)}:00+07:00`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(/\.000Z$/, "Z");
}

/** Great-circle distance in metres. */
export function distanceMeters(a, b) {
  if ([a?.lat, a?.lon, b?.lat, b?.lon].some((v) => typeof v !== "number")) return null;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const x = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(x)));
}

export function distanceText(meters) {
  if (meters == null) return "";
  if (meters >= 1000) return t("frc.distance.km", { value: formatNumber(meters / 1000, { maximumFractionDigits: 1 }) });
  return t("frc.distance.m", { value: formatNumber(Math.round(meters)) });
}
