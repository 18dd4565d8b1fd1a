// The single-purpose views a kiosk screen can show besides the overview: the full map, one tile big, a service
// screen (one tile drilled down), the alarms, one case, a same-origin page, and a message.
// Each returns { element, kind, show, hide, languageChanged, destroy } and optionally `title()`.
// A kind not built in here (a service's own screen) is found by its name: `./views/<kind>.js`, exporting
// `createView(ctx, params, { interactive })`, loaded when first shown (see moduleView).
import { errorMessage } from "../api.js";
import { h } from "../dom.js";
import { formatDateTime, localized, localizedName, t } from "../i18n.js";
import { liveTopic, wallViewKinds } from "../settings.js";
import { loadBoundaries } from "../units.js";
import { updatedAgoText, ageSeconds } from "./format.js";
import { createWallMap, METRICS } from "./map.js";
import { isAbort, wallGet } from "./wall-api.js";
import { renderTile } from "./tiles.js";
import { serviceView } from "./drill.js";
import { alarmsView } from "./alarms.js";

const noop = () => {};

export function messageView(kind, textKey, params) {
  const text = h("p", { class: "wall-message-text" });
  const element = h("div", { class: "wall-message" }, text);
  const render = () => { text.textContent = t(textKey, params); };
  render();
  return { element, kind, show: noop, hide: noop, languageChanged: render, destroy: noop };
}

/** The province map on the whole screen, coloured by `params.metric`, with the open alarms (read-only). */
export function mapView(ctx, params = {}) {
  const metric = METRICS.includes(params.metric) ? params.metric : params.metric === "" ? "" : METRICS[0];
  const map = createWallMap(ctx.settings, ctx.live, { metric, interactive: false, status: params.status, alarms: ctx.alarmStore?.() });
  const element = h("div", { class: "wall-mapview" }, map.element);
  return { element, kind: "map", show: map.show, hide: map.hide, languageChanged: map.languageChanged, destroy: map.destroy };
}

/** One service tile on the whole screen. */
export function tileView(ctx, params = {}) {
  const id = String(params.tile ?? "");
  const element = h("div", { class: "wall-tileview", dataset: { tile: id } });
  const render = () => {
    const tile = ctx.overview.tile(id);
    if (tile) element.replaceChildren(renderTile(tile, { link: false, large: true }));
    else if (ctx.overview.data) element.replaceChildren(h("p", { class: "wall-message-text" }, t("wall.screen.noTile", { tile: id })));
    else element.replaceChildren(h("p", { class: "wall-message-text" }, ctx.overview.error ? errorMessage(ctx.overview.error) : t("wall.loading")));
  };
  const off = ctx.overview.on(render);
  render();
  return { element, kind: "tile", show: noop, hide: noop, languageChanged: render, destroy: off };
}

/** A same-origin page in a frame (the console's own screens, a public page…). */
export function urlView(params = {}) {
  const path = String(params.url ?? params.path ?? params.href ?? "");
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return messageView("url", "wall.screen.badURL");
  const frame = h("iframe", { class: "wall-frame", src: path, title: path, referrerpolicy: "same-origin" });
  const element = h("div", { class: "wall-urlview" }, frame);
  return { element, kind: "url", show: noop, hide: noop, languageChanged: noop, destroy: () => frame.remove() };
}

const CASE_POLL_MS = 60_000;
const CASE_TIMELINE_MAX = 8;

