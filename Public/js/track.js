// Following a field report: status, timeline and result by tracking code; with the secret follow token (from the
// link given at submission) the citizen also sees their own photos and may rate the result or reopen the report.
import { request } from "./api.js";
import { applyI18n, bindLanguageSwitch, formatDateTime, formatNumber, initI18n, localized, localizedName as named, t } from "./i18n.js";
import { h } from "./dom.js";
import { loadSettings, provinceName } from "./settings.js";

const API = "/api/v1/field-reports";
const POLL_MS = 60 * 1000;
const OPEN = new Set(["new", "verified", "assigned", "in_progress"]);
const REASON_MAX = 1000;

const $ = (id) => document.getElementById(id);

const state = {
  settings: null,
  code: null,
  token: null,
  report: null,
  error: null, // { key, params } | { problem, status }
  codeError: null,
  rating: null,
  rateError: null,
  reopenError: null,
  ack: null,
  loading: false,
  busy: false,
  updatedAt: null,
};

let pollTimer = 0;
let loadSeq = 0;

/* ------------------------------------------------------------------ helpers */

function problemText(problem, status) {
  const text = localized(problem?.messages) || problem?.detail || problem?.title;
  if (text) return text;
  if (!status) return t("frp.error.network");
  return t("frp.error.http", { status });
}

function describe(descriptor) {
  if (!descriptor) return "";
  if (descriptor.key) return t(descriptor.key, typeof descriptor.params === "function" ? descriptor.params() : descriptor.params);
  return problemText(descriptor.problem, descriptor.status);
}

function statusClass(status) {
  return /^[a-z_]+$/.test(status || "") ? status : "unknown";
}

function statusLabel(report) {
  return localized(report.statusLabel) || t(`frp.status.${statusClass(report.status)}`);
}

function setBox(el, descriptor) {
  el.textContent = describe(descriptor);
  el.hidden = !descriptor;
}

/** JSON request: resolves { status, ok, body }; rejects only when the server could not be reached. */
function requestJSON(method, path, { headers = {}, body } = {}) {
  return request(method, path, body, { headers, as: "answer" });
}

/** Accepts "pa-2026-000123", " PA-2026-000123 ", or a whole follow link pasted into the box. */
function parseInput(text) {
  const raw = String(text || "").trim();
  if (!raw) return null;
  if (/^https?:\/\/|^\/theo-doi\.html/i.test(raw)) {
    try {
      const url = new URL(raw, location.origin);
      const code = url.searchParams.get("code");
      if (code) return { code: normalizeCode(code), token: url.searchParams.get("t") || null };
    } catch {
      return null;
    }
  }
  return { code: normalizeCode(raw), token: null };
}

function normalizeCode(text) {
  return String(text).trim().toUpperCase().replace(/\s+/g, "");
}

function validCode(code) {
  return /^[A-Z]{1,5}-\d{4}-\d{1,12}$/.test(code);
}

function withToken(url) {
  if (!state.token || /[?&]t=/.test(url)) return url;
  return `${url}${url.includes("?") ? "&" : "?"}t=${encodeURIComponent(state.token)}`;
}

/* ------------------------------------------------------------------ loading */

async function load({ quiet = false } = {}) {
  if (!state.code) return;
  const seq = ++loadSeq;
  if (!quiet) {
    state.loading = true;
    state.error = null;
    renderChrome();
  }
  try {
    const headers = state.token ? { "X-Follow-Token": state.token } : {};
    const { status, ok, body } = await requestJSON("GET", `${API}/${encodeURIComponent(state.code)}`, { headers });
    if (seq !== loadSeq) return;
    if (ok && body?.code) {
      state.report = body;
      state.error = null;
      state.updatedAt = new Date();
    } else if (!quiet) {
      state.report = null;
      state.error = status === 404
        ? { key: "frp.track.notFound", params: { code: state.code } }
        : { problem: body, status };
    }
  } catch {
    if (seq !== loadSeq) return;
    if (!quiet) {
      state.report = null;
      state.error = { key: "frp.error.network" };
    }
  } finally {
    if (seq === loadSeq) {
      state.loading = false;
      render();
      schedulePoll();
    }
  }
}

