// Environment (Môi trường – thủy văn): pieces shared by the console page (views/environment.js) and the public page
// (moi-truong.html, js/environment-public.js) — parameters and their units, the VN_AQI categories (QĐ 1459/QĐ-TCMT,
// Bảng 1), water level against the alarm levels (báo động I/II/III), badges, map markers and Chart.js loading.
// Texts from the `environment` dictionaries (`env.*`); server texts through `localized()`.
import { h } from "../dom.js";
import { formatDateTime, formatNumber, getLanguage, localized, t, tOr } from "../i18n.js";

export const STATIONS = "/api/v1/stations";
export const PUBLIC_STATE = "/api/v1/public/environment";
export const DEFINITION = "/api/v1/public/environment/definition";
export const KINDS = ["air", "water", "rain", "weather", "fire"];
export const AQI_PARAMS = ["pm25", "pm10", "o3", "co", "so2", "no2"];
export const EMPTY = "—";

/** Units and shown decimals of the parameters the stations report (the server's EnvParameter). */
export const PARAMS = {
  pm25: { unit: "µg/m³", digits: 1 },
  pm10: { unit: "µg/m³", digits: 1 },
  o3: { unit: "µg/m³", digits: 1 },
  co: { unit: "µg/m³", digits: 0 },
  so2: { unit: "µg/m³", digits: 1 },
  no2: { unit: "µg/m³", digits: 1 },
  water_level: { unit: "cm", digits: 0 },
  rainfall: { unit: "mm", digits: 1 },
  temperature: { unit: "°C", digits: 1 },
  humidity: { unit: "%", digits: 0 },
  wind_speed: { unit: "m/s", digits: 1 },
  fire_risk: { unit: "", digits: 0 },
};

/** The parameters a new station of each kind reports by default (the server's defaults). */
export const KIND_PARAMS = {
  air: AQI_PARAMS,
  water: ["water_level"],
  rain: ["rainfall"],
  weather: ["temperature", "humidity", "wind_speed"],
  fire: ["fire_risk"],
};

/** Bảng 1 of QĐ 1459/QĐ-TCMT, used until the server's definition has come (same figures). */
export const AQI_CATEGORIES = [
  { level: 1, name: "Tốt", nameEn: "Good", color: "#00E400", lower: 0, upper: 50 },
  { level: 2, name: "Trung bình", nameEn: "Moderate", color: "#FFFF00", lower: 51, upper: 100 },
  { level: 3, name: "Kém", nameEn: "Poor", color: "#FF7E00", lower: 101, upper: 150 },
  { level: 4, name: "Xấu", nameEn: "Bad", color: "#FF0000", lower: 151, upper: 200 },
  { level: 5, name: "Rất xấu", nameEn: "Very bad", color: "#8F3F97", lower: 201, upper: 300 },
  { level: 6, name: "Nguy hại", nameEn: "Hazardous", color: "#7E0023", lower: 301, upper: 500 },
];

/** Colours of the water alarm levels: below I, I, II, III. */
export const WATER_COLORS = ["#2b7a3d", "#f2c200", "#ff7e00", "#d7191c"];
export const SILENT_COLOR = "#8a94a3";

const finite = (v) => typeof v === "number" && Number.isFinite(v);

/** The category of an AQI value (the server's definition when given, else Bảng 1). */
export function aqiCategory(aqi, categories = AQI_CATEGORIES) {
  if (!finite(aqi)) return null;
  const list = Array.isArray(categories) && categories.length ? categories : AQI_CATEGORIES;
  return list.find((c) => aqi >= c.lower && aqi <= c.upper) || (aqi > list[list.length - 1].upper ? list[list.length - 1] : list[0]);
}

/** Dark or white text, whichever reads better on `hex` (yellow needs dark text). */
export function textOn(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
  if (!m) return "#fff";
  const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.33 ? "#17202c" : "#fff";
}

/** A colour value safe to put in a style (the server's `#hex`), or null. */
export function safeColor(value) {
  return /^#[0-9a-f]{3,8}$/i.test(value || "") ? value : null;
}

export function paramName(code) {
  return tOr(`env.param.${code}`, code);
}

export function paramUnit(code) {
  return PARAMS[code]?.unit ?? "";
}

/** A parameter's value with its unit ("25,2 µg/m³", "Cấp 3" for the fire danger), "—" when missing. */
export function paramValue(code, value) {
  if (!finite(value)) return EMPTY;
  if (code === "fire_risk") return t("env.fireLevel", { level: formatNumber(value, { maximumFractionDigits: 0 }) });
  const digits = PARAMS[code]?.digits ?? 1;
  const text = formatNumber(value, { maximumFractionDigits: digits });
  const unit = paramUnit(code);
  return unit ? `${text} ${unit}` : text;
}

