// Public warnings page (canh-bao.html, no sign-in): the warnings in force (GET /api/v1/public/warnings), each with a
// big band in its risk level's colour (QĐ 18/2021/QĐ-TTg), the headline, the communes, what people should do, when it
// takes effect and expires, and its CAP document; a map of the province with the warned communes filled in the level's
// colour (the highest when several warnings cover one) and the warnings' own polygons and circles; the Atom feed of
// the CAP documents. Refreshed every minute. Vietnamese first, English on the switch.
// Test hooks (data-testid): warnp-status, warnp-list, warnp-item (data-identifier, data-level), warnp-cap,
// warnp-show, warnp-map (data-warned = communes filled), warnp-legend, warnp-atom; `body[data-ready="1"]`.
import { api, errorMessage } from "./api.js";
import { h } from "./dom.js";
import { applyI18n, bindLanguageSwitch, formatDateTime, formatNumber, initI18n, localized, t } from "./i18n.js";
import { loadSettings, provinceName } from "./settings.js";
import { loadBoundaries, unitDisplayName } from "./units.js";
import {
  FALLBACK_LEVELS, drawShapes, keepFitted, levelLabel, safeColor, setChildren, showCurrentNavLink, textOn,
} from "./views/warnings-common.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 60 * 1000;

const state = { settings: null, warnings: null, error: null, levels: FALLBACK_LEVELS, loadedAt: null };
let map = null;
let communeLayers = new Map(); // code → layer
let shapes = null;
let outline = null;
let refit = null;

const levelOf = (n) => state.levels.find((l) => l.level === n) || null;
const colorOf = (warning) => safeColor(warning.color) || safeColor(levelOf(warning.level)?.color) || "#8a94a3";
const active = () => (state.warnings || []).slice().sort((a, b) => (b.level || 0) - (a.level || 0) || String(b.effective || "").localeCompare(String(a.effective || "")));

// ---- Map ----

function setUpMap() {
  if (typeof window.L === "undefined") {
    $("warnp-map").hidden = true;
    $("warnp-map-missing").hidden = false;
    return;
  }
  map = L.map($("warnp-map"), { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false })
    .setView(state.settings?.map?.center || [12.93, 108.47], state.settings?.map?.zoom ?? 8);
  const tileURL = typeof state.settings?.map?.tileURL === "string" ? state.settings.map.tileURL.trim() : "";
  if (tileURL) L.tileLayer(tileURL, { attribution: state.settings.map.tileAttribution || "", maxZoom: 19 }).addTo(map);
  shapes = L.layerGroup().addTo(map);
  refit = keepFitted(map, $("warnp-map"), () => outline?.getBounds());
  const province = state.settings?.province?.code;
  if (!province) return;
  loadBoundaries(province).then((collection) => {
    const features = Array.isArray(collection?.features) ? collection.features : [];
    L.geoJSON({ type: "FeatureCollection", features: features.filter((f) => f.properties?.level === "commune") }, {
      onEachFeature: (feature, layer) => {
        communeLayers.set(feature.properties.code, layer);
        layer.bindTooltip(() => communeTip(feature.properties), { sticky: true, className: "unit-tooltip" });
      },
    }).addTo(map);
    const province = features.filter((f) => f.properties?.level === "province");
    if (province.length) {
      outline = L.geoJSON({ type: "FeatureCollection", features: province }, { style: () => ({ color: "#0b2545", weight: 2.5, fill: false }), interactive: false }).addTo(map);
    }
    paintMap();
    refit();
  }).catch(() => {});
}

/** The warnings covering a commune, highest level first. */
function warningsOf(code) {
  return active().filter((w) => (w.areas || []).some((a) => a.code === code));
}

function communeTip(properties) {
  const list = warningsOf(properties.code);
  return h("span", { class: "warnp-tip" }, h("strong", {}, unitDisplayName(properties)),
    list.length ? list.map((w) => h("span", {}, `${t("warn.levelShort", { level: w.level })} · ${localized(w.hazardName)}`)) : h("span", {}, t("warn.pub.noWarningHere")));
}

function paintMap() {
  if (!map || !communeLayers.size) return;
  let warned = 0;
  for (const [code, layer] of communeLayers) {
    const top = warningsOf(code)[0];
    if (top) {
      warned += 1;
      layer.setStyle({ color: "#0b2545", weight: 1.5, opacity: 0.9, fillColor: colorOf(top), fillOpacity: 0.7 });
    } else {
      layer.setStyle({ color: "#7b8ba3", weight: 0.8, opacity: 0.7, fillColor: "#eef2f7", fillOpacity: 0.5 });
    }
  }
  shapes.clearLayers();
  for (const w of active().slice().reverse()) drawShapes(shapes, w, colorOf(w));
  $("warnp-map").dataset.warned = String(warned);
}

function showOnMap(w) {
  if (!map) return;
  let bounds = null;
  for (const a of w.areas || []) {
    const layer = communeLayers.get(a.code);
    if (layer) bounds = bounds ? bounds.extend(layer.getBounds()) : L.latLngBounds(layer.getBounds().getSouthWest(), layer.getBounds().getNorthEast());
  }
  if (bounds?.isValid()) {
    refit?.stop();
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 11 });
  }
  $("warnp-map").scrollIntoView({ behavior: "smooth", block: "center" });
}

// ---- Rendering ----

function renderChrome() {
  const province = provinceName(state.settings);
  $("fr-province").textContent = province ? t("frp.provinceLine", { province }) : "";
  $("fr-demo").hidden = !state.settings?.demo;
  document.title = province ? t("warn.pub.pageTitleProvince", { province }) : t("warn.pub.pageTitle");
}

