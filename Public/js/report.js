// Citizen intake of a field report (phản ánh hiện trường): category, location on the province map, description,
// photos resized in the browser, optional contact details with consent, duplicate hint, upload with progress and an
// idempotency key kept with the draft so that a retry or a reload never creates a second report.
// This module starts the page and wires its events; the parts are in report-*.js (common, geo, map, location, photos,
// draft, form, submit).
import { applyI18n, bindLanguageSwitch, initI18n, t } from "./i18n.js";
import { loadSettings, provinceName } from "./settings.js";
import { loadBoundaries } from "./units.js";
import { $, els, renderErrors, renderGeneral, RESULT_KEY, setError, state, storage } from "./report-common.js";
import { boundariesFailed, indexBoundaries } from "./report-geo.js";
import { drawBoundaries, initMap, pin, renderLabels, showMapMessage, toggleMapSize } from "./report-map.js";
import {
  goToUnit, onCoordinateInput, renderGeo, renderPlace, renderUnitList, resolvePlace, setLocation, useMyLocation,
} from "./report-location.js";
import { addFiles, renderPhotos } from "./report-photos.js";
import { discardDraft, restoreDraft, saveDraft } from "./report-draft.js";
import {
  loadCategories, renderCategories, renderCategoryInfo, renderContact, renderCounter, renderLimits, renderNearby,
  scheduleNearby,
} from "./report-form.js";
import { cancelUpload, copyText, followURL, newReport, onSubmit, renderDone, send } from "./report-submit.js";

/* ------------------------------------------------------------------ settings, header */

function renderHeader() {
  const province = provinceName(state.settings);
  $("fr-province").textContent = province ? t("frp.provinceLine", { province }) : "";
  $("fr-demo").hidden = !state.settings?.demo;
  document.title = province ? t("frp.report.pageTitleProvince", { province }) : t("frp.report.pageTitle");
}

/* ------------------------------------------------------------------ wiring */

function onLanguageChange() {
  renderHeader();
  renderCategories();
  renderLimits();
  renderErrors();
  renderGeo();
  renderPlace();
  renderNearby();
  renderUnitList();
  renderLabels();
  els.mapExpand.textContent = t(els.mapWrap.classList.contains("is-expanded") ? "frp.report.mapDone" : "frp.report.mapExpand");
  if (els.mapMessage.dataset.key) showMapMessage(els.mapMessage.dataset.key);
  if (pin) {
    const el = pin.getElement();
    el?.setAttribute("title", t("frp.report.pinTitle"));
    el?.setAttribute("aria-label", t("frp.report.pinTitle"));
  }
  if (state.result) renderDone();
}

function bind() {
  els.form.addEventListener("submit", onSubmit);
  els.retry.addEventListener("click", () => {
    if (Date.now() < state.retryAt) return;
    state.general = null;
    renderGeneral();
    send();
  });
  els.cancel.addEventListener("click", cancelUpload);
  els.category.addEventListener("change", () => {
    renderCategoryInfo();
    if (els.category.value) setError("fr-category-error", null);
    saveDraft();
    scheduleNearby();
  });
  els.locate.addEventListener("click", useMyLocation);
  els.unitSearch.addEventListener("change", goToUnit);
  els.unitSearch.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      goToUnit();
    }
  });
  els.mapExpand.addEventListener("click", toggleMapSize);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && els.mapWrap.classList.contains("is-expanded")) toggleMapSize();
  });
  els.lat.addEventListener("change", onCoordinateInput);
  els.lon.addEventListener("change", onCoordinateInput);
  els.address.addEventListener("input", () => {
    if (state.errors["fr-address-error"]) setError("fr-address-error", null);
    saveDraft();
  });
  els.description.addEventListener("input", () => {
    renderCounter();
    if (state.errors["fr-description-error"] && els.description.value.trim()) setError("fr-description-error", null);
    saveDraft();
  });
  for (const input of [els.photos, els.camera]) {
    input.addEventListener("change", () => {
      const files = input.files;
      addFiles(files).finally(() => { input.value = ""; });
    });
  }
  els.consent.addEventListener("change", () => {
    renderContact();
    saveDraft();
    if (els.consent.checked) els.name.focus();
  });
  for (const input of [els.name, els.phone, els.email, els.showName]) {
    input.addEventListener("input", () => {
      const id = `${input.id}-error`;
      if (state.errors[id] || state.errors["fr-contact-error"]) {
        delete state.errors[id];
        delete state.errors["fr-contact-error"];
        renderErrors();
      }
      saveDraft();
    });
  }
  $("fr-draft-discard").addEventListener("click", discardDraft);
  $("fr-copy-code").addEventListener("click", () => copyText(state.result?.code || "", "frp.done.codeCopied"));
  $("fr-copy-link").addEventListener("click", () => copyText(followURL(state.result), "frp.done.linkCopied"));
  $("fr-share").addEventListener("click", () => {
    navigator.share?.({ title: t("frp.done.shareTitle", { code: state.result.code }), url: followURL(state.result) }).catch(() => {});
  });
  $("fr-new").addEventListener("click", newReport);
  window.addEventListener("beforeunload", (event) => {
    if (state.sending) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  window.addEventListener("ioc:languagechange", () => {
    applyI18n();
    onLanguageChange();
  });
}

/** Hooks for end-to-end tests and for embedding (e.g. a kiosk setting the location from its own GPS). */
window.iocReport = {
  setLocation: (lat, lon) => setLocation(lat, lon, { source: "api" }),
  getLocation: () => (state.location ? { ...state.location } : null),
  commune: () => (state.place?.kind === "inside" ? { code: state.place.unit.code, name: state.place.unit.fullName || state.place.unit.name } : null),
  idempotencyKey: () => state.key,
  photoCount: () => state.photos.length,
  isBusy: () => state.sending || state.processing > 0,
};

async function start() {
  await initI18n();
  bindLanguageSwitch($("lang-switch"));
  bind();
  renderCounter();
  renderPlace();
  renderPhotos();

  // A report already sent in this tab (e.g. the page was reloaded on the success screen): show it again.
  try {
    const stored = JSON.parse(storage()?.getItem(RESULT_KEY) || "null");
    if (stored?.code) {
      state.result = stored;
      renderDone();
      els.intake.hidden = true;
      els.done.hidden = false;
    }
  } catch {
    // ignore
  }

  const settingsPromise = loadSettings().catch(() => null);
  const categoriesPromise = loadCategories();
  state.settings = await settingsPromise;
  renderHeader();
  initMap();
  if (!state.result) {
    const restored = await restoreDraft();
    els.draftNote.hidden = !restored;
    renderContact();
    renderCounter();
    renderPhotos();
  }
  await categoriesPromise;
  renderCategories();

  const provinceCode = state.settings?.province?.code;
  if (provinceCode) {
    loadBoundaries(provinceCode).then((collection) => {
      indexBoundaries(collection);
      drawBoundaries(collection);
      renderUnitList();
    }).catch(() => {
      boundariesFailed();
      showMapMessage("frp.report.boundariesFailed");
    }).finally(() => {
      if (state.location) resolvePlace();
    });
  } else {
    boundariesFailed();
    showMapMessage("frp.report.boundariesFailed");
  }
  if (state.location) scheduleNearby();
  document.body.dataset.ready = "1";
}

start();
