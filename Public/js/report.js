// Citizen intake of a field report (phản ánh hiện trường): category, location on the province map, description,
// photos resized in the browser, optional contact details with consent, duplicate hint, upload with progress and an
// idempotency key kept with the draft so that a retry or a reload never creates a second report.
import { applyI18n, bindLanguageSwitch, formatDateTime, formatNumber, getLanguage, initI18n, t } from "./i18n.js";
import { h } from "./dom.js";
import { loadSettings, provinceName } from "./settings.js";
import { loadBoundaries } from "./units.js";

const API = "/api/v1/field-reports";
const DRAFT_KEY = "ioc.fieldReport.draft";
const DRAFT_PHOTOS_KEY = "ioc.fieldReport.draftPhotos";
const RESULT_KEY = "ioc.fieldReport.lastResult";
const MAX_SIDE = 1600;
const JPEG_QUALITY = 0.8;
// Originals larger than this are not even decoded (a phone photo is 2–12 MB).
const MAX_SOURCE_BYTES = 40 * 1024 * 1024;
const DEFAULT_LIMITS = { maxPhotos: 5, maxPhotoBytes: 5 * 1024 * 1024, maxDescription: 4000, duplicateRadiusMeters: 150 };
const FALLBACK_VIEW = { center: [12.67, 108.04], zoom: 9 };
const UPLOAD_TIMEOUT_MS = 5 * 60 * 1000;

const $ = (id) => document.getElementById(id);

