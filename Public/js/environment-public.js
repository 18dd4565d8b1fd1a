// Public air-quality and water page (moi-truong.html, no sign-in): every active station's state from
// GET /api/v1/public/environment on a map (VN_AQI circles in the colours of Bảng 1, water levels as badges, silent
// stations greyed) with a list beside it, the 48-hour chart of a chosen station (?station=CODE), the water levels
// against the alarm levels, and how VN_AQI is computed (GET /api/v1/public/environment/definition). Refreshed every
// five minutes. Vietnamese first, English on the switch.
// Test hooks (data-testid): envp-map, envp-list, envp-item (data-station), envp-station, env-chart, envp-water,
// envp-bands, envp-definition; `body[data-ready="1"]` once the stations are shown.
import { api, errorMessage } from "./api.js";
import { h } from "./dom.js";
import { applyI18n, bindLanguageSwitch, formatDateTime, formatNumber, initI18n, localized, t } from "./i18n.js";
import { loadSettings, provinceName } from "./settings.js";
import { loadBoundaries } from "./units.js";
import {
  AQI_CATEGORIES, DEFINITION, EMPTY, KINDS, PUBLIC_STATE, STATIONS, WATER_COLORS, alarmLevels, kindName, lastAtText,
  mainValue, paramValue, sortStates, stationBounds, stationMarker, textOn, waterBadge, waterLevelState, waterMargin,
} from "./views/environment-common.js";
import { drawSeriesChart } from "./views/environment-chart.js";
import { keepFitted, showCurrentNavLink } from "./views/warnings-common.js";

const $ = (id) => document.getElementById(id);
const CODE = /^[A-Za-z0-9._-]{1,64}$/;
const REFRESH_MS = 5 * 60 * 1000;

const state = {
  settings: null, list: null, error: null, definition: null, selected: "", series: null, seriesError: null, seriesSeq: 0,
  loadedAt: null,
};
let map = null;
let markers = null;
let chart = null;
let fitted = false;
let refit = null;

const categories = () => (Array.isArray(state.definition?.categories) && state.definition.categories.length ? state.definition.categories : AQI_CATEGORIES);
const byCode = (code) => state.list?.find((s) => s.station?.code === code) || null;

function chosenFromAddress() {
  const code = new URLSearchParams(location.search).get("station") || "";
  return CODE.test(code) ? code : "";
}

function writeAddress() {
  const url = new URL(location.href);
  if (state.selected) url.searchParams.set("station", state.selected);
  else url.searchParams.delete("station");
  if (url.href !== location.href) history.replaceState(null, "", url);
}

// ---- Map ----

function setUpMap() {
  if (typeof window.L === "undefined") {
    $("envp-map").hidden = true;
    $("envp-map-missing").hidden = false;
    return;
  }
  const center = state.settings?.map?.center || [12.93, 108.47];
  map = L.map($("envp-map"), { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false }).setView(center, state.settings?.map?.zoom ?? 8);
  const tileURL = typeof state.settings?.map?.tileURL === "string" ? state.settings.map.tileURL.trim() : "";
  if (tileURL) L.tileLayer(tileURL, { attribution: state.settings.map.tileAttribution || "", maxZoom: 19 }).addTo(map);
  markers = L.layerGroup().addTo(map);
  refit = keepFitted(map, $("envp-map"), () => (state.list?.length ? stationBounds(state.list)?.pad(0.12) : null));
  const province = state.settings?.province?.code;
  if (province) {
    loadBoundaries(province).then((collection) => {
      const features = Array.isArray(collection?.features) ? collection.features : [];
      L.geoJSON({ type: "FeatureCollection", features: features.filter((f) => f.properties?.level === "commune") }, {
        style: () => ({ color: "#7b8ba3", weight: 0.8, opacity: 0.6, fillColor: "#dfe7f1", fillOpacity: 0.35 }), interactive: false,
      }).addTo(map).bringToBack();
      const outline = features.filter((f) => f.properties?.level === "province");
      if (outline.length) L.geoJSON({ type: "FeatureCollection", features: outline }, { style: () => ({ color: "#0b2545", weight: 2.5, fill: false }), interactive: false }).addTo(map);
    }).catch(() => {});
  }
}

