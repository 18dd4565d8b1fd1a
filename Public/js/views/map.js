// Overview map: the province outline and its communes/wards (Leaflet, no tiles unless configured).
import { errorMessage } from "../api.js";
import { h, icon } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import { provinceName } from "../settings.js";
import { loadBoundaries, unitDisplayName, unitKind, unitTypeLabel } from "../units.js";

// Phường (ward) and xã (commune) in colours that stay apart for colour-blind viewers.
const PALETTE = {
  ward: { color: "#c2410c", fillColor: "#fb923c" },
  commune: { color: "#1d4ed8", fillColor: "#60a5fa" },
  other: { color: "#6d28d9", fillColor: "#a78bfa" },
};
const PROVINCE_LINE = { color: "#0b2545", weight: 3.5, opacity: 0.95, fill: false };
const SELECTED_COLOR = "#0b2545";
const FALLBACK_VIEW = { center: [14.06, 108.28], zoom: 6 };

function paletteKey(properties) {
  const kind = unitKind(properties?.unitType);
  return kind === "ward" || kind === "commune" ? kind : "other";
}

function communeStyle(feature, mode) {
  const palette = PALETTE[paletteKey(feature.properties)];
  const style = { color: palette.color, weight: 1, opacity: 0.75, fillColor: palette.fillColor, fillOpacity: 0.22 };
  if (mode === "hover") return { ...style, weight: 2.5, opacity: 1, fillOpacity: 0.45 };
  if (mode === "selected") return { ...style, color: SELECTED_COLOR, weight: 3, opacity: 1, fillOpacity: 0.5 };
  return style;
}

function fact(label, value) {
  if (value == null || value === "") return null;
  return [h("dt", {}, label), h("dd", {}, value)];
}

/** The shell gives this page the whole content area (no padding, no scrolling). */
export const fullBleed = true;