const els = {
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
const FIELD_ERROR = {
  category: "fr-category-error", lat: "fr-location-error", lon: "fr-location-error", location: "fr-location-error",
  unit: "fr-location-error", address: "fr-address-error", description: "fr-description-error", photos: "fr-photos-error",
  photo: "fr-photos-error", name: "fr-name-error", phone: "fr-phone-error", email: "fr-email-error",
  consent: "fr-contact-error", showName: "fr-contact-error", contact: "fr-contact-error",
};
const FIELD_INPUT = {
  "fr-category-error": "fr-category", "fr-location-error": "fr-lat", "fr-address-error": "fr-address",
  "fr-description-error": "fr-description", "fr-photos-error": "fr-photos", "fr-name-error": "fr-name",
  "fr-phone-error": "fr-phone", "fr-email-error": "fr-email", "fr-contact-error": "fr-consent",
};

const state = {
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
  xhr: null,
  retryAt: 0,
  canRetry: false,
  result: null,
};

let nextPhotoId = 1;

/* ------------------------------------------------------------------ messages */

/** A message descriptor is `{ key, params }` (our dictionary) or `{ problem, status }` (a server answer). */
function describe(descriptor) {
  if (!descriptor) return "";
  if (descriptor.key) {
    const params = typeof descriptor.params === "function" ? descriptor.params() : descriptor.params;
    return t(descriptor.key, params);
  }
  if (descriptor.problem || descriptor.status != null) return problemText(descriptor.problem, descriptor.status);
  return "";
}

function problemText(problem, status) {
  const lang = getLanguage();
  const text = problem?.messages?.[lang] || problem?.messages?.vi || problem?.detail || problem?.title;
  if (text) return text;
  if (!status) return t("frp.error.network");
  return t("frp.error.http", { status });
}

function renderErrors() {
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
  renderGeneral();
}

function renderGeneral() {
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

function setError(id, descriptor) {
  if (descriptor) state.errors[id] = descriptor;
  else delete state.errors[id];
  renderErrors();
}

/* ------------------------------------------------------------------ settings, header */

function renderHeader() {
  const province = provinceName(state.settings);
  $("fr-province").textContent = province ? t("frp.provinceLine", { province }) : "";
  $("fr-demo").hidden = !state.settings?.demo;
  document.title = province ? t("frp.report.pageTitleProvince", { province }) : t("frp.report.pageTitle");
}

/* ------------------------------------------------------------------ categories */

async function loadCategories() {
  try {
    const response = await fetch(`${API}/categories`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    const body = await response.json();
    state.categories = Array.isArray(body.items) ? body.items : [];
    state.limits = { ...DEFAULT_LIMITS, ...(body.limits || {}) };
    state.categoriesError = false;
  } catch {
    state.categoriesError = true;
  }
  renderCategories();
  renderLimits();
}

function localized(value) {
  if (value == null) return "";
  if (typeof value === "string") return value;
  return value[getLanguage()] || value.vi || value.en || "";
}

/** An agency's or unit's name in the current language (the server sends `nameEn` when it has one). */
function named(value) {
  if (!value) return "";
  return (getLanguage() === "en" && value.nameEn) || value.name || value.code || "";
}

function selectedCategory() {
  return state.categories.find((c) => c.code === els.category.value) || null;
}

function renderCategories() {
  const current = els.category.value || pendingCategory;
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
  pendingCategory = null;
  renderCategoryInfo();
}

let pendingCategory = null;

function retryCategories() {
  els.loadError.hidden = true;
  els.category.replaceChildren(h("option", { value: "" }, t("frp.report.categoryLoading")));
  loadCategories();
}

function renderCategoryInfo() {
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

function renderLimits() {
  const max = state.limits.maxDescription;
  els.description.maxLength = max;
  els.photosHint.textContent = t("frp.report.photosHint", {
    max: state.limits.maxPhotos, side: formatNumber(MAX_SIDE),
  });
  renderCounter();
  renderPhotos();
}

/* ------------------------------------------------------------------ boundaries and point in polygon */

let communes = []; // { properties, bbox: [minLon, minLat, maxLon, maxLat], polygons: [[ring…]…] }
let provincePolygons = [];
let boundariesState = "loading"; // loading | ready | failed

function geometryPolygons(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return [geometry.coordinates];
  if (geometry.type === "MultiPolygon") return geometry.coordinates;
  return [];
}

function polygonsBBox(polygons) {
  let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity;
  for (const polygon of polygons) {
    for (const [x, y] of polygon[0] || []) {
      if (x < minX) minX = x; if (x > maxX) maxX = x;
      if (y < minY) minY = y; if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

function ringContains(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function polygonsContain(polygons, x, y) {
  return polygons.some((polygon) => ringContains(polygon[0], x, y) && !polygon.slice(1).some((hole) => ringContains(hole, x, y)));
}

function indexBoundaries(collection) {
  const features = Array.isArray(collection?.features) ? collection.features : [];
  communes = features.filter((f) => f.properties?.level === "commune").map((feature) => {
    const polygons = geometryPolygons(feature.geometry);
    return { properties: feature.properties, polygons, bbox: polygonsBBox(polygons) };
  });
  provincePolygons = features.filter((f) => f.properties?.level === "province").flatMap((f) => geometryPolygons(f.geometry));
}

/** The commune (GeoJSON properties) containing the point, or null. */
function communeAt(lat, lon) {
  for (const commune of communes) {
    const [minX, minY, maxX, maxY] = commune.bbox;
    if (lon < minX || lon > maxX || lat < minY || lat > maxY) continue;
    if (polygonsContain(commune.polygons, lon, lat)) return commune.properties;
  }
  return null;
}

function insideProvince(lat, lon) {
  if (communeAt(lat, lon)) return true;
  return provincePolygons.length ? polygonsContain(provincePolygons, lon, lat) : false;
}

function unitName(properties) {
  if (!properties) return "";
  if (getLanguage() === "vi") return properties.fullName || properties.name || properties.code;
  const kind = { "Phường": "ward", "Xã": "commune", "Đặc khu": "specialZone" }[properties.unitType] || "other";
  return t("frp.unitName", { name: properties.nameEn || properties.name, type: t(`frp.unitType.${kind}`) });
}

/** Asks the server which commune a point is in (when the boundaries could not be loaded in the browser). */
async function locateOnServer(lat, lon) {
  const response = await fetch(`/api/v1/units/locate?lat=${lat}&lon=${lon}`, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(String(response.status));
  const body = await response.json();
  const provinceCode = state.settings?.province?.code;
  if (!body.commune || (provinceCode && body.commune.provinceCode && body.commune.provinceCode !== provinceCode)) return null;
  return body.commune;
}

/* ------------------------------------------------------------------ map */

let map = null;
let pin = null;
let communeLayer = null;
let labelLayer = null;
let highlighted = null;
let hasTiles = false;
const communeLayers = new Map();
const COMMUNE_STYLE = { color: "#1d4274", weight: 1, opacity: 0.55, fillColor: "#9fb8d9", fillOpacity: 0.12 };
const COMMUNE_SELECTED = { color: "#0b2545", weight: 2.5, opacity: 1, fillColor: "#2b7a3d", fillOpacity: 0.18 };

/** Shades the commune the pin is in, so the citizen sees at a glance which area the report goes to. */
function highlightCommune(code) {
  const layer = code ? communeLayers.get(code) : null;
  if (layer === highlighted) return;
  highlighted?.setStyle(COMMUNE_STYLE);
  highlighted = layer || null;
  if (highlighted) {
    highlighted.setStyle(COMMUNE_SELECTED);
    highlighted.bringToFront();
  }
}

const PIN_HTML = '<svg viewBox="0 0 36 48" width="36" height="48" aria-hidden="true"><path d="M18 47C18 47 34 29 34 17A16 16 0 0 0 2 17C2 29 18 47 18 47Z" fill="#c81e1e" stroke="#fff" stroke-width="2.5"/><circle cx="18" cy="17" r="6.5" fill="#fff"/></svg>';

function initMap() {
  if (typeof window.L === "undefined") {
    showMapMessage("frp.report.mapUnavailable");
    els.mapExpand.hidden = true;
    return;
  }
  const settings = state.settings || {};
  const tileURL = typeof settings.map?.tileURL === "string" ? settings.map.tileURL.trim() : "";
  const center = settings.map?.center || FALLBACK_VIEW.center;
  const zoom = settings.map?.zoom ?? FALLBACK_VIEW.zoom;
  map = L.map(els.map, {
    zoomSnap: 0.5,
    attributionControl: Boolean(tileURL),
    scrollWheelZoom: false,
    keyboard: true,
  }).setView(center, zoom);
  hasTiles = Boolean(tileURL);
  if (tileURL) L.tileLayer(tileURL, { attribution: settings.map.tileAttribution || "", maxZoom: 19 }).addTo(map);
  // The page scrolls; the wheel zooms the map only once the citizen is working in it.
  map.on("click focus", () => map.scrollWheelZoom.enable());
  map.on("mouseout blur", () => map.scrollWheelZoom.disable());
  map.on("click", (event) => {
    if (state.sending) return;
    setLocation(event.latlng.lat, event.latlng.lng, { source: "map" });
  });
  map.on("zoomend", updateLabels);
  if (state.location) placePin({ pan: true });
}

function showMapMessage(key) {
  els.mapMessage.textContent = key ? t(key) : "";
  els.mapMessage.dataset.key = key || "";
  els.mapMessage.hidden = !key;
}

function drawBoundaries(collection) {
  if (!map) return;
  const features = Array.isArray(collection?.features) ? collection.features : [];
  const communeFeatures = features.filter((f) => f.properties?.level === "commune");
  const outline = features.filter((f) => f.properties?.level === "province");
  communeLayer = L.geoJSON({ type: "FeatureCollection", features: communeFeatures }, {
    style: () => COMMUNE_STYLE,
    // Taps go through to the map (which places the pin).
    interactive: false,
    onEachFeature: (feature, layer) => communeLayers.set(feature.properties.code, layer),
  }).addTo(map);
  if (outline.length) {
    map.createPane("frProvince").style.zIndex = "450";
    const layer = L.geoJSON({ type: "FeatureCollection", features: outline }, {
      style: () => ({ color: "#0b2545", weight: 3, opacity: 0.9, fill: false }), interactive: false, pane: "frProvince",
    }).addTo(map);
    if (!state.location) {
      const bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8], animate: false });
    }
  }
  labelLayer = L.layerGroup();
  renderLabels();
  updateLabels();
  els.map.dataset.ready = "1";
}

function renderLabels() {
  if (!labelLayer) return;
  labelLayer.clearLayers();
  for (const commune of communes) {
    const point = commune.properties.labelPoint;
    if (!Array.isArray(point)) continue;
    const text = getLanguage() === "vi" ? commune.properties.name : commune.properties.nameEn || commune.properties.name;
    const marker = L.marker([point[1], point[0]], {
      icon: L.divIcon({ className: "fr-unit-label", html: "", iconSize: null }),
      interactive: false, keyboard: false,
    });
    // Names go in as text nodes (Leaflet would parse an HTML string); the element is rebuilt each time it is added.
    marker.on("add", () => marker.getElement()?.replaceChildren(h("span", {}, text)));
    marker.addTo(labelLayer);
  }
}

function updateLabels() {
  if (!map || !labelLayer) return;
  const show = map.getZoom() >= 11;
  if (show && !map.hasLayer(labelLayer)) labelLayer.addTo(map);
  if (!show && map.hasLayer(labelLayer)) map.removeLayer(labelLayer);
}

function placePin({ pan }) {
  if (!map || !state.location) return;
  const latlng = [state.location.lat, state.location.lon];
  if (!pin) {
    pin = L.marker(latlng, {
      draggable: true,
      autoPan: true,
      keyboard: true,
      title: t("frp.report.pinTitle"),
      icon: L.divIcon({ className: "fr-pin", html: PIN_HTML, iconSize: [36, 48], iconAnchor: [18, 46] }),
    }).addTo(map);
    pin.on("dragend", () => {
      const at = pin.getLatLng();
      setLocation(at.lat, at.lng, { source: "drag" });
    });
    // Arrow keys move the focused pin a few metres.
    pin.getElement()?.addEventListener("keydown", onPinKey);
    pin.getElement()?.setAttribute("aria-label", t("frp.report.pinTitle"));
  } else {
    pin.setLatLng(latlng);
  }
  if (pan) map.setView(latlng, Math.max(map.getZoom(), hasTiles ? 16 : 12));
}

function onPinKey(event) {
  const step = event.shiftKey ? 0.001 : 0.0002;
  const moves = { ArrowUp: [step, 0], ArrowDown: [-step, 0], ArrowLeft: [0, -step], ArrowRight: [0, step] };
  const move = moves[event.key];
  if (!move || !state.location || state.sending) return;
  event.preventDefault();
  event.stopPropagation();
  setLocation(state.location.lat + move[0], state.location.lon + move[1], { source: "key" });
}

function toggleMapSize() {
  const expanded = !els.mapWrap.classList.contains("is-expanded");
  els.mapWrap.classList.toggle("is-expanded", expanded);
  document.body.classList.toggle("fr-map-open", expanded);
  els.mapExpand.setAttribute("aria-pressed", String(expanded));
  els.mapExpand.textContent = t(expanded ? "frp.report.mapDone" : "frp.report.mapExpand");
  if (map) {
    map.invalidateSize();
    if (state.location) map.panTo([state.location.lat, state.location.lon]);
  }
  if (!expanded) els.mapWrap.scrollIntoView({ block: "nearest" });
}

/* ------------------------------------------------------------------ location */

function parseCoordinate(text) {
  const cleaned = String(text ?? "").trim().replace(/\s+/g, "").replace(",", ".");
  if (!/^-?\d{1,3}(\.\d+)?$/.test(cleaned)) return null;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : null;
}

function formatCoordinate(value) {
  return value.toFixed(6);
}

function onCoordinateInput(event) {
  // Pasting "12.6675, 108.0377" into either box fills both.
  const text = event.target.value;
  const pair = /^\s*(-?\d{1,3}\.\d+)\s*[,;\s]\s*(-?\d{1,3}\.\d+)\s*$/.exec(text);
  if (pair) {
    els.lat.value = pair[1];
    els.lon.value = pair[2];
  }
  const lat = parseCoordinate(els.lat.value);
  const lon = parseCoordinate(els.lon.value);
  if (!els.lat.value.trim() && !els.lon.value.trim()) return;
  if (lat == null || lon == null || lat < -90 || lat > 90 || lon < -180 || lon > 180) {
    setError("fr-location-error", { key: "frp.report.errorCoordinates" });
    return;
  }
  setLocation(lat, lon, { source: "input" });
}

/** Sets the report's location. `source`: map | drag | key | input | gps | draft | api. */
function setLocation(lat, lon, { source = "api" } = {}) {
  lat = Number(lat);
  lon = Number(lon);
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return false;
  state.location = { lat, lon };
  if (source !== "input") {
    els.lat.value = formatCoordinate(lat);
    els.lon.value = formatCoordinate(lon);
  }
  placePin({ pan: source === "input" || source === "gps" || source === "draft" || source === "api" });
  if (source !== "gps" && source !== "draft") state.geo = null;
  renderGeo();
  resolvePlace();
  if (source !== "draft") {
    saveDraft();
    scheduleNearby();
  }
  return true;
}

let placeRequest = 0;

async function resolvePlace() {
  const { lat, lon } = state.location;
  const request = ++placeRequest;
  if (boundariesState === "ready") {
    const unit = communeAt(lat, lon);
    state.place = unit ? { kind: "inside", unit } : insideProvince(lat, lon) ? { kind: "unknown" } : { kind: "outside" };
  } else if (boundariesState === "failed") {
    state.place = { kind: "pending" };
    renderPlace();
    try {
      const unit = await locateOnServer(lat, lon);
      if (request !== placeRequest) return;
      state.place = unit ? { kind: "inside", unit } : { kind: "outside" };
    } catch {
      if (request !== placeRequest) return;
      state.place = { kind: "unknown" };
    }
  } else {
    state.place = { kind: "pending" };
  }
  highlightCommune(state.place.kind === "inside" ? state.place.unit.code : null);
  if (state.place.kind === "outside") setError("fr-location-error", { key: "frp.report.errorOutside", params: () => ({ province: provinceName(state.settings) }) });
  else if (state.errors["fr-location-error"]) setError("fr-location-error", null);
  renderPlace();
}

function renderPlace() {
  els.place.replaceChildren();
  els.place.className = "fr-place";
  if (!state.location) {
    els.place.classList.add("is-empty");
    els.place.textContent = t("frp.report.placeNone");
    $("fr-map-place").textContent = t("frp.report.placeNoneShort");
    $("fr-map-place").className = "fr-map-place is-empty";
    return;
  }
  const place = state.place || { kind: "pending" };
  let text;
  if (place.kind === "inside") {
    text = place.unit.fullName && getLanguage() === "vi" ? place.unit.fullName : unitName(place.unit);
    els.place.classList.add("is-ok");
  } else if (place.kind === "outside") {
    text = t("frp.report.placeOutside");
    els.place.classList.add("is-bad");
  } else if (place.kind === "unknown") {
    text = t("frp.report.placeUnknown");
  } else {
    text = t("frp.report.placePending");
  }
  els.place.append(
    h("span", { class: "fr-place-label" }, t("frp.report.placeLabel")), " ",
    h("strong", { id: "fr-commune", class: "fr-place-name" }, text));
  $("fr-map-place").textContent = text;
  $("fr-map-place").className = `fr-map-place ${els.place.className.replace("fr-place", "").trim()}`;
}

function renderGeo() {
  els.geoMessage.textContent = describe(state.geo);
  els.geoMessage.hidden = !state.geo;
  els.geoMessage.classList.toggle("is-bad", Boolean(state.geo?.bad));
}

function useMyLocation() {
  if (!("geolocation" in navigator) || !window.isSecureContext) {
    state.geo = { key: "frp.report.geoUnsupported", bad: true };
    renderGeo();
    return;
  }
  els.locate.disabled = true;
  els.locateLabel.textContent = t("frp.report.locating");
  state.geo = { key: "frp.report.locatingLong" };
  renderGeo();
  const finish = () => {
    els.locate.disabled = false;
    els.locateLabel.textContent = t("frp.report.useMyLocation");
  };
  navigator.geolocation.getCurrentPosition((position) => {
    finish();
    const { latitude, longitude, accuracy } = position.coords;
    if (boundariesState === "ready" && !insideProvince(latitude, longitude)) {
      state.geo = { key: "frp.report.geoOutside", params: () => ({ province: provinceName(state.settings) }), bad: true };
      renderGeo();
      return;
    }
    setLocation(latitude, longitude, { source: "gps" });
    state.geo = { key: "frp.report.geoFound", params: { accuracy: formatNumber(Math.round(accuracy || 0)) } };
    renderGeo();
  }, (error) => {
    finish();
    const key = error.code === 1 ? "frp.report.geoDenied" : error.code === 3 ? "frp.report.geoTimeout" : "frp.report.geoUnavailable";
    state.geo = { key, bad: true };
    renderGeo();
  }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
}

function renderUnitList() {
  const names = communes.map((c) => unitName(c.properties)).sort((a, b) => a.localeCompare(b, "vi"));
  els.unitList.replaceChildren(...names.map((name) => h("option", { value: name })));
}

function findUnit(text) {
  const wanted = text.trim().toLocaleLowerCase("vi");
  if (!wanted) return null;
  return communes.find((c) => [unitName(c.properties), c.properties.fullName, c.properties.name, c.properties.nameEn]
    .some((name) => name && name.toLocaleLowerCase("vi") === wanted)) || null;
}

function goToUnit() {
  const commune = findUnit(els.unitSearch.value);
  if (!commune || !map) return;
  const [minX, minY, maxX, maxY] = commune.bbox;
  map.fitBounds([[minY, minX], [maxY, maxX]], { padding: [12, 12] });
  if (!state.location) {
    state.geo = { key: "frp.report.unitFound", params: () => ({ name: unitName(commune.properties) }) };
    renderGeo();
  }
}

/* ------------------------------------------------------------------ description */

function renderCounter() {
  const length = els.description.value.length;
  const max = state.limits.maxDescription;
  els.counter.textContent = t("frp.report.counter", { count: formatNumber(length), max: formatNumber(max) });
  els.counter.classList.toggle("is-near", length > max - 200);
}

/* ------------------------------------------------------------------ photos */

function loadImage(blob) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(blob);
    const img = new Image();
    img.onload = () => resolve({ img, url });
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("decode"));
    };
    img.src = url;
  });
}

function canvasBlob(canvas, quality) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("encode"))), "image/jpeg", quality);
  });
}