function drawMarkers() {
  if (!map || !state.list) return;
  markers.clearLayers();
  for (const s of state.list) {
    if (typeof s.station?.lat !== "number" || typeof s.station?.lon !== "number") continue;
    stationMarker(s, { selected: s.station.code === state.selected }).on("click", () => select(s.station.code, { scroll: false })).addTo(markers);
  }
  if (!fitted) {
    refit();
    fitted = true;
  }
}

// ---- Rendering ----

function renderChrome() {
  const province = provinceName(state.settings);
  $("fr-province").textContent = province ? t("frp.provinceLine", { province }) : "";
  $("fr-demo").hidden = !state.settings?.demo;
  document.title = province ? t("env.pub.pageTitleProvince", { province }) : t("env.pub.pageTitle");
}

function renderList() {
  const list = $("envp-list");
  if (!state.list) {
    list.replaceChildren(state.error ? "" : h("li", { class: "muted", role: "status" }, t("app.loading")));
    return;
  }
  if (!state.list.length) {
    list.replaceChildren(h("li", { class: "muted" }, t("env.pub.none")));
    return;
  }
  list.replaceChildren(...sortStates(state.list).map((s) => h("li", {},
    h("button", {
      type: "button", class: `envp-item${s.silent ? " is-silent" : ""}`, "data-testid": "envp-item", dataset: { station: s.station.code },
      "aria-pressed": String(s.station.code === state.selected), onclick: () => select(s.station.code),
    },
    h("span", { class: "envp-item-name" }, s.station.name),
    h("span", { class: "envp-item-meta" }, [kindName(s.station), s.station.unitName, s.silent ? t("env.silent") : lastAtText(s)].filter(Boolean).join(" · ")),
    h("span", { class: "envp-item-value" }, mainValue(s, { compact: true }))))));
  $("envp-asof").textContent = state.loadedAt ? t("env.pub.asOf", { time: formatDateTime(state.loadedAt) }) : "";
}

function renderLegend() {
  $("envp-legend").replaceChildren(h("div", { class: "env-legend" },
    h("h3", { class: "env-legend-title" }, t("env.legend.aqi")),
    h("ul", { class: "env-legend-list" }, categories().map((c) => h("li", {},
      h("span", { class: "env-swatch", style: `background:${c.color};color:${textOn(c.color)}` }, `${c.lower}–${c.upper}`),
      localized(c.name, c.nameEn)))),
    h("h3", { class: "env-legend-title" }, t("env.legend.water")),
    h("ul", { class: "env-legend-list" }, [0, 1, 2, 3].map((level) => h("li", {},
      h("span", { class: "env-swatch", style: `background:${WATER_COLORS[level]};color:${textOn(WATER_COLORS[level])}` }, t(`env.water.short${level}`)),
      t(`env.water.level${level}`)))),
    h("p", { class: "muted env-legend-note" }, t("env.legend.silent"))));
}

function renderSelect() {
  const select = $("envp-station");
  const list = sortStates(state.list || []);
  select.replaceChildren(...KINDS.filter((kind) => list.some((s) => s.station.kind === kind)).map((kind) => h("optgroup", { label: t(`env.kind.${kind}`) },
    list.filter((s) => s.station.kind === kind).map((s) => h("option", { value: s.station.code }, s.station.name)))));
  select.value = state.selected;
  select.disabled = !list.length;
}

function renderNow() {
  const s = byCode(state.selected);
  if (!s) {
    $("envp-now").replaceChildren();
    return;
  }
  const aqi = s.station.kind === "air" ? s.aqi : null;
  $("envp-now").replaceChildren(...[
    mainValue(s),
    aqi && typeof aqi.aqi !== "number" && (aqi.reason || aqi.reasonEn) ? h("span", { class: "muted" }, localized(aqi.reason, aqi.reasonEn)) : null,
    s.silent ? h("span", { class: "badge badge-bad" }, t("env.silent")) : null,
    h("span", { class: "muted" }, t("env.updated", { time: lastAtText(s) })),
    s.station.kind === "water" ? h("span", { class: "muted" }, waterMargin(s)) : null,
  ].filter(Boolean));
}

