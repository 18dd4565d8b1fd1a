// Public transparency of field reports: a map of reports in view, a filtered list with paging and each agency's
// yearly figures. No sign-in; the API sends no personal data and this page shows none.
import { isAbort, request } from "./api.js";
import { applyI18n, bindLanguageSwitch, formatDate, formatDateTime, formatNumber, getLanguage, initI18n, localized, localizedName as named, t } from "./i18n.js";
import { h } from "./dom.js";
import { loadSettings, provinceName } from "./settings.js";
import { loadBoundaries } from "./units.js";
import { matches } from "./public-table.js";

const API = "/api/v1/field-reports";
const LIST_PAGE_SIZE = 20;
const MAP_PAGE_SIZE = 200;
const FALLBACK_VIEW = { center: [12.67, 108.04], zoom: 9 };
const OPEN = new Set(["new", "verified", "assigned", "in_progress"]);
const FIGURES_SHOWN = 10; // agencies shown before "show all" (the busiest first)
const FIRST_YEAR = 2025; // the province's communes since 1 July 2025

// Marker colours: open, overdue, awaiting rating, closed (handled), other endings. Distinct also for colour-blind eyes
// thanks to the shape of the legend and the text in every popup.
const GROUPS = {
  open: { color: "#1d5fbf", key: "frp.public.legendOpen" },
  overdue: { color: "#c81e1e", key: "frp.public.legendOverdue" },
  resolved: { color: "#d97706", key: "frp.public.legendResolved" },
  closed: { color: "#2b7a3d", key: "frp.public.legendClosed" },
  other: { color: "#6b7280", key: "frp.public.legendOther" },
};

const $ = (id) => document.getElementById(id);

const state = {
  settings: null,
  categories: [],
  units: [], // GeoJSON properties of communes
  filters: { status: "", category: "", unit: "" },
  page: 1,
  list: null, // { items, page, pageSize, total }
  listError: null,
  mapData: null, // { items, total }
  mapError: null,
  year: null,
  figures: null,
  figuresError: null,
  view: "map",
  figuresQuery: "",
  figuresAll: false,
};

/* ------------------------------------------------------------------ helpers */

function statusClass(status) {
  return /^[a-z_]+$/.test(status || "") ? status : "unknown";
}

function statusLabel(report) {
  return localized(report.statusLabel) || t(`frp.status.${statusClass(report.status)}`);
}

function groupOf(report) {
  if (OPEN.has(report.status)) return report.overdue ? "overdue" : "open";
  if (report.status === "resolved") return "resolved";
  if (report.status === "closed") return "closed";
  return "other";
}

/** GET as JSON; rejects with `{ key }` (network) or `{ problem, status }` (an error answer), or an AbortError. */
async function getJSON(path, signal) {
  const answer = await request("GET", path, undefined, { signal, as: "answer" }).catch((error) => {
    if (isAbort(error)) throw error;
    throw { key: "frp.error.network" };
  });
  if (!answer.ok) throw { problem: answer.body, status: answer.status };
  return answer.body;
}

function describe(error) {
  if (!error) return "";
  if (error.key) return t(error.key);
  const text = localized(error.problem?.messages) || error.problem?.detail;
  return text || t("frp.error.http", { status: error.status });
}

function unitName(properties) {
  if (!properties) return "";
  if (getLanguage() === "vi") return properties.fullName || properties.name || properties.code;
  const kind = { "Phường": "ward", "Xã": "commune", "Đặc khu": "specialZone" }[properties.unitType] || "other";
  return t("frp.unitName", { name: properties.nameEn || properties.name, type: t(`frp.unitType.${kind}`) });
}

function filterQuery(extra = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...state.filters, ...extra })) {
    if (value !== "" && value != null) params.set(name, String(value));
  }
  return params;
}