export function mount(root, { settings }) {
  const mapEl = h("div", { id: "map", class: "map", role: "region", "aria-label": t("map.label") });
  const panel = h("aside", { class: "map-panel", id: "map-panel", "aria-live": "polite" });
  const message = h("div", { class: "map-message", role: "status", hidden: true });
  const datalist = h("datalist", { id: "map-unit-list" });
  root.append(mapEl, panel, message, datalist);

  if (typeof window.L === "undefined") {
    showMessage("map.leafletMissing");
    return { languageChanged: () => showMessage("map.leafletMissing") };
  }

  const tileURL = typeof settings?.map?.tileURL === "string" ? settings.map.tileURL.trim() : "";
  const center = settings?.map?.center || FALLBACK_VIEW.center;
  const zoom = settings?.map?.zoom ?? FALLBACK_VIEW.zoom;
  const map = L.map(mapEl, { zoomSnap: 0.25, attributionControl: Boolean(tileURL) }).setView(center, zoom);
  if (tileURL) {
    L.tileLayer(tileURL, { attribution: settings.map.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }

  let communeLayer = null;
  let provinceLayer = null;
  let legendEl = null;
  let selected = null;
  let hovered = null;
  let lastError = null;
  let removed = false;
  const counts = { ward: 0, commune: 0, other: 0 };

  function styleOf(layer) {
    return communeStyle(layer.feature, layer === selected ? "selected" : layer === hovered ? "hover" : "normal");
  }

  // Raising a path re-inserts it under the cursor, which fires mouseover again: raise only when needed.
  function raise(layer) {
    const el = layer?.getElement();
    if (el && el.parentNode && el.parentNode.lastChild !== el) layer.bringToFront();
  }

  /** Padding that keeps the fitted shape clear of the panel (right on wide screens, bottom on phones). */
  function fitOptions(extra = {}) {
    const wide = window.matchMedia("(min-width: 901px)").matches;
    const right = wide ? panel.offsetWidth + 32 : 16;
    const bottom = wide ? 16 : panel.offsetHeight + 16;
    return { paddingTopLeft: [16, 16], paddingBottomRight: [right, bottom], ...extra };
  }

  function select(layer, { zoomTo = false } = {}) {
    const previous = selected;
    selected = layer;
    if (previous) previous.setStyle(styleOf(previous));
    root.classList.toggle("has-selection", Boolean(layer));
    renderPanel();
    if (layer) {
      layer.setStyle(styleOf(layer));
      raise(layer);
      if (zoomTo) map.fitBounds(layer.getBounds(), fitOptions({ maxZoom: 12 }));
    }
  }

  function findUnit(text) {
    const wanted = text.trim().toLocaleLowerCase("vi");
    if (!wanted || !communeLayer) return null;
    return communeLayer.getLayers().find((layer) => {
      const p = layer.feature.properties;
      return [unitDisplayName(p), p.fullName, p.name, p.nameEn, p.code]
        .some((name) => name && name.toLocaleLowerCase("vi") === wanted);
    }) || null;
  }

  function searchBox() {
    const input = h("input", {
      id: "map-search",
      type: "search",
      list: "map-unit-list",
      autocomplete: "off",
      placeholder: t("map.searchPlaceholder"),
      "aria-label": t("map.searchLabel"),
    });
    const go = () => {
      const layer = findUnit(input.value);
      if (layer) select(layer, { zoomTo: true });
    };
    input.addEventListener("change", go);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") go();
    });
    return h("div", { class: "map-search" }, icon("search", "icon map-search-icon"), input);
  }

  function renderPanel() {
    if (selected) {
      const p = selected.feature.properties;
      panel.replaceChildren(
        h("div", { class: "panel-head" },
          h("div", {},
            h("p", { class: "panel-kicker" }, unitTypeLabel(p.unitType)),
            h("h2", { class: "panel-title", id: "map-panel-title" }, unitDisplayName(p))),
          h("button", {
            type: "button",
            class: "icon-button panel-close",
            title: t("map.closePanel"),
            "aria-label": t("map.closePanel"),
            onclick: () => select(null),
          }, icon("close"))),
        h("dl", { class: "facts" },
          fact(t("map.unitName"), p.name),
          fact(t("map.unitNameEn"), p.nameEn),
          fact(t("map.unitCode"), p.code),
          fact(t("map.unitType"), unitTypeLabel(p.unitType)),
          fact(t("map.province"), provinceName(settings))),
        h("div", { class: "panel-actions" },
          h("button", {
            type: "button",
            class: "btn btn-secondary",
            onclick: () => selected && map.fitBounds(selected.getBounds(), fitOptions({ maxZoom: 12 })),
          }, t("map.zoomTo")),
          h("button", { type: "button", class: "btn btn-ghost", onclick: () => select(null) }, t("map.backToProvince"))),
      );
      return;
    }
    const total = counts.ward + counts.commune + counts.other;
    panel.replaceChildren(
      h("div", { class: "panel-head" },
        h("div", {},
          h("p", { class: "panel-kicker" }, t("map.overview")),
          h("h2", { class: "panel-title", id: "map-panel-title" }, t("app.provinceLine", { province: provinceName(settings) })))),
      searchBox(),
      communeLayer
        ? h("div", { class: "stat-row" },
          stat(t("map.totalUnits"), total),
          stat(t("unitType.wardPlural"), counts.ward),
          stat(t("unitType.communePlural"), counts.commune),
          counts.other ? stat(t("unitType.otherPlural"), counts.other) : null)
        : null,
      h("p", { class: "panel-hint" }, t("map.hint")),
    );
  }

  function stat(label, value) {
    return h("div", { class: "stat" }, h("span", { class: "stat-value" }, formatNumber(value)), h("span", { class: "stat-label" }, label));
  }

  function renderDatalist() {
    if (!communeLayer) return;
    const names = communeLayer.getLayers().map((layer) => unitDisplayName(layer.feature.properties));
    names.sort((a, b) => a.localeCompare(b, "vi"));
    datalist.replaceChildren(...names.map((name) => h("option", { value: name })));
  }

  function swatch(kind) {
    const el = h("span", { class: "legend-swatch" });
    el.style.backgroundColor = PALETTE[kind].fillColor;
    el.style.borderColor = PALETTE[kind].color;
    return el;
  }

  function renderLegend() {
    if (!legendEl) return;
    const row = (marker, label, count) =>
      h("li", { class: "legend-row" }, marker, h("span", {}, label), count == null ? null : h("span", { class: "legend-count" }, formatNumber(count)));
    const line = h("span", { class: "legend-line" });
    line.style.borderColor = PROVINCE_LINE.color;
    legendEl.replaceChildren(
      h("h2", { class: "legend-title" }, t("map.legendTitle")),
      h("ul", { class: "legend-list" },
        row(swatch("ward"), t("unitType.ward"), counts.ward),
        row(swatch("commune"), t("unitType.commune"), counts.commune),
        counts.other ? row(swatch("other"), t("unitType.other"), counts.other) : null,
        row(line, t("map.provinceBoundary"))),
    );
  }

  function addLegend() {
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = () => {
      legendEl = L.DomUtil.create("div", "map-legend");
      L.DomEvent.disableClickPropagation(legendEl);
      renderLegend();
      return legendEl;
    };
    legend.addTo(map);
  }

  function draw(collection) {
    const features = Array.isArray(collection?.features) ? collection.features : [];
    const communes = features.filter((f) => f.properties?.level === "commune");
    const outline = features.filter((f) => f.properties?.level === "province");
    for (const feature of communes) counts[paletteKey(feature.properties)] += 1;

    communeLayer = L.geoJSON({ type: "FeatureCollection", features: communes }, {
      style: (feature) => communeStyle(feature, "normal"),
      onEachFeature: (feature, layer) => {
        layer.bindTooltip(() => h("span", {}, unitDisplayName(feature.properties)), {
          sticky: true,
          direction: "top",
          offset: [0, -10],
          className: "unit-tooltip",
        });
        layer.on({
          mouseover: () => {
            hovered = layer;
            layer.setStyle(styleOf(layer));
            raise(layer);
          },
          mouseout: () => {
            if (hovered === layer) hovered = null;
            layer.setStyle(styleOf(layer));
            raise(selected);
          },
          click: () => select(layer),
        });
      },
    }).addTo(map);
    if (outline.length) {
      // Own pane above the communes, so hovering and selecting never cover the province line.
      map.createPane("provinceOutline").style.zIndex = "450";
      provinceLayer = L.geoJSON({ type: "FeatureCollection", features: outline }, {
        style: () => PROVINCE_LINE,
        interactive: false,
        pane: "provinceOutline",
      }).addTo(map);
    }

    addLegend();
    renderPanel();
    renderDatalist();
    const bounds = (provinceLayer || communeLayer).getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, fitOptions({ animate: false }));

    mapEl.dataset.communes = String(communes.length);
    mapEl.dataset.ready = "1";
  }

  function showMessage(key, error) {
    message.replaceChildren(
      h("p", {}, t(key)),
      error ? h("p", { class: "map-message-detail" }, errorMessage(error)) : null,
      error ? h("button", { type: "button", class: "btn btn-primary", onclick: load }, t("app.retry")) : null,
    );
    message.hidden = false;
  }

  async function load() {
    lastError = null;
    message.hidden = true;
    try {
      const collection = await loadBoundaries(settings.province.code);
      if (removed) return;
      draw(collection);
    } catch (error) {
      lastError = error;
      showMessage("map.loadFailed", error);
    }
  }

  renderPanel();
  load();

  return {
    unmount() {
      removed = true;
      map.remove();
    },
    languageChanged() {
      mapEl.setAttribute("aria-label", t("map.label"));
      renderLegend();
      renderPanel();
      renderDatalist();
      if (lastError) showMessage("map.loadFailed", lastError);
    },
  };
}