/** One field report (the public view of it: no personal data on a wall). */
export function caseView(ctx, params = {}) {
  const code = String(params.code ?? "").trim();
  if (!/^[A-Za-z0-9-]{3,40}$/.test(code)) return messageView("case", "wall.screen.badCase");
  const body = h("div", { class: "wall-case-body" });
  const mapEl = h("div", { class: "wall-case-map" });
  const element = h("div", { class: "wall-case", dataset: { code } }, body, mapEl);
  let data = null;
  let error = null;
  let fetchedAt = null;
  let controller = null;
  let timer = null;
  let destroyed = false;
  let map = null;
  let marker = null;
  let unitLayer = null;

  /** The case's commune in view (or the point at street level when the commune is unknown). */
  function frame() {
    if (!map || !Number.isFinite(data?.lat)) return;
    map.invalidateSize({ animate: false });
    const bounds = unitLayer?.getBounds();
    if (bounds?.isValid()) {
      bounds.extend([data.lat, data.lon]);
      map.fitBounds(bounds, { padding: [40, 40], animate: false });
    } else {
      map.setView([data.lat, data.lon], 13, { animate: false });
    }
  }

  async function load() {
    clearTimeout(timer);
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    try {
      data = await wallGet(`/api/v1/field-reports/${encodeURIComponent(code)}`, { signal: mine.signal });
      error = null;
      fetchedAt = new Date().toISOString();
    } catch (e) {
      if (isAbort(e) || controller !== mine) return;
      error = e;
    } finally {
      if (controller === mine) controller = null;
    }
    if (destroyed) return;
    render();
    timer = setTimeout(load, CASE_POLL_MS);
  }

  function fact(label, value) {
    if (value == null || value === "") return null;
    return h("div", { class: "wall-case-fact" }, h("dt", {}, label), h("dd", {}, value));
  }

  function render() {
    if (!data) {
      body.replaceChildren(h("p", { class: "wall-message-text" }, error ? (error.status === 404 ? t("wall.screen.caseNotFound", { code }) : errorMessage(error)) : t("wall.loading")));
      return;
    }
    const timeline = Array.isArray(data.timeline) ? data.timeline.slice(-CASE_TIMELINE_MAX).reverse() : [];
    body.replaceChildren(...[
      h("header", { class: "wall-case-head" },
        h("span", { class: "wall-case-code" }, data.code || code),
        h("span", { class: "wall-case-status", dataset: { status: data.status || "" } }, localized(data.statusLabel) || data.status || ""),
        data.overdue ? h("span", { class: "wall-badge wall-badge-bad" }, t("wall.case.overdue")) : null,
        h("span", { class: "wall-age", dataset: { ageAt: fetchedAt || "" } }, fetchedAt ? updatedAgoText(ageSeconds(fetchedAt)) : "")),
      h("h2", { class: "wall-case-title" }, localized(data.category?.name) || ""),
      error ? h("p", { class: "wall-panel-message is-error" }, errorMessage(error)) : null,
      h("dl", { class: "wall-case-facts" },
        fact(t("wall.case.unit"), localizedName(data.unit)),
        fact(t("wall.case.agency"), localizedName(data.agency)),
        fact(t("wall.case.received"), formatDateTime(data.receivedAt)),
        fact(t("wall.case.due"), formatDateTime(data.dueAt)),
        fact(t("wall.case.resolved"), formatDateTime(data.resolvedAt)),
        fact(t("wall.case.address"), data.address)),
      data.description ? h("p", { class: "wall-case-description" }, data.description) : null,
      data.result?.text ? h("p", { class: "wall-case-result" }, h("strong", {}, t("wall.case.result")), " ", data.result.text) : null,
      timeline.length
        ? h("section", { class: "wall-case-timeline" },
          h("h3", {}, t("wall.case.timeline")),
          h("ol", {}, timeline.map((entry) => h("li", {},
            h("time", { datetime: entry.at || "" }, formatDateTime(entry.at)),
            h("span", {}, localized(entry.label) || entry.type || "")))))
        : null,
    ].filter(Boolean));
    drawMap();
  }

  async function drawMap() {
    if (typeof window.L === "undefined" || !Number.isFinite(data?.lat) || !Number.isFinite(data?.lon)) {
      mapEl.hidden = true;
      return;
    }
    mapEl.hidden = false;
    if (!map) {
      map = L.map(mapEl, { zoomControl: false, attributionControl: false, dragging: false, scrollWheelZoom: false,
        doubleClickZoom: false, touchZoom: false, boxZoom: false, keyboard: false, tap: false });
      const tileURL = typeof ctx.settings?.map?.tileURL === "string" ? ctx.settings.map.tileURL.trim() : "";
      if (tileURL) L.tileLayer(tileURL, { maxZoom: 19 }).addTo(map);
      try {
        const collection = await loadBoundaries(ctx.settings.province.code);
        if (destroyed) return;
        L.geoJSON(collection, {
          interactive: false,
          style: (f) => (f.properties?.level === "province"
            ? { color: "#dbe7f7", weight: 2.5, fill: false }
            : { color: "#6f8db5", weight: 1, opacity: 0.8, fillColor: "#13233d", fillOpacity: 0.6 }),
        }).addTo(map);
        const unit = collection.features.filter((f) => f.properties?.code === data.unit?.code);
        if (unit.length) {
          unitLayer = L.geoJSON(unit, { interactive: false, style: { color: "#fdc07d", weight: 3, fill: false } }).addTo(map);
        }
      } catch {
        // The marker alone still says where.
      }
    }
    frame();
    if (!marker) {
      marker = L.circleMarker([data.lat, data.lon], { radius: 12, color: "#04101f", weight: 3, fillColor: "#ff4d4f", fillOpacity: 1 }).addTo(map);
    } else {
      marker.setLatLng([data.lat, data.lon]);
    }
    marker.setStyle({ fillColor: data.overdue ? "#ff4d4f" : "#38bdf8" });
  }

  // Live: a change to this case refetches it (debounced).
  let liveTimer = null;
  const offLive = ctx.live.subscribe(liveTopic(ctx.settings, "fieldReports"), (event) => {
    if (event?.code !== code) return;
    clearTimeout(liveTimer);
    liveTimer = setTimeout(load, 1500);
  });

  render();
  load();
  return {
    element,
    kind: "case",
    show: frame,
    hide: noop,
    languageChanged: render,
    destroy() {
      destroyed = true;
      offLive();
      clearTimeout(timer);
      clearTimeout(liveTimer);
      controller?.abort();
      map?.remove();
    },
  };
}