/**
 * Redraws the photo on a canvas, at most MAX_SIDE px on the long side, and encodes it as JPEG: smaller uploads,
 * and the EXIF block (GPS position, phone model, time) is not carried over. Browsers apply the EXIF orientation
 * when they decode, so the picture stays upright.
 */
async function resizePhoto(file) {
  const { img, url } = await loadImage(file);
  try {
    const width = img.naturalWidth;
    const height = img.naturalHeight;
    if (!width || !height) throw new Error("decode");
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    const targetW = Math.max(1, Math.round(width * scale));
    const targetH = Math.max(1, Math.round(height * scale));
    // Halve in steps first: one big jump from 4000 px to 1600 px looks jagged.
    let source = img;
    let sw = width;
    let sh = height;
    while (sw / 2 >= targetW * 1.05) {
      const step = document.createElement("canvas");
      step.width = Math.round(sw / 2);
      step.height = Math.round(sh / 2);
      const ctx = step.getContext("2d");
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(source, 0, 0, step.width, step.height);
      source = step;
      sw = step.width;
      sh = step.height;
    }
    const canvas = document.createElement("canvas");
    canvas.width = targetW;
    canvas.height = targetH;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff"; // transparent PNG areas become white, not black
    ctx.fillRect(0, 0, targetW, targetH);
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(source, 0, 0, targetW, targetH);
    let blob = await canvasBlob(canvas, JPEG_QUALITY);
    for (const quality of [0.7, 0.6, 0.5]) {
      if (blob.size <= state.limits.maxPhotoBytes) break;
      blob = await canvasBlob(canvas, quality);
    }
    if (blob.size > state.limits.maxPhotoBytes) throw new Error("too-big");
    return { blob, width: targetW, height: targetH };
  } finally {
    URL.revokeObjectURL(url);
  }
}

