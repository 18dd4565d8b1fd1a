// Citizen report page: the rest of the form — categories and their time limits, the description's counter, the
// contact details (with consent), the possible duplicates nearby, and the checks before sending.
import { api, request } from "./api.js";
import { formatDateTime, formatNumber, localized, t } from "./i18n.js";
import { h } from "./dom.js";
import { provinceName } from "./settings.js";
import {
  $, API, DEFAULT_LIMITS, els, FIELD_INPUT, MAX_SIDE, renderErrors, state, statusClass,
} from "./report-common.js";
import { renderPhotos } from "./report-photos.js";

/* ------------------------------------------------------------------ categories */

export async function loadCategories() {
  try {
    const body = await api.get(`${API}/categories`);
    state.categories = Array.isArray(body.items) ? body.items : [];
    state.limits = { ...DEFAULT_LIMITS, ...(body.limits || {}) };
    state.categoriesError = false;
  } catch {
    state.categoriesError = true;
  }
  renderCategories();
  renderLimits();
}

export function selectedCategory() {
  return state.categories.find((c) => c.code === els.category.value) || null;
}

export function renderCategories() {
  const current = els.category.value || state.pendingCategory;
  if (state.categoriesError) {
    els.category.replaceChildren(h("option", { value: "" }, t("frp.report.categoryFailed")));
    els.loadError.replaceChildren(
      h("span", {}, t("frp.report.categoryFailedLong")), " ",
      h("button", { type: "button", class: "btn btn-secondary fr-btn-small", onclick: retryCategories }, t("frp.retry")));
    els.loadError.hidden = false;
    return;
  }
  els.loadError.hidden = true;
  const options = [h("option", { value: "" }, t("frp.report.categoryChoose"))];
  for (const category of state.categories) {
    const limit = localized(category.limit?.text);
    const label = limit ? t("frp.report.categoryOption", { name: localized(category.name), limit }) : localized(category.name);
    options.push(h("option", { value: category.code }, label));
  }
  els.category.replaceChildren(...options);
  if (current && state.categories.some((c) => c.code === current)) els.category.value = current;
  state.pendingCategory = null;
  renderCategoryInfo();
}

export function retryCategories() {
  els.loadError.hidden = true;
  els.category.replaceChildren(h("option", { value: "" }, t("frp.report.categoryLoading")));
  loadCategories();
}

export function renderCategoryInfo() {
  const category = selectedCategory();
  els.categoryInfo.replaceChildren();
  els.categoryInfo.hidden = !category;
  if (!category) return;
  const description = localized(category.description);
  const limit = localized(category.limit?.text);
  if (description) els.categoryInfo.append(h("p", { class: "fr-category-desc" }, description));
  if (limit) {
    els.categoryInfo.append(h("p", { class: "fr-category-limit" },
      h("span", { class: "fr-category-limit-label" }, t("frp.report.timeLimit")), " ", h("strong", {}, limit)));
  }
  if (category.class === "urgent") els.categoryInfo.append(h("p", { class: "fr-category-urgent" }, t("frp.report.urgentHint")));
  if (category.class === "feedback") els.categoryInfo.append(h("p", { class: "fr-category-note" }, t("frp.report.feedbackHint")));
}

export function renderLimits() {
  const max = state.limits.maxDescription;
  els.description.maxLength = max;
  els.photosHint.textContent = t("frp.report.photosHint", {
    max: state.limits.maxPhotos, side: formatNumber(MAX_SIDE),
  });
  renderCounter();
  renderPhotos();
}

/* ------------------------------------------------------------------ description */

export function renderCounter() {
  const length = els.description.value.length;
  const max = state.limits.maxDescription;
  els.counter.textContent = t("frp.report.counter", { count: formatNumber(length), max: formatNumber(max) });
  els.counter.classList.toggle("is-near", length > max - 200);
}

/* ------------------------------------------------------------------ contact */

export function renderContact() {
  els.contact.hidden = !els.consent.checked;
  if (!els.consent.checked) {
    for (const id of ["fr-name-error", "fr-phone-error", "fr-email-error", "fr-contact-error"]) delete state.errors[id];
    renderErrors();
  }
}

/* ------------------------------------------------------------------ possible duplicates */

let nearbyTimer = 0;
let nearbyController = null;

export function nearbySignature() {
  const category = els.category.value;
  if (!category || !state.location) return null;
  return `${category}|${state.location.lat.toFixed(5)}|${state.location.lon.toFixed(5)}`;
}

export function scheduleNearby() {
  clearTimeout(nearbyTimer);
  nearbyTimer = setTimeout(() => checkNearby().catch(() => {}), 700);
}

