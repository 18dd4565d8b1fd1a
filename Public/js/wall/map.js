// The wall map: the province's commune boundaries (offline, from the server), a choropleth by a metric, the
// field reports as server-side clusters or points, and the open alarms that have a point (alarm-layer.js).
//
// Fluid at 100,000 reports: the server clusters per viewport and zoom (GET /api/v1/map/reports), the page asks only
// for what the viewport shows (debounced on `moveend`, the previous request aborted), and draws everything on one
// canvas (no DOM node per marker). Live `fieldreports` events update the points/clusters at once, then a lazy refetch
// (at most every 10 s) brings the server's exact figures.
// Test hooks: `#wall-map[data-ready="1"][data-points][data-cells][data-alarms]`, `.wall-alarm-marker[data-alarm-code]`.
import { h } from "../dom.js";
import { formatNumber, localized, t } from "../i18n.js";
import { loadBoundaries, unitDisplayName } from "../units.js";
import { compactCount } from "./format.js";
import { alarmLegendRows, createAlarmLayer } from "./alarm-layer.js";
import { liveTopic } from "../settings.js";
import { isAbort, wallGet } from "./wall-api.js";

export const METRICS = ["fieldreports.open", "fieldreports.overdue", "fieldreports.received30d"];
// Sequential ramp readable on a dark map ("magma"-like: dark = low, bright = high); zero has its own neutral colour.
const RAMP = ["#4a1f7a", "#8c2981", "#d3436e", "#f8765c", "#fdc07d"];
const ZERO_FILL = "#1a2b45";
const NO_METRIC_FILL = "#13233d";
const COMMUNE_LINE = "#6f8db5";
const PROVINCE_LINE = "#dbe7f7";
const CLUSTER_FILL = "rgba(56, 189, 248, 0.92)";
const CLUSTER_TEXT = "#03131f";
const OVERDUE_FILL = "#ff4d4f";
const POINT_OPEN = "#38bdf8";
const POINT_CLOSED = "#94a3b8";
const OUTLINE = "#04101f";
const CLOSED_STATUSES = new Set(["resolved", "closed", "closed_unhandled", "rejected", "not_our_remit", "duplicate"]);

const MOVE_DEBOUNCE_MS = 250;
const LIVE_REFETCH_MIN_MS = 10_000;
const REPORTS_POLL_MS = 60_000;
const CHOROPLETH_POLL_MS = 60_000;
const CHOROPLETH_LIVE_MIN_MS = 30_000;
const LIVE_POINTS_CAP = 20_000; // points added from the live feed between two fetches, at most
const MERGE_RADIUS_PX = 48; // a live report joins the nearest cluster drawn within this distance

function remScale() {
  const px = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  return px / 16;
}

/** Class upper bounds by quantiles of the non-zero values (skewed counts still spread over the ramp). */
function quantileBreaks(values) {
  const sorted = values.filter((v) => v > 0).sort((a, b) => a - b);
  if (!sorted.length) return [];
  const breaks = [];
  for (let i = 1; i <= RAMP.length; i += 1) {
    const value = sorted[Math.max(0, Math.ceil((i * sorted.length) / RAMP.length) - 1)];
    if (!breaks.length || value > breaks[breaks.length - 1]) breaks.push(value);
  }
  return breaks;
}

function classColor(value, breaks) {
  if (!(value > 0) || !breaks.length) return ZERO_FILL;
  const index = breaks.findIndex((b) => value <= b);
  const shift = RAMP.length - breaks.length; // few classes: use the brighter end of the ramp
  return RAMP[Math.min(RAMP.length - 1, (index < 0 ? breaks.length - 1 : index) + shift)];
}

/**
 * createWallMap(settings, live, { metric, interactive, metricPicker, status, alarms })
 * `alarms`: the page's alarm store (createAlarmStore), for the alarm markers; without it, the map has none.
 * → { element, show(), hide(), setMetric(m), languageChanged(), destroy() }
 */