function schedulePoll() {
  clearTimeout(pollTimer);
  if (!state.report) return;
  pollTimer = setTimeout(() => {
    if (document.visibilityState === "visible" && !state.busy) load({ quiet: true });
    else schedulePoll();
  }, POLL_MS);
}

function lookup(code, token) {
  state.code = code;
  state.token = token;
  state.rating = null;
  state.ack = null;
  state.rateError = null;
  state.reopenError = null;
  const params = new URLSearchParams({ code });
  if (token) params.set("t", token);
  history.replaceState(null, "", `${location.pathname}?${params}`);
  $("tr-reopen-reason").value = "";
  $("tr-rate-comment").value = "";
  load();
}

function onSearch(event) {
  event.preventDefault();
  const parsed = parseInput($("tr-code").value);
  if (!parsed || !validCode(parsed.code)) {
    state.codeError = { key: parsed ? "frp.track.codeInvalid" : "frp.track.codeRequired" };
    renderCodeError();
    $("tr-code").focus();
    return;
  }
  state.codeError = null;
  renderCodeError();
  $("tr-code").value = parsed.code;
  // Keep the token only when it came with this very code.
  const token = parsed.token || (parsed.code === state.code ? state.token : null);
  lookup(parsed.code, token);
}

function renderCodeError() {
  const box = $("tr-code-error");
  setBox(box, state.codeError);
  if (state.codeError) $("tr-code").setAttribute("aria-invalid", "true");
  else $("tr-code").removeAttribute("aria-invalid");
}

/* ------------------------------------------------------------------ rendering */

function renderHeader() {
  const province = provinceName(state.settings);
  $("fr-province").textContent = province ? t("frp.provinceLine", { province }) : "";
  $("fr-demo").hidden = !state.settings?.demo;
  const base = t("frp.track.pageTitle");
  document.title = state.report ? `${state.report.code} – ${base}` : province ? `${base} – ${t("frp.provinceLine", { province })}` : base;
}

function renderChrome() {
  $("tr-loading").hidden = !state.loading;
  const errorBox = $("tr-error");
  errorBox.replaceChildren();
  errorBox.hidden = !state.error;
  if (state.error) {
    errorBox.append(h("p", {}, describe(state.error)));
    if (state.error.key === "frp.error.network" || state.error.status >= 500) {
      errorBox.append(h("button", { type: "button", class: "btn btn-secondary fr-btn-small", onclick: () => load() }, t("frp.retry")));
    }
  }
  $("tr-search").disabled = state.loading;
}

function fact(label, value, extra) {
  if (value == null || value === "") return [];
  return [h("dt", {}, label), h("dd", extra || {}, value)];
}

function photoList(list, urls, altKey) {
  list.replaceChildren(...urls.map((url, index) => h("li", {},
    h("a", { href: url, target: "_blank", rel: "noopener", class: "tr-photo" },
      h("img", { src: url, alt: t(altKey, { n: index + 1 }), loading: "lazy", width: 160, height: 120 })))));
}