export async function checkNearby() {
  const sig = nearbySignature();
  if (!sig) {
    state.nearby = { sig: null, items: [] };
    renderNearby();
    return state.nearby;
  }
  if (state.nearby.sig === sig) return state.nearby;
  nearbyController?.abort();
  const controller = new AbortController();
  nearbyController = controller;
  const timer = setTimeout(() => controller.abort(), 8000);
  const { lat, lon } = state.location;
  const params = new URLSearchParams({ category: els.category.value, lat: lat.toFixed(6), lon: lon.toFixed(6) });
  try {
    const body = await request("GET", `${API}/nearby?${params}`, undefined, { signal: controller.signal });
    if (nearbySignature() !== sig) return state.nearby;
    state.nearby = { sig, items: Array.isArray(body.items) ? body.items : [] };
  } finally {
    clearTimeout(timer);
    if (nearbyController === controller) nearbyController = null;
  }
  renderNearby();
  return state.nearby;
}

export function renderNearby() {
  const items = state.nearby.items;
  els.nearby.hidden = !items.length;
  els.submit.textContent = t(items.length ? "frp.report.submitAnyway" : "frp.report.submit");
  const inline = $("fr-nearby-inline");
  inline.hidden = !items.length;
  inline.replaceChildren(items.length
    ? h("a", { href: "#fr-nearby", onclick: (event) => {
      event.preventDefault();
      els.nearby.scrollIntoView({ block: "start", behavior: "smooth" });
      els.nearby.focus({ preventScroll: true });
    } }, t("frp.report.nearbyInline", { count: items.length }))
    : "");
  if (!items.length) {
    els.nearbyList.replaceChildren();
    return;
  }
  els.nearbyText.textContent = t("frp.report.nearbyText", { count: items.length });
  els.nearbyList.replaceChildren(...items.map((item) => {
    const status = localized(item.statusLabel) || t(`frp.status.${item.status}`);
    const meta = [
      item.distanceMeters != null ? t("frp.report.nearbyDistance", { meters: formatNumber(Math.round(item.distanceMeters)) }) : null,
      item.receivedAt ? t("frp.report.nearbyReceived", { at: formatDateTime(item.receivedAt) }) : null,
    ].filter(Boolean).join(" · ");
    return h("li", { class: "fr-nearby-item" },
      h("a", { href: `/theo-doi.html?code=${encodeURIComponent(item.code)}`, target: "_blank", rel: "noopener", class: "fr-nearby-link" },
        h("span", { class: "fr-nearby-code" }, item.code),
        h("span", { class: "fr-nearby-follow" }, t("frp.report.nearbyFollow"))),
      h("span", { class: "fr-nearby-cat" }, localized(item.category?.name)),
      h("span", { class: `fr-status fr-status--${statusClass(item.status)}` }, status),
      item.overdue ? h("span", { class: "fr-status fr-status--overdue" }, t("frp.overdue")) : null,
      meta ? h("span", { class: "fr-nearby-meta" }, meta) : null);
  }));
}
/* ------------------------------------------------------------------ validation */

export function validate() {
  const errors = {};
  if (!els.category.value) errors["fr-category-error"] = { key: state.categoriesError ? "frp.report.categoryFailed" : "frp.report.errorCategory" };
  if (!state.location) errors["fr-location-error"] = { key: "frp.report.errorLocation" };
  else if (state.place?.kind === "outside") errors["fr-location-error"] = { key: "frp.report.errorOutside", params: () => ({ province: provinceName(state.settings) }) };
  const description = els.description.value.trim();
  if (!description) errors["fr-description-error"] = { key: "frp.report.errorDescription" };
  else if (els.description.value.length > state.limits.maxDescription) errors["fr-description-error"] = { key: "frp.report.errorDescriptionLong", params: { max: formatNumber(state.limits.maxDescription) } };
  if (els.address.value.length > 300) errors["fr-address-error"] = { key: "frp.report.errorAddressLong" };
  if (state.processing) errors["fr-photos-error"] = { key: "frp.report.errorPhotosProcessing" };
  else if (!state.photos.length) errors["fr-photos-error"] = { key: "frp.report.errorPhotos" };
  if (els.consent.checked) {
    const name = els.name.value.trim();
    const phone = els.phone.value.trim();
    const email = els.email.value.trim();
    if (!name && !phone && !email) errors["fr-contact-error"] = { key: "frp.report.errorContactEmpty" };
    if (phone && !/^\+?\d{8,15}$/.test(phone.replace(/[\s.()-]/g, ""))) errors["fr-phone-error"] = { key: "frp.report.errorPhone" };
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors["fr-email-error"] = { key: "frp.report.errorEmail" };
  }
  state.errors = errors;
  renderErrors();
  return Object.keys(errors);
}

export function focusFirstError(ids) {
  const order = ["fr-category-error", "fr-location-error", "fr-address-error", "fr-description-error", "fr-photos-error",
    "fr-contact-error", "fr-name-error", "fr-phone-error", "fr-email-error"];
  const first = order.find((id) => ids.includes(id));
  if (!first) return;
  const input = $(FIELD_INPUT[first]);
  const target = input && !input.disabled && input.offsetParent !== null ? input : $(first);
  $(first).closest("section")?.scrollIntoView({ block: "start", behavior: "smooth" });
  target.focus({ preventScroll: true });
}
