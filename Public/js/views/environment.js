// Environment and water (Môi trường – thủy văn, #/environment): the stations on a map (air: VN_AQI circle in its
// category's colour; water: the alarm level I/II/III as a coloured badge; silent stations greyed), figures at a glance,
// a table (Trạm, Loại, Xã/phường, VN_AQI / giá trị, Cập nhật) and, for the chosen station, its facts and 48-hour chart.
// Admins add and change stations (views/environment-form.js). The page follows the public live topic `environment`.
// State in the hash: #/environment?station=CODE.
// Test hooks (data-testid): env-map, env-kpis, env-filter-<kind>, env-search, env-table, env-row (data-station),
// env-detail (data-station), env-chart, env-add, env-edit, env-form (see environment-form.js).
import { api, errorMessage } from "../api.js";
import { h, icon } from "../dom.js";
import { formatNumber, localized, t } from "../i18n.js";
import { loadBoundaries } from "../units.js";
import { matches } from "../public-table.js";
import { LiveConnection } from "../wall/live.js";
import {
  AQI_CATEGORIES, DEFINITION, EMPTY, KINDS, STATIONS, WATER_COLORS, aqiBadge, alarmLevels, kindName, lastAtText, latestList,
  mainValue, paramName, paramValue, sortStates, stationBounds, stationMarker, textOn, waterLevelState,
} from "./environment-common.js";
import { drawSeriesChart } from "./environment-chart.js";
import { stationForm } from "./environment-form.js";

const ROUTE = "environment";
const CODE = /^[A-Za-z0-9._-]{1,64}$/;
const LIVE_DEBOUNCE_MS = 1500;
const FALLBACK_VIEW = { center: [12.93, 108.47], zoom: 8 };

function ensureStylesheet(href) {
  if (!document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) document.head.append(h("link", { rel: "stylesheet", href }));
}

/** Replaces an element's children, skipping null and false (like `h`). */
function setChildren(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((child) => child != null && child !== false));
}

function readLocation() {
  const query = location.hash.split("?")[1] || "";
  const code = new URLSearchParams(query).get("station") || "";
  return CODE.test(code) ? code : "";
}

