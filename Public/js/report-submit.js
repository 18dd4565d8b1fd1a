// Citizen report page: sending the report (multipart, with upload progress and the idempotency key), the server's
// answer — field errors, "too many reports" with its countdown, failures that may be retried — and the success screen
// with the tracking code and link.
import { isAbort, upload } from "./api.js";
import { formatDateTime, formatNumber, localized, localizedName, t } from "./i18n.js";
import { h } from "./dom.js";
import {
  $, API, els, FIELD_ERROR, renderErrors, renderGeneral, RESULT_KEY, state, storage, SUMMARY_KEY, UPLOAD_TIMEOUT_MS,
} from "./report-common.js";
import { map, pin } from "./report-map.js";
import { renderPhotos } from "./report-photos.js";
import { clearDraft, ensureKey, writeDraft } from "./report-draft.js";
import { checkNearby, focusFirstError, nearbySignature, validate } from "./report-form.js";

/* ------------------------------------------------------------------ submit */

export async function onSubmit(event) {
  event?.preventDefault();
  if (state.sending) return;
  if (Date.now() < state.retryAt) return;
  state.general = null;
  renderGeneral();
  const invalid = validate();
  if (invalid.length) {
    state.general = { key: SUMMARY_KEY, params: { count: invalid.length } };
    renderGeneral();
    focusFirstError(invalid);
    return;
  }
  // Possible duplicates: if the notice was already on screen (it appears as soon as category and place are chosen),
  // pressing the button means "send anyway". Otherwise check now and, if something is found, show it first.
  const sig = nearbySignature();
  const alreadyShown = !els.nearby.hidden && state.nearby.sig === sig && state.nearby.items.length > 0;
  if (!alreadyShown) {
    els.submit.disabled = true;
    let nearby = null;
    try {
      nearby = await checkNearby();
    } catch {
      nearby = null; // The check is only a hint: never block a report because of it.
    } finally {
      els.submit.disabled = false;
    }
    if (nearby?.items?.length) {
      els.nearby.scrollIntoView({ block: "start", behavior: "smooth" });
      els.nearby.focus({ preventScroll: true });
      return;
    }
  }
  send();
}

export function buildForm() {
  const form = new FormData();
  form.append("category", els.category.value);
  form.append("description", els.description.value.trim());
  form.append("lat", state.location.lat.toFixed(6));
  form.append("lon", state.location.lon.toFixed(6));
  const address = els.address.value.trim();
  if (address) form.append("address", address);
  const consent = els.consent.checked;
  form.append("consent", consent ? "true" : "false");
  if (consent) {
    for (const [field, input] of [["name", els.name], ["phone", els.phone], ["email", els.email]]) {
      const value = input.value.trim();
      if (value) form.append(field, value);
    }
  }
  form.append("showName", consent && els.showName.checked ? "true" : "false");
  state.photos.forEach((photo, index) => form.append("photos", photo.blob, `anh-${index + 1}.jpg`));
  return form;
}

export function setSending(sending) {
  state.sending = sending;
  els.fieldset.disabled = sending;
  els.submit.disabled = sending;
  els.retry.disabled = sending;
  els.upload.hidden = !sending;
  els.cancel.hidden = !sending;
  els.form.setAttribute("aria-busy", String(sending));
  if (map) {
    if (sending) { map.dragging.disable(); pin?.dragging?.disable(); } else { map.dragging.enable(); pin?.dragging?.enable(); }
  }
  renderPhotos();
}

export function showProgress(fraction, phase) {
  if (fraction == null) {
    els.progress.removeAttribute("value");
  } else {
    els.progress.value = Math.round(fraction * 100);
  }
  els.progressText.textContent = phase === "processing"
    ? t("frp.report.progressProcessing")
    : t("frp.report.progressUploading", { percent: formatNumber(Math.round((fraction || 0) * 100)) });
}

export function send() {
  const key = ensureKey();
  writeDraft();
  const controller = new AbortController();
  state.upload = controller;
  state.canRetry = false;
  els.retry.hidden = true;
  els.submit.hidden = false;
  setSending(true);
  showProgress(0, "uploading");
  upload("POST", API, buildForm(), {
    headers: { "Idempotency-Key": key },
    timeout: UPLOAD_TIMEOUT_MS,
    signal: controller.signal,
    as: "answer",
    onProgress: (loaded, total) => showProgress(loaded / total, loaded >= total ? "processing" : "uploading"),
    onUploaded: () => showProgress(null, "processing"),
  }).then(onResponse, (error) => {
    if (isAbort(error)) onFailure({ key: "frp.report.errorCancelled" });
    else if (error.reason === "timeout") onFailure({ key: "frp.report.errorTimeout" });
    else onFailure({ key: "frp.report.errorNetwork" });
  });
}

