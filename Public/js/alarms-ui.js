// Alarms, shared by the wall (dark) and the staff console (light): labels, ordering, the facts and the timeline of
// one alarm, and the action form (acknowledge, assign, comment, clear). The DOM uses `alarm-*` classes; each page's
// stylesheet gives them its look. Server texts always go in as text (`h()`), never as HTML.
import { api, errorMessage, setCsrfToken } from "./api.js";
import { h } from "./dom.js";
import { formatDateTime, formatNumber, getLanguage, localizedName, t } from "./i18n.js";

export const SEVERITIES = ["critical", "major", "minor"];
export const STATES = ["active", "acknowledged", "cleared"];
export const ACTIONS = ["acknowledge", "assign", "comment", "clear"];
export const FILTERS = ["open", "active", "acknowledged", "cleared", "all"];
const TIMELINE_MAX = 100; // entries shown (newest first); an alarm that repeats for weeks keeps a long history
const NOTE_MAX = 2000;
const CODE_PATTERN = /^[A-Za-z0-9-]{3,40}$/;

export function isAlarmCode(code) {
  return CODE_PATTERN.test(String(code ?? ""));
}

/** An `{code, name, nameEn?}` reference by name, in the current language when the server gives both. */
export function refName(ref) {
  return typeof ref === "string" ? ref : localizedName(ref);
}

export function severityOf(alarm) {
  return SEVERITIES.includes(alarm?.severity) ? alarm.severity : "minor";
}

export function stateOf(alarm) {
  return STATES.includes(alarm?.state) ? alarm.state : "active";
}

export const severityLabel = (alarm) => t(`alarms.severity.${severityOf(alarm)}`);
export const stateLabel = (alarm) => t(`alarms.state.${stateOf(alarm)}`);

/** Active first, then acknowledged, then cleared; within a state the most severe, then the latest event. */
export function compareAlarms(a, b) {
  const state = STATES.indexOf(stateOf(a)) - STATES.indexOf(stateOf(b));
  if (state) return state;
  const severity = SEVERITIES.indexOf(severityOf(a)) - SEVERITIES.indexOf(severityOf(b));
  if (severity) return severity;
  return (Date.parse(b.lastEventAt || b.raisedAt) || 0) - (Date.parse(a.lastEventAt || a.raisedAt) || 0);
}

/** "12 phút trước" / "vừa xong", against `now` (ms). */
export function ageText(iso, now = Date.now()) {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return "";
  const seconds = Math.max(0, Math.floor((now - at) / 1000));
  if (seconds < 60) return t("alarms.ageNow");
  const whole = (key, size) => {
    const count = Math.floor(seconds / size);
    return t(count === 1 ? `${key}One` : key, { count: formatNumber(count) });
  };
  let duration;
  if (seconds < 3600) duration = whole("duration.minutes", 60);
  else if (seconds < 48 * 3600) duration = whole("duration.hours", 3600);
  else duration = whole("duration.days", 86400);
  return t("alarms.ageAgo", { duration });
}

/** Re-renders every `[data-alarm-age]` under `root` (a ticker calls this; no re-render of the rows). */
export function refreshAlarmAges(root, now = Date.now()) {
  for (const el of root.querySelectorAll("[data-alarm-age]")) el.textContent = ageText(el.dataset.alarmAge, now);
}

export function severityBadge(alarm) {
  const severity = severityOf(alarm);
  return h("span", { class: "alarm-severity", dataset: { severity } }, t(`alarms.severity.${severity}`));
}

export function stateBadge(alarm) {
  const state = stateOf(alarm);
  return h("span", { class: "alarm-state", dataset: { state } }, t(`alarms.state.${state}`));
}

/** The repeat count (×3), only when the alarm repeated. */
export function repeatBadge(alarm) {
  const count = Number(alarm?.count) || 1;
  if (count < 2) return null;
  const hint = t("alarms.repeatHint", { count: formatNumber(count) });
  return h("span", { class: "alarm-repeat", title: hint, "aria-label": hint }, t("alarms.repeat", { count: formatNumber(count) }));
}

function byAt(by, at) {
  if (!by && !at) return "";
  if (!at) return by;
  return t("alarms.fact.byAt", { by: by || "?", time: formatDateTime(at) });
}