function looksLikeImage(file) {
  if (file.type) return file.type.startsWith("image/");
  return /\.(jpe?g|png|webp|gif|bmp|heic|heif|avif)$/i.test(file.name || "");
}

async function addFiles(fileList) {
  const files = [...fileList];
  if (!files.length) return;
  const problems = [];
  const room = state.limits.maxPhotos - state.photos.length - state.processing;
  if (files.length > room) {
    problems.push({ key: "frp.report.photosTooMany", params: { max: state.limits.maxPhotos, skipped: files.length - Math.max(room, 0) } });
  }
  const accepted = [];
  for (const file of files) {
    if (!looksLikeImage(file)) {
      problems.push({ key: "frp.report.photoNotImage", params: { name: file.name || "?" } });
    } else if (file.size > MAX_SOURCE_BYTES) {
      problems.push({ key: "frp.report.photoTooLarge", params: { name: file.name || "?" } });
    } else if (accepted.length < room) {
      accepted.push(file);
    }
  }
  state.processing += accepted.length;
  setPhotoProblems(problems);
  renderPhotos();
  for (const file of accepted) {
    try {
      const photo = await resizePhoto(file);
      const entry = { id: nextPhotoId++, ...photo, url: URL.createObjectURL(photo.blob) };
      state.photos.push(entry);
    } catch (error) {
      const key = error.message === "too-big" ? "frp.report.photoTooLarge" : "frp.report.photoUnreadable";
      problems.push({ key, params: { name: file.name || "?" } });
      setPhotoProblems(problems);
    } finally {
      state.processing -= 1;
      renderPhotos();
    }
  }
  if (!problems.length && state.errors["fr-photos-error"]) setError("fr-photos-error", null);
  saveDraftPhotos();
}

