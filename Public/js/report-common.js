// Citizen report page (phan-anh.html): what its modules share — limits and storage keys, the page's elements, its
// state, and the messages (field errors and the general one above the submit button).
import { upload } from "./api.js";
import { localized, t } from "./i18n.js";
import { h } from "./dom.js";
import { map } from "./report-map.js";

export const API = "/api/v1/field-reports";
export const DRAFT_KEY = "ioc.fieldReport.draft";
export const DRAFT_PHOTOS_KEY = "ioc.fieldReport.draftPhotos";
export const RESULT_KEY = "ioc.fieldReport.lastResult";
export const MAX_SIDE = 1600;
export const JPEG_QUALITY = 0.8;
// Originals larger than this are not even decoded (a phone photo is 2–12 MB).
export const MAX_SOURCE_BYTES = 40 * 1024 * 1024;
export const DEFAULT_LIMITS = { maxPhotos: 5, maxPhotoBytes: 5 * 1024 * 1024, maxDescription: 4000, duplicateRadiusMeters: 150 };
export const FALLBACK_VIEW = { center: [12.67, 108.04], zoom: 9 };
export const UPLOAD_TIMEOUT_MS = 5 * 60 * 1000;

export const $ = (id) => document.getElementById(id);

export const els = {
  form: $("fr-form"), fieldset: $("fr-fieldset"), category: $("fr-category"), categoryInfo: $("fr-category-info"),
  locate: $("fr-locate"), locateLabel: $("fr-locate-label"), unitSearch: $("fr-unit-search"), unitList: $("fr-unit-list"),
  geoMessage: $("fr-geo-message"), mapWrap: $("fr-map-wrap"), map: $("fr-map"), mapExpand: $("fr-map-expand"),
  mapMessage: $("fr-map-message"), place: $("fr-place"), lat: $("fr-lat"), lon: $("fr-lon"), address: $("fr-address"),
  description: $("fr-description"), counter: $("fr-description-count"), photosHint: $("fr-photos-hint"),
  photos: $("fr-photos"), camera: $("fr-camera"), thumbs: $("fr-thumbs"), photosCount: $("fr-photos-count"),
  consent: $("fr-consent"), contact: $("fr-contact"), name: $("fr-name"), phone: $("fr-phone"), email: $("fr-email"),
  showName: $("fr-show-name"), nearby: $("fr-nearby"), nearbyText: $("fr-nearby-text"), nearbyList: $("fr-nearby-list"),
  error: $("fr-error"), upload: $("fr-upload"), progress: $("fr-progress"), progressText: $("fr-progress-text"),
  cancel: $("fr-cancel"), submit: $("fr-submit"), retry: $("fr-retry"), intake: $("fr-intake"), done: $("fr-done"),
  draftNote: $("fr-draft-note"), loadError: $("fr-load-error"),
};

// Where a server `field` is shown. Anything else goes to the message above the submit button.
export const FIELD_ERROR = {
  category: "fr-category-error", lat: "fr-location-error", lon: "fr-location-error", location: "fr-location-error",
  unit: "fr-location-error", address: "fr-address-error", description: "fr-description-error", photos: "fr-photos-error",
  photo: "fr-photos-error", name: "fr-name-error", phone: "fr-phone-error", email: "fr-email-error",
  consent: "fr-contact-error", showName: "fr-contact-error", contact: "fr-contact-error",
};
export const FIELD_INPUT = {
  "fr-category-error": "fr-category", "fr-location-error": "fr-lat", "fr-address-error": "fr-address",
  "fr-description-error": "fr-description", "fr-photos-error": "fr-photos", "fr-name-error": "fr-name",
  "fr-phone-error": "fr-phone", "fr-email-error": "fr-email", "fr-contact-error": "fr-consent",
};

export const state = {
  settings: null,
  categories: [],
  limits: { ...DEFAULT_LIMITS },
  categoriesError: false,
  location: null, // { lat, lon }
  place: null, // { kind: "inside", unit } | { kind: "outside" } | { kind: "unknown" } | { kind: "pending" }
  photos: [], // { id, blob, url, width, height }
  processing: 0,
  key: null,
  errors: {}, // error element id → message descriptor
  general: null, // message descriptor of #fr-error
  geo: null, // message descriptor of #fr-geo-message
  nearby: { sig: null, items: [] },
  sending: false,
  upload: null, // the AbortController of the upload under way
  retryAt: 0,
  canRetry: false,
  result: null,
  pendingCategory: null, // a draft's category, chosen again once the categories have loaded
};

let nextPhotoId = 1;

/** A new id for a photo of this page. */
export function takePhotoId() {
  return nextPhotoId++;
}

/* ------------------------------------------------------------------ messages */

/** A message descriptor is `{ key, params }` (our dictionary) or `{ problem, status }` (a server answer). */
export function describe(descriptor) {
  if (!descriptor) return "";
  if (descriptor.key) {
    const params = typeof descriptor.params === "function" ? descriptor.params() : descriptor.params;
    return t(descriptor.key, params);
  }
  if (descriptor.problem || descriptor.status != null) return problemText(descriptor.problem, descriptor.status);
  return "";
}

export function problemText(problem, status) {
  const text = localized(problem?.messages) || problem?.detail || problem?.title;
  if (text) return text;
  if (!status) return t("frp.error.network");
  return t("frp.error.http", { status });
}

export function renderErrors() {
  for (const id of new Set(Object.values(FIELD_ERROR))) {
    const box = $(id);
    const descriptor = state.errors[id];
    if (descriptor?.list) box.replaceChildren(...descriptor.list.map((item) => h("span", { class: "fr-error-line" }, describe(item))));
    else box.textContent = describe(descriptor);
    box.hidden = !descriptor;
    const input = $(FIELD_INPUT[id]);
    if (input) {
      if (descriptor) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }
  if (state.errors["fr-location-error"]) els.lon.setAttribute("aria-invalid", "true");
  else els.lon.removeAttribute("aria-invalid");
  // The summary above the button counts the fields still to fix, and goes away when none is left.
  if (state.general?.key === SUMMARY_KEY) {
    const remaining = Object.keys(state.errors).length;
    state.general = remaining ? { ...state.general, params: { count: remaining } } : null;
  }
  renderGeneral();
}

export const SUMMARY_KEY = "frp.report.errorSummary";

export function renderGeneral() {
  const descriptor = state.general;
  els.error.replaceChildren();
  els.error.hidden = !descriptor;
  if (!descriptor) return;
  els.error.append(h("p", { class: "fr-error-text" }, describe(descriptor)));
  if (descriptor.detail) els.error.append(h("p", { class: "fr-error-detail" }, describe(descriptor.detail)));
  // The countdown ticks every second: outside the alert's announcements.
  if (descriptor.countdown) {
    els.error.append(h("p", { class: "fr-wait", "aria-live": "off" },
      h("span", {}, t("frp.report.waitLabel")), " ", h("strong", { id: "fr-wait" }, descriptor.countdown())));
  }
}

export function setError(id, descriptor) {
  if (descriptor) state.errors[id] = descriptor;
  else delete state.errors[id];
  renderErrors();
}

export function statusClass(status) {
  return /^[a-z_]+$/.test(status || "") ? status : "unknown";
}

export function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