async function renderChart() {
  const slot = $("envp-chart");
  chart?.destroy();
  chart = null;
  if (state.seriesError) {
    slot.replaceChildren(h("div", { class: "alert alert-error", role: "alert" }, errorMessage(state.seriesError)));
    return;
  }
  if (!state.series) {
    slot.replaceChildren(state.selected ? h("p", { class: "muted", role: "status" }, t("app.loading")) : "");
    return;
  }
  try {
    chart = await drawSeriesChart(slot, state.series, { categories: categories(), height: window.matchMedia("(max-width: 640px)").matches ? 240 : 300 });
  } catch {
    slot.replaceChildren(h("div", { class: "alert alert-error", role: "alert" }, t("env.chart.failed")));
  }
}

/** The level against the alarm levels on a coloured scale (green, yellow, orange, red). */
function gauge(s) {
  const levels = alarmLevels(s.station);
  const value = s.latest?.water_level;
  if (!levels || typeof value !== "number") return EMPTY;
  const known = levels.filter((v) => v != null);
  const first = Math.min(...known);
  const last = Math.max(...known);
  const span = Math.max(last - first, 1);
  const lo = Math.min(first - span, value);
  const hi = Math.max(last + span / 3, value);
  const pct = (v) => Math.max(0, Math.min(100, ((v - lo) / (hi - lo)) * 100));
  const stops = [];
  let from = 0;
  levels.forEach((v, i) => {
    if (v == null) return;
    stops.push(`${WATER_COLORS[i]}33 ${from}% ${pct(v)}%`);
    from = pct(v);
  });
  stops.push(`${WATER_COLORS[3]}33 ${from}% 100%`);
  return h("span", {
    class: "envp-gauge", style: `background:linear-gradient(90deg, ${stops.join(", ")})`, role: "img",
    "aria-label": `${paramValue("water_level", value)} · ${waterMargin(s)}`,
  },
  levels.map((v, i) => (v == null ? null : h("span", { class: "envp-gauge-mark", style: `left:${pct(v)}%;background:${WATER_COLORS[i + 1]}`, title: t(`env.water.level${i + 1}`) }))),
  h("span", { class: "envp-gauge-value", style: `left:${pct(value)}%` }));
}

function renderWater() {
  const water = sortStates(state.list || []).filter((s) => s.station.kind === "water");
  if (!state.list) {
    $("envp-water").replaceChildren();
    return;
  }
  if (!water.length) {
    $("envp-water").replaceChildren(h("p", { class: "muted" }, t("env.pub.noWater")));
    return;
  }
  const col = (key) => t(`env.pub.water.${key}`);
  const level = (s, i) => {
    const v = alarmLevels(s.station)?.[i];
    return v == null ? EMPTY : formatNumber(v);
  };
  $("envp-water").replaceChildren(h("div", { class: "pub-figures-wrap" },
    h("table", { class: "envp-water" },
      h("caption", { class: "visually-hidden" }, t("env.pub.waterTitle")),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, col("station")), h("th", { scope: "col" }, col("river")),
        h("th", { scope: "col", class: "num" }, col("level")),
        ...[1, 2, 3].map((i) => h("th", { scope: "col", class: "num" }, t(`env.water.short${i}`))),
        h("th", { scope: "col" }, col("gauge")), h("th", { scope: "col" }, col("status")))),
      h("tbody", {}, water.map((s) => h("tr", { dataset: { station: s.station.code }, "data-testid": "envp-water-row" },
        h("th", { scope: "row" }, h("button", { type: "button", class: "env-link", onclick: () => select(s.station.code) }, s.station.name),
          h("span", { class: "ps-code" }, `${s.station.unitName || ""} · ${lastAtText(s)}`)),
        h("td", { "data-label": col("river") }, s.station.river || EMPTY),
        h("td", { class: "num", "data-label": col("level") }, h("strong", {}, paramValue("water_level", s.latest?.water_level))),
        ...[0, 1, 2].map((i) => h("td", { class: "num envp-lv", "data-label": t(`env.water.short${i + 1}`) }, level(s, i))),
        h("td", {}, gauge(s)),
        h("td", { "data-label": col("status") }, waterBadge(waterLevelState(s), { silent: s.silent }),
          h("span", { class: "ps-code" }, s.silent ? t("env.silent") : waterMargin(s)))))))));
}