function render() {
  renderChrome();
  renderHeader();
  const report = state.report;
  $("tr-report").hidden = !report;
  document.body.dataset.status = report?.status || "";
  if (!report) return;

  $("tr-code-title").textContent = report.code;
  const status = $("tr-status");
  status.textContent = statusLabel(report);
  status.className = `fr-status fr-status--${statusClass(report.status)}`;
  status.dataset.status = report.status;
  $("tr-overdue").hidden = !report.overdue;
  const hintKey = `frp.statusHint.${statusClass(report.status)}`;
  const hint = t(hintKey);
  $("tr-status-hint").textContent = hint === hintKey ? "" : hint;

  const duplicate = $("tr-duplicate");
  duplicate.replaceChildren();
  duplicate.hidden = !report.duplicateOf;
  if (report.duplicateOf) {
    duplicate.append(
      h("p", {}, t("frp.track.duplicateText")),
      h("a", { href: `/theo-doi.html?code=${encodeURIComponent(report.duplicateOf)}`, id: "tr-duplicate-link", class: "tr-duplicate-link" },
        t("frp.track.duplicateLink", { code: report.duplicateOf })));
  }

  $("tr-facts").replaceChildren(
    ...fact(t("frp.field.category"), localized(report.category?.name)),
    ...fact(t("frp.field.unit"), named(report.unit)),
    ...fact(t("frp.field.address"), report.address),
    ...fact(t("frp.field.agency"), named(report.agency) || (OPEN.has(report.status) ? t("frp.track.agencyPending") : null)),
    ...fact(t("frp.field.received"), formatDateTime(report.receivedAt)),
    ...fact(t("frp.field.due"), formatDateTime(report.dueAt), report.overdue ? { class: "is-overdue" } : null),
    ...fact(t("frp.field.resolved"), formatDateTime(report.resolvedAt)),
    ...fact(t("frp.field.closed"), formatDateTime(report.closedAt)),
  );
  const hasToken = Boolean(state.token);
  $("tr-public-note").hidden = hasToken;

  // Result
  const result = report.result;
  const ratingText = report.rating ? t(`frp.rating.${statusClass(report.rating)}`) : "";
  $("tr-result").hidden = !result && !report.rating;
  $("tr-result-text").textContent = result?.text || "";
  $("tr-result-text").hidden = !result?.text;
  photoList($("tr-result-photos"), Array.isArray(result?.photos) ? result.photos : [], "frp.track.resultPhotoAlt");
  const given = $("tr-rating-given");
  given.hidden = !report.rating;
  given.textContent = report.rating ? t(hasToken ? "frp.track.ratingGivenOwn" : "frp.track.ratingGiven", { rating: ratingText }) : "";
  given.className = `tr-rating-given tr-rating-given--${statusClass(report.rating)}`;

  // Rating
  $("tr-rating").hidden = !report.canRate;
  for (const button of document.querySelectorAll(".tr-rate")) {
    button.setAttribute("aria-pressed", String(button.dataset.rating === state.rating));
  }
  setBox($("tr-rate-error"), state.rateError);

  // Reopen
  $("tr-reopen").hidden = !report.canReopen;
  setBox($("tr-reopen-error"), state.reopenError);
  renderReasonCounter();

  // Acknowledgement of the last action
  setBox($("tr-ack"), state.ack);

  // Description and own photos
  $("tr-description").textContent = report.description || "";
  const own = Array.isArray(report.photos) ? report.photos.map(withToken) : [];
  $("tr-own-photos-box").hidden = !own.length;
  photoList($("tr-own-photos"), own, "frp.track.ownPhotoAlt");

  // Timeline, newest first
  const events = Array.isArray(report.timeline) ? [...report.timeline] : [];
  events.sort((a, b) => String(b.at).localeCompare(String(a.at)));
  $("tr-timeline").replaceChildren(...events.map((event) => h("li", { class: `tr-event tr-event--${statusClass(event.type)}` },
    h("time", { datetime: event.at }, formatDateTime(event.at)),
    h("span", { class: "tr-event-label" }, localized(event.label) || event.type),
    event.note ? h("span", { class: "tr-event-note" }, localized(event.note, event.noteEn)) : null)));
  if (!events.length) $("tr-timeline").append(h("li", { class: "tr-event tr-event--empty" }, t("frp.track.timelineEmpty")));

  $("tr-updated").textContent = state.updatedAt ? t("frp.track.updatedAt", { at: formatDateTime(state.updatedAt, { seconds: true }) }) : "";
  document.body.dataset.ready = "1";
}

function renderReasonCounter() {
  const length = $("tr-reopen-reason").value.length;
  $("tr-reopen-count").textContent = t("frp.report.counter", { count: formatNumber(length), max: formatNumber(REASON_MAX) });
}

/* ------------------------------------------------------------------ actions */

function chooseRating(rating) {
  state.rating = rating;
  state.rateError = null;
  render();
}