function renderStatus() {
  const box = $("warnp-status");
  const list = active();
  $("warnp-asof").textContent = state.loadedAt ? t("warn.pub.asOf", { time: formatDateTime(state.loadedAt) }) : "";
  if (!state.warnings) {
    setChildren(box, state.error ? null : h("p", { class: "muted", role: "status" }, t("app.loading")));
    return;
  }
  if (!list.length) {
    setChildren(box, h("p", { class: "warnp-calm", "data-testid": "warnp-none" }, t("warn.pub.none")));
    return;
  }
  const top = list[0];
  const color = colorOf(top);
  setChildren(box, h("p", { class: "warnp-alarm", style: `border-left-color:${color}` },
    h("strong", {}, list.length === 1 ? t("warn.pub.countOne") : t("warn.pub.count", { count: formatNumber(list.length) })), " ",
    t("warn.pub.highest", { level: top.level, name: levelLabel(top.levelName) || levelLabel(levelOf(top.level)?.name, top.level) })));
}

function warningCard(w) {
  const color = colorOf(w);
  const areas = Array.isArray(w.areas) ? w.areas : [];
  const instruction = localized(w.instruction);
  const description = localized(w.description);
  return h("article", { class: "warnp-item", "data-testid": "warnp-item", dataset: { identifier: w.identifier || "", level: String(w.level ?? "") } },
    h("header", { class: "warnp-band", style: `background:${color};color:${textOn(color)}` },
      h("span", { class: "warnp-band-level" }, t("warn.riskLevel", { level: w.level ?? "?" })),
      h("span", { class: "warnp-band-name" }, levelLabel(w.levelName) || levelLabel(levelOf(w.level)?.name, w.level)),
      h("span", { class: "warnp-band-hazard" }, localized(w.hazardName) || w.hazard || "")),
    h("div", { class: "warnp-body" },
      h("h3", { class: "warnp-headline" }, localized(w.headline)),
      h("dl", { class: "warnp-facts" },
        h("dt", {}, t("warn.pub.areas")), h("dd", {}, areas.map((a) => localized(a.name, a.nameEn) || a.code).join(", ") || "—"),
        h("dt", {}, t("warn.pub.period")), h("dd", {}, `${w.effective ? formatDateTime(w.effective) : t("warn.pub.now")} → ${w.expires ? formatDateTime(w.expires) : "—"}`)),
      description ? h("p", { class: "warnp-description" }, description) : null,
      instruction ? h("div", { class: "warnp-instruction" }, h("h4", {}, t("warn.pub.instruction")), h("p", {}, instruction)) : null,
      h("div", { class: "warnp-actions" },
        map && areas.length ? h("button", { type: "button", class: "btn btn-secondary fr-btn-small", "data-testid": "warnp-show", onclick: () => showOnMap(w) }, t("warn.pub.showOnMap")) : null,
        w.capUrl ? h("a", { class: "warnp-cap", href: w.capUrl, "data-testid": "warnp-cap", type: "application/xml" }, t("warn.pub.cap")) : null)));
}

function renderList() {
  const list = active();
  if (!state.warnings) {
    setChildren($("warnp-list"));
    return;
  }
  setChildren($("warnp-list"), list.length ? list.map(warningCard) : h("div", { class: "fr-card warnp-empty" },
    h("p", {}, t("warn.pub.noneLong")),
    h("p", { class: "muted" }, t("warn.pub.noneHint"))));
}

function renderLegend() {
  setChildren($("warnp-legend"), h("div", { class: "env-legend" },
    h("h3", { class: "env-legend-title" }, t("warn.pub.legend")),
    h("ul", { class: "env-legend-list warnp-legend-list" }, state.levels.map((l) => {
      const color = safeColor(l.color) || "#8a94a3";
      return h("li", {}, h("span", { class: "env-swatch", style: `background:${color};color:${textOn(color)};min-width:2.2rem` }, String(l.level)),
        levelLabel(l.name, l.level));
    }))));
}

function renderAll() {
  renderChrome();
  const error = $("warnp-error");
  error.hidden = !state.error;
  error.textContent = state.error ? `${t("warn.pub.loadError")} ${errorMessage(state.error)}` : "";
  renderStatus();
  renderList();
  renderLegend();
  paintMap();
}

// ---- Data ----

async function loadWarnings() {
  try {
    const list = await api.get("/api/v1/public/warnings");
    state.warnings = Array.isArray(list) ? list : [];
    state.error = null;

    state.loadedAt = new Date();
  } catch (error) {
    state.error = error;
  }
}

async function start() {
  await initI18n(["field-reports-public", "warnings", "environment"]);
  bindLanguageSwitch($("lang-switch"));
  state.settings = await loadSettings().catch(() => null);
  renderChrome();
  applyI18n();
  showCurrentNavLink();
  setUpMap();
  window.addEventListener("ioc:languagechange", renderAll);
  // The levels' names and colours (public); QĐ 18/2021's until they come.
  api.get("/api/v1/warnings/levels").then((levels) => {
    if (Array.isArray(levels) && levels.length) {
      state.levels = levels;
      renderAll();
    }
  }).catch(() => {});
  renderAll();
  await loadWarnings();
  renderAll();
  document.body.dataset.ready = "1";
  setInterval(async () => {
    await loadWarnings();
    renderAll();
  }, REFRESH_MS);
}

start();