function renderDefinition() {
  const cats = categories();
  $("envp-bands").replaceChildren(h("div", { class: "pub-figures-wrap" },
    h("table", { class: "envp-bangs" },
      h("caption", { class: "env-legend-title", style: "text-align:left;padding:0 0 0.4rem" }, t("env.pub.bandsCaption")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("env.pub.bands.range")), h("th", { scope: "col" }, t("env.pub.bands.category")),
        h("th", { scope: "col" }, t("env.pub.bands.color")))),
      h("tbody", {}, cats.map((c) => h("tr", { dataset: { level: String(c.level) } },
        h("td", {}, `${c.lower} – ${c.upper}`),
        h("td", {}, h("strong", {}, localized(c.name, c.nameEn))),
        h("td", {}, h("span", { class: "env-swatch", style: `background:${c.color};color:${textOn(c.color)}` },
          Array.isArray(c.rgb) ? `RGB ${c.rgb.join(", ")}` : c.color))))))));
  const text = localized(state.definition?.vi, state.definition?.en);
  const body = $("envp-definition");
  if (!text) {
    body.replaceChildren(state.definition === false ? h("p", { class: "muted" }, t("env.pub.definitionMissing")) : h("p", { class: "muted" }, t("app.loading")));
    return;
  }
  // Paragraphs are separated by blank lines; lines starting with "•" are the points of a list.
  body.replaceChildren(...text.split(/\n\s*\n/).map((block) => {
    const lines = block.split("\n").map((line) => line.trim()).filter(Boolean);
    const intro = lines.filter((line) => !line.startsWith("•"));
    const points = lines.filter((line) => line.startsWith("•")).map((line) => line.replace(/^•\s*/, ""));
    return [
      intro.length ? h("p", {}, intro.join("\n")) : null,
      points.length ? h("ul", {}, points.map((point) => h("li", {}, point))) : null,
    ];
  }).flat().filter(Boolean));
}

function renderAll() {
  renderChrome();
  const error = $("envp-error");
  error.hidden = !state.error;
  error.textContent = state.error ? `${t("env.pub.loadError")} ${errorMessage(state.error)}` : "";
  renderList();
  renderLegend();
  renderSelect();
  renderNow();
  renderWater();
  renderDefinition();
  drawMarkers();
}

// ---- Data ----

async function loadSeries() {
  const code = state.selected;
  const seq = ++state.seriesSeq;
  state.series = null;
  state.seriesError = null;
  if (!code) {
    renderChart();
    return;
  }
  try {
    const series = await api.get(`${STATIONS}/${encodeURIComponent(code)}/series?hours=48`);
    if (seq !== state.seriesSeq) return;
    state.series = series;
  } catch (error) {
    if (seq !== state.seriesSeq) return;
    state.seriesError = error;
  }
  renderChart();
}

function select(code, { scroll = true } = {}) {
  if (!byCode(code)) return;
  state.selected = code;
  writeAddress();
  renderList();
  renderSelect();
  renderNow();
  drawMarkers();
  const s = byCode(code);
  if (map && s) map.panTo([s.station.lat, s.station.lon]);
  loadSeries();
  if (scroll) $("envp-chart-heading").scrollIntoView({ behavior: "smooth", block: "start" });
}

async function loadState() {
  try {
    const list = await api.get(PUBLIC_STATE);
    state.list = Array.isArray(list) ? list : [];
    state.error = null;
    state.loadedAt = new Date();
  } catch (error) {
    state.error = error;
  }
  if (!byCode(state.selected)) {
    // The first air station with an AQI, else the first station.
    const list = sortStates(state.list || []);
    state.selected = (list.find((s) => s.station.kind === "air" && typeof s.aqi?.aqi === "number") || list[0])?.station?.code || "";
  }
}

async function start() {
  await initI18n(["field-reports-public", "environment", "warnings"]);
  bindLanguageSwitch($("lang-switch"));
  state.selected = chosenFromAddress();
  state.settings = await loadSettings().catch(() => null);
  renderChrome();
  applyI18n();
  showCurrentNavLink();
  setUpMap();
  window.addEventListener("ioc:languagechange", () => {
    renderAll();
    renderChart();
  });
  $("envp-station").addEventListener("change", (event) => select(event.target.value, { scroll: false }));
  api.get(DEFINITION).then((definition) => {
    state.definition = definition;
    renderLegend();
    renderDefinition();
  }).catch(() => {
    state.definition = false;
    renderDefinition();
  });
  renderAll();
  await loadState();
  writeAddress();
  renderAll();
  await loadSeries();
  document.body.dataset.ready = "1";
  setInterval(async () => {
    await loadState();
    renderAll();
    loadSeries();
  }, REFRESH_MS);
}

start();