const VIEW_KIND = /^[a-z][a-z0-9-]{0,40}$/;

/**
 * A view kind the server lists (settings `wallViews`) but this file does not build: its module `./views/<kind>.js`
 * (`createView(ctx, params, options)` → a view), loaded on first use with a placeholder meanwhile. The placeholder is
 * the view until the module is there; then the module's view fills it and it passes every call on. When the view
 * knows a better title later (its data arrived), it dispatches `wall:titlechange` (bubbling) from its element.
 */
export function moduleView(ctx, kind, params, options = {}) {
  const text = h("p", { class: "wall-message-text" });
  const placeholder = h("div", { class: "wall-message" }, text);
  const element = h("div", { class: "wall-moduleview", dataset: { kind, ready: "0" } }, placeholder);
  let inner = null;
  let failed = false;
  let visible = false;
  let destroyed = false;
  const renderPlaceholder = () => {
    text.textContent = failed ? t("wall.screen.unknownView", { kind }) : t("wall.loading");
  };
  renderPlaceholder();
  import(`./views/${kind}.js`).then((module) => {
    if (destroyed) return;
    if (typeof module?.createView !== "function") throw new Error(`./views/${kind}.js has no createView`);
    inner = module.createView(ctx, params, options);
    element.replaceChildren(inner.element);
    element.dataset.ready = "1";
    if (visible) inner.show();
    element.dispatchEvent(new CustomEvent("wall:titlechange", { bubbles: true }));
  }).catch((error) => {
    if (destroyed) return;
    console.warn(`wall: the view kind "${kind}" could not be loaded`, error);
    failed = true;
    renderPlaceholder();
  });
  return {
    element,
    kind,
    title: () => inner?.title?.() || "",
    show() {
      visible = true;
      inner?.show();
    },
    hide() {
      visible = false;
      inner?.hide();
    },
    languageChanged() {
      if (inner) inner.languageChanged();
      else renderPlaceholder();
    },
    destroy() {
      destroyed = true;
      inner?.destroy();
    },
  };
}

/**
 * Builds the view for an assignment's `{kind, params}`. `interactive`: the overview page's own routes (links that
 * drill down); kiosk screens are read-only.
 */
export function buildView(ctx, view, { createOverview, interactive = false }) {
  const params = view?.params && typeof view.params === "object" ? view.params : {};
  switch (view?.kind) {
    case "overview": return createOverview(ctx, { kiosk: true, params });
    case "map": return mapView(ctx, params);
    case "tile": return tileView(ctx, params);
    case "service": return serviceView(ctx, params, { interactive });
    case "alarms": return alarmsView(ctx);
    case "case": return caseView(ctx, params);
    case "url": return urlView(params);
    default: {
      const kind = String(view?.kind ?? "");
      if (VIEW_KIND.test(kind) && wallViewKinds(ctx.settings).includes(kind)) return moduleView(ctx, kind, params, { interactive });
      return messageView(kind || "unknown", "wall.screen.unknownView", { kind });
    }
  }
}