/** The alarm's facts as a `<dl class="alarm-facts">`. */
export function alarmFacts(alarm) {
  const rows = [
    [t("alarms.fact.severity"), severityBadge(alarm)],
    [t("alarms.fact.state"), stateBadge(alarm)],
    [t("alarms.fact.kind"), alarm.kind ? h("span", { class: "alarm-mono" }, alarm.kind) : ""],
    [t("alarms.fact.source"), refName(alarm.source)],
    [t("alarms.fact.place"), alarm.place || alarm.unit || ""],
    [t("alarms.fact.raised"), formatDateTime(alarm.raisedAt)],
    [t("alarms.fact.last"), (Number(alarm.count) || 1) > 1 ? formatDateTime(alarm.lastEventAt) : ""],
    [t("alarms.fact.count"), formatNumber(Number(alarm.count) || 1)],
    [t("alarms.fact.agency"), refName(alarm.agency) || t("alarms.unassigned")],
    [t("alarms.fact.acknowledged"), byAt(alarm.acknowledgedBy, alarm.acknowledgedAt)],
    [t("alarms.fact.cleared"), byAt(alarm.clearedBy, alarm.clearedAt)],
  ].filter(([, value]) => value !== "" && value != null);
  return h("dl", { class: "alarm-facts" }, rows.map(([label, value]) => h("div", { class: "alarm-fact" }, h("dt", {}, label), h("dd", {}, value))));
}

/** The timeline ("who did what when"), newest first, at most TIMELINE_MAX entries. */
export function alarmTimeline(alarm, { headingLevel = "h3" } = {}) {
  const entries = Array.isArray(alarm?.timeline) ? alarm.timeline.slice(-TIMELINE_MAX).reverse() : [];
  const list = h("ol", { class: "alarm-timeline-list", "aria-label": t("alarms.timeline.title") },
    entries.map((entry) => {
      const action = String(entry?.action || "");
      const agency = refName(entry?.agency);
      const what = action === "assigned" && agency
        ? t("alarms.timeline.assignedTo", { agency })
        : t(`alarms.timeline.${action}`) === `alarms.timeline.${action}` ? action : t(`alarms.timeline.${action}`);
      return h("li", { class: "alarm-timeline-item", dataset: { action } },
        h("time", { class: "alarm-timeline-time", datetime: entry?.at || "" }, formatDateTime(entry?.at)),
        h("span", { class: "alarm-timeline-what" },
          h("span", { class: "alarm-timeline-action" }, what),
          entry?.actor ? h("span", { class: "alarm-timeline-actor" }, entry.actor) : null),
        entry?.note ? h("p", { class: "alarm-timeline-note" }, entry.note) : null);
    }));
  return h("section", { class: "alarm-timeline" },
    h(headingLevel, { class: "alarm-section-title" }, t("alarms.timeline.title")),
    entries.length ? list : h("p", { class: "alarm-muted" }, t("alarms.timeline.empty")));
}

// ---- Agencies for "assign" (loaded once per page) ----

let agenciesPromise = null;

export function loadAgencies() {
  if (!agenciesPromise) {
    agenciesPromise = api.get("/api/v1/agencies")
      .then((data) => (Array.isArray(data?.items) ? data.items : [])
        .filter((agency) => agency?.code && agency.active !== false)
        .sort((a, b) => refName(a).localeCompare(refName(b), "vi")))
      .catch((error) => {
        agenciesPromise = null; // try again next time
        throw error;
      });
  }
  return agenciesPromise;
}

/**
 * POST /api/v1/alarms/{code}/actions with the session's CSRF token (api.js sends it on unsafe methods). The token is
 * read fresh from the session first: the wall page does not keep one, and this also checks the session is alive.
 */
export async function postAlarmAction(code, body) {
  const session = await api.get("/api/v1/session");
  if (session?.csrfToken) setCsrfToken(session.csrfToken);
  return api.post(`/api/v1/alarms/${encodeURIComponent(code)}/actions`, body);
}

/**
 * The action form for one alarm. `update(alarm)` shows the buttons the server allows now (`alarm.actions`) and keeps
 * what was typed. `onDone(alarm, action)` gets the server's answer (the alarm with its timeline).
 * Test hooks: `.alarm-actions button[data-action]`, `#<idPrefix>-note`, `#<idPrefix>-agency`.
 */