export function kindName(station) {
  return localized(station?.kindName) || tOr(`env.kind.${station?.kind}`, station?.kind || "");
}

/** When the station last reported, in Vietnam's time. */
export function lastAtText(state) {
  return state?.lastAt ? formatDateTime(state.lastAt) : t("env.never");
}

/** The station's three alarm levels as numbers ([I, II, III], null where not set), or null without any. */
export function alarmLevels(station) {
  const levels = station?.alarmLevels;
  if (!levels || typeof levels !== "object") return null;
  const list = ["1", "2", "3"].map((k) => (finite(levels[k]) ? levels[k] : null));
  return list.some((v) => v != null) ? list : null;
}

/** The alarm level (0–3) of a water station: the server's, or computed from the latest level. */
export function waterLevelState(state) {
  if (finite(state?.alarmLevel)) return state.alarmLevel;
  const levels = alarmLevels(state?.station);
  const value = state?.latest?.water_level;
  if (!levels || !finite(value)) return null;
  let level = 0;
  levels.forEach((v, i) => {
    if (v != null && value >= v) level = i + 1;
  });
  return level;
}

export function waterLevelName(level) {
  return level == null ? t("env.water.unknown") : t(`env.water.level${level}`);
}

/** The coloured chip of an AQI ("52 · Trung bình"), or the reason when there is none. */
export function aqiBadge(aqi, { short = false, silent = false } = {}) {
  if (!aqi || !finite(aqi.aqi)) {
    const reason = aqi ? localized(aqi.reason, aqi.reasonEn) : "";
    return h("span", { class: "env-chip env-chip--none", title: reason || null, dataset: { testid: "env-aqi" } }, t("env.aqiNone"));
  }
  const color = silent ? SILENT_COLOR : safeColor(aqi.color) || aqiCategory(aqi.aqi)?.color || SILENT_COLOR;
  const category = localized(aqi.category, aqi.categoryEn) || localized(aqiCategory(aqi.aqi)?.name, aqiCategory(aqi.aqi)?.nameEn);
  return h("span", {
    class: "env-chip", style: `background:${color};color:${textOn(color)}`, dataset: { testid: "env-aqi", aqi: String(aqi.aqi) },
    title: category,
  }, h("strong", {}, formatNumber(aqi.aqi)), short ? null : h("span", {}, category));
}

/** The coloured chip of a water station's alarm level ("Báo động II"). */
export function waterBadge(level, { silent = false } = {}) {
  const color = silent || level == null ? SILENT_COLOR : WATER_COLORS[level];
  return h("span", {
    class: "env-chip", style: `background:${color};color:${textOn(color)}`, dataset: { testid: "env-water-level", level: String(level ?? "") },
  }, waterLevelName(level));
}

/** "cách BĐ I 246 cm" / "vượt BĐ III 20 cm": where the level stands against the next (or the highest passed) level. */
export function waterMargin(state) {
  const levels = alarmLevels(state?.station);
  const value = state?.latest?.water_level;
  if (!levels || !finite(value)) return "";
  const next = levels.findIndex((v) => v != null && value < v);
  if (next >= 0) return t("env.water.below", { level: t(`env.water.short${next + 1}`), cm: formatNumber(levels[next] - value, { maximumFractionDigits: 0 }) });
  const top = levels.reduce((acc, v, i) => (v != null ? i : acc), -1);
  return t("env.water.above", { level: t(`env.water.short${top + 1}`), cm: formatNumber(value - levels[top], { maximumFractionDigits: 0 }) });
}

/** The headline figure of a station: its AQI, water level or first parameter. */
export function mainValue(state, { compact = false } = {}) {
  const station = state?.station || {};
  if (station.kind === "air") return aqiBadge(state.aqi, { silent: state.silent });
  const param = station.kind === "water" ? "water_level" : (station.parameters || [])[0];
  const value = state?.latest?.[param];
  const text = h("span", { class: "env-value" }, paramValue(param, value));
  if (station.kind === "water") {
    return h("span", { class: "env-main" }, text, waterBadge(waterLevelState(state), { silent: state.silent }),
      compact ? null : h("span", { class: "env-margin" }, waterMargin(state)));
  }
  return text;
}

/** A station's state in the latest values of each of its parameters: [{code, value}]. */
export function latestList(state) {
  const params = Array.isArray(state?.station?.parameters) && state.station.parameters.length
    ? state.station.parameters : Object.keys(state?.latest || {});
  return params.map((code) => ({ code, value: state?.latest?.[code] }));
}

// ---- Map markers ----

