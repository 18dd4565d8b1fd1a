// Citizen report page: the Leaflet map — communes drawn and named, the commune of the pin shaded, the draggable pin
// (also moved with the arrow keys) and the full-screen toggle on phones.
import { localizedName, t } from "./i18n.js";
import { h } from "./dom.js";
import { els, FALLBACK_VIEW, state } from "./report-common.js";
import { communes } from "./report-geo.js";
import { setLocation } from "./report-location.js";

/* ------------------------------------------------------------------ map */

export let map = null;
export let pin = null;
let communeLayer = null;
let labelLayer = null;
let highlighted = null;
let hasTiles = false;
const communeLayers = new Map();
const COMMUNE_STYLE = { color: "#1d4274", weight: 1, opacity: 0.55, fillColor: "#9fb8d9", fillOpacity: 0.12 };
const COMMUNE_SELECTED = { color: "#0b2545", weight: 2.5, opacity: 1, fillColor: "#2b7a3d", fillOpacity: 0.18 };

/** Shades the commune the pin is in, so the citizen sees at a glance which area the report goes to. */
export function highlightCommune(code) {
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

export function initMap() {
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

export function showMapMessage(key) {
  els.mapMessage.textContent = key ? t(key) : "";
  els.mapMessage.dataset.key = key || "";
  els.mapMessage.hidden = !key;
}

export function drawBoundaries(collection) {
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

export function renderLabels() {
  if (!labelLayer) return;
  labelLayer.clearLayers();
  for (const commune of communes) {
    const point = commune.properties.labelPoint;
    if (!Array.isArray(point)) continue;
    const text = localizedName(commune.properties);
    const marker = L.marker([point[1], point[0]], {
      icon: L.divIcon({ className: "fr-unit-label", html: "", iconSize: null }),
      interactive: false, keyboard: false,
    });
    // Names go in as text nodes (Leaflet would parse an HTML string); the element is rebuilt each time it is added.
    marker.on("add", () => marker.getElement()?.replaceChildren(h("span", {}, text)));
    marker.addTo(labelLayer);
  }
}

export function updateLabels() {
  if (!map || !labelLayer) return;
  const show = map.getZoom() >= 11;
  if (show && !map.hasLayer(labelLayer)) labelLayer.addTo(map);
  if (!show && map.hasLayer(labelLayer)) map.removeLayer(labelLayer);
}

export function placePin({ pan }) {
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

export function onPinKey(event) {
  const step = event.shiftKey ? 0.001 : 0.0002;
  const moves = { ArrowUp: [step, 0], ArrowDown: [-step, 0], ArrowLeft: [0, -step], ArrowRight: [0, step] };
  const move = moves[event.key];
  if (!move || !state.location || state.sending) return;
  event.preventDefault();
  event.stopPropagation();
  setLocation(state.location.lat + move[0], state.location.lon + move[1], { source: "key" });
}

export function toggleMapSize() {
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