export function createAlarmActions({ idPrefix = "alarm", onDone } = {}) {
  let alarm = null;
  let busy = false;
  const noteId = `${idPrefix}-note`;
  const agencyId = `${idPrefix}-agency`;
  const errorId = `${idPrefix}-error`;
  const note = h("textarea", { id: noteId, class: "alarm-note", rows: "2", maxlength: String(NOTE_MAX), "aria-describedby": `${noteId}-hint` });
  const noteHint = h("p", { class: "alarm-hint", id: `${noteId}-hint` });
  const noteLabel = h("label", { for: noteId });
  const agency = h("select", { id: agencyId, class: "alarm-agency" });
  const agencyLabel = h("label", { for: agencyId });
  const agencyField = h("div", { class: "alarm-field alarm-field-agency" }, agencyLabel, agency);
  const error = h("p", { class: "alarm-error", id: errorId, role: "alert", hidden: true });
  const status = h("p", { class: "alarm-done", role: "status", "aria-live": "polite" });
  // One button per action, made once (a re-render must not swap a button under the user's pointer).
  const buttonFor = Object.fromEntries(ACTIONS.map((action) => [action, h("button", {
    type: "button",
    class: `alarm-btn alarm-btn-${action}${action === "acknowledge" ? " is-primary" : ""}`,
    dataset: { action },
    onclick: () => run(action),
  })]));
  const buttons = h("div", { class: "alarm-buttons" }, ACTIONS.map((action) => buttonFor[action]));
  const heading = h("h3", { class: "alarm-section-title" });
  const readOnly = h("p", { class: "alarm-muted alarm-readonly", hidden: true });
  const form = h("form", { class: "alarm-actions-form", novalidate: true },
    h("div", { class: "alarm-field" }, noteLabel, note, noteHint),
    agencyField, buttons, error);
  const element = h("section", { class: "alarm-actions", "aria-labelledby": `${idPrefix}-actions-title` }, heading, readOnly, form, status);
  heading.id = `${idPrefix}-actions-title`;
  form.addEventListener("submit", (event) => event.preventDefault());
  let agencies = null;
  let agenciesError = null;

  function allowed() {
    return Array.isArray(alarm?.actions) ? ACTIONS.filter((action) => alarm.actions.includes(action)) : [];
  }

  let filled = null; // the list and language the select was filled for (refilling would close it under the user)

  function fillAgencies() {
    const key = `${getLanguage()}|${agencies?.length ?? 0}`;
    if (filled === key) return;
    filled = key;
    const keep = agency.value;
    agency.replaceChildren(h("option", { value: "" }, t("alarms.form.agencyPick")),
      ...(agencies || []).map((item) => h("option", { value: item.code }, refName(item))));
    if (keep && (agencies || []).some((item) => item.code === keep)) agency.value = keep;
  }

  async function ensureAgencies() {
    if (agencies || !allowed().includes("assign")) return;
    try {
      agencies = await loadAgencies();
      agenciesError = null;
    } catch (caught) {
      agenciesError = caught;
    }
    render();
  }

  function showError(text, input) {
    for (const el of [note, agency]) el.removeAttribute("aria-invalid");
    error.textContent = text || "";
    error.hidden = !text;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  }

  async function run(action) {
    if (busy || !alarm) return;
    const text = note.value.trim();
    const body = { action };
    if (text) body.note = text;
    if (action === "comment" && !text) return showError(t("alarms.form.noteRequired"), note);
    if (action === "assign") {
      if (!agency.value) {
        return showError(agenciesError ? `${t("alarms.form.agenciesFailed")} ${errorMessage(agenciesError)}` : t("alarms.form.agencyRequired"), agency);
      }
      body.agency = agency.value;
    }
    showError(null);
    status.textContent = t("alarms.form.sending");
    busy = true;
    render();
    const code = alarm.code;
    try {
      const answer = await postAlarmAction(code, body);
      note.value = "";
      status.textContent = t(`alarms.done.${action}`, { code });
      busy = false;
      onDone?.(answer && typeof answer === "object" ? answer : alarm, action);
    } catch (caught) {
      busy = false;
      status.textContent = "";
      showError(errorMessage(caught));
    }
    render();
  }

  function render() {
    heading.textContent = t("alarms.actions.title");
    noteLabel.textContent = t("alarms.form.note");
    noteHint.textContent = t("alarms.form.noteHint");
    agencyLabel.textContent = t("alarms.form.agency");
    readOnly.textContent = t("alarms.actions.readOnly");
    const actions = allowed();
    // Nothing to do and nothing to say for a cleared alarm; a read-only caller is told why there are no buttons.
    element.hidden = !alarm || (actions.length === 0 && stateOf(alarm) === "cleared");
    readOnly.hidden = actions.length > 0;
    form.hidden = actions.length === 0;
    agencyField.hidden = !actions.includes("assign");
    if (actions.includes("assign")) fillAgencies();
    for (const action of ACTIONS) {
      const button = buttonFor[action];
      button.textContent = t(`alarms.action.${action}`);
      button.hidden = !actions.includes(action);
      button.disabled = busy;
    }
    note.disabled = busy;
    agency.disabled = busy;
  }

  return {
    element,
    update(next) {
      const changed = next?.code !== alarm?.code;
      alarm = next || null;
      if (changed) {
        agency.value = "";
        note.value = "";
        status.textContent = "";
        showError(null);
      }
      render();
      ensureAgencies();
    },
    languageChanged: render,
  };
}
