// Citizen report page: the report's location — typed or pasted coordinates, a tap on the map, the pin, the phone's GPS
// or a commune looked up by name — and the place it falls in.
import { formatNumber, getLanguage, t } from "./i18n.js";
import { h } from "./dom.js";
import { provinceName } from "./settings.js";
import { $, describe, els, setError, state } from "./report-common.js";
import { boundariesState, communeAt, communes, insideProvince, locateOnServer, unitName } from "./report-geo.js";
import { highlightCommune, map, placePin } from "./report-map.js";
import { saveDraft } from "./report-draft.js";
import { scheduleNearby } from "./report-form.js";

/* ------------------------------------------------------------------ location */

export function parseCoordinate(text) {
  const cleaned = String(text ?? "").trim().replace(/\s+/g, "").replace(",", ".");
  if (!/^-?\d{1,3}(\.\d+)?$/.test(cleaned)) return null;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : null;
}

export function formatCoordinate(value) {
  return value.toFixed(6);
}

export function onCoordinateInput(event) {
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
export function setLocation(lat, lon, { source = "api" } = {}) {
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

export async function resolvePlace() {
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

export function renderPlace() {
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

export function renderGeo() {
  els.geoMessage.textContent = describe(state.geo);
  els.geoMessage.hidden = !state.geo;
  els.geoMessage.classList.toggle("is-bad", Boolean(state.geo?.bad));
}

export function useMyLocation() {
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

export function renderUnitList() {
  const names = communes.map((c) => unitName(c.properties)).sort((a, b) => a.localeCompare(b, "vi"));
  els.unitList.replaceChildren(...names.map((name) => h("option", { value: name })));
}

export function findUnit(text) {
  const wanted = text.trim().toLocaleLowerCase("vi");
  if (!wanted) return null;
  return communes.find((c) => [unitName(c.properties), c.properties.fullName, c.properties.name, c.properties.nameEn]
    .some((name) => name && name.toLocaleLowerCase("vi") === wanted)) || null;
}

export function goToUnit() {
  const commune = findUnit(els.unitSearch.value);
  if (!commune || !map) return;
  const [minX, minY, maxX, maxY] = commune.bbox;
  map.fitBounds([[minY, minX], [maxY, maxX]], { padding: [12, 12] });
  if (!state.location) {
    state.geo = { key: "frp.report.unitFound", params: () => ({ name: unitName(commune.properties) }) };
    renderGeo();
  }
}