function liveURL() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/live`;
}

export function mount(root, { settings, user }) {
  ensureStylesheet("/css/environment.css");
  const isAdmin = user?.role === "admin";
  const state = {
    list: null, error: null, loading: false, seq: 0, kind: "all", query: "", selected: readLocation(),
    categories: AQI_CATEGORIES, series: null, seriesError: null, seriesSeq: 0,
  };
  let removed = false;
  let chart = null;

  // ---- Skeleton ----

  const heading = h("h1", {});
  const intro = h("p", { class: "page-intro" });
  const refreshButton = h("button", { type: "button", class: "btn btn-secondary", "data-testid": "env-refresh", onclick: () => load(true) });
  const addButton = isAdmin ? h("button", { type: "button", class: "btn btn-primary", "data-testid": "env-add", onclick: () => openForm(null) }) : null;
  const header = h("header", { class: "page-header" },
    h("div", { class: "page-heading" }, heading, intro),
    h("div", { class: "page-tools" }, refreshButton, addButton));
  const formSlot = h("div", { class: "env-form-slot" });
  const kpis = h("div", { class: "ps-kpis env-kpis", "data-testid": "env-kpis" });
  const mapEl = h("div", { class: "env-map", "data-testid": "env-map", role: "region" });
  const mapNote = h("p", { class: "env-map-note muted", hidden: true });
  const detail = h("aside", { class: "card env-detail", "data-testid": "env-detail", "aria-live": "polite" });
  const filters = h("div", { class: "env-filters", role: "group" });
  const search = h("input", { type: "search", class: "env-search", "data-testid": "env-search", autocomplete: "off" });
  search.addEventListener("input", () => {
    state.query = search.value;
    renderTable();
  });
  const tableBox = h("div", { class: "env-table-box" });
  const errorEl = h("div", { class: "alert alert-error", role: "alert", hidden: true });
  root.append(header, formSlot, errorEl, kpis,
    h("div", { class: "env-layout" }, h("div", { class: "card env-map-card" }, mapEl, mapNote), detail),
    h("section", { class: "env-stations" }, h("div", { class: "env-table-head" }, h("h2", { class: "ps-subtitle env-table-title" }), filters, search), tableBox));

  // ---- Map ----

  let map = null;
  let markerLayer = null;
  let pickMarker = null;
  let onMapPick = null;
  let fitted = false;
  let resizeObserver = null;
  if (typeof window.L !== "undefined") {
    const center = settings?.map?.center || FALLBACK_VIEW.center;
    map = L.map(mapEl, { zoomSnap: 0.25, attributionControl: false }).setView(center, settings?.map?.zoom ?? FALLBACK_VIEW.zoom);
    const tileURL = typeof settings?.map?.tileURL === "string" ? settings.map.tileURL.trim() : "";
    if (tileURL) L.tileLayer(tileURL, { attribution: settings.map.tileAttribution || "", maxZoom: 19 }).addTo(map);
    markerLayer = L.layerGroup().addTo(map);
    resizeObserver = new ResizeObserver(() => {
      map.invalidateSize({ pan: false });
      if (!fitted) fitted = fitStations();
    });
    resizeObserver.observe(mapEl);
    map.on("click", (event) => {
      if (!onMapPick) return;
      const lat = Math.round(event.latlng.lat * 1e5) / 1e5;
      const lon = Math.round(event.latlng.lng * 1e5) / 1e5;
      if (pickMarker) pickMarker.setLatLng([lat, lon]);
      else pickMarker = L.circleMarker([lat, lon], { radius: 8, color: "#0b2545", weight: 3, fillColor: "#e0b84c", fillOpacity: 1 }).addTo(map);
      onMapPick(lat, lon);
    });
    if (settings?.province?.code) {
      loadBoundaries(settings.province.code).then((collection) => {
        if (removed) return;
        const features = Array.isArray(collection?.features) ? collection.features : [];
        L.geoJSON({ type: "FeatureCollection", features: features.filter((f) => f.properties?.level === "commune") }, {
          style: () => ({ color: "#7b8ba3", weight: 0.8, opacity: 0.6, fillColor: "#dfe7f1", fillOpacity: 0.35 }), interactive: false,
        }).addTo(map).bringToBack();
        const outline = features.filter((f) => f.properties?.level === "province");
        if (outline.length) L.geoJSON({ type: "FeatureCollection", features: outline }, { style: () => ({ color: "#0b2545", weight: 2.5, fill: false }), interactive: false }).addTo(map);
        if (!fitted && !state.list?.length && mapEl.clientHeight >= 50) {
          const bounds = L.geoJSON({ type: "FeatureCollection", features: outline.length ? outline : features }).getBounds();
          if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
        }
      }).catch(() => {});
    }
  } else {
    mapNote.hidden = false;
  }

  function drawMarkers() {
    if (!map) return;
    markerLayer.clearLayers();
    for (const s of shownStates({ all: true })) {
      if (typeof s.station?.lat !== "number" || typeof s.station?.lon !== "number") continue;
      const marker = stationMarker(s, { selected: s.station.code === state.selected });
      marker.on("click", () => select(s.station.code));
      marker.addTo(markerLayer);
    }
    if (!fitted) fitted = fitStations();
  }

  /** Fits the stations once the map has its size (the page's stylesheet may still be loading). */
  function fitStations() {
    if (!map || !state.list?.length || mapEl.clientHeight < 50) return false;
    const bounds = stationBounds(state.list);
    if (bounds) map.fitBounds(bounds.pad(0.15), { maxZoom: 11, animate: false });
    return true;
  }

  // ---- Data ----

  async function load(force = false) {
    const seq = ++state.seq;
    state.loading = true;
    renderStatic();
    try {
      const list = await api.get(STATIONS);
      if (removed || seq !== state.seq) return;
      state.list = Array.isArray(list) ? list : [];
      state.error = null;
    } catch (error) {
      if (removed || seq !== state.seq) return;
      state.error = error;
    }
    state.loading = false;
    renderAll();
    if (state.selected) loadSeries(force);
  }

  async function loadSeries() {
    const code = state.selected;
    const seq = ++state.seriesSeq;
    state.seriesError = null;
    try {
      const series = await api.get(`${STATIONS}/${encodeURIComponent(code)}/series?hours=48`);
      if (removed || seq !== state.seriesSeq) return;
      state.series = series;
    } catch (error) {
      if (removed || seq !== state.seriesSeq) return;
      state.series = null;
      state.seriesError = error;
    }
    renderChart();
  }

  api.get(DEFINITION).then((definition) => {
    if (!removed && Array.isArray(definition?.categories) && definition.categories.length) {
      state.categories = definition.categories;
      renderDetail();
    }
  }).catch(() => {});

  function byCode(code) {
    return state.list?.find((s) => s.station?.code === code) || null;
  }

  function shownStates({ all = false } = {}) {
    const list = sortStates(state.list || []);
    if (all) return list;
    return list.filter((s) => (state.kind === "all" || s.station?.kind === state.kind)
      && matches(`${s.station?.name} ${s.station?.code} ${s.station?.unitName} ${s.station?.river || ""}`, state.query));
  }

  // ---- Selection ----

  function writeLocation() {
    if (removed) return;
    const hash = `#/${ROUTE}${state.selected ? `?station=${encodeURIComponent(state.selected)}` : ""}`;
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
  }

  function select(code, { pan = true, reveal = false } = {}) {
    state.selected = code || "";
    state.series = null;
    state.seriesError = null;
    writeLocation();
    drawMarkers();
    renderTable();
    renderDetail();
    const s = byCode(code);
    if (s && map && pan) map.panTo([s.station.lat, s.station.lon]);
    if (code) loadSeries();
    // From the table on a narrow screen the detail is above, out of sight.
    if (code && reveal && window.matchMedia("(max-width: 1100px)").matches) detail.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  // ---- Rendering ----

  function renderStatic() {
    heading.textContent = t("nav.environment");
    intro.textContent = t("env.intro");
    refreshButton.replaceChildren(icon("refresh"), h("span", {}, t("table.refresh")));
    refreshButton.disabled = state.loading;
    if (addButton) addButton.replaceChildren(icon("plus"), h("span", {}, t("env.add")));
    mapEl.setAttribute("aria-label", t("env.mapLabel"));
    mapNote.textContent = t("env.mapMissing");
    search.placeholder = t("env.searchPlaceholder");
    search.setAttribute("aria-label", t("env.search"));
    root.querySelector(".env-table-title").textContent = t("env.tableTitle");
    filters.setAttribute("aria-label", t("env.filterKind"));
    const count = (kind) => (state.list || []).filter((s) => kind === "all" || s.station?.kind === kind).length;
    // Kinds with no station are left out (unless chosen).
    const kinds = ["all", ...KINDS.filter((kind) => count(kind) || state.kind === kind)];
    filters.replaceChildren(...kinds.map((kind) => h("button", {
      type: "button", class: "env-filter", "aria-pressed": String(state.kind === kind), "data-testid": `env-filter-${kind}`,
      onclick: () => {
        state.kind = kind;
        renderStatic();
        renderTable();
      },
    }, kind === "all" ? t("env.kind.all") : t(`env.kind.${kind}`), h("span", { class: "env-filter-count" }, formatNumber(count(kind))))));
  }

  function renderKpis() {
    const list = state.list || [];
    const air = list.filter((s) => s.station?.kind === "air" && typeof s.aqi?.aqi === "number" && !s.silent);
    const worst = air.reduce((a, b) => (!a || b.aqi.aqi > a.aqi.aqi ? b : a), null);
    const water = list.filter((s) => s.station?.kind === "water");
    const alarmed = water.filter((s) => (waterLevelState(s) || 0) > 0);
    const silent = list.filter((s) => s.silent);
    const kpi = (value, label, tone, extra, testid) => h("div", { class: `ps-kpi ${tone ? `is-${tone}` : ""}`, "data-testid": testid },
      h("span", { class: "ps-kpi-value" }, value), h("span", { class: "ps-kpi-label" }, label), extra);
    kpis.replaceChildren(
      kpi(formatNumber(list.length), t("env.kpi.stations"), null, null, "env-kpi-stations"),
      kpi(worst ? formatNumber(worst.aqi.aqi) : EMPTY, t("env.kpi.worstAqi"), worst && worst.aqi.aqi > 100 ? "bad" : worst && worst.aqi.aqi > 50 ? "warn" : "ok",
        worst ? h("span", { class: "env-kpi-note" }, worst.station.name, " ", aqiBadge(worst.aqi)) : null, "env-kpi-aqi"),
      kpi(`${formatNumber(alarmed.length)}/${formatNumber(water.length)}`, t("env.kpi.waterAlarm"), alarmed.length ? "bad" : "ok", null, "env-kpi-water"),
      kpi(formatNumber(silent.length), t("env.kpi.silent"), silent.length ? "warn" : "ok",
        silent.length ? h("span", { class: "env-kpi-note" }, silent.map((s) => s.station.name).join(", ")) : null, "env-kpi-silent"));
  }

  function renderTable() {
    if (!state.list) {
      tableBox.replaceChildren(state.error ? "" : h("p", { class: "muted", role: "status" }, t("app.loading")));
      return;
    }
    const rows = shownStates();
    const col = (key) => t(`env.col.${key}`);
    tableBox.replaceChildren(h("div", { class: "table-wrap" },
      h("table", { class: "data-table env-table", "data-testid": "env-table" },
        h("caption", { class: "visually-hidden" }, t("env.tableTitle")),
        h("thead", {}, h("tr", {}, ["station", "kind", "unit", "value", "updated"].map((key) => h("th", { scope: "col" }, col(key))))),
        h("tbody", {}, rows.length ? rows.map((s) => {
          const st = s.station;
          const selected = st.code === state.selected;
          return h("tr", {
            class: `env-row${selected ? " is-selected" : ""}${s.silent ? " is-silent" : ""}`, "data-testid": "env-row",
            dataset: { station: st.code, kind: st.kind }, "aria-selected": String(selected), onclick: () => select(st.code, { reveal: true }),
          },
          h("td", { "data-label": col("station") },
            h("button", { type: "button", class: "env-link", onclick: (event) => {
              event.stopPropagation();
              select(st.code, { reveal: true });
            } }, st.name || st.code),
            h("span", { class: "ps-code mono" }, st.code), st.active === false ? h("span", { class: "badge badge-muted" }, t("env.inactive")) : null),
          h("td", { "data-label": col("kind") }, kindName(st), st.river ? h("span", { class: "ps-code" }, t("env.river", { river: st.river })) : null),
          h("td", { "data-label": col("unit") }, st.unitName || EMPTY),
          h("td", { "data-label": col("value") }, mainValue(s)),
          h("td", { "data-label": col("updated") }, h("span", { class: "env-nowrap" }, lastAtText(s)),
            s.silent ? h("span", { class: "badge badge-bad env-silent-badge", "data-testid": "env-silent" }, t("env.silent")) : null));
        }) : h("tr", { class: "empty-row" }, h("td", { colspan: 5 }, t("env.noMatch")))))));
  }

  function fact(label, value) {
    if (value == null || value === "") return null;
    return [h("dt", {}, label), h("dd", {}, value)];
  }

  function legend() {
    return h("div", { class: "env-legend" },
      h("h3", { class: "env-legend-title" }, t("env.legend.aqi")),
      h("ul", { class: "env-legend-list" }, state.categories.map((c) => h("li", {},
        h("span", { class: "env-swatch", style: `background:${c.color};color:${textOn(c.color)}` }, `${c.lower}–${c.upper}`),
        localized(c.name, c.nameEn)))),
      h("h3", { class: "env-legend-title" }, t("env.legend.water")),
      h("ul", { class: "env-legend-list" }, [0, 1, 2, 3].map((level) => h("li", {},
        h("span", { class: "env-swatch", style: `background:${WATER_COLORS[level]};color:${textOn(WATER_COLORS[level])}` }, t(`env.water.short${level}`)),
        t(`env.water.level${level}`)))),
      h("p", { class: "muted env-legend-note" }, t("env.legend.silent")));
  }

  function renderDetail() {
    const s = byCode(state.selected);
    detail.dataset.station = s?.station?.code || "";
    if (!s) {
      setChildren(detail,
        h("p", { class: "panel-kicker" }, t("env.detail.none")),
        h("p", { class: "panel-hint" }, t("env.detail.hint")),
        legend());
      return;
    }
    const st = s.station;
    const levels = alarmLevels(st);
    const aqi = st.kind === "air" ? s.aqi : null;
    setChildren(detail,
      h("div", { class: "panel-head" },
        h("div", {},
          h("p", { class: "panel-kicker" }, kindName(st)),
          h("h2", { class: "panel-title", "data-testid": "env-detail-title" }, st.name || st.code)),
        h("button", { type: "button", class: "icon-button panel-close", title: t("env.detail.close"), "aria-label": t("env.detail.close"), onclick: () => select("") }, icon("close"))),
      h("div", { class: "env-detail-main" }, mainValue(s),
        s.silent ? h("span", { class: "badge badge-bad" }, t("env.silent")) : null,
        aqi && typeof aqi.aqi === "number" ? h("span", { class: "muted" }, t("env.dominant", { param: paramName(aqi.dominant) })) : null,
        aqi && typeof aqi.aqi !== "number" && (aqi.reason || aqi.reasonEn) ? h("span", { class: "muted" }, localized(aqi.reason, aqi.reasonEn)) : null),
      h("dl", { class: "facts env-facts" },
        fact(t("env.fact.code"), h("span", { class: "mono" }, st.code)),
        fact(t("env.fact.unit"), st.unitName),
        fact(t("env.fact.river"), st.river),
        fact(t("env.fact.owner"), st.ownerAgency),
        fact(t("env.fact.position"), `${st.lat.toFixed(5)}, ${st.lon.toFixed(5)}`),
        fact(t("env.fact.interval"), st.intervalSeconds ? t("env.minutes", { count: formatNumber(st.intervalSeconds / 60) }) : null),
        fact(t("env.fact.updated"), lastAtText(s)),
        levels ? fact(t("env.fact.levels"), levels.map((v, i) => (v == null ? null : `${t(`env.water.short${i + 1}`)} ${formatNumber(v)} cm`)).filter(Boolean).join(" · ")) : null),
      valuesTable(s),
      h("h3", { class: "env-chart-title" }, t("env.chart.heading")),
      h("div", { class: "env-chart", "data-testid": "env-chart-slot" }, h("p", { class: "muted", role: "status" }, t("app.loading"))),
      isAdmin ? h("div", { class: "panel-actions" },
        h("button", { type: "button", class: "btn btn-secondary", "data-testid": "env-edit", onclick: () => openForm(st) }, t("env.edit"))) : null);
    renderChart();
  }

  function valuesTable(s) {
    const rows = latestList(s);
    if (!rows.length) return null;
    const air = s.station.kind === "air";
    return h("table", { class: "env-values" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("env.col.param")), h("th", { scope: "col", class: "num" }, t("env.col.latest")),
        air ? h("th", { scope: "col", class: "num" }, t("env.col.subIndex")) : null)),
      h("tbody", {}, rows.map((p) => h("tr", { dataset: { param: p.code } },
        h("th", { scope: "row" }, paramName(p.code)),
        h("td", { class: "num" }, paramValue(p.code, p.value)),
        air ? h("td", { class: "num" }, typeof s.aqi?.subIndices?.[p.code] === "number" ? formatNumber(s.aqi.subIndices[p.code]) : EMPTY) : null))));
  }

  async function renderChart() {
    const slot = detail.querySelector(".env-chart");
    if (!slot) return;
    chart?.destroy();
    chart = null;
    if (state.seriesError) {
      slot.replaceChildren(h("div", { class: "alert alert-error", role: "alert" }, errorMessage(state.seriesError)));
      return;
    }
    if (!state.series || state.series.station?.code !== state.selected) return;
    try {
      const drawn = await drawSeriesChart(slot, state.series, { categories: state.categories });
      if (removed || !slot.isConnected) drawn.destroy();
      else chart = drawn;
    } catch (error) {
      slot.replaceChildren(h("div", { class: "alert alert-error", role: "alert" }, t("env.chart.failed")));
    }
  }

  function renderAll() {
    renderStatic();
    errorEl.hidden = !state.error;
    errorEl.textContent = state.error ? errorMessage(state.error) : "";
    renderKpis();
    drawMarkers();
    renderTable();
    renderDetail();
    root.dataset.ready = state.list ? "1" : "0";
  }

  // ---- The station form (admins) ----

  let form = null;
  function openForm(station) {
    form?.close();
    form = stationForm({
      station,
      onPick: (fill) => {
        onMapPick = fill;
        mapEl.classList.toggle("is-picking", Boolean(fill));
      },
      onClose: () => {
        form = null;
        onMapPick = null;
        mapEl.classList.remove("is-picking");
        pickMarker?.remove();
        pickMarker = null;
      },
      onSaved: async (saved) => {
        await load(true);
        if (saved?.station?.code || saved?.code) select(saved.station?.code || saved.code);
      },
    });
    formSlot.replaceChildren(form.element);
    form.element.scrollIntoView({ block: "nearest" });
    form.focus();
  }

  // ---- Live ----

  let live = null;
  let liveTimer = null;
  const topic = settings?.liveTopics?.environment;
  if (typeof topic === "string" && topic) {
    live = new LiveConnection(liveURL);
    const refresh = () => {
      clearTimeout(liveTimer);
      liveTimer = setTimeout(() => !removed && load(false), LIVE_DEBOUNCE_MS);
    };
    live.subscribe(topic, refresh);
    live.onResync(refresh);
    live.start();
  }

  renderAll();
  load(false);

  return {
    unmount() {
      removed = true;
      clearTimeout(liveTimer);
      live?.stop();
      chart?.destroy();
      form?.close();
      resizeObserver?.disconnect();
      map?.remove();
    },
    languageChanged() {
      renderAll();
      form?.relabel();
    },
  };
}