function statusBadges(report) {
  return [
    h("span", { class: `fr-status fr-status--${statusClass(report.status)}` }, statusLabel(report)),
    report.overdue ? h("span", { class: "fr-status fr-status--overdue" }, t("frp.overdue")) : null,
  ];
}

function trackLink(code) {
  return h("a", { href: `/theo-doi.html?code=${encodeURIComponent(code)}`, class: "pub-code" }, code);
}

function percent(value) {
  if (value == null || !Number.isFinite(Number(value))) return null;
  return `${formatNumber(Number(value) * 100, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
}

/* ------------------------------------------------------------------ header, filters */

function renderHeader() {
  const province = provinceName(state.settings);
  $("fr-province").textContent = province ? t("frp.provinceLine", { province }) : "";
  $("fr-demo").hidden = !state.settings?.demo;
  document.title = province ? t("frp.public.pageTitleProvince", { province }) : t("frp.public.pageTitle");
}

function renderFilterOptions() {
  const category = $("pub-category");
  category.replaceChildren(
    h("option", { value: "" }, t("frp.public.categoryAll")),
    ...state.categories.map((c) => h("option", { value: c.code }, localized(c.name))));
  category.value = state.filters.category;
  if (category.value !== state.filters.category) category.value = "";

  const unit = $("pub-unit");
  const units = [...state.units].sort((a, b) => unitName(a).localeCompare(unitName(b), "vi"));
  unit.replaceChildren(
    h("option", { value: "" }, t("frp.public.unitAll")),
    ...units.map((u) => h("option", { value: u.code }, unitName(u))));
  // A unit from the address bar is kept even before the boundaries arrive.
  if (state.filters.unit && !units.some((u) => u.code === state.filters.unit)) {
    unit.append(h("option", { value: state.filters.unit }, state.filters.unit));
  }
  unit.value = state.filters.unit;
  $("pub-status").value = state.filters.status;
}

function readFiltersFromURL() {
  const params = new URLSearchParams(location.search);
  const status = params.get("status");
  state.filters.status = status === "open" || status === "closed" ? status : "";
  state.filters.category = params.get("category") || "";
  state.filters.unit = params.get("unit") || "";
  const page = Number(params.get("page"));
  state.page = Number.isInteger(page) && page > 0 ? page : 1;
  const year = Number(params.get("year"));
  if (Number.isInteger(year) && year >= FIRST_YEAR && year <= currentYear()) state.year = year;
  const view = params.get("view");
  if (view === "list" || view === "map") state.view = view;
}

/** Puts the filters, page, year and view in the address: a new history entry when `push` (a page turned), so that
 * the back button returns to the previous page of the list. */
function writeURL({ push = false } = {}) {
  const params = filterQuery();
  if (state.page > 1) params.set("page", String(state.page));
  if (state.year && state.year !== currentYear()) params.set("year", String(state.year));
  if (state.view === "list") params.set("view", "list");
  const query = params.toString();
  const url = query ? `${location.pathname}?${query}` : location.pathname;
  if (url === `${location.pathname}${location.search}`) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

/** Back or forward through the pages of the list: the address is the state. */
function onPopState() {
  const year = state.year;
  state.year = currentYear();
  state.view = "map";
  readFiltersFromURL();
  renderFilterOptions();
  setView(state.page > 1 ? "list" : state.view);
  loadList();
  loadMap();
  if (state.year !== year) {
    renderYears();
    loadFigures();
  }
}

function onFilterChange() {
  state.filters.status = $("pub-status").value;
  state.filters.category = $("pub-category").value;
  state.filters.unit = $("pub-unit").value;
  state.page = 1;
  writeURL();
  loadList();
  loadMap();
  zoomToUnit();
}

function resetFilters() {
  state.filters = { status: "", category: "", unit: "" };
  renderFilterOptions();
  onFilterChange();
  if (map && provinceBounds?.isValid()) map.fitBounds(provinceBounds, { padding: [8, 8] });
}

/* ------------------------------------------------------------------ map */

let map = null;
let markerLayer = null;
let provinceBounds = null;
let unitLayers = new Map();
let mapController = null;
let mapTimer = 0;

function initMap() {
  if (typeof window.L === "undefined") {
    showMapMessage("frp.public.mapUnavailable");
    return;
  }
  const settings = state.settings || {};
  const tileURL = typeof settings.map?.tileURL === "string" ? settings.map.tileURL.trim() : "";
  map = L.map($("pub-map"), {
    zoomSnap: 0.5,
    attributionControl: Boolean(tileURL),
    scrollWheelZoom: false,
  }).setView(settings.map?.center || FALLBACK_VIEW.center, settings.map?.zoom ?? FALLBACK_VIEW.zoom);
  if (tileURL) L.tileLayer(tileURL, { attribution: settings.map.tileAttribution || "", maxZoom: 19 }).addTo(map);
  map.on("click focus", () => map.scrollWheelZoom.enable());
  map.on("mouseout blur", () => map.scrollWheelZoom.disable());
  markerLayer = L.layerGroup().addTo(map);
  map.on("moveend", () => {
    clearTimeout(mapTimer);
    mapTimer = setTimeout(loadMap, 250);
  });
  addLegend();
}

let legendEl = null;

function addLegend() {
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = () => {
    legendEl = L.DomUtil.create("div", "pub-legend");
    L.DomEvent.disableClickPropagation(legendEl);
    renderLegend();
    return legendEl;
  };
  legend.addTo(map);
}

function renderLegend() {
  if (!legendEl) return;
  legendEl.replaceChildren(
    h("p", { class: "pub-legend-title" }, t("frp.public.legendTitle")),
    h("ul", {}, ...Object.values(GROUPS).map((group) => {
      const dot = h("span", { class: "pub-legend-dot" });
      dot.style.backgroundColor = group.color;
      return h("li", {}, dot, h("span", {}, t(group.key)));
    })));
}

function showMapMessage(key) {
  const box = $("pub-map-message");
  box.textContent = key ? t(key) : "";
  box.dataset.key = key || "";
  box.hidden = !key;
}

function drawBoundaries(collection) {
  if (!map) return;
  const features = Array.isArray(collection?.features) ? collection.features : [];
  const communes = features.filter((f) => f.properties?.level === "commune");
  const outline = features.filter((f) => f.properties?.level === "province");
  const layer = L.geoJSON({ type: "FeatureCollection", features: communes }, {
    style: () => ({ color: "#1d4274", weight: 1, opacity: 0.45, fillColor: "#9fb8d9", fillOpacity: 0.1 }),
    interactive: false,
    onEachFeature: (feature, l) => unitLayers.set(feature.properties.code, l),
  }).addTo(map);
  layer.bringToBack();
  if (outline.length) {
    map.createPane("pubProvince").style.zIndex = "390";
    const province = L.geoJSON({ type: "FeatureCollection", features: outline }, {
      style: () => ({ color: "#0b2545", weight: 2.5, opacity: 0.9, fill: false }), interactive: false, pane: "pubProvince",
    }).addTo(map);
    provinceBounds = province.getBounds();
  } else {
    provinceBounds = layer.getBounds();
  }
  if (!zoomToUnit() && provinceBounds.isValid()) map.fitBounds(provinceBounds, { padding: [8, 8], animate: false });
  $("pub-map").dataset.ready = "1";
}

function zoomToUnit() {
  const layer = state.filters.unit && unitLayers.get(state.filters.unit);
  if (!map || !layer) return false;
  map.fitBounds(layer.getBounds(), { padding: [16, 16] });
  return true;
}

function bboxParam() {
  const b = map.getBounds();
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
    .map((v) => v.toFixed(5)).join(",");
}

async function loadMap() {
  if (!map) return;
  mapController?.abort();
  const controller = new AbortController();
  mapController = controller;
  const params = filterQuery({ bbox: bboxParam(), page: 1, pageSize: MAP_PAGE_SIZE });
  try {
    const body = await getJSON(`${API}/public?${params}`, controller.signal);
    state.mapData = { items: Array.isArray(body?.items) ? body.items : [], total: body?.total ?? 0 };
    state.mapError = null;
  } catch (error) {
    if (error?.name === "AbortError") return;
    state.mapError = error;
  } finally {
    if (mapController === controller) mapController = null;
  }
  renderMarkers();
}

function popupContent(report) {
  const rows = [
    [t("frp.field.category"), localized(report.category?.name)],
    [t("frp.field.unit"), named(report.unit)],
    [t("frp.field.agency"), named(report.agency)],
    [t("frp.field.received"), formatDateTime(report.receivedAt)],
    [t("frp.field.due"), formatDateTime(report.dueAt)],
    [t("frp.field.result"), report.result?.text],
  ].filter(([, value]) => value);
  return h("div", { class: "pub-popup" },
    h("p", { class: "pub-popup-code" }, trackLink(report.code)),
    h("p", { class: "pub-popup-badges" }, ...statusBadges(report)),
    h("dl", {}, ...rows.flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)])),
    h("a", { href: `/theo-doi.html?code=${encodeURIComponent(report.code)}`, class: "pub-popup-more" }, t("frp.public.popupMore")));
}

function renderMarkers() {
  if (!markerLayer) return;
  markerLayer.clearLayers();
  const count = $("pub-map-count");
  if (state.mapError) {
    count.textContent = describe(state.mapError);
    count.classList.add("is-bad");
    return;
  }
  count.classList.remove("is-bad");
  const data = state.mapData || { items: [], total: 0 };
  for (const report of data.items) {
    if (!Number.isFinite(report.lat) || !Number.isFinite(report.lon)) continue;
    const color = GROUPS[groupOf(report)].color;
    const marker = L.circleMarker([report.lat, report.lon], {
      radius: 9, color: "#ffffff", weight: 2, fillColor: color, fillOpacity: 0.95,
    });
    marker.bindPopup(() => popupContent(report), { maxWidth: 300, minWidth: 220 });
    marker.bindTooltip(() => h("span", {}, `${report.code} · ${statusLabel(report)}`), { direction: "top", offset: [0, -8] });
    marker.on("popupopen", () => marker.closeTooltip());
    marker.addTo(markerLayer);
  }
  const shown = data.items.length;
  count.textContent = shown < data.total
    ? t("frp.public.mapCountPartial", { shown: formatNumber(shown), total: formatNumber(data.total) })
    : t("frp.public.mapCount", { count: formatNumber(shown) });
  $("pub-map").dataset.markers = String(shown);
}

/* ------------------------------------------------------------------ list */

let listController = null;

async function loadList() {
  listController?.abort();
  const controller = new AbortController();
  listController = controller;
  $("pub-list").classList.add("is-busy");
  const params = filterQuery({ page: state.page, pageSize: LIST_PAGE_SIZE });
  try {
    state.list = await getJSON(`${API}/public?${params}`, controller.signal);
    state.listError = null;
  } catch (error) {
    if (error?.name === "AbortError") return;
    state.listError = error;
    state.list = null;
  } finally {
    if (listController === controller) {
      listController = null;
      $("pub-list").classList.remove("is-busy");
    }
  }
  renderList();
}

function cell(label, ...content) {
  return h("td", { "data-label": label }, ...content);
}

function renderList() {
  const body = $("pub-list").tBodies[0];
  const summary = $("pub-list-summary");
  if (state.listError) {
    body.replaceChildren(h("tr", { class: "empty-row" }, h("td", { colspan: 7 }, describe(state.listError), " ",
      h("button", { type: "button", class: "btn btn-secondary fr-btn-small", onclick: loadList }, t("frp.retry")))));
    summary.textContent = "";
    renderPager(0);
    return;
  }
  if (!state.list) return;
  const items = Array.isArray(state.list.items) ? state.list.items : [];
  const total = state.list.total ?? items.length;
  const pageSize = state.list.pageSize || LIST_PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (!items.length) {
    body.replaceChildren(h("tr", { class: "empty-row" }, h("td", { colspan: 7 }, t("frp.public.listEmpty"))));
  } else {
    body.replaceChildren(...items.map((report) => h("tr", { class: report.overdue ? "is-overdue" : null },
      cell(t("frp.field.code"), trackLink(report.code)),
      cell(t("frp.field.category"), localized(report.category?.name)),
      cell(t("frp.field.status"), h("span", { class: "pub-badges" }, ...statusBadges(report))),
      cell(t("frp.field.unit"), named(report.unit) || "—"),
      cell(t("frp.field.agency"), named(report.agency) || h("span", { class: "muted" }, t("frp.public.agencyPending"))),
      cell(t("frp.field.received"), h("span", { class: "pub-nowrap" }, formatDateTime(report.receivedAt))),
      cell(t("frp.field.due"), h("span", { class: "pub-nowrap" }, report.dueAt ? formatDateTime(report.dueAt) : "—")))));
  }
  summary.textContent = total
    ? t("frp.public.listSummary", {
      from: formatNumber((state.page - 1) * pageSize + 1),
      to: formatNumber((state.page - 1) * pageSize + items.length),
      total: formatNumber(total),
    })
    : "";
  renderPager(pages);
}

function renderPager(pages) {
  $("pub-prev").disabled = state.page <= 1 || !pages;
  $("pub-next").disabled = !pages || state.page >= pages;
  $("pub-page").textContent = pages ? t("frp.public.pageOf", { page: formatNumber(state.page), pages: formatNumber(pages) }) : "";
}

function goToPage(delta) {
  state.page = Math.max(1, state.page + delta);
  writeURL({ push: true });
  loadList().then(() => $("pub-list-summary").scrollIntoView({ block: "nearest" }));
}

/* ------------------------------------------------------------------ figures */

function currentYear() {
  return Number(formatDate(new Date()).slice(-4));
}

function renderYears() {
  const select = $("pub-year");
  const years = [];
  for (let year = currentYear(); year >= Math.min(FIRST_YEAR, currentYear()); year -= 1) years.push(year);
  select.replaceChildren(...years.map((year) => h("option", { value: String(year) }, String(year))));
  select.value = String(state.year);
}

let figuresController = null;

async function loadFigures() {
  figuresController?.abort();
  const controller = new AbortController();
  figuresController = controller;
  $("pub-figures").classList.add("is-busy");
  try {
    state.figures = await getJSON(`${API}/public-figures?year=${state.year}`, controller.signal);
    state.figuresError = null;
  } catch (error) {
    if (error?.name === "AbortError") return;
    state.figuresError = error;
    state.figures = null;
  } finally {
    if (figuresController === controller) {
      figuresController = null;
      $("pub-figures").classList.remove("is-busy");
    }
  }
  renderFigures();
  renderKPIs();
}

// Each figure cell carries its column's name (`data-label`): on a phone the table becomes one card per agency.
function num(value, label, { bad = false, digits = 0 } = {}) {
  const dataset = { label: t(label) };
  if (value == null || !Number.isFinite(Number(value))) return h("td", { class: "num pub-na", title: t("frp.fig.noData"), dataset }, "—");
  return h("td", { class: `num${bad && Number(value) > 0 ? " pub-bad" : ""}`, dataset }, formatNumber(Number(value), { maximumFractionDigits: digits, minimumFractionDigits: digits }));
}

function rate(value, label, title) {
  const text = percent(value);
  const dataset = { label: t(label) };
  if (!text) return h("td", { class: "num pub-rate pub-na", title: t("frp.fig.noData"), dataset }, "—");
  return h("td", { class: "num pub-rate", title, dataset }, text);
}

function figureCells(row) {
  return [
    rate(row.onTimeRate, "frp.fig.onTimeRate", t("frp.fig.onTimeTitle", { onTime: formatNumber(row.handledOnTime ?? 0), handled: formatNumber(row.handled ?? 0) })),
    rate(row.satisfactionRate, "frp.fig.satisfaction", t("frp.fig.satisfactionTitle", {
      satisfied: formatNumber(row.satisfied ?? 0), accepted: formatNumber(row.accepted ?? 0), rated: formatNumber(row.rated ?? 0),
    })),
    num(row.received, "frp.fig.received"),
    num(row.handledOnTime, "frp.fig.onTime"),
    num(row.handledLate, "frp.fig.late", { bad: true }),
    num(row.open, "frp.fig.open"),
    num(row.overdue, "frp.fig.overdue", { bad: true }),
    num(row.averageHandlingHours, "frp.fig.avgHours", { digits: 1 }),
  ];
}

function renderFigures() {
  const table = $("pub-figures");
  const errorBox = $("pub-figures-error");
  errorBox.hidden = !state.figuresError;
  errorBox.replaceChildren();
  if (state.figuresError) {
    errorBox.append(describe(state.figuresError), " ",
      h("button", { type: "button", class: "btn btn-secondary fr-btn-small", onclick: loadFigures }, t("frp.retry")));
  }
  const figures = state.figures;
  const rows = Array.isArray(figures?.rows) ? [...figures.rows] : [];
  // Agencies by reports received; the reports not assigned to any agency yet (no agency: still being verified) last.
  rows.sort((a, b) => !a.agency - !b.agency || (b.received ?? 0) - (a.received ?? 0) || named(a.agency).localeCompare(named(b.agency), "vi"));
  const found = rows.filter((row) => matches(row.agency ? `${row.agency.name ?? ""} ${row.agency.nameEn ?? ""}` : t("frp.fig.unassigned"), state.figuresQuery));
  // Folded: the busiest agencies, and always the reports no agency has yet.
  const shown = state.figuresAll || state.figuresQuery.trim() ? found : found.filter((row, i) => i < FIGURES_SHOWN || !row.agency);
  const more = $("pub-figures-more");
  more.hidden = shown.length >= found.length;
  more.textContent = t("frp.fig.showAll", { count: formatNumber(found.length) });
  table.tBodies[0].replaceChildren(...(shown.length
    ? shown.map((row) => h("tr", row.agency ? { dataset: { agency: row.agency.code || "" } } : { class: "pub-unassigned", dataset: { agency: "" } },
      row.agency
        ? h("th", { scope: "row", class: "pub-col-agency" }, named(row.agency))
        : h("th", { scope: "row", class: "pub-col-agency", title: t("frp.fig.unassignedTitle") }, t("frp.fig.unassigned")),
      ...figureCells(row)))
    : [h("tr", { class: "pub-empty" }, h("td", { colspan: 9 }, !figures ? "" : rows.length ? t("frp.fig.noMatch") : t("frp.fig.empty", { year: state.year })))]));
  table.tFoot.replaceChildren(...(figures?.total && rows.length
    ? [h("tr", { class: "pub-total" }, h("th", { scope: "row", class: "pub-col-agency" }, t("frp.fig.total")), ...figureCells(figures.total))]
    : []));
  $("pub-figures-asof").textContent = figures
    ? t("frp.fig.asOf", { year: figures.year ?? state.year, at: formatDateTime(figures.asOf) })
    : "";
}

function kpi(label, value, modifier) {
  return h("div", { class: `pub-kpi${modifier ? ` is-${modifier}` : ""}` },
    h("span", { class: "pub-kpi-value" }, value ?? "—"),
    h("span", { class: "pub-kpi-label" }, label));
}

function renderKPIs() {
  const box = $("pub-kpis");
  const total = state.figures?.total;
  if (!total) {
    box.replaceChildren();
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const year = state.figures.year ?? state.year;
  box.replaceChildren(
    kpi(t("frp.kpi.received", { year }), formatNumber(total.received ?? 0)),
    kpi(t("frp.kpi.handled"), formatNumber(total.handled ?? 0)),
    kpi(t("frp.kpi.onTime"), percent(total.onTimeRate), "ok"),
    kpi(t("frp.kpi.satisfaction"), percent(total.satisfactionRate), "ok"),
    kpi(t("frp.kpi.overdue"), formatNumber(total.overdue ?? 0), total.overdue ? "bad" : null),
  );
}

/* ------------------------------------------------------------------ view switch (phones) */

function setView(view) {
  state.view = view;
  $("pub-tab-map").setAttribute("aria-selected", String(view === "map"));
  $("pub-tab-list").setAttribute("aria-selected", String(view === "list"));
  $("pub-tab-map").tabIndex = view === "map" ? 0 : -1;
  $("pub-tab-list").tabIndex = view === "list" ? 0 : -1;
  document.querySelector(".pub-panels").dataset.view = view;
  writeURL();
  if (view === "map" && map) setTimeout(() => map.invalidateSize(), 0);
}

/* ------------------------------------------------------------------ start */

function onLanguageChange() {
  applyI18n();
  renderHeader();
  renderFilterOptions();
  renderLegend();
  renderMarkers();
  renderList();
  renderFigures();
  renderKPIs();
  const key = $("pub-map-message").dataset.key;
  if (key) showMapMessage(key);
}

function bind() {
  for (const id of ["pub-status", "pub-category", "pub-unit"]) $(id).addEventListener("change", onFilterChange);
  $("pub-filters").addEventListener("submit", (event) => event.preventDefault());
  $("pub-reset").addEventListener("click", resetFilters);
  $("pub-prev").addEventListener("click", () => goToPage(-1));
  $("pub-next").addEventListener("click", () => goToPage(1));
  $("pub-figures-search").addEventListener("input", (event) => {
    state.figuresQuery = event.target.value;
    renderFigures();
  });
  $("pub-figures-more").addEventListener("click", () => {
    state.figuresAll = true;
    renderFigures();
  });
  $("pub-year").addEventListener("change", () => {
    state.year = Number($("pub-year").value);
    writeURL();
    loadFigures();
  });
  $("pub-tab-map").addEventListener("click", () => setView("map"));
  $("pub-tab-list").addEventListener("click", () => setView("list"));
  document.querySelector(".pub-view-switch").addEventListener("keydown", (event) => {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    const next = state.view === "map" ? "list" : "map";
    setView(next);
    $(next === "map" ? "pub-tab-map" : "pub-tab-list").focus();
  });
  window.addEventListener("ioc:languagechange", onLanguageChange);
  window.addEventListener("popstate", onPopState);
}

async function start() {
  await initI18n();
  bindLanguageSwitch($("lang-switch"));
  readFiltersFromURL();
  state.year ??= currentYear();
  bind();
  setView(state.view);
  renderYears();
  renderFilterOptions();
  loadFigures();
  loadList();
  getJSON(`${API}/categories`).then((body) => {
    state.categories = Array.isArray(body?.items) ? body.items : [];
    renderFilterOptions();
  }).catch(() => {});
  state.settings = await loadSettings().catch(() => null);
  renderHeader();
  initMap();
  const provinceCode = state.settings?.province?.code;
  if (provinceCode) {
    loadBoundaries(provinceCode).then((collection) => {
      state.units = (collection?.features || []).filter((f) => f.properties?.level === "commune").map((f) => f.properties);
      renderFilterOptions();
      drawBoundaries(collection);
    }).catch(() => showMapMessage("frp.public.boundariesFailed"))
      .finally(() => loadMap());
  } else {
    loadMap();
  }
  document.body.dataset.ready = "1";
}

start();