/** A marker's look: [text, background] for a station's state. */
function markerLook(state) {
  const station = state.station || {};
  if (station.kind === "air") {
    const aqi = state.aqi?.aqi;
    return [finite(aqi) ? formatNumber(aqi) : "?", finite(aqi) ? safeColor(state.aqi.color) || aqiCategory(aqi).color : SILENT_COLOR];
  }
  if (station.kind === "water") {
    const level = waterLevelState(state);
    const value = state.latest?.water_level;
    return [finite(value) ? `${formatNumber(value, { maximumFractionDigits: 0 })} cm` : "?", level == null ? SILENT_COLOR : WATER_COLORS[level]];
  }
  if (station.kind === "rain") {
    const v = state.latest?.rainfall;
    return [finite(v) ? `${formatNumber(v, { maximumFractionDigits: 1 })} mm` : "?", "#1d6fd1"];
  }
  if (station.kind === "fire") {
    const v = state.latest?.fire_risk;
    return [finite(v) ? formatNumber(v) : "?", ["#2b7a3d", "#2b7a3d", "#f2c200", "#ff7e00", "#d7191c", "#7e0023"][Math.max(0, Math.min(5, v | 0))] || "#6d28d9"];
  }
  const v = state.latest?.temperature;
  return [finite(v) ? `${formatNumber(v, { maximumFractionDigits: 0 })}°` : "?", "#5b6b80"];
}

/** A Leaflet divIcon marker for a station (AQI circle, water badge, rain/weather/fire pill); silent ones greyed. */
export function stationMarker(state, { selected = false } = {}) {
  const station = state.station || {};
  const [text, background] = markerLook(state);
  const color = state.silent ? SILENT_COLOR : background;
  const shape = station.kind === "air" ? "circle" : "pill";
  const html = document.createElement("span");
  html.className = `env-marker env-marker--${shape} env-marker--${station.kind}${state.silent ? " is-silent" : ""}${selected ? " is-selected" : ""}`;
  html.style.background = color;
  html.style.color = state.silent ? "#fff" : textOn(color);
  html.textContent = text;
  html.dataset.station = station.code || "";
  // A circle has its size; a pill is as wide as its text, centred on the point by the stylesheet.
  const size = shape === "circle" ? [38, 38] : [0, 0];
  const icon = L.divIcon({ html, className: "env-marker-icon", iconSize: size, iconAnchor: [size[0] / 2, size[1] / 2] });
  const marker = L.marker([station.lat, station.lon], {
    icon, keyboard: true, title: station.name || station.code, riseOnHover: true,
    zIndexOffset: selected ? 1000 : station.kind === "air" ? 200 : 0,
  });
  marker.bindTooltip(() => tooltip(state), { direction: "top", offset: [0, -16], className: "env-tooltip" });
  return marker;
}

function tooltip(state) {
  const station = state.station || {};
  return h("span", { class: "env-tip" },
    h("strong", {}, station.name || station.code),
    h("span", {}, `${kindName(station)} · ${station.unitName || ""}`),
    h("span", {}, station.kind === "air"
      ? (finite(state.aqi?.aqi) ? `VN_AQI ${formatNumber(state.aqi.aqi)} · ${localized(state.aqi.category, state.aqi.categoryEn)}` : t("env.aqiNone"))
      : latestList(state).map((p) => `${paramName(p.code)}: ${paramValue(p.code, p.value)}`).join(" · ")),
    state.silent ? h("span", { class: "env-tip-silent" }, t("env.silent")) : null,
    h("span", { class: "env-tip-time" }, t("env.updated", { time: lastAtText(state) })));
}

/** The map's fitting bounds of a list of states, or null. */
export function stationBounds(states) {
  const points = states.map((s) => s.station).filter((s) => finite(s?.lat) && finite(s?.lon)).map((s) => [s.lat, s.lon]);
  return points.length ? L.latLngBounds(points) : null;
}

// ---- Chart.js ----

let chartLibrary = null;

/** Chart.js from Debian's libjs-chart.js (served under /vendor/chart.js/), loaded once, on first use. */
export function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  chartLibrary ??= new Promise((resolve, reject) => {
    const script = h("script", { src: "/vendor/chart.js/chart.min.js", async: true });
    script.addEventListener("load", () => (window.Chart ? resolve(window.Chart) : reject(new Error("Chart.js did not load"))));
    script.addEventListener("error", () => {
      chartLibrary = null;
      script.remove();
      reject(new Error("Chart.js could not be loaded"));
    });
    document.head.append(script);
  });
  return chartLibrary;
}

/** Sorts states: air first, then water, rain, weather, fire; by name within a kind. */
export function sortStates(states) {
  return states.slice().sort((a, b) => KINDS.indexOf(a.station?.kind) - KINDS.indexOf(b.station?.kind)
    || String(a.station?.name || "").localeCompare(String(b.station?.name || ""), getLanguage()));
}