async function post(path, body, onError) {
  state.busy = true;
  const buttons = [$("tr-rate-submit"), $("tr-reopen-submit")];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const response = await requestJSON("POST", path, { body });
    if (response.ok && response.body?.code) {
      state.report = response.body;
      state.updatedAt = new Date();
      return true;
    }
    onError({ problem: response.body, status: response.status });
    // 409: the status changed meanwhile; show the current state.
    if (response.status === 409) await load({ quiet: true });
    return false;
  } catch {
    onError({ key: "frp.error.network" });
    return false;
  } finally {
    state.busy = false;
    buttons.forEach((b) => { b.disabled = false; });
  }
}

async function submitRating() {
  if (!state.rating) {
    state.rateError = { key: "frp.track.rateChoose" };
    render();
    document.querySelector(".tr-rate")?.focus();
    return;
  }
  const comment = $("tr-rate-comment").value.trim();
  const ok = await post(`${API}/${encodeURIComponent(state.code)}/rating`,
    { token: state.token, rating: state.rating, comment: comment || null },
    (error) => { state.rateError = error; });
  if (ok) {
    state.ack = { key: "frp.track.rateThanks" };
    state.rating = null;
    $("tr-rate-comment").value = "";
  }
  render();
  if (ok) $("tr-ack").focus();
}

function toggleReopen() {
  const form = $("tr-reopen-form");
  const open = form.hidden;
  form.hidden = !open;
  $("tr-reopen-toggle").setAttribute("aria-expanded", String(open));
  if (open) $("tr-reopen-reason").focus();
}

async function submitReopen() {
  const reason = $("tr-reopen-reason").value.trim();
  if (!reason) {
    state.reopenError = { key: "frp.track.reopenRequired" };
    render();
    $("tr-reopen-reason").setAttribute("aria-invalid", "true");
    $("tr-reopen-reason").focus();
    return;
  }
  $("tr-reopen-reason").removeAttribute("aria-invalid");
  state.reopenError = null;
  const ok = await post(`${API}/${encodeURIComponent(state.code)}/reopen`, { token: state.token, reason },
    (error) => { state.reopenError = error; });
  if (ok) {
    state.ack = { key: "frp.track.reopenThanks" };
    $("tr-reopen-reason").value = "";
    $("tr-reopen-form").hidden = true;
    $("tr-reopen-toggle").setAttribute("aria-expanded", "false");
  }
  render();
  if (ok) $("tr-ack").focus();
}

/* ------------------------------------------------------------------ start */

function bind() {
  $("tr-form").addEventListener("submit", onSearch);
  $("tr-code").addEventListener("input", () => {
    if (state.codeError) {
      state.codeError = null;
      renderCodeError();
    }
  });
  for (const button of document.querySelectorAll(".tr-rate")) {
    button.addEventListener("click", () => chooseRating(button.dataset.rating));
  }
  $("tr-rate-submit").addEventListener("click", submitRating);
  $("tr-reopen-toggle").addEventListener("click", toggleReopen);
  $("tr-reopen-submit").addEventListener("click", submitReopen);
  $("tr-reopen-reason").addEventListener("input", () => {
    renderReasonCounter();
    if (state.reopenError) {
      state.reopenError = null;
      $("tr-reopen-reason").removeAttribute("aria-invalid");
      setBox($("tr-reopen-error"), null);
    }
  });
  $("tr-refresh").addEventListener("click", () => load());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && state.report && state.updatedAt && Date.now() - state.updatedAt > POLL_MS) load({ quiet: true });
  });
  window.addEventListener("ioc:languagechange", () => {
    applyI18n();
    renderCodeError();
    render();
  });
}

async function start() {
  await initI18n();
  bindLanguageSwitch($("lang-switch"));
  bind();
  loadSettings().then((settings) => {
    state.settings = settings;
    renderHeader();
  }).catch(() => {});
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  if (code) {
    const normalized = normalizeCode(code);
    $("tr-code").value = normalized;
    if (validCode(normalized)) lookup(normalized, params.get("t") || null);
    else {
      state.codeError = { key: "frp.track.codeInvalid" };
      renderCodeError();
    }
  } else {
    $("tr-code").focus();
    document.body.dataset.ready = "1";
  }
}

start();