function setPhotoProblems(problems) {
  if (!problems.length) return;
  setError("fr-photos-error", { list: [...problems] });
}

function removePhoto(id) {
  const index = state.photos.findIndex((p) => p.id === id);
  if (index < 0) return;
  const [photo] = state.photos.splice(index, 1);
  URL.revokeObjectURL(photo.url);
  renderPhotos();
  saveDraftPhotos();
  const buttons = els.thumbs.querySelectorAll(".fr-thumb-remove");
  (buttons[Math.min(index, buttons.length - 1)] || $("fr-photos"))?.focus();
}

function formatBytes(bytes) {
  if (bytes >= 1024 * 1024) return t("frp.bytesMB", { value: formatNumber(bytes / 1024 / 1024, { maximumFractionDigits: 1 }) });
  return t("frp.bytesKB", { value: formatNumber(Math.max(1, Math.round(bytes / 1024))) });
}

function renderPhotos() {
  const items = state.photos.map((photo, index) => h("li", { class: "fr-thumb", dataset: { photoId: String(photo.id) } },
    h("img", { src: photo.url, alt: t("frp.report.photoAlt", { n: index + 1 }), width: 160, height: 160 }),
    h("span", { class: "fr-thumb-meta" }, t("frp.report.photoMeta", { w: photo.width, h: photo.height, size: formatBytes(photo.blob.size) })),
    h("button", {
      type: "button",
      class: "fr-thumb-remove",
      "aria-label": t("frp.report.photoRemove", { n: index + 1 }),
      title: t("frp.report.photoRemove", { n: index + 1 }),
      onclick: () => removePhoto(photo.id),
    }, "×")));
  for (let i = 0; i < state.processing; i += 1) {
    items.push(h("li", { class: "fr-thumb is-processing", "aria-busy": "true" }, h("span", { class: "fr-thumb-spinner" }), h("span", { class: "fr-thumb-meta" }, t("frp.report.photoProcessing"))));
  }
  els.thumbs.replaceChildren(...items);
  els.thumbs.hidden = items.length === 0;
  els.photosCount.textContent = t("frp.report.photosCount", { count: state.photos.length, max: state.limits.maxPhotos });
  const full = state.photos.length + state.processing >= state.limits.maxPhotos;
  for (const input of [els.photos, els.camera]) input.disabled = full || state.sending;
  document.querySelectorAll(".fr-photo-actions label").forEach((label) => label.classList.toggle("is-disabled", full));
}