/** `answer`: { status, body, headers } of the upload. */
export function onResponse(answer) {
  state.upload = null;
  const { status, body } = answer;
  if (status === 200 || status === 201) {
    if (body?.code) {
      setSending(false);
      onSuccess(body);
      return;
    }
    onFailure({ key: "frp.report.errorBadAnswer" });
    return;
  }
  if (status === 0 || status >= 500) {
    onFailure({ key: "frp.report.errorServer", detail: body ? { problem: body, status } : null });
    return;
  }
  setSending(false);
  if (status === 429) {
    startRetryAfter(answer.headers.get("Retry-After"), body);
    return;
  }
  // 4xx: the report was not created. Show the server's message next to the field it names.
  const descriptor = { problem: body, status };
  let field = typeof body?.field === "string" ? body.field : null;
  if (!field && (status === 413 || status === 415)) field = "photos";
  const target = field && FIELD_ERROR[field.split(".")[0].replace(/\[.*$/, "")];
  if (target) {
    state.errors = { [target]: descriptor };
    state.general = { key: SUMMARY_KEY, params: { count: 1 } };
    renderErrors();
    focusFirstError([target]);
  } else {
    state.general = descriptor;
    renderGeneral();
    els.error.focus();
  }
}

/** Network failure, time-out, cancel or 5xx: the report may or may not exist, so the retry reuses the same key. */
export function onFailure(descriptor) {
  state.upload = null;
  setSending(false);
  state.canRetry = true;
  state.general = { ...descriptor, detail: descriptor.detail || { key: "frp.report.retryHint" } };
  els.submit.hidden = true;
  els.retry.hidden = false;
  renderGeneral();
  els.error.focus();
}

let retryTimer = 0;

export function startRetryAfter(header, body) {
  let seconds = 60;
  if (header) {
    const number = Number(header);
    if (Number.isFinite(number)) seconds = Math.max(1, Math.ceil(number));
    else {
      const at = Date.parse(header);
      if (Number.isFinite(at)) seconds = Math.max(1, Math.ceil((at - Date.now()) / 1000));
    }
  }
  state.retryAt = Date.now() + seconds * 1000;
  const waitText = () => {
    const left = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    const secs = left % 60;
    return minutes ? t("frp.waitMinutes", { minutes, seconds: secs }) : t("frp.waitSeconds", { seconds: secs });
  };
  const until = formatDateTime(new Date(state.retryAt)).split(" ")[1];
  state.general = {
    key: "frp.report.errorTooMany",
    params: { until },
    detail: body ? { problem: body, status: 429 } : null,
    countdown: waitText,
  };
  els.submit.disabled = true;
  els.retry.disabled = true;
  renderGeneral();
  els.error.focus();
  clearInterval(retryTimer);
  retryTimer = setInterval(() => {
    if (Date.now() >= state.retryAt) {
      clearInterval(retryTimer);
      state.retryAt = 0;
      els.submit.disabled = false;
      els.retry.disabled = false;
      state.general = { key: "frp.report.tooManyOver" };
      renderGeneral();
      return;
    }
    const wait = $("fr-wait");
    if (wait) wait.textContent = waitText();
  }, 1000);
}

export function cancelUpload() {
  state.upload?.abort();
}

/* ------------------------------------------------------------------ success */

export function onSuccess(result) {
  state.result = result;
  clearDraft();
  try {
    storage()?.setItem(RESULT_KEY, JSON.stringify(result));
  } catch {
    // ignore
  }
  for (const photo of state.photos) URL.revokeObjectURL(photo.url);
  state.photos = [];
  renderDone();
  els.intake.hidden = true;
  els.done.hidden = false;
  window.scrollTo(0, 0);
  els.done.focus({ preventScroll: true });
}

export function followURL(result) {
  const path = typeof result.followUrl === "string" && result.followUrl.startsWith("/")
    ? result.followUrl
    : `/theo-doi.html?code=${encodeURIComponent(result.code)}${result.followToken ? `&t=${encodeURIComponent(result.followToken)}` : ""}`;
  return new URL(path, location.origin).href;
}

export function renderDone() {
  const result = state.result;
  if (!result) return;
  $("fr-result-code").textContent = result.code;
  const url = followURL(result);
  const link = $("fr-follow-link");
  link.href = url;
  link.textContent = url;
  $("fr-follow-open").href = url;
  const facts = [
    [t("frp.field.category"), localized(result.category?.name)],
    [t("frp.field.unit"), localizedName(result.unit)],
    [t("frp.field.agency"), localizedName(result.agency) || t("frp.done.agencyPending")],
    [t("frp.field.received"), formatDateTime(result.receivedAt)],
    [t("frp.field.due"), formatDateTime(result.dueAt)],
  ].filter(([, value]) => value);
  $("fr-done-facts").replaceChildren(...facts.flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));
  $("fr-share").hidden = typeof navigator.share !== "function";
}

export async function copyText(text, doneKey) {
  const status = $("fr-copy-status");
  let ok = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      ok = true;
    }
  } catch {
    ok = false;
  }
  if (!ok) {
    const area = h("textarea", { class: "visually-hidden", readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
  }
  status.textContent = t(ok ? doneKey : "frp.done.copyFailed");
  clearTimeout(copyText.timer);
  copyText.timer = setTimeout(() => { status.textContent = ""; }, 4000);
}

export function newReport() {
  try {
    storage()?.removeItem(RESULT_KEY);
  } catch {
    // ignore
  }
  location.replace("/phan-anh.html");
}