export function createWallMap(settings, live, options = {}) {
  const interactive = options.interactive !== false;
  const status = options.status === "all" ? "all" : "open";
  let metric = METRICS.includes(options.metric) || options.metric === "" ? options.metric : METRICS[0];

  const mapEl = h("div", { class: "wall-map-canvas", id: "wall-map", role: "region", dataset: { ready: "0", points: "0", cells: "0" } });
  const message = h("div", { class: "wall-map-message", role: "status", hidden: true });
  const element = h("div", { class: "wall-map" }, mapEl, message);

  let destroyed = false;
  let map = null;
  let communeLayer = null;
  let provinceBounds = null;
  let legendEl = null;
  let pickerEl = null;
  let alarmLayer = null;
  let choropleth = null; // { metric, label, values, max }
  let breaks = [];
  const timers = { move: null, reports: null, choropleth: null, choroLive: null };
  const controllers = { reports: null, choropleth: null };
  let lastReportsAt = 0;
  let lastChoroplethAt = 0;
  let boundariesReady = false;
  let boundariesTried = false;
  let dirtyReports = false;
  let reportsAnswered = false;
  let visible = true;
  const offLive = [];

  // Reports, as the last answer plus live changes since.
  let mode = "cells";
  let cells = [];
  let points = [];
  let pointIndex = new Map();
  let liveAdded = 0;
  let total = 0;

  if (typeof window.L === "undefined") {
    showMessage(t("wall.map.leafletMissing"));
    return { element, show() {}, hide() {}, setMetric() {}, languageChanged() {}, destroy() {} };
  }

  // Leaflet makes a container that is not yet in the page `position: relative` (it cannot read the stylesheet's).
  mapEl.style.position = "absolute";
  map = L.map(mapEl, {
    zoomSnap: 0.25,
    zoomControl: interactive,
    attributionControl: false,
    dragging: interactive,
    scrollWheelZoom: interactive,
    doubleClickZoom: interactive,
    touchZoom: interactive,
    boxZoom: interactive,
    keyboard: interactive,
    tap: interactive,
    fadeAnimation: false,
  }).setView(settings?.map?.center || [12.9, 108.4], settings?.map?.zoom ?? 9);
  const tileURL = typeof settings?.map?.tileURL === "string" ? settings.map.tileURL.trim() : "";
  if (tileURL) L.tileLayer(tileURL, { attribution: settings.map.tileAttribution || "", maxZoom: 19 }).addTo(map);

  // ---- the reports canvas (one canvas, redrawn on moveend; hidden during the zoom animation) ----

  const pane = map.createPane("wallReports");
  pane.style.zIndex = "460";
  pane.style.pointerEvents = "none";
  const canvas = L.DomUtil.create("canvas", "wall-reports-canvas", pane);
  let frame = 0;

  function resetCanvas() {
    const size = map.getSize();
    const ratio = window.devicePixelRatio || 1;
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    canvas.width = Math.max(1, Math.round(size.x * ratio));
    canvas.height = Math.max(1, Math.round(size.y * ratio));
    canvas.style.width = `${size.x}px`;
    canvas.style.height = `${size.y}px`;
    draw();
  }

  function requestDraw() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      draw();
    });
  }

  function cellRadius(cell, maxCount, s) {
    return s * (8 + 20 * Math.sqrt(cell.count / (maxCount || 1)));
  }

  function draw() {
    if (destroyed) return;
    const ctx = canvas.getContext("2d");
    const ratio = window.devicePixelRatio || 1;
    const size = map.getSize();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    const s = remScale();
    let drawnCells = 0;
    let drawnPoints = 0;
    if (mode === "cells") {
      const maxCount = cells.reduce((m, c) => Math.max(m, c.count), 0);
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.font = `700 ${Math.round(12 * s)}px ${getComputedStyle(document.body).fontFamily}`;
      for (const cell of cells) {
        if (!(cell.count > 0)) continue;
        const p = map.latLngToContainerPoint([cell.lat, cell.lon]);
        const r = cellRadius(cell, maxCount, s);
        cell.px = p.x;
        cell.py = p.y;
        cell.r = r;
        if (p.x < -r || p.y < -r || p.x > size.x + r || p.y > size.y + r) continue;
        drawnCells += 1;
        ctx.beginPath();
        ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
        ctx.fillStyle = CLUSTER_FILL;
        ctx.fill();
        const overdue = Math.min(cell.overdue || 0, cell.count);
        if (overdue > 0) {
          const start = -Math.PI / 2;
          ctx.beginPath();
          ctx.moveTo(p.x, p.y);
          ctx.arc(p.x, p.y, r, start, start + (Math.PI * 2 * overdue) / cell.count);
          ctx.closePath();
          ctx.fillStyle = OVERDUE_FILL;
          ctx.fill();
        }
        ctx.beginPath();
        ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
        ctx.lineWidth = 1.5 * s;
        ctx.strokeStyle = OUTLINE;
        ctx.stroke();
        if (r >= 11 * s) {
          const text = compactCount(cell.count);
          ctx.lineWidth = 3 * s;
          ctx.strokeStyle = "rgba(255,255,255,0.85)";
          ctx.strokeText(text, p.x, p.y);
          ctx.fillStyle = CLUSTER_TEXT;
          ctx.fillText(text, p.x, p.y);
        }
      }
    } else {
      const r = 5 * s;
      ctx.lineWidth = 1.2 * s;
      ctx.strokeStyle = OUTLINE;
      for (const pass of [false, true]) {
        for (const point of points) {
          if (Boolean(point.overdue) !== pass) continue;
          const p = map.latLngToContainerPoint([point.lat, point.lon]);
          point.px = p.x;
          point.py = p.y;
          if (p.x < -r || p.y < -r || p.x > size.x + r || p.y > size.y + r) continue;
          drawnPoints += 1;
          ctx.beginPath();
          ctx.arc(p.x, p.y, point.overdue ? r * 1.25 : r, 0, Math.PI * 2);
          ctx.fillStyle = point.overdue ? OVERDUE_FILL : CLOSED_STATUSES.has(point.status) ? POINT_CLOSED : POINT_OPEN;
          ctx.fill();
          ctx.stroke();
        }
      }
    }
    mapEl.dataset.cells = String(drawnCells);
    mapEl.dataset.points = String(drawnPoints);
    mapEl.dataset.mode = mode;
  }

  map.on("zoomstart", () => { canvas.style.visibility = "hidden"; });
  map.on("zoomend", () => { canvas.style.visibility = ""; });
  map.on("moveend", () => {
    resetCanvas();
    clearTimeout(timers.move);
    timers.move = setTimeout(fetchReports, MOVE_DEBOUNCE_MS);
  });
  map.on("resize", resetCanvas);

  // ---- open alarms (markers above the reports) ----

  if (options.alarms) {
    alarmLayer = createAlarmLayer(map, options.alarms, {
      interactive,
      onChange: (count) => { mapEl.dataset.alarms = String(count); },
    });
  }

  // ---- fetching reports ----

  function setReports(data) {
    mode = Array.isArray(data?.points) && data.points.length && !(data.cells?.length) ? "points" : "cells";
    cells = (Array.isArray(data?.cells) ? data.cells : [])
      .filter((c) => Number.isFinite(c?.lat) && Number.isFinite(c?.lon))
      .map((c) => ({ lat: c.lat, lon: c.lon, count: Number(c.count) || 0, open: Number(c.open) || 0, overdue: Number(c.overdue) || 0 }));
    cells.sort((a, b) => b.count - a.count); // big ones first, small ones drawn on top
    points = (Array.isArray(data?.points) ? data.points : [])
      .filter((p) => Number.isFinite(p?.lat) && Number.isFinite(p?.lon))
      .map((p) => ({ code: p.code, lat: p.lat, lon: p.lon, status: p.status, category: p.category, overdue: Boolean(p.overdue) }));
    if (!cells.length && !points.length) mode = (data?.zoom ?? 0) >= 14 ? "points" : "cells";
    pointIndex = new Map(points.map((p) => [p.code, p]));
    liveAdded = 0;
    total = Number(data?.total) || cells.reduce((sum, c) => sum + c.count, 0) || points.length;
    draw();
    renderLegend();
  }

  function bboxParam() {
    const b = map.getBounds().pad(0.1);
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
      .map((v) => v.toFixed(4)).join(",");
  }

  async function fetchReports() {
    clearTimeout(timers.move);
    clearTimeout(timers.reports);
    timers.reports = null;
    if (destroyed) return;
    if (!visible || map.getSize().x < 10) {
      dirtyReports = true; // fetched when shown / laid out
      return;
    }
    controllers.reports?.abort();
    const controller = new AbortController();
    controllers.reports = controller;
    lastReportsAt = Date.now();
    dirtyReports = false;
    // The clustering zoom of a 1920×1080 screen: a 4K wall (rem scale 2) asks one level coarser, so that its
    // clusters cover the same share of the screen (it looks the same, only sharper).
    const zoom = Math.max(0, Math.round(map.getZoom() - Math.log2(remScale())));
    try {
      const data = await wallGet(`/api/v1/map/reports?bbox=${bboxParam()}&zoom=${zoom}&status=${status}`, { signal: controller.signal });
      if (controllers.reports !== controller) return;
      setReports(data);
      hideMessage();
    } catch (error) {
      if (isAbort(error) || controllers.reports !== controller) return;
      showMessage(t("wall.map.reportsFailed"), true);
    } finally {
      if (controllers.reports === controller) controllers.reports = null;
    }
    reportsAnswered = true;
    markReady();
    scheduleReports(REPORTS_POLL_MS);
  }

  function scheduleReports(ms) {
    clearTimeout(timers.reports);
    timers.reports = setTimeout(fetchReports, ms);
  }

  /** After a live change: refetch lazily, at most every LIVE_REFETCH_MIN_MS. */
  function markReportsDirty() {
    dirtyReports = true;
    const wait = Math.max(500, LIVE_REFETCH_MIN_MS - (Date.now() - lastReportsAt));
    if (controllers.reports) return;
    scheduleReports(wait);
  }

  // ---- live updates (incremental) ----

  function nearestCell(lat, lon) {
    const p = map.latLngToContainerPoint([lat, lon]);
    let best = null;
    let bestDistance = Infinity;
    const limit = MERGE_RADIUS_PX * remScale();
    for (const cell of cells) {
      const q = cell.px != null ? { x: cell.px, y: cell.py } : map.latLngToContainerPoint([cell.lat, cell.lon]);
      const d = Math.hypot(q.x - p.x, q.y - p.y);
      if (d < bestDistance && d <= Math.max(limit, cell.r || 0)) {
        best = cell;
        bestDistance = d;
      }
    }
    return best;
  }

  function onReportEvent(data) {
    if (!data || !Number.isFinite(data.lat) || !Number.isFinite(data.lon)) return;
    const type = data.type || "";
    const closed = CLOSED_STATUSES.has(data.status);
    if (mode === "points") {
      const existing = data.code ? pointIndex.get(data.code) : null;
      if (existing) {
        if (data.status) existing.status = data.status;
        if (type === "report.breached") existing.overdue = true;
        if (closed) {
          existing.overdue = false;
          if (status === "open") {
            points = points.filter((p) => p !== existing);
            pointIndex.delete(existing.code);
          }
        }
      } else if (!closed && liveAdded < LIVE_POINTS_CAP && (type === "report.created" || type === "report.breached")) {
        const point = { code: data.code, lat: data.lat, lon: data.lon, status: data.status || "new", category: data.category, overdue: type === "report.breached" };
        points.push(point);
        if (point.code) pointIndex.set(point.code, point);
        liveAdded += 1;
        total += 1;
      }
    } else if (type === "report.created" && !closed) {
      const cell = nearestCell(data.lat, data.lon);
      if (cell) {
        cell.count += 1;
        cell.open += 1;
      } else if (liveAdded < LIVE_POINTS_CAP) {
        cells.push({ lat: data.lat, lon: data.lon, count: 1, open: 1, overdue: 0 });
        liveAdded += 1;
      }
      total += 1;
    } else if (type === "report.breached") {
      const cell = nearestCell(data.lat, data.lon);
      if (cell) cell.overdue = Math.min(cell.count, cell.overdue + 1);
    } else if (closed) {
      const cell = nearestCell(data.lat, data.lon);
      if (cell) {
        cell.open = Math.max(0, cell.open - 1);
        if (status === "open") {
          cell.count = Math.max(0, cell.count - 1);
          cell.overdue = Math.min(cell.overdue, cell.count);
          total = Math.max(0, total - 1);
        }
      }
    }
    if (visible) {
      requestDraw();
      renderLegend();
    }
    markReportsDirty();
    markChoroplethDirty();
  }

  offLive.push(live.subscribe(liveTopic(settings, "fieldReports"), onReportEvent));
  offLive.push(live.onResync(() => {
    markReportsDirty();
    markChoroplethDirty();
  }));

  // ---- clicks: a cluster zooms in, a point shows its code ----

  if (interactive) {
    map.on("click", (event) => {
      const { x, y } = event.containerPoint;
      if (mode === "cells") {
        for (let i = cells.length - 1; i >= 0; i -= 1) {
          const cell = cells[i];
          if (cell.px == null || Math.hypot(cell.px - x, cell.py - y) > cell.r) continue;
          map.setView([cell.lat, cell.lon], Math.min(map.getMaxZoom() || 18, map.getZoom() + 2));
          return;
        }
      } else {
        const limit = 9 * remScale();
        const point = points.find((p) => p.px != null && Math.hypot(p.px - x, p.py - y) <= limit);
        if (point) {
          L.popup({ className: "wall-popup" }).setLatLng([point.lat, point.lon]).setContent(pointPopup(point)).openOn(map);
        }
      }
    });
  }

  function pointPopup(point) {
    return h("div", { class: "wall-popup-body" },
      h("strong", {}, point.code || ""),
      point.category ? h("span", {}, point.category) : null,
      point.overdue ? h("span", { class: "wall-popup-overdue" }, t("wall.map.overdue")) : null,
      point.code ? h("a", { href: `/#/field-reports/case/${encodeURIComponent(point.code)}` }, t("wall.map.openCase")) : null);
  }

  // ---- choropleth ----

  function communeStyle(feature) {
    const base = { color: COMMUNE_LINE, weight: 0.8, opacity: 0.7 };
    if (!choropleth) return { ...base, fillColor: NO_METRIC_FILL, fillOpacity: 0.55 };
    const value = Number(choropleth.values?.[feature.properties?.code]) || 0;
    return { ...base, fillColor: classColor(value, breaks), fillOpacity: 0.62 };
  }

  function restyle() {
    communeLayer?.setStyle(communeStyle);
  }

  async function loadChoropleth() {
    clearTimeout(timers.choropleth);
    controllers.choropleth?.abort();
    if (destroyed) return;
    if (!metric) {
      choropleth = null;
      breaks = [];
      restyle();
      renderLegend();
      return;
    }
    const controller = new AbortController();
    controllers.choropleth = controller;
    lastChoroplethAt = Date.now();
    try {
      const data = await wallGet(`/api/v1/map/choropleth?metric=${encodeURIComponent(metric)}`, { signal: controller.signal });
      if (controllers.choropleth !== controller) return;
      const values = data?.values && typeof data.values === "object" ? data.values : {};
      const max = Number(data?.max) || Math.max(0, ...Object.values(values).map(Number).filter(Number.isFinite));
      choropleth = { metric: data?.metric || metric, label: data?.label, values, max };
      breaks = quantileBreaks(Object.values(values).map(Number).filter(Number.isFinite));
      restyle();
      renderLegend();
    } catch (error) {
      if (isAbort(error) || controllers.choropleth !== controller) return;
      // Keep the last colours; the next poll tries again.
    } finally {
      if (controllers.choropleth === controller) controllers.choropleth = null;
    }
    timers.choropleth = setTimeout(loadChoropleth, CHOROPLETH_POLL_MS);
  }

  function markChoroplethDirty() {
    if (!metric || timers.choroLive) return;
    const wait = Math.max(1000, CHOROPLETH_LIVE_MIN_MS - (Date.now() - lastChoroplethAt));
    timers.choroLive = setTimeout(() => {
      timers.choroLive = null;
      loadChoropleth();
    }, wait);
  }

  // ---- legend and metric picker ----

  function metricLabel(m) {
    if (choropleth && choropleth.metric === m && choropleth.label) return localized(choropleth.label);
    return t(`wall.metric.${m}`);
  }

  function swatch(color, extraClass = "") {
    const el = h("span", { class: `wall-legend-swatch ${extraClass}` });
    el.style.background = color;
    return el;
  }

  function renderLegend() {
    if (!legendEl) return;
    const rows = [];
    if (metric) {
      rows.push(h("h3", { class: "wall-legend-title" }, metricLabel(metric)));
      const classes = [];
      if (choropleth) {
        classes.push(h("li", {}, swatch(ZERO_FILL), h("span", {}, formatNumber(0))));
        const integers = Object.values(choropleth.values).every((v) => Number.isInteger(Number(v)));
        let from = integers ? 1 : 0;
        breaks.forEach((to, i) => {
          const color = RAMP[Math.min(RAMP.length - 1, i + RAMP.length - breaks.length)];
          const text = !integers ? `≤ ${formatNumber(to)}` : from === to ? formatNumber(to) : `${formatNumber(from)}–${formatNumber(to)}`;
          classes.push(h("li", {}, swatch(color), h("span", {}, text)));
          from = to + 1;
        });
      }
      rows.push(h("ul", { class: "wall-legend-classes" }, classes));
    }
    rows.push(h("h3", { class: "wall-legend-title" }, t(status === "open" ? "wall.map.reportsOpen" : "wall.map.reportsAll")),
      h("ul", { class: "wall-legend-marks" },
        h("li", {}, swatch(CLUSTER_FILL, "is-round"), h("span", {}, t(mode === "cells" ? "wall.map.cluster" : "wall.map.point"))),
        h("li", {}, swatch(OVERDUE_FILL, "is-round"), h("span", {}, t("wall.map.overdue")))),
      h("p", { class: "wall-legend-total" }, t("wall.map.inView", { count: formatNumber(total) })));
    if (alarmLayer) rows.push(...alarmLegendRows());
    legendEl.replaceChildren(...rows);
  }

  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = () => {
    legendEl = L.DomUtil.create("div", "wall-legend");
    L.DomEvent.disableClickPropagation(legendEl);
    renderLegend();
    return legendEl;
  };
  legend.addTo(map);

  function renderPicker() {
    if (!pickerEl) return;
    const select = h("select", { id: "wall-metric", "aria-label": t("wall.map.metricLabel") },
      h("option", { value: "" }, t("wall.metric.none")),
      METRICS.map((m) => h("option", { value: m, selected: m === metric }, t(`wall.metric.${m}`))));
    select.value = metric || "";
    select.addEventListener("change", () => setMetric(select.value));
    pickerEl.replaceChildren(h("label", { class: "wall-metric-label", for: "wall-metric" }, t("wall.map.metricLabel")), select);
  }

  if (options.metricPicker) {
    const picker = L.control({ position: "topright" });
    picker.onAdd = () => {
      pickerEl = L.DomUtil.create("div", "wall-metric-picker");
      L.DomEvent.disableClickPropagation(pickerEl);
      renderPicker();
      return pickerEl;
    };
    picker.addTo(map);
  }

  function setMetric(next) {
    metric = METRICS.includes(next) ? next : "";
    choropleth = null;
    breaks = [];
    restyle();
    renderLegend();
    loadChoropleth();
  }

  // ---- boundaries ----

  let fitted = false;
  let fitting = false;
  let userMoved = false; // once a person pans or zooms, the map stays where they put it
  map.on("movestart", () => {
    if (!fitting && fitted) userMoved = true;
  });

  /** Leaflet re-reads the container's size (keeping the centre); not a move by a person. */
  function resize() {
    fitting = true;
    try {
      map.invalidateSize({ animate: false });
    } finally {
      fitting = false;
    }
  }

  /** Fits the province (kiosks always; interactive maps until someone moves them). */
  function fit() {
    if (!provinceBounds || !provinceBounds.isValid()) return;
    if (userMoved) return;
    resize();
    const size = map.getSize();
    if (size.x < 10 || size.y < 10) return; // not laid out yet (hidden, or not in the page): show() fits later
    const pad = Math.round(16 * remScale());
    // On a narrow map (phone) the legend spans the bottom: keep the province above it. Elsewhere the legend sits in
    // the lower-left corner: lift the province clear of it when that costs no zoom (the map has height to spare).
    let below = size.x < 600 && legendEl ? legendEl.offsetHeight : 0;
    if (!below && legendEl?.offsetHeight) {
      const zoomWith = (extra) => map.getBoundsZoom(provinceBounds, false, L.point(2 * pad, 2 * pad + extra));
      if (zoomWith(legendEl.offsetHeight) >= zoomWith(0)) below = legendEl.offsetHeight;
    }
    fitting = true;
    try {
      map.fitBounds(provinceBounds, { paddingTopLeft: [pad, pad], paddingBottomRight: [pad, pad + below], animate: false });
    } finally {
      fitting = false;
    }
    fitted = true;
  }

  async function loadGeo() {
    hideMessage();
    try {
      const collection = await loadBoundaries(settings.province.code);
      if (destroyed) return;
      const features = Array.isArray(collection?.features) ? collection.features : [];
      const communes = features.filter((f) => f.properties?.level === "commune");
      const outline = features.filter((f) => f.properties?.level === "province");
      communeLayer = L.geoJSON({ type: "FeatureCollection", features: communes }, {
        style: communeStyle,
        interactive,
        onEachFeature: (feature, layer) => {
          if (!interactive) return;
          layer.bindTooltip(() => {
            const name = unitDisplayName(feature.properties);
            if (!choropleth) return h("span", {}, name);
            const value = Number(choropleth.values?.[feature.properties?.code]) || 0;
            return h("span", {}, `${name}: ${formatNumber(value)}`);
          }, { sticky: true, direction: "top", className: "wall-unit-tooltip" });
        },
      }).addTo(map);
      if (outline.length) {
        map.createPane("wallProvince").style.zIndex = "450";
        const provinceLayer = L.geoJSON({ type: "FeatureCollection", features: outline }, {
          style: () => ({ color: PROVINCE_LINE, weight: 2.5, opacity: 0.95, fill: false }),
          interactive: false,
          pane: "wallProvince",
        }).addTo(map);
        provinceBounds = provinceLayer.getBounds();
      } else {
        provinceBounds = communeLayer.getBounds();
      }
      mapEl.dataset.communes = String(communes.length);
      boundariesReady = true;
      boundariesTried = true;
      fit();
      resetCanvas();
      fetchReports();
      markReady();
    } catch (error) {
      boundariesTried = true;
      showMessage(t("wall.map.boundariesFailed"), true);
      setTimeout(() => !destroyed && !boundariesReady && loadGeo(), 15_000);
      // Reports still show, over an empty background.
      fetchReports();
    }
  }

  function markReady() {
    if (boundariesTried && reportsAnswered) mapEl.dataset.ready = "1";
  }

  function showMessage(text, soft = false) {
    message.textContent = text;
    message.classList.toggle("is-soft", soft);
    message.hidden = false;
  }

  function hideMessage() {
    message.hidden = true;
  }

  // Keep the province fitted when the panel changes size (kiosk screens, phone rotation).
  const resizeObserver = typeof ResizeObserver === "function" ? new ResizeObserver(() => {
    if (destroyed || !visible) return;
    resize();
    fit();
  }) : null;
  resizeObserver?.observe(mapEl);
  if (legendEl) resizeObserver?.observe(legendEl); // a legend that grows (classes, alarms) may need the province moved

  loadGeo();
  loadChoropleth();

  return {
    element,
    show() {
      visible = true;
      resize();
      fit();
      resetCanvas();
      if (dirtyReports) fetchReports();
    },
    hide() {
      visible = false;
    },
    setMetric,
    languageChanged() {
      renderLegend();
      renderPicker();
      alarmLayer?.languageChanged();
    },
    destroy() {
      destroyed = true;
      alarmLayer?.destroy();
      alarmLayer = null;
      for (const off of offLive) off();
      for (const timer of Object.values(timers)) clearTimeout(timer);
      for (const controller of Object.values(controllers)) controller?.abort();
      if (frame) cancelAnimationFrame(frame);
      resizeObserver?.disconnect();
      map.remove();
    },
  };
}