/* ------------------------------------------------------------------ contact */

function renderContact() {
  els.contact.hidden = !els.consent.checked;
  if (!els.consent.checked) {
    for (const id of ["fr-name-error", "fr-phone-error", "fr-email-error", "fr-contact-error"]) delete state.errors[id];
    renderErrors();
  }
}

/* ------------------------------------------------------------------ draft (sessionStorage) */

function uuid() {
  if (window.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function ensureKey() {
  if (!state.key) state.key = uuid();
  return state.key;
}

let draftTimer = 0;

function saveDraft() {
  clearTimeout(draftTimer);
  draftTimer = setTimeout(writeDraft, 300);
}

function writeDraft() {
  const store = storage();
  if (!store || state.result) return;
  const draft = {
    key: ensureKey(),
    category: els.category.value || pendingCategory || "",
    lat: state.location?.lat ?? null,
    lon: state.location?.lon ?? null,
    address: els.address.value,
    description: els.description.value,
    consent: els.consent.checked,
    name: els.name.value,
    phone: els.phone.value,
    email: els.email.value,
    showName: els.showName.checked,
    savedAt: new Date().toISOString(),
  };
  try {
    store.setItem(DRAFT_KEY, JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the draft lives only in this page.
  }
}

function blobToDataURL(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

async function saveDraftPhotos() {
  const store = storage();
  if (!store || state.result) return;
  ensureKey();
  writeDraft();
  try {
    const data = await Promise.all(state.photos.map(async (p) => ({ w: p.width, h: p.height, d: await blobToDataURL(p.blob) })));
    store.setItem(DRAFT_PHOTOS_KEY, JSON.stringify(data));
  } catch {
    // Photos are large: when they do not fit, a reload keeps the text and the key but asks for the photos again.
    try { store.removeItem(DRAFT_PHOTOS_KEY); } catch { /* ignore */ }
  }
}

/** data: URL → Blob without fetch (the CSP's connect-src does not allow data: URLs). */
function dataURLToBlob(url) {
  const match = /^data:([^;,]+);base64,(.*)$/.exec(String(url));
  if (!match) throw new Error("bad data URL");
  const binary = atob(match[2]);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: match[1] });
}

async function restoreDraft() {
  const store = storage();
  if (!store) return false;
  let draft = null;
  try {
    draft = JSON.parse(store.getItem(DRAFT_KEY) || "null");
  } catch {
    draft = null;
  }
  if (!draft || typeof draft !== "object") return false;
  state.key = typeof draft.key === "string" && draft.key ? draft.key : null;
  pendingCategory = draft.category || null;
  if (draft.category) els.category.value = draft.category;
  els.address.value = draft.address || "";
  els.description.value = draft.description || "";
  els.consent.checked = Boolean(draft.consent);
  els.name.value = draft.name || "";
  els.phone.value = draft.phone || "";
  els.email.value = draft.email || "";
  els.showName.checked = Boolean(draft.showName);
  if (Number.isFinite(draft.lat) && Number.isFinite(draft.lon)) setLocation(draft.lat, draft.lon, { source: "draft" });
  try {
    const photos = JSON.parse(store.getItem(DRAFT_PHOTOS_KEY) || "[]");
    for (const p of Array.isArray(photos) ? photos : []) {
      const blob = dataURLToBlob(p.d);
      state.photos.push({ id: nextPhotoId++, blob, width: p.w, height: p.h, url: URL.createObjectURL(blob) });
    }
  } catch {
    // A damaged photo draft is dropped.
  }
  const meaningful = draft.description || draft.category || Number.isFinite(draft.lat) || state.photos.length;
  return Boolean(meaningful);
}

function clearDraft() {
  const store = storage();
  try {
    store?.removeItem(DRAFT_KEY);
    store?.removeItem(DRAFT_PHOTOS_KEY);
  } catch {
    // ignore
  }
}

function discardDraft() {
  clearDraft();
  location.reload();
}

/* ------------------------------------------------------------------ possible duplicates */

let nearbyTimer = 0;
let nearbyController = null;

function nearbySignature() {
  const category = els.category.value;
  if (!category || !state.location) return null;
  return `${category}|${state.location.lat.toFixed(5)}|${state.location.lon.toFixed(5)}`;
}

function scheduleNearby() {
  clearTimeout(nearbyTimer);
  nearbyTimer = setTimeout(() => checkNearby().catch(() => {}), 700);
}

async function checkNearby() {
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
    const response = await fetch(`${API}/nearby?${params}`, { headers: { Accept: "application/json" }, signal: controller.signal });
    if (!response.ok) throw new Error(String(response.status));
    const body = await response.json();
    if (nearbySignature() !== sig) return state.nearby;
    state.nearby = { sig, items: Array.isArray(body.items) ? body.items : [] };
  } finally {
    clearTimeout(timer);
    if (nearbyController === controller) nearbyController = null;
  }
  renderNearby();
  return state.nearby;
}

function renderNearby() {
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

function statusClass(status) {
  return /^[a-z_]+$/.test(status || "") ? status : "unknown";
}

/* ------------------------------------------------------------------ validation */

function validate() {
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

function focusFirstError(ids) {
  const order = ["fr-category-error", "fr-location-error", "fr-address-error", "fr-description-error", "fr-photos-error",
    "fr-contact-error", "fr-name-error", "fr-phone-error", "fr-email-error"];
  const first = order.find((id) => ids.includes(id));
  if (!first) return;
  const input = $(FIELD_INPUT[first]);
  const target = input && !input.disabled && input.offsetParent !== null ? input : $(first);
  $(first).closest("section")?.scrollIntoView({ block: "start", behavior: "smooth" });
  target.focus({ preventScroll: true });
}

/* ------------------------------------------------------------------ submit */

async function onSubmit(event) {
  event?.preventDefault();
  if (state.sending) return;
  if (Date.now() < state.retryAt) return;
  state.general = null;
  renderGeneral();
  const invalid = validate();
  if (invalid.length) {
    state.general = { key: "frp.report.errorSummary", params: { count: invalid.length } };
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

function buildForm() {
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

function setSending(sending) {
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

function showProgress(fraction, phase) {
  if (fraction == null) {
    els.progress.removeAttribute("value");
  } else {
    els.progress.value = Math.round(fraction * 100);
  }
  els.progressText.textContent = phase === "processing"
    ? t("frp.report.progressProcessing")
    : t("frp.report.progressUploading", { percent: formatNumber(Math.round((fraction || 0) * 100)) });
}

function send() {
  const key = ensureKey();
  writeDraft();
  const xhr = new XMLHttpRequest();
  state.xhr = xhr;
  state.canRetry = false;
  els.retry.hidden = true;
  els.submit.hidden = false;
  setSending(true);
  showProgress(0, "uploading");
  xhr.open("POST", API);
  xhr.timeout = UPLOAD_TIMEOUT_MS;
  xhr.setRequestHeader("Idempotency-Key", key);
  xhr.setRequestHeader("Accept", "application/json, application/problem+json");
  xhr.responseType = "text";
  xhr.upload.onprogress = (event) => {
    if (event.lengthComputable) showProgress(event.loaded / event.total, event.loaded >= event.total ? "processing" : "uploading");
  };
  xhr.upload.onload = () => showProgress(null, "processing");
  xhr.onload = () => onResponse(xhr);
  xhr.onerror = () => onFailure({ key: "frp.report.errorNetwork" });
  xhr.ontimeout = () => onFailure({ key: "frp.report.errorTimeout" });
  xhr.onabort = () => onFailure({ key: "frp.report.errorCancelled" });
  xhr.send(buildForm());
}

function parseJSON(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function onResponse(xhr) {
  state.xhr = null;
  const status = xhr.status;
  const body = parseJSON(xhr.responseText);
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
    startRetryAfter(xhr.getResponseHeader("Retry-After"), body);
    return;
  }
  // 4xx: the report was not created. Show the server's message next to the field it names.
  const descriptor = { problem: body, status };
  let field = typeof body?.field === "string" ? body.field : null;
  if (!field && (status === 413 || status === 415)) field = "photos";
  const target = field && FIELD_ERROR[field.split(".")[0].replace(/\[.*$/, "")];
  if (target) {
    state.errors = { [target]: descriptor };
    state.general = { key: "frp.report.errorSummary", params: { count: 1 } };
    renderErrors();
    focusFirstError([target]);
  } else {
    state.general = descriptor;
    renderGeneral();
    els.error.focus();
  }
}

/** Network failure, time-out, cancel or 5xx: the report may or may not exist, so the retry reuses the same key. */
function onFailure(descriptor) {
  state.xhr = null;
  setSending(false);
  state.canRetry = true;
  state.general = { ...descriptor, detail: descriptor.detail || { key: "frp.report.retryHint" } };
  els.submit.hidden = true;
  els.retry.hidden = false;
  renderGeneral();
  els.error.focus();
}

let retryTimer = 0;

function startRetryAfter(header, body) {
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

function cancelUpload() {
  state.xhr?.abort();
}

/* ------------------------------------------------------------------ success */

function onSuccess(result) {
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

function followURL(result) {
  const path = typeof result.followUrl === "string" && result.followUrl.startsWith("/")
    ? result.followUrl
    : `/theo-doi.html?code=${encodeURIComponent(result.code)}${result.followToken ? `&t=${encodeURIComponent(result.followToken)}` : ""}`;
  return new URL(path, location.origin).href;
}

function renderDone() {
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
    [t("frp.field.unit"), named(result.unit)],
    [t("frp.field.agency"), named(result.agency) || t("frp.done.agencyPending")],
    [t("frp.field.received"), formatDateTime(result.receivedAt)],
    [t("frp.field.due"), formatDateTime(result.dueAt)],
  ].filter(([, value]) => value);
  $("fr-done-facts").replaceChildren(...facts.flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));
  $("fr-share").hidden = typeof navigator.share !== "function";
}

async function copyText(text, doneKey) {
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

function newReport() {
  try {
    storage()?.removeItem(RESULT_KEY);
  } catch {
    // ignore
  }
  location.replace("/phan-anh.html");
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
      boundariesState = communes.length ? "ready" : "failed";
      drawBoundaries(collection);
      renderUnitList();
    }).catch(() => {
      boundariesState = "failed";
      showMapMessage("frp.report.boundariesFailed");
    }).finally(() => {
      if (state.location) resolvePlace();
    });
  } else {
    boundariesState = "failed";
    showMapMessage("frp.report.boundariesFailed");
  }
  if (state.location) scheduleNearby();
  document.body.dataset.ready = "1";
}

start();
